"""Point-to-point shortest paths on the network with its degree-2 chains contracted.

Most nodes of the network only link two neighbours: they sit inside *chains* of edges between
*junctions* (the nodes of any other degree; a ring without any junction gets one). A search
between two nodes only needs the junctions: one Dijkstra over the junction graph, whose edge from
``a`` to ``b`` is the cheapest chain between them, and the two partial chains at the ends. On the
real network this leaves under a quarter of the nodes.

:func:`chain_topology` (per network, cached) finds the chains; :func:`contracted_for` (per cost
vector, cached like :func:`routing.search.csr_for`) gives their costs, the junction graph and the
shortest-path trees of :data:`HUBS` junctions spread over the network, both ways (:class:`Hubs`,
the landmarks of ALT searches); :func:`shortest_leg` answers one (multi-source, multi-target)
query as a Dijkstra on the whole graph would. Each chain step costs its cheapest parallel edge
(:class:`routing.search.Csr`); the sources enter the junction graph through a virtual node linked
to the junctions their chains reach (at the cost of the partial chain); a source and a target on
the same chain also get the direct path along it.

The hubs bound the cost ``D`` of the best path. From above: ``D <= d(s, h) + d(h, t)`` for every
hub ``h``; from below (triangle inequalities): ``D >= d(h, t) - d(h, s)`` and
``D >= d(s, h) - d(t, h)``. On this network most pairs (four out of five) have a hub on one of
their shortest paths and one behind ``t`` or ``s``, so the bounds meet: the path through that hub
is a shortest path, read from the hub's trees without any search. Otherwise the Dijkstra over
the junction graph stops at the upper bound (``limit``). Costs differ from those of a Dijkstra on
the whole graph only by the order of the additions (a few ulps); a path is certified when the
lower bound is within :data:`CERTIFY_RTOL` of its cost.

Examples
--------
A square 0-1-2-3-0 with a tail 3-4: nodes 0, 1 and 2 are chain nodes, 3 the only junction.

>>> from routing.search import _toy_network
>>> ring = [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 5.0), (3, 4, 1.0)]
>>> cn, costs = _toy_network(ring + [(b, a, c) for a, b, c in ring])
>>> leg = shortest_leg(cn, (0,), (4,), costs)
>>> leg.cost, [(int(cn.edge_u[e]), int(cn.edge_v[e])) for e in leg.edges]
(4.0, [(0, 1), (1, 2), (2, 3), (3, 4)])
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from routing.astar import astar, scratch_for
from routing.compiled import CompiledNetwork
from routing.search import Csr, csr_for

__all__ = ["ChainTopology", "Contracted", "Leg", "chain_topology", "contracted_for", "shortest_leg"]

#: Entries reserved for the virtual source in the junction graph (more sources: a new matrix).
SLOTS = 16
#: Junctions whose shortest-path trees, both ways, bound the searches (all of them when fewer;
#: fewer on large graphs, so that each table holds at most :data:`HUB_ENTRIES` costs).
HUBS = 128
HUB_ENTRIES = 1_000_000
#: Junction graphs at least this large are searched with A* and the hubs' lower bounds
#: (:mod:`routing.astar`) rather than a bounded Dijkstra (regional networks).
ASTAR_MIN_JUNCTIONS = 20_000
#: Landmarks (hubs) of those graphs.
ASTAR_HUBS = 24
#: Most source-target pairs whose hub bounds are combined into a lower bound (else none).
BOUND_PAIRS = 4
#: Relative slack of the certificate "lower bound >= cost of the path found" (rounding).
CERTIFY_RTOL = 1e-12

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: An entry into (or out of) the junction graph: junction, cost, edges of the partial chain.
Entry = tuple[int, float, list[int]]


@dataclass(frozen=True, eq=False)
class ChainTopology:
    """The chains of a network (independent of costs).

    Chain ``c`` runs through the nodes ``nodes[start[c]:start[c + 1]]``: a junction, chain nodes,
    a junction (the same one for a loop). ``junction[v]`` is the junction number of node ``v``
    (-1 for a chain node) and ``pos[v]`` the position of a chain node in ``nodes`` (-1 for a
    junction); ``chain_of[p]`` is the chain of position ``p``. For the searches, as lists:
    ``junction_of[v]`` is ``junction[v]`` and ``seat[v]`` is, for a chain node, its position, the
    first and last positions of its chain and the junctions there (``None`` for a junction).
    """

    nodes: IntArray
    start: IntArray
    chain_of: IntArray
    junction: IntArray
    junctions: IntArray
    pos: IntArray
    junction_of: list[int] = field(repr=False)
    seat: list[tuple[int, int, int, int, int] | None] = field(repr=False)

    @property
    def n_junctions(self) -> int:
        """Number of junctions."""
        return len(self.junctions)


def _neighbours(cn: CompiledNetwork) -> tuple[list[list[int]], npt.NDArray[np.bool_]]:
    """Distinct neighbours (either direction) of every node, and the nodes with a self-loop."""
    n = cn.n_nodes
    u, v = cn.edge_u.astype(np.int64), cn.edge_v.astype(np.int64)
    loop = np.zeros(n, dtype=bool)
    loop[u[u == v]] = True
    a, b = np.minimum(u, v)[u != v], np.maximum(u, v)[u != v]
    pairs = np.unique(a * n + b)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for x, y in zip((pairs // n).tolist(), (pairs % n).tolist(), strict=True):
        nbrs[x].append(y)
        nbrs[y].append(x)
    return nbrs, loop


def _walk(nbrs: list[list[int]], is_chain: list[bool], first: int, second: int, seen: list[bool]) -> list[int]:
    """The nodes of the chain leaving junction ``first`` through its neighbour ``second``."""
    seq = [first, second]
    prev, cur = first, second
    while is_chain[cur]:
        seen[cur] = True
        p, q = nbrs[cur]
        prev, cur = cur, (q if p == prev else p)
        seq.append(cur)
    return seq


def _chains(nbrs: list[list[int]], is_chain: list[bool]) -> list[list[int]]:
    """Every chain once (a direct link between two junctions is a chain of two nodes); a ring
    of chain nodes gets one of them promoted to junction (``is_chain`` is updated)."""
    seen = [False] * len(nbrs)
    out: list[list[int]] = []
    for node in range(len(nbrs)):
        if is_chain[node]:
            continue
        for x in nbrs[node]:
            if not is_chain[x]:
                if node < x:
                    out.append([node, x])
            elif not seen[x]:
                out.append(_walk(nbrs, is_chain, node, x, seen))
    for node in range(len(nbrs)):
        if is_chain[node] and not seen[node]:
            is_chain[node] = False
            out.append(_walk(nbrs, is_chain, node, nbrs[node][0], seen))
    return out


def _make_topology(cn: CompiledNetwork) -> ChainTopology:
    nbrs, loop = _neighbours(cn)
    is_chain = [len(x) == 2 and not lp for x, lp in zip(nbrs, loop.tolist(), strict=True)]
    chains = _chains(nbrs, is_chain)
    lengths = np.array([len(c) for c in chains], dtype=np.int64)
    start = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=start[1:])
    nodes = np.fromiter(itertools.chain.from_iterable(chains), dtype=np.int64, count=int(start[-1]))
    chain_of = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    junctions = np.flatnonzero(~np.asarray(is_chain, dtype=bool))
    junction = np.full(cn.n_nodes, -1, dtype=np.int64)
    junction[junctions] = np.arange(junctions.size)
    pos = np.full(cn.n_nodes, -1, dtype=np.int64)
    interior = np.ones(nodes.size, dtype=bool)
    interior[start[:-1]] = interior[start[1:] - 1] = False
    pos[nodes[interior]] = np.flatnonzero(interior)
    junction_of, node_at, first, chain = junction.tolist(), nodes.tolist(), start.tolist(), chain_of.tolist()
    seat: list[tuple[int, int, int, int, int] | None] = [None] * cn.n_nodes
    for v, p in enumerate(pos.tolist()):
        if p >= 0:
            lo, hi = first[chain[p]], first[chain[p] + 1] - 1
            seat[v] = (p, lo, hi, junction_of[node_at[lo]], junction_of[node_at[hi]])
    return ChainTopology(
        nodes=nodes, start=start, chain_of=chain_of, junction=junction, junctions=junctions, pos=pos,
        junction_of=junction_of, seat=seat,
    )


def chain_topology(cn: CompiledNetwork) -> ChainTopology:
    """The :class:`ChainTopology` of a network (cached on it)."""
    return cn.cached(("chain_topology",), lambda: _make_topology(cn))


@dataclass(frozen=True, eq=False)
class Hubs:
    """Shortest-path trees of a few junctions spread over the network (the hubs), both ways.

    ``dist_to[j, h]`` is the cost from junction ``j`` to hub ``h`` and ``next_to[h, j]`` the
    junction after ``j`` on that path; ``dist_from[j, h]`` is the cost from hub ``h`` to ``j`` and
    ``pred_from[h, j]`` the junction before ``j``. ``node[h]`` is the junction of hub ``h``.
    """

    node: list[int]
    dist_to: FloatArray
    next_to: npt.NDArray[np.int32]
    dist_from: FloatArray
    pred_from: npt.NDArray[np.int32]


def _spread(x: FloatArray, y: FloatArray, count: int) -> list[int]:
    """``count`` of the points, spread out: the one nearest their centroid, then each time the
    farthest from those already taken."""
    if count <= 0:
        return []
    first = int(np.argmin(np.hypot(x - x.mean(), y - y.mean())))
    out = [first]
    gap = np.hypot(x - x[first], y - y[first])
    for _ in range(count - 1):
        i = int(np.argmax(gap))
        out.append(i)
        np.minimum(gap, np.hypot(x - x[i], y - y[i]), out=gap)
    return out


def _farthest(graph: csr_array, reverse: csr_array, first: int, count: int) -> list[int]:
    """``count`` landmarks for A*: each the junction farthest on the network (either way) from
    ``first`` and the landmarks already taken (junctions ``first`` does not reach are left)."""

    def dist(node: int) -> FloatArray:
        fwd = dijkstra(graph, directed=True, indices=node)
        return np.asarray(np.minimum(fwd, dijkstra(reverse, directed=True, indices=node)))

    gap = dist(first)
    chosen: list[int] = []
    while len(chosen) < count:
        far = np.where(np.isfinite(gap), gap, -1.0)
        node = int(np.argmax(far))
        if far[node] <= 0:
            break
        chosen.append(node)
        if len(chosen) < count:
            np.minimum(gap, dist(node), out=gap)
    return chosen


def _hubs(cn: CompiledNetwork, topo: ChainTopology, graph: csr_array) -> Hubs:
    """The :class:`Hubs` of a junction graph (without its virtual source): spread in space, or,
    on graphs searched with A* (:data:`ASTAR_MIN_JUNCTIONS`), far apart on the network."""
    n = topo.n_junctions
    count = min(HUBS, n, max(8, HUB_ENTRIES // max(n, 1)))
    chosen = _spread(cn.node_x[topo.junctions], cn.node_y[topo.junctions], count)
    reverse = graph.T.tocsr()
    if n >= ASTAR_MIN_JUNCTIONS and chosen:
        chosen = _farthest(graph, reverse, chosen[0], ASTAR_HUBS) or chosen
    if not chosen:
        empty, none = np.zeros((n, 0)), np.zeros((0, n), dtype=np.int32)
        return Hubs([], empty, none, empty, none)
    d_from, p_from = dijkstra(graph, directed=True, indices=chosen, return_predecessors=True)
    d_to, n_to = dijkstra(reverse, directed=True, indices=chosen, return_predecessors=True)
    hubs = Hubs(  # junction-major distances: the hub costs of a junction are one row
        chosen, np.ascontiguousarray(d_to.T), n_to.astype(np.int32),
        np.ascontiguousarray(d_from.T), p_from.astype(np.int32),
    )
    for arr in (hubs.dist_to, hubs.next_to, hubs.dist_from, hubs.pred_from):
        arr.flags.writeable = False
    return hubs


@dataclass(frozen=True, eq=False)
class Contracted:
    """The chains and the junction graph of one cost vector.

    Positions ``p`` index :attr:`ChainTopology.nodes`: ``fw[p]``/``fe[p]`` are the cost and
    edge of the step ``nodes[p] -> nodes[p + 1]`` and ``bw[p]``/``be[p]`` those of
    ``nodes[p + 1] -> nodes[p]`` (``inf``/-1: no such step, or the last position of a chain).
    ``f_to_end[p]``/``b_to_start[p]`` are the costs from ``nodes[p]`` to the end (forward) and
    to the start (backward) of its chain, ``f_from_start[p]``/``b_from_end[p]`` those from the
    start (forward) and from the end (backward) to ``nodes[p]``. The junction graph has one
    more node, the virtual source (number ``n_junctions``), whose row holds :data:`SLOTS`
    placeholder entries at the end of ``indices``/``data``; ``link[(a, b)]`` lists the edges of
    the cheapest chain ``a -> b``. Each thread fills the virtual row of its own copy of the
    matrix (:meth:`matrix`) for each search.
    """

    topo: ChainTopology
    fw: list[float]
    bw: list[float]
    fe: list[int]
    be: list[int]
    f_to_end: list[float]
    b_to_start: list[float]
    f_from_start: list[float]
    b_from_end: list[float]
    indptr: npt.NDArray[np.int32]
    indices: npt.NDArray[np.int32]
    data: FloatArray
    link: dict[tuple[int, int], list[int]]
    hubs: Hubs
    scratch: threading.local = field(default_factory=threading.local, repr=False)

    def matrix(self, heads: list[int], weights: list[float]) -> csr_array:
        """The junction graph with the virtual source linked to ``heads`` at ``weights``.

        The matrix belongs to the calling thread and is only valid until its next call.
        """
        if len(heads) > SLOTS:
            indices = np.concatenate([self.indices[:-SLOTS], np.asarray(heads, dtype=np.int32)])
            data = np.concatenate([self.data[:-SLOTS], np.asarray(weights, dtype=float)])
            indptr = self.indptr.copy()
            indptr[-1] = indices.size
            n = self.indptr.size - 1
            return csr_array((data, indices, indptr), shape=(n, n))
        mat = getattr(self.scratch, "matrix", None)
        if mat is None:
            n = self.indptr.size - 1
            mat = csr_array((self.data.copy(), self.indices.copy(), self.indptr), shape=(n, n))
            self.scratch.matrix = mat
        pad = SLOTS - len(heads)  # unused slots repeat the first link: relaxed twice, no harm
        mat.indices[-SLOTS:] = heads + heads[:1] * pad
        mat.data[-SLOTS:] = weights + weights[:1] * pad
        return mat


def _steps(topo: ChainTopology, csr: Csr) -> tuple[FloatArray, IntArray, FloatArray, IntArray]:
    """Cost and edge of every forward and backward chain step (``inf``/-1 where there is none)."""
    a, b = topo.nodes[:-1], topo.nodes[1:]
    last = np.zeros(topo.nodes.size, dtype=bool)
    last[topo.start[1:] - 1] = True
    out = []
    for x, y in ((a, b), (b, a)):
        want = x * csr.n + y
        at = np.minimum(np.searchsorted(csr.key, want), max(csr.key.size - 1, 0))
        ok = (csr.key[at] == want) & ~last[:-1] if csr.key.size else np.zeros(want.size, dtype=bool)
        cost = np.append(np.where(ok, csr.data[at] if csr.key.size else 0.0, np.inf), np.inf)
        edge = np.append(np.where(ok, csr.edge[at] if csr.key.size else 0, -1), -1).astype(np.int64)
        out += [cost, edge]
    return out[0], out[1], out[2], out[3]


def _partial_sums(topo: ChainTopology, fw: list[float], bw: list[float]) -> tuple[list[float], ...]:
    """``f_to_end``, ``b_to_start``, ``f_from_start`` and ``b_from_end`` (see :class:`Contracted`)."""
    f_to_end: list[float] = []
    b_to_start: list[float] = []
    f_from_start: list[float] = []
    b_from_end: list[float] = []
    for lo, hi in itertools.pairwise(topo.start.tolist()):
        f, b = fw[lo : hi - 1], bw[lo : hi - 1]
        f_from_start += itertools.accumulate(f, initial=0.0)
        b_to_start += itertools.accumulate(b, initial=0.0)
        f_to_end += list(itertools.accumulate(reversed(f), initial=0.0))[::-1]
        b_from_end += list(itertools.accumulate(reversed(b), initial=0.0))[::-1]
    return f_to_end, b_to_start, f_from_start, b_from_end


def _junction_graph(
    topo: ChainTopology, f_to_end: list[float], b_to_start: list[float]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray, dict[tuple[int, int], tuple[int, bool]]]:
    """CSR arrays of the junction graph (cheapest chain per pair, :data:`SLOTS` placeholder
    entries in the virtual source's row) and the chain of each edge (and its direction)."""
    best: dict[tuple[int, int], tuple[float, int, bool]] = {}
    junction = topo.junction.tolist()
    nodes = topo.nodes.tolist()
    for c, (lo, hi) in enumerate(itertools.pairwise(topo.start.tolist())):
        a, b = junction[nodes[lo]], junction[nodes[hi - 1]]
        if a == b:
            continue
        for key, cost, forward in (((a, b), f_to_end[lo], True), ((b, a), b_to_start[hi - 1], False)):
            if cost < np.inf and (key not in best or cost < best[key][0]):
                best[key] = (cost, c, forward)
    n = topo.n_junctions + 1
    keys = sorted(best)
    rows = np.array([k[0] for k in keys] + [n - 1] * SLOTS, dtype=np.int64)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    indices = np.array([k[1] for k in keys] + [0] * SLOTS, dtype=np.int32)
    data = np.array([best[k][0] for k in keys] + [0.0] * SLOTS, dtype=float)
    return indptr, indices, data, {k: (best[k][1], best[k][2]) for k in keys}


def _contract(cn: CompiledNetwork, costs: FloatArray) -> Contracted:
    topo = chain_topology(cn)
    fw, fe, bw, be = _steps(topo, csr_for(cn, costs))
    fwl, bwl = fw.tolist(), bw.tolist()
    f_to_end, b_to_start, f_from_start, b_from_end = _partial_sums(topo, fwl, bwl)
    indptr, indices, data, chains = _junction_graph(topo, f_to_end, b_to_start)
    fel, bel, start = fe.tolist(), be.tolist(), topo.start.tolist()
    link = {
        key: fel[start[c] : start[c + 1] - 1] if forward else bel[start[c] : start[c + 1] - 1][::-1]
        for key, (c, forward) in chains.items()
    }
    n = topo.n_junctions
    nnz = int(indptr[n])  # the virtual source's placeholders excluded
    graph = csr_array((data[:nnz], indices[:nnz], indptr[: n + 1]), shape=(n, n))
    return Contracted(
        topo=topo, fw=fwl, bw=bwl, fe=fel, be=bel, f_to_end=f_to_end,
        b_to_start=b_to_start, f_from_start=f_from_start, b_from_end=b_from_end,
        indptr=indptr, indices=indices, data=data, link=link, hubs=_hubs(cn, topo, graph),
    )


def cacheable(costs: object) -> bool:
    """Whether :func:`contracted_for` caches the contraction of ``costs`` (a read-only array)."""
    return isinstance(costs, np.ndarray) and not costs.flags.writeable


def contracted_for(cn: CompiledNetwork, costs: FloatArray) -> Contracted:
    """The :class:`Contracted` graph of a cost vector; cached on ``cn`` when it is read-only."""
    if cacheable(costs):
        hit = cn.cached(("contracted", id(costs)), lambda: (costs, _contract(cn, costs)))
        if hit[0] is costs:
            return hit[1]
    return _contract(cn, costs)


@dataclass(frozen=True)
class Leg:
    """The cheapest path found by :func:`shortest_leg`: its cost (as the search added it), its
    edges in travel order and the target it reaches."""

    cost: float
    edges: npt.NDArray[np.int32]
    target: int


def _exits(k: Contracted, node: int) -> list[Entry]:
    """How a path leaving ``node`` reaches the junction graph."""
    seat = k.topo.seat[node]
    if seat is None:
        return [(k.topo.junction_of[node], 0.0, [])]
    p, lo, hi, j_lo, j_hi = seat
    out = []
    if k.f_to_end[p] < np.inf:
        out.append((j_hi, k.f_to_end[p], k.fe[p:hi]))
    if k.b_to_start[p] < np.inf:
        out.append((j_lo, k.b_to_start[p], k.be[lo:p][::-1]))
    return out


def _entries(k: Contracted, node: int) -> list[Entry]:
    """How a path from the junction graph reaches ``node``."""
    seat = k.topo.seat[node]
    if seat is None:
        return [(k.topo.junction_of[node], 0.0, [])]
    p, lo, hi, j_lo, j_hi = seat
    out = []
    if k.f_from_start[p] < np.inf:
        out.append((j_lo, k.f_from_start[p], k.fe[lo:p]))
    if k.b_from_end[p] < np.inf:
        out.append((j_hi, k.b_from_end[p], k.be[p:hi][::-1]))
    return out


def _direct(k: Contracted, source: int, target: int) -> tuple[float, list[int]] | None:
    """The path along the chain holding both nodes (``None``: they do not share one)."""
    if source == target:
        return 0.0, []
    s, t = k.topo.seat[source], k.topo.seat[target]
    if s is None or t is None or s[1] != t[1]:  # not on the same chain (same first position)
        return None
    ps, pt = s[0], t[0]
    if pt > ps:
        return sum(k.fw[ps:pt]), k.fe[ps:pt]
    return sum(reversed(k.bw[pt:ps])), k.be[pt:ps][::-1]


def _search(k: Contracted, starts: dict[int, tuple[float, list[int]]], limit: float) -> tuple[FloatArray, list[int]]:
    """Dijkstra over the junction graph from the virtual source linked to ``starts``, up to
    ``limit`` (junctions farther away get ``inf``)."""
    heads = list(starts)
    graph = k.matrix(heads, [starts[h][0] for h in heads])
    kw = {"limit": limit} if limit < np.inf else {}
    dist, pred = dijkstra(graph, directed=True, indices=k.topo.n_junctions, return_predecessors=True, **kw)
    return dist, pred.tolist()


def _expand(k: Contracted, pred: list[int], last: int) -> tuple[int, list[int]]:
    """The first junction of the tree path to ``last`` and the edges from it to ``last``."""
    route = [last]
    virtual = k.topo.n_junctions
    node = pred[last]
    while node != virtual:
        route.append(node)
        node = pred[node]
    route.reverse()
    edges: list[int] = []
    link = k.link
    for a, b in itertools.pairwise(route):
        edges += link[(a, b)]
    return route[0], edges


def _hub_path(k: Contracted, h: int, a: int, b: int) -> list[int]:
    """Edges of the path from junction ``a`` to hub ``h`` and on to junction ``b``."""
    hub, link = k.hubs.node[h], k.link
    edges: list[int] = []
    step = k.hubs.next_to[h]
    node = a
    while node != hub:
        after = step.item(node)
        edges += link[(node, after)]
        node = after
    back = k.hubs.pred_from[h]
    parts = []
    node = b
    while node != hub:
        before = back.item(node)
        parts.append(link[(before, node)])
        node = before
    for part in reversed(parts):
        edges += part
    return edges


def _nearest(table: FloatArray, entries: Sequence[tuple[int, float]]) -> FloatArray:
    """Per hub, the least ``table[j, hub] + cost`` over the ``(j, cost)`` entries."""
    if not entries:
        return np.full(table.shape[1], np.inf)
    if len(entries) > 3:
        rows = table[[j for j, _ in entries]]
        rows += np.array([c for _, c in entries])[:, None]
        return np.minimum.reduce(rows, axis=0)
    j, cost = entries[0]  # a few rows: one at a time beats a gather
    if len(entries) == 1 and cost == 0.0:
        return table[j]  # a read-only view
    out = table[j] + cost
    for j, cost in entries[1:]:
        np.minimum(out, table[j] + cost, out=out)
    return out


@dataclass(frozen=True)
class _Query:
    """One search: the junctions the sources reach (cost, edges), the ways into the targets
    (target position, junction, cost, edges) and the best path along a shared chain."""

    starts: dict[int, tuple[float, list[int]]]
    ends: list[tuple[int, int, float, list[int]]]
    direct: tuple[float, int, list[int]]


def _query(
    k: Contracted, sources: Sequence[int], targets: Sequence[int], s_off: Sequence[float], t_off: Sequence[float]
) -> _Query:
    starts: dict[int, tuple[float, list[int]]] = {}
    for s, o in zip(sources, s_off, strict=True):
        for j, cost, edges in _exits(k, s):
            if j not in starts or cost + o < starts[j][0]:
                starts[j] = (cost + o, edges)
    ends = [(i, j, cost + t_off[i], edges) for i, t in enumerate(targets) for j, cost, edges in _entries(k, t)]
    direct: tuple[float, int, list[int]] = (np.inf, -1, [])
    for i, t in enumerate(targets):
        for s, o in zip(sources, s_off, strict=True):
            found = _direct(k, s, t)
            if found is not None and found[0] + o + t_off[i] < direct[0]:
                direct = (found[0] + o + t_off[i], i, found[1])
    return _Query(starts, ends, direct)


def _cost_bounds(
    k: Contracted, q: _Query, sources: Sequence[int], targets: Sequence[int], s_off: Sequence[float], t_off: Sequence[float]
) -> tuple[float, float, int]:
    """Bounds of the cost of the best path: from above, the cheapest path through a hub (and
    that hub); from below, the triangle inequalities through the hubs, ``inf`` when no target
    can be reached: for one source and one target, or, with source or target costs, for at
    most :data:`BOUND_PAIRS` source-target pairs (else ``-inf``)."""
    n = len(k.hubs.node)
    if not n:
        return np.inf, -np.inf, -1
    hubs = k.hubs
    to_hub = _nearest(hubs.dist_to, [(j, c) for j, (c, _) in q.starts.items()])
    from_hub = _nearest(hubs.dist_from, [(j, c) for _, j, c, _ in q.ends])
    total = to_hub + from_hub
    h = int(total.argmin())
    if len(sources) == 1 and len(targets) == 1 and s_off[0] == 0.0 and t_off[0] == 0.0:
        return float(total[h]), _pair_bound(k, sources[0], targets[0], to_hub, from_hub), h
    if len(sources) * len(targets) > BOUND_PAIRS or (not any(s_off) and not any(t_off)):
        return float(total[h]), -np.inf, h
    low = np.inf
    for s, o in zip(sources, s_off, strict=True):
        s_hub = _nearest(hubs.dist_to, [(j, c) for j, c, _ in _exits(k, s)])
        for t, p in zip(targets, t_off, strict=True):
            hub_t = _nearest(hubs.dist_from, [(j, c) for j, c, _ in _entries(k, t)])
            low = min(low, o + p + _pair_bound(k, s, t, s_hub, hub_t))
    return float(total[h]), low, h


def _pair_bound(k: Contracted, s: int, t: int, to_hub: FloatArray, from_hub: FloatArray) -> float:
    """Lower bound of the cost from ``s`` to ``t`` given their costs to and from every hub
    (``inf``: ``t`` cannot be reached from ``s``)."""
    hubs = k.hubs
    into_source = _nearest(hubs.dist_from, [(j, c) for j, c, _ in _entries(k, s)])
    out_of_target = _nearest(hubs.dist_to, [(j, c) for j, c, _ in _exits(k, t)])
    with np.errstate(invalid="ignore"):  # inf - inf: no bound from that hub
        low = (np.fmax.reduce(from_hub - into_source), np.fmax.reduce(to_hub - out_of_target))
    return max((float(b) for b in low if not np.isnan(b)), default=-np.inf)


def _hub_leg(k: Contracted, q: _Query, h: int, cost: float, targets: Sequence[int]) -> Leg:
    """The leg through hub ``h`` (cost ``cost``)."""
    to_hub, from_hub = k.hubs.dist_to[:, h], k.hubs.dist_from[:, h]
    a = min(q.starts, key=lambda j: q.starts[j][0] + to_hub[j])
    i, b, _, tail = min(q.ends, key=lambda e: from_hub[e[1]] + e[2])
    path = q.starts[a][1] + _hub_path(k, h, a, b) + tail
    return Leg(cost, np.asarray(path, dtype=np.int32), int(targets[i]))


def _searched_leg(k: Contracted, q: _Query, targets: Sequence[int], limit: float) -> Leg | None:
    """The leg found by a Dijkstra over the junction graph (or along a shared chain)."""
    dist, pred = _search(k, q.starts, limit) if q.starts else (np.full(k.topo.n_junctions + 1, np.inf), [])
    best: tuple[float, int, int] = (np.inf, -1, -1)
    path: list[int] = []
    for i, j, cost, edges in q.ends:
        total = float(dist[j]) + cost
        if total < best[0] or (total == best[0] and i < best[1]):
            best, path = (total, i, j), edges
    if q.direct[0] < best[0] or (q.direct[0] == best[0] and q.direct[1] < best[1]):
        best, path = (q.direct[0], q.direct[1], -1), q.direct[2]
    if not best[0] < np.inf:
        return None
    if best[2] >= 0:
        first, middle = _expand(k, pred, best[2])
        path = q.starts[first][1] + middle + path
    return Leg(best[0], np.asarray(path, dtype=np.int32), int(targets[best[1]]))


def _astar_leg(k: Contracted, q: _Query, targets: Sequence[int], limit: float) -> Leg | None:
    """The leg found by A* over the junction graph with the hubs' bounds (or along a shared
    chain): the same cost as :func:`_searched_leg`."""
    n = k.topo.n_junctions
    ends = [(j, cost) for _, j, cost, _ in q.ends]
    graph = (k.indptr[: n + 1], k.indices, k.data)
    cost, end, route = np.inf, -1, list[int]()
    if q.starts and ends:
        cost, end, route = astar(
            graph, scratch_for(k, n), starts={j: c for j, (c, _) in q.starts.items()}, ends=ends,
            hubs=(k.hubs.dist_to, k.hubs.dist_from), limit=limit,
        )
    if q.direct[0] <= cost and q.direct[1] >= 0:
        return Leg(q.direct[0], np.asarray(q.direct[2], dtype=np.int32), int(targets[q.direct[1]]))
    if end < 0:
        return None
    i, _, _, tail = q.ends[end]
    path = list(q.starts[route[0]][1])
    for a, b in itertools.pairwise(route):
        path += k.link[(a, b)]
    return Leg(cost, np.asarray(path + tail, dtype=np.int32), int(targets[i]))


def shortest_leg(
    cn: CompiledNetwork,
    sources: Sequence[int],
    targets: Sequence[int],
    costs: FloatArray,
    *,
    source_costs: Sequence[float] | None = None,
    target_costs: Sequence[float] | None = None,
) -> Leg | None:
    """The cheapest path from the nearest of ``sources`` to the nearest of ``targets``.

    The path through the best hub bounds the cost from above; from one source to one target,
    the triangle inequalities through the hubs bound it from below, and when the bounds meet
    that path is returned as is. Otherwise a Dijkstra over the junction graph, stopped at the
    upper bound, finds the path.

    Parameters
    ----------
    cn
        The compiled network.
    sources, targets
        Node indices (at least one each).
    costs
        One cost per directed edge (:func:`routing.edge_costs`; ``inf`` forbidden).
    source_costs, target_costs
        Costs added when leaving each source and when reaching each target (default 0): a
        point inside an edge enters the search through the edge's ends (:mod:`routing.legs`).

    Returns
    -------
    Leg or None
        ``None`` when no target can be reached. Among targets at the same cost, the first. The
        cost includes the source and target costs.
    """
    n = cn.n_nodes
    if not sources or not all(0 <= s < n for s in sources):
        raise IndexError(f"source node index out of range: {sources!r}")
    if not targets or not all(0 <= t < n for t in targets):
        raise IndexError(f"target node index out of range: {targets!r}")
    s_off = [0.0] * len(sources) if source_costs is None else [float(c) for c in source_costs]
    t_off = [0.0] * len(targets) if target_costs is None else [float(c) for c in target_costs]
    k = contracted_for(cn, costs)
    q = _query(k, sources, targets, s_off, t_off)
    upper, lower, h = _cost_bounds(k, q, sources, targets, s_off, t_off)
    if lower == np.inf:
        return None
    best = min(upper, q.direct[0])
    if best < np.inf and lower >= best * (1.0 - CERTIFY_RTOL):
        if q.direct[0] < upper:
            return Leg(q.direct[0], np.asarray(q.direct[2], dtype=np.int32), int(targets[q.direct[1]]))
        return _hub_leg(k, q, h, upper, targets)
    limit = upper * (1.0 + 1e-9) + 1e-9 if upper < np.inf else np.inf
    if k.topo.n_junctions >= ASTAR_MIN_JUNCTIONS and k.hubs.node:
        return _astar_leg(k, q, targets, np.inf)
    leg = _searched_leg(k, q, targets, limit)
    if leg is None and limit < np.inf:  # cannot happen but for rounding: search again, unbounded
        leg = _searched_leg(k, q, targets, np.inf)
    return leg

"""Array machinery of the loop planner: measured shortest-path trees, legs, loop candidates.

A loop is searched on one cost vector (:func:`routing.edge_costs`, ``np.inf`` = forbidden) and one
*measure* vector (edge lengths for a distance target, edge times for a duration target). The
searches run ``scipy.sparse.csgraph.dijkstra`` on the routing core's CSR matrices
(:func:`routing.search.csr_for`, cached per cost vector); this module adds what loops need on
top of them, vectorised over every node at once:

- *penalised* matrices: the cost of every way (both directions) the loop already uses is
  multiplied by :data:`PENALTY`, so later legs go elsewhere when they can and retrace only when
  the alternative is much longer (a dead-end start, a bridge). They are derived from the core's
  matrix by scaling its data (no rebuild); parallel edges of different ways are re-chosen;
- the tree edge of every node and the measure along the tree path (:class:`MeasuredTree`, by
  pointer jumping, ``O(n log depth)``);
- the closing of a leg through a free turning point ``B`` chosen among *all* nodes at once: one
  tree from the leg's start, one reverse tree to its end, and ``B`` is the node whose detour
  ``m(a -> B) + m(B -> b)`` brings the loop to the target, without retracing around ``B``;
- loop figures: overlap (share of the length on ways travelled twice or more) and shared length
  between two loops (for diversity).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from routing.compiled import CompiledNetwork
from routing.search import Csr, csr_for

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Cost factor of a way the loop already uses (both directions).
PENALTY = 4.0


@dataclass(frozen=True, eq=False)
class _Static:
    """What a loop graph derives once per cost vector (cached on the network)."""

    csr: Csr
    entry_way: IntArray
    r_perm: IntArray
    multi_entry: IntArray
    multi_alts: IntArray
    multi_start: IntArray


def _static(cn: CompiledNetwork, cost: FloatArray) -> _Static:
    csr = csr_for(cn, cost)
    way = np.asarray(cn.edge_way, dtype=np.int64)
    pos = np.zeros(cn.n_edges, dtype=np.int64)
    pos[csr.edge] = np.arange(csr.edge.size)
    entries, alts, starts = _parallel_alternatives(cn, cost, csr)
    return _Static(csr=csr, entry_way=way[csr.edge], r_perm=pos[csr.r_edge], multi_entry=entries,
                   multi_alts=alts, multi_start=starts)


def _parallel_alternatives(cn: CompiledNetwork, cost: FloatArray, csr: Csr) -> tuple[IntArray, IntArray, IntArray]:
    """CSR entries whose ``(u, v)`` pair has usable parallel edges of other ways.

    Returns the entries, their candidate edges (flat) and the start of each entry's run.
    """
    order, start = cn.pair_edge, cn.pair_start
    sizes = np.diff(np.append(start, order.size))
    entries: list[int] = []
    runs: list[IntArray] = []
    for g in np.flatnonzero(sizes > 1).tolist():
        alts = order[start[g]: start[g] + sizes[g]].astype(np.int64)
        alts = alts[np.isfinite(cost[alts])]
        if alts.size > 1 and np.unique(cn.edge_way[alts]).size > 1:
            u, v = int(cn.edge_u[alts[0]]), int(cn.edge_v[alts[0]])
            entries.append(int(np.searchsorted(csr.key, u * csr.n + v)))
            runs.append(alts)
    if not runs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    lengths = np.array([r.size for r in runs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return np.asarray(entries, dtype=np.int64), np.concatenate(runs), starts


@dataclass(frozen=True, eq=False)
class LoopGraph:
    """The arrays one loop search works on.

    Parameters
    ----------
    cn
        The compiled network.
    cost
        Cost of every directed edge (``np.inf`` forbidden). Pass read-only vectors (those of
        :func:`routing.edge_costs`) so that the CSR matrices are cached on the network.
    measure
        What the target counts, per directed edge (metres or seconds).
    """

    cn: CompiledNetwork
    cost: FloatArray
    measure: FloatArray
    way: IntArray = field(init=False)
    n_ways: int = field(init=False)
    static: _Static = field(init=False, repr=False)

    def __post_init__(self) -> None:
        way = np.asarray(self.cn.edge_way, dtype=np.int64)
        object.__setattr__(self, "way", way)
        object.__setattr__(self, "n_ways", int(way.max()) + 1 if way.size else 0)
        cost = self.cost
        if cost.flags.writeable:
            static = _static(self.cn, cost)
        else:
            hit = self.cn.cached(("loop_static", id(cost)), lambda: (cost, _static(self.cn, cost)))
            static = hit[1] if hit[0] is cost else _static(self.cn, cost)
        object.__setattr__(self, "static", static)

    @property
    def csr(self) -> Csr:
        """The core's CSR matrices of :attr:`cost`."""
        return self.static.csr

    def ways_of(self, edges: Sequence[int] | npt.NDArray[np.integer]) -> BoolArray:
        """A per-way flag array of the ways of ``edges``."""
        out = np.zeros(self.n_ways, dtype=bool)
        if len(edges):
            out[self.way[np.asarray(edges, dtype=np.int64)]] = True
        return out

    def matrices(self, used: BoolArray | None) -> tuple[csr_array, csr_array, npt.NDArray[np.int32]]:
        """Forward and reverse matrices penalised on ``used`` ways, and the edge of each entry."""
        st = self.static
        csr = st.csr
        if used is None or not used.any():
            return csr.matrix, csr.r_matrix, csr.edge
        data = np.where(used[st.entry_way], csr.data * PENALTY, csr.data)
        edge = csr.edge
        if st.multi_entry.size:
            alts = st.multi_alts
            c = np.where(used[self.way[alts]], self.cost[alts] * PENALTY, self.cost[alts])
            gmin = np.minimum.reduceat(c, st.multi_start)
            sizes = np.diff(np.append(st.multi_start, alts.size))
            pos = np.where(c == np.repeat(gmin, sizes), np.arange(alts.size), alts.size)
            first = np.minimum.reduceat(pos, st.multi_start)
            edge = edge.copy()
            data[st.multi_entry] = gmin
            edge[st.multi_entry] = alts[first]
        n = csr.n
        fwd = csr_array((data, csr.indices, csr.indptr), shape=(n, n))
        rev = csr_array((data[st.r_perm], csr.r_indices, csr.r_indptr), shape=(n, n))
        return fwd, rev, edge


@dataclass(frozen=True, eq=False)
class MeasuredTree:
    """A shortest-path tree with the tree edge and the measure of every node.

    For a forward tree ``edge[v]`` enters ``v`` and ``meas[v]`` is the measure from the root to
    ``v``; for a reverse tree ``edge[v]`` leaves ``v`` towards the root and ``meas[v]`` is the
    measure from ``v`` to the root. Unreached nodes: ``edge = -1``, ``meas = inf``.
    """

    root: int
    reverse: bool
    dist: FloatArray
    pred: IntArray
    edge: IntArray
    meas: FloatArray

    def path(self, node: int) -> list[int]:
        """Edges of the tree path root -> ``node`` (forward) or ``node`` -> root (reverse).

        Raises
        ------
        LookupError
            When ``node`` is not reached.
        """
        if not np.isfinite(self.dist[node]):
            raise LookupError(f"node {node} is not reached by the tree of {self.root}")
        out: list[int] = []
        cur = int(node)
        pred, edge = self.pred, self.edge
        while cur != self.root:
            out.append(int(edge[cur]))
            cur = int(pred[cur])
        return out if self.reverse else out[::-1]


def accumulate(pred: IntArray, values: npt.NDArray[np.floating[Any]] | npt.NDArray[np.complexfloating[Any, Any]]) -> npt.NDArray[Any]:
    """Sum of ``values`` along every tree path (pointer jumping; ``pred = -1`` at roots).

    ``values`` has one row per node: a vector (complex to sum two at once, as fast as one), or a
    matrix (several columns, slower).

    >>> accumulate(np.array([-1, 0, 1, 1]), np.array([0.0, 1.0, 2.0, 5.0])).tolist()
    [0.0, 1.0, 3.0, 6.0]
    >>> accumulate(np.array([-1, 0]), np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
    [[1.0, 2.0], [4.0, 6.0]]
    """
    acc = np.array(values, dtype=np.result_type(values.dtype, np.float64))
    par = pred.astype(np.int64).copy()
    live = np.flatnonzero(par >= 0)
    while live.size:
        p = par[live]
        acc[live] += acc[p]
        par[live] = par[p]
        live = live[par[live] >= 0]
    return acc


def _dijkstra(lg: LoopGraph, root: int, reverse: bool, used: BoolArray | None) -> tuple[FloatArray, IntArray, npt.NDArray[np.int32]]:
    fwd, rev, edge = lg.matrices(used)
    dist, pred = dijkstra(rev if reverse else fwd, directed=True, indices=int(root),
                          return_predecessors=True)
    pred = np.asarray(pred, dtype=np.int64)
    pred[pred < 0] = -1
    return np.asarray(dist, dtype=float), pred, edge


def _entries(csr: Csr, u: IntArray, v: IntArray) -> IntArray:
    """CSR entry of every ``(u[i], v[i])`` pair (all must exist)."""
    return np.searchsorted(csr.key, u * csr.n + v).astype(np.int64)


def grow(
    lg: LoopGraph, root: int, *, reverse: bool = False, used: BoolArray | None = None
) -> MeasuredTree:
    """One (penalised) Dijkstra from ``root`` with tree edges and measures of every node.

    Parameters
    ----------
    lg
        The loop graph.
    root
        Node index.
    reverse
        Distances *to* ``root`` instead of from it.
    used
        Ways already used by the loop (:meth:`LoopGraph.ways_of`), penalised.
    """
    dist, pred, entry_edge = _dijkstra(lg, root, reverse, used)
    nodes = np.flatnonzero(pred >= 0)
    edge = np.full(lg.cn.n_nodes, -1, dtype=np.int64)
    if nodes.size:
        if reverse:
            j = _entries(lg.csr, nodes, pred[nodes])
        else:
            j = _entries(lg.csr, pred[nodes], nodes)
        edge[nodes] = entry_edge[j]
    values = np.where(edge >= 0, lg.measure[np.maximum(edge, 0)], 0.0)
    meas = accumulate(pred, values)
    meas[~np.isfinite(dist)] = np.inf
    return MeasuredTree(root=int(root), reverse=reverse, dist=dist, pred=pred, edge=edge, meas=meas)


def route(lg: LoopGraph, a: int, b: int, *, used: BoolArray | None = None) -> list[int]:
    """Edges of the cheapest (penalised) path ``a -> b``; ``[]`` when ``a == b``.

    Raises
    ------
    LookupError
        When ``b`` cannot be reached from ``a``.
    """
    if a == b:
        return []
    dist, pred, entry_edge = _dijkstra(lg, a, False, used)
    if not np.isfinite(dist[b]):
        raise LookupError(f"node {b} cannot be reached from {a}")
    nodes = [int(b)]
    while nodes[-1] != a:
        nodes.append(int(pred[nodes[-1]]))
    arr = np.asarray(nodes[::-1], dtype=np.int64)
    return [int(e) for e in entry_edge[_entries(lg.csr, arr[:-1], arr[1:])]]


# -- loop figures -----------------------------------------------------------------------------


def overlap_share(lg: LoopGraph, edges: Sequence[int]) -> float:
    """Share of the loop's length on ways it travels twice or more (0 ring, 1 out-and-back).

    Every traversal counts: an out-and-back of ``x`` km is 2x km long, all of it retraced.
    """
    if not len(edges):
        return 0.0
    e = np.asarray(edges, dtype=np.int64)
    length = lg.cn.edge_length[e]
    _, inverse, counts = np.unique(lg.way[e], return_inverse=True, return_counts=True)
    total = float(length.sum())
    return float(length[counts[inverse] >= 2].sum() / total) if total > 0 else 0.0


def shared_share(lg: LoopGraph, a: Sequence[int], b: Sequence[int]) -> float:
    """Length of the ways two loops have in common over the length of the shorter one's ways."""
    if not len(a) or not len(b):
        return 0.0
    la, lb = _way_lengths(lg, a), _way_lengths(lg, b)
    common = set(la) & set(lb)
    shared = sum(la[w] for w in common)
    shorter = min(sum(la.values()), sum(lb.values()))
    return float(shared / shorter) if shorter > 0 else 0.0


def _way_lengths(lg: LoopGraph, edges: Sequence[int]) -> dict[int, float]:
    e = np.asarray(edges, dtype=np.int64)
    out: dict[int, float] = {}
    for w, length in zip(lg.way[e].tolist(), lg.cn.edge_length[e].tolist(), strict=True):
        out[w] = max(out.get(w, 0.0), length)
    return out


# -- closing a leg through a free turning point -----------------------------------------------


@dataclass(frozen=True)
class Detour:
    """A leg ``a -> B -> b`` through a free turning point ``B``."""

    turn: int
    edges: tuple[int, ...]
    measure: float


def detour_candidates(
    lg: LoopGraph,
    a: int,
    b: int,
    *,
    need: float,
    used: BoolArray | None,
    band: float,
    count: int,
    rng: np.random.Generator,
) -> tuple[list[int], MeasuredTree | None]:
    """Turning points ``B`` for a leg ``a -> b`` whose estimated measure is ``need``.

    The estimate of ``B`` is ``m(a -> B) + m(B -> b)`` on trees penalised by ``used``. Nodes where
    the two halves meet head-on (the last edge in is the way of the first edge out: a U-turn)
    only come after the others. Within ``band`` (relative error) nodes are ranked by penalised
    cost per measure (greenways, and no reuse of the loop's ways, first), with a little seeded
    jitter; they are spread so that no two are the same place.

    Returns
    -------
    tuple
        The turning points, best first, and the tree from ``a`` (to route the first halves).
    """
    out_tree = grow(lg, a, used=used)
    back_tree = grow(lg, b, reverse=True, used=used)
    est = out_tree.meas + back_tree.meas
    ok = np.isfinite(est) & np.isfinite(out_tree.dist + back_tree.dist)
    if a == b:
        ok[a] = False  # a ring needs a turning point away from its start
    if not ok.any() or need <= 0:
        return [], None
    e_in, e_out = out_tree.edge, back_tree.edge
    uturn = (e_in >= 0) & (e_out >= 0) & (lg.way[np.maximum(e_in, 0)] == lg.way[np.maximum(e_out, 0)])
    err = np.abs(est - need) / need
    with np.errstate(invalid="ignore"):
        ratio = (out_tree.dist + back_tree.dist) / np.maximum(est, 1e-9)
    rank = err + 10.0
    inside = ok & (err <= band)
    if inside.any():
        ref = float(np.min(ratio[inside]))
        jitter = rng.uniform(0.0, 0.05, ratio.size)
        rank = np.where(inside, ratio / ref - 1.0 + 2.0 * err + jitter, rank)
    rank = np.where(uturn, rank + 5.0, rank)
    rank = np.where(ok, rank, np.inf)
    turns = _spread(lg, np.argsort(rank, kind="stable"), rank, count=count, gap=need * 0.04)
    return turns, out_tree


def _spread(lg: LoopGraph, order: IntArray, rank: FloatArray, *, count: int, gap: float) -> list[int]:
    """The first ``count`` nodes of ``order`` at least ``gap`` apart (Euclidean)."""
    x, y = lg.cn.node_x, lg.cn.node_y
    chosen: list[int] = []
    for node in order[: 50 * count].tolist():
        if not np.isfinite(rank[node]):
            break
        if all(np.hypot(x[node] - x[c], y[node] - y[c]) >= gap for c in chosen):
            chosen.append(int(node))
            if len(chosen) == count:
                break
    return chosen


def close_through(
    lg: LoopGraph, out_tree: MeasuredTree, turn: int, b: int, *, used: BoolArray | None
) -> Detour:
    """Route ``a -> turn -> b`` (``a`` the root of ``out_tree``); the second half avoids the first.

    Raises
    ------
    LookupError
        When a half cannot be routed.
    """
    first = out_tree.path(turn)
    used2 = lg.ways_of(first)
    if used is not None:
        used2 |= used
    second = route(lg, turn, b, used=used2)
    edges = tuple(first + second)
    measure = float(lg.measure[list(edges)].sum()) if edges else 0.0
    return Detour(turn=turn, edges=edges, measure=measure)


# -- what the network allows ------------------------------------------------------------------


def _blocks(lg: LoopGraph) -> tuple[IntArray, BoolArray]:
    """Per way: its 2-edge-connected block (-1 for bridges) and whether it is usable.

    A way is usable when one of its directions is allowed; a bridge is a usable way whose removal
    disconnects the graph (parallel ways are never bridges).
    """
    import networkx as nx

    cn = lg.cn
    usable_e = np.isfinite(lg.cost)
    usable = np.zeros(lg.n_ways, dtype=bool)
    usable[lg.way[usable_e]] = True
    graph: nx.MultiGraph = nx.MultiGraph()
    graph.add_nodes_from(range(cn.n_nodes))
    _, first = np.unique(lg.way, return_index=True)
    for e in first.tolist():
        w = int(lg.way[e])
        if usable[w] and cn.edge_u[e] != cn.edge_v[e]:
            graph.add_edge(int(cn.edge_u[e]), int(cn.edge_v[e]), key=w)
    simple = nx.Graph(graph)
    bridge_ways: set[int] = set()
    for u, v in nx.bridges(simple):
        keys = list(graph[u][v])
        if len(keys) == 1:
            bridge_ways.add(int(keys[0]))
    block = np.full(lg.n_ways, -1, dtype=np.int64)
    core = graph.copy()
    core.remove_edges_from([(u, v, k) for u, v, k in graph.edges(keys=True) if k in bridge_ways])
    for i, nodes in enumerate(nx.connected_components(core)):
        for _, _, k in core.subgraph(nodes).edges(keys=True):
            block[int(k)] = i
    return block, usable


def way_blocks(lg: LoopGraph) -> tuple[IntArray, BoolArray]:
    """Per way: its 2-edge-connected block (-1: a bridge) and whether it is usable (cached)."""
    hit = lg.cn.cached(("loop_blocks", id(lg.cost)), lambda: (lg.cost, *_blocks(lg)))
    if hit[0] is lg.cost:
        return hit[1], hit[2]
    block, usable = _blocks(lg)
    return block, usable


def blocks_cached(lg: LoopGraph) -> bool:
    """Whether :func:`way_blocks` of ``lg`` is cached (free) on its network."""
    hit = lg.cn.peek(("loop_blocks", id(lg.cost)))
    return hit is not None and hit[0] is lg.cost


def shortest_lollipop(lg: LoopGraph, start: int) -> float:
    """Length (m) of the shortest closed walk from ``start`` that travels some way only once.

    The ways a closed walk travels an odd number of times have an even degree at every node, so
    when there are any they hold a cycle ``C``, and the walk is at least ``|C| + 2 d(start, C)``
    long (a *lollipop*). The least of these is ``min d(a) + len(a, b) + d(b)`` over the ways
    ``(a, b)`` off a shortest-path tree from the start (lengths, usable ways both ways round);
    ``inf`` when the start reaches no cycle.
    """
    cn = lg.cn
    _, usable = way_blocks(lg)
    _, first = np.unique(lg.way, return_index=True)
    first = first[usable[lg.way[first]]]
    u, v = cn.edge_u[first].astype(np.int64), cn.edge_v[first].astype(np.int64)
    w = cn.edge_length[first].astype(float)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((w, hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    cheapest = np.ones(lo.size, dtype=bool)
    cheapest[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    cheapest &= lo != hi
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import dijkstra as sp_dijkstra

    n = cn.n_nodes
    mat = coo_array((w[cheapest], (lo[cheapest], hi[cheapest])), shape=(n, n)).tocsr()
    dist, pred = sp_dijkstra(mat, directed=False, indices=int(start), return_predecessors=True)
    tree = cheapest & ((pred[lo] == hi) | (pred[hi] == lo))
    closing = dist[lo] + w + dist[hi]
    closing = closing[~tree & np.isfinite(closing)]
    return float(closing.min()) if closing.size else float("inf")


def overlap_floor(lg: LoopGraph, start: int, length: float, *, tolerance: float = 0.0) -> float:
    """A lower bound of the overlap of any loop of ``length`` metres from ``start`` (or of any
    length within ``tolerance``, relative, of it).

    A closed walk crosses every bridge (way whose removal disconnects the network) an even number
    of times, so only the 2-edge-connected blocks can be travelled once. With ``d(b)`` the bridge
    length between the start and block ``b`` and ``len(b)`` its length, a loop reaching the blocks
    within ``D`` of bridges retraces at least ``2 D`` and travels at most the sum of their lengths
    once; the bound is ``1 - max_D min(length - 2 D, sum len(b) for d(b) <= D) / length``. And
    when the :func:`shortest_lollipop` is longer than the loop, the loop travels every way twice
    (bound 1). It is optimistic (a block may hold no closed trail of the right length), never
    pessimistic.
    """
    low, high = length * (1.0 - tolerance), length * (1.0 + tolerance)
    if shortest_lollipop(lg, start) > high * (1.0 + 1e-9) + 1e-6:  # rounding of the sums
        return 1.0
    cn = lg.cn
    block, usable = way_blocks(lg)
    e_block = block[lg.way]
    # bridge-only distances from the start (blocks cost nothing to cross)
    w = np.where(e_block >= 0, 1e-9, cn.edge_length)
    ok = usable[lg.way]
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import dijkstra as sp_dijkstra

    mat = coo_array((w[ok], (cn.edge_u[ok], cn.edge_v[ok])), shape=(cn.n_nodes, cn.n_nodes)).tocsr()
    mat.sum_duplicates()
    dist = sp_dijkstra(mat, directed=False, indices=int(start))
    has = e_block >= 0
    if not has.any():
        return 1.0
    d_block: dict[int, float] = {}
    size: dict[int, float] = {}
    for e in np.flatnonzero(has & ok).tolist():
        b = int(e_block[e])
        d_block[b] = min(d_block.get(b, np.inf), float(dist[cn.edge_u[e]]))
        size[b] = size.get(b, 0.0) + float(cn.edge_length[e]) / 2.0
    best = 0.0  # most share travelled once
    for depth in sorted(set(d_block.values())):
        if 2 * depth >= high:
            break
        once = sum(size[b] for b, d in d_block.items() if d <= depth)
        # min(x - 2 D, once) / x peaks where x - 2 D = once
        for x in {low, high, float(np.clip(once + 2 * depth, low, high))}:
            best = max(best, min(x - 2 * depth, once) / x)
    return float(np.clip(1.0 - best, 0.0, 1.0))

"""Cycle search for loops: edge-disjoint path pairs, then ears that fit the length.

A loop that retraces little is a *cycle* (or several) joined to the start by the few ways that
must be travelled both ways. This module finds them on the undirected view of the network
(:class:`WayGraph`: one entry per usable way, symmetric cost = mean of its two directions):

- :func:`disjoint_loop`: the cheapest pair of way-disjoint paths ``s -> q`` (Suurballe's
  successive shortest paths with potentials), a second traversal of a way allowed at a
  premium (so the dead-end spur of a start is travelled both ways, and nothing else unless the
  network offers no other way). The loop is the first path out and the second one back; the
  turning points ``q`` are spread over the compass at several distances from the start;
- :func:`ear_options` / :func:`improve`: a loop is fitted to its target by *ears*. One Dijkstra
  from all the loop's nodes at once, on the ways the loop does not use, gives for every other
  way ``(a, b)`` an ear: the tree path from the loop to ``a``, the way, the tree path from
  ``b`` back to the loop. An ear whose ends are two loop nodes replaces the loop's stretch
  between them (longer or shorter, and a retraced stretch disappears); an ear that comes back
  to the node it left is a cycle (or a lollipop) hooked on the loop; a plain out-and-back
  to a node gives the finest length steps. Every option's length and overlap are predicted at
  once (vectorised), the best are built and measured exactly, and a small beam keeps the best
  loops over a few rounds.

Ways usable in one direction only (``max_grade``) are left to :mod:`routing.loops.search`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from routing.loops.engine import BoolArray, FloatArray, IntArray, LoopGraph, accumulate

#: Cost factor of a second traversal of a way in a disjoint pair (on top of the first).
PREMIUM = 20.0
#: Weights of the score of a loop: relative length error, and cost per measure over the
#: reference (greenway preference); the overlap share counts once.
ERR_WEIGHT = 1.5
COST_WEIGHT = 0.6
#: Weight of the length error in the *potential* of a loop: ears can still fix the length, so
#: a loop that retraces little but misses the target is worth growing (or shrinking).
POTENTIAL_WEIGHT = 0.7
#: Share of the target a fill of hooked cycles may end above (or below) it.
FILL_SLACK = 0.01
#: Most share of a hooked cycle's length its stem may take (travelled twice) in a fill.
FILL_RETRACE = 0.5
#: Rounds of hooking when a seed is filled.
FILL_ROUNDS = 3
#: Ear options built per loop and round (by score, by potential), loops kept per round (by
#: score, by potential), rounds.
CHILDREN = (4, 3)
WIDTH = (2, 2)
ROUNDS = 5


@dataclass(frozen=True, eq=False)
class WayGraph:
    """The undirected view of a loop graph: usable ways and a node matrix over both directions.

    Way ``k`` (local index) joins ``a[k]`` and ``b[k]`` through the directed edges ``ab[k]`` and
    ``ba[k]``; ``cost[k]`` is the mean of their costs. The CSR entries (``src``, ``dst``, sorted
    by ``key = src * n + dst``) hold the cheapest way of every ordered node pair (``way``,
    ``data``) and the second cheapest (``second_way``, ``second``; -1 / inf when none).
    ``local[e]`` is the way of directed edge ``e`` (-1: not usable both ways).
    """

    n: int
    a: IntArray
    b: IntArray
    ab: IntArray
    ba: IntArray
    cost: FloatArray
    meas_ab: FloatArray
    meas_ba: FloatArray
    length: FloatArray
    src: IntArray
    dst: IntArray
    indptr: IntArray
    key: IntArray
    data: FloatArray
    way: IntArray
    second: FloatArray
    second_way: IntArray
    local: IntArray
    measure_is_length: bool

    @property
    def n_ways(self) -> int:
        """Number of usable ways."""
        return int(self.a.size)

    def entries(self, x: IntArray, y: IntArray) -> IntArray:
        """CSR entry of every ``(x[i], y[i])`` pair (all must be adjacent)."""
        return np.searchsorted(self.key, x * self.n + y).astype(np.int64)

    def walk(self, start: int, edges: Sequence[int] | IntArray) -> Walk | None:
        """The walk of a closed edge sequence from ``start`` (``None``: a way not usable both ways)."""
        e = np.asarray(edges, dtype=np.int64)
        ways = self.local[e]
        if np.any(ways < 0):
            return None
        return Walk(int(start), ways, np.asarray(self.ab[ways] == e, dtype=bool))

    def matrix(self, data: FloatArray) -> csr_array:
        """A CSR matrix of this structure with other entry values (``inf``: no arc)."""
        return csr_array((data, self.dst, self.indptr), shape=(self.n, self.n))


def way_graph(lg: LoopGraph) -> WayGraph:
    """The :class:`WayGraph` of a loop graph (cached per read-only cost vector)."""
    cost = lg.cost
    if cost.flags.writeable:
        return _build_way_graph(lg)
    hit = lg.cn.cached(("loop_way_graph", id(cost)), lambda: (cost, _build_way_graph(lg)))
    return hit[1] if hit[0] is cost else _build_way_graph(lg)


def _directions(lg: LoopGraph) -> tuple[IntArray, IntArray]:
    """Per usable way (both directions allowed, not a self-loop): its ``u < v`` and ``v > u`` edges."""
    cn = lg.cn
    u, v = cn.edge_u.astype(np.int64), cn.edge_v.astype(np.int64)
    ok = np.isfinite(lg.cost) & (u != v)
    out = []
    for forward in (True, False):
        e = np.flatnonzero(ok & ((u < v) == forward))
        ways, first = np.unique(lg.way[e], return_index=True)
        table = np.full(lg.n_ways, -1, dtype=np.int64)
        table[ways] = e[first]
        out.append(table)
    both = np.flatnonzero((out[0] >= 0) & (out[1] >= 0))
    return out[0][both], out[1][both]


def _build_way_graph(lg: LoopGraph) -> WayGraph:
    cn = lg.cn
    ab, ba = _directions(lg)
    a, b = cn.edge_u[ab].astype(np.int64), cn.edge_v[ab].astype(np.int64)
    cost = (lg.cost[ab] + lg.cost[ba]) / 2.0
    n, k = cn.n_nodes, np.arange(ab.size, dtype=np.int64)
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    arc_cost, arc_way = np.concatenate([cost, cost]), np.concatenate([k, k])
    order = np.lexsort((arc_way, arc_cost, dst, src))
    src, dst, arc_cost, arc_way = src[order], dst[order], arc_cost[order], arc_way[order]
    first = np.ones(src.size, dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    group = np.cumsum(first) - 1
    second = np.full(int(first.sum()), np.inf)
    second_way = np.full(second.size, -1, dtype=np.int64)
    runner = np.flatnonzero(~first & np.concatenate([[False], first[:-1]]))
    second[group[runner]] = arc_cost[runner]
    second_way[group[runner]] = arc_way[runner]
    s_src, s_dst = src[first], dst[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s_src, minlength=n), out=indptr[1:])
    local = np.full(cn.n_edges, -1, dtype=np.int64)
    local[ab], local[ba] = k, k
    return WayGraph(
        n=n, a=a, b=b, ab=ab, ba=ba, cost=cost, meas_ab=lg.measure[ab], meas_ba=lg.measure[ba],
        length=cn.edge_length[ab], src=s_src, dst=s_dst, indptr=indptr, key=s_src * n + s_dst,
        data=arc_cost[first], way=arc_way[first], second=second, second_way=second_way, local=local,
        measure_is_length=bool(np.array_equal(lg.measure[ab], cn.edge_length[ab])
                               and np.array_equal(lg.measure[ba], cn.edge_length[ba])),
    )


# -- walks ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Walk:
    """A closed walk from ``start``: local ways and directions (True: ``a -> b``), in order."""

    start: int
    ways: IntArray
    forward: BoolArray

    def nodes(self, g: WayGraph) -> IntArray:
        """The node sequence (``len(ways) + 1`` nodes, first and last the start)."""
        ends = np.where(self.forward, g.b[self.ways], g.a[self.ways])
        return np.concatenate([[self.start], ends]).astype(np.int64)

    def edges(self, g: WayGraph) -> IntArray:
        """The directed edges of the walk."""
        return np.where(self.forward, g.ab[self.ways], g.ba[self.ways]).astype(np.int64)

    def measures(self, g: WayGraph) -> FloatArray:
        """The measure of every step."""
        return np.where(self.forward, g.meas_ab[self.ways], g.meas_ba[self.ways])

    def reversed(self) -> Walk:
        """The same walk the other way round."""
        return Walk(self.start, self.ways[::-1].copy(), ~self.forward[::-1])


def _steps(g: WayGraph, nodes: Sequence[int] | IntArray, ways: IntArray) -> BoolArray:
    """Direction of every step of a node path along ``ways``."""
    return np.asarray(g.a[ways] == np.asarray(nodes, dtype=np.int64)[:-1], dtype=bool)


def _tree_path(pred: npt.NDArray[np.int32] | IntArray, root: int, node: int) -> IntArray:
    """Nodes of the tree path ``root -> node``."""
    out = [int(node)]
    while out[-1] != root:
        out.append(int(pred[out[-1]]))
    return np.asarray(out[::-1], dtype=np.int64)


def cheaper_orientation(lg: LoopGraph, g: WayGraph, walk: Walk) -> Walk:
    """The walk or its reverse, whichever costs less with the directed costs."""
    back = walk.reversed()
    return back if lg.cost[back.edges(g)].sum() < lg.cost[walk.edges(g)].sum() else walk


# -- disjoint pairs ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Tree:
    """One Dijkstra on a way graph's symmetric costs: cost, predecessor, measure of every node."""

    root: int
    dist: FloatArray
    pred: npt.NDArray[np.int32]
    meas: FloatArray


def grow_tree(g: WayGraph, root: int) -> Tree:
    """The tree of cheapest paths from ``root`` (symmetric costs) with the measure along them."""
    dist, pred = dijkstra(g.matrix(g.data), directed=True, indices=int(root),
                          return_predecessors=True)
    pred = np.asarray(pred)
    reached = pred >= 0
    values = np.zeros(g.n)
    if reached.any():
        nodes = np.flatnonzero(reached)
        ways = g.way[g.entries(pred[nodes].astype(np.int64), nodes)]
        values[nodes] = np.where(g.a[ways] == pred[nodes], g.meas_ab[ways], g.meas_ba[ways])
    meas = accumulate(np.where(reached, pred, -1), values)
    meas[~np.isfinite(dist)] = np.inf
    return Tree(root=int(root), dist=np.asarray(dist, dtype=float), pred=pred, meas=meas)


def disjoint_loop(g: WayGraph, tree: Tree, q: int, *, premium: float = PREMIUM) -> Walk | None:
    """The loop ``s -> q -> s`` made of the cheapest pair of way-disjoint paths ``s -> q``.

    Suurballe's method on ``tree`` (rooted at ``s``): the second path runs on the residual graph
    with reduced costs, where a way of the first path can be *cancelled* (the pair then swaps
    their tails) or travelled again at ``1 + premium`` times its cost (a bridge must be).

    Returns
    -------
    Walk or None
        ``None`` when ``q`` is not reached.
    """
    s, d = tree.root, tree.dist
    if q == s or not np.isfinite(d[q]):
        return None
    p1 = _tree_path(tree.pred, s, q)
    fwd, rev = g.entries(p1[:-1], p1[1:]), g.entries(p1[1:], p1[:-1])
    w1 = g.way[fwd]
    data, way = g.data.copy(), g.way.copy()
    again = g.data[fwd] * (1.0 + premium)
    other = g.second[fwd] < again
    data[fwd] = np.where(other, g.second[fwd], again)
    way[fwd] = np.where(other, g.second_way[fwd], w1)
    data[rev] = -g.data[fwd]
    way[rev] = w1
    with np.errstate(invalid="ignore"):
        reduced = data + d[g.src] - d[g.dst]
    reduced = np.where(np.isfinite(reduced), np.maximum(reduced, 0.0), np.inf)
    _, pred2 = dijkstra(g.matrix(reduced), directed=True, indices=s, return_predecessors=True)
    if pred2[q] < 0:
        return None
    p2 = _tree_path(pred2, s, q)
    w2 = way[g.entries(p2[:-1], p2[1:])]
    flow = np.zeros(g.n_ways, dtype=np.int64)
    np.add.at(flow, w1, np.where(_steps(g, p1, w1), 1, -1))
    np.add.at(flow, w2, np.where(_steps(g, p2, w2), 1, -1))
    return _decompose(g, flow, s, q)


def _decompose(g: WayGraph, flow: IntArray, s: int, q: int) -> Walk | None:
    """The loop of a 2-flow ``s -> q``: the first unit's path out, the second's back."""
    out: dict[int, list[tuple[int, bool]]] = {}
    for k in np.flatnonzero(flow).tolist():
        forward = bool(flow[k] > 0)
        tail = int(g.a[k] if forward else g.b[k])
        out.setdefault(tail, []).extend([(k, forward)] * abs(int(flow[k])))
    paths: list[list[tuple[int, bool]]] = []
    for _ in range(2):
        cur, path = s, list[tuple[int, bool]]()
        while cur != q:
            arcs = out.get(cur)
            if not arcs or len(path) > g.n_ways:
                return None
            k, forward = arcs.pop()
            path.append((k, forward))
            cur = int(g.b[k] if forward else g.a[k])
        paths.append(path)
    there, back = paths[0], paths[1][::-1]
    ways = np.array([k for k, _ in there] + [k for k, _ in back], dtype=np.int64)
    directions = np.array([f for _, f in there] + [not f for _, f in back], dtype=bool)
    return Walk(s, ways, directions)


# -- ears -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """What the ears aim at: the target measure, the node groups a loop must keep, and the
    reference cost per measure (0: cost not scored)."""

    target: float
    groups: tuple[tuple[int, ...], ...] = ()
    ratio: float = 0.0

    def score(self, measure: FloatArray, length: FloatArray, twice: FloatArray, cost: FloatArray,
              *, err_weight: float = ERR_WEIGHT) -> FloatArray:
        """Score of loops (lower is better): weighted length error, overlap share, cost ratio."""
        err = np.abs(measure - self.target) / self.target
        out = err_weight * err + np.clip(twice, 0.0, None) / np.maximum(length, 1e-9)
        if self.ratio > 0:
            out = out + COST_WEIGHT * (cost / np.maximum(measure, 1e-9) / self.ratio - 1.0)
        return np.asarray(out, dtype=float)


@dataclass(frozen=True, eq=False)
class Figures:
    """Exact figures of a walk: measure, length, length on ways travelled twice or more, cost."""

    measure: float
    length: float
    overlap: float
    cost: float

    def score(self, goal: Goal, *, err_weight: float = ERR_WEIGHT) -> float:
        """The goal's score of this walk (:meth:`Goal.score`)."""
        out = err_weight * abs(self.measure - goal.target) / goal.target + self.overlap / max(self.length, 1e-9)
        if goal.ratio > 0:
            out += COST_WEIGHT * (self.cost / max(self.measure, 1e-9) / goal.ratio - 1.0)
        return out


def figures(lg: LoopGraph, g: WayGraph, walk: Walk) -> Figures:
    """The :class:`Figures` of a walk."""
    if not walk.ways.size:
        return Figures(0.0, 0.0, 0.0, 0.0)
    length = g.length[walk.ways]
    _, inverse, counts = np.unique(walk.ways, return_inverse=True, return_counts=True)
    return Figures(
        measure=float(walk.measures(g).sum()), length=float(length.sum()),
        overlap=float(length[counts[inverse] >= 2].sum()), cost=float(lg.cost[walk.edges(g)].sum()),
    )


def walk_key(walk: Walk) -> bytes:
    """A key equal for walks travelling the same ways the same number of times."""
    return np.sort(walk.ways).tobytes()


@dataclass(frozen=True, eq=False)
class _Forest:
    """Cheapest paths from every node of a loop, on the ways the loop does not use."""

    dist: FloatArray
    pred: npt.NDArray[np.int32]
    origin: npt.NDArray[np.int32]
    way: IntArray
    meas: FloatArray
    length: FloatArray
    depth: IntArray

    def path(self, g: WayGraph, node: int) -> tuple[IntArray, BoolArray]:
        """Ways and directions of the tree path from the node's origin to ``node``."""
        nodes = _tree_path(self.pred, int(self.origin[node]), node)
        ways = self.way[nodes[1:]]
        return ways, _steps(g, nodes, ways)


def _forest(g: WayGraph, roots: IntArray, used: BoolArray) -> _Forest:
    """Multi-source Dijkstra from ``roots`` avoiding the ``used`` ways (parallel ways kept)."""
    blocked = used[g.way]
    alt_ok = (g.second_way >= 0) & ~used[np.maximum(g.second_way, 0)]
    data = np.where(blocked, np.where(alt_ok, g.second, np.inf), g.data)
    way = np.where(blocked, g.second_way, g.way)
    dist, pred, origin = dijkstra(g.matrix(data), directed=True, indices=roots,
                                  return_predecessors=True, min_only=True)
    pred = np.asarray(pred)
    reached = np.flatnonzero(pred >= 0)
    tree_way = np.full(g.n, -1, dtype=np.int64)
    tree_way[reached] = way[g.entries(pred[reached].astype(np.int64), reached)]
    fwd = g.a[tree_way[reached]] == pred[reached]
    meas, length = np.zeros(g.n), np.zeros(g.n)
    meas[reached] = np.where(fwd, g.meas_ab[tree_way[reached]], g.meas_ba[tree_way[reached]])
    length[reached] = g.length[tree_way[reached]]
    parent = np.where(pred >= 0, pred, -1)
    step = (pred >= 0).astype(float)
    if g.measure_is_length:  # one pass: measure (= length) and depth
        both = accumulate(parent, length + 1j * step)
        meas_sum, len_sum, depth = both.real, both.real, both.imag
    else:
        both = accumulate(parent, meas + 1j * length)
        meas_sum, len_sum, depth = both.real, both.imag, accumulate(parent, step)
    return _Forest(
        dist=np.asarray(dist, dtype=float), pred=pred, origin=np.asarray(origin), way=tree_way,
        meas=meas_sum, length=len_sum, depth=np.round(depth).astype(np.int64),
    )


def lowest_common_ancestor(pred: npt.NDArray[np.integer], depth: IntArray, a: IntArray, b: IntArray) -> IntArray:
    """Lowest common ancestor of every pair ``(a[i], b[i])`` of one forest (binary lifting).

    ``pred`` is negative at roots. Pairs in different trees get one of their roots.

    >>> lowest_common_ancestor(np.array([-1, 0, 1, 1, 0]), np.array([0, 1, 2, 2, 1]),
    ...                        np.array([2, 2, 4]), np.array([3, 1, 3])).tolist()
    [1, 1, 0]
    """
    up = [np.where(pred >= 0, pred, np.arange(pred.size)).astype(np.int64)]
    levels = max(int(depth.max(initial=0)).bit_length(), 1)
    for _ in range(levels - 1):
        up.append(up[-1][up[-1]])
    deeper = depth[a] >= depth[b]
    x, y = np.where(deeper, a, b).astype(np.int64), np.where(deeper, b, a).astype(np.int64)
    diff = depth[x] - depth[y]
    for k in range(levels):
        hop = ((diff >> k) & 1).astype(bool)
        x[hop] = up[k][x[hop]]
    for k in reversed(range(levels)):
        ux, uy = up[k][x], up[k][y]
        move = ux != uy
        x[move], y[move] = ux[move], uy[move]
    return np.where(x == y, x, up[0][x])


class _Layout:
    """Positions and running sums along a walk (for the ear predictions)."""

    def __init__(self, g: WayGraph, walk: Walk, goal: Goal) -> None:
        self.goal = goal
        self.nodes = walk.nodes(g)
        length = g.length[walk.ways]
        _, inverse, counts = np.unique(walk.ways, return_inverse=True, return_counts=True)
        twice = counts[inverse] >= 2 if walk.ways.size else np.zeros(0, dtype=bool)
        self.cum_meas = np.concatenate([[0.0], np.cumsum(walk.measures(g))])
        self.cum_len = np.concatenate([[0.0], np.cumsum(length)])
        self.cum_twice = np.concatenate([[0.0], np.cumsum(np.where(twice, length, 0.0))])
        self.cum_cost = np.concatenate([[0.0], np.cumsum(g.cost[walk.ways])])
        body = self.nodes[:-1] if walk.ways.size else self.nodes
        self.roots, first = np.unique(body, return_index=True)
        last = body.size - 1 - np.unique(body[::-1], return_index=True)[1]
        self.first_at = np.full(g.n, -1, dtype=np.int64)
        self.last_at = np.full(g.n, -1, dtype=np.int64)
        self.first_at[self.roots] = first
        self.last_at[self.roots] = last

    @property
    def totals(self) -> FloatArray:
        """Measure, length, overlap length and (symmetric) cost of the walk."""
        return np.array([self.cum_meas[-1], self.cum_len[-1], self.cum_twice[-1], self.cum_cost[-1]])

    def segment(self, i: IntArray, j: IntArray) -> FloatArray:
        """Measure, length, overlap length and cost of the steps between positions ``i`` and
        ``j`` (one row each)."""
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        return np.stack([c[hi] - c[lo] for c in (self.cum_meas, self.cum_len, self.cum_twice, self.cum_cost)])

#: Kinds of ear options.
HOOK, REPLACE, SPUR, CUT, ADD = 0, 1, 2, 3, 4


@dataclass(frozen=True, eq=False)
class _Options:
    """Ear options: kind, way (hook, replace) or node (spur, cut), loop positions, predicted
    figures of the new loop (rows as :attr:`_Layout.totals`)."""

    kind: IntArray
    item: IntArray
    i: IntArray
    j: IntArray
    figures: FloatArray

    @staticmethod
    def of(kind: int, item: IntArray, i: IntArray, j: IntArray, figures: FloatArray) -> _Options:
        return _Options(np.full(item.size, kind, dtype=np.int64), item, i, j, figures)

    @staticmethod
    def concat(parts: Sequence[_Options]) -> _Options:
        return _Options(*(np.concatenate([p.kind for p in parts]), np.concatenate([p.item for p in parts]),
                          np.concatenate([p.i for p in parts]), np.concatenate([p.j for p in parts]),
                          np.concatenate([p.figures for p in parts], axis=1)))


def _ears(g: WayGraph, forest: _Forest, used: BoolArray) -> tuple[IntArray, FloatArray]:
    """Ways off the forest (not used by the loop, both ends reached) and the figures of their
    ears (tree path to ``a``, the way, tree path from ``b``): measure, length, 0, cost rows."""
    k = np.flatnonzero(~used & np.isfinite(forest.dist[g.a]) & np.isfinite(forest.dist[g.b]))
    k = k[(forest.way[g.a[k]] != k) & (forest.way[g.b[k]] != k)]
    a, b = g.a[k], g.b[k]
    return k, np.stack([
        forest.meas[a] + (g.meas_ab[k] + g.meas_ba[k]) / 2.0 + forest.meas[b],
        forest.length[a] + g.length[k] + forest.length[b],
        np.zeros(k.size),
        forest.dist[a] + g.cost[k] + forest.dist[b],
    ])


def _hooks_and_replacements(g: WayGraph, lay: _Layout, forest: _Forest, used: BoolArray) -> list[_Options]:
    """Ears back to the node they leave (hooked on the loop, the shared stem travelled twice)
    and ears between two loop nodes: replacing the loop's stretch between them, or added to it
    (the ear, then the stretch back to where the ear left: the stretch is travelled twice)."""
    base = lay.totals[:, None]
    k, ear = _ears(g, forest, used)
    x1, x2 = forest.origin[g.a[k]].astype(np.int64), forest.origin[g.b[k]].astype(np.int64)
    hook = x1 == x2
    stem = forest.length[lowest_common_ancestor(forest.pred, forest.depth, g.a[k[hook]], g.b[k[hook]])]
    hooked = base + ear[:, hook]
    hooked[2] += 2 * stem
    at = lay.first_at[x1[hook]]
    parts = [_Options.of(HOOK, k[hook], at, at, hooked)]
    k, ear, x1, x2 = k[~hook], ear[:, ~hook], x1[~hook], x2[~hook]
    for first_i, first_j in itertools.product((True, False), repeat=2):
        i = (lay.first_at if first_i else lay.last_at)[x1]
        j = (lay.first_at if first_j else lay.last_at)[x2]
        seg = lay.segment(i, j)
        added = base + ear + seg
        added[2] = base[2] + 2 * seg[1]
        parts.append(_Options.of(ADD, k, i, j, added))
        seg[2] = np.minimum(2 * seg[2], base[2])  # a stretch travelled twice comes back single
        parts.append(_Options.of(REPLACE, k, i, j, base - seg + ear))
    return parts


def _ear_options(g: WayGraph, lay: _Layout, forest: _Forest, used: BoolArray) -> _Options:
    """Every option one ear away from a walk, with its predicted score (vectorised).

    Besides hooks and replacements: out-and-backs from the loop to every node the forest
    reaches, and cuts of the closed stretches between two visits of a node.
    """
    base = lay.totals[:, None]
    parts = _hooks_and_replacements(g, lay, forest, used)
    y = np.flatnonzero(np.isfinite(forest.dist) & (forest.depth > 0))
    at = lay.first_at[forest.origin[y]]
    spur = np.stack([2 * forest.meas[y], 2 * forest.length[y], 2 * forest.length[y], 2 * forest.dist[y]])
    parts.append(_Options.of(SPUR, y, at, at, base + spur))
    x = lay.roots[lay.first_at[lay.roots] < lay.last_at[lay.roots]]
    i, j = lay.first_at[x], lay.last_at[x]
    parts.append(_Options.of(CUT, x, i, j, base - lay.segment(i, j)))
    return _Options.concat(parts)


def _branches(forest: _Forest) -> IntArray:
    """The child of its root every node hangs from (``-1 - node`` for the roots themselves)."""
    up = np.where(forest.depth > 1, forest.pred, np.arange(forest.pred.size)).astype(np.int64)
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    return np.where(forest.depth >= 1, up, -1 - np.arange(up.size))


def _fill(g: WayGraph, walk: Walk, lay: _Layout, forest: _Forest, used: BoolArray) -> Walk | None:
    """The walk with as many cycles hooked on it as fill what it misses of the target.

    Hooks are taken by the share of their length travelled twice (their stem), then largest
    first, while they retrace less than :data:`FILL_RETRACE` of their length, do not share a
    branch of the forest, and keep the walk under the target plus :data:`FILL_SLACK` of it.
    """
    target = lay.goal.target
    deficit = target - float(lay.cum_meas[-1])
    if deficit <= FILL_SLACK * target:
        return None
    k, ear = _ears(g, forest, used)
    a, b = g.a[k], g.b[k]
    x = forest.origin[a]
    hook = np.flatnonzero(x == forest.origin[b])
    stem = forest.length[lowest_common_ancestor(forest.pred, forest.depth, a[hook], b[hook])]
    share = 2 * stem / np.maximum(ear[1][hook], 1e-9)
    keep = (share <= FILL_RETRACE) & (ear[0][hook] <= deficit + FILL_SLACK * target)
    hook, share = hook[keep], share[keep]
    branch = _branches(forest)
    taken: set[int] = set()
    chosen: list[int] = []
    total = 0.0
    for t in hook[np.lexsort((-ear[0][hook], np.round(share, 2)))].tolist():
        size = float(ear[0][t])
        used_branches = {int(branch[a[t]]), int(branch[b[t]])}
        if total + size > deficit + FILL_SLACK * target or used_branches & taken:
            continue
        taken |= used_branches
        chosen.append(t)
        total += size
        if total >= deficit - FILL_SLACK * target:
            break
    if not chosen:
        return None
    for t in sorted(chosen, key=lambda t: -int(lay.first_at[x[t]])):
        at = int(lay.first_at[x[t]])
        walk = _build(g, walk, forest, HOOK, int(k[t]), at, at)
    return walk


def fill(g: WayGraph, walk: Walk, goal: Goal) -> Walk | None:
    """The walk with cycles hooked on it to reach the target (``None``: nothing to hook).

    The cycles are the ears back to the node they leave, in rounds (each round hooks at most one
    per branch of the forest), while the walk misses more than :data:`FILL_SLACK` of the target.
    """
    out = None
    for _ in range(FILL_ROUNDS):
        lay = _Layout(g, walk, goal)
        used = np.zeros(g.n_ways, dtype=bool)
        used[walk.ways] = True
        new = _fill(g, walk, lay, _forest(g, lay.roots, used), used)
        if new is None or not _keeps(g, new, goal.groups):
            break
        out = walk = new
    return out


def _splice(walk: Walk, i: int, j: int, ways: IntArray, forward: BoolArray) -> Walk:
    """The walk with its steps ``i..j-1`` replaced by the given steps."""
    return Walk(walk.start, np.concatenate([walk.ways[:i], ways, walk.ways[j:]]).astype(np.int64),
                np.concatenate([walk.forward[:i], forward, walk.forward[j:]]).astype(bool))


def _build(g: WayGraph, walk: Walk, forest: _Forest, kind: int, item: int, i: int, j: int) -> Walk:
    """The walk with one ear option applied."""
    if kind == CUT:
        return _splice(walk, i, j, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
    if kind == SPUR:
        ways, fwd = forest.path(g, item)
        return _splice(walk, i, i, np.concatenate([ways, ways[::-1]]), np.concatenate([fwd, ~fwd[::-1]]))
    wa, fa = forest.path(g, int(g.a[item]))
    wb, fb = forest.path(g, int(g.b[item]))
    ways = np.concatenate([wa, [item], wb[::-1]]).astype(np.int64)
    fwd = np.concatenate([fa, [True], ~fb[::-1]]).astype(bool)
    if kind == HOOK:
        return _splice(walk, i, i, ways, fwd)
    if i > j:  # the ear from the earlier end of the stretch
        i, j, ways, fwd = j, i, ways[::-1].copy(), ~fwd[::-1]
    if kind == REPLACE:
        return _splice(walk, i, j, ways, fwd)
    back = walk.ways[i:j][::-1], ~walk.forward[i:j][::-1]
    return _splice(walk, i, i, np.concatenate([ways, back[0]]), np.concatenate([fwd, back[1]]))


def _keeps(g: WayGraph, walk: Walk, groups: tuple[tuple[int, ...], ...]) -> bool:
    if not groups:
        return True
    nodes = walk.nodes(g)
    return all(np.isin(np.asarray(grp), nodes).any() for grp in groups)


def ear_options(g: WayGraph, walk: Walk, goal: Goal, *,
                picks: Sequence[tuple[float, int, float]] = ((ERR_WEIGHT, 6, np.inf),)) -> list[Walk]:
    """The most promising walks one ear away from ``walk``.

    Parameters
    ----------
    g
        The way graph.
    walk
        The loop to change (possibly empty: the ears of its start are then loops of their own).
    goal
        Target measure, node groups to keep, reference cost ratio.
    picks
        ``(err_weight, count, below)``: build the ``count`` best options by the goal's score
        with this weight of the length error, among those predicted below ``below``.
    """
    lay = _Layout(g, walk, goal)
    used = np.zeros(g.n_ways, dtype=bool)
    used[walk.ways] = True
    forest = _forest(g, lay.roots, used)
    opts = _ear_options(g, lay, forest, used)
    out: dict[bytes, Walk] = {}
    filled = _fill(g, walk, lay, forest, used)
    if filled is not None and _keeps(g, filled, goal.groups):
        out[walk_key(filled)] = filled
    for err_weight, count, below in picks:
        score = goal.score(*opts.figures, err_weight=err_weight)
        top = min(20 * count, score.size)
        first = np.argpartition(score, top - 1)[:top] if 0 < top < score.size else np.arange(score.size)
        built, seen = 0, set()
        for t in first[np.lexsort((first, score[first]))].tolist():
            key = round(float(score[t]), 9)
            if key in seen or not score[t] < below:
                continue
            seen.add(key)
            new = _build(g, walk, forest, int(opts.kind[t]), int(opts.item[t]), int(opts.i[t]), int(opts.j[t]))
            if new.ways.size and _keeps(g, new, goal.groups) and walk_key(new) not in out:
                out[walk_key(new)] = new
                built += 1
                if built == count:
                    break
    return list(out.values())


def improve(lg: LoopGraph, g: WayGraph, seed: Walk, goal: Goal, *, rounds: int = ROUNDS,
            seen: set[bytes] | None = None) -> list[tuple[Walk, Figures]]:
    """Beam search over ears from ``seed``: the walks built, with their figures.

    Each round expands the walks of the frontier with their best ear options by score and by
    potential (:data:`CHILDREN`, predicted to do better than their parent); the next frontier
    keeps the best children by score and by potential (:data:`WIDTH`). Walks already met
    (``seen``, updated) are skipped; the search stops when a round builds nothing new.
    """
    seen = set() if seen is None else seen
    frontier = [(seed, figures(lg, g, seed))]
    out: list[tuple[Walk, Figures]] = []
    for _ in range(rounds):
        children: list[tuple[Walk, Figures]] = []
        for walk, fig in frontier:
            picks = [(w, n, fig.score(goal, err_weight=w))
                     for w, n in zip((ERR_WEIGHT, POTENTIAL_WEIGHT), CHILDREN, strict=True)]
            for child in ear_options(g, walk, goal, picks=picks):
                child = cheaper_orientation(lg, g, child)
                key = walk_key(child)
                if key not in seen:
                    seen.add(key)
                    children.append((child, figures(lg, g, child)))
        if not children:
            break
        out += children
        frontier = _beam(children, goal)
    return out


def _beam(children: list[tuple[Walk, Figures]], goal: Goal) -> list[tuple[Walk, Figures]]:
    """The next frontier: the best children by score, then by potential."""
    picked: dict[int, tuple[Walk, Figures]] = {}
    for weight, width in zip((ERR_WEIGHT, POTENTIAL_WEIGHT), WIDTH, strict=True):
        order = sorted(range(len(children)), key=lambda i: children[i][1].score(goal, err_weight=weight))
        for i in [i for i in order if i not in picked][:width]:
            picked[i] = children[i]
    return list(picked.values())

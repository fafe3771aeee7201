"""The loop search: skeletons of waypoints, turning points, closing legs, candidate loops.

A loop is a closed sequence of waypoints ``start -> w1 -> ... -> start`` whose legs are routed in
turn, each leg penalised on the ways the earlier ones use (:mod:`routing.loops.engine`). The
waypoints are, in this order of construction:

1. the *through* places (parks, POIs, a POI of a category): one node per group, the group member
   that suits the loop, the cyclic order that costs least (exhaustive: at most 6 places);
2. a free turning point ``A`` when the skeleton is much shorter than the target: chosen among all
   nodes at once, such that the skeleton through ``A`` measures about 70 % of the target, spread
   over the compass around the start (seeded choice among equivalent ones);
3. a free turning point ``B`` on one leg, chosen among all nodes at once so that the loop measures
   the target (:func:`routing.loops.engine.detour_candidates`).

Without through places this is a triangle ``start -> A -> B -> start`` whose sides avoid each
other. When nothing fits, a second round moves the turning points (farther when every loop was
short, closer when every loop was long).

Then :func:`cycle_search` adds the loops of :mod:`routing.loops.cycles`: way-disjoint pairs from
the start through turning points at several shares of the target (:data:`PAIR_SHARES`, one per
compass sector, on cycles), the ears of the start, and the best triangles, filled with hooked
cycles when short and improved by ears.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from routing.deadline import NEVER, Deadline
from routing.geo import bearing
from routing.loops.cycles import (
    ERR_WEIGHT,
    POTENTIAL_WEIGHT,
    Goal,
    Tree,
    Walk,
    WayGraph,
    disjoint_loop,
    ear_options,
    figures,
    fill,
    grow_tree,
    improve,
    walk_key,
    way_graph,
)
from routing.loops.engine import (
    BoolArray,
    FloatArray,
    LoopGraph,
    MeasuredTree,
    close_through,
    detour_candidates,
    grow,
    overlap_share,
    way_blocks,
)

logger = logging.getLogger(__name__)

#: A skeleton shorter than this share of the target gets a free turning point A.
NEEDS_TURN = 0.6
#: Target share of the skeleton through A (first round), and the accepted range.
TURN_SHARE = (0.70, 0.45, 0.92)
#: Second round: when every loop was too short / too long.
TURN_SHARE_SHORT = (0.88, 0.65, 1.0)
TURN_SHARE_LONG = (0.5, 0.3, 0.65)
#: Compass sectors over which turning points are spread.
SECTORS = 8
#: Repairs run while fewer candidates than this are within the tolerance.
ENOUGH = 3
#: Near misses (relative error at most this) that are repaired, and how many.
REPAIRABLE = 0.3
REPAIRS = 6
#: Blocks (cycles) nearest the start whose nodes are tried as turning points.
BLOCK_POINTS = 4
#: Turning points of the disjoint-pair loops: shares of the target from the start.
PAIR_SHARES = (0.22, 0.30, 0.38, 0.46)
#: Premiums of a second traversal of a way in the disjoint pairs (cost factor on top of one).
PREMIUMS = (0.5, 3.0, 20.0)
#: Loops improved by ears; short loops filled with hooked cycles.
IMPROVED = 6
FILLED = 8


@dataclass(frozen=True)
class Candidate:
    """One loop found by the search (edge indices in travel order)."""

    edges: tuple[int, ...]
    waypoints: tuple[int, ...]
    measure: float
    length: float
    cost: float
    climb: float
    overlap: float


@dataclass(frozen=True)
class Spec:
    """What the search looks for (node indices, measure units of the loop graph)."""

    start: int
    target: float
    tolerance: float = 0.05
    groups: tuple[tuple[int, ...], ...] = ()
    turns: int = 12
    detours: int = 3


@dataclass
class _Context:
    lg: LoopGraph
    spec: Spec
    rng: np.random.Generator
    deadline: Deadline = NEVER
    out_trees: dict[int, MeasuredTree] = field(default_factory=dict)
    back_trees: dict[int, MeasuredTree] = field(default_factory=dict)

    def out(self, node: int) -> MeasuredTree:
        if node not in self.out_trees:
            self.out_trees[node] = grow(self.lg, node)
        return self.out_trees[node]

    def back(self, node: int) -> MeasuredTree:
        if node not in self.back_trees:
            self.back_trees[node] = grow(self.lg, node, reverse=True)
        return self.back_trees[node]

    def leg_measure(self, a: int, b: int) -> float:
        return 0.0 if a == b else float(self.out(a).meas[b])


def make_candidate(lg: LoopGraph, edges: Sequence[int], waypoints: Sequence[int]) -> Candidate:
    """The figures of a loop given by its edges."""
    e = np.asarray(edges, dtype=np.int64)
    cn = lg.cn
    return Candidate(
        edges=tuple(e.tolist()),
        waypoints=tuple(int(w) for w in waypoints),
        measure=float(lg.measure[e].sum()),
        length=float(cn.edge_length[e].sum()),
        cost=float(lg.cost[e].sum()),
        climb=float(cn.edge_climb[e].sum()),
        overlap=overlap_share(lg, edges),
    )


def reachable(lg: LoopGraph, start: int) -> BoolArray:
    """Nodes one can go to and come back from (with the loop graph's costs)."""
    out, back = grow(lg, start), grow(lg, start, reverse=True)
    return np.asarray(np.isfinite(out.dist) & np.isfinite(back.dist), dtype=bool)


def search(lg: LoopGraph, spec: Spec, *, rng: np.random.Generator,
           deadline: Deadline = NEVER) -> list[Candidate]:
    """Candidate loops for ``spec`` (unsorted, possibly outside the tolerance).

    Parameters
    ----------
    lg
        The loop graph (costs and measure).
    spec
        Start, target, tolerance, through groups (each a tuple of alternative nodes, all
        reachable from the start both ways).
    rng
        Seeded generator: ties between equivalent turning points.
    deadline
        When it expires the search stops between two steps and returns what it has found
        (the caller tells a partial answer by ``deadline.expired()``).
    """
    ctx = _Context(lg=lg, spec=spec, rng=rng, deadline=deadline)
    skeletons = _skeletons(ctx)
    found: list[Candidate] = []
    for seq in skeletons:
        if deadline.expired():
            return found
        found += _fit(ctx, seq, TURN_SHARE)
    found += _repairs(ctx, found)
    if _within(found, spec) or deadline.expired():
        return found + cycle_search(ctx, found)
    shares = TURN_SHARE_SHORT if all(c.measure < spec.target for c in found) else TURN_SHARE_LONG
    if found and not all(c.measure > spec.target for c in found) and shares is TURN_SHARE_LONG:
        shares = TURN_SHARE
    logger.debug("loop search: second round with turn shares %s", shares)
    more: list[Candidate] = []
    for seq in skeletons:
        if deadline.expired():
            break
        more += _fit(ctx, seq, shares, more=True)
    found += more + _repairs(ctx, more)
    return found + cycle_search(ctx, found)


def _within(found: Sequence[Candidate], spec: Spec) -> int:
    """How many candidates are within the tolerance."""
    return sum(abs(c.measure - spec.target) <= spec.tolerance * spec.target for c in found)


# -- repairing the length of a candidate ------------------------------------------------------


def _repairs(ctx: _Context, found: Sequence[Candidate]) -> list[Candidate]:
    """Re-route a third of the best near misses so that they measure the target.

    Only when fewer than :data:`ENOUGH` candidates are within the tolerance. The near misses
    (error under :data:`REPAIRABLE`) are taken by overlap then error; each is cut into three
    segments and every segment is re-routed through a free turning point so that the loop gains
    (or loses) exactly what it misses, avoiding the rest of the loop. Repairs that lose a through
    place are dropped.
    """
    spec = ctx.spec
    if _within(found, spec) >= ENOUGH:
        return []
    misses = [c for c in found
              if spec.tolerance * spec.target < abs(c.measure - spec.target) <= REPAIRABLE * spec.target]
    misses.sort(key=lambda c: (round(c.overlap, 2), abs(c.measure - spec.target)))
    out: list[Candidate] = []
    seen: set[tuple[int, ...]] = set()
    for cand in misses:
        if ctx.deadline.expired():
            break
        if cand.edges in seen:
            continue
        seen.add(cand.edges)
        out += _repair(ctx, cand)
        if len(seen) >= REPAIRS:
            break
    return out


def _repair(ctx: _Context, cand: Candidate) -> list[Candidate]:
    lg, spec = ctx.lg, ctx.spec
    edges = list(cand.edges)
    cum = np.cumsum(lg.measure[edges])
    total = float(cum[-1])
    cuts = sorted({0, *(int(np.searchsorted(cum, total * f)) for f in (1 / 3, 2 / 3)), len(edges)})
    out = []
    for i, j in itertools.pairwise(cuts):
        if j <= i:
            continue
        seg, rest = edges[i:j], edges[:i] + edges[j:]
        a, b = int(lg.cn.edge_u[seg[0]]), int(lg.cn.edge_v[seg[-1]])
        need = float(lg.measure[seg].sum()) + spec.target - total
        used = lg.ways_of(rest) if rest else None
        turns, tree = detour_candidates(lg, a, b, need=need, used=used, band=0.02, count=2,
                                        rng=ctx.rng)
        for turn in turns:
            try:
                detour = close_through(lg, tree, turn, b, used=used) if tree is not None else None
            except LookupError:
                continue
            if detour is None or not detour.edges:
                continue
            new = edges[:i] + list(detour.edges) + edges[j:]
            if _keeps_groups(lg, new, spec.groups):
                out.append(make_candidate(lg, new, (*cand.waypoints, turn)))
    return out


def _keeps_groups(lg: LoopGraph, edges: Sequence[int], groups: Sequence[tuple[int, ...]]) -> bool:
    if not groups:
        return True
    nodes = set(lg.cn.edge_v[list(edges)].tolist())
    return all(nodes.intersection(g) for g in groups)


# -- skeletons --------------------------------------------------------------------------------


def _skeletons(ctx: _Context) -> list[tuple[int, ...]]:
    """Closed waypoint sequences ``(start, ..., start)`` through one node of every group."""
    s = ctx.spec.start
    if not ctx.spec.groups:
        return [(s, s)]
    choices = [_group_choices(ctx, g) for g in ctx.spec.groups]
    out: list[tuple[int, ...]] = []
    for combo in itertools.islice(itertools.product(*choices), 8):
        if out and ctx.deadline.expired():
            break
        nodes = tuple(dict.fromkeys(n for n in combo if n != s))
        for order in _best_orders(ctx, nodes):
            seq = (s, *order, s)
            if seq not in out:
                out.append(seq)
    return out


def _group_choices(ctx: _Context, group: tuple[int, ...]) -> list[int]:
    """Up to two members of a group: the nearest (round trip) and the best placed for the loop."""
    s = ctx.spec.start
    nodes = np.asarray(group, dtype=np.int64)
    out_t, back_t = ctx.out(s), ctx.back(s)
    trip = out_t.dist[nodes] + back_t.dist[nodes]
    ok = np.isfinite(trip)
    nodes, trip = nodes[ok], trip[ok]
    if not nodes.size:
        return []
    picks = [int(nodes[np.argmin(trip)])]
    gap = np.abs(out_t.meas[nodes] - 0.35 * ctx.spec.target)
    placed = int(nodes[np.argmin(gap)])
    if placed not in picks:
        picks.append(placed)
    return picks


def _best_orders(ctx: _Context, nodes: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The cheapest cyclic order of ``nodes`` from the start, and the same order reversed."""
    if len(nodes) <= 1:
        return [nodes]
    s = ctx.spec.start
    pts = (s, *nodes)
    cost = np.array([[ctx.out(a).dist[b] if a != b else 0.0 for b in pts] for a in pts])
    best: tuple[float, tuple[int, ...]] = (math.inf, nodes)
    for perm in itertools.permutations(range(1, len(pts))):
        route = (0, *perm, 0)
        total = float(sum(cost[i, j] for i, j in itertools.pairwise(route)))
        if total < best[0]:
            best = (total, tuple(pts[i] for i in perm))
    return [best[1], best[1][::-1]]


# -- fitting a skeleton to the target ---------------------------------------------------------


def _fit(
    ctx: _Context, seq: tuple[int, ...], shares: tuple[float, float, float], *, more: bool = False
) -> list[Candidate]:
    """Candidates from one skeleton: with a free turning point A when it is short, then B."""
    target = ctx.spec.target
    plain = sum(ctx.leg_measure(a, b) for a, b in itertools.pairwise(seq))
    if plain >= NEEDS_TURN * target or (len(seq) > 2 and not math.isfinite(plain)):
        found: list[Candidate] = []
        for j in range(len(seq) - 1):
            found += _insert(ctx, seq, j, more=more)
        return found
    # the plain ring through one turning point (start -> B -> start), then triangles
    found = [c for j in range(len(seq) - 1) for c in _insert(ctx, seq, j, more=more)]
    count = ctx.spec.turns * (2 if more else 1)
    points = _turning_points(ctx, seq, shares, count=count)
    if len(seq) == 2 and BLOCK_POINTS:
        points += [(node, 0) for node in _block_points(ctx) if node not in {p for p, _ in points}]
    for node, pos in points:
        if ctx.deadline.expired():
            break
        seq2 = (*seq[: pos + 1], node, *seq[pos + 1 :])
        found += _insert(ctx, seq2, pos + 1, more=more)
    return found


def _block_points(ctx: _Context) -> list[int]:
    """Turning points on the cycles nearest the start: for each 2-edge-connected block within
    reach, its node nearest the start and its node farthest within 45 % of the target.

    On a network made mostly of dead-end branches, the loops that retrace least run round such
    blocks; the free turning points spread over the compass may miss them.
    """
    lg, s, target = ctx.lg, ctx.spec.start, ctx.spec.target
    block, _ = way_blocks(lg)
    out_t, back_t = ctx.out(s), ctx.back(s)
    e_block = block[lg.way]
    has = (e_block >= 0) & np.isfinite(lg.cost)
    nodes = lg.cn.edge_u[has].astype(np.int64)
    blocks = e_block[has]
    meas = out_t.meas[nodes]
    ok = np.isfinite(meas) & np.isfinite(back_t.meas[nodes]) & (meas < 0.45 * target)
    nodes, blocks, meas = nodes[ok], blocks[ok], meas[ok]
    if not nodes.size:
        return []
    order = np.lexsort((nodes, meas))
    chosen: list[int] = []
    entries: dict[int, float] = {}
    for i in order.tolist():
        b = int(blocks[i])
        if b not in entries:
            entries[b] = float(meas[i])
    near = sorted(entries, key=lambda b: (entries[b], b))[:BLOCK_POINTS]
    for b in near:
        idx = np.flatnonzero(blocks == b)
        first = idx[np.argmin(meas[idx])]
        last = idx[np.argmax(meas[idx])]
        chosen += [int(nodes[first]), int(nodes[last])]
    return list(dict.fromkeys(n for n in chosen if n != s))


def _turning_points(
    ctx: _Context, seq: tuple[int, ...], shares: tuple[float, float, float], *, count: int
) -> list[tuple[int, int]]:
    """Free turning points ``A`` and the leg of ``seq`` each is inserted into.

    For every node, the skeleton through it is estimated at its cheapest insertion; nodes whose
    estimate is within ``shares[1:]`` of the target are ranked by the distance of that share to
    ``shares[0]``, by cost per measure, and a seeded jitter, and picked round-robin over compass
    sectors around the start.
    """
    lg, target = ctx.lg, ctx.spec.target
    n = lg.cn.n_nodes
    add = np.full(n, np.inf)
    pos = np.full(n, -1, dtype=np.int64)
    ratio = np.full(n, np.inf)
    base = 0.0
    for i, (a, b) in enumerate(itertools.pairwise(seq)):
        leg = ctx.leg_measure(a, b)
        base += leg
        extra = ctx.out(a).meas + ctx.back(b).meas - leg
        better = extra < add
        add = np.where(better, extra, add)
        pos = np.where(better, i, pos)
        cost = ctx.out(a).dist + ctx.back(b).dist
        with np.errstate(invalid="ignore"):
            ratio = np.where(better, cost / np.maximum(extra + leg, 1e-9), ratio)
    share = (base + add) / target
    centre, low, high = shares
    ok = np.isfinite(share) & (share >= low) & (share <= high) & _branching(lg)
    ok[list(seq)] = False
    if not ok.any():
        return []
    ref = float(np.min(ratio[ok]))
    score = np.abs(share - centre) + 0.5 * (ratio / ref - 1.0) + ctx.rng.uniform(0.0, 0.08, n)
    score = np.where(ok, score, np.inf)
    return [(a, int(pos[a])) for a in _by_sector(ctx, score, count=count)]


def _branching(lg: LoopGraph) -> BoolArray:
    """Nodes with at least two usable ways (a dead end makes a poor turning point)."""
    usable = np.isfinite(lg.cost)
    deg = np.bincount(lg.cn.edge_u[usable], minlength=lg.cn.n_nodes)
    return np.asarray(deg >= 2, dtype=bool)


def _by_sector(ctx: _Context, score: FloatArray, *, count: int, per_sector: int | None = None) -> list[int]:
    """Nodes by score, picked round-robin over compass sectors around the start (at most
    ``per_sector`` in each)."""
    cn, s = ctx.lg.cn, ctx.spec.start
    order = np.argsort(score, kind="stable")
    order = order[np.isfinite(score[order])]
    sectors: dict[int, list[int]] = {}
    for node in order.tolist():
        b = bearing(float(cn.node_x[node] - cn.node_x[s]), float(cn.node_y[node] - cn.node_y[s]))
        sectors.setdefault(int(b // (360.0 / SECTORS)) % SECTORS, []).append(int(node))
    out: list[int] = []
    depth = 0
    limit = per_sector if per_sector is not None else count
    while len(out) < count and depth < limit and any(depth < len(v) for v in sectors.values()):
        for key in sorted(sectors, key=lambda k: score[sectors[k][0]]):
            if depth < len(sectors[key]) and len(out) < count:
                out.append(sectors[key][depth])
        depth += 1
    return out


def _insert(ctx: _Context, seq: tuple[int, ...], j: int, *, more: bool) -> list[Candidate]:
    """Route every leg of ``seq`` but leg ``j``, then close leg ``j`` through a free point B."""
    lg, spec = ctx.lg, ctx.spec
    legs: dict[int, list[int]] = {}
    used = np.zeros(lg.n_ways, dtype=bool)
    try:
        for i, (a, b) in enumerate(itertools.pairwise(seq)):
            if i == j or a == b:
                legs[i] = []
                continue
            tree = ctx.out(a) if not used.any() else grow(lg, a, used=used)
            legs[i] = tree.path(b)
            used |= lg.ways_of(legs[i])
    except LookupError:
        return []
    a, b = seq[j], seq[j + 1]
    need = spec.target - sum(float(lg.measure[p].sum()) for p in legs.values() if p)
    count = spec.detours * (2 if more else 1)
    turns, out_tree = detour_candidates(
        lg, a, b, need=need, used=used if used.any() else None, band=0.025 if not more else 0.04,
        count=count, rng=ctx.rng,
    )
    if out_tree is None:
        turns, out_tree = [b], grow(lg, a, used=used if used.any() else None)
    found = []
    for turn in turns:
        try:
            detour = close_through(lg, out_tree, turn, b, used=used)
        except LookupError:
            continue
        edges = [e for i in range(len(seq) - 1) for e in (detour.edges if i == j else legs[i])]
        if edges:
            found.append(make_candidate(lg, edges, (*seq[1:j + 1], turn, *seq[j + 1:-1])))
    return found


# -- cycles -----------------------------------------------------------------------------------


def cycle_search(ctx: _Context, found: Sequence[Candidate]) -> list[Candidate]:
    """Loops from the cycle search (:mod:`routing.loops.cycles`), fitted to the target by ears.

    Seeds (:func:`_seeds`) are filled with hooked cycles when short; the :data:`IMPROVED` most
    promising (:func:`_promising`) are then improved by ears. Every loop met is returned.
    """
    lg, spec = ctx.lg, ctx.spec
    if ctx.deadline.expired():
        return []
    g = way_graph(lg)
    if not (np.any(g.a == spec.start) or np.any(g.b == spec.start)):
        return []
    seeds = _seeds(ctx, g, found)
    if not seeds:
        return []
    ratio = min(figures(lg, g, w).cost / max(figures(lg, g, w).measure, 1e-9) for w, _ in seeds.values())
    goal = Goal(target=spec.target, groups=spec.groups, ratio=ratio)
    short = [(w, p) for w, p in seeds.values() if figures(lg, g, w).measure < spec.target * (1 - spec.tolerance)]
    for walk, points in _promising(lg, g, short, goal, count=FILLED):
        if ctx.deadline.expired():
            break
        full = fill(g, walk, goal)
        if full is not None:
            seeds.setdefault(walk_key(full), (full, points))
    out = [_walk_candidate(lg, g, w, points) for w, points in seeds.values()]
    seen = set(seeds)
    for walk, points in _promising(lg, g, list(seeds.values()), goal):
        if ctx.deadline.expired():
            break
        out += [_walk_candidate(lg, g, w, points) for w, _ in improve(lg, g, walk, goal, seen=seen)]
    return out


def _seeds(ctx: _Context, g: WayGraph, found: Sequence[Candidate]) -> dict[bytes, tuple[Walk, tuple[int, ...]]]:
    """The first loops of the cycle search, with their turning points, by :func:`walk_key`.

    Disjoint-pair loops through the :func:`_pair_points`, at every premium of :data:`PREMIUMS`;
    the best ears of the start itself (fundamental cycles of its tree, out-and-backs); the
    :data:`IMPROVED` loops of ``found`` that retrace least and miss the target least.
    """
    lg, spec = ctx.lg, ctx.spec
    s = spec.start
    seeds: dict[bytes, tuple[Walk, tuple[int, ...]]] = {}
    tree = grow_tree(g, s)
    for q in _pair_points(ctx, g, tree):
        if seeds and ctx.deadline.expired():
            break
        for premium in PREMIUMS:
            walk = disjoint_loop(g, tree, q, premium=premium)
            if walk is not None and _keeps_groups(lg, walk.edges(g).tolist(), spec.groups):
                seeds.setdefault(walk_key(walk), (walk, (q,)))
    empty = Walk(s, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
    goal = Goal(target=spec.target, groups=spec.groups)
    for walk in ear_options(g, empty, goal, picks=((ERR_WEIGHT, IMPROVED, np.inf),)):
        seeds.setdefault(walk_key(walk), (walk, ()))
    for cand in sorted(found, key=lambda c: c.overlap + abs(c.measure - spec.target) / spec.target)[:IMPROVED]:
        walk = g.walk(s, cand.edges)
        if walk is not None:
            seeds.setdefault(walk_key(walk), (walk, cand.waypoints))
    return seeds


def _promising(
    lg: LoopGraph, g: WayGraph, seeds: list[tuple[Walk, tuple[int, ...]]], goal: Goal, *,
    count: int = 0,
) -> list[tuple[Walk, tuple[int, ...]]]:
    """The ``count`` (default :data:`IMPROVED`) seeds worth improving: half the best by score,
    half the best by *potential* (a loop that retraces little grows or shrinks by ears, so its
    length error weighs less)."""
    count = count or IMPROVED
    figs = [figures(lg, g, w) for w, _ in seeds]
    by_score = np.argsort([f.score(goal) for f in figs], kind="stable")
    by_potential = np.argsort([f.score(goal, err_weight=POTENTIAL_WEIGHT) for f in figs], kind="stable")
    half = (count + 1) // 2
    picks = list(dict.fromkeys([*by_score[:half].tolist(), *by_potential.tolist()]))[:count]
    return [seeds[i] for i in picks]


def _walk_candidate(lg: LoopGraph, g: WayGraph, walk: Walk, points: tuple[int, ...]) -> Candidate:
    """A candidate of a walk; without turning points, the node halfway round stands for one."""
    if not points:
        cum = np.cumsum(walk.measures(g))
        half = int(np.searchsorted(cum, cum[-1] / 2.0))
        points = (int(walk.nodes(g)[min(half + 1, walk.ways.size)]),)
    return make_candidate(lg, walk.edges(g).tolist(), points)


def _pair_points(ctx: _Context, g: WayGraph, tree: Tree) -> list[int]:
    """Turning points of the disjoint-pair loops.

    With one through group: its members that suit the loop. Otherwise, for every share of
    :data:`PAIR_SHARES`, the nodes whose tree measure from the start is within 4 % of the target
    of that share of it, on a cycle (a way that is no bridge) when possible, one per compass
    sector: the cheapest per measure, with a little seeded jitter.
    """
    spec = ctx.spec
    if len(spec.groups) == 1:
        return _group_choices(ctx, spec.groups[0])
    if spec.groups:
        return []
    block, _ = way_blocks(ctx.lg)
    on_cycle = np.zeros(g.n, dtype=bool)
    cyc = block[ctx.lg.way[g.ab]] >= 0
    on_cycle[g.a[cyc]] = on_cycle[g.b[cyc]] = True
    with np.errstate(invalid="ignore", divide="ignore"):
        rank = tree.dist / tree.meas + ctx.rng.uniform(0.0, 0.02, g.n)
    out: list[int] = []
    for share in PAIR_SHARES:
        band = np.isfinite(tree.meas) & (np.abs(tree.meas - share * spec.target) <= 0.04 * spec.target)
        if (band & on_cycle).any():
            band &= on_cycle
        out += _by_sector(ctx, np.where(band, rank, np.inf), count=SECTORS, per_sector=1)
    return list(dict.fromkeys(out))

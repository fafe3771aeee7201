"""The cycle search of loops (:mod:`routing.loops.cycles`): disjoint pairs, ears, fills.

Networks from :mod:`test_loops_graphs`: Suurballe's trap (the shortest path blocks any second
path that avoids it), a ring with small square cycles ("petals") hooked on it and a long
dead-end spur, the 16 x 16 grid.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from test_loops_graphs import grid_network, petals_network, trap_network

from routing.compiled import CompiledNetwork, compile_network
from routing.costs import CostOptions, edge_costs
from routing.loops.cycles import (
    Goal,
    Walk,
    WayGraph,
    disjoint_loop,
    ear_options,
    figures,
    fill,
    grow_tree,
    improve,
    lowest_common_ancestor,
    way_graph,
)
from routing.loops.engine import LoopGraph, overlap_floor, overlap_share
from routing.loops.planner import LoopRequest, plan_loop

RING = 24 * 2 * 1000.0 * math.sin(math.pi / 24)  # the petals network's ring
PETAL = 600.0
SPUR = 1500.0


@pytest.fixture(scope="module")
def trap() -> CompiledNetwork:
    return compile_network(trap_network())


@pytest.fixture(scope="module")
def petals() -> CompiledNetwork:
    return compile_network(petals_network())


@pytest.fixture(scope="module")
def grid() -> CompiledNetwork:
    return compile_network(grid_network(16))


def _graphs(cn: CompiledNetwork, profile: str = "walk") -> tuple[LoopGraph, WayGraph]:
    lg = LoopGraph(cn=cn, cost=edge_costs(cn, CostOptions(profile)), measure=cn.edge_length)
    return lg, way_graph(lg)


def _closed(cn: CompiledNetwork, edges: np.ndarray, start: int) -> bool:
    return bool(cn.edge_u[edges[0]] == start == cn.edge_v[edges[-1]]
                and np.all(cn.edge_v[edges[:-1]] == cn.edge_u[edges[1:]]))


def _ring_walk(cn: CompiledNetwork, g: WayGraph, start: int, *, petals: tuple[int, ...] = ()) -> Walk:
    """The walk round the petals ring from ring node ``start``, round the given petals too."""
    node = {cn.node_id[i]: i for i in range(cn.n_nodes)}
    seq: list[int] = []
    for k in range(24):
        here = (start + k) % 24
        seq.append(here)
        if here % 4 == 0 and here // 4 in petals:
            p = here // 4
            seq += [100 + 3 * p, 101 + 3 * p, 102 + 3 * p, here]
    seq.append(start)
    edges = [int(np.flatnonzero((cn.edge_u == node[a]) & (cn.edge_v == node[b]))[0])
             for a, b in itertools.pairwise(seq)]
    walk = g.walk(node[start], edges)
    assert walk is not None
    return walk


def test_lowest_common_ancestor() -> None:
    pred = np.array([-1, 0, 0, 1, 1, 3, -1, 6])
    depth = np.array([0, 1, 1, 2, 2, 3, 0, 1])
    a, b = np.array([5, 5, 3, 2, 7]), np.array([4, 2, 5, 2, 7])
    assert lowest_common_ancestor(pred, depth, a, b).tolist() == [1, 0, 3, 2, 7]


def test_way_graph_keeps_both_directions_and_parallel_ways(grid: CompiledNetwork) -> None:
    lg, g = _graphs(grid)
    assert g.n_ways == lg.n_ways
    assert np.all(grid.edge_u[g.ab] == g.a) and np.all(grid.edge_v[g.ba] == g.a)
    assert np.all(g.local[g.ab] == np.arange(g.n_ways)) and np.all(g.local[g.ba] == np.arange(g.n_ways))
    assert np.all(np.diff(g.key) > 0)  # one entry per ordered node pair


def test_disjoint_loop_escapes_the_trap(trap: CompiledNetwork) -> None:
    lg, g = _graphs(trap)
    s, q = trap.node_index(0), trap.node_index(7)
    tree = grow_tree(g, s)
    assert tree.meas[q] == pytest.approx(2 * math.hypot(200, 200) + math.hypot(600, 400))  # by the rung
    walk = disjoint_loop(g, tree, q)
    assert walk is not None
    edges = walk.edges(g)
    assert _closed(trap, edges, s)
    bow = 2 * math.hypot(200, 200) + 2 * math.hypot(300, 400)
    assert figures(lg, g, walk).measure == pytest.approx(2 * bow)
    assert overlap_share(lg, edges.tolist()) == 0.0
    rung = {trap.node_index(1), trap.node_index(5)}
    assert not any({int(trap.edge_u[e]), int(trap.edge_v[e])} == rung for e in edges)


def test_disjoint_loop_retraces_only_the_bridge(petals: CompiledNetwork) -> None:
    lg, g = _graphs(petals)
    s = petals.node_index(200)  # tip of the spur
    tree = grow_tree(g, s)
    far = petals.node_index(0)
    walk = disjoint_loop(g, tree, far)
    assert walk is not None
    f = figures(lg, g, walk)
    assert f.measure == pytest.approx(RING + 2 * SPUR)
    assert f.overlap == pytest.approx(2 * SPUR)


def test_fill_hooks_the_petals(petals: CompiledNetwork) -> None:
    lg, g = _graphs(petals)
    ring = _ring_walk(petals, g, 0)
    goal = Goal(target=RING + 3 * PETAL)
    walk = fill(g, ring, goal)
    assert walk is not None
    f = figures(lg, g, walk)
    assert f.measure == pytest.approx(RING + 3 * PETAL)
    assert f.overlap == 0.0
    assert _closed(petals, walk.edges(g), petals.node_index(0))
    assert fill(g, walk, goal) is None  # nothing missing any more


def test_ears_cut_petals_off_a_loop_too_long(petals: CompiledNetwork) -> None:
    lg, g = _graphs(petals)
    full = _ring_walk(petals, g, 0, petals=(0, 1, 2, 3, 4, 5))
    goal = Goal(target=RING + 2 * PETAL)
    assert figures(lg, g, full).measure == pytest.approx(RING + 6 * PETAL)
    walks = [w for w, _ in improve(lg, g, full, goal)]
    best = min(walks, key=lambda w: figures(lg, g, w).score(goal))
    f = figures(lg, g, best)
    assert f.measure == pytest.approx(RING + 2 * PETAL)
    assert f.overlap == 0.0
    assert _closed(petals, best.edges(g), petals.node_index(0))


def test_ears_of_the_start_are_loops(grid: CompiledNetwork) -> None:
    lg, g = _graphs(grid)
    s = grid.node_index(8 * 16 + 8)
    empty = Walk(s, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
    walks = ear_options(g, empty, Goal(target=3000.0))
    assert walks
    for walk in walks:
        assert _closed(grid, walk.edges(g), s)
    best = min(walks, key=lambda w: figures(lg, g, w).score(Goal(target=3000.0)))
    assert figures(lg, g, best).measure == pytest.approx(3000.0)
    assert figures(lg, g, best).overlap == 0.0


def test_loop_from_a_spur_retraces_only_the_spur(petals: CompiledNetwork) -> None:
    """From the tip of a 1.5 km spur, ring + 2 petals + spur both ways is the only loop within
    the tolerance that retraces nothing else: overlap = 2 x spur / length exactly."""
    target = RING + 2 * PETAL + 2 * SPUR
    res = plan_loop(petals, LoopRequest(_node_place(petals, 200), distance_km=target / 1000, seed=1))
    loop = res.best
    assert loop.distance_m == pytest.approx(target)
    assert loop.overlap_share == pytest.approx(2 * SPUR / target)
    e = np.asarray(loop.itinerary.edge_ids)
    ways, counts = np.unique(petals.edge_way[e], return_counts=True)
    twice = set(ways[counts >= 2].tolist())
    spur = {int(petals.edge_way[i]) for i in range(petals.n_edges)
            if {int(petals.node_id[petals.edge_u[i]]), int(petals.node_id[petals.edge_v[i]])} & {199, 200}}
    assert twice == spur
    lg, _ = _graphs(petals)
    assert loop.overlap_share == pytest.approx(overlap_floor(lg, petals.node_index(200), target))


@pytest.mark.parametrize("km", [8.0, 14.0, 20.0])
def test_grid_loops_retrace_nothing(grid: CompiledNetwork, km: float) -> None:
    res = plan_loop(grid, LoopRequest("parc-sud-ouest", distance_km=km, seed=5, profile="bike"))
    assert res.best.overlap_share == 0.0
    assert abs(res.best.length_error) <= 0.02


def test_cycle_search_is_deterministic(petals: CompiledNetwork) -> None:
    req = LoopRequest(_node_place(petals, 5), distance_km=7.5, seed=11, variants=3)
    a, b = plan_loop(petals, req), plan_loop(petals, req)
    assert [x.itinerary.edge_ids for x in a.loops] == [x.itinerary.edge_ids for x in b.loops]


def _node_place(cn: CompiledNetwork, node_id: int) -> str:
    i = cn.node_index(node_id)
    return f"{cn.node_lat[i]:.7f},{cn.node_lon[i]:.7f}"

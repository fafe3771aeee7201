"""The climb-constrained search against brute force on small random graphs, and its errors."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import box

from parcs._errors import ConstraintError, NoRouteError
from parcs.artifact import Network
from routing import CompiledNetwork, compile_network, constrained_path, min_climb


def random_network(seed: int, n: int = 9, p: float = 0.35) -> tuple[CompiledNetwork, np.ndarray]:
    """A random directed multigraph with random lengths (costs) and climbs, parallel edges included."""
    rng = np.random.default_rng(seed)
    graph = nx.MultiDiGraph(crs="EPSG:2154")
    for i in range(n):
        graph.add_node(i, x=700000.0 + 50 * i, y=7000000.0 + 31 * (i % 4), elevation=0.0)
    for u, v in itertools.permutations(range(n), 2):
        for _ in range(1 + int(rng.random() < 0.15)):  # some parallel edges
            if rng.random() < p:
                graph.add_edge(u, v, length=float(rng.integers(1, 20)), climb=float(rng.integers(0, 6)), kind="path")
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:2154")
    net = Network(graph=graph, parks=empty, pois=empty, communes=empty, perimeter=box(0, 0, 1e7, 1e7))
    cn = compile_network(net)
    costs = cn.edge_length.copy()
    costs.flags.writeable = False
    return cn, costs


def brute_force(cn: CompiledNetwork, costs: np.ndarray, stops: list[int], limit: float) -> float:
    """Cheapest cost over every combination of simple paths of each leg (parallel edges expanded)."""
    g = nx.MultiDiGraph()
    for e in range(cn.n_edges):
        g.add_edge(int(cn.edge_u[e]), int(cn.edge_v[e]), key=e)
    legs = []
    for a, b in itertools.pairwise(stops):
        options = []
        for path in nx.all_simple_edge_paths(g, a, b) if a != b else [[]]:
            es = [k for _, _, k in path]
            options.append((float(costs[es].sum()), float(cn.edge_climb[es].sum())))
        legs.append(options)
    best = np.inf
    for combo in itertools.product(*legs):
        c, r = sum(x[0] for x in combo), sum(x[1] for x in combo)
        if r <= limit + 1e-9:
            best = min(best, c)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_matches_brute_force(seed: int) -> None:
    cn, costs = random_network(seed)
    rng = np.random.default_rng(1000 + seed)
    for _ in range(4):
        stops = [int(s) for s in rng.choice(cn.n_nodes, size=int(rng.integers(2, 4)), replace=False)]
        least = min_climb(cn, [(s,) for s in stops], costs)
        if not np.isfinite(least):
            with pytest.raises(NoRouteError):
                constrained_path(cn, [(s,) for s in stops], costs, limit=100.0)
            continue
        for limit in (least, least + 2, least + 5, 1e9):
            expected = brute_force(cn, costs, stops, limit)
            got = constrained_path(cn, [(s,) for s in stops], costs, limit=limit)
            assert got.cost == pytest.approx(expected, rel=1e-12)
            assert got.climb <= limit + 1e-9
            flat = np.concatenate(got.legs)
            assert np.all(cn.edge_v[flat[:-1]] == cn.edge_u[flat[1:]])  # a connected path
            assert cn.edge_u[flat[0]] == stops[0] and cn.edge_v[flat[-1]] == stops[-1]
        if least > 0:
            with pytest.raises(ConstraintError, match="en demande"):
                constrained_path(cn, [(s,) for s in stops], costs, limit=least - 0.5)


def test_candidate_sets(mock_compiled: CompiledNetwork) -> None:
    from routing import CostOptions, edge_costs

    cn = mock_compiled
    costs = edge_costs(cn, CostOptions("walk"))
    starts = (cn.node_index(1), cn.node_index(15))
    ends = (cn.node_index(5), cn.node_index(14))
    res = constrained_path(cn, [starts, ends], costs, limit=15)
    flat = np.concatenate(res.legs)
    assert cn.node_id[cn.edge_u[flat[0]]] == 15 and cn.node_id[cn.edge_v[flat[-1]]] == 5
    assert res.climb == pytest.approx(10.0)
    assert min_climb(cn, [starts, ends], costs) == 0.0

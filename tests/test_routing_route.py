"""End-to-end routing on the mock network: exact paths and costs for each profile and option."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pytest
from conftest import mock_lonlat
from test_routing_profiles import bike_ms, tobler_ms

from parcs._errors import ConstraintError, InvalidRequestError, NoRouteError, UnknownPlaceError
from routing import CompiledNetwork, CostOptions, RouteRequest, edge_costs, route
from routing.bounds import MAX_ALTERNATIVES

N2, N3, N5, N12, N13, N14 = (mock_lonlat(*p) for p in [(0, 0), (1000, 0), (2500, 0), (2000, -300), (2000, -800), (3000, 0)])
N1 = mock_lonlat(-1000, 0)
D26 = math.hypot(500, 250)  # each half of the véloroute detour
D4_12 = math.hypot(500, 300)
D4_13 = math.hypot(500, 800)
D15 = math.hypot(500, 400)


def nodes(res: Any, k: int = 0) -> tuple[int, ...]:
    return tuple(res.itineraries[k].node_ids)


def go(cn: CompiledNetwork, a: Any, b: Any, **kw: Any) -> Any:
    return route(cn, RouteRequest(a, b, **kw))


def kinds_between(cn: CompiledNetwork, res: Any, u: int, v: int) -> str:
    for e in res.best.edge_ids:
        if cn.node_id[cn.edge_u[e]] == u and cn.node_id[cn.edge_v[e]] == v:
            return cn.kinds[cn.edge_kind[e]]
    raise AssertionError(f"no edge {u}->{v} in the route")


def test_walk_exact_path_and_cost(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, "parc-ouest", "parc-est")
    assert nodes(res) == (15, 2, 6, 3, 4, 5)  # best access nodes of both parks, over the hill
    v0 = tobler_ms(0.0)
    expected = (D15 + 2 * D26 + 500) / v0 + 500 / tobler_ms(0.08) + 500 / tobler_ms(-0.08)
    it = res.best
    assert it.cost == pytest.approx(expected) and it.duration_s == pytest.approx(expected)
    assert it.distance_m == pytest.approx(D15 + 2 * D26 + 500 + 1000)
    assert kinds_between(mock_compiled, res, 3, 4) == "voie_verte"  # parallel edge: unpaved but shorter


def test_bike_exact_path_and_cost(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, "parc-ouest", "parc-est", profile="bike")
    assert nodes(res) == (15, 2, 6, 3, 4, 12, 5)
    t = (D15 / bike_ms(0, 0.008) + 2 * D26 / bike_ms(0, 0.005) + 500 / bike_ms(0, 0.012, 25)
         + D4_12 / bike_ms(10 / D4_12, 0.005) + D4_12 / bike_ms(-10 / D4_12, 0.005))
    assert res.best.cost == pytest.approx(t)
    assert kinds_between(mock_compiled, res, 3, 4) == "voie_verte"


def test_family_avoids_steep_and_unpaved(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, "parc-ouest", "parc-est", profile="family")
    assert nodes(res) == (15, 2, 6, 3, 4, 12, 5)  # not over the 8 % hill
    assert kinds_between(mock_compiled, res, 3, 4) == "connector"  # unpaved x3 > connector x2
    v = 3.5 / 3.6
    flat = 3.5 / (6 * math.exp(-0.175))
    t = (D15 + 2 * D26) / v + 2.0 * 509.902 / v + D4_12 / tobler_ms(10 / D4_12, 3.5) + D4_12 / tobler_ms(-10 / D4_12, 3.5)
    assert res.best.cost == pytest.approx(t, rel=1e-5)
    assert flat > 0
    assert res.best.duration_s < res.best.cost  # duration is pure time
    forbid = go(mock_compiled, "parc-ouest", "parc-est", profile="family", avoid=("connector",))
    assert kinds_between(mock_compiled, forbid, 3, 4) == "voie_verte"
    with pytest.raises(ConstraintError):
        go(mock_compiled, "parc-ouest", "parc-est", profile="family", avoid=("connector", "unpaved"))


@pytest.mark.parametrize(
    ("profile", "prefer", "kind"),
    [("walk", 1.0, "voie_verte"), ("walk", 0.0, "voie_verte"), ("bike", 1.0, "voie_verte"),
     ("bike", 0.0, "connector"), ("family", 1.0, "connector")],
)
def test_parallel_edges_cheapest_per_profile(mock_compiled: CompiledNetwork, profile: str, prefer: float, kind: str) -> None:
    res = go(mock_compiled, N3, mock_lonlat(1500, 0), profile=profile, prefer=prefer)
    assert nodes(res) == (3, 4)
    assert kinds_between(mock_compiled, res, 3, 4) == kind


def test_connector_shortcut_vs_greenway(mock_compiled: CompiledNetwork) -> None:
    assert nodes(go(mock_compiled, N2, N3)) == (2, 6, 3)
    fastest = go(mock_compiled, N2, N3, prefer=0)
    assert nodes(fastest) == (2, 3)
    assert fastest.best.cost == pytest.approx(1000 / tobler_ms(0))
    assert nodes(go(mock_compiled, N2, N3, prefer=0, avoid=("connector",))) == (2, 6, 3)


def test_planned_section(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, N1, N2)
    assert nodes(res) == (1, 2)
    assert res.best.cost == pytest.approx(1.2 * 1000 / tobler_ms(0))
    assert res.best.planned_km == pytest.approx(1.0)
    assert any("1 km de tronçons en projet" in w for w in res.best.warnings)
    assert nodes(go(mock_compiled, N1, N2, avoid=("planned",))) == (1, 15, 2)


def test_max_grade(mock_compiled: CompiledNetwork) -> None:
    assert nodes(go(mock_compiled, N2, N5)) == (2, 6, 3, 4, 5)
    assert nodes(go(mock_compiled, N2, N5, max_grade=6)) == (2, 6, 3, 4, 12, 5)
    assert nodes(go(mock_compiled, N2, N5, max_grade=1)) == (2, 6, 3, 4, 13, 5)
    with pytest.raises(ConstraintError, match="pente maximale 2 %"):
        go(mock_compiled, N2, N14, max_grade=2)  # 5 -> 14 climbs at 2.4 %


def test_max_climb_differs_from_fastest(mock_compiled: CompiledNetwork) -> None:
    assert go(mock_compiled, N2, N5).best.climb_m == pytest.approx(40)
    assert nodes(go(mock_compiled, N2, N5, max_climb=45)) == (2, 6, 3, 4, 5)
    medium = go(mock_compiled, N2, N5, max_climb=15)
    assert nodes(medium) == (2, 6, 3, 4, 12, 5)  # neither the fastest nor the least climbing
    assert medium.best.climb_m == pytest.approx(10)
    assert nodes(go(mock_compiled, N2, N5, max_climb=9.9)) == (2, 6, 3, 4, 13, 5)
    assert nodes(go(mock_compiled, N2, N5, max_climb=0)) == (2, 6, 3, 4, 13, 5)


def test_max_climb_infeasible_gives_the_least_climb(mock_compiled: CompiledNetwork) -> None:
    with pytest.raises(ConstraintError) as exc:
        go(mock_compiled, N2, N14, max_climb=5)
    msg = str(exc.value)
    assert msg == "aucun itinéraire sous 5 m de dénivelé positif ; l'itinéraire le moins montant en demande 12 m"


def test_via_ordering(mock_compiled: CompiledNetwork) -> None:
    on_the_way = go(mock_compiled, N1, N14, via=(N3, N5))
    assert nodes(on_the_way) == (1, 2, 6, 3, 4, 5, 14)
    back = go(mock_compiled, N1, N14, via=(N5, N3))
    assert nodes(back) == (1, 2, 6, 3, 4, 5, 4, 3, 4, 5, 14)
    stops = back.best.stops
    assert [s["label"] for s in stops] == [p["label"] for p in back.places["via"]]
    assert stops[0]["distance_along_m"] == pytest.approx(1000 + 2 * D26 + 500 + 1000, abs=0.1)
    assert stops[1]["distance_along_m"] == pytest.approx(1000 + 2 * D26 + 3000, abs=0.1)


def test_stop_at_poi(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, N2, N5, stop_at=("bike_rental:B2",))
    assert nodes(res)[:3] == (2, 15, 2)
    with pytest.raises(UnknownPlaceError, match="point d'intérêt"):
        go(mock_compiled, N2, N5, stop_at=("Lens",))


def test_via_category_picks_the_best_poi(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, N2, N5, via_category="bike_rental")
    assert nodes(res) == (2, 6, 3, 4, 12, 5)  # B1 at node 12: cheaper detour than B2 (node 15)
    assert res.best.stops[0]["id"] == "bike_rental:B1"
    res = go(mock_compiled, N1, N2, via_category="bike_rental")
    assert 15 in nodes(res) and res.best.stops[0]["id"] == "bike_rental:B2"
    with pytest.raises(NoRouteError, match="point de vue"):
        go(mock_compiled, N2, N3, via_category="viewpoint", avoid=("eurovelo",))


def test_along_lists_pois_with_distances(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, N2, N5, along=(("terril", 200.0),))
    got = {p["id"]: p for p in res.best.pois_along}
    assert set(got) == {"terril:T001", "terril:T002"}
    assert got["terril:T001"]["distance_from_route_m"] == pytest.approx(150.0)
    assert got["terril:T001"]["distance_along_m"] == pytest.approx(2 * D26 + 200, abs=0.1)
    assert got["terril:T002"]["distance_from_route_m"] == pytest.approx(130.0)
    assert got["terril:T002"]["distance_along_m"] == pytest.approx(2 * D26 + 1000, abs=0.1)
    assert [p["id"] for p in res.best.pois_along] == ["terril:T001", "terril:T002"]
    wide = go(mock_compiled, N2, N5, along=("terril:1100", "heritage:50"))
    assert {p["id"] for p in wide.best.pois_along} == {"terril:T001", "terril:T002", "terril:T003", "heritage:H1"}


def _ways(cn: CompiledNetwork, it: Any) -> dict[int, float]:
    return {int(cn.edge_way[e]): float(cn.edge_length[e]) for e in it.edge_ids}


def test_alternatives_are_different_and_reasonable(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    res = go(cn, "parc-ouest", "parc-est", alternatives=3)
    its = res.itineraries
    assert 2 <= len(its) <= 3
    assert nodes(res) == (15, 2, 6, 3, 4, 5)
    best = its[0]
    for i, a in enumerate(its):
        assert a.cost <= 1.5 * best.cost + 1e-9
        assert a.cost >= best.cost - 1e-9
        for b in its[:i]:
            wa, wb = _ways(cn, a), _ways(cn, b)
            shared = sum(length for w, length in wa.items() if w in wb)
            assert shared <= 0.8 * a.distance_m
    assert len({tuple(a.edge_ids) for a in its}) == len(its)


def test_alternatives_fewer_when_none(mock_compiled: CompiledNetwork) -> None:
    res = go(mock_compiled, N5, N14, alternatives=MAX_ALTERNATIVES)  # a single way
    assert len(res.itineraries) == 1


def test_unreachable_and_errors(mock_compiled: CompiledNetwork) -> None:
    with pytest.raises(NoRouteError, match="ne sont pas reliés"):
        go(mock_compiled, "parc-ouest", "parc-isole")
    with pytest.raises(InvalidRequestError, match="identiques"):
        go(mock_compiled, "parc-est", N5)
    with pytest.raises(InvalidRequestError, match="identiques"):
        go(mock_compiled, mock_lonlat(300, 5), mock_lonlat(300, -5))  # one point of the connector W3
    # 300 m from node 2 along W3 is another point of the network (coordinates snap onto ways)
    assert go(mock_compiled, N2, mock_lonlat(300, 5)).best.distance_m == pytest.approx(300.0, abs=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [{"profile": "car"}, {"alternatives": 0}, {"alternatives": 6}, {"alternatives": 2.5},
     {"alternatives": True}, {"max_climb": -1}, {"max_grade": float("nan")}, {"prefer": -1},
     {"avoid": ("motorway",)}, {"via_category": "pub"}, {"along": (("terril", -5),)},
     {"along": ("volcano",)}, {"origin": ""}, {"origin": (float("nan"), 2.8)}, {"max_snap_m": 0}],
)
def test_request_validation(kwargs: dict[str, Any]) -> None:
    base: dict[str, Any] = {"origin": "Lens", "destination": "Liévin"}
    base.update(kwargs)
    with pytest.raises(InvalidRequestError):
        RouteRequest(**base)


def test_request_normalises() -> None:
    req = RouteRequest("Lens", "Liévin", via="parc-est", avoid=["unpaved", "connector"], along={"terril": 300})
    assert req.via == ("parc-est",) and req.avoid == ("connector", "unpaved")
    assert req.along == (("terril", 300.0),)
    assert req.cost_options() == CostOptions("walk", avoid=("connector", "unpaved"))
    assert RouteRequest("Lens", "Liévin", via=(50.4, 2.8)).via == ((50.4, 2.8),)
    assert RouteRequest("a", "b").to_dict()["origin"] == "a"


@pytest.mark.parametrize("profile", ["walk", "bike", "family"])
@pytest.mark.parametrize("prefer", [0.0, 1.0, 2.5])
def test_costs_equal_networkx(mock_compiled: CompiledNetwork, profile: str, prefer: float) -> None:
    cn = mock_compiled
    costs = edge_costs(cn, CostOptions(profile, prefer=prefer))
    g = nx.DiGraph()
    for e in range(cn.n_edges):
        u, v, c = int(cn.edge_u[e]), int(cn.edge_v[e]), float(costs[e])
        if np.isfinite(c) and (not g.has_edge(u, v) or g[u][v]["w"] > c):
            g.add_edge(u, v, w=c)
    main = [int(i) for i in np.flatnonzero(cn.node_comp == cn.main_component)]
    for a in main:
        for b in main:
            if a == b:
                continue
            res = route(cn, RouteRequest((float(cn.node_lat[a]), float(cn.node_lon[a])),
                                         (float(cn.node_lat[b]), float(cn.node_lon[b])), profile=profile, prefer=prefer))
            assert res.best.cost == pytest.approx(nx.dijkstra_path_length(g, a, b, weight="w"), rel=1e-12)

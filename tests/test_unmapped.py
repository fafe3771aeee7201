"""Unmapped links: placement rule on synthetic networks, calibration table, validation on real OSM."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from parcs._errors import DataError
from parcs.unmapped.calibration import Band, Calibration, load_calibration, to_toml
from parcs.unmapped.network import from_lines
from parcs.unmapped.osmfile import is_greenway_like, read_osm_network, sample_path
from parcs.unmapped.placement import PlacementRule, place_links
from parcs.unmapped.validate import validate


def _u_shape(gap: float = 200.0, arm: float = 3000.0) -> list[shapely.LineString]:
    """Two parallel greenways ``gap`` apart, joined only at their far end (a U)."""
    return [shapely.LineString([(0, 0), (arm, 0), (arm, gap), (0, gap)])]


def test_links_cross_the_u_with_updates_and_sectors() -> None:
    net = from_lines(_u_shape(), [True], step_m=50.0)
    rule = PlacementRule()
    links = place_links(net, rule=rule)
    assert len(links) >= 2
    assert np.allclose(links.straight, 200.0, atol=1.0)  # straight across, shortest first
    assert np.all(np.isfinite(links.network_m)) and np.all(links.network_m > rule.need(links.straight))
    # with the updates, links are spaced: a pair the previous links serve is not linked again
    xs = np.sort(net.xy[links.a, 0])
    assert np.diff(xs).min() >= 150.0  # nodes are 50 m apart: without updates, every node pair
    # one link per sector per node
    ends = np.r_[links.a, links.b]
    assert len(np.unique(ends)) == len(ends)
    # without updates the U would get one link per node pair all along the arms
    assert len(links) < 3000 / 50 / 2


def test_near_points_get_no_link_and_cap_holds() -> None:
    net = from_lines([shapely.LineString([(0, 0), (150, 0), (150, 200), (0, 200)])], [True], step_m=50.0)
    assert len(place_links(net, rule=PlacementRule())) == 0  # 500 m around for 200 m: not far
    big = from_lines(_u_shape(), [True], step_m=50.0)
    capped = place_links(big, rule=PlacementRule(max_share=0.02))
    assert capped.total_m <= 0.02 * big.length.sum() + 1e-6


def test_pieces_apart_are_joined() -> None:
    net = from_lines([shapely.LineString([(0, 0), (1000, 0)]), shapely.LineString([(0, 150), (1000, 150)])],
                     [True, True], step_m=100.0)
    links = place_links(net, rule=PlacementRule())
    assert len(links) >= 1 and links.joins.all()


def test_calibration_caps_by_network_distance_and_round_trips(tmp_path: Path) -> None:
    cal = Calibration((Band(False, 100.0, 2.0, 4.0, 10.0), Band(False, 1e9, 1.5, 3.0, 8.0),
                       Band(True, 1e9, 1.0, 2.0, 6.0)), 0.8, 1.3)
    lo, mid, hi = cal.estimate(np.array([50.0, 300.0, 300.0]), network_m=np.array([180.0, 10000.0, np.inf]))
    assert list(lo) == [100.0, 450.0, 300.0]
    assert list(mid) == [180.0, 900.0, 600.0]  # the greenway detour caps the streets
    assert list(hi) == [180.0, 2400.0, 1800.0]
    assert cal.route_range(1000.0, 950.0, 1100.0) == (800.0, 1300.0)
    path = tmp_path / "u.toml"
    path.write_text(to_toml(cal, header="test"), encoding="utf-8")
    again = load_calibration(path)
    assert to_toml(again, header="") == to_toml(cal, header="")
    path.write_text("[[band]]\nupto_m = 'x'\n", encoding="utf-8")
    with pytest.raises(DataError, match="illisible"):
        load_calibration(path)


def test_committed_calibration_is_sane() -> None:
    cal = load_calibration()
    assert {b.joins for b in cal.bands} == {False, True}
    for b in cal.bands:
        assert 1.0 <= b.p10 <= b.p50 <= b.p90 and b.n >= 5
    assert cal.route_low <= 1.0 <= cal.route_high


def test_sidewalks_are_streets() -> None:
    assert is_greenway_like({"highway": "path"})
    assert not is_greenway_like({"highway": "footway", "footway": "sidewalk"})
    assert not is_greenway_like({"highway": "service"})


@pytest.mark.realdata
@pytest.mark.parametrize(("name", "max_error"), [("helsinki", 0.35), ("krems", 0.20), ("andorra", 0.15)])
def test_links_on_real_osm_networks(name: str, max_error: float, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A seeded slice of ``bench_unmapped``: loose bounds on error and on the range's coverage."""
    net, _ = read_osm_network(sample_path(name, dest_dir=tmp_path_factory.mktemp("samples")))
    result = validate(net, calibration=load_calibration(), pairs=60, seed=3)
    s = result.summary()
    assert s["links_share"] <= 0.25 + 1e-9
    assert s["pairs_on_links"] > 0.3  # the links matter: most routes use one
    assert s["median_abs_error"] <= max_error
    assert s["coverage"] >= 0.55
    assert np.all(result.low_m <= result.estimate_m + 1e-6) and np.all(result.estimate_m <= result.high_m + 1e-6)


@pytest.mark.realdata
def test_artois_long_detours_get_a_direct_option_or_a_sentence() -> None:
    """Seeded slice of ``bench_unmapped``'s Artois part (issue 13, part 4)."""
    from routing import load_compiled
    from routing.coverage import coverage_rows, seeded_pairs
    from routing.direct import OFFER_RATIO

    cn = load_compiled()
    pairs = seeded_pairs(cn, n=40, seed=13)
    assert len(pairs) == 40
    rows = coverage_rows(cn, pairs, profile="bike")
    long = [r for r in rows if r["green_detour"] > 2.0]
    assert long  # the network really makes long detours
    for r in long:
        assert r["offered"] or r["sentence"].startswith("pas d'option plus directe")
    for r in rows:
        if r["offered"]:
            assert r["green_detour"] > OFFER_RATIO * r["direct_detour"] - 1e-9
            assert 0 < r["direct_unmapped_share"] <= 1
            assert re.fullmatch(r"[\d,]+ k?m (tout en voie verte|par les voies vertes), ou environ [\d,]+ k?m "
                                r"\([\d,]+( k?m)? à [\d,]+ k?m\) dont [\d,]+ k?m de liaisons non cartographiées",
                                r["sentence"]), r["sentence"]


@pytest.mark.realdata
def test_artois_direct_option_directions_gpx_and_range() -> None:
    from routing import load_compiled, to_gpx
    from routing.coverage import coverage_rows, seeded_pairs
    from routing.engine import route
    from routing.request import RouteRequest

    cn = load_compiled()
    pairs = seeded_pairs(cn, n=60, seed=13)
    offered = [p for p, r in zip(pairs, coverage_rows(cn, pairs), strict=True) if r["offered"]]
    assert offered
    a, b = offered[0]
    res = route(cn, RouteRequest(f"{cn.node_lat[a]:.7f},{cn.node_lon[a]:.7f}",
                                 f"{cn.node_lat[b]:.7f},{cn.node_lon[b]:.7f}", profile="bike"))
    d = res.direct
    assert d is not None and d.unmapped_km > 0
    assert d.distance_low_m <= d.distance_m <= d.distance_high_m
    steps = [s.instruction for s in d.directions if s.kind == "unmapped"]
    assert steps and all("à vol d'oiseau, par les rues : tracé non cartographié" in s for s in steps)
    assert any("canal, une voie ferrée ou une autoroute" in w for w in d.warnings)
    assert "unmapped" in to_gpx([d])
    # streets=none: no direct option, and the sentence says why when the detour is long
    res_none = route(cn, RouteRequest(res.request.origin, res.request.destination, profile="bike", streets="none"))
    assert res_none.direct is None
    assert res_none.best.edge_ids == res.best.edge_ids


@pytest.mark.realdata
def test_planner_page_and_api_show_the_direct_option() -> None:
    from openapi_schema_validator import OAS31Validator

    from routing import load_compiled
    from routing.coverage import coverage_rows, seeded_pairs
    from webapp import create_app

    cn = load_compiled()
    pairs = seeded_pairs(cn, n=60, seed=13)
    a, b = next(p for p, r in zip(pairs, coverage_rows(cn, pairs), strict=True) if r["offered"])
    query = {"from": f"{cn.node_lat[a]:.7f},{cn.node_lon[a]:.7f}", "to": f"{cn.node_lat[b]:.7f},{cn.node_lon[b]:.7f}",
             "profile": "bike"}
    client = create_app({"TESTING": True, "NETWORK": cn}).test_client()
    html = client.get("/", query_string=query).get_data(as_text=True)
    assert 'id="comparison"' in html and "de liaisons non cartographiées" in html
    assert 'id="direct"' in html and "tracé non cartographié" in html
    doc = client.get("/api/openapi.json").get_json()
    body = client.get("/api/route", query_string=query).get_json()
    schema = doc["paths"]["/api/route"]["get"]["responses"]["200"]["content"]["application/geo+json"]["schema"]
    OAS31Validator({**schema, "components": doc["components"]}).validate(body)
    assert body["direct"]["properties"]["option"] == "direct" and body["comparison"]
    assert body["direct"]["properties"]["unmapped_km"] > 0
    gpx = client.get("/api/route.gpx", query_string=query).get_data(as_text=True)
    assert gpx.count("<trk>") == 2 and "<type>unmapped</type>" in gpx


# -- the direct option on a synthetic network (the mock network plus a detour and a link) ---------


def _linked_mock() -> Any:
    """The mock network with nodes 30 (-1000, 1000), 31 (-600, 1000), 32 (-600, 1300): paths
    30–1 and 31–15 make 30 → 31 a 2.2 km detour for 400 m; unmapped links 30–31 (estimate 2×,
    range 1×–4×) and 31–32 (32 is reached by a link only)."""
    from conftest import X0, Y0, make_mock_network
    from pyproj import Transformer
    from shapely.geometry import LineString

    net = make_mock_network()
    g = net.graph
    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    for n, (dx, dy) in {30: (-1000, 1000), 31: (-600, 1000), 32: (-600, 1300)}.items():
        lon, lat = to_wgs.transform(X0 + dx, Y0 + dy)
        g.add_node(n, x=X0 + dx, y=Y0 + dy, lon=lon, lat=lat, elevation=30.0)

    def way(osmid: int, u: int, v: int, kind: str, name: str, factor: float = 1.0) -> None:
        for a, b, rev in ((u, v, False), (v, u, True)):
            line = LineString([(g.nodes[a]["x"], g.nodes[a]["y"]), (g.nodes[b]["x"], g.nodes[b]["y"])])
            attrs: dict[str, Any] = {
                "osmid": osmid, "reversed": rev, "length": line.length * factor, "kind": kind, "name": name,
                "surface": "unknown" if kind == "unmapped" else "compacted", "status": "unknown",
                "source": "test", "route_refs": "", "geometry": line, "elevations": (30.0, 30.0),
                "climb": 0.0, "descent": 0.0, "grade_up": 0.0, "grade_down": 0.0, "grade": 0.0,
            }
            if kind == "unmapped":
                attrs.update(straight_m=line.length, length_low=line.length, length_high=4 * line.length)
            g.add_edge(a, b, **attrs)

    way(30, 30, 1, "path", "Sentier nord")
    way(31, 31, 15, "path", "Sentier est")
    way(32, 30, 31, "unmapped", "", factor=2.0)
    way(33, 31, 32, "unmapped", "", factor=2.0)
    return net


@pytest.fixture(scope="module")
def linked() -> Any:
    from routing.compiled import compile_network

    return compile_network(_linked_mock())


def _at(cn: Any, node: int) -> str:
    i = cn.node_index(node)
    return f"{cn.node_lat[i]:.7f},{cn.node_lon[i]:.7f}"


def test_direct_option_offered_with_its_sentence(linked: Any) -> None:
    from routing.engine import route
    from routing.request import RouteRequest

    res = route(linked, RouteRequest(_at(linked, 30), _at(linked, 31)))
    green, direct = res.best, res.direct
    assert "unmapped" not in green.km_by_kind and green.unmapped_km == 0
    assert green.crow_m == pytest.approx(400.0)
    assert green.detour_factor is not None and green.detour_factor > 5
    assert green.detour_factor == pytest.approx(green.distance_m / 400.0)
    assert any("fois la distance à vol d'oiseau" in w for w in green.warnings)
    assert direct is not None
    assert direct.distance_m == pytest.approx(800.0) and direct.unmapped_km == pytest.approx(0.8)
    assert (direct.distance_low_m, direct.distance_high_m) == pytest.approx((400.0, 1600.0))
    assert res.comparison == ("2,2 km tout en voie verte, ou environ 800 m (400 m à 1,6 km) "
                              "dont 800 m de liaisons non cartographiées")
    assert direct.directions[0].instruction == (
        "Rejoindre l'arrivée, à 400 m à vol d'oiseau, par les rues : tracé non cartographié")
    assert direct.unmapped_sections == ((0, 1),)
    assert any("canal, une voie ferrée ou une autoroute" in w for w in direct.warnings)
    body = res.to_dict()
    assert body["direct"]["distance_range_m"] == [400.0, 1600.0] and body["comparison"] == res.comparison


def test_streets_none_and_max_estimated(linked: Any) -> None:
    from routing.engine import route
    from routing.request import RouteRequest

    none = route(linked, RouteRequest(_at(linked, 30), _at(linked, 31), streets="none"))
    assert none.direct is None and "streets=none" in none.comparison
    capped = route(linked, RouteRequest(_at(linked, 30), _at(linked, 31), max_estimated_m=100))
    assert capped.direct is None and "max_estimated_m" in capped.comparison
    # 32 is reached by an unmapped link only: without links, snapping (issue 12) moves the start onto
    # the nearest way from which the trip is possible, and reports how far it moved it
    moved = route(linked, RouteRequest(_at(linked, 32), _at(linked, 15), streets="none"))
    assert moved.best.unmapped_km == 0 and moved.places["origin"]["snap_m"] > 0
    # with links allowed the start is snapped the same way: onto the nearest mapped way, not the link
    only = route(linked, RouteRequest(_at(linked, 32), _at(linked, 15)))
    assert only.places["origin"]["snap_m"] == pytest.approx(moved.places["origin"]["snap_m"])
    assert only.best.distance_m == pytest.approx(moved.best.distance_m)


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), 1e9, "beaucoup", True])
def test_bad_max_estimated_is_refused_in_french(value: Any) -> None:
    from parcs._errors import InvalidRequestError
    from routing.request import RouteRequest

    with pytest.raises(InvalidRequestError, match=r"^max_estimated_m : (doit être compris entre 0 et 50000|.* n'est pas un nombre)"):
        RouteRequest("a", "b", max_estimated_m=value)
    with pytest.raises(InvalidRequestError, match=r"^streets : choix inconnu 'parfois'"):
        RouteRequest("a", "b", streets="parfois")


@pytest.mark.parametrize("query", ["max_estimated_m=-1", "max_estimated_m=nan", "max_estimated_m=1e12", "streets=parfois"])
def test_bad_options_give_400_json_and_exit_2(query: str, mock_build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parcs_cli.main import main
    from webapp import create_app

    client = create_app({"TESTING": True, "BUILD_DIR": mock_build_dir}).test_client()
    response = client.get(f"/api/route?from=parc-ouest&to=parc-est&{query}")
    body = response.get_json()
    assert response.status_code == 400 and body["error"] and body["detail"].split(" : ")[0] in query
    name, _, value = query.partition("=")
    rc = main(["route", "--from", "parc-ouest", "--to", "parc-est", f"--{name.replace('_', '-')}", value,
               "--build", str(mock_build_dir)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and name in err and "Traceback" not in err


def test_streets_options_round_trip() -> None:
    from routing.params import parse_route_params
    from routing.request import RouteRequest

    req = RouteRequest("a", "b", streets="none", max_estimated_m=1500)
    assert ("streets", "none") in req.to_params() and ("max_estimated_m", "1500") in req.to_params()
    again = parse_route_params({k: [v] for k, v in req.to_params()})
    assert (again.streets, again.max_estimated_m) == ("none", 1500.0)


def test_loop_names() -> None:
    from routing.loops.naming import loop_kind, loop_noun

    assert [loop_kind(x) for x in (0.0, 0.25, 0.26, 0.84, 0.85, 1.0)] == [
        "loop", "loop", "lollipop", "lollipop", "out_and_back", "out_and_back"]
    assert loop_noun(0.44) == "boucle en raquette (44 % parcourus deux fois)"


def test_planner_form_keeps_the_streets_options(mock_build_dir: Path) -> None:
    from webapp import create_app

    client = create_app({"TESTING": True, "BUILD_DIR": mock_build_dir}).test_client()
    html = client.get("/?from=parc-ouest&to=parc-est&streets=none&max_estimated_m=300").get_data(as_text=True)
    assert '<option value="none" selected>' in html and 'name="max_estimated_m"' in html and 'value="300"' in html
    bad = client.get("/?from=parc-ouest&to=parc-est&max_estimated_m=-3")
    assert bad.status_code == 400 and "max_estimated_m" in bad.get_data(as_text=True)

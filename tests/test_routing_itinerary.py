"""Itinerary figures, profile, directions and warnings on the mock network; GeoJSON and GPX."""

from __future__ import annotations

import json
import math

import gpxpy
import numpy as np
import pytest
from conftest import mock_lonlat

from parcs._errors import InvalidRequestError
from routing import CompiledNetwork, RouteRequest, build_itinerary, route, to_geojson, to_gpx
from routing.fmt import fr_distance

N1, N2, N5 = mock_lonlat(-1000, 0), mock_lonlat(0, 0), mock_lonlat(2500, 0)
D26 = math.hypot(500, 250)


@pytest.fixture(scope="module")
def hill(mock_compiled: CompiledNetwork):  # type: ignore[no-untyped-def]
    """Walk from 2 to 5 over the hill, with terrils along."""
    return route(mock_compiled, RouteRequest(N2, N5, along=(("terril", 200.0),))).best


def test_figures(mock_compiled: CompiledNetwork, hill) -> None:  # type: ignore[no-untyped-def]
    cn = mock_compiled
    e = np.asarray(hill.edge_ids)
    assert hill.distance_m == pytest.approx(2 * D26 + 500 + 1000)
    assert hill.distance_m == pytest.approx(cn.edge_length[e].sum())
    assert hill.climb_m == pytest.approx(40.0) and hill.descent_m == pytest.approx(40.0)
    assert hill.max_grade == pytest.approx(8.0)
    assert sum(hill.km_by_kind.values()) == pytest.approx(hill.distance_m / 1000)
    assert hill.km_by_kind["cavalier"] == pytest.approx(1.0)
    assert hill.km_by_surface == pytest.approx({"paved": 2 * D26 / 1000, "unpaved": 0.5, "compacted": 1.0})
    assert hill.greenway_share == pytest.approx(1.0) and hill.connector_km == 0.0
    assert [p["id"] for p in hill.parks_crossed] == ["parc-centre"]
    assert hill.node_ids == (2, 6, 3, 4, 5)
    assert hill.request["origin"] == list(N2)


def test_elevation_profile(hill) -> None:  # type: ignore[no-untyped-def]
    prof = np.asarray(hill.elevation_profile)
    assert prof[0].tolist() == pytest.approx([0.0, 30.0])
    assert prof[-1].tolist() == pytest.approx([hill.distance_m, 30.0])
    assert np.all(np.diff(prof[:, 0]) > 0) and np.diff(prof[:, 0]).max() <= 30.0
    assert prof[:, 1].max() == pytest.approx(70.0)
    i = int(prof[:, 1].argmax())
    assert prof[i, 0] == pytest.approx(2 * D26 + 500 + 500)


def test_geometry(mock_compiled: CompiledNetwork, hill) -> None:  # type: ignore[no-untyped-def]
    cn = mock_compiled
    assert hill.geometry[0] == pytest.approx((cn.node_lon[cn.node_index(2)], cn.node_lat[cn.node_index(2)]))
    assert hill.geometry[-1] == pytest.approx((cn.node_lon[cn.node_index(5)], cn.node_lat[cn.node_index(5)]))
    assert len(hill.geometry) == len(hill.geometry_ele) == 5  # straight edges, junctions once
    assert all(z == pytest.approx(30.0) for z in hill.geometry_ele)


def test_directions(hill) -> None:  # type: ignore[no-untyped-def]
    steps = hill.directions
    assert [s.name for s in steps] == ["Véloroute du bassin minier", "Voie verte des Berges", "Cavalier du 11/19"]
    assert steps[0].instruction == "Suivre la Véloroute du bassin minier sur 1,1 km"
    assert steps[1].turn == "tourner légèrement à gauche"  # 6 -> 3 heads south-east, 3 -> 4 east
    assert steps[1].instruction == "Tourner légèrement à gauche sur la Voie verte des Berges pendant 500 m"
    assert steps[2].turn == "continuer tout droit"
    assert steps[2].start_m == pytest.approx(2 * D26 + 500)
    assert hill.directions_text.startswith("Suivre la Véloroute du bassin minier sur 1,1 km, puis tourner")
    assert hill.directions_text.endswith("pendant 1 km.")


def test_connector_and_turns(mock_compiled: CompiledNetwork) -> None:
    it = route(mock_compiled, RouteRequest(mock_lonlat(-500, 400), mock_lonlat(1000, 0), prefer=0)).best
    assert it.node_ids == (15, 2, 3)
    assert it.directions[1].instruction == "Tourner légèrement à gauche et prendre la liaison non aménagée (rue ou chemin) sur 1 km"
    assert it.connector_km == pytest.approx(1.0)
    assert it.greenway_share == pytest.approx(640.31 / 1640.31, rel=1e-4)
    assert any("liaisons non aménagées" in w for w in it.warnings)
    back = route(mock_compiled, RouteRequest(mock_lonlat(1000, 0), mock_lonlat(0, 0), prefer=0)).best
    assert back.node_ids == (3, 2)
    right = route(mock_compiled, RouteRequest(mock_lonlat(1500, 0), mock_lonlat(2000, -300))).best
    assert right.node_ids == (4, 12)
    up = route(mock_compiled, RouteRequest(mock_lonlat(2000, -800), mock_lonlat(2000, -300), via=(mock_lonlat(1500, 0),))).best
    assert [s.turn for s in up.directions][1] == "faire demi-tour"  # 13 -> 4 then back towards 12


def test_warnings_planned(mock_compiled: CompiledNetwork) -> None:
    it = route(mock_compiled, RouteRequest(N1, N2)).best
    assert "l'itinéraire emprunte 1 km de tronçons en projet (peut-être pas encore aménagés)" in it.warnings
    bike = route(mock_compiled, RouteRequest(N2, N5, profile="bike")).best
    assert any("non revêtus" in w for w in bike.warnings)


def test_to_dict_is_json(hill) -> None:  # type: ignore[no-untyped-def]
    d = hill.to_dict()
    text = json.dumps(d, ensure_ascii=False)
    back = json.loads(text)
    assert back["distance_m"] == round(hill.distance_m, 1)
    assert back["pois_along"][0]["id"] == "terril:T001"
    assert len(back["geometry"]) == len(hill.geometry)
    assert back["directions"][0]["instruction"].startswith("Suivre")


def test_build_itinerary_directly(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    i1, i2 = cn.node_index(1), cn.node_index(2)
    out = int(np.flatnonzero((cn.edge_u == i1) & (cn.edge_v == i2))[0])
    back = int(np.flatnonzero((cn.edge_u == i2) & (cn.edge_v == i1))[0])
    loop = [out, back] * 15  # 30 km out and back: more than 500 profile samples
    it = build_itinerary(cn, loop, profile="bike")
    assert it.distance_m == pytest.approx(30000)
    assert len(it.elevation_profile) <= 500
    assert it.elevation_profile[-1][0] == pytest.approx(30000)
    assert it.node_ids[0] == it.node_ids[-1] == 1
    with pytest.raises(InvalidRequestError, match="do not form a path"):
        build_itinerary(cn, [out, out])
    with pytest.raises(InvalidRequestError):
        build_itinerary(cn, [])


def test_geojson(hill) -> None:  # type: ignore[no-untyped-def]
    feat = to_geojson(hill)
    assert feat["type"] == "Feature" and feat["geometry"]["type"] == "LineString"
    coords = feat["geometry"]["coordinates"]
    assert len(coords) == len(hill.geometry) and all(len(c) == 3 for c in coords)
    assert coords[0][:2] == pytest.approx(list(hill.geometry[0]), abs=1e-6)
    assert feat["properties"]["distance_m"] == pytest.approx(hill.distance_m, abs=0.1)
    assert "geometry" not in feat["properties"]
    json.dumps(feat)


def test_gpx_round_trip(mock_compiled: CompiledNetwork) -> None:
    res = route(mock_compiled, RouteRequest("parc-ouest", "parc-est", alternatives=2, along=("terril",)))
    text = to_gpx(res.itineraries)
    gpx = gpxpy.parse(text)
    assert 'version="1.1"' in text
    assert len(gpx.tracks) == len(res.itineraries) == 2
    pts = gpx.tracks[0].segments[0].points
    assert len(pts) == len(res.best.geometry)
    assert all(p.elevation is not None for p in pts)
    assert pts[0].longitude == pytest.approx(res.best.geometry[0][0])
    assert gpx.tracks[0].length_2d() == pytest.approx(res.best.distance_m, rel=0.01)
    assert {w.name for w in gpx.waypoints} == {"Terril des Berges", "Terril du Cavalier"}
    assert gpx.tracks[0].name.endswith("variante 1")
    single = gpxpy.parse(to_gpx(res.best))
    assert len(single.tracks) == 1 and fr_distance(1000).endswith("km")

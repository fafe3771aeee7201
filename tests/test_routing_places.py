"""Place resolution on the mock network: every accepted form and every error."""

from __future__ import annotations

import pytest
import shapely
from conftest import X0, Y0, mock_lonlat
from shapely.geometry import Point

from parcs._errors import InvalidRequestError, OutOfAreaError, UnknownPlaceError
from routing import CompiledNetwork, resolve_place
from routing.fmt import fr_distance


def test_coordinates_text_and_tuple(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    lat, lon = mock_lonlat(2490, 30)
    for spec in (f"{lat},{lon}", f"{lat}; {lon}", f" {lat} {lon} ", (lat, lon)):
        place = resolve_place(cn, spec)
        assert place.kind == "coordinates"
        assert place.node == cn.node_index(5)  # the nearer end of the way it is snapped onto
        # onto the cavalier W6 (4 -> 5) at (2490, 0), 30 m away, not onto node 5 (31.6 m away)
        assert place.snap_m == pytest.approx(30.0, abs=0.01)
        a = place.anchor
        assert a is not None
        ends = {int(cn.node_id[cn.edge_u[a.edge]]), int(cn.node_id[cn.edge_v[a.edge]])}
        assert ends == {4, 5}
        from_4 = a.d if int(cn.node_id[cn.edge_u[a.edge]]) == 4 else a.length - a.d
        assert from_4 == pytest.approx(990.0, abs=0.01)


def test_park_poi_commune(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    park = resolve_place(cn, "parc-est")
    assert park.kind == "park" and park.label == "Parc de l'Est"
    assert park.node == cn.node_index(5)
    assert park.candidates == (cn.node_index(5), cn.node_index(14))
    assert resolve_place(cn, "PARC-EST").id == "parc-est"
    poi = resolve_place(cn, "terril:T001")
    assert poi.kind == "poi" and poi.node == cn.node_index(3)
    # T001 (1200, 150) is 250 m from its node 3 but 150 m from the voie verte W5a (3 -> 4), at (1200, 0)
    assert poi.snap_m == pytest.approx(150.0) and poi.anchor is not None
    assert (poi.anchor.x - X0, poi.anchor.y - Y0) == pytest.approx((1200.0, 0.0))
    for text in ("Lens", "lens", " LENS "):
        assert resolve_place(cn, text).label == "Lens"
    for text in ("noeux-les-mines", "Noeux les Mines", "NŒUX-LES-MINES"):
        commune = resolve_place(cn, text)
        assert commune.kind == "commune" and commune.label == "Nœux-les-Mines"
        assert commune.node == cn.node_index(13)
    assert resolve_place(cn, "lievin").id == "62510"
    assert resolve_place(cn, "Parc de l'Ouest").id == "parc-ouest"  # park by name
    assert resolve_place(cn, "belvédère").id == "viewpoint:V1"  # unique POI name


def test_unknown_place_suggests(mock_compiled: CompiledNetwork) -> None:
    with pytest.raises(UnknownPlaceError, match="Lens") as exc:
        resolve_place(mock_compiled, "Lenss")
    assert "\n" not in str(exc.value)
    with pytest.raises(UnknownPlaceError, match="parc-est"):
        resolve_place(mock_compiled, "parc-ets")
    with pytest.raises(UnknownPlaceError, match="lat,lon"):
        resolve_place(mock_compiled, "zzzzzzzzz")


@pytest.mark.parametrize(
    "spec", ["nan,2.8", "50.4,inf", (float("nan"), 2.8), (50.4, float("inf")), "91,2.8", "", "  ", 12]
)
def test_malformed(mock_compiled: CompiledNetwork, spec: object) -> None:
    with pytest.raises(InvalidRequestError):
        resolve_place(mock_compiled, spec)


def test_outside_perimeter_says_how_far(mock_compiled: CompiledNetwork) -> None:
    lat, lon = mock_lonlat(0, -5000)  # perimeter ends at y = -3500
    with pytest.raises(OutOfAreaError, match="hors du périmètre") as exc:
        resolve_place(mock_compiled, (lat, lon))
    assert "1,5 km" in str(exc.value)
    lat, lon = mock_lonlat(1000, 0)
    with pytest.raises(OutOfAreaError, match="inversées"):
        resolve_place(mock_compiled, (lon, lat))


def test_far_from_network_says_how_far(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    lat, lon = mock_lonlat(0, -3000)
    lines = [shapely.linestrings(list(zip(cn.geom_x[cn.edge_slice(e)], cn.geom_y[cn.edge_slice(e)], strict=True)))
             for e in range(cn.n_edges)]
    expected = min(line.distance(Point(X0, Y0 - 3000)) for line in lines)
    with pytest.raises(OutOfAreaError, match="du réseau") as exc:
        resolve_place(cn, (lat, lon))
    assert fr_distance(expected) in str(exc.value)
    assert fr_distance(expected).endswith("km")
    # a larger snapping radius accepts it
    assert resolve_place(cn, (lat, lon), max_snap_m=5000).kind == "coordinates"


def test_snaps_to_the_main_component(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    place = resolve_place(cn, mock_lonlat(1200, 400))  # on the isolated node 20
    assert place.node == cn.node_index(3)
    assert cn.node_comp[place.node] == cn.main_component


def test_park_in_another_component(mock_compiled: CompiledNetwork) -> None:
    # parc-isole is reachable as a place, but lies in another component (routing says so)
    assert resolve_place(mock_compiled, "parc-isole").node == mock_compiled.node_index(22)

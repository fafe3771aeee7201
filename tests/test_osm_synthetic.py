"""The OSM source on a small synthetic extract (``tests/fixtures/osm_synthetic.py``), written at
test time: every classification and access rule, formats, missing nodes, towpaths, parks, DEM."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
import pytest
from fixtures import osm_synthetic as syn

from parcs._errors import DataError
from parcs.osm.build import build_osm_network

#: way id -> (kind, surface): the design of the fixture.
EXPECTED: dict[int, tuple[str, str]] = {
    1001: ("connector", "paved"), 1002: ("advised_route", "paved"),
    1003: ("connector", "unknown"), 1004: ("connector", "unknown"),
    1005: ("eurovelo", "compacted"), 1006: ("track", "unpaved"), 1007: ("veloroute", "paved"),
    1008: ("path", "unpaved"), 1009: ("path", "unknown"), 1010: ("voie_verte", "compacted"),
    1011: ("connector", "unknown"), 1012: ("path", "unknown"), 1013: ("towpath", "compacted"),
    1014: ("path", "unknown"), 1015: ("cavalier", "unpaved"), 1017: ("connector", "unknown"),
    1020: ("path", "unknown"), 1021: ("path", "unknown"), 1022: ("path", "unknown"),
}
#: footways and steps: walkers, and cyclists pushing their bikes (issue 12)
PUSH = {1008, 1009, 1012, 1014, 1021, 1022}


@pytest.fixture(scope="module")
def syn_net(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = syn.write_synthetic_osm(tmp_path_factory.mktemp("syn") / "syn.osm.pbf")
    return build_osm_network(osm_file=path, area="file", progress=False)


def _by_way(g: nx.MultiDiGraph) -> dict[int, list[tuple[Any, Any, dict[str, Any]]]]:
    out: dict[int, list[tuple[Any, Any, dict[str, Any]]]] = {}
    for u, v, d in g.edges(data=True):
        assert not isinstance(d["osmid"], list)  # every way changes kind/name/access at its ends
        if d["highway"] == "barrier":
            continue  # the passage through a barrier (tested apart)
        out.setdefault(int(d["osmid"]), []).append((u, v, d))
    return out


def test_ways_kinds_and_surfaces(syn_net: Any) -> None:
    ways = _by_way(syn_net.graph)
    assert set(ways) == set(syn.NETWORK_WAYS)  # private service road and trunk left out
    for wid, (kind, surface) in EXPECTED.items():
        assert {d["kind"] for *_, d in ways[wid]} == {kind}, wid
        assert {d["surface"] for *_, d in ways[wid]} == {surface}, wid
    assert {d["route_refs"] for *_, d in ways[1002] + ways[1005]} == {"EV3"}
    assert {d["route_refs"] for *_, d in ways[1007]} == {"V33"}
    assert {d["name"] for *_, d in ways[1015]} == {"Cavalier du 11/19"}
    assert syn_net.meta["osm"]["towpath_edges"] == 2
    assert syn_net.graph.graph["crs"] == "EPSG:2154"


def test_access_per_direction(syn_net: Any) -> None:
    ways = _by_way(syn_net.graph)
    for wid, edges in ways.items():
        # both directions of every piece (Rue A is cut at the junction with Rue B, 1006 at the
        # gap, Rue D at its gate, the cavalier at its stile, the square has its crossing)
        pieces = 2 if wid in {1001, 1006, 1011, 1015} else 3 if wid == 1020 else 1
        assert len(edges) == 2 * pieces, wid
        for u, v, d in edges:
            assert d["bike_push"] == (wid in PUSH), wid
            assert d["major"] == (wid == 1017), wid
            if wid in PUSH:
                assert (d["foot_ok"], d["bike_ok"]) == (True, True), wid
            elif wid == 1003:  # one-way Rue B: cyclists 2 -> 5 only
                assert d["foot_ok"] and d["bike_ok"] == ((u, v) == (2, 5))
            else:  # includes Rue C, one-way with oneway:bicycle=no
                assert d["foot_ok"] and d["bike_ok"], wid


def test_missing_node_splits_the_way(syn_net: Any) -> None:
    g = syn_net.graph
    assert syn_net.meta["osm"]["missing_node_refs"] == 1
    assert syn_net.meta["osm"]["split_pieces"] == 1
    pieces = {frozenset((u, v)) for u, v, d in g.edges(data=True) if d["osmid"] == 1006}
    assert pieces == {frozenset((11, 16)), frozenset((17, 15))}  # never 16 -> 17 across the gap
    assert g.number_of_edges(16, 17) == 0
    ways = _by_way(g)
    assert {round(d["length"]) for *_, d in ways[1006]} == {100, 50}


def test_pois_parks_and_communes(syn_net: Any) -> None:
    pois = syn_net.pois.set_index("id")
    osm = pois[pois["source"] == "osm"]
    got = dict(osm[osm["category"] != "park_unit"]["category"])
    assert got == syn.EXPECTED_POIS  # the guidepost is not a POI
    assert pois.loc["osm:node/32", "name"] == "Fontaine"
    assert pois.loc["osm:node/31", "name"] == "Banc"  # French label when unnamed
    parks = syn_net.parks
    assert list(parks["id"]) == [f"osm-relation-{syn.PARK_RELATION}"]  # the 0.09 ha park is too small
    assert parks["area_ha"].iloc[0] == pytest.approx(syn.PARK_HA, abs=0.05)
    assert parks["name"].iloc[0] == "Parc du test"
    assert pois.loc[f"park:osm-relation-{syn.PARK_RELATION}", "category"] == "park_unit"
    assert syn_net.communes.empty


@pytest.mark.parametrize("suffix", [".osm", ".osm.bz2"])
def test_xml_formats_give_the_same_network(syn_net: Any, tmp_path: Path, suffix: str) -> None:
    path = syn.write_synthetic_osm(tmp_path / f"syn{suffix}")
    net = build_osm_network(osm_file=path, area="file", progress=False)

    def sig(g: nx.MultiDiGraph) -> set[tuple[Any, ...]]:
        return {(u, v, d["osmid"], d["kind"], d["surface"], d["foot_ok"], d["bike_ok"],
                 round(d["length"], 3)) for u, v, d in g.edges(data=True)}

    assert sig(net.graph) == sig(syn_net.graph)


def test_osmnx_settings_are_restored(tmp_path: Path) -> None:
    before = list(ox.settings.useful_tags_way)
    path = syn.write_synthetic_osm(tmp_path / "syn.osm")
    build_osm_network(osm_file=path, area="file", progress=False)
    assert ox.settings.useful_tags_way == before
    with pytest.raises(DataError):  # restored on errors too
        build_osm_network(osm_file=path, area="0.0,0.0,0.01,0.01", progress=False)
    assert ox.settings.useful_tags_way == before


def test_dem_file_gives_elevations_and_grades(tmp_path: Path) -> None:
    per_deg = 1200  # 1 m per 3" column: the plane is exact on the grid
    tile = syn.write_plane_hgt(tmp_path, lat=48, lon=2, z0=10, per_degree_east=per_deg)
    path = syn.write_synthetic_osm(tmp_path / "syn.osm.pbf")
    net = build_osm_network(osm_file=path, area="file", dem=[tile], progress=False)
    g = net.graph
    assert net.meta["elevation"] == f"dem:{tile.name}"
    for _, d in g.nodes(data=True):
        assert d["elevation"] == pytest.approx(10 + per_deg * (d["lon"] - 2), abs=1e-6)
    # Rue A, 1 -> 2: 200 m east
    d = next(d for u, v, d in g.edges(data=True) if (u, v) == (1, 2))
    rise = per_deg * (g.nodes[2]["lon"] - g.nodes[1]["lon"])
    assert rise > 3  # about 3.3 m over 200 m
    assert d["climb"] == pytest.approx(rise, abs=1e-6)
    assert d["grade"] == pytest.approx(rise / d["length"], rel=1e-6)
    back = next(d for u, v, d in g.edges(data=True) if (u, v) == (2, 1))
    assert back["descent"] == pytest.approx(rise, abs=1e-6) and back["climb"] == 0
    assert math.isclose(net.meta["stats"]["elevation_min_m"], min(z for _, z in g.nodes(data="elevation")), abs_tol=0.1)


def test_osm_stations_are_places_and_access(syn_net: Any) -> None:
    """``railway=station`` on an OSM build: a POI of category station, named by the resolver and
    named as the access of a start (« Accès : gare de Testville à … »)."""
    from routing.access import nearest_station
    from routing.compiled import compile_network
    from routing.places import resolve_place

    cn = compile_network(syn_net)
    station = resolve_place(cn, "gare testville")
    assert station.id == "osm:node/35" and station.kind == "poi"
    access = nearest_station(cn, resolve_place(cn, "osm:node/32").node)
    assert access is not None and access.id == "osm:node/35"
    assert access.text.startswith("Accès : gare de Testville à ")

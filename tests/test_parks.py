"""Unit tests of parcs.parks on synthetic data built in code (no source file is read)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from shapely.geometry import Point, box

from parcs import DataError, RegistryError
from parcs.parks import (
    DEFAULT_BUFFER_M,
    NON_GREENWAY_PENALTY_M,
    PARK_COLUMNS,
    AnchorLayers,
    Anchors,
    NamedPlace,
    ParkUnit,
    anchor_geometry,
    attach_access_nodes,
    build_park_geometries,
    greenway_node_mask,
    load_registry,
    normalise_terril_id,
    parse_registry,
)
from parcs.perimeter import CRS, Perimeter

# A synthetic territory in Lambert-93 around Lens: three 2 km square communes side by side.
X0, Y0 = 684_000.0, 7_034_000.0


def _communes() -> gpd.GeoDataFrame:
    rows = [
        ("Alpha", "Lens-Liévin", box(X0, Y0, X0 + 2000, Y0 + 2000)),
        ("Beta", "Lens-Liévin", box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)),
        ("Gamma", "Hénin-Carvin", box(X0 + 4000, Y0, X0 + 6000, Y0 + 2000)),
    ]
    return gpd.GeoDataFrame(
        {
            "insee": ["62001", "62002", "62003"],
            "nom": [r[0] for r in rows],
            "population": [1000, 2000, 3000],
            "epci_nom": ["CA de Lens - Liévin", "CA de Lens - Liévin", "CA d'Hénin-Carvin"],
            "agglomeration": [r[1] for r in rows],
        },
        geometry=[r[2] for r in rows],
        crs=CRS,
    )


@pytest.fixture()
def communes() -> gpd.GeoDataFrame:
    return _communes()


@pytest.fixture()
def perimeter(communes: gpd.GeoDataFrame) -> Perimeter:
    return Perimeter(communes=communes, geometry=communes.union_all())


@pytest.fixture()
def layers() -> AnchorLayers:
    terrils = gpd.GeoDataFrame(
        {
            "id": ["T074", "T074a", "T040"],
            "name": ["11/19 de Lens Est", "11/19 de Lens Ouest", "4 de Noeux ouest"],
            "usual_name": ["", "", ""],
            "forme": ["Grand terril moderne", "Grand terril moderne", "Arasé"],
            "communes": ["Alpha", "Alpha", "Gamma"],
            "listed": [True, True, False],
            "source": ["t.geojson", "t.geojson", "zt.geojson"],
        },
        geometry=[
            box(X0 + 500, Y0 + 500, X0 + 600, Y0 + 600),
            box(X0 + 610, Y0 + 500, X0 + 710, Y0 + 600),  # 10 m from T074
            box(X0 + 5900, Y0 + 900, X0 + 6100, Y0 + 1100),  # straddles the eastern edge
        ],
        crs=CRS,
    )
    neonatural = gpd.GeoDataFrame(
        {
            "id": ["ENZT07"],
            "name": ["Parc de la Glissoire"],
            "communes": ["Beta"],
            "listed": [False],
            "source": ["zn.geojson"],
        },
        geometry=[box(X0 + 2500, Y0 + 500, X0 + 2900, Y0 + 900)],
        crs=CRS,
    )
    return AnchorLayers(terrils=terrils, neonatural=neonatural)


GOOD_TOML = """
# a comment
[[unit]]
id = "centre"
name = "Centralité"
agglomeration = "Lens-Liévin"
communes = ["Alpha", "Beta"]
description = "Un parc."
activities = ["randonnée", "vélo"]

[unit.anchors]
terrils = ["74", "t74A"]
neonatural = ["parc de la glissoire"]

[[unit.anchors.places]]
name = "Un lieu"
lon = 2.8
lat = 50.43
radius_m = 100

[[unit]]
id = "est"
name = "Est"
agglomeration = "Hénin-Carvin"
communes = ["Gamma"]
description = "Un autre parc."
activities = ["VTT"]

[unit.anchors]
terrils = ["T040"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "parcs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _load(
    tmp_path: Path, text: str, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> tuple[ParkUnit, ...]:
    return load_registry(_write(tmp_path, text), communes=communes, layers=layers)


# --------------------------------------------------------------------------- terril ids


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("40", "T040"), ("T040", "T040"), ("t40", "T040"), ("74a", "T074a"), ("T074A", "T074a"),
     (" T 205 ", "T205"), (2, "T002"), ("T0", "T000")],
)  # fmt: skip
def test_normalise_terril_id(raw: str | int, expected: str) -> None:
    assert normalise_terril_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "T", "T1234", "74ab", "terril 74", "T-74"])
def test_normalise_terril_id_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="terril"):
        normalise_terril_id(raw)


# --------------------------------------------------------------------------- registry


def test_registry_loads_and_normalises(
    tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> None:
    units = _load(tmp_path, GOOD_TOML, communes, layers)
    assert [u.id for u in units] == ["centre", "est"]
    centre = units[0]
    assert centre.communes == ("Alpha", "Beta")
    assert centre.activities == ("randonnée", "vélo")
    assert centre.anchors.terrils == ("T074", "T074a")
    assert centre.anchors.neonatural == ("parc de la glissoire",)
    assert centre.anchors.places == (NamedPlace("Un lieu", 2.8, 50.43, 100.0),)
    with pytest.raises(AttributeError):
        centre.id = "x"  # type: ignore[misc]  # frozen


def test_unknown_terril_names_unit_id_and_file(
    tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> None:
    text = GOOD_TOML.replace('terrils = ["T040"]', 'terrils = ["T040", "999"]')
    with pytest.raises(RegistryError) as err:
        _load(tmp_path, text, communes, layers)
    msg = str(err.value)
    assert "'est'" in msg and "'T999'" in msg and "parcs.toml" in msg and "unknown terril" in msg


def test_unknown_terril_suggests_close_id(
    tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> None:
    text = GOOD_TOML.replace('terrils = ["T040"]', 'terrils = ["T041"]')
    with pytest.raises(RegistryError, match=r"T041.*did you mean .*'T040'"):
        _load(tmp_path, text, communes, layers)


def test_unknown_commune(tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers) -> None:
    text = GOOD_TOML.replace('communes = ["Gamma"]', 'communes = ["Gama"]')
    with pytest.raises(
        RegistryError, match=r"unit 'est': unknown commune 'Gama' \(did you mean 'Gamma'"
    ):
        _load(tmp_path, text, communes, layers)


def test_unknown_neonatural(
    tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> None:
    text = GOOD_TOML.replace('neonatural = ["parc de la glissoire"]', 'neonatural = ["ENZT99"]')
    with pytest.raises(RegistryError, match="unknown neo-natural park 'ENZT99'"):
        _load(tmp_path, text, communes, layers)


def test_neonatural_by_id_any_case(
    tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> None:
    text = GOOD_TOML.replace('neonatural = ["parc de la glissoire"]', 'neonatural = ["enzt07"]')
    units = _load(tmp_path, text, communes, layers)
    assert anchor_geometry(units[0], layers=layers).contains(Point(X0 + 2700, Y0 + 700))


def test_duplicate_ids(tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers) -> None:
    text = GOOD_TOML.replace('id = "est"', 'id = "centre"')
    with pytest.raises(RegistryError, match=r"duplicate unit id\(s\) \['centre'\]"):
        _load(tmp_path, text, communes, layers)


def test_bad_toml(tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers) -> None:
    with pytest.raises(RegistryError, match=r"parcs.toml: not valid TOML"):
        _load(tmp_path, GOOD_TOML + "\n[[unit]\nid = 'x'\n", communes, layers)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not readable"):
        load_registry(tmp_path / "absent.toml", check_references=False)


@pytest.mark.parametrize(
    "field", ["id", "name", "agglomeration", "communes", "description", "activities"]
)
def test_missing_field(tmp_path: Path, field: str) -> None:
    lines = [ln for ln in GOOD_TOML.splitlines() if not ln.startswith(f"{field} =")]
    with pytest.raises(RegistryError, match=f"missing field '{field}'"):
        parse_registry("\n".join(lines), path=tmp_path / "parcs.toml")


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ('id = "est"', 'id = "Est park"', "id must be a slug"),
        (
            'agglomeration = "Hénin-Carvin"',
            'agglomeration = "Lille"',
            "agglomeration 'Lille' is not one of",
        ),
        ('activities = ["VTT"]', "activities = []", "'activities' must be a non-empty list"),
        ('activities = ["VTT"]', 'activities = "VTT"', "'activities' must be a non-empty list"),
        (
            'description = "Un autre parc."',
            'description = ""',
            "'description' must be a non-empty string",
        ),
        ("lat = 50.43", "lat = 95.0", r"'lat' must be a number in \[-90.0, 90.0\]"),
        ("radius_m = 100", "radius_m = -5", "'radius_m' must be a number"),
        (
            'terrils = ["T040"]',
            'terrils = ["T040"]\nmountains = ["Mont"]',
            r"unknown field\(s\) \['mountains'\]",
        ),
        ('terrils = ["T040"]', 'terrils = ["tall one"]', "not a terril number: 'tall one'"),
        ('terrils = ["T040"]', "terrils = []", "a unit needs one"),
    ],
)
def test_malformed_unit(tmp_path: Path, old: str, new: str, pattern: str) -> None:
    assert old in GOOD_TOML
    with pytest.raises(RegistryError, match=pattern):
        parse_registry(GOOD_TOML.replace(old, new), path=tmp_path / "parcs.toml")


def test_no_unit(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"no \[\[unit\]\] table"):
        parse_registry("title = 'empty'", path=tmp_path / "parcs.toml")


def test_agglomeration_must_match_communes(
    tmp_path: Path, communes: gpd.GeoDataFrame, layers: AnchorLayers
) -> None:
    text = GOOD_TOML.replace('agglomeration = "Lens-Liévin"', 'agglomeration = "Hénin-Carvin"')
    with pytest.raises(
        RegistryError, match=r"unit 'centre': agglomeration 'Hénin-Carvin' but most .*Lens-Liévin"
    ):
        _load(tmp_path, text, communes, layers)


def test_structure_only_without_references(tmp_path: Path) -> None:
    text = GOOD_TOML.replace('terrils = ["T040"]', 'terrils = ["T999"]')
    units = load_registry(_write(tmp_path, text), check_references=False)
    assert units[1].anchors.terrils == ("T999",)


# --------------------------------------------------------------------------- geometry


def _unit(
    uid: str = "u",
    *,
    terrils: tuple[str, ...] = (),
    neonatural: tuple[str, ...] = (),
    places: tuple[NamedPlace, ...] = (),
) -> ParkUnit:
    anchors = Anchors(terrils=terrils, neonatural=neonatural, places=places)
    return ParkUnit(uid, "Unité", "Lens-Liévin", ("Alpha",), "Desc.", ("vélo", "VTT"), anchors)


def test_union_buffer_and_columns(layers: AnchorLayers, perimeter: Perimeter) -> None:
    unit = _unit(terrils=("T074", "T074a"))
    gdf = build_park_geometries([unit], layers=layers, perimeter=perimeter, buffer_m=20.0)
    assert list(gdf.columns) == list(PARK_COLUMNS)
    assert gdf.crs == CRS
    row = gdf.iloc[0]
    assert row.geometry.geom_type == "Polygon"  # the 10 m gap is bridged by the buffer
    expected = box(X0 + 500, Y0 + 500, X0 + 710, Y0 + 600).buffer(20.0).area
    assert math.isclose(row.geometry.area, expected, rel_tol=1e-3)
    assert row.area_ha == round(expected / 1e4, 1)
    assert row.communes == "Alpha" and row.activities == "vélo;VTT"


def test_buffer_zero_keeps_parts_apart(layers: AnchorLayers, perimeter: Perimeter) -> None:
    gdf = build_park_geometries(
        [_unit(terrils=("T074", "T074a"))], layers=layers, perimeter=perimeter, buffer_m=0
    )
    assert gdf.geometry.iloc[0].geom_type == "MultiPolygon"
    assert math.isclose(gdf.geometry.iloc[0].area, 2 * 100 * 100, rel_tol=1e-9)


def test_clipped_to_perimeter(layers: AnchorLayers, perimeter: Perimeter) -> None:
    gdf = build_park_geometries([_unit(terrils=("T040",))], layers=layers, perimeter=perimeter)
    geom = gdf.geometry.iloc[0]
    assert perimeter.geometry.buffer(1e-6).contains(geom)
    full = box(X0 + 5900, Y0 + 900, X0 + 6100, Y0 + 1100).buffer(DEFAULT_BUFFER_M)
    assert geom.area < full.area * 0.75
    assert geom.bounds[2] == pytest.approx(X0 + 6000)


def test_perimeter_as_plain_geometry(layers: AnchorLayers, perimeter: Perimeter) -> None:
    a = build_park_geometries([_unit(terrils=("T040",))], layers=layers, perimeter=perimeter)
    b = build_park_geometries(
        [_unit(terrils=("T040",))], layers=layers, perimeter=perimeter.geometry
    )
    assert a.geometry.iloc[0].equals(b.geometry.iloc[0])


def test_named_place_disc(layers: AnchorLayers) -> None:
    place = NamedPlace("Louvre-Lens", 2.80333, 50.43056, 300.0)
    big = Perimeter(communes=_communes(), geometry=Point(687_000, 7_037_000).buffer(50_000))
    gdf = build_park_geometries(
        [_unit(places=(place,))], layers=layers, perimeter=big, buffer_m=100.0
    )
    geom = gdf.geometry.iloc[0]
    assert math.isclose(geom.area, math.pi * 400.0**2, rel_tol=0.01)
    lon, lat = gpd.GeoSeries([geom.centroid], crs=CRS).to_crs("EPSG:4326").iloc[0].coords[0]
    assert lon == pytest.approx(2.80333, abs=1e-5) and lat == pytest.approx(50.43056, abs=1e-5)


def test_unit_outside_perimeter(layers: AnchorLayers, perimeter: Perimeter) -> None:
    far = NamedPlace("Paris", 2.35, 48.85, 100.0)
    with pytest.raises(DataError, match=r"park unit 'u'.*outside the perimeter"):
        build_park_geometries([_unit(places=(far,))], layers=layers, perimeter=perimeter)


def test_unvalidated_anchor(layers: AnchorLayers, perimeter: Perimeter) -> None:
    with pytest.raises(
        RegistryError, match=r"unit 'u': anchor\(s\) not in the layers: \['T999', 'ENZT99'\]"
    ):
        build_park_geometries(
            [_unit(terrils=("T999",), neonatural=("ENZT99",))], layers=layers, perimeter=perimeter
        )


def test_negative_buffer(layers: AnchorLayers, perimeter: Perimeter) -> None:
    with pytest.raises(ValueError, match="buffer_m"):
        build_park_geometries(
            [_unit(terrils=("T074",))], layers=layers, perimeter=perimeter, buffer_m=-1
        )


# --------------------------------------------------------------------------- access nodes


def _graph(
    nodes: Mapping[int, tuple[float, float]], ways: list[tuple[int, int, str]]
) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs=CRS)
    for n, (x, y) in nodes.items():
        g.add_node(n, x=x, y=y)
    for u, v, kind in ways:
        length = Point(nodes[u]).distance(Point(nodes[v]))
        g.add_edge(u, v, kind=kind, length=length)
        g.add_edge(v, u, kind=kind, length=length)
    return g


def _square_park() -> gpd.GeoDataFrame:
    """One unit: the square [0, 1000]² (representative point near its centre)."""
    return gpd.GeoDataFrame(
        {"id": ["p"], "name": ["P"], "area_ha": [100.0]}, geometry=[box(0, 0, 1000, 1000)], crs=CRS
    )


def test_greenway_mask() -> None:
    g = _graph(
        {1: (0, 0), 2: (1, 0), 3: (2, 0), 4: (3, 0)}, [(1, 2, "connector"), (2, 3, "cavalier")]
    )
    assert greenway_node_mask(g, [1, 2, 3, 4]).tolist() == [False, True, True, False]


def test_access_prefers_greenway_node() -> None:
    parks = _square_park()
    rep = parks.geometry.iloc[0].representative_point()
    nodes = {
        1: (rep.x, rep.y),  # at the centre, on a road only
        2: (rep.x + 300, rep.y),  # 300 m away, on a greenway
        3: (rep.x + 350, rep.y),
        4: (rep.x - 10, rep.y),  # road
        9: (5000, 5000),  # far away
    }
    g = _graph(nodes, [(1, 4, "connector"), (2, 3, "voie_verte"), (3, 9, "connector")])
    out = attach_access_nodes(parks, g, max_nodes=3)
    assert out["access_node"].iloc[0] == 2
    assert out["access_dist_m"].iloc[0] == 0.0
    assert json.loads(out["access_nodes"].iloc[0]) == [2, 3, 1]
    assert "access_node" not in parks.columns  # the input is not modified


def test_access_without_greenway_takes_central_node() -> None:
    parks = _square_park()
    rep = parks.geometry.iloc[0].representative_point()
    nodes = {1: (rep.x + 200, rep.y), 2: (rep.x + 20, rep.y), 3: (1100, 500)}
    g = _graph(nodes, [(1, 2, "connector"), (2, 3, "connector")])
    out = attach_access_nodes(parks, g)
    assert out["access_node"].iloc[0] == 2
    # node 3 is 100 m outside: within the margin, ranked last, and counted
    assert json.loads(out["access_nodes"].iloc[0]) == [2, 1, 3]


@pytest.mark.parametrize(
    ("offset", "winner"), [(NON_GREENWAY_PENALTY_M - 50, 2), (NON_GREENWAY_PENALTY_M + 50, 1)]
)
def test_greenway_preference_is_bounded(offset: float, winner: int) -> None:
    big = gpd.GeoDataFrame({"id": ["p"]}, geometry=[box(-2000, -2000, 2000, 2000)], crs=CRS)
    rep = big.geometry.iloc[0].representative_point()
    nodes = {
        1: (rep.x, rep.y),  # road node at the centre
        5: (rep.x + 5, rep.y),
        2: (rep.x, rep.y - offset),  # greenway node, ``offset`` metres away
        3: (rep.x, rep.y - offset - 10),
    }
    g = _graph(nodes, [(1, 5, "connector"), (2, 3, "towpath")])
    assert attach_access_nodes(big, g)["access_node"].iloc[0] == winner


def test_no_node_inside_takes_nearest_with_distance() -> None:
    parks = _square_park()
    g = _graph(
        {1: (1500, 500), 2: (3000, 500), 3: (500, -400)},
        [(1, 2, "voie_verte"), (2, 3, "connector")],
    )
    out = attach_access_nodes(parks, g, margin_m=50.0)
    assert out["access_node"].iloc[0] == 3
    assert out["access_dist_m"].iloc[0] == pytest.approx(400.0)
    assert json.loads(out["access_nodes"].iloc[0]) == [3]


def test_max_nodes_and_empty_graph() -> None:
    parks = _square_park()
    nodes = {i: (100.0 * i, 500.0) for i in range(1, 10)}
    g = _graph(nodes, [(i, i + 1, "path") for i in range(1, 9)])
    out = attach_access_nodes(parks, g, max_nodes=4)
    assert len(json.loads(out["access_nodes"].iloc[0])) == 4
    with pytest.raises(ValueError, match="max_nodes"):
        attach_access_nodes(parks, g, max_nodes=0)
    with pytest.raises(DataError, match="no nodes"):
        attach_access_nodes(parks, nx.MultiDiGraph(crs=CRS))


def test_multipart_unit_lists_nodes_of_each_part() -> None:
    parks = gpd.GeoDataFrame(
        {"id": ["p"]}, geometry=[box(0, 0, 1000, 1000).union(box(5000, 0, 5200, 200))], crs=CRS
    )
    nodes = {1: (500, 500), 2: (520, 500), 3: (540, 500), 4: (5100, 100)}
    g = _graph(nodes, [(1, 2, "path"), (2, 3, "path"), (3, 4, "path")])
    listed = json.loads(attach_access_nodes(parks, g, max_nodes=2)["access_nodes"].iloc[0])
    assert listed[0] in (1, 2, 3) and 4 in listed  # the small part's own best node makes the cut

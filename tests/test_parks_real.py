"""Real-data tests of the park registry, the park units and the POIs (fetched sources).

The expected figures are recomputed here from the layers with plain geopandas, independently of
:mod:`parcs.parks` and :mod:`parcs.pois`. The network used for access nodes is a synthetic 200 m
grid laid over the real perimeter, so that these tests need the sources only, not a build.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from parcs import paths
from parcs.parks import (
    AnchorLayers,
    ParkUnit,
    attach_access_nodes,
    build_park_geometries,
    load_anchor_layers,
    load_registry,
)
from parcs.perimeter import CRS, Perimeter, load_perimeter
from parcs.pois import POI_MARGIN_M, attach_pois, load_pois, park_unit_pois
from parcs.schema import POI_CATEGORIES
from parcs.sources import fetch

pytestmark = pytest.mark.realdata

BM = "bassin-minier/"
NEEDED = [
    BM + f
    for f in (
        "communes-mbm.geojson", "terrils.geojson", "zt-terrils.geojson", "espace-neonaturel.geojson",
        "zt-espaces-neonaturels.geojson", "bien-inscrit.geojson", "batis.geojson",
        "puits-de-mines.geojson", "zt-parvis-agricoles.geojson",
    )
] + ["adav/bicycle-rental-2018.geojson", "adav/bicycle-shelters-2017.geojson"]  # fmt: skip

EXPECTED_UNITS = {
    "louvre-lens": "Lens-Liévin",
    "olhain": "Béthune-Bruay",
    "berges-souchez": "Lens-Liévin",
    "canal-aire": "Béthune-Bruay",
    "deux-vallees": "Béthune-Bruay",
    "canal-deule": "Lens-Liévin",
    "parc-des-iles": "Hénin-Carvin",
    "loisinord": "Béthune-Bruay",
    "lorette-vimy": "Lens-Liévin",
    "lawe-pays-a-part": "Béthune-Bruay",
    "oignies": "Hénin-Carvin",
}
EPCI_TO_AGGLO = {
    "CA de Béthune-Bruay, Artois-Lys Romane": "Béthune-Bruay",
    "CA de Lens - Liévin": "Lens-Liévin",
    "CA d'Hénin-Carvin": "Hénin-Carvin",
}


@pytest.fixture(scope="module")
def src() -> Path:
    """The fetched sources folder, fetched (from the mirror or the pinned URLs) when incomplete."""
    folder = paths.sources_dir()
    if not all((folder / f).is_file() for f in NEEDED):
        fetch(progress=False)
    return folder


def _read(src: Path, relpath: str) -> gpd.GeoDataFrame:
    return gpd.read_file(src / relpath).to_crs(CRS)


@pytest.fixture(scope="module")
def communes(src: Path) -> gpd.GeoDataFrame:
    """The Pôle's communes, read here without parcs.perimeter."""
    gdf = _read(src, BM + "communes-mbm.geojson")
    gdf = gdf[gdf["epci_nom"].isin(EPCI_TO_AGGLO)].copy()
    gdf["agglo"] = gdf["epci_nom"].map(EPCI_TO_AGGLO)
    assert len(gdf) == 150
    return gdf


@pytest.fixture(scope="module")
def perimeter(src: Path) -> Perimeter:
    return load_perimeter(src / BM / "communes-mbm.geojson")


@pytest.fixture(scope="module")
def layers(src: Path) -> AnchorLayers:
    return load_anchor_layers(sources=src)


@pytest.fixture(scope="module")
def units(src: Path, perimeter: Perimeter, layers: AnchorLayers) -> tuple[ParkUnit, ...]:
    return load_registry(communes=perimeter.communes, layers=layers)


@pytest.fixture(scope="module")
def parks(
    units: tuple[ParkUnit, ...], layers: AnchorLayers, perimeter: Perimeter
) -> gpd.GeoDataFrame:
    return build_park_geometries(units, layers=layers, perimeter=perimeter)


@pytest.fixture(scope="module")
def pois(src: Path, perimeter: Perimeter, layers: AnchorLayers) -> gpd.GeoDataFrame:
    return load_pois(perimeter=perimeter, sources=src, layers=layers)


@pytest.fixture(scope="module")
def grid(perimeter: Perimeter) -> nx.MultiDiGraph:
    """A 200 m grid over the perimeter; every fifth row is a greenway, the rest connectors."""
    step = 200.0
    minx, miny, maxx, maxy = perimeter.geometry.buffer(600).bounds
    xs, ys = np.arange(minx, maxx, step), np.arange(miny, maxy, step)
    nx_, ny_ = len(xs), len(ys)
    g = nx.MultiDiGraph(crs=CRS)
    g.add_nodes_from(
        (j * nx_ + i, {"x": float(xs[i]), "y": float(ys[j])})
        for j in range(ny_)
        for i in range(nx_)
    )
    edges = []
    for j in range(ny_):
        for i in range(nx_):
            n = j * nx_ + i
            if i + 1 < nx_:
                kind = "voie_verte" if j % 5 == 0 else "connector"
                edges += [
                    (n, n + 1, {"kind": kind, "length": step}),
                    (n + 1, n, {"kind": kind, "length": step}),
                ]
            if j + 1 < ny_:
                edges += [(n, n + nx_, {"kind": "connector", "length": step}),
                          (n + nx_, n, {"kind": "connector", "length": step})]  # fmt: skip
    g.add_edges_from(edges)
    return g


# --------------------------------------------------------------------------- registry and units


def test_registry_has_the_eleven_units(units: tuple[ParkUnit, ...]) -> None:
    assert [u.id for u in units] == list(EXPECTED_UNITS)
    assert {u.id: u.agglomeration for u in units} == EXPECTED_UNITS
    assert all(u.description and u.activities and u.anchors for u in units)


def test_agglomeration_is_that_of_most_communes(
    units: tuple[ParkUnit, ...], communes: gpd.GeoDataFrame
) -> None:
    agglo = dict(zip(communes["nom"], communes["agglo"], strict=True))
    for u in units:
        assert set(u.communes) <= set(agglo), u.id
        counts = Counter(agglo[c] for c in u.communes).most_common()
        assert counts[0][0] == u.agglomeration, (u.id, counts)
        assert len(counts) == 1 or counts[0][1] > counts[1][1], (u.id, counts)


def test_units_are_non_empty_and_inside_the_perimeter(
    parks: gpd.GeoDataFrame, perimeter: Perimeter
) -> None:
    assert parks.crs == CRS and len(parks) == 11 and parks["id"].is_unique
    territory = perimeter.geometry.buffer(1.0)
    for row in parks.itertuples():
        assert not row.geometry.is_empty and row.geometry.is_valid, row.id
        assert territory.contains(row.geometry), row.id
        assert 50.0 < row.area_ha < 1000.0, (row.id, row.area_ha)
        assert row.area_ha == pytest.approx(row.geometry.area / 1e4, abs=0.05)


def test_most_of_each_unit_lies_in_its_agglomeration(
    parks: gpd.GeoDataFrame, communes: gpd.GeoDataFrame
) -> None:
    pieces = gpd.overlay(
        parks[["id", "agglomeration", "geometry"]], communes[["agglo", "geometry"]]
    )
    share = pieces.assign(area=pieces.area).groupby(["id", "agglo"])["area"].sum()
    for row in parks.itertuples():
        assert share[row.id].idxmax() == row.agglomeration, (row.id, share[row.id].to_dict())


def test_anchors_lie_in_the_registry_layers(units: tuple[ParkUnit, ...], src: Path) -> None:
    def norm(raw: str) -> str:
        m = re.fullmatch(r"T?0*(\d+)([a-zA-Z]?)", str(raw).strip())
        assert m, raw
        return f"T{int(m.group(1)):03d}{m.group(2).lower()}"

    ids = set(_read(src, BM + "terrils.geojson")["no_terril"].map(norm))
    ids |= set(_read(src, BM + "zt-terrils.geojson")["id"].map(norm))
    for u in units:
        assert set(u.anchors.terrils) <= ids, u.id


def test_named_places_lie_in_their_communes(
    units: tuple[ParkUnit, ...], communes: gpd.GeoDataFrame
) -> None:
    places = [(u, p) for u in units for p in u.anchors.places]
    assert len(places) >= 10
    pts = gpd.GeoSeries([Point(p.lon, p.lat) for _, p in places], crs="EPSG:4326").to_crs(CRS)
    for (u, p), pt in zip(places, pts, strict=True):
        inside = set(communes.loc[communes.contains(pt), "nom"])
        assert inside & set(u.communes), (u.id, p.name, inside)


@pytest.mark.parametrize(
    ("place", "commune", "alias"),
    [("Parc du musée du Louvre-Lens", "Lens", "9"), ("Fosse 9-9bis", "Oignies", "9 - 9 bis"),
     ("Base 11/19", "Loos-en-Gohelle", "11 - 19")],
)  # fmt: skip
def test_named_places_agree_with_the_shafts_layer(
    units: tuple[ParkUnit, ...], src: Path, place: str, commune: str, alias: str
) -> None:
    """Coordinates typed from public pages fall on the pit-head of the shafts layer."""
    p = next(p for u in units for p in u.anchors.places if p.name == place)
    pt = gpd.GeoSeries([Point(p.lon, p.lat)], crs="EPSG:4326").to_crs(CRS).iloc[0]
    shafts = _read(src, BM + "puits-de-mines.geojson")
    pit = shafts[(shafts["commune"] == commune) & (shafts["fosse_alias"] == alias)]
    assert len(pit) >= 1
    assert pit.distance(pt).min() < p.radius_m


def test_known_units_contain_their_emblems(parks: gpd.GeoDataFrame, layers: AnchorLayers) -> None:
    geom = parks.set_index("id").geometry
    t = layers.terrils.set_index("id").geometry
    assert geom["louvre-lens"].contains(t["T074"]) and geom["louvre-lens"].contains(t["T074a"])
    assert geom["loisinord"].contains(t["T042"])
    assert geom["parc-des-iles"].contains(t["T205"])
    assert geom["oignies"].contains(t["T110"])


def test_anchor_layers_deduplicated(layers: AnchorLayers) -> None:
    assert layers.terrils["id"].is_unique and layers.neonatural["id"].is_unique
    assert layers.terrils.set_index("id").loc["T140", "source"] == BM + "terrils.geojson"
    assert len(layers.terrils) == 51 + 111 - 1  # T140 is in both layers
    assert len(layers.neonatural) == 5 + 7


# --------------------------------------------------------------------------- POIs


def _within_margin(gdf: gpd.GeoDataFrame, perimeter_geom: object) -> pd.Series:
    return gdf.representative_point().distance(perimeter_geom) <= POI_MARGIN_M


def test_poi_counts_match_the_layers(
    pois: gpd.GeoDataFrame, src: Path, communes: gpd.GeoDataFrame
) -> None:
    territory = communes.union_all().buffer(1.0).buffer(-1.0)

    def count(relpath: str) -> int:
        return int(_within_margin(_read(src, relpath), territory).sum())

    listed = _read(src, BM + "terrils.geojson")
    zt = _read(src, BM + "zt-terrils.geojson")
    zt_only = zt[~zt["id"].isin(set(listed["no_terril"]))]
    expected = {
        "terril": int(
            _within_margin(listed, territory).sum() + _within_margin(zt_only, territory).sum()
        ),
        "heritage": count(BM + "bien-inscrit.geojson") + count(BM + "batis.geojson"),
        "mine_shaft": count(BM + "puits-de-mines.geojson"),
        "neonatural_park": count(BM + "espace-neonaturel.geojson")
        + count(BM + "zt-espaces-neonaturels.geojson"),
        "viewpoint": count(BM + "zt-parvis-agricoles.geojson"),
        "bike_rental": count("adav/bicycle-rental-2018.geojson"),
        "bike_parking": count("adav/bicycle-shelters-2017.geojson"),
        "station": count("adav/gares-ter.geojson"),
    }
    got = pois["category"].value_counts().to_dict()
    assert {k: got.get(k, 0) for k in expected} == expected
    # plausibility: the 2018 bike-share layer has no station in the Pôle (V'Lille, DK'Vélo, Velam,
    # Vel'in are Lille, Dunkirk, Amiens and Calais); everything else is well represented
    assert expected["bike_rental"] == 0
    assert expected["mine_shaft"] > 200 and expected["terril"] > 100 and expected["heritage"] > 150
    assert (
        expected["viewpoint"] > 80
        and expected["neonatural_park"] == 8
        and expected["bike_parking"] >= 5
    )
    assert 25 <= expected["station"] <= 40  # "about 35 in the Pôle" (README of the sources)


def test_pois_are_well_formed(pois: gpd.GeoDataFrame, perimeter: Perimeter) -> None:
    assert pois["id"].is_unique
    assert set(pois["category"]) <= set(POI_CATEGORIES)
    assert set(pois.geom_type) == {"Point"} and pois.crs == CRS
    assert pois["name"].str.len().min() > 0 and pois["description"].str.len().min() > 0
    zone = perimeter.geometry.buffer(POI_MARGIN_M + 0.01)
    assert pois.within(zone).all()
    prefix = pois["id"].str.split(":").str[0]
    assert set(prefix) == {"terril", "heritage", "shaft", "neonatural", "viewpoint", "parking", "station"}


def test_known_pois(pois: gpd.GeoDataFrame) -> None:
    by_id = pois.set_index("id")
    assert by_id.loc["terril:T074", "name"] == "Terril 74 – 11/19 de Lens Est"
    assert by_id.loc["terril:T042", "name"] == "Loisinord (terril 42)"
    assert by_id.loc["shaft:0", "name"] == "Puits n°1 de la fosse 1 (Annezin)"
    assert "cote du sol 30 m" in by_id.loc["shaft:0", "description"]
    assert by_id.loc["neonatural:EN63J", "name"] == "Parc de Wingles et étangs d'affaissement"
    assert by_id.loc["neonatural:ENZT07", "name"] == "Parc de la Glissoire"


# --------------------------------------------------------------------------- network attachment


def test_access_nodes_on_a_grid(parks: gpd.GeoDataFrame, grid: nx.MultiDiGraph) -> None:
    out = attach_access_nodes(parks, grid, max_nodes=6)
    for row in out.itertuples():
        nodes = json.loads(row.access_nodes)
        assert 1 <= len(nodes) <= 6 and nodes[0] == row.access_node, row.id
        assert len(set(nodes)) == len(nodes)
        assert row.access_dist_m == 0.0, row.id  # every unit holds grid nodes
        node = grid.nodes[row.access_node]
        assert row.geometry.contains(Point(node["x"], node["y"])), row.id
        kinds = {d["kind"] for _, _, d in grid.edges(row.access_node, data=True)}
        assert "voie_verte" in kinds, row.id  # a greenway row crosses every unit


def test_pois_attached_on_a_grid(
    pois: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, grid: nx.MultiDiGraph
) -> None:
    parks = attach_access_nodes(parks, grid)
    allp = gpd.GeoDataFrame(
        pd.concat([pois, park_unit_pois(parks, G=grid)], ignore_index=True), crs=CRS
    )
    out = attach_pois(allp, grid, parks=parks).set_index("id")
    assert out["node_dist_m"].max() <= 200.0 / np.sqrt(2) + 0.1
    assert out.loc["terril:T074", "park"] == "louvre-lens"
    assert out.loc["terril:T042", "park"] == "loisinord"
    assert out.loc["terril:T205", "park"] == "parc-des-iles"
    assert out.loc["neonatural:ENZT01", "park"] == "deux-vallees"
    assert out.loc["shaft:0", "park"] == ""
    assert (out.loc[[f"park:{i}" for i in parks["id"]], "park"] == list(parks["id"])).all()
    assert (out.loc[[f"park:{i}" for i in parks["id"]], "node_dist_m"] == 0.0).all()

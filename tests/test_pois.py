"""Unit tests of parcs.pois on synthetic layers written in code to a temporary sources folder."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from parcs import SourceError
from parcs.perimeter import CRS, Perimeter
from parcs.pois import (
    ATTACHED_COLUMNS,
    POI_COLUMNS,
    POI_MARGIN_M,
    attach_pois,
    build_pois,
    load_pois,
    park_unit_pois,
    shaft_name,
    terril_name,
    with_park_units,
)
from parcs.schema import POI_CATEGORIES

X0, Y0 = 684_000.0, 7_034_000.0  # Lambert-93, near Lens
EAST = X0 + 4000  # eastern edge of the synthetic territory


@pytest.fixture()
def perimeter() -> Perimeter:
    communes = gpd.GeoDataFrame(
        {
            "insee": ["62001", "62002"],
            "nom": ["Alpha", "Beta"],
            "population": [1000, 2000],
            "epci_nom": ["CA de Lens - Liévin", "CA d'Hénin-Carvin"],
            "agglomeration": ["Lens-Liévin", "Hénin-Carvin"],
        },
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000), box(X0 + 2000, Y0, EAST, Y0 + 2000)],
        crs=CRS,
    )
    return Perimeter(communes=communes, geometry=communes.union_all())


def _sq(x: float, y: float, half: float = 20.0) -> BaseGeometry:
    return box(x - half, y - half, x + half, y + half)


def _write(root: Path, relpath: str, rows: list[dict[str, Any]]) -> None:
    """Write synthetic features (geometry in EPSG:2154) as a WGS84 GeoJSON file."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    geoms = [r.pop("geometry") for r in rows]
    gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=CRS).to_crs("EPSG:4326").to_file(
        path, driver="GeoJSON"
    )


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    root = tmp_path / "sources"
    bm = "bassin-minier/"
    _write(root, bm + "terrils.geojson", [
        {"id": "0", "no_terril": "T074", "nom": "11/19 de Lens Est", "commune_1": "Alpha",
         "forme": "Grand terril moderne", "geometry": _sq(X0 + 500, Y0 + 500, 50)},
        {"id": "1", "no_terril": "T140", "nom": "Marais du Vivier Ouest", "commune_1": "Beta",
         "forme": "Plat", "geometry": _sq(X0 + 2500, Y0 + 500)},
        {"id": "2", "no_terril": "T999", "nom": "Loin", "commune_1": "Ailleurs",
         "forme": "Conique", "geometry": _sq(X0 - 2000, Y0 + 500)},
    ])  # fmt: skip
    _write(root, bm + "zt-terrils.geojson", [
        {"id": "T140", "nom": "Marais du Vivier ouest", "nom_usuel": "Marais du Vivier",
         "commune_1": "BETA", "forme": "Plat", "geometry": _sq(X0 + 2500, Y0 + 500)},
        {"id": "T042", "nom": "3 de Noeux sud", "nom_usuel": "Loisinord", "commune_1": "ALPHA",
         "forme": "Tronqué", "geometry": _sq(X0 + 800, Y0 + 1500)},
        {"id": "T043", "nom": "Sans nom", "nom_usuel": None, "commune_1": "X",
         "forme": "Arasé", "geometry": _sq(EAST + 300, Y0 + 1000)},  # in the margin
        {"id": "T044", "nom": "Trop loin", "nom_usuel": None, "commune_1": "X",
         "forme": "Arasé", "geometry": _sq(EAST + 800, Y0 + 1000)},
    ])  # fmt: skip
    _write(root, bm + "espace-neonaturel.geojson", [
        {"id": "3", "nom": "Parc de Wingles", "commune_1": "Alpha", "id_unesco": "63J",
         "geometry": _sq(X0 + 1000, Y0 + 1000, 100)},
    ])  # fmt: skip
    _write(root, bm + "zt-espaces-neonaturels.geojson", [
        {"id": "ENZT07", "nom": "Parc de la Glissoire", "commune_1": "BETA",
         "geometry": _sq(X0 + 3000, Y0 + 1500, 100)},
    ])  # fmt: skip
    _write(root, bm + "bien-inscrit.geojson", [
        {"id": "0", "no_section": 9, "section": "Compagnie des mines de Béthune", "no_element": 80,
         "nom": "Cité du n°7", "surface_ha": 29.07, "geometry": _sq(X0 + 1500, Y0 + 300, 60)},
    ])  # fmt: skip
    _write(root, bm + "batis.geojson", [
        {"id": "0", "id_unesco": "37B", "nom": None, "denomination": "Dispensaire",
         "typologie": "Équipement SSM", "compagnie": "HBNPC", "periode": "Après 1945",
         "protection": "non", "geometry": _sq(X0 + 3500, Y0 + 300, 10)},
    ])  # fmt: skip
    _write(root, bm + "puits-de-mines.geojson", [
        {"id": "0", "commune": "Alpha", "compagnie": "Société Houillère de Vendin",
         "concession": "Vendin", "fosse": "1", "fosse_alias": None, "puits": "1", "cote": 30.5,
         "creusement": "1857", "fermeture": "1928", "profondeur": 384.0,
         "geometry": Point(X0 + 100, Y0 + 100)},
        {"id": "1", "commune": "Beta", "compagnie": "Compagnie d'Anzin", "concession": None,
         "fosse": "Saint-Roch", "fosse_alias": None, "puits": "avaleresse", "cote": 0.0,
         "creusement": "1778", "fermeture": None, "profondeur": 0.0,
         "geometry": Point(X0 + 3900, Y0 + 1900)},
        {"id": "2", "commune": "Loin", "compagnie": "C", "concession": None, "fosse": "2",
         "fosse_alias": None, "puits": "2", "cote": 10.0, "creusement": "1900",
         "fermeture": "1950", "profondeur": 100.0, "geometry": Point(X0 - 5000, Y0)},
    ])  # fmt: skip
    _write(root, bm + "zt-parvis-agricoles.geojson", [
        {"id": 22, "qualite_vue": "coteau dégageant des vues", "vue_sur": "T074, T042",
         "geometry": _sq(X0 + 1800, Y0 + 1800, 100)},
        {"id": 23, "qualite_vue": "Espaces dégageant vues avérées", "vue_sur": "Sainte-Henriette",
         "geometry": _sq(X0 + 200, Y0 + 1800, 100)},
    ])  # fmt: skip
    _write(root, "adav/bicycle-rental-2018.geojson", [
        {"id": "node/268620141", "@id": "node/268620141", "name": None, "network": "Velam",
         "ref": "18", "operator": "JCDecaux", "capacity": None, "geometry": Point(X0 + 50, Y0 + 50)},
        {"id": "node/1", "@id": "node/1", "name": "Lille", "network": "V'Lille", "ref": None,
         "operator": None, "capacity": "20", "geometry": Point(X0 + 30000, Y0)},
    ])  # fmt: skip
    _write(root, "adav/bicycle-shelters-2017.geojson", [
        {"@id": "way/444724752", "name": "Abris Vélo Gare de Cuinchy", "bicycle_pa": "shed",
         "capacity": "25", "operator": "SNCF", "geometry": Point(X0 + 1200, Y0 + 1200)},
        {"@id": None, "name": None, "bicycle_pa": None, "capacity": None, "operator": "Keolis",
         "geometry": Point(X0 + 1300, Y0 + 1200)},
    ])  # fmt: skip
    _write(root, "adav/gares-ter.geojson", [
        {"OBJECTID": 70.0, "CODEGARE": "87345025", "NOMGARE": "LENS", "NOMGAREMIN": "Lens",
         "geometry": Point(X0 + 1600, Y0 + 900)},
        {"OBJECTID": 71.0, "CODEGARE": "87345157", "NOMGARE": "HENIN-BEAUMONT", "NOMGAREMIN": None,
         "geometry": Point(X0 + 2600, Y0 + 900)},
        {"OBJECTID": 1.0, "CODEGARE": "87286005", "NOMGARE": "LILLE FLANDRES",
         "NOMGAREMIN": "Lille Flandres", "geometry": Point(X0 + 30000, Y0)},
    ])  # fmt: skip
    return root


# --------------------------------------------------------------------------- load_pois


def test_load_pois_ids_categories_and_margin(perimeter: Perimeter, sources: Path) -> None:
    pois = load_pois(perimeter=perimeter, sources=sources)
    assert list(pois.columns) == list(POI_COLUMNS)
    assert pois.crs == CRS and set(pois.geom_type) == {"Point"}
    ids = set(pois["id"])
    no_id_shelter = next(i for i in ids if i.startswith("parking:") and "way/" not in i)
    assert ids == {
        "terril:T074", "terril:T140", "terril:T042", "terril:T043",  # T043: in the 500 m margin
        "neonatural:EN63J", "neonatural:ENZT07",
        "heritage:element:80", "heritage:bati:37B",
        "shaft:0", "shaft:1",
        "viewpoint:22", "viewpoint:23",
        "rental:node/268620141",
        "parking:way/444724752", no_id_shelter,
        "station:87345025", "station:87345157",  # Lille Flandres: far outside
    }  # fmt: skip
    assert pois["id"].is_unique
    assert set(pois["category"]) <= set(POI_CATEGORIES)
    lon, lat = (float(v) for v in no_id_shelter.removeprefix("parking:").split(","))
    assert 2.0 < lon < 3.5 and 50.0 < lat < 51.0  # the coordinates stand in for the OSM id


def test_terril_in_both_layers_listed_once_from_listed_layer(
    perimeter: Perimeter, sources: Path
) -> None:
    pois = load_pois(perimeter=perimeter, sources=sources).set_index("id")
    assert (pois.index == "terril:T140").sum() == 1
    assert pois.loc["terril:T140", "source"] == "bassin-minier/terrils.geojson"
    assert "inscrit au patrimoine mondial" in pois.loc["terril:T140", "description"]
    assert pois.loc["terril:T042", "source"] == "bassin-minier/zt-terrils.geojson"
    assert "zone tampon" in pois.loc["terril:T042", "description"]


def test_names_and_descriptions(perimeter: Perimeter, sources: Path) -> None:
    pois = load_pois(perimeter=perimeter, sources=sources).set_index("id")
    name, desc = pois["name"], pois["description"]
    assert name["terril:T074"] == "Terril 74 – 11/19 de Lens Est"
    assert name["terril:T042"] == "Loisinord (terril 42)"
    assert name["terril:T043"] == "Terril 43"
    assert desc["terril:T074"] == (
        "Grand terril moderne ; terril n°74 à Alpha ; inscrit au patrimoine mondial de l'UNESCO."
    )
    assert desc["terril:T043"].startswith("Arasé ; terril n°43 à Beta")  # nearest commune
    assert name["shaft:0"] == "Puits n°1 de la fosse 1 (Alpha)"
    assert (
        "cote du sol 30,5 m" in desc["shaft:0"]
        and "creusé en 1857, fermé en 1928" in desc["shaft:0"]
    )
    assert name["shaft:1"] == "Avaleresse de la fosse Saint-Roch (Beta)"
    assert "cote" not in desc["shaft:1"] and "profondeur" not in desc["shaft:1"]  # 0 = unknown
    assert name["heritage:bati:37B"] == "Dispensaire"
    assert name["heritage:element:80"] == "Cité du n°7"
    assert "29,07 ha" in desc["heritage:element:80"]
    assert name["neonatural:EN63J"] == "Parc de Wingles"
    assert name["viewpoint:22"] == "Coteau avec vue sur les terrils 74 et 42"
    assert "terril 74 (11/19 de Lens Est) et terril 42 (3 de Noeux sud)" in desc["viewpoint:22"]
    assert name["viewpoint:23"] == "Vue avérée sur Sainte-Henriette"
    assert name["rental:node/268620141"] == "Station Velam n°18"
    assert name["parking:way/444724752"] == "Abris Vélo Gare de Cuinchy"
    assert (name[name.index.str.startswith("parking:")] == "Abri vélo").sum() == 1
    assert name["station:87345025"] == "Gare de Lens"
    assert desc["station:87345025"] == "Gare TER à Alpha ; code UIC 87345025."
    assert name["station:87345157"] == "Gare d'Henin-Beaumont"  # no normal-case name: from capitals
    assert all(d.endswith(".") and d[0].isupper() for d in desc)


def test_points_are_representative_points(perimeter: Perimeter, sources: Path) -> None:
    pois = load_pois(perimeter=perimeter, sources=sources).set_index("id")
    assert _sq(X0 + 500, Y0 + 500, 50).contains(pois.geometry["terril:T074"])
    assert pois.geometry["shaft:0"].equals_exact(Point(X0 + 100, Y0 + 100), 1e-3)


def test_margin_is_configurable(perimeter: Perimeter, sources: Path) -> None:
    inner = load_pois(perimeter=perimeter, sources=sources, margin_m=0)
    wide = load_pois(perimeter=perimeter, sources=sources, margin_m=1000)
    assert "terril:T043" not in set(inner["id"])
    assert {"terril:T043", "terril:T044"} <= set(wide["id"])
    assert POI_MARGIN_M == 500.0


def test_missing_layer_says_fetch(perimeter: Perimeter, sources: Path) -> None:
    (sources / "bassin-minier/puits-de-mines.geojson").unlink()
    with pytest.raises(SourceError, match=r"puits-de-mines.geojson: not fetched yet"):
        load_pois(perimeter=perimeter, sources=sources)


@pytest.mark.parametrize(
    ("puits", "fosse", "commune", "expected"),
    [
        ("1", "1", "Annezin", "Puits n°1 de la fosse 1 (Annezin)"),
        ("7 bis", "Bonnel", "Barlin", "Puits n°7 bis de la fosse Bonnel (Barlin)"),
        ("épuisement", None, "Auby", "Puits d'épuisement (Auby)"),
        ("Sainte-Barbe", "Sainte-Barbe", None, "Puits Sainte-Barbe de la fosse Sainte-Barbe"),
        (None, None, None, "Puits"),
    ],
)
def test_shaft_name(puits: Any, fosse: Any, commune: Any, expected: str) -> None:
    assert shaft_name(puits, fosse, commune) == expected


def test_terril_name_without_name() -> None:
    assert terril_name("T254", "Sans nom") == "Terril 254"
    assert terril_name("T010", "") == "Terril 10"


# --------------------------------------------------------------------------- attach


def _graph(nodes: Mapping[int, tuple[float, float]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs=CRS)
    for n, (x, y) in nodes.items():
        g.add_node(n, x=x, y=y)
    ids = list(nodes)
    for u, v in itertools.pairwise(ids):
        g.add_edge(u, v, kind="voie_verte", length=1.0)
        g.add_edge(v, u, kind="voie_verte", length=1.0)
    return g


def _pois(points: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": list(points),
            "category": "terril",
            "name": list(points),
            "source": "s",
            "description": "d",
        },
        geometry=[Point(xy) for xy in points.values()],
        crs=CRS,
    )


def _parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["big", "small"],
            "name": ["Grand parc", "Petit parc"],
            "description": ["Grand.", "Petit."],
            "access_node": [10, 30],
        },
        geometry=[box(0, 0, 1000, 1000), box(100, 100, 300, 300)],
        crs=CRS,
    )


def test_attach_nearest_node_distance_and_park() -> None:
    g = _graph({10: (0.0, 0.0), 20: (1000.0, 0.0), 30: (200.0, 200.0)})
    pois = _pois({"a": (30.0, 40.0), "b": (990.0, 5.0), "c": (210.0, 200.0), "d": (5000.0, 0.0)})
    out = attach_pois(pois, g, parks=_parks())
    assert list(out.columns) == list(ATTACHED_COLUMNS)
    got = out.set_index("id")
    assert got["node"].to_dict() == {"a": 10, "b": 20, "c": 30, "d": 20}
    assert got["node_dist_m"].to_dict() == {"a": 50.0, "b": 11.2, "c": 10.0, "d": 4000.0}
    # the smallest containing unit wins; outside every unit: ''
    assert got["park"].to_dict() == {"a": "big", "b": "big", "c": "small", "d": ""}
    assert "node" not in pois.columns  # the input is not modified
    assert out["node"].dtype == "int64"


def test_attach_without_parks() -> None:
    g = _graph({1: (0.0, 0.0), 2: (100.0, 0.0)})
    out = attach_pois(_pois({"a": (60.0, 0.0)}), g)
    assert out["park"].tolist() == [""] and out["node"].tolist() == [2]


def test_park_unit_pois_at_access_node() -> None:
    g = _graph({10: (0.0, 0.0), 20: (1000.0, 0.0), 30: (200.0, 200.0)})
    units = park_unit_pois(_parks(), G=g)
    assert list(units.columns) == list(POI_COLUMNS)
    assert units["id"].tolist() == ["park:big", "park:small"]
    assert set(units["category"]) == {"park_unit"}
    assert units["source"].tolist() == ["data/parcs.toml"] * 2
    assert units.geometry.iloc[0].equals(Point(0, 0)) and units.geometry.iloc[1].equals(
        Point(200, 200)
    )
    attached = attach_pois(units, g, parks=_parks()).set_index("id")
    # node 10 sits on the corner of 'big' (not within it), yet the POI belongs to its own unit
    assert attached["park"].to_dict() == {"park:big": "big", "park:small": "small"}
    assert attached["node_dist_m"].tolist() == [0.0, 0.0]


def test_park_unit_pois_without_graph_use_representative_point() -> None:
    parks = _parks()
    units = park_unit_pois(parks)
    assert parks.geometry.iloc[1].contains(units.geometry.iloc[1])


def test_build_pois(perimeter: Perimeter, sources: Path) -> None:
    g = _graph({1: (X0 + 500, Y0 + 500), 2: (X0 + 3000, Y0 + 1500)})
    parks = gpd.GeoDataFrame(
        {"id": ["centre"], "name": ["Centre"], "description": ["C."], "access_node": [1]},
        geometry=[_sq(X0 + 500, Y0 + 500, 300)],
        crs=CRS,
    )
    pois = build_pois(perimeter, parks=parks, G=g, sources=sources).set_index("id")
    assert pois.loc["park:centre", "category"] == "park_unit"
    assert pois.loc["terril:T074", "park"] == "centre" and pois.loc["terril:T074", "node"] == 1
    assert (
        pois.loc["neonatural:ENZT07", "park"] == "" and pois.loc["neonatural:ENZT07", "node"] == 2
    )
    assert pois.index.is_unique


def test_with_park_units_appends_once() -> None:
    g = _graph({10: (0.0, 0.0), 20: (1000.0, 0.0), 30: (200.0, 200.0)})
    pois = _pois({"a": (30.0, 40.0)})
    both = with_park_units(pois, _parks(), g)
    assert both["id"].tolist() == ["a", "park:big", "park:small"]
    assert with_park_units(both, _parks(), g)["id"].tolist() == both["id"].tolist()
    assert len(pois) == 1

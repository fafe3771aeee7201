"""The layers of an OSM build: POIs, park units and communes, in the graph's CRS.

POIs
----
Every element :func:`parcs.osm.tags.poi_category` recognises, as a point (a node, or the
representative point of a way or multipolygon) inside the area: ``id`` ``osm:node/123``,
``category``, ``name`` (the OSM name, else the French label of the category), ``source`` ``osm``
and a short ``description`` (:func:`parcs.osm.tags.poi_description`). In the Artois the open-data
POIs (:func:`parcs.pois.load_pois`: terrils, UNESCO heritage, mine shafts, neo-natural parks,
viewpoints, ADAV bike-share and shelters) are added; where both describe the same place
(:data:`DEDUP_M`), the open-data POI is kept for heritage themes (its identity — terril number,
UNESCO status — is richer) and the OSM one for bike parking and rental (the ADAV points are OSM
extracts of 2017–2018; OSM itself is fresher).

Park units
----------
In the Artois the registry units (:func:`parcs.parks.build_parks`) are kept, each grown by the
OSM parks (``leisure=park``, ``landuse=recreation_ground``) that lie mostly inside it
(:data:`PARK_OVERLAP_SHARE`). Elsewhere the registry does not apply: every OSM park of at least
:data:`MIN_PARK_HA` becomes a unit (``id`` ``osm-way-123``, the OSM name or "Parc sans nom",
empty agglomeration and communes). A build with no such park has an empty (but well-formed)
parks layer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from parcs.osm.extract import OsmFeature
from parcs.osm.tags import poi_category, poi_description
from parcs.parks import PARK_COLUMNS
from parcs.perimeter import WGS84
from parcs.pois import POI_COLUMNS
from parcs.schema import POI_CATEGORIES

logger = logging.getLogger(__name__)

#: Smallest OSM park (ha) that becomes a park unit outside the Artois.
MIN_PARK_HA = 1.0
#: An OSM park joins a registry unit when at least this share of its area lies inside the unit.
PARK_OVERLAP_SHARE = 0.5
#: Two POIs of one category closer than this (m) are one place (terrils are large: 150 m; a
#: station's OSM node and its TER point may lie on either side of the tracks: 300 m).
DEDUP_M: dict[str, float] = {"terril": 150.0, "station": 300.0}
DEFAULT_DEDUP_M = 40.0
#: Categories for which the open-data POI wins over the OSM one.
OPENDATA_FIRST = frozenset({"terril", "heritage", "mine_shaft", "neonatural_park", "viewpoint"})

COMMUNE_COLUMNS: tuple[str, ...] = ("insee", "nom", "population", "epci_nom", "agglomeration")


def _wgs84_frame(features: Sequence[OsmFeature], columns: Mapping[str, Sequence[object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[f.geometry for f in features], crs=WGS84)


def osm_pois(features: Sequence[OsmFeature], *, area: BaseGeometry, crs: str) -> gpd.GeoDataFrame:
    """The OSM POIs inside ``area`` (WGS84 polygon), as points in ``crs`` (:data:`POI_COLUMNS`)."""
    seen: set[str] = set()
    kept: list[OsmFeature] = []
    for f in features:
        if f.key not in seen and poi_category(f.tags):
            seen.add(f.key)
            kept.append(f)
    cats = [str(poi_category(f.tags)) for f in kept]
    gdf = _wgs84_frame(
        kept,
        {
            "id": [f.key for f in kept],
            "category": cats,
            "name": [f.tags.get("name", "").strip() or POI_CATEGORIES[c].capitalize() for f, c in zip(kept, cats, strict=True)],
            "source": ["osm"] * len(kept),
            "description": [poi_description(f.tags) for f in kept],
        },
    )
    gdf = gdf.set_geometry(gdf.geometry.representative_point())
    gdf = gdf[gdf.geometry.intersects(area)]  # points on the boundary count (area = file extent)
    return gpd.GeoDataFrame(gdf[list(POI_COLUMNS)], geometry="geometry", crs=WGS84).to_crs(crs).reset_index(drop=True)


def merge_pois(osm: gpd.GeoDataFrame, opendata: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """OSM and open-data POIs together, one POI per place and category (see the module doc)."""
    opendata = opendata.to_crs(osm.crs)
    drop_osm: set[int] = set()
    drop_open: set[int] = set()
    for cat in sorted(set(osm["category"]) & set(opendata["category"])):
        a = osm[osm["category"] == cat]
        b = opendata[opendata["category"] == cat]
        tree = shapely.STRtree(b.geometry.values)
        ia, ib = tree.query(a.geometry.values, predicate="dwithin", distance=DEDUP_M.get(cat, DEFAULT_DEDUP_M))
        if cat in OPENDATA_FIRST:
            drop_osm.update(a.index[ia].tolist())
        else:
            drop_open.update(b.index[ib].tolist())
    both = pd.concat([opendata.drop(index=list(drop_open)), osm.drop(index=list(drop_osm))], ignore_index=True)
    logger.info("POIs: %d open-data and %d OSM duplicates dropped", len(drop_open), len(drop_osm))
    return gpd.GeoDataFrame(both, geometry="geometry", crs=osm.crs)


def osm_parks(features: Sequence[OsmFeature], *, crs: str) -> gpd.GeoDataFrame:
    """The OSM parks as polygons in ``crs`` with ``id``, ``name``, ``area_ha`` (all sizes)."""
    gdf = _wgs84_frame(
        features,
        {
            "id": [f"osm-{f.osm_type}-{f.osm_id}" for f in features],
            "name": [f.tags.get("name", "").strip() for f in features],
        },
    ).to_crs(crs)
    gdf = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"]) & gdf.is_valid]
    gdf = gdf.drop_duplicates("id")
    gdf["area_ha"] = gdf.geometry.area / 1e4
    return gdf.reset_index(drop=True)


def units_from_osm_parks(
    parks: gpd.GeoDataFrame, *, area: BaseGeometry, min_ha: float = MIN_PARK_HA
) -> gpd.GeoDataFrame:
    """Park units made of the OSM parks of at least ``min_ha`` (``area`` in the parks' CRS)."""
    gdf = parks.copy()
    gdf["geometry"] = gdf.geometry.intersection(area)
    gdf = gdf[~gdf.geometry.is_empty & (gdf.geometry.area >= min_ha * 1e4)].copy()
    gdf = gdf.sort_values("area_ha", ascending=False)
    gdf["name"] = [n or f"Parc sans nom ({i.removeprefix('osm-').replace('-', ' ')})" for n, i in zip(gdf["name"], gdf["id"], strict=True)]
    gdf["agglomeration"] = ""
    gdf["communes"] = ""
    gdf["description"] = "Parc OpenStreetMap (leisure=park / landuse=recreation_ground)"
    gdf["activities"] = ""
    gdf["area_ha"] = (gdf.geometry.area / 1e4).round(1)
    return gpd.GeoDataFrame(gdf[list(PARK_COLUMNS)], geometry="geometry", crs=parks.crs).reset_index(drop=True)


def grow_units(units: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Registry units united with the OSM parks lying mostly inside them; returns the count used."""
    units = units.to_crs(parks.crs).copy()
    used = 0
    if parks.empty:
        return units, used
    tree = shapely.STRtree(parks.geometry.values)
    geoms = list(units.geometry.values)
    for i, unit in enumerate(geoms):
        cand = tree.query(unit, predicate="intersects")
        polys = parks.geometry.values[cand]
        share = shapely.area(shapely.intersection(polys, unit)) / shapely.area(polys)
        good = polys[share >= PARK_OVERLAP_SHARE]
        if len(good):
            geoms[i] = shapely.union_all([unit, *good])
            used += len(good)
    units["geometry"] = geoms
    units["area_ha"] = (units.geometry.area / 1e4).round(1)
    return units, used


def empty_communes(crs: str) -> gpd.GeoDataFrame:
    """The communes layer of a build outside the Pôle: no row, the usual columns."""
    return gpd.GeoDataFrame({c: [] for c in COMMUNE_COLUMNS}, geometry=[], crs=crs)

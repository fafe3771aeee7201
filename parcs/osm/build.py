"""Build the planner's network from OpenStreetMap: area, data, graph, enrichment, elevation, layers.

The steps are described in :mod:`parcs.osm`; this module runs them in order.
"""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from parcs import elevation, paths
from parcs._errors import DataError, InvalidRequestError, SourceError
from parcs.artifact import Network
from parcs.build import AREA_MARGIN_M
from parcs.osm import extract as osm_file
from parcs.osm import graph as osm_graph
from parcs.osm import layers as osm_layers
from parcs.osm import overpass as osm_overpass
from parcs.osm.access import country_of
from parcs.osm.areas import mesh_pedestrian_areas
from parcs.osm.barriers import split_barriers
from parcs.osm.tags import RouteRelation, route_memberships
from parcs.perimeter import CRS, WGS84, Perimeter, load_perimeter

logger = logging.getLogger(__name__)

__all__ = ["OsmArea", "build_osm_network", "parse_area", "resolve_area"]

#: Margin (m) of the network around the Pôle: the open-data build's.
PERIMETER_MARGIN_M = AREA_MARGIN_M
#: Margin (degrees, about 1 km) of the pre-cut of a large file around the area's bounding box.
FILE_PRECUT_DEG = 0.01
#: Overpass requests: server timeout (s) and largest area per request (m², osmnx splits larger
#: areas): the Pôle and its margin (about 2,000 km²) go in about five requests of each kind.
ONLINE_TIMEOUT_S = 600
ONLINE_QUERY_AREA_M2 = 500e6

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class OsmArea:
    """The area of an OSM build.

    ``network`` (WGS84) is where ways are kept; ``perimeter`` (WGS84) is the territory the build
    reports on (the Pôle for ``perimeter``, else the same as ``network``); ``pole`` is the Pôle
    when the area overlaps it (its communes and open-data layers apply), else None.
    ``country`` (ISO 3166 alpha-2, None if unknown) selects the access defaults and the CRS.
    """

    spec: str
    network: BaseGeometry
    perimeter: BaseGeometry
    pole: Perimeter | None
    country: str | None = None


def parse_area(area: str) -> str | BBox:
    """``"perimeter"``, ``"file"`` or a ``(west, south, east, north)`` WGS84 box.

    >>> parse_area("perimeter"), parse_area("24.93, 60.16,24.96,60.18")
    ('perimeter', (24.93, 60.16, 24.96, 60.18))

    Raises
    ------
    InvalidRequestError
        For anything else, or a box that is empty or off the globe.
    """
    text = str(area).strip().lower()
    if text in {"perimeter", "file"}:
        return text
    parts = text.split(",")
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise InvalidRequestError(
            f"--area {area!r}: expected 'perimeter', 'file' or W,S,E,N in degrees (WGS84)"
        ) from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise InvalidRequestError(f"--area {area!r}: coordinates must be finite numbers")
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InvalidRequestError(
            f"--area {area!r}: need west < east in [-180, 180] and south < north in [-90, 90]"
        )
    return (w, s, e, n)


def _load_pole() -> Perimeter | None:
    try:
        return load_perimeter()
    except (SourceError, DataError) as exc:
        logger.info("the Pôle's communes are not available (%s): no open-data layer", exc)
        return None


def resolve_area(spec: str | BBox, *, extent: BBox | None = None) -> OsmArea:
    """The :class:`OsmArea` of a parsed ``--area`` (``extent``: the file's, for ``"file"``).

    Raises
    ------
    SourceError
        For ``perimeter`` when the communes are not fetched.
    InvalidRequestError
        For ``file`` without an extent (no file, or a file without located nodes).
    """
    if spec == "perimeter":
        pole = load_perimeter()
        wgs = pole.geometry_wgs84()
        net = gpd.GeoSeries([pole.geometry.buffer(PERIMETER_MARGIN_M)], crs=CRS).to_crs(WGS84)
        return OsmArea("perimeter", net.iloc[0], wgs, pole, "FR")
    if spec == "file":
        if extent is None:
            raise InvalidRequestError("--area file needs an OSM file with data (--source osm-file PATH)")
        polygon, label = box(*extent), "file"
    elif isinstance(spec, tuple):
        polygon, label = box(*spec), ",".join(f"{v:g}" for v in spec)
    else:
        raise InvalidRequestError(f"unknown area {spec!r}")
    found = _load_pole()
    inside = found is not None and found.geometry_wgs84().intersects(polygon)
    country = "FR" if inside else country_of(polygon.bounds)
    return OsmArea(label, polygon, polygon, found if inside else None, country)


@dataclass(frozen=True)
class _OsmData:
    """What was read besides the raw graph (kept apart so the raw graph can be freed early)."""

    routes: list[RouteRelation]
    pois: list[osm_file.OsmFeature]
    parks: list[osm_file.OsmFeature]
    canals: list[osm_file.OsmFeature]
    counts: dict[str, Any]


def _read_file(path: Path, spec: str | BBox) -> tuple[nx.MultiDiGraph, _OsmData, OsmArea]:
    """Scan an extract, resolve the area, build the raw graph through osmnx's XML reader."""
    path = osm_file.check_osm_file(path)
    pre: BBox | None = None
    if spec != "file":
        area = resolve_area(spec)
        w, s, e, n = area.network.bounds
        pre = (w - FILE_PRECUT_DEG, s - FILE_PRECUT_DEG, e + FILE_PRECUT_DEG, n + FILE_PRECUT_DEG)
    scan = osm_file.scan_file(path, bbox=pre, want_extent=spec == "file")
    if not scan.ways and scan.ways_outside:
        raise DataError(
            f"{path.name} : l'extrait ne recouvre pas la zone --area {area.spec} "
            "(no way of the network in the area)"
        )
    if not scan.ways:
        raise DataError(
            f"{path.name} : aucune voie utilisable à pied ou à vélo dans l'extrait "
            "(no way of the network: paths, tracks, streets)"
        )
    if spec == "file":
        area = resolve_area("file", extent=scan.extent)
    n_ways = len(scan.ways)
    with tempfile.TemporaryDirectory(prefix="parcs-osm-") as tmp:
        xml = Path(tmp) / "network.osm"
        synthetic = osm_file.write_network_xml(scan.ways, xml, barriers=scan.barriers)
        scan.ways.clear()  # written: free them before osmnx reads the file
        with osm_graph.osmnx_settings():
            graph = ox.graph_from_xml(xml, bidirectional=False, simplify=False, retain_all=True)
    osm_file.restore_way_ids(graph, synthetic)
    counts = {"ways": n_ways, "missing_node_refs": scan.missing_refs, "split_pieces": len(synthetic)}
    return graph, _OsmData(scan.routes, scan.pois, scan.parks, scan.canals, counts), area


def _download(area: OsmArea) -> tuple[nx.MultiDiGraph, _OsmData]:
    """Download the area from Overpass (osmnx's cache in ``data/cache/osmnx``)."""
    cache = paths.data_dir() / "cache" / "osmnx"
    query = osm_graph.query_polygon(area.network)
    settings = {
        "cache_folder": str(cache),
        "requests_timeout": ONLINE_TIMEOUT_S,
        "max_query_area_size": ONLINE_QUERY_AREA_M2,
    }
    with osm_graph.osmnx_settings(**settings):
        graph = osm_overpass.download_network(query)
        pois, parks, canals = osm_overpass.download_features(query)
        routes = osm_overpass.download_routes(query)
    ways = len({d["osmid"] for _, _, d in graph.edges(data=True)})
    return graph, _OsmData(routes, pois, parks, canals, {"ways": ways})


def _simplified(
    raw: nx.MultiDiGraph, data: _OsmData, area: OsmArea
) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    """Cut, classify, split barriers, mesh pedestrian areas (all in place on ``raw``), simplify."""
    osm_graph.cut(raw, area.network)
    counts = dict(data.counts)
    routes = route_memberships(data.routes)
    counts.update(osm_graph.classify_graph(raw, routes=routes, country=area.country))
    if raw.number_of_edges() == 0:
        raise DataError("aucune voie utilisable à pied ou à vélo dans la zone (no usable way in the area)")
    counts.update(split_barriers(raw))
    counts.update(mesh_pedestrian_areas(raw))
    simple, more = osm_graph.simplify(raw)
    counts.update(more)
    return simple, counts


def _projected(
    simple: nx.MultiDiGraph, data: _OsmData, area: OsmArea, counts: dict[str, Any]
) -> nx.MultiDiGraph:
    """Geometry, projection, towpaths (``counts`` completed in place)."""
    crs = osm_graph.choose_crs(area.network, country=area.country or "")
    graph = osm_graph.finish_geometry(simple, crs=crs)
    counts["km_kept"] = round(osm_graph.usable_km(graph), 3)
    counts["towpath_edges"] = osm_graph.mark_towpaths(graph, [c.geometry for c in data.canals])
    counts["route_relations"] = len(data.routes)
    for _, _, d in graph.edges(data=True):
        d.setdefault("heritage", "")
    graph.graph["name"] = "Chaîne des parcs (OpenStreetMap)"
    return graph


def _with_elevation(G: nx.MultiDiGraph, dem: list[Path] | None) -> tuple[nx.MultiDiGraph, str]:  # noqa: N803
    """Elevation from ``dem``, else from the fetched SRTM tiles if they cover, else flat."""
    if dem:
        given = elevation.load_dem(dem)
        names = ", ".join(Path(p).name for p in dem)
        try:
            return elevation.add_elevation(G, dem=given), "dem:" + ";".join(Path(p).name for p in dem)
        except DataError as exc:
            raise DataError(
                f"--dem {names} : les tuiles d'altitude ne couvrent pas la zone du réseau ({exc})"
            ) from exc
    model: elevation.Dem | None = None
    with contextlib.suppress(SourceError):
        model = elevation.load_dem(elevation.dem_paths())
    if model is not None:
        lon = np.fromiter((d["lon"] for _, d in G.nodes(data=True)), dtype=float)
        lat = np.fromiter((d["lat"] for _, d in G.nodes(data=True)), dtype=float)
        if np.isfinite(model.sample_lonlat(lon, lat)).all():
            try:
                return elevation.add_elevation(G, dem=model), "srtm"
            except DataError as exc:
                logger.warning("the SRTM tiles do not cover every edge (%s)", exc)
    logger.warning(
        "no elevation model covers the area: elevation 0 everywhere, climb and grades 0 "
        "(give elevation tiles with --dem FILE ...)"
    )
    return osm_graph.add_flat_elevation(G), "none"


def _opendata(G: nx.MultiDiGraph, area: OsmArea) -> dict[str, int]:  # noqa: N803
    """Lay the open-data greenway lines on the OSM edges (Artois only; in place)."""
    from parcs.layers import load_greenway_lines
    from parcs.osm.opendata import enrich_from_opendata

    zone = gpd.GeoSeries([area.network], crs=WGS84).to_crs(CRS).iloc[0]
    try:
        lines = load_greenway_lines(area=zone)
    except SourceError as exc:
        logger.warning("open-data layers not fetched (%s): run `parcs fetch` for a richer build", exc)
        return {}
    return enrich_from_opendata(G, lines)


def _units_and_pois(
    G: nx.MultiDiGraph, data: _OsmData, area: OsmArea  # noqa: N803
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, Any]]:
    """Park units (with access nodes), POIs (attached) and communes, in the graph's CRS."""
    from parcs import parks as parks_mod
    from parcs import pois as pois_mod

    crs = G.graph["crs"]
    zone = gpd.GeoSeries([area.network], crs=WGS84).to_crs(crs).iloc[0]
    osm_pois = osm_layers.osm_pois(data.pois, area=area.network, crs=crs)
    osm_parks = osm_layers.osm_parks(data.parks, crs=crs)
    counts: dict[str, Any] = {"osm_pois": len(osm_pois), "osm_parks": len(osm_parks)}
    if area.pole is not None:
        units = parks_mod.build_parks(area.pole).to_crs(crs)
        units = units[units.intersects(zone)].reset_index(drop=True)
        units, counts["osm_parks_in_units"] = osm_layers.grow_units(units, osm_parks)
        opendata = pois_mod.load_pois(perimeter=area.pole).to_crs(crs)
        opendata = opendata[opendata.intersects(zone)]
        all_pois = osm_layers.merge_pois(osm_pois, opendata)
        communes = area.pole.communes.to_crs(crs)
        communes = communes[communes.intersects(zone)].reset_index(drop=True)
        unit_source = pois_mod.PARKS_SOURCE
    else:
        units = osm_layers.units_from_osm_parks(osm_parks, area=zone)
        all_pois, communes, unit_source = osm_pois, osm_layers.empty_communes(crs), "osm"
    units = parks_mod.attach_access_nodes(units, G)
    unit_pois = pois_mod.park_unit_pois(units, G=G).to_crs(crs)
    unit_pois["source"] = unit_source
    both = gpd.GeoDataFrame(
        gpd.pd.concat([all_pois, unit_pois], ignore_index=True), geometry="geometry", crs=crs
    )
    return units, pois_mod.attach_pois(both, G, parks=units), communes, counts


def build_osm_network(
    *,
    osm_file: Path | None = None,
    area: str = "perimeter",
    dem: list[Path] | None = None,
    progress: bool = True,
) -> Network:
    """Build the network from OpenStreetMap (see the module doc).

    Parameters
    ----------
    osm_file
        A ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` extract; None downloads the area
        from the Overpass API.
    area
        ``"perimeter"`` (the Pôle; needs the fetched communes), ``"file"`` (the extent of the
        file's data) or ``"W,S,E,N"`` (WGS84 degrees).
    dem
        Elevation tiles (SRTM ``.hgt``) to use instead of the fetched SRTM tiles.
    progress
        Show a progress bar over the build steps.

    Returns
    -------
    Network
        Graph in Lambert-93 (France) or UTM (elsewhere), ``G.graph["crs"]`` naming it; layers and
        perimeter in the same CRS; ``meta["source"]`` is ``"osm"`` or ``"osm-file"``.

    Raises
    ------
    InvalidRequestError
        For a malformed ``area``, or ``"file"`` without a file.
    SourceError
        When the file, the communes (for ``perimeter``) or a DEM tile is missing, or Overpass
        cannot be reached.
    DataError
        When the file (or a DEM tile) cannot be read, or holds no network way in the area.
    BuildError
        When no network is left inside the area.
    """
    from tqdm import tqdm

    from parcs.stats import network_stats

    t0 = time.perf_counter()
    spec = parse_area(area)
    bar = tqdm(total=5, desc="osm build", unit="step", disable=not progress, leave=False)
    bar.set_postfix_str("read")
    if osm_file is not None:
        raw, data, where = _read_file(Path(osm_file), spec)
    elif spec == "file":
        raise InvalidRequestError("--area file needs --source osm-file PATH")
    else:
        where = resolve_area(spec)
        raw, data = _download(where)
    bar.update(1)
    bar.set_postfix_str("graph")
    simple, counts = _simplified(raw, data, where)
    del raw  # the raw graph is the largest object of a build: free it now
    flat = _projected(simple, data, where, counts)
    del simple
    bar.update(1)
    bar.set_postfix_str("elevation")
    enrichment = _opendata(flat, where) if where.pole is not None else None
    graph, elev = _with_elevation(flat, dem)
    bar.update(1)
    bar.set_postfix_str("layers")
    units, pois, communes, more = _units_and_pois(graph, data, where)
    bar.update(1)
    crs = graph.graph["crs"]
    perimeter = gpd.GeoSeries([where.perimeter], crs=WGS84).to_crs(crs).iloc[0]
    if where.spec == "perimeter" and where.pole is not None and crs == CRS:
        perimeter = where.pole.geometry
    meta: dict[str, Any] = {
        "source": "osm-file" if osm_file is not None else "osm",
        "osm_file": Path(osm_file).name if osm_file is not None else None,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "area": where.spec,
        "area_bounds_wgs84": [round(v, 6) for v in where.network.bounds],
        "crs": crs,
        "country": where.country,
        "elevation": elev,
        "opendata": enrichment,
        "osm": {**counts, **more},
        "osmnx": ox.__version__,
    }
    meta["stats"] = network_stats(graph, perimeter=perimeter, pois=pois)
    bar.update(1)
    bar.close()
    meta["build_seconds"] = round(time.perf_counter() - t0, 2)
    logger.info("OSM build: %s", meta["stats"])
    return Network(graph=graph, parks=units, pois=pois, communes=communes, perimeter=perimeter, meta=meta)

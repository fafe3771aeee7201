"""``parcs build --source osm-file FILE --stream``: a regional OSM build without networkx.

The ways are streamed (:mod:`parcs.osm.stream`), the network assembled as arrays
(:mod:`parcs.osm.assemble`), canals turn paths into towpaths (the rule of
:func:`parcs.osm.graph.mark_towpaths`), elevation profiles are sampled on arrays (or flat when
no model covers the area), and the result is an :class:`ArrayNetwork`: what the routing core
compiles (:func:`routing.arrays.compile_arrays`) and what :func:`routing.build.write_array_build`
writes — the nodes and edges as a GeoPackage that :func:`osmnx.graph_from_gdfs` reads back
(:func:`parcs.gpkg.read_network_gpkg`), never a pickled graph of the whole region.

On a file the osmnx path can also build, both give the same nodes, edges, lengths, kinds and
access flags (checked on Helsinki by the tests). What this path does not do yet: park units,
POIs and communes (the layers are empty), the open-data enrichment of the Artois.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from parcs import elevation
from parcs._errors import DataError, InvalidRequestError, SourceError
from parcs.osm.assemble import ArrayGraph, assemble, reversed_runs
from parcs.osm.build import parse_area, resolve_area
from parcs.osm.graph import TOWPATH_DISTANCE_M, TOWPATH_SHARE, choose_crs
from parcs.osm.stream import read_ways
from parcs.perimeter import CRS, WGS84
from parcs.schema import KINDS

logger = logging.getLogger(__name__)

__all__ = ["ArrayNetwork", "build_streamed_network"]

FloatArray = npt.NDArray[np.float64]
#: Profile spacing, climb dead band and grade window (m): those of :func:`parcs.elevation.add_elevation`.
SPACING_M, HYSTERESIS_M, WINDOW_M = 25.0, 3.0, 100.0


@dataclass(frozen=True)
class ArrayNetwork:
    """A built network held as arrays (see :class:`parcs.osm.assemble.ArrayGraph`).

    Per directed edge: ``climb``, ``descent``, ``grade_up``, ``grade_down`` and the elevation
    profile ``prof_z[prof_offsets[e]:prof_offsets[e + 1]]`` (evenly spaced, u -> v); ``node_z``
    per node. Layers in ``graph.crs``.
    """

    graph: ArrayGraph
    node_z: FloatArray
    prof_offsets: npt.NDArray[np.int64]
    prof_z: FloatArray
    climb: FloatArray
    descent: FloatArray
    grade_up: FloatArray
    grade_down: FloatArray
    parks: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    perimeter: BaseGeometry
    elevation: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def mark_towpaths(g: ArrayGraph, canals: list[BaseGeometry]) -> int:
    """``kind = towpath`` for paths, tracks and voies vertes along a canal (in place).

    Same rule as :func:`parcs.osm.graph.mark_towpaths`: at least :data:`TOWPATH_SHARE` of the
    edge within :data:`TOWPATH_DISTANCE_M` of a ``waterway=canal`` line. Returns the number of
    directed edges changed.
    """
    wanted = [i for i, k in enumerate(g.kinds) if k in {"path", "track", "voie_verte"}]
    if not canals or not wanted:
        return 0
    tr = Transformer.from_crs("EPSG:4326", g.crs, always_xy=True)
    lines = [shapely.transform(c, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))) for c in canals]
    zone = shapely.union_all(shapely.buffer(np.asarray(lines, dtype=object), TOWPATH_DISTANCE_M, quad_segs=4))
    shapely.prepare(zone)
    edges = np.flatnonzero(np.isin(g.edge_kind, wanted) & (g.edge_length > 0))
    geoms = g.edge_geometries(edges)
    near = shapely.intersects(zone, geoms)
    share = np.zeros(edges.size)
    share[near] = shapely.length(shapely.intersection(zone, geoms[near])) / shapely.length(geoms[near])
    hit = edges[share >= TOWPATH_SHARE]
    if not hit.size:
        return 0
    if "towpath" not in g.kinds:
        g.kinds.append("towpath")
    g.edge_kind[hit] = g.kinds.index("towpath")
    return int(hit.size)


def _sample_points(g: ArrayGraph, edges: npt.NDArray[np.int64]) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64], FloatArray]:
    """Profile sample points of ``edges``: x, y, offsets, and the step (m) of each edge."""
    off = g.geom_offsets
    counts_g = off[edges + 1] - off[edges]
    at = np.repeat(off[edges], counts_g) + (np.arange(int(counts_g.sum())) - np.repeat(np.cumsum(counts_g) - counts_g, counts_g))
    gx, gy = g.geom_x[at], g.geom_y[at]
    seg = np.hypot(np.diff(gx, prepend=gx[:1]), np.diff(gy, prepend=gy[:1]))
    g_first = np.cumsum(counts_g) - counts_g
    seg[g_first] = 0.0
    cum = np.cumsum(seg)
    d = cum - np.repeat(cum[g_first], counts_g)
    length = d[g_first + counts_g - 1]
    counts = np.maximum(np.ceil(length / SPACING_M - 1e-9).astype(np.int64), 1) + 1
    step = length / (counts - 1)
    offsets = np.zeros(edges.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    owner = np.repeat(np.arange(edges.size), counts)
    want = (np.arange(int(offsets[-1])) - offsets[:-1][owner]) * step[owner]
    span = float(length.max(initial=0.0)) * 2 + 1.0
    g_owner = np.repeat(np.arange(edges.size), counts_g)
    x = np.interp(owner * span + want, g_owner * span + d, gx)
    y = np.interp(owner * span + want, g_owner * span + d, gy)
    return x, y, offsets, step


def _elevation_arrays(g: ArrayGraph, dem: elevation.Dem | None) -> dict[str, Any]:
    """Node elevations and per-direction profiles, climbs and grades (0 without a model)."""
    half = g.n_edges // 2
    fwd = np.arange(half, dtype=np.int64)
    x, y, offsets, step = _sample_points(g, fwd)
    node_z = np.zeros(g.n_nodes)
    z = np.zeros(x.size)
    climb, descent, up, down = (np.zeros(half) for _ in range(4))
    if dem is not None:
        node_z = dem.sample_xy(g.node_x, g.node_y, crs=g.crs)
        z = dem.sample_xy(x, y, crs=g.crs)
        z[offsets[:-1]] = node_z[g.edge_u[:half]]
        z[offsets[1:] - 1] = node_z[g.edge_v[:half]]
        if not (np.isfinite(node_z).all() and np.isfinite(z).all()):
            raise DataError("the elevation model does not cover every node and edge of the network")
        for i, (lo, hi) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)):
            prof = z[lo:hi]
            climb[i], descent[i] = elevation.hysteresis_climb(prof, threshold=HYSTERESIS_M)
            up[i], down[i] = elevation.max_window_grades(prof, spacing=float(step[i]), window=WINDOW_M)
    rev = reversed_runs(offsets)
    return {
        "node_z": node_z,
        "prof_offsets": np.concatenate([offsets[:-1], offsets[-1] + offsets]),
        "prof_z": np.concatenate([z, z[rev]]),
        "climb": np.concatenate([climb, descent]), "descent": np.concatenate([descent, climb]),
        "grade_up": np.concatenate([up, down]), "grade_down": np.concatenate([down, up]),
    }


def _dem_for(g: ArrayGraph, dem: list[Path] | None) -> tuple[elevation.Dem | None, str]:
    """The given tiles, else the fetched SRTM tiles when they cover every node, else None."""
    if dem:
        return elevation.load_dem(dem), "dem:" + ";".join(Path(p).name for p in dem)
    model: elevation.Dem | None = None
    with contextlib.suppress(SourceError, DataError):
        model = elevation.load_dem(elevation.dem_paths())
    if model is not None and np.isfinite(model.sample_lonlat(g.node_lon, g.node_lat)).all():
        return model, "srtm"
    logger.warning("no elevation model covers the area: elevation 0 everywhere, climb and grades 0")
    return None, "none"


def _empty_layer(crs: str, columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)


def build_streamed_network(
    osm_file: Path, *, area: str = "file", dem: list[Path] | None = None, largest_only: bool = False
) -> ArrayNetwork:
    """Build the network of an extract file as arrays (see the module doc).

    Parameters
    ----------
    osm_file
        A ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` extract.
    area
        ``"file"`` (the extent of the ways), ``"perimeter"`` (the Pôle and its margin) or
        ``"W,S,E,N"``.
    dem
        Elevation tiles; default the fetched SRTM tiles when they cover, else flat.
    largest_only
        Keep only the largest connected piece (default: every piece, as the osmnx path does).

    Raises
    ------
    InvalidRequestError, SourceError, DataError, BuildError
        As :func:`parcs.osm.build_osm_network`.
    """
    t0 = time.perf_counter()
    spec = parse_area(area)
    ways = read_ways(Path(osm_file))
    if spec == "file":
        extent = ways.extent()
        if extent is None:
            raise InvalidRequestError("--area file needs an OSM file with located network ways")
        where = resolve_area("file", extent=extent)
        polygon: BaseGeometry | None = None
    else:
        where = resolve_area(spec)
        polygon = where.network
    ways.classify(country=where.country)
    crs = choose_crs(where.network, country=where.country or "")
    g = assemble(ways, crs=crs, area=polygon, largest_only=largest_only)
    counts = {"ways": ways.n_ways, "missing_node_refs": ways.missing_refs, **g.counts}
    counts["towpath_edges"] = mark_towpaths(g, ways.canals)
    del ways
    model, elev = _dem_for(g, dem)
    arrays = _elevation_arrays(g, model)
    perimeter = gpd.GeoSeries([where.perimeter], crs=WGS84).to_crs(crs).iloc[0]
    if where.spec == "perimeter" and where.pole is not None and crs == CRS:
        perimeter = where.pole.geometry
    km = float(g.edge_length.sum()) / 2000.0
    by_kind = np.bincount(g.edge_kind, weights=g.edge_length, minlength=len(g.kinds)) / 2000.0
    z = arrays["node_z"]
    meta: dict[str, Any] = {
        "source": "osm-file", "osm_file": Path(osm_file).name, "builder": "stream",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "area": where.spec,
        "area_bounds_wgs84": [round(v, 6) for v in where.network.bounds], "crs": crs,
        "country": where.country,
        "elevation": elev, "opendata": None, "osm": counts,
        "stats": {"nodes": g.n_nodes, "edges": g.n_edges, "ways": g.n_edges // 2,
                  "km_total": round(km, 1), "km_in_perimeter": round(km, 1),
                  "km_by_kind": {k: round(float(v), 1) for k, v in zip(g.kinds, by_kind, strict=True)},
                  "greenway_km": round(float(sum(v for k, v in zip(g.kinds, by_kind, strict=True)
                                                 if k in KINDS and KINDS[k].greenway)), 1),
                  "elevation_min_m": round(float(z.min(initial=0.0)), 1),
                  "elevation_max_m": round(float(z.max(initial=0.0)), 1)},
    }
    meta["build_seconds"] = round(time.perf_counter() - t0, 2)
    return ArrayNetwork(
        graph=g, **arrays, perimeter=perimeter,
        parks=_empty_layer(crs, ["id", "name", "access_nodes", "access_node"]),
        pois=_empty_layer(crs, ["id", "category", "name", "node"]),
        communes=_empty_layer(crs, ["name", "population"]),
        elevation={"model": elev, "spacing": SPACING_M, "hysteresis": HYSTERESIS_M, "window": WINDOW_M},
        meta=meta,
    )


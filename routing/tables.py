"""The small tables of a compiled network: park units, POIs and communes, from GeoDataFrames.

Layers are projected to the network's CRS (EPSG:2154 for the open-data build); node references (graph ids in the
layers) become node *indices*. Park geometries are kept as GeoJSON in WGS84 for the app.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from routing.geo import CRS, WGS84, to_wgs84


@dataclass(frozen=True)
class Park:
    """A park unit; ``access_nodes``/``access_node`` are node *indices* (-1: none)."""

    id: str
    name: str
    agglomeration: str
    communes: tuple[str, ...]
    description: str
    activities: tuple[str, ...]
    area_ha: float
    access_nodes: tuple[int, ...]
    access_node: int
    lon: float
    lat: float
    geometry: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Poi:
    """A point of interest; ``node`` is the node *index* it is attached to (-1: none) and
    ``commune`` the name of the commune it lies in (the nearest one in the margin; '' unknown)."""

    id: str
    category: str
    name: str
    description: str
    node: int
    node_dist_m: float
    park: str
    lon: float
    lat: float
    x: float
    y: float
    commune: str = ""


@dataclass(frozen=True)
class Commune:
    """A commune of the Pôle; ``node`` is the node index nearest its centroid (main component)."""

    insee: str
    nom: str
    population: int
    lon: float
    lat: float
    x: float
    y: float
    node: int

logger = logging.getLogger(__name__)


def _proj(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """The layer in the network's CRS (a layer without CRS is taken as already in it)."""
    if gdf.crs is not None and gdf.crs != crs:
        return gdf.to_crs(crs)
    return gdf


def _str(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _float(value: Any, default: float = 0.0) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return out if math.isfinite(out) else default


def str_tuple(value: Any) -> tuple[str, ...]:
    """A list-like field as a tuple of strings: a list, a JSON list or a ';'/','-joined string.

    >>> str_tuple('["a", "b"]'), str_tuple("a; b"), str_tuple(None), str_tuple(["x"])
    (('a', 'b'), ('a', 'b'), (), ('x',))
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return tuple(str(v) for v in json.loads(text))
            except json.JSONDecodeError:
                pass
        sep = ";" if ";" in text else ","
        return tuple(p.strip() for p in text.split(sep) if p.strip())
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(str(v) for v in value)
    return (str(value),)


def _node(value: Any, index: Mapping[Any, int]) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -1
    for key in (value, _float(value, -1.0)):
        try:
            return int(index[int(key) if isinstance(key, float) and key.is_integer() else key])
        except (KeyError, TypeError, ValueError):
            continue
    return -1


def _nodes(value: Any, index: Mapping[Any, int]) -> tuple[int, ...]:
    items: list[Any]
    if isinstance(value, str):
        try:
            items = list(json.loads(value)) if value.strip() else []
        except json.JSONDecodeError:
            items = [v for v in value.replace(";", ",").split(",") if v.strip()]
    elif isinstance(value, list | tuple | np.ndarray):
        items = list(value)
    else:
        items = [] if value is None else [value]
    out = [_node(int(v) if isinstance(v, str) and v.strip().isdigit() else v, index) for v in items]
    return tuple(n for n in out if n >= 0)


def parks_table(gdf: gpd.GeoDataFrame, index: Mapping[Any, int], *, crs: str = CRS) -> tuple[Park, ...]:
    """Park units of a ``parks`` layer; ``access_node`` falls back to the first access node."""
    if gdf is None or len(gdf) == 0:
        return ()
    gdf = _proj(gdf, crs)
    wgs = gdf.to_crs(WGS84).geometry
    reps = shapely.point_on_surface(wgs.values)
    out = []
    for (_, row), geom, rep in zip(gdf.iterrows(), wgs.values, reps, strict=True):
        access = _nodes(row.get("access_nodes"), index)
        first = _node(row.get("access_node"), index)
        if first < 0 and access:
            first = access[0]
        if first >= 0 and first not in access:
            access = (first, *access)
        out.append(
            Park(
                id=_str(row.get("id")), name=_str(row.get("name")),
                agglomeration=_str(row.get("agglomeration")),
                communes=str_tuple(row.get("communes")), description=_str(row.get("description")),
                activities=str_tuple(row.get("activities")), area_ha=_float(row.get("area_ha")),
                access_nodes=access, access_node=first, lon=float(rep.x), lat=float(rep.y),
                geometry=json.loads(shapely.to_geojson(geom)) if geom is not None else {},
            )
        )
    return tuple(out)


def edge_parks(gdf: gpd.GeoDataFrame, geoms: npt.NDArray[np.object_], *, crs: str = CRS) -> npt.NDArray[np.int32]:
    """For each edge, the position of the park unit containing its midpoint (-1: none)."""
    out = np.full(len(geoms), -1, dtype=np.int32)
    if gdf is None or len(gdf) == 0 or len(geoms) == 0:
        return out
    mid = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True))
    for i, poly in enumerate(_proj(gdf, crs).geometry.values):
        if poly is None or poly.is_empty:
            continue
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, mid[:, 0], mid[:, 1]) & (out < 0)
        out[inside] = i
    return out


def _poi_communes(xy: npt.NDArray[np.float64], communes: gpd.GeoDataFrame | None, crs: str) -> list[str]:
    """The commune of each point: the one containing it, else the nearest ('' without communes)."""
    if communes is None or len(communes) == 0 or "nom" not in communes.columns or not len(xy):
        return [""] * len(xy)
    polys = _proj(communes, crs).geometry.values
    names = [_str(n) for n in communes["nom"]]
    tree = shapely.STRtree(polys)
    nearest = tree.query_nearest(shapely.points(xy), all_matches=False)
    out = [""] * len(xy)
    for i, j in zip(nearest[0].tolist(), nearest[1].tolist(), strict=True):
        out[i] = names[j]
    return out


def pois_table(
    gdf: gpd.GeoDataFrame, index: Mapping[Any, int], *, crs: str = CRS, communes: gpd.GeoDataFrame | None = None
) -> tuple[Poi, ...]:
    """POIs of a ``pois`` layer (points; other geometries by a point on their surface), each
    with its commune when ``communes`` (polygons with ``nom``) is given."""
    if gdf is None or len(gdf) == 0:
        return ()
    gdf = _proj(gdf, crs)
    pts = shapely.point_on_surface(gdf.geometry.values)
    xy = shapely.get_coordinates(pts)
    lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs=crs)
    in_commune = _poi_communes(xy, communes, crs)
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    out = []
    for i, row in enumerate(records):
        out.append(
            Poi(
                id=_str(row.get("id")), category=_str(row.get("category")),
                name=_str(row.get("name")), description=_str(row.get("description")),
                node=_node(row.get("node"), index), node_dist_m=_float(row.get("node_dist_m"), math.inf),
                park=_str(row.get("park")), lon=float(lon[i]), lat=float(lat[i]),
                x=float(xy[i, 0]), y=float(xy[i, 1]), commune=in_commune[i],
            )
        )
    return tuple(out)


def communes_table(
    gdf: gpd.GeoDataFrame, tree: cKDTree, nodes: npt.NDArray[np.int64], *, crs: str = CRS
) -> tuple[Commune, ...]:
    """Communes with their centroid and the nearest node of the main component."""
    if gdf is None or len(gdf) == 0:
        return ()
    gdf = _proj(gdf, crs)
    xy = shapely.get_coordinates(shapely.centroid(gdf.geometry.values))
    lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs=crs)
    near = tree.query(xy)[1] if len(nodes) else np.full(len(xy), -1)
    out = []
    for i, (_, row) in enumerate(gdf.iterrows()):
        out.append(
            Commune(
                insee=_str(row.get("insee")), nom=_str(row.get("nom")),
                population=int(_float(row.get("population"))), lon=float(lon[i]), lat=float(lat[i]),
                x=float(xy[i, 0]), y=float(xy[i, 1]),
                node=int(nodes[near[i]]) if len(nodes) else -1,
            )
        )
    return tuple(out)

"""A network as a GeoPackage of nodes and edges that osmnx reads back (regional builds).

:func:`write_network_gpkg` writes an :class:`parcs.osm.streamed.ArrayNetwork` as two layers of
``network.gpkg``, in chunks (the edges of a region are never all shapely objects at once):

- ``nodes``: ``osmid`` (the OSM node id), ``x``, ``y`` (the build's CRS), ``lon``, ``lat``,
  ``elevation``, point geometry;
- ``edges``: ``u``, ``v`` (OSM node ids), ``key`` (0, 1... among edges with the same ends),
  ``osmid`` (OSM way id), ``length``, ``kind``, ``name``, ``surface``, ``status``, ``source``,
  ``route_refs``, ``foot_ok``, ``bike_ok``, ``bike_push``, ``major``, ``climb``, ``descent``, ``grade_up``,
  ``grade_down``, line geometry oriented u -> v.

:func:`read_network_gpkg` turns it back into an osmnx ``MultiDiGraph`` with
:func:`osmnx.graph_from_gdfs` (``graph["crs"]`` the build's CRS). The per-edge elevation
profiles stay in the routing core's ``compiled.npz`` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely

__all__ = ["GPKG_FILE", "read_network_gpkg", "write_network_gpkg"]

GPKG_FILE = "network.gpkg"
#: Edges written per chunk.
CHUNK = 200_000


def _edge_keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """0, 1, ... among the edges with the same ``(u, v)``."""
    order = np.lexsort((v, u))
    su, sv = u[order], v[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (su[1:] != su[:-1]) | (sv[1:] != sv[:-1])
    start = np.maximum.accumulate(np.where(new, np.arange(order.size), 0))
    keys = np.empty(order.size, dtype=np.int64)
    keys[order] = np.arange(order.size) - start
    return keys


def _write(gdf: gpd.GeoDataFrame, path: Path, layer: str, *, append: bool) -> None:
    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", append=append)


def write_network_gpkg(net: Any, path: Path) -> Path:
    """Write the nodes and edges of an ``ArrayNetwork`` to ``path`` (see the module doc)."""
    g = net.graph
    nodes = gpd.GeoDataFrame(
        {"osmid": g.node_id, "x": g.node_x, "y": g.node_y, "lon": g.node_lon, "lat": g.node_lat,
         "elevation": np.asarray(net.node_z, dtype=float)},
        geometry=shapely.points(g.node_x, g.node_y), crs=g.crs,
    )
    _write(nodes, path, "nodes", append=False)
    del nodes
    keys = _edge_keys(g.edge_u.astype(np.int64), g.edge_v.astype(np.int64))
    for lo in range(0, g.n_edges, CHUNK):
        e = np.arange(lo, min(lo + CHUNK, g.n_edges))
        frame = {
            "u": g.node_id[g.edge_u[e]], "v": g.node_id[g.edge_v[e]], "key": keys[e],
            "osmid": g.edge_osmid[e], "length": g.edge_length[e],
            "kind": np.asarray(g.kinds, dtype=object)[g.edge_kind[e]],
            "name": np.asarray(g.names, dtype=object)[g.edge_name[e]],
            "surface": np.asarray(g.surfaces, dtype=object)[g.edge_surface[e]],
            "status": "built", "source": "osm",
            "route_refs": np.asarray(g.refs, dtype=object)[g.edge_refs[e]],
            "foot_ok": g.edge_foot_ok[e], "bike_ok": g.edge_bike_ok[e],
            "bike_push": g.edge_bike_push[e], "major": g.edge_major[e],
            "climb": net.climb[e], "descent": net.descent[e],
            "grade_up": net.grade_up[e], "grade_down": net.grade_down[e],
        }
        edges = gpd.GeoDataFrame(frame, geometry=g.edge_geometries(e), crs=g.crs)
        _write(edges, path, "edges", append=lo > 0)
    return path


def read_network_gpkg(path: Path) -> nx.MultiDiGraph:
    """The osmnx ``MultiDiGraph`` of a ``network.gpkg`` (:func:`osmnx.graph_from_gdfs`)."""
    import osmnx as ox

    nodes = gpd.read_file(path, layer="nodes", engine="pyogrio").set_index("osmid")
    edges = gpd.read_file(path, layer="edges", engine="pyogrio").set_index(["u", "v", "key"])
    for col in ("foot_ok", "bike_ok", "bike_push", "major"):
        if col in edges:  # bike_push and major: absent from older files
            edges[col] = edges[col].astype(bool)
    for col in ("name", "route_refs"):
        edges[col] = edges[col].where(pd.notna(edges[col]), "")
    crs = str(nodes.crs.to_string()) if nodes.crs is not None else None
    graph: nx.MultiDiGraph = ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": crs})
    return graph

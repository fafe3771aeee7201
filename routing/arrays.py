"""Compile an :class:`parcs.osm.streamed.ArrayNetwork` (a regional OSM build held as arrays).

The same :class:`routing.compiled.CompiledNetwork` as :func:`routing.compiled.compile_network`
makes of a networkx graph, computed with numpy from the flat arrays: no graph, no shapely
geometry per edge. Edges keep the network's order (forward chains, then backward ones).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from parcs.schema import KINDS, STATUSES, SURFACES
from routing.compiled import (
    FORMAT_VERSION,
    CompiledNetwork,
    _components,
    _geom_z,
    _pair_structure,
    _up_down_lengths,
)
from routing.tables import communes_table, parks_table, pois_table

logger = logging.getLogger(__name__)

__all__ = ["compile_arrays"]

FloatArray = npt.NDArray[np.float64]


def _distances(offsets: npt.NDArray[np.int64], x: FloatArray, y: FloatArray, lengths: FloatArray) -> FloatArray:
    """Distance of every geometry vertex from its edge's start, scaled to the edge's length."""
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(counts.size), counts)
    seg = np.hypot(np.diff(x, prepend=x[:1]), np.diff(y, prepend=y[:1]))
    seg[offsets[:-1][counts > 0]] = 0.0
    cum = np.cumsum(seg)
    d = cum - cum[offsets[:-1]][owner]
    geo_len = d[offsets[1:] - 1]
    scale = np.divide(lengths, geo_len, out=np.ones_like(lengths), where=geo_len > 0)
    return np.asarray(d * scale[owner], dtype=float)


def _way_ids(n_edges: int) -> npt.NDArray[np.int32]:
    """Both directions of a chain share a way id: edges ``c`` and ``c + n/2`` (see the layout)."""
    return np.tile(np.arange(n_edges // 2, dtype=np.int32), 2)


def _codes(vocab_in: list[str], base: list[str]) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Map codes into ``vocab_in`` to codes into ``base`` (extended with unseen values)."""
    out = list(base)
    index = {v: i for i, v in enumerate(out)}
    lookup = np.empty(len(vocab_in), dtype=np.int32)
    for i, v in enumerate(vocab_in):
        if v not in index:
            index[v] = len(out)
            out.append(v)
        lookup[i] = index[v]
    return lookup, tuple(out)


def _vocabularies(net: Any) -> dict[str, Any]:
    g = net.graph
    n = g.n_edges
    kind_map, kinds = _codes(g.kinds, list(KINDS))
    surf_map, surfaces = _codes([s or "unknown" for s in g.surfaces], list(SURFACES))
    name_map, names = _codes(g.names, [""])
    refs_map, refs = _codes(g.refs, [""])
    _, statuses = _codes(["built"], list(STATUSES))
    _, sources = _codes(["osm"], [""])
    return {
        "edge_kind": kind_map[g.edge_kind].astype(np.int16),
        "edge_surface": surf_map[g.edge_surface].astype(np.int16),
        "edge_status": np.full(n, statuses.index("built"), dtype=np.int16),
        "edge_name": name_map[g.edge_name], "edge_source": np.full(n, sources.index("osm"), dtype=np.int32),
        "edge_refs": refs_map[g.edge_refs],
        "kinds": kinds, "surfaces": surfaces, "statuses": statuses, "names": names,
        "sources": sources, "refs": refs,
    }


def compile_arrays(net: Any) -> CompiledNetwork:
    """Compile an :class:`~parcs.osm.streamed.ArrayNetwork` (not modified)."""
    t0 = time.perf_counter()
    g = net.graph
    n_edges = g.n_edges
    arrays: dict[str, Any] = {
        "node_id": g.node_id, "node_x": g.node_x, "node_y": g.node_y, "node_lon": g.node_lon,
        "node_lat": g.node_lat, "node_z": np.asarray(net.node_z, dtype=float),
        "edge_u": g.edge_u, "edge_v": g.edge_v, "edge_key": np.zeros(n_edges, dtype=np.int64),
        "edge_length": g.edge_length, "edge_climb": net.climb, "edge_descent": net.descent,
        "edge_grade_up": net.grade_up, "edge_grade_down": net.grade_down,
        "edge_foot_ok": g.edge_foot_ok, "edge_bike_ok": g.edge_bike_ok,
        "edge_bike_push": g.edge_bike_push, "edge_major": g.edge_major,
        "edge_layer": np.zeros(n_edges, dtype=np.int8),  # the streamed build reads no layer yet: ground
        # no unmapped link in an OpenStreetMap build: straight length and range are the length
        "edge_straight": g.edge_length, "edge_low": g.edge_length, "edge_high": g.edge_length,
        "geom_offsets": g.geom_offsets, "geom_x": g.geom_x, "geom_y": g.geom_y,
        "geom_lon": g.geom_lon, "geom_lat": g.geom_lat,
        "prof_offsets": net.prof_offsets, "prof_z": net.prof_z,
    }
    arrays.update(_vocabularies(net))
    arrays["geom_d"] = _distances(g.geom_offsets, g.geom_x, g.geom_y, g.edge_length)
    counts = np.diff(net.prof_offsets)
    owner = np.repeat(np.arange(n_edges), counts)
    rank = np.arange(int(net.prof_offsets[-1])) - net.prof_offsets[:-1][owner]
    arrays["prof_d"] = rank * (g.edge_length / np.maximum(counts - 1, 1))[owner]
    arrays["edge_up_len"], arrays["edge_down_len"] = _up_down_lengths(arrays, n_edges)
    arrays["geom_z"] = _geom_z(arrays, n_edges)
    arrays["edge_way"] = _way_ids(n_edges)
    arrays["pair_edge"], arrays["pair_start"] = _pair_structure(g.edge_u, g.edge_v)
    arrays["node_comp"], main = _components(g.n_nodes, g.edge_u, g.edge_v)
    arrays["edge_park"] = np.full(n_edges, -1, dtype=np.int32)
    main_nodes = np.flatnonzero(arrays["node_comp"] == main)
    tree = cKDTree(np.column_stack([g.node_x[main_nodes], g.node_y[main_nodes]]))
    index = _NodeIndex(g.node_id)
    info = {
        "format": FORMAT_VERSION, "crs": g.crs, "graph_name": "Chaîne des parcs (OpenStreetMap)",
        "elevation": dict(net.elevation), "main_component": main,
        "compiled_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    cn = CompiledNetwork(
        meta=dict(net.meta), info=info, parks=parks_table(net.parks, index, crs=g.crs),
        pois=pois_table(net.pois, index, crs=g.crs),
        communes=communes_table(net.communes, tree, main_nodes, crs=g.crs),
        perimeter=net.perimeter, **arrays,
    )
    logger.info("compiled %s in %.2f s", cn.summary(), time.perf_counter() - t0)
    return cn


class _NodeIndex(dict[Any, int]):
    """OSM node id -> node index, built only if a layer asks."""

    def __init__(self, ids: npt.NDArray[np.int64]) -> None:
        super().__init__()
        self._ids = ids

    def __missing__(self, key: Any) -> int:
        if not super().__len__():
            self.update({k: i for i, k in enumerate(self._ids.tolist())})
            if key in self:
                return int(self[key])
        raise KeyError(key)

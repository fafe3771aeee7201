"""Compile a built network once into read-only numpy arrays; save and load them fast.

Queries never walk the networkx graph: :func:`compile_network` turns the osmnx ``MultiDiGraph``
of a :class:`parcs.artifact.Network` into flat arrays (nodes, directed edges, per-edge geometry
and elevation profile) plus the small tables the app and the CLI need (park units, POIs,
communes, perimeter). :func:`save_compiled` writes them as ``compiled.npz`` (uncompressed, so that
:func:`load_compiled` maps them in a few tens of milliseconds) and ``compiled.json``.

Layout
------
Nodes are numbered ``0..n_nodes-1`` in graph order; ``node_id`` holds the graph's ids. Directed
edges are numbered ``0..n_edges-1`` in ``graph.edges(keys=True)`` order; ``edge_u``/``edge_v`` are node
indices. Edge ``e``'s geometry vertices are ``geom_x[geom_offsets[e]:geom_offsets[e + 1]]`` (same
for ``geom_y``, ``geom_lon``, ``geom_lat``, ``geom_d`` the distance from ``u`` along the edge and
``geom_z`` the elevation interpolated from the profile); its elevation profile (the ``elevations``
samples, evenly spaced) is ``prof_z[prof_offsets[e]:prof_offsets[e + 1]]`` at the distances
``prof_d``. Distances along an edge are scaled so that the last one equals ``edge_length``.

Parallel edges (two edges between the same nodes) are all kept here; :mod:`routing.search`
keeps the cheapest one per cost vector when it builds a CSR matrix, through ``pair_edge`` (edge
indices sorted by ``(u, v)``) and ``pair_start`` (start of each run of one ``(u, v)``).
``edge_way`` numbers the undirected ways: both directions of a way share it. ``edge_foot_ok`` /
``edge_bike_ok`` are the OSM access flags of each direction (``foot_ok``/``bike_ok`` edge
attributes; True when absent, as on the open-data network); ``edge_bike_push`` marks the edges a
cyclist may only push the bike along (``bike_push``: footways, steps...) and ``edge_major`` the
roads with heavy traffic (``major``: primary, secondary, trunk); both False when absent; ``edge_layer`` is the OSM ``layer``
of the way (negative in tunnels, positive on bridges; 0 when absent, as on the open-data
network), which snapping uses to prefer the ground. Coordinates are in the graph's CRS
(``info["crs"]``, EPSG:2154 for the open-data build; the layers are projected to it).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from parcs import paths
from parcs._errors import BuildError, DamagedBuildError, DataError
from parcs.atomic import atomic_path, resolve_dir
from parcs.buildfiles import damaged, read_meta
from parcs.schema import KINDS, STATUSES, SURFACES
from routing.geo import CRS, to_wgs84
from routing.tables import Commune, Park, Poi, communes_table, edge_parks, parks_table, pois_table

logger = logging.getLogger(__name__)

__all__ = [
    "Commune",
    "CompiledNetwork",
    "Park",
    "Poi",
    "compile_network",
    "load_compiled",
    "save_compiled",
]

NPZ_FILE = "compiled.npz"
JSON_FILE = "compiled.json"
#: Bumped whenever the layout changes; older files are recompiled.
FORMAT_VERSION = 5
#: Default hysteresis of route-level climb figures when the graph does not say (m).
DEFAULT_HYSTERESIS = 3.0
#: Size of the per-network cache of derived arrays (cost vectors, CSR matrices...).
CACHE_SIZE = 48

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
T = TypeVar("T")
_MISSING = object()


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """The routing arrays of a built network (see the module docstring for the layout).

    Every array is read-only. Equality is identity, so a network can key caches; derived arrays
    (per-profile costs, CSR matrices, KD-trees) live in a small thread-safe cache of the instance
    (:meth:`cached`).
    """

    meta: Mapping[str, Any]
    info: Mapping[str, Any]
    node_id: npt.NDArray[Any]
    node_x: FloatArray
    node_y: FloatArray
    node_lon: FloatArray
    node_lat: FloatArray
    node_z: FloatArray
    node_comp: npt.NDArray[np.int32]
    edge_u: npt.NDArray[np.int32]
    edge_v: npt.NDArray[np.int32]
    edge_key: IntArray
    edge_length: FloatArray
    edge_kind: npt.NDArray[np.int16]
    edge_surface: npt.NDArray[np.int16]
    edge_status: npt.NDArray[np.int16]
    edge_name: npt.NDArray[np.int32]
    edge_source: npt.NDArray[np.int32]
    edge_refs: npt.NDArray[np.int32]
    edge_climb: FloatArray
    edge_descent: FloatArray
    edge_grade_up: FloatArray
    edge_grade_down: FloatArray
    edge_up_len: FloatArray
    edge_down_len: FloatArray
    edge_way: npt.NDArray[np.int32]
    edge_park: npt.NDArray[np.int32]
    edge_foot_ok: npt.NDArray[np.bool_]
    edge_bike_ok: npt.NDArray[np.bool_]
    edge_bike_push: npt.NDArray[np.bool_]
    edge_major: npt.NDArray[np.bool_]
    edge_layer: npt.NDArray[np.int8]
    edge_straight: FloatArray
    edge_low: FloatArray
    edge_high: FloatArray
    geom_offsets: IntArray
    geom_x: FloatArray
    geom_y: FloatArray
    geom_d: FloatArray
    geom_z: FloatArray
    geom_lon: FloatArray
    geom_lat: FloatArray
    prof_offsets: IntArray
    prof_d: FloatArray
    prof_z: FloatArray
    pair_edge: npt.NDArray[np.int32]
    pair_start: IntArray
    kinds: tuple[str, ...]
    surfaces: tuple[str, ...]
    statuses: tuple[str, ...]
    names: tuple[str, ...]
    sources: tuple[str, ...]
    refs: tuple[str, ...]
    parks: tuple[Park, ...]
    pois: tuple[Poi, ...]
    communes: tuple[Commune, ...]
    perimeter: BaseGeometry
    tree: cKDTree = field(init=False, repr=False)
    _cache: OrderedDict[Hashable, Any] = field(init=False, repr=False, default_factory=OrderedDict)
    _lock: Any = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name, None)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        shapely.prepare(self.perimeter)
        object.__setattr__(self, "tree", cKDTree(np.column_stack([self.node_x, self.node_y])))

    # -- sizes and lookups ------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_x.size)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_u.size)

    def cached(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value cached under ``key``, made by ``make()`` on a miss (LRU, thread-safe)."""
        with self._lock:
            hit = self._cache.get(key, _MISSING)
            if hit is not _MISSING:
                self._cache.move_to_end(key)
                return hit
        value = make()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The value cached under ``key``, or ``None`` (nothing is made or stored)."""
        with self._lock:
            return self._cache.get(key)

    def node_index(self, node_id: Any) -> int:
        """The index of a graph node id; ``KeyError`` when unknown."""
        lookup = self.cached(
            ("node_index",), lambda: {k: i for i, k in enumerate(self.node_id.tolist())}
        )
        return int(lookup[node_id])

    @property
    def main_component(self) -> int:
        """Label (in ``node_comp``) of the largest weakly connected component."""
        return int(self.info.get("main_component", 0))

    @property
    def hysteresis(self) -> float:
        """Dead band of the climb filter used when the graph was built (m)."""
        return float(self.info.get("elevation", {}).get("hysteresis", DEFAULT_HYSTERESIS))

    @property
    def park_index(self) -> Mapping[str, int]:
        """Park unit id -> position in :attr:`parks`."""
        return self.cached(("park_index",), lambda: {p.id: i for i, p in enumerate(self.parks)})

    @property
    def poi_index(self) -> Mapping[str, int]:
        """POI id -> position in :attr:`pois`."""
        return self.cached(("poi_index",), lambda: {p.id: i for i, p in enumerate(self.pois)})

    def edge_slice(self, e: int) -> slice:
        """The slice of edge ``e`` in the ``geom_*`` arrays."""
        return slice(int(self.geom_offsets[e]), int(self.geom_offsets[e + 1]))

    def summary(self) -> dict[str, Any]:
        """Counts, for logs and ``parcs stats``."""
        return {
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "parks": len(self.parks),
            "pois": len(self.pois),
            "communes": len(self.communes),
            "km": round(float(self.edge_length.sum()) / 2000.0, 1),
        }


# -- compilation ------------------------------------------------------------------------------


def _finite(value: Any, default: float = 0.0) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return out if math.isfinite(out) else default


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_text(v) for v in value if _text(v))
    return str(value)


def _codes(values: list[str], vocab: list[str]) -> npt.NDArray[np.int32]:
    """Codes of ``values`` in ``vocab``, appending unseen values to it."""
    index = {v: i for i, v in enumerate(vocab)}
    out = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        if v not in index:
            index[v] = len(vocab)
            vocab.append(v)
        out[i] = index[v]
    return out


def _node_arrays(graph: nx.MultiDiGraph) -> dict[str, npt.NDArray[Any]]:
    nodes = list(graph.nodes(data=True))
    ids: list[Any] = [n for n, _ in nodes]
    try:
        node_id: npt.NDArray[Any] = np.asarray(ids, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        node_id = np.asarray([str(n) for n in ids])
    try:
        x = np.array([d["x"] for _, d in nodes], dtype=float)
        y = np.array([d["y"] for _, d in nodes], dtype=float)
    except KeyError as exc:
        raise DataError(f"a node of the network has no {exc} coordinate") from exc
    lon, lat = to_wgs84(x, y, crs=str(graph.graph.get("crs", CRS)))
    z = np.array([_finite(d.get("elevation"), np.nan) for _, d in nodes], dtype=float)
    if np.isnan(z).any():
        logger.warning("%d nodes without elevation; taken as 0 m", int(np.isnan(z).sum()))
        z = np.nan_to_num(z, nan=0.0)
    return {"node_id": node_id, "node_x": x, "node_y": y, "node_lon": lon, "node_lat": lat, "node_z": z}


def _ragged(counts: npt.NDArray[np.int64]) -> tuple[IntArray, IntArray, IntArray]:
    """``(offsets, owner, rank)`` of a flat array made of runs of ``counts`` items."""
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    rank = np.arange(int(offsets[-1]), dtype=np.int64) - offsets[:-1][owner]
    return offsets, owner, rank


def _geometry_arrays(
    geoms: npt.NDArray[np.object_], lengths: FloatArray, crs: str
) -> dict[str, npt.NDArray[Any]]:
    counts = shapely.get_num_coordinates(geoms).astype(np.int64)
    xy = shapely.get_coordinates(geoms)
    offsets, owner, rank = _ragged(counts)
    seg = np.hypot(np.diff(xy[:, 0], prepend=xy[0, 0]), np.diff(xy[:, 1], prepend=xy[0, 1]))
    seg[rank == 0] = 0.0
    cum = np.cumsum(seg)
    d = cum - cum[offsets[:-1]][owner]
    geo_len = d[offsets[1:] - 1]
    scale = np.divide(lengths, geo_len, out=np.ones_like(lengths), where=geo_len > 0)
    d = d * scale[owner]
    lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs=crs)
    return {
        "geom_offsets": offsets, "geom_x": xy[:, 0].copy(), "geom_y": xy[:, 1].copy(),
        "geom_d": d, "geom_lon": lon, "geom_lat": lat,
    }


def _profile_arrays(
    elevations: list[Any], lengths: FloatArray, z_u: FloatArray, z_v: FloatArray
) -> dict[str, npt.NDArray[Any]]:
    """Flat elevation profiles; an edge without (valid) samples gets the straight line u -> v."""
    profiles: list[npt.NDArray[np.float64]] = []
    for i, prof in enumerate(elevations):
        arr = np.asarray(prof if prof is not None else (), dtype=float).ravel()
        if arr.size < 2 or not np.isfinite(arr).all():
            arr = np.array([z_u[i], z_v[i]])
        profiles.append(arr)
    counts = np.array([p.size for p in profiles], dtype=np.int64)
    offsets, owner, rank = _ragged(counts)
    z = np.concatenate(profiles) if profiles else np.zeros(0)
    d = rank * (lengths / np.maximum(counts - 1, 1))[owner]
    return {"prof_offsets": offsets, "prof_d": d, "prof_z": z}


def _up_down_lengths(arrays: Mapping[str, npt.NDArray[Any]], n_edges: int) -> tuple[FloatArray, FloatArray]:
    """Length of each edge over which the raw profile rises / falls (noise included)."""
    offsets, d, z = arrays["prof_offsets"], arrays["prof_d"], arrays["prof_z"]
    if n_edges == 0:
        return np.zeros(0), np.zeros(0)
    dd, dz = np.diff(d), np.diff(z)
    valid = np.ones(dd.size, dtype=bool)
    valid[offsets[1:-1] - 1] = False  # pairs straddling two edges
    owner = np.repeat(np.arange(n_edges), np.diff(offsets))[:-1]
    up = np.bincount(owner[valid & (dz > 0)], weights=dd[valid & (dz > 0)], minlength=n_edges)
    down = np.bincount(owner[valid & (dz < 0)], weights=dd[valid & (dz < 0)], minlength=n_edges)
    return up.astype(float), down.astype(float)


def _geom_z(arrays: Mapping[str, npt.NDArray[Any]], n_edges: int) -> FloatArray:
    """Elevation at every geometry vertex, interpolated along its edge's profile."""
    if n_edges == 0:
        return np.zeros(0)
    span = float(max(arrays["prof_d"].max(initial=0.0), arrays["geom_d"].max(initial=0.0))) * 2 + 1.0
    p_owner = np.repeat(np.arange(n_edges), np.diff(arrays["prof_offsets"]))
    g_owner = np.repeat(np.arange(n_edges), np.diff(arrays["geom_offsets"]))
    return np.interp(
        g_owner * span + arrays["geom_d"], p_owner * span + arrays["prof_d"], arrays["prof_z"]
    )


def _pair_structure(u: npt.NDArray[np.int32], v: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int32], IntArray]:
    order = np.lexsort((v, u)).astype(np.int32)
    su, sv = u[order], v[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (su[1:] != su[:-1]) | (sv[1:] != sv[:-1])
    return order, np.flatnonzero(new).astype(np.int64)


def _way_ids(u: npt.NDArray[np.int32], v: npt.NDArray[np.int32], osmid: list[Any], lengths: FloatArray) -> npt.NDArray[np.int32]:
    """One id per undirected way: both directions share it (same end nodes, same osmid/length)."""
    keys = [
        (min(a, b), max(a, b), o if isinstance(o, int | str) else round(length, 1))
        for a, b, o, length in zip(u.tolist(), v.tolist(), osmid, lengths.tolist(), strict=True)
    ]
    lookup: dict[tuple[int, int, Any], int] = {}
    return np.array([lookup.setdefault(k, len(lookup)) for k in keys], dtype=np.int32)


def _components(n: int, u: npt.NDArray[np.int32], v: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int32], int]:
    if n == 0:
        return np.zeros(0, dtype=np.int32), 0
    m = coo_array((np.ones(u.size), (u, v)), shape=(n, n)).tocsr()
    _, labels = connected_components(m, directed=True, connection="weak")
    main = int(np.bincount(labels).argmax())
    return labels.astype(np.int32), main


def _edge_records(graph: nx.MultiDiGraph, index: Mapping[Any, int], nodes: Mapping[str, npt.NDArray[Any]]) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """Scalar edge attributes as arrays; returns them, the geometries and the elevation lists."""
    edges = list(graph.edges(keys=True, data=True))
    u = np.array([index[a] for a, _, _, _ in edges], dtype=np.int32)
    v = np.array([index[b] for _, b, _, _ in edges], dtype=np.int32)
    x, y = nodes["node_x"], nodes["node_y"]
    geoms = [
        d.get("geometry") if isinstance(d.get("geometry"), LineString)
        else LineString([(x[a], y[a]), (x[b], y[b])])
        for (_, _, _, d), a, b in zip(edges, u.tolist(), v.tolist(), strict=True)
    ]
    lengths = np.array(
        [_finite(d.get("length"), g.length) for (_, _, _, d), g in zip(edges, geoms, strict=True)],
        dtype=float,
    )
    rec: dict[str, Any] = {"edge_u": u, "edge_v": v, "edge_length": lengths}
    rec["edge_key"] = np.array([k if isinstance(k, int) else 0 for _, _, k, _ in edges], dtype=np.int64)
    for name in ("climb", "descent", "grade_up", "grade_down"):
        rec[f"edge_{name}"] = np.array([max(_finite(d.get(name)), 0.0) for *_, d in edges], dtype=float)
    for name in ("kind", "surface", "status", "name", "source", "route_refs"):
        rec[f"_{name}"] = [_text(d.get(name)) for *_, d in edges]
    rec["_osmid"] = [d.get("osmid") for *_, d in edges]
    # unmapped links (parcs.unmapped): straight length and length range; other edges: their length
    for name, attr in (("straight", "straight_m"), ("low", "length_low"), ("high", "length_high")):
        rec[f"edge_{name}"] = np.array(
            [_finite(d.get(attr), float(length)) for (*_, d), length in zip(edges, lengths.tolist(), strict=True)],
            dtype=float,
        )
    for name in ("foot_ok", "bike_ok"):  # OSM access flags; open-data edges have none: allowed
        rec[f"edge_{name}"] = np.array([d.get(name, True) is not False for *_, d in edges], dtype=bool)
    for name in ("bike_push", "major"):  # OSM only; absent: False
        rec[f"edge_{name}"] = np.array([d.get(name) is True for *_, d in edges], dtype=bool)
    rec["edge_layer"] = np.array([_layer(d.get("layer")) for *_, d in edges], dtype=np.int8)
    return rec, geoms, [d.get("elevations") for *_, d in edges]


def _layer(value: Any) -> int:
    """An OSM ``layer`` value as a small integer (0 when absent or unreadable)."""
    if isinstance(value, list | tuple):  # merged ways: the layer farthest from the ground
        return max((_layer(v) for v in value), key=abs, default=0)
    try:
        out = round(float(str(value).split(";")[0]))
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(-5, min(5, out))


def _vocabularies(rec: dict[str, Any]) -> dict[str, Any]:
    kinds, surfaces, statuses = list(KINDS), list(SURFACES), list(STATUSES)
    rec["_surface"] = [s or "unknown" for s in rec["_surface"]]
    rec["_status"] = [s or "unknown" for s in rec["_status"]]
    names: list[str] = [""]
    sources: list[str] = [""]
    refs: list[str] = [""]
    out = {
        "edge_kind": _codes(rec["_kind"], kinds).astype(np.int16),
        "edge_surface": _codes(rec["_surface"], surfaces).astype(np.int16),
        "edge_status": _codes(rec["_status"], statuses).astype(np.int16),
        "edge_name": _codes(rec["_name"], names),
        "edge_source": _codes(rec["_source"], sources),
        "edge_refs": _codes(rec["_route_refs"], refs),
    }
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        logger.warning("edge kinds outside parcs.schema.KINDS: %s", unknown)
    vocab = {"kinds": kinds, "surfaces": surfaces, "statuses": statuses, "names": names,
             "sources": sources, "refs": refs}
    return {**out, **{k: tuple(v) for k, v in vocab.items()}}


def compile_network(net: Any) -> CompiledNetwork:
    """Compile a :class:`parcs.artifact.Network` into a :class:`CompiledNetwork`.

    Parameters
    ----------
    net
        The built network (graph in EPSG:2154 following :mod:`parcs.schema`, park units, POIs,
        communes and perimeter, all in EPSG:2154). Not modified.

    Returns
    -------
    CompiledNetwork

    Raises
    ------
    DataError
        When a node has no coordinates.
    """
    t0 = time.perf_counter()
    graph: nx.MultiDiGraph = net.graph
    crs = str(graph.graph.get("crs", CRS))
    nodes = _node_arrays(graph)
    index = {n: i for i, n in enumerate(graph.nodes)}
    rec, geoms, elevations = _edge_records(graph, index, nodes)
    arrays: dict[str, Any] = {**nodes, **{k: v for k, v in rec.items() if not k.startswith("_")}}
    arrays.update(_vocabularies(rec))
    geom_arr = np.empty(len(geoms), dtype=object)
    geom_arr[:] = geoms
    lengths = arrays["edge_length"]
    arrays.update(_geometry_arrays(geom_arr, lengths, crs))
    z = nodes["node_z"]
    arrays.update(_profile_arrays(elevations, lengths, z[arrays["edge_u"]], z[arrays["edge_v"]]))
    n_edges = int(lengths.size)
    arrays["edge_up_len"], arrays["edge_down_len"] = _up_down_lengths(arrays, n_edges)
    arrays["geom_z"] = _geom_z(arrays, n_edges)
    arrays["edge_way"] = _way_ids(arrays["edge_u"], arrays["edge_v"], rec["_osmid"], lengths)
    arrays["pair_edge"], arrays["pair_start"] = _pair_structure(arrays["edge_u"], arrays["edge_v"])
    arrays["node_comp"], main = _components(len(index), arrays["edge_u"], arrays["edge_v"])

    perimeter = net.perimeter
    parks = parks_table(net.parks, index, crs=crs)
    arrays["edge_park"] = edge_parks(net.parks, geom_arr, crs=crs)
    main_nodes = np.flatnonzero(arrays["node_comp"] == main)
    tree = cKDTree(np.column_stack([nodes["node_x"][main_nodes], nodes["node_y"][main_nodes]]))
    info = {
        "format": FORMAT_VERSION,
        "crs": crs,
        "graph_name": str(graph.graph.get("name", "")),
        "elevation": dict(graph.graph.get("elevation", {})),
        "main_component": main,
        "compiled_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    cn = CompiledNetwork(
        meta=dict(net.meta), info=info, parks=parks, pois=pois_table(net.pois, index, crs=crs, communes=net.communes),
        communes=communes_table(net.communes, tree, main_nodes, crs=crs), perimeter=perimeter, **arrays,
    )
    logger.info("compiled %s in %.2f s", cn.summary(), time.perf_counter() - t0)
    return cn


# -- save / load ------------------------------------------------------------------------------

_TABLES: dict[str, type[Any]] = {"parks": Park, "pois": Poi, "communes": Commune}
_VOCABS = ("kinds", "surfaces", "statuses", "names", "sources", "refs")


def _array_fields() -> list[str]:
    skip = {"meta", "info", "perimeter", "tree", "_cache", "_lock", *_TABLES, *_VOCABS}
    return [f.name for f in fields(CompiledNetwork) if f.name not in skip]


def save_compiled(cn: CompiledNetwork, directory: str | Path) -> Path:
    """Write ``compiled.npz`` and ``compiled.json`` into ``directory`` (atomically each).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {name: getattr(cn, name) for name in _array_fields()}
    arrays["perimeter_wkb"] = np.frombuffer(shapely.to_wkb(cn.perimeter), dtype=np.uint8)
    doc: dict[str, Any] = {"info": dict(cn.info), "meta": dict(cn.meta)}
    doc.update({name: list(getattr(cn, name)) for name in _VOCABS})
    for name in _TABLES:
        doc[name] = [_row(obj) for obj in getattr(cn, name)]
    with atomic_path(directory / NPZ_FILE, suffix=".npz") as tmp, tmp.open("wb") as fh:
        np.savez(fh, **arrays)
    with atomic_path(directory / JSON_FILE, suffix=".json") as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    logger.info("compiled network written to %s", directory)
    return directory


def _row(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _from_row(cls: type[T], row: Mapping[str, Any]) -> T:
    kwargs = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in row and f.default is not MISSING:  # a field added since (a default)
            continue
        value = row[f.name]
        kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def _read(directory: Path) -> CompiledNetwork:
    doc = json.loads((directory / JSON_FILE).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("info"), dict):
        raise damaged(directory / JSON_FILE, "un objet JSON avec « info » est attendu")
    version = doc["info"].get("format")
    if version != FORMAT_VERSION:
        raise DamagedBuildError(
            f"le réseau de {directory} a été construit par une autre version du planificateur "
            f"(format {version}, attendu {FORMAT_VERSION}) ; reconstruisez-le avec `parcs build` "
            "(ou `make data`)"
        )
    with np.load(directory / NPZ_FILE, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    perimeter = shapely.from_wkb(arrays.pop("perimeter_wkb").tobytes())
    kwargs: dict[str, Any] = dict(arrays)
    kwargs.update({name: tuple(_from_row(cls, r) for r in doc[name]) for name, cls in _TABLES.items()})
    kwargs.update({name: tuple(doc[name]) for name in _VOCABS})
    _check_shapes(kwargs)
    return CompiledNetwork(meta=doc["meta"], info=doc["info"], perimeter=perimeter, **kwargs)


def _check_shapes(arrays: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` when the arrays do not fit together (a damaged or foreign file)."""
    n_nodes, n_edges = arrays["node_x"].size, arrays["edge_u"].size
    for prefix, offsets in (("geom", "geom_offsets"), ("prof", "prof_offsets")):
        off = arrays[offsets]
        size = arrays[f"{prefix}_d"].size
        if off.size != n_edges + 1 or (off.size and (off[0] != 0 or off[-1] != size)):
            raise ValueError(f"{offsets} does not fit {prefix}_d")
    for name in _array_fields():
        if name.startswith(("node_", "edge_")):
            expected = n_nodes if name.startswith("node_") else n_edges
            if arrays[name].shape[:1] != (expected,):
                raise ValueError(f"{name} has {arrays[name].shape[:1]} items, not {expected}")
    if n_edges and (int(arrays["edge_u"].max()) >= n_nodes or int(arrays["edge_v"].max()) >= n_nodes):
        raise ValueError("edges refer to missing nodes")


#: What reading damaged compiled files raises (``BadZipFile`` for truncated or flipped bytes,
#: ``EOFError`` for an empty file, ``ValueError`` for bad JSON or arrays that do not fit...).
_READ_ERRORS = (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError,
                zipfile.BadZipFile)


def _is_stale(cn: CompiledNetwork, directory: Path) -> bool:
    if not (directory / "meta.json").is_file():
        return False
    return bool(read_meta(directory).get("built_at") != cn.meta.get("built_at"))


def load_compiled(directory: str | Path | None = None) -> CompiledNetwork:
    """Load the compiled arrays of a build folder (default ``data/build/opendata``).

    The folder is resolved once (a published build is a link to its current version), so a build
    swapped in meanwhile is never mixed with the one being read. When the build has no compiled
    arrays, or arrays older than its ``meta.json``, the network is compiled from ``graph.pkl``
    and the files are written again (best effort: a read-only folder only logs a warning).

    Raises
    ------
    BuildError
        When the folder holds neither compiled arrays nor a built network.
    DamagedBuildError
        When a file of the build is truncated, empty, corrupt, of the wrong shape, or written by
        another format version; the message says how to rebuild.
    """
    directory = resolve_dir(Path(directory) if directory is not None else paths.build_dir("opendata"))
    t0 = time.perf_counter()
    present = [(directory / name).is_file() for name in (NPZ_FILE, JSON_FILE)]
    if any(present) and not all(present):
        missing = NPZ_FILE if not present[0] else JSON_FILE
        raise damaged(directory / missing, "fichier absent")
    if all(present):
        try:
            cn = _read(directory)
        except DamagedBuildError:
            raise
        except _READ_ERRORS as exc:
            raise damaged(directory / NPZ_FILE, f"illisible, {type(exc).__name__}: {exc}"[:160]) from exc
        if not _is_stale(cn, directory):
            logger.info("compiled network loaded in %.3f s", time.perf_counter() - t0)
            return cn
        logger.warning("compiled network in %s is older than the build; recompiling", directory)
    return _recompile(directory)


def _recompile(directory: Path) -> CompiledNetwork:
    from parcs.artifact import load_network

    if not (directory / "meta.json").is_file():
        raise BuildError(f"no built network in {directory}; run `parcs build` (or `make data`) first")
    cn = compile_network(load_network(directory))
    try:
        save_compiled(cn, directory)
    except OSError as exc:
        logger.warning("cannot write the compiled network to %s: %s", directory, exc)
    return cn

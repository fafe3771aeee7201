"""The planner's OSM network as flat arrays, straight from streamed ways (no networkx graph).

:func:`assemble` rebuilds, from :class:`parcs.osm.stream.WayArrays`, the network that
:mod:`parcs.osm.graph` builds through osmnx — same nodes, same edges, same attributes — with
numpy only, in memory linear in the number of node references:

1. *segments*: consecutive node references of a way that are both located and inside the area
   (a way leaving the file or the area is split there, never joined across the gap; a segment
   from a node to itself is dropped);
2. optionally only the largest connected piece (osmnx's default, the osmnx path's behaviour);
3. *endpoints* by osmnx's rule (:func:`osmnx.simplify_graph`): a node stays when it does not
   have exactly two segments to two distinct neighbours, or when the classes of its segments
   differ (kind, name, surface, route references, access and one-way-ness:
   :attr:`parcs.osm.stream.WayClass.differ`); junctions are found by reference counts;
4. *chains*: the runs of segments between endpoints (:func:`_walk_chains`, compiled with
   numba), each one undirected edge, i.e. two directed edges: forward chains first (edge ``c``),
   then backward ones (edge ``n_chains + c``). ``foot_ok``/``bike_ok`` of a direction are the
   *and* of its segments' flags in that direction; a ring without any endpoint keeps all its
   nodes (osmnx leaves such rings unsimplified);
5. lengths along the geometry projected to ``crs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from parcs._errors import BuildError
from parcs.osm.areas import crossing_pairs, ring_of
from parcs.osm.stream import WayArrays, WayClass

__all__ = ["ArrayGraph", "assemble", "reversed_runs"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class ArrayGraph:
    """A directed network as arrays (the planner's OSM network contract, without networkx).

    Nodes ``0..n-1``: OSM id, WGS84 and projected coordinates. Directed edges: end nodes,
    length (m, along the projected geometry), OSM way id (of the edge's first segment), access
    flags, and codes into the vocabularies ``kinds``, ``names``, ``surfaces``, ``refs``; the
    geometry of edge ``e`` is ``geom_x[geom_offsets[e]:geom_offsets[e + 1]]`` (and ``geom_y``,
    ``geom_lon``, ``geom_lat``), oriented u -> v.
    """

    crs: str
    node_id: IntArray
    node_lon: FloatArray
    node_lat: FloatArray
    node_x: FloatArray
    node_y: FloatArray
    edge_u: npt.NDArray[np.int32]
    edge_v: npt.NDArray[np.int32]
    edge_length: FloatArray
    edge_osmid: IntArray
    edge_foot_ok: BoolArray
    edge_bike_ok: BoolArray
    edge_bike_push: BoolArray
    edge_major: BoolArray
    edge_kind: npt.NDArray[np.int32]
    edge_name: npt.NDArray[np.int32]
    edge_surface: npt.NDArray[np.int32]
    edge_refs: npt.NDArray[np.int32]
    geom_offsets: IntArray
    geom_x: FloatArray
    geom_y: FloatArray
    geom_lon: FloatArray
    geom_lat: FloatArray
    kinds: list[str]
    names: list[str]
    surfaces: list[str]
    refs: list[str]
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_id.size)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_u.size)

    def edge_geometries(self, edges: npt.ArrayLike | None = None) -> npt.NDArray[np.object_]:
        """Shapely line strings (projected) of ``edges`` (default: all)."""
        e = np.arange(self.n_edges) if edges is None else np.asarray(edges, dtype=np.int64)
        counts = self.geom_offsets[e + 1] - self.geom_offsets[e]
        starts = np.repeat(self.geom_offsets[e], counts)
        rank = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        at = starts + rank
        xy = np.column_stack([self.geom_x[at], self.geom_y[at]])
        return shapely.linestrings(xy, indices=np.repeat(np.arange(e.size), counts))


def _segments(ways: WayArrays, area: BaseGeometry | None) -> tuple[IntArray, IntArray, dict[str, int]]:
    """Positions ``(i, i + 1)`` in ``ways.refs`` of every kept segment (step 1)."""
    n = ways.refs.size
    lengths = np.diff(ways.ptr)
    way_of = np.repeat(np.arange(ways.n_ways, dtype=np.int64), lengths)
    valid = np.isfinite(ways.lon)
    if area is not None:
        shapely.prepare(area)
        inside = np.zeros(n, dtype=bool)
        inside[valid] = shapely.intersects_xy(area, ways.lon[valid], ways.lat[valid])
        outside = int(np.count_nonzero(valid & ~inside))
        valid &= inside
    else:
        outside = 0
    i = np.arange(n - 1, dtype=np.int64)
    keep = (way_of[:-1] == way_of[1:]) & valid[:-1] & valid[1:]
    if ways.refused is not None:  # ways the country's access table refuses
        keep &= ~ways.refused[ways.cls][way_of[:-1]]
    loops = keep & (ways.refs[:-1] == ways.refs[1:])
    i = i[keep & ~loops]
    return i, i + 1, {"node_refs_outside_area": outside, "zero_length_segments": int(loops.sum())}


def _largest_piece(a: IntArray, b: IntArray, n: int) -> tuple[BoolArray, int]:
    """Segments of the largest connected piece, and the number of pieces."""
    m = coo_array((np.ones(a.size, dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
    count, labels = connected_components(m, directed=False)
    main = int(np.bincount(labels[a]).argmax()) if a.size else 0
    return labels[a] == main, int(count)


def _passage_class(foot: bool, bike: bool) -> WayClass:
    """The class of a barrier passage (as :func:`parcs.osm.barriers._passage`)."""
    acc = f"barrier{int(foot)}{int(bike)}"
    return WayClass(kind="path", name="", surface="unknown", route_refs="", oneway=False,
                    reverse_nodes=False, fwd=(foot, bike), bwd=(foot, bike),
                    differ=("path", "", "unknown", "built", "", "osm", acc))


def _split_barriers(
    ways: WayArrays, segs: tuple[IntArray, IntArray, npt.NDArray[np.int32], IntArray],
    nodes: tuple[IntArray, FloatArray, FloatArray],
) -> tuple[WayArrays, tuple[Any, ...], tuple[IntArray, FloatArray, FloatArray], int]:
    """:func:`parcs.osm.barriers.split_barriers` on segments: each side of a blocking barrier
    but the first (neighbours sorted by id) gets its own copy of the node, joined to it by a
    passage segment when some mode may pass. Only the barrier nodes' segments are visited."""
    a, b, cls, osmid = (x.copy() for x in segs)
    node_id, lon, lat = nodes
    present = np.isin(node_id, np.fromiter(ways.barriers, dtype=np.int64))
    if not present.any():
        return ways, (a, b, cls, osmid), nodes, 0
    at: dict[int, list[int]] = {}
    for s in np.flatnonzero(present[a] | present[b]).tolist():
        for end in {int(a[s]), int(b[s])}:
            if present[end]:
                at.setdefault(end, []).append(s)
    classes = list(ways.classes)
    passage: dict[tuple[bool, bool], int] = {}
    new_nodes: list[tuple[int, int]] = []  # (id, index of the original)
    extra: list[tuple[int, int, int, int]] = []
    split = 0
    for n in sorted(at, key=lambda i: int(node_id[i])):
        no_foot, no_bike = ways.barriers[int(node_id[n])]
        other = {s: int(b[s]) if a[s] == n else int(a[s]) for s in at[n]}
        sides = sorted({nb for nb in other.values() if nb != n},
                       key=lambda i: int(node_id[i]) if i < node_id.size else new_nodes[i - node_id.size][0])
        if len(sides) < 2:
            continue
        split += 1
        nid = int(node_id[n])
        for rank, nb in enumerate(sides[1:64], start=1):
            k = node_id.size + len(new_nodes)
            new_nodes.append((-(nid * 64 + rank), n))
            for s, o in other.items():
                if o == nb:
                    if a[s] == n:
                        a[s] = k
                    if b[s] == n:
                        b[s] = k
            if no_foot and no_bike:
                continue
            key = (not no_foot, not no_bike)
            if key not in passage:
                passage[key] = len(classes)
                classes.append(_passage_class(*key))
            extra.append((k, n, passage[key], -abs(nid)))
    if not new_nodes:
        return ways, (a, b, cls, osmid), nodes, 0
    orig = np.array([o for _, o in new_nodes], dtype=np.int64)
    node_id = np.concatenate([node_id, np.array([i for i, _ in new_nodes], dtype=np.int64)])
    lon, lat = np.concatenate([lon, lon[orig]]), np.concatenate([lat, lat[orig]])
    if extra:
        ex = np.array(extra, dtype=np.int64)
        a, b = np.concatenate([a, ex[:, 0]]), np.concatenate([b, ex[:, 1]])
        cls = np.concatenate([cls, ex[:, 2].astype(cls.dtype)])
        osmid = np.concatenate([osmid, ex[:, 3]])
    return replace(ways, classes=classes), (a, b, cls, osmid), (node_id, lon, lat), split


def _mesh_areas(
    ways: WayArrays, segs: tuple[IntArray, IntArray, npt.NDArray[np.int32], IntArray],
    lonlat: tuple[FloatArray, FloatArray], node_ids: IntArray,
) -> tuple[IntArray, IntArray, npt.NDArray[np.int32], IntArray, int]:
    """:func:`parcs.osm.areas.mesh_pedestrian_areas` on segments (same ring and entry mesh)."""
    a, b, cls, osmid = segs
    lon, lat = lonlat
    flag = np.array([c.area and (c.fwd[0] or c.bwd[0]) for c in ways.classes], dtype=bool)
    on_area = np.flatnonzero(flag[cls]) if flag.any() else np.zeros(0, dtype=np.int64)
    if not on_area.size:
        return a, b, cls, osmid, 0
    by_way: dict[int, list[int]] = {}
    for s in on_area.tolist():
        by_way.setdefault(int(osmid[s]), []).append(s)
    rings = {w: ring_of([(int(a[s]), int(b[s])) for s in ss]) for w, ss in by_way.items()}
    ring_nodes = np.zeros(lon.size, dtype=bool)
    for r in rings.values():
        if r is not None:
            ring_nodes[r] = True
    near: dict[int, set[int]] = {}
    for s in np.flatnonzero(ring_nodes[a] | ring_nodes[b]).tolist():
        u, v = int(a[s]), int(b[s])
        near.setdefault(u, set()).add(v)
        near.setdefault(v, set()).add(u)
    extra: list[tuple[int, int, int, int]] = []
    # the osmnx path meshes the areas in the order of its graph's nodes (ascending OSM ids), and
    # the crossings of one area count for the next (entries, pairs already joined)
    found = [(min(int(node_ids[n]) for n in r), w, r) for w, r in rings.items() if r is not None]
    for _, w, ring in sorted(found):
        own = set(ring)
        entries = [i for i, n in enumerate(ring) if near.get(n, set()) - own]
        xy = [(float(lon[n]), float(lat[n])) for n in ring]
        c = int(cls[by_way[w][0]])
        def joined(i: int, j: int, r: list[int] = ring) -> bool:
            return r[j] in near.get(r[i], set())

        for i, j in crossing_pairs(xy, entries, joined):
            extra.append((ring[i], ring[j], c, w))
            near.setdefault(ring[i], set()).add(ring[j])
            near.setdefault(ring[j], set()).add(ring[i])
    if not extra:
        return a, b, cls, osmid, 0
    ex = np.array(extra, dtype=np.int64)
    return (np.concatenate([a, ex[:, 0]]), np.concatenate([b, ex[:, 1]]),
            np.concatenate([cls, ex[:, 2].astype(cls.dtype)]), np.concatenate([osmid, ex[:, 3]]),
            len(extra))


def _isolated_rings(a: IntArray, b: IntArray, endpoint: BoolArray) -> BoolArray:
    """Segments of the pieces without any endpoint (chordless rings): osmnx's
    ``simplify_graph(remove_rings=True)`` drops them."""
    n = endpoint.size
    m = coo_array((np.ones(a.size, dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
    _, labels = connected_components(m, directed=False)
    has_end = np.bincount(labels, weights=endpoint.astype(float), minlength=labels.max(initial=0) + 1) > 0
    return np.asarray(~has_end[labels[a]], dtype=bool)


def _endpoints(a: IntArray, b: IntArray, differ: npt.NDArray[np.int32], n: int) -> BoolArray:
    """osmnx's endpoints: not exactly two segments to two distinct neighbours, or classes that
    differ."""
    incidence = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs = np.unique(lo * n + hi)
    neighbours = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    d_min = np.full(n, np.iinfo(np.int32).max, dtype=np.int64)
    d_max = np.full(n, -1, dtype=np.int64)
    for end in (a, b):
        np.minimum.at(d_min, end, differ)
        np.maximum.at(d_max, end, differ)
    return (incidence != 2) | (neighbours != 2) | (d_min != d_max)


@numba.njit(cache=True)
def _walk_chains(
    n: int, a: IntArray, b: IntArray, endpoint: BoolArray
) -> tuple[IntArray, IntArray, BoolArray, IntArray]:  # pragma: no cover - compiled
    """The chains: ``(ptr, seg, forward, start)``: chain ``c`` is the segments
    ``seg[ptr[c]:ptr[c + 1]]`` in order from its start node ``start[c]``, ``forward[k]`` saying
    whether segment ``seg[k]`` is travelled a -> b. Segments of rings without an endpoint become
    chains of one segment each."""
    m = a.size
    deg = np.zeros(n + 1, dtype=np.int64)
    for s in range(m):
        deg[a[s] + 1] += 1
        deg[b[s] + 1] += 1
    inc_ptr = np.cumsum(deg)
    fill = inc_ptr[:-1].copy()
    inc = np.empty(2 * m, dtype=np.int64)
    for s in range(m):
        inc[fill[a[s]]] = s
        fill[a[s]] += 1
        inc[fill[b[s]]] = s
        fill[b[s]] += 1
    seen = np.zeros(m, dtype=np.bool_)
    ptr = np.zeros(m + 1, dtype=np.int64)
    seg = np.empty(m, dtype=np.int64)
    fwd = np.empty(m, dtype=np.bool_)
    start = np.empty(m, dtype=np.int64)
    c = 0
    k = 0
    for node in range(n):
        if not endpoint[node]:
            continue
        for j in range(inc_ptr[node], inc_ptr[node + 1]):
            s = inc[j]
            if seen[s]:
                continue
            start[c] = node
            cur = node
            while True:
                seen[s] = True
                seg[k] = s
                fwd[k] = a[s] == cur
                nxt = b[s] if a[s] == cur else a[s]
                k += 1
                cur = nxt
                if endpoint[cur]:
                    break
                s0 = inc[inc_ptr[cur]]
                s = inc[inc_ptr[cur] + 1] if s0 == s else s0
            c += 1
            ptr[c] = k
    for s in range(m):
        if not seen[s]:
            seen[s] = True
            start[c] = a[s]
            seg[k] = s
            fwd[k] = True
            k += 1
            c += 1
            ptr[c] = k
    return ptr[: c + 1], seg, fwd, start[:c]


def _compact(ids: IntArray, lon: FloatArray, lat: FloatArray) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Node ids, the node index of each entry, node lon/lat (first occurrence)."""
    node_id, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    return node_id, inverse.astype(np.int64), lon[first], lat[first]


def _chain_nodes(ptr: IntArray, seg: IntArray, fwd: BoolArray, start: IntArray, a: IntArray, b: IntArray) -> tuple[IntArray, IntArray]:
    """Node sequence of every chain (flat) and its offsets."""
    n_chains = start.size
    ends = np.where(fwd, b[seg], a[seg])
    counts = np.diff(ptr) + 1
    offsets = np.zeros(n_chains + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    nodes = np.empty(int(offsets[-1]), dtype=np.int64)
    nodes[offsets[:-1]] = start
    mask = np.ones(nodes.size, dtype=bool)
    mask[offsets[:-1]] = False
    nodes[mask] = ends
    return nodes, offsets


def reversed_runs(offsets: IntArray) -> IntArray:
    """Indices reversing each run ``[offsets[c], offsets[c + 1])`` of a flat array."""
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(counts.size), counts)
    rank = np.arange(int(offsets[-1])) - offsets[:-1][owner]
    return offsets[:-1][owner] + counts[owner] - 1 - rank


def _access(ways: WayArrays, chain_cls: npt.NDArray[np.int32], fwd: BoolArray, ptr: IntArray) -> tuple[BoolArray, ...]:
    """``(foot_ok, bike_ok, bike_push, major)`` of the forward then backward chains
    (``chain_cls``: the class of each segment in chain order): access flags are the *and* of the
    segments', push and major the *or* (as :func:`parcs.osm.graph.simplify` aggregates)."""
    table = np.array([[*c.fwd, *c.bwd, *c.push, c.major] for c in ways.classes], dtype=bool).reshape(-1, 7)
    flags = table[chain_cls]
    along = np.where(fwd[:, None], flags[:, [0, 1, 4]], flags[:, [2, 3, 5]])
    against = np.where(fwd[:, None], flags[:, [2, 3, 5]], flags[:, [0, 1, 4]])
    along = np.column_stack([along, flags[:, 6]])
    against = np.column_stack([against, flags[:, 6]])
    starts = ptr[:-1]

    def per_chain(x: BoolArray) -> BoolArray:
        if not starts.size:
            return np.zeros((0, 4), bool)
        return np.column_stack([np.logical_and.reduceat(x[:, :2], starts, axis=0),
                                np.logical_or.reduceat(x[:, 2:], starts, axis=0)])

    both = np.concatenate([per_chain(along), per_chain(against)])
    return tuple(both[:, i].copy() for i in range(4))


def _vocab(values: list[str]) -> tuple[list[str], dict[str, int]]:
    vocab = sorted(set(values))
    return vocab, {v: i for i, v in enumerate(vocab)}


def _class_codes(ways: WayArrays) -> dict[str, Any]:
    """Per class, its codes in the kind/name/surface/refs vocabularies."""
    out: dict[str, Any] = {}
    for attr, name in (("kind", "kinds"), ("name", "names"), ("surface", "surfaces"), ("route_refs", "refs")):
        values = [getattr(c, attr) for c in ways.classes]
        vocab, index = _vocab(values)
        out[name] = vocab
        out[attr] = np.array([index[v] for v in values], dtype=np.int32)
    return out


def assemble(
    ways: WayArrays, *, crs: str, area: BaseGeometry | None = None, largest_only: bool = False
) -> ArrayGraph:
    """The network of ``ways`` (see the module doc).

    Parameters
    ----------
    ways
        Streamed ways (:func:`parcs.osm.stream.read_ways`). Not modified.
    crs
        Projected CRS of the lengths and coordinates (``"EPSG:2154"``, a UTM zone...).
    area
        WGS84 polygon: nodes outside are dropped (None: keep all).
    largest_only
        Keep only the largest connected piece (default: every piece, as the osmnx path does).

    Raises
    ------
    BuildError
        When no segment is left inside the area.
    """
    ia, ib, counts = _segments(ways, area)
    if not ia.size:
        raise BuildError("no way of the OSM network lies inside the area")
    seg_way = np.searchsorted(ways.ptr, ia, side="right") - 1
    node_id, inv, lon, lat = _compact(np.concatenate([ways.refs[ia], ways.refs[ib]]),
                                      np.concatenate([ways.lon[ia], ways.lon[ib]]),
                                      np.concatenate([ways.lat[ia], ways.lat[ib]]))
    a, b = inv[: ia.size], inv[ia.size :]
    del ia, ib, inv
    if largest_only:
        keep, counts["components"] = _largest_piece(a, b, node_id.size)
        counts["segments_outside_largest_component"] = int((~keep).sum())
        a, b, seg_way = a[keep], b[keep], seg_way[keep]
        used = np.zeros(node_id.size, dtype=bool)
        used[a] = used[b] = True
        renum = np.cumsum(used) - 1
        a, b = renum[a], renum[b]
        node_id, lon, lat = node_id[used], lon[used], lat[used]
    seg_cls = ways.cls[seg_way]
    seg_osmid = ways.way_id[seg_way]
    if ways.barriers:
        ways, (a, b, seg_cls, seg_osmid), (node_id, lon, lat), counts["barriers_blocking"] = _split_barriers(
            ways, (a, b, seg_cls, seg_osmid), (node_id, lon, lat))
    a, b, seg_cls, seg_osmid, counts["area_crossings"] = _mesh_areas(
        ways, (a, b, seg_cls, seg_osmid), (lon, lat), node_id)
    differ_index: dict[tuple[str, ...], int] = {}
    differ = np.array([differ_index.setdefault(c.differ, len(differ_index)) for c in ways.classes],
                      dtype=np.int32)
    endpoint = _endpoints(a, b, differ[seg_cls], node_id.size)
    ring = _isolated_rings(a, b, endpoint)
    counts["isolated_ring_segments"] = int(ring.sum())
    a, b, seg_cls, seg_osmid = a[~ring], b[~ring], seg_cls[~ring], seg_osmid[~ring]
    ptr, seg, fwd, start = _walk_chains(node_id.size, a, b, endpoint)
    chain_nodes, offsets = _chain_nodes(ptr, seg, fwd, start, a, b)
    keep_node = np.zeros(node_id.size, dtype=bool)
    keep_node[chain_nodes[offsets[:-1]]] = keep_node[chain_nodes[offsets[1:] - 1]] = True
    return _finish(ways, crs=crs, node=(node_id, lon, lat), keep_node=keep_node,
                   chains=(ptr, seg, fwd, chain_nodes, offsets), seg_cls=seg_cls,
                   seg_osmid=seg_osmid, counts={**counts, "segments": int(a.size)})


def _finish(
    ways: WayArrays, *, crs: str, node: tuple[IntArray, FloatArray, FloatArray],
    keep_node: BoolArray, chains: tuple[IntArray, IntArray, BoolArray, IntArray, IntArray],
    seg_cls: npt.NDArray[np.int32], seg_osmid: IntArray, counts: dict[str, Any],
) -> ArrayGraph:
    """Projection, lengths, directed edges and their attributes."""
    node_id, lon, lat = node
    ptr, seg, fwd, chain_nodes, offsets = chains
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    step = np.hypot(np.diff(x[chain_nodes]), np.diff(y[chain_nodes]))
    step[offsets[1:-1] - 1] = 0.0  # pairs straddling two chains
    cum = np.concatenate([[0.0], np.cumsum(step)])
    length = cum[offsets[1:] - 1] - cum[offsets[:-1]]
    renum = np.cumsum(keep_node) - 1
    u = renum[chain_nodes[offsets[:-1]]].astype(np.int32)
    v = renum[chain_nodes[offsets[1:] - 1]].astype(np.int32)
    foot, bike, push, major = _access(ways, seg_cls[seg], fwd, ptr)
    first_cls = seg_cls[seg[ptr[:-1]]]
    codes = _class_codes(ways)
    rev = reversed_runs(offsets)
    geom_nodes = np.concatenate([chain_nodes, chain_nodes[rev]])
    n_chains = u.size
    counts.update(nodes=int(keep_node.sum()), edges=2 * n_chains, classes=len(ways.classes))

    def twice(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.concatenate([arr, arr])

    return ArrayGraph(
        crs=crs, node_id=node_id[keep_node], node_lon=lon[keep_node], node_lat=lat[keep_node],
        node_x=x[keep_node], node_y=y[keep_node],
        edge_u=np.concatenate([u, v]), edge_v=np.concatenate([v, u]), edge_length=twice(length),
        edge_osmid=twice(seg_osmid[seg[ptr[:-1]]]), edge_foot_ok=foot, edge_bike_ok=bike,
        edge_bike_push=push & bike, edge_major=major,
        edge_kind=twice(codes["kind"][first_cls]), edge_name=twice(codes["name"][first_cls]),
        edge_surface=twice(codes["surface"][first_cls]), edge_refs=twice(codes["route_refs"][first_cls]),
        geom_offsets=np.concatenate([offsets[:-1], offsets[-1] + offsets]),
        geom_x=x[geom_nodes], geom_y=y[geom_nodes], geom_lon=lon[geom_nodes], geom_lat=lat[geom_nodes],
        kinds=codes["kinds"], names=codes["names"], surfaces=codes["surfaces"], refs=codes["refs"],
        counts=counts,
    )

"""Snap a point onto the nearest point of a way the profile may use: a virtual node for one query.

A place given by coordinates is not moved to the nearest *node* (which may lie across a bay or at
the far end of a long way) but onto the nearest point of a *way*, where an :class:`Anchor` splits
that way's edge for one query only: the compiled network, shared read-only by every request and
web worker, is never modified; the searches enter and leave an anchor through the two ends of its
edge at a share of the edge's cost (:mod:`routing.legs`), and the itinerary is cut at it
(:mod:`routing.itinerary`).

- Spatial index: an STRtree over the straight segments of every way's geometry (one direction per
  way), built once per network and cached on it; a query asks the tree for its nearest segment,
  then for the segments within that distance plus :data:`LAYER_SLACK_M` (wider, doubling from
  :data:`FIRST_RADIUS_M`, only when none of them is usable) and projects the point exactly on
  those few segments, in numpy. No query loops over the whole network.
- Usable ways: an edge the profile's costs allow in at least one direction (``foot_ok`` /
  ``bike_ok``, the family profile's grade limit...).
- Ground first: a way in a tunnel or on a bridge (``layer`` other than 0) loses to a ground way
  less than :data:`LAYER_SLACK_M` farther away.
- Pieces: the network may hold several pieces that no usable way joins (per profile:
  :func:`pieces`). :func:`snap_by_piece` gives the best anchor on every piece within reach, so
  that a route's places can be put on one piece from which the trip is possible.

A projection within :data:`NODE_EPS_M` of an end of its edge is that node (:meth:`Anchor.node`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from routing.compiled import CompiledNetwork

__all__ = [
    "FIRST_RADIUS_M", "LAYER_SLACK_M", "NODE_EPS_M", "Anchor", "pieces", "prepare", "snap", "snap_by_piece",
    "twins", "usable",
]

#: A way off the ground (tunnel, bridge: ``layer`` other than 0) loses to a ground way that lies
#: less than this much farther from the point (m).
LAYER_SLACK_M = 10.0
#: Smallest radius of a widened search (m), when no usable way lies near the nearest way.
FIRST_RADIUS_M = 60.0
#: A projection this close to an end of its edge is that node (m).
NODE_EPS_M = 0.05

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
T = TypeVar("T")


@dataclass(frozen=True)
class Anchor:
    """A point on a way, for one query: it splits edge ``edge`` (``u -> v``) at ``d`` metres from
    ``u`` (distances along the edge as ``geom_d``, scaled to ``length``).

    ``twin`` is the edge of the other direction of the same way (-1: none); ``x``/``y`` the
    point on the way (the network's CRS), ``dist_m`` its distance from the point asked for,
    ``piece`` the network piece it lies on (:func:`pieces`), ``layer`` the way's layer.
    """

    edge: int
    twin: int
    d: float
    length: float
    x: float
    y: float
    dist_m: float
    piece: int
    layer: int = 0

    @property
    def fraction(self) -> float:
        """Share of the edge between ``u`` and the point."""
        return self.d / self.length if self.length > 0 else 0.0

    def node(self, cn: CompiledNetwork) -> int:
        """The node the point lies on (within :data:`NODE_EPS_M`), else -1."""
        if self.d <= NODE_EPS_M:
            return int(cn.edge_u[self.edge])
        if self.length - self.d <= NODE_EPS_M:
            return int(cn.edge_v[self.edge])
        return -1

    def nearer_end(self, cn: CompiledNetwork) -> int:
        """The end of the edge nearer along it (``u`` on a tie)."""
        return int(cn.edge_u[self.edge] if self.d <= self.length - self.d else cn.edge_v[self.edge])


def _cached(cn: CompiledNetwork, name: str, costs: FloatArray, make: Callable[[], T]) -> T:
    """``make()`` cached on ``cn`` for a read-only cost vector (keyed by identity), else fresh."""
    if isinstance(costs, np.ndarray) and not costs.flags.writeable:
        key: Hashable = (name, id(costs))
        hit = cn.cached(key, lambda: (costs, make()))
        if hit[0] is costs:
            return hit[1]
    return make()


def twins(cn: CompiledNetwork) -> npt.NDArray[np.int64]:
    """For every edge, the edge of the other direction of the same way (-1: none; cached)."""

    def make() -> npt.NDArray[np.int64]:
        out = np.full(cn.n_edges, -1, dtype=np.int64)
        order = np.argsort(cn.edge_way, kind="stable")
        way = cn.edge_way[order]
        starts = np.flatnonzero(np.r_[True, way[1:] != way[:-1]]) if way.size else np.zeros(0, dtype=np.int64)
        sizes = np.diff(np.r_[starts, way.size])
        a, b = order[starts[sizes == 2]], order[starts[sizes == 2] + 1]
        pair = (cn.edge_u[a] == cn.edge_v[b]) & (cn.edge_v[a] == cn.edge_u[b])
        out[a[pair]], out[b[pair]] = b[pair], a[pair]
        for s, n in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
            group = order[s : s + n].tolist()  # rare: several edges share a way id
            for e in group:
                for f in group:
                    if out[e] < 0 and out[f] < 0 and e != f and cn.edge_u[e] == cn.edge_v[f] and cn.edge_v[e] == cn.edge_u[f]:
                        out[e], out[f] = f, e
        out.flags.writeable = False
        return out

    return cn.cached(("twins",), make)


@dataclass(frozen=True, eq=False)
class _Segments:
    """Straight segments of one direction of every way: the STRtree, and per segment its edge,
    its end points and the distances along the edge at those ends."""

    tree: shapely.STRtree
    edge: IntArray
    x0: FloatArray
    y0: FloatArray
    dx: FloatArray
    dy: FloatArray
    d0: FloatArray
    dd: FloatArray


def _segments(cn: CompiledNetwork) -> _Segments:
    def make() -> _Segments:
        tw = twins(cn)
        edges = np.flatnonzero((tw < 0) | (np.arange(cn.n_edges) < tw))
        first, last = cn.geom_offsets[edges], cn.geom_offsets[edges + 1] - 1
        counts = np.maximum(last - first, 0)
        owner = np.repeat(edges, counts)
        start = np.repeat(first, counts) + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        x0, y0 = cn.geom_x[start], cn.geom_y[start]
        x1, y1 = cn.geom_x[start + 1], cn.geom_y[start + 1]
        lines = shapely.linestrings(np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1))
        return _Segments(
            shapely.STRtree(lines), owner.astype(np.int64), x0, y0, x1 - x0, y1 - y0,
            cn.geom_d[start], cn.geom_d[start + 1] - cn.geom_d[start],
        )

    return cn.cached(("snap_segments",), make)


def usable(cn: CompiledNetwork, costs: FloatArray) -> BoolArray:
    """Edges whose way the costs allow in at least one direction (cached per read-only vector)."""

    def make() -> BoolArray:
        ok = np.isfinite(costs)
        tw = twins(cn)
        out = ok | np.where(tw >= 0, ok[np.maximum(tw, 0)], False)
        out.flags.writeable = False
        return out

    return _cached(cn, "snap_usable", costs, make)


def pieces(cn: CompiledNetwork, costs: FloatArray) -> npt.NDArray[np.int32]:
    """Label of every node's piece: the weakly connected components of the edges ``costs`` allow
    (a node no allowed edge touches is a piece of its own; cached per read-only vector)."""

    def make() -> npt.NDArray[np.int32]:
        ok = np.isfinite(costs)
        n = cn.n_nodes
        m = coo_array((np.ones(int(ok.sum())), (cn.edge_u[ok], cn.edge_v[ok])), shape=(n, n)).tocsr()
        _, labels = connected_components(m, directed=True, connection="weak")
        out = labels.astype(np.int32)
        out.flags.writeable = False
        return out

    return _cached(cn, "snap_pieces", costs, make)


def _project(cn: CompiledNetwork, costs: FloatArray, x: float, y: float, radius: float) -> tuple[IntArray, FloatArray, FloatArray]:
    """Usable segments within ``radius`` of the point: indices, distances and the projection's
    share along each segment."""
    seg = _segments(cn)
    idx = seg.tree.query(shapely.points(x, y), predicate="dwithin", distance=radius)
    idx = idx[usable(cn, costs)[seg.edge[idx]]]
    dx, dy = seg.dx[idx], seg.dy[idx]
    den = dx * dx + dy * dy
    t = np.clip(np.divide((x - seg.x0[idx]) * dx + (y - seg.y0[idx]) * dy, den, out=np.zeros_like(den), where=den > 0), 0.0, 1.0)
    dist = np.hypot(seg.x0[idx] + t * dx - x, seg.y0[idx] + t * dy - y)
    return idx, dist, t


def _anchor(cn: CompiledNetwork, costs: FloatArray, s: int, t: float, dist: float) -> Anchor:
    seg = _segments(cn)
    e = int(seg.edge[s])
    length = float(cn.edge_length[e])
    d = min(max(float(seg.d0[s] + t * seg.dd[s]), 0.0), length)
    if d <= NODE_EPS_M:
        d = 0.0
    elif length - d <= NODE_EPS_M:
        d = length
    return Anchor(
        edge=e, twin=int(twins(cn)[e]), d=d, length=length,
        x=float(seg.x0[s] + t * seg.dx[s]), y=float(seg.y0[s] + t * seg.dy[s]), dist_m=float(dist),
        piece=int(pieces(cn, costs)[cn.edge_u[e]]), layer=int(cn.edge_layer[e]),
    )


def _scores(cn: CompiledNetwork, idx: IntArray, dist: FloatArray) -> FloatArray:
    layer = cn.edge_layer[_segments(cn).edge[idx]]
    return dist + np.where(layer != 0, LAYER_SLACK_M, 0.0)


def snap(cn: CompiledNetwork, x: float, y: float, *, costs: FloatArray, max_snap_m: float) -> Anchor | None:
    """The best point of a usable way for a projected point (``None``: none within ``max_snap_m``).

    Best: nearest, a way off the ground counting :data:`LAYER_SLACK_M` farther.

    Parameters
    ----------
    cn
        The compiled network.
    x, y
        The point, in the network's CRS.
    costs
        The profile's edge costs (:func:`routing.edge_costs`): ways they forbid both ways are
        left out.
    max_snap_m
        Farthest the way may lie (m).
    """
    if not (math.isfinite(x) and math.isfinite(y)) or cn.n_edges == 0:
        return None
    seg = _segments(cn)
    _, near = seg.tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
    radius = min(float(near[0]) + LAYER_SLACK_M, max_snap_m)  # the nearest way, usable or not
    while True:
        idx, dist, t = _project(cn, costs, x, y, radius)
        ok = dist <= max_snap_m
        idx, dist, t = idx[ok], dist[ok], t[ok]
        if idx.size:
            score = _scores(cn, idx, dist)
            k = int(np.lexsort((idx, score))[0])
            if score[k] <= radius or radius >= max_snap_m:  # no farther way can score better
                return _anchor(cn, costs, int(idx[k]), float(t[k]), float(dist[k]))
            radius = min(float(score[k]), max_snap_m)
        elif radius >= max_snap_m:
            return None
        else:
            radius = min(max(2.0 * radius, FIRST_RADIUS_M), max_snap_m)


def snap_by_piece(cn: CompiledNetwork, x: float, y: float, *, costs: FloatArray, max_snap_m: float) -> list[Anchor]:
    """The best point (as :func:`snap`) on every piece of the network within ``max_snap_m``,
    best first."""
    if not (math.isfinite(x) and math.isfinite(y)) or cn.n_edges == 0:
        return []
    idx, dist, t = _project(cn, costs, x, y, max_snap_m)
    ok = dist <= max_snap_m
    idx, dist, t = idx[ok], dist[ok], t[ok]
    score = _scores(cn, idx, dist)
    order = np.lexsort((idx, score))
    piece = pieces(cn, costs)[cn.edge_u[_segments(cn).edge[idx[order]]]]
    _, first = np.unique(piece, return_index=True)
    best = order[np.sort(first)]
    return [_anchor(cn, costs, int(idx[k]), float(t[k]), float(dist[k])) for k in best.tolist()]


def prepare(cn: CompiledNetwork) -> None:
    """Build the spatial index and, for every profile, the usable ways and the pieces now (a
    server does it at start rather than on its first query)."""
    from routing.costs import edge_costs
    from routing.profiles import PROFILES

    _segments(cn)
    for profile in PROFILES:
        costs = edge_costs(cn, profile)
        usable(cn, costs)
        pieces(cn, costs)

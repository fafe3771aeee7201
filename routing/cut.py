"""The arrays of a path whose ends (or stops) lie inside edges: lengths, profile and geometry cut.

A route between anchors (:mod:`routing.snap`) is a sequence of :class:`~routing.legs.LegPath`:
each leg is consecutive edges, its first entered and its last left part-way. :func:`cut_path`
gathers, over all legs, what :mod:`routing.itinerary` needs: every edge with the length run on
it and that share of the edge (distance, time, cost and km by kind are pro rata), the elevation
profile and the geometry vertices cut at the anchors (the values there interpolated along the
edge's own profile and geometry), the graph nodes passed, and the distance along the route at
the end of each leg (where its stop is reached).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.compiled import CompiledNetwork
from routing.kernels import path_indices, path_profile
from routing.legs import LegPath

__all__ = ["CutPath", "cut_path"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CutPath:
    """A path cut at its anchors (see the module docstring).

    ``edges``/``lengths``/``share``: every edge run, in order, the metres run on it and their
    share of the edge; ``d``/``z``: the profile (distance along the route, elevation);
    ``vertices``: ``(x, y, lon, lat, z)`` rows of the geometry, ``vertex_edge`` the position in
    ``edges`` of the edge each one ends (a junction vertex ends the edge before it); ``nodes``: the graph nodes
    passed (indices); ``leg_ends``: the distance along the route where each leg ends.
    """

    edges: IntArray
    lengths: FloatArray
    share: FloatArray
    d: FloatArray
    z: FloatArray
    vertices: FloatArray
    vertex_edge: IntArray
    nodes: IntArray
    leg_ends: tuple[float, ...]


def _at(d: FloatArray, values: FloatArray, x: float) -> FloatArray:
    """The row of ``values`` interpolated at distance ``x`` (``d`` non-decreasing)."""
    j = min(max(int(np.searchsorted(d, x, side="right")), 1), d.size - 1) if d.size > 1 else 0
    if j == 0:
        return np.array(values[0], dtype=float)
    d0, d1 = float(d[j - 1]), float(d[j])
    t = min(max((x - d0) / (d1 - d0), 0.0), 1.0) if d1 > d0 else 1.0
    return np.asarray(values[j - 1] + t * (values[j] - values[j - 1]), dtype=float)


def _trim(d: FloatArray, values: FloatArray, lo: float, hi: float) -> tuple[FloatArray, FloatArray, slice]:
    """Rows of ``values`` (one per distance ``d``, non-decreasing) between ``lo`` and ``hi``, the
    ends interpolated; distances from ``lo``; the slice of the rows kept as they are."""
    i0 = int(np.searchsorted(d, lo, side="right"))  # the first sample beyond lo
    i1 = max(int(np.searchsorted(d, hi, side="left")), i0)  # the first at or beyond hi
    rows = np.concatenate([_at(d, values, lo)[None, :], values[i0:i1], _at(d, values, hi)[None, :]])
    return np.concatenate([[0.0], d[i0:i1] - lo, [hi - lo]]), rows, slice(i0, i1)


def _leg_arrays(cn: CompiledNetwork, leg: LegPath) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, IntArray]:
    """Piece lengths, profile ``(d, z)``, vertex rows and the position of each one's edge in the
    leg, and the nodes of one leg."""
    e = leg.edges
    full = cn.edge_length[e]
    lengths = full.copy()
    if leg.end >= 0:
        lengths[-1] = leg.end
    lengths[0] -= leg.start
    lo = leg.start
    hi = float(full.sum()) - (float(full[-1]) - leg.end if leg.end >= 0 else 0.0)
    pd, pz = path_profile(e, offsets=cn.prof_offsets, prof_d=cn.prof_d, prof_z=cn.prof_z, edge_length=cn.edge_length)
    d, z, _ = _trim(pd, pz[:, None], lo, hi)
    gidx = path_indices(e, offsets=cn.geom_offsets)
    counts = cn.geom_offsets[e + 1] - cn.geom_offsets[e] - 1
    counts[0] += 1
    before = np.concatenate([[0.0], np.cumsum(full[:-1])])
    gd = cn.geom_d[gidx] + np.repeat(before, counts)
    table = np.column_stack([cn.geom_x[gidx], cn.geom_y[gidx], cn.geom_lon[gidx], cn.geom_lat[gidx], cn.geom_z[gidx]])
    _, vertices, kept = _trim(gd, table, lo, hi)
    vertices[0, 4], vertices[-1, 4] = z[0, 0], z[-1, 0]  # the cut points' elevation from the profile
    owner = np.repeat(np.arange(e.size, dtype=np.int64), counts)
    owners = np.concatenate([[0], owner[kept], [e.size - 1]]).astype(np.int64)
    nodes = np.concatenate([cn.edge_u[e[:1]], cn.edge_v[e]]).astype(np.int64)
    if lo > 0:
        nodes = nodes[1:]
    if leg.end >= 0 and leg.end < float(full[-1]) and nodes.size:
        nodes = nodes[:-1]
    return lengths, d, z[:, 0], vertices, owners, nodes


def cut_path(cn: CompiledNetwork, legs: Sequence[LegPath]) -> CutPath:
    """The arrays of consecutive legs (at least one edge in all; see :class:`CutPath`)."""
    edges: list[IntArray] = []
    lengths: list[FloatArray] = []
    ds: list[FloatArray] = []
    zs: list[FloatArray] = []
    verts: list[FloatArray] = []
    owners: list[IntArray] = []
    nodes: list[IntArray] = []
    ends: list[float] = []
    base = 0.0
    for leg in legs:
        if leg.edges.size == 0:
            ends.append(base)
            continue
        ln, d, z, v, own, n = _leg_arrays(cn, leg)
        skip = 1 if ds else 0  # the junction with the previous leg once
        edges.append(leg.edges)
        lengths.append(ln)
        ds.append(d[skip:] + base)
        zs.append(z[skip:])
        verts.append(v[skip:])
        owners.append(own[skip:] + sum(x.size for x in edges[:-1]))
        if n.size:
            nodes.append(n[1:] if nodes and nodes[-1].size and nodes[-1][-1] == n[0] else n)
        base += float(ln.sum())
        ends.append(base)
    e = np.concatenate(edges).astype(np.int64)
    ln = np.concatenate(lengths)
    full = cn.edge_length[e]
    share = np.divide(ln, full, out=np.ones_like(ln), where=full > 0)
    return CutPath(
        edges=e, lengths=ln, share=share, d=np.concatenate(ds), z=np.concatenate(zs),
        vertices=np.concatenate(verts), vertex_edge=np.concatenate(owners), nodes=np.concatenate(nodes) if nodes else np.zeros(0, dtype=np.int64),
        leg_ends=tuple(ends),
    )

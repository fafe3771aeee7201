"""Candidate missing links from three sources: connectors, spatial proximity, planned sections.

Every candidate is reduced to one or more *rows* ``(p, q, length)``: a new undirected link of
``length`` metres between two *anchors* of the greenway network. An anchor is a node, or a point
inside a greenway edge at offset ``t`` from its end ``a`` (``L - t`` from its end ``b``); the
greenway distance from any source ``s`` to an anchor is ``min(d(s, a) + t, d(s, b) + L - t)``.

- **Sections** (connectors, planned sections): the connector (resp. planned) edges are cut at
  their *terminals* — nodes on a built greenway or unit access nodes — into pieces; a piece with
  two terminals or more is one candidate whose rows join every pair of its terminals with the
  distance inside the piece. This is exact for shortest paths between greenway nodes.
- **Proximity**: greenway nodes and points every ``step_m`` along greenway edges; pairs closer than
  ``max_gap_m`` in space (``cKDTree.query_pairs``) but at least ``min_detour_m`` apart on the
  greenway network (or in different components). Network distances come from Dijkstra runs
  limited to ``min_detour_m``, only from the ends of the edges that carry such pairs, in chunks.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from routing.gaps.graph import BoolArray, FloatArray, GapGraph, IntArray, ObjArray, symmetric_csr

logger = logging.getLogger(__name__)

#: Float cells of a Dijkstra result block (chunks of sources are sized to stay below this).
DIJKSTRA_BLOCK_CELLS = 8_000_000


@dataclass(frozen=True, eq=False)
class Anchors:
    """Points of the greenway network: ``(na, oa)`` and ``(nb, ob)`` are the two ends and offsets.

    Node anchors have ``na == nb`` and zero offsets, ``edge == -1``.
    """

    na: IntArray
    oa: FloatArray
    nb: IntArray
    ob: FloatArray
    xy: FloatArray
    edge: IntArray

    def __len__(self) -> int:
        return len(self.na)

    def take(self, idx: IntArray) -> Anchors:
        """A subset of the anchors."""
        return Anchors(self.na[idx], self.oa[idx], self.nb[idx], self.ob[idx], self.xy[idx], self.edge[idx])

    @staticmethod
    def concat(parts: list[Anchors]) -> Anchors:
        """Anchors of several tables, in order."""
        return Anchors(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                         ("na", "oa", "nb", "ob", "xy", "edge")))

    @staticmethod
    def of_nodes(gg: GapGraph, nodes: IntArray) -> Anchors:
        """Anchors at nodes."""
        nodes = np.asarray(nodes, dtype=np.intp)
        zero = np.zeros(len(nodes))
        return Anchors(nodes, zero, nodes, zero.copy(), gg.xy[nodes].reshape(-1, 2),
                       np.full(len(nodes), -1, dtype=np.intp))


@dataclass(frozen=True, eq=False)
class RawCandidates:
    """Candidates before scoring: per-candidate arrays and rows sorted by candidate."""

    source: ObjArray
    length: FloatArray
    geometry: ObjArray
    end_anchors: IntArray
    edges: tuple[IntArray, ...]
    terminals: tuple[IntArray, ...]
    row_cand: IntArray
    row_p: IntArray
    row_q: IntArray
    row_len: FloatArray
    anchors: Anchors

    def __len__(self) -> int:
        return len(self.source)

    @property
    def ends(self) -> FloatArray:
        """``(c, 2, 2)`` coordinates of the two ends of every candidate."""
        return self.anchors.xy[self.end_anchors].reshape(-1, 2, 2)

    @staticmethod
    def concat(parts: list[RawCandidates]) -> RawCandidates:
        """Candidates of several sources, renumbered, rows still sorted by candidate."""
        offs_c = np.cumsum([0] + [len(p) for p in parts])
        offs_a = np.cumsum([0] + [len(p.anchors) for p in parts])
        cat = np.concatenate
        return RawCandidates(
            source=cat([p.source for p in parts]), length=cat([p.length for p in parts]),
            geometry=cat([p.geometry for p in parts]),
            end_anchors=cat([p.end_anchors + o for p, o in zip(parts, offs_a, strict=False)]).reshape(-1, 2).astype(np.intp),
            edges=tuple(e for p in parts for e in p.edges),
            terminals=tuple(t for p in parts for t in p.terminals),
            row_cand=cat([p.row_cand + o for p, o in zip(parts, offs_c, strict=False)]).astype(np.intp),
            row_p=cat([p.row_p + o for p, o in zip(parts, offs_a, strict=False)]).astype(np.intp),
            row_q=cat([p.row_q + o for p, o in zip(parts, offs_a, strict=False)]).astype(np.intp),
            row_len=cat([p.row_len for p in parts]), anchors=Anchors.concat([p.anchors for p in parts]),
        )


def empty_candidates() -> RawCandidates:
    """No candidate."""
    e_i = np.zeros(0, dtype=np.intp)
    e_f = np.zeros(0)
    return RawCandidates(
        np.zeros(0, dtype=object), e_f, np.zeros(0, dtype=object), np.zeros((0, 2), dtype=np.intp), (), (),
        e_i, e_i, e_i, e_f, Anchors(e_i, e_f, e_i, e_f, np.zeros((0, 2)), e_i),
    )


# --------------------------------------------------------------------------- sections


def _pieces(gg: GapGraph, edges: IntArray, terminal: BoolArray) -> IntArray:
    """Piece label of every edge: edges joined through non-terminal nodes only."""
    n = gg.n_nodes
    m = len(edges)
    u, v = gg.eu[edges], gg.ev[edges]
    uu = np.where(terminal[u], n + 2 * np.arange(m), u)
    vv = np.where(terminal[v], n + 2 * np.arange(m) + 1, v)
    graph = symmetric_csr(n + 2 * m, uu, vv, np.ones(m))
    _, labels = connected_components(graph, directed=False)
    _, piece = np.unique(labels[uu], return_inverse=True)
    return np.asarray(piece, dtype=np.intp)


def _piece_rows(gg: GapGraph, edges: IntArray, terminal: BoolArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Terminal pairs of one piece and their distance inside it (``p``, ``q``, ``d``)."""
    u, v = gg.eu[edges], gg.ev[edges]
    nodes, inv = np.unique(np.concatenate([u, v]), return_inverse=True)
    k = len(nodes)
    sub = symmetric_csr(k, inv[: len(edges)], inv[len(edges):], gg.length[edges])
    terms = np.flatnonzero(terminal[nodes])
    if len(terms) < 2:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    dist = dijkstra(sub, directed=False, indices=terms)[:, terms]
    i, j = np.triu_indices(len(terms), k=1)
    d = dist[i, j]
    ok = np.isfinite(d)
    return nodes[terms[i[ok]]], nodes[terms[j[ok]]], d[ok]


def _section_geometry(gg: GapGraph, edges: IntArray) -> BaseGeometry:
    geom: BaseGeometry = shapely.line_merge(shapely.multilinestrings(list(gg.geometry[edges])))
    return geom


def _objects(items: list[object]) -> ObjArray:
    """A 1-d object array (numpy would otherwise try to unpack sequences)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def section_candidates(gg: GapGraph, mask: BoolArray, *, source: str, extra_terminals: IntArray) -> RawCandidates:
    """Candidates from the pieces of the ``mask`` edges (connectors or planned sections).

    Parameters
    ----------
    gg
        The network arrays.
    mask
        Edges of the family.
    source
        ``"connector"`` or ``"planned"``.
    extra_terminals
        Nodes that are terminals besides greenway nodes (the units' access nodes).
    """
    edges = np.flatnonzero(mask & (gg.eu != gg.ev))
    if len(edges) == 0:
        return empty_candidates()
    terminal = gg.greenway_degree > 0
    terminal[extra_terminals] = True
    piece = _pieces(gg, edges, terminal)
    order = np.argsort(piece, kind="stable")
    bounds = np.flatnonzero(np.r_[True, np.diff(piece[order]) != 0, True])
    rows_p: list[IntArray] = []
    rows_q: list[IntArray] = []
    rows_d: list[FloatArray] = []
    kept_edges: list[IntArray] = []
    skipped = 0
    for start, stop in itertools.pairwise(bounds.tolist()):
        e = edges[order[start:stop]]
        p, q, d = _piece_rows(gg, e, terminal)
        if len(p) == 0:
            skipped += 1
            continue
        rows_p.append(p)
        rows_q.append(q)
        rows_d.append(d)
        kept_edges.append(e)
    logger.info("%s: %d pieces with two terminals or more, %d dead ends ignored", source, len(kept_edges), skipped)
    return _sections_to_raw(gg, source, kept_edges, rows_p, rows_q, rows_d)


def _sections_to_raw(
    gg: GapGraph, source: str, kept_edges: list[IntArray], rows_p: list[IntArray],
    rows_q: list[IntArray], rows_d: list[FloatArray],
) -> RawCandidates:
    if not kept_edges:
        return empty_candidates()
    counts = np.array([len(p) for p in rows_p])
    row_cand = np.repeat(np.arange(len(kept_edges)), counts)
    terms = [np.unique(np.concatenate([p, q])) for p, q in zip(rows_p, rows_q, strict=True)]
    nodes = np.unique(np.concatenate(terms))
    anchors = Anchors.of_nodes(gg, nodes)
    p_all, q_all, d_all = np.concatenate(rows_p), np.concatenate(rows_q), np.concatenate(rows_d)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    far = np.array([s + int(np.argmax(d_all[s:s + k])) for s, k in zip(starts, counts, strict=True)])
    ends = np.searchsorted(nodes, np.stack([p_all[far], q_all[far]], axis=1)).astype(np.intp)
    return RawCandidates(
        source=np.full(len(kept_edges), source, dtype=object),
        length=np.array([gg.length[e].sum() for e in kept_edges]),
        geometry=_objects([_section_geometry(gg, e) for e in kept_edges]),
        end_anchors=ends, edges=tuple(kept_edges), terminals=tuple(terms), row_cand=row_cand.astype(np.intp),
        row_p=np.searchsorted(nodes, p_all).astype(np.intp),
        row_q=np.searchsorted(nodes, q_all).astype(np.intp), row_len=d_all, anchors=anchors,
    )


# --------------------------------------------------------------------------- proximity


def greenway_anchors(gg: GapGraph, *, step_m: float | None) -> Anchors:
    """Greenway nodes, plus points every ``step_m`` inside greenway edges (``None``: nodes only)."""
    nodes = Anchors.of_nodes(gg, np.flatnonzero(gg.greenway_degree > 0))
    if not step_m:
        return nodes
    edges = np.flatnonzero(gg.greenway)
    length = gg.length[edges]
    count = np.maximum(np.ceil(length / step_m).astype(np.intp) - 1, 0)
    rep = np.repeat(np.arange(len(edges)), count)
    if len(rep) == 0:
        return nodes
    first = np.r_[0, np.cumsum(count)[:-1]]
    rank = np.arange(len(rep)) - np.repeat(first, count) + 1
    frac = rank / (count[rep] + 1.0)
    pts = shapely.line_interpolate_point(gg.geometry[edges[rep]].astype(object), frac, normalized=True)
    off = frac * length[rep]
    e = edges[rep]
    inner = Anchors(gg.eu[e], off, gg.ev[e], length[rep] - off, shapely.get_coordinates(pts), e.astype(np.intp))
    return Anchors.concat([nodes, inner])


def _block_distances(csr: csr_matrix, src: IntArray, dst: IntArray, *, limit: float) -> FloatArray:
    """``d(src[i], dst[i])`` on ``csr`` (``inf`` beyond ``limit``), Dijkstra chunked by source."""
    out = np.full(len(src), np.inf)
    sources, inv = np.unique(src, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    chunk = max(1, DIJKSTRA_BLOCK_CELLS // max(csr.shape[0], 1))
    for start in range(0, len(sources), chunk):
        block = sources[start:start + chunk]
        dist = dijkstra(csr, directed=False, indices=block, limit=limit)
        sel = order[np.searchsorted(inv[order], start):np.searchsorted(inv[order], start + len(block))]
        out[sel] = dist[inv[sel] - start, dst[sel]]
    return out


def _limited_distances(gg: GapGraph, src: IntArray, dst: IntArray, *, limit: float) -> FloatArray:
    """``d(src[i], dst[i])`` on the greenway graph, ``inf`` beyond ``limit``.

    Sources are grouped in square tiles; each tile runs its Dijkstra on the sub-graph of the
    nodes within ``limit`` of the tile (a path shorter than ``limit`` cannot leave that box, edge
    lengths being at least the straight line), so the cost grows with the network, not with
    its square.
    """
    out = np.full(len(src), np.inf)
    if len(src) == 0:
        return out
    side = max(4.0 * limit, 1000.0)
    cell = np.floor(gg.xy / side).astype(np.int64)
    cell -= cell.min(axis=0)
    node_tile = cell[:, 0] * (int(cell[:, 1].max()) + 1) + cell[:, 1]
    keys, tile_of = np.unique(node_tile[src], return_inverse=True)
    order = np.argsort(tile_of, kind="stable")
    bounds = np.searchsorted(tile_of[order], np.arange(len(keys) + 1))
    local = np.full(gg.n_nodes, -1, dtype=np.intp)
    for t in range(len(keys)):
        sel = order[bounds[t]:bounds[t + 1]]
        key = cell[src[sel[0]]] + np.floor(gg.xy.min(axis=0) / side)
        lo, hi = key * side - limit, (key + 1) * side + limit
        nodes = np.flatnonzero(np.all((gg.xy >= lo) & (gg.xy <= hi), axis=1))
        local[nodes] = np.arange(len(nodes))
        sub = gg.greenway_csr[nodes][:, nodes]
        inside = local[dst[sel]] >= 0
        out[sel[inside]] = _block_distances(sub, local[src[sel[inside]]], local[dst[sel[inside]]], limit=limit)
        local[nodes] = -1
    return out


def _network_gap(gg: GapGraph, anchors: Anchors, p: IntArray, q: IntArray, *, limit: float) -> FloatArray:
    """Greenway distance between anchor pairs (exact below ``limit``, ``inf`` above)."""
    combos = [("na", "oa", "na", "oa"), ("na", "oa", "nb", "ob"), ("nb", "ob", "na", "oa"), ("nb", "ob", "nb", "ob")]
    src = np.concatenate([getattr(anchors, c[0])[p] for c in combos])
    dst = np.concatenate([getattr(anchors, c[2])[q] for c in combos])
    extra = np.concatenate([getattr(anchors, c[1])[p] + getattr(anchors, c[3])[q] for c in combos])
    d = _limited_distances(gg, src, dst, limit=limit) + extra
    best = d.reshape(4, -1).min(axis=0)
    same_edge = (anchors.edge[p] >= 0) & (anchors.edge[p] == anchors.edge[q])
    best[same_edge] = np.abs(anchors.oa[p] - anchors.oa[q])[same_edge]
    return np.asarray(best, dtype=np.float64)


def _thin_pairs(p: IntArray, q: IntArray, gap: FloatArray, comp: IntArray) -> IntArray:
    """Indices of pairs kept: for every anchor, its nearest partner in each other component."""
    df = pd.DataFrame({"p": p, "q": q, "d": gap, "cp": comp[p], "cq": comp[q], "i": np.arange(len(p))})
    df = df.sort_values(["d", "i"])
    keep_p = ~df.duplicated(["p", "cq"])
    keep_q = ~df.duplicated(["q", "cp"])
    return np.sort(df["i"].to_numpy()[keep_p.to_numpy() & keep_q.to_numpy()])


def proximity_candidates(
    gg: GapGraph, *, max_gap_m: float, min_detour_m: float, step_m: float | None
) -> RawCandidates:
    """Pairs of greenway points close in space but far (or disconnected) on the greenway network."""
    anchors = greenway_anchors(gg, step_m=step_m)
    if len(anchors) < 2:
        return empty_candidates()
    pairs = cKDTree(anchors.xy).query_pairs(max_gap_m, output_type="ndarray").astype(np.intp)
    p, q = pairs[:, 0], pairs[:, 1]
    same_edge = (anchors.edge[p] >= 0) & (anchors.edge[p] == anchors.edge[q])
    keep = ~same_edge | (np.abs(anchors.oa[p] - anchors.oa[q]) >= min_detour_m)
    p, q = p[keep], q[keep]
    comp = gg.component[anchors.na]
    far = comp[p] != comp[q]
    same = np.flatnonzero(~far)
    if len(same):
        far[same] = _network_gap(gg, anchors, p[same], q[same], limit=min_detour_m) >= min_detour_m
    p, q = p[far], q[far]
    gap = np.hypot(*(anchors.xy[p] - anchors.xy[q]).T)
    sel = _thin_pairs(p, q, gap, comp)
    p, q, gap = p[sel], q[sel], gap[sel]
    logger.info("proximity: %d anchors, %d close pairs, %d far on the greenways (%d kept)",
                len(anchors), len(pairs), int(far.sum()), len(p))
    used, inv = np.unique(np.concatenate([p, q]), return_inverse=True)
    sub = anchors.take(used)
    pp, qq = inv[: len(p)].astype(np.intp), inv[len(p):].astype(np.intp)
    lines = shapely.linestrings(np.stack([sub.xy[pp], sub.xy[qq]], axis=1)) if len(p) else np.zeros(0, object)
    return RawCandidates(
        source=np.full(len(p), "proximity", dtype=object), length=gap,
        geometry=_objects(list(lines)), end_anchors=np.stack([pp, qq], axis=1).reshape(-1, 2).astype(np.intp),
        edges=tuple(np.zeros(0, np.intp) for _ in range(len(p))),
        terminals=tuple(np.unique([sub.na[a], sub.nb[a], sub.na[b], sub.nb[b]]) for a, b in zip(pp, qq, strict=True)),
        row_cand=np.arange(len(p), dtype=np.intp), row_p=pp, row_q=qq, row_len=gap, anchors=sub,
    )

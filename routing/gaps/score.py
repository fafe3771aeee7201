"""Baseline distances, vectorised benefit of every candidate, declustering.

**Baseline.** ``unit_g[k]`` is the greenway-only distance from unit ``k`` (multi-source Dijkstra
from all its access nodes, ``min_only``) to every node; ``unit_all[k]`` the same on all edges.
Unit-to-unit distances are their minima over the other unit's access nodes. A pair that the
greenways do not link at all is counted at a *cap*: ``disconnected_factor`` × its all-edges
distance (× 2 × the straight-line distance when even the all-edges network does not link it).
Each commune is represented by the greenway node nearest to its centroid and weighted by its
share of the population; its distance to unit ``k`` is ``unit_g[k, node]`` (capped the same way).

**Benefit.** For a candidate row joining anchors ``p`` and ``q`` with ``len`` metres, the new
distance between sources ``a`` and ``b`` is
``min(d(a, b), d(a, p) + len + d(q, b), d(a, q) + len + d(p, b))``; a candidate with several rows
takes the minimum over its rows. Everything is evaluated in numpy on the precomputed matrices,
without any Dijkstra per candidate. Gains are ``before - after >= 0`` by construction:

- ``unit_gain_m``: sum over the unit pairs of the reduction of the (capped) greenway distance;
- ``population_gain_m``: sum over the units of the population-weighted mean reduction of the
  commune-to-unit distance (metres per inhabitant);
- ``benefit = unit_gain_m + population_weight * population_gain_m``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from routing.gaps.candidates import DIJKSTRA_BLOCK_CELLS, Anchors, RawCandidates
from routing.gaps.graph import BoolArray, FloatArray, GapGraph, IntArray

logger = logging.getLogger(__name__)

#: Cells of one (rows × communes × units) block of the benefit evaluation.
EVAL_BLOCK_CELLS = 4_000_000
#: A distance reduction below this (m) is not a gain (float noise).
GAIN_EPS_M = 0.5


@dataclass(frozen=True, eq=False)
class UnitSet:
    """The park units: ids, names and access-node indices."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    access: tuple[IntArray, ...]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class CommuneSet:
    """Communes: name, population and the greenway node nearest to the centroid."""

    names: tuple[str, ...]
    population: FloatArray
    node: IntArray

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, eq=False)
class Baseline:
    """Distances before any new link (see the module doc)."""

    unit_g: FloatArray
    unit_all: FloatArray
    pair_g: FloatArray
    pair_all: FloatArray
    pair_straight: FloatArray
    pair_eff: FloatArray
    commune_eff: FloatArray
    commune_weight: FloatArray


def unit_distances(csr: object, units: UnitSet) -> FloatArray:
    """``(K, n)`` distances from every unit (all its access nodes at once) to every node."""
    rows = [dijkstra(csr, directed=False, indices=acc, min_only=True) for acc in units.access]
    return np.vstack(rows) if rows else np.zeros((0, 0))


def pair_matrix(dist: FloatArray, units: UnitSet) -> FloatArray:
    """``(K, K)`` unit-to-unit distances: minimum over the access nodes of the other unit."""
    out = np.vstack([dist[:, acc].min(axis=1) for acc in units.access]).T
    np.fill_diagonal(out, 0.0)
    return np.minimum(out, out.T)


def straight_matrix(gg: GapGraph, units: UnitSet) -> FloatArray:
    """``(K, K)`` straight-line distances between the closest access nodes of two units."""
    k = len(units)
    out = np.zeros((k, k))
    for a in range(k):
        for b in range(a + 1, k):
            out[a, b] = out[b, a] = cdist(gg.xy[units.access[a]], gg.xy[units.access[b]]).min()
    return out


def capped(raw: FloatArray, network: FloatArray, straight: FloatArray, *, factor: float) -> FloatArray:
    """``raw`` where finite, else the cap ``factor`` × network (or × 2 × straight)."""
    cap = np.where(np.isfinite(network), network, 2.0 * straight) * factor
    return np.where(np.isfinite(raw), raw, cap)


def baseline(gg: GapGraph, units: UnitSet, communes: CommuneSet, *, factor: float) -> Baseline:
    """Distances before any new link."""
    unit_g = unit_distances(gg.greenway_csr, units)
    unit_all = unit_distances(gg.all_csr, units)
    pair_g, pair_all = pair_matrix(unit_g, units), pair_matrix(unit_all, units)
    straight = straight_matrix(gg, units)
    node = communes.node
    c_raw = unit_g[:, node].T
    c_net = unit_all[:, node].T
    c_straight = np.vstack([cdist(gg.xy[node], gg.xy[acc]).min(axis=1) for acc in units.access]).T \
        if len(node) else np.zeros((0, len(units)))
    total = float(communes.population.sum())
    weight = communes.population / total if total > 0 else np.zeros(len(node))
    return Baseline(
        unit_g=unit_g, unit_all=unit_all, pair_g=pair_g, pair_all=pair_all, pair_straight=straight,
        pair_eff=capped(pair_g, pair_all, straight, factor=factor),
        commune_eff=capped(c_raw, c_net, c_straight, factor=factor), commune_weight=weight,
    )


def snap_communes(gg: GapGraph, names: list[str], population: FloatArray, xy: FloatArray) -> CommuneSet:
    """Communes attached to the greenway node nearest to their centroid (none without greenway)."""
    nodes = np.flatnonzero(gg.greenway_degree > 0)
    if len(nodes) == 0 or len(names) == 0:
        return CommuneSet((), np.zeros(0), np.zeros(0, dtype=np.intp))
    _, idx = cKDTree(gg.xy[nodes]).query(xy)
    pop = np.nan_to_num(np.asarray(population, dtype=np.float64), nan=0.0)
    return CommuneSet(tuple(names), pop, nodes[np.asarray(idx, dtype=np.intp)])


def _from_sources(csr: object, sources: IntArray, columns: IntArray, n: int) -> FloatArray:
    """``(len(sources), len(columns))`` distances, Dijkstra chunked by source."""
    out = np.empty((len(sources), len(columns)))
    chunk = max(1, DIJKSTRA_BLOCK_CELLS // max(n, 1))
    for start in range(0, len(sources), chunk):
        block = sources[start:start + chunk]
        out[start:start + len(block)] = dijkstra(csr, directed=False, indices=block)[:, columns]
    return out


def at_anchors(dist_cols: FloatArray, cols: IntArray, anchors: Anchors) -> FloatArray:
    """``(S, A)`` source-to-anchor distances from source-to-node distances on columns ``cols``."""
    ia = np.searchsorted(cols, anchors.na)
    ib = np.searchsorted(cols, anchors.nb)
    return np.minimum(dist_cols[:, ia] + anchors.oa, dist_cols[:, ib] + anchors.ob)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Per-candidate results of :func:`evaluate`: ``via[c, a, b]`` is the best greenway distance
    between units ``a`` and ``b`` through candidate ``c`` (``inf``: none)."""

    via: FloatArray
    via_c: NDArray[np.float32]
    unit_gain: FloatArray
    population_gain: FloatArray
    persons: FloatArray


def _via(p: FloatArray, q: FloatArray, x: FloatArray, y: FloatArray, length: FloatArray) -> FloatArray:
    """``min(x_a + len + q_b, y_a + len + p_b)`` for rows ``r``: shape ``(r, a, b)``."""
    ln = length[:, None, None]
    return np.minimum(x[:, :, None] + ln + q[:, None, :], y[:, :, None] + ln + p[:, None, :])


def _row_starts(raw: RawCandidates) -> IntArray:
    """Index of the first row of every candidate, plus the total (rows are sorted by candidate)."""
    return np.searchsorted(raw.row_cand, np.arange(len(raw) + 1)).astype(np.intp)


def _blocks(starts: IntArray, per_row: int) -> list[tuple[int, int]]:
    """Candidate ranges whose rows fit in :data:`EVAL_BLOCK_CELLS` (at least one candidate)."""
    limit = max(1, EVAL_BLOCK_CELLS // max(per_row, 1))
    out: list[tuple[int, int]] = []
    c0, n = 0, len(starts) - 1
    while c0 < n:
        c1 = int(np.searchsorted(starts, starts[c0] + limit, side="right")) - 1
        c1 = min(max(c1, c0 + 1), n)
        out.append((c0, c1))
        c0 = c1
    return out


def anchor_distances(
    gg: GapGraph, raw: RawCandidates, base: Baseline, communes: CommuneSet
) -> tuple[FloatArray, FloatArray]:
    """Greenway distances unit → anchor ``(K, A)`` and commune → anchor ``(C, A)``."""
    anchors = raw.anchors
    cols = np.unique(np.concatenate([anchors.na, anchors.nb]))
    units = at_anchors(base.unit_g[:, cols], cols, anchors)
    src, inv = np.unique(communes.node, return_inverse=True)
    com = _from_sources(gg.greenway_csr, src, cols, gg.n_nodes)[inv]
    return units, at_anchors(com, cols, anchors) if len(src) else np.zeros((0, len(anchors)))


def evaluate(gg: GapGraph, raw: RawCandidates, base: Baseline, communes: CommuneSet) -> Evaluation:
    """Gains of every candidate taken alone (see the module doc)."""
    n_c, k, c = len(raw), base.pair_eff.shape[0], len(communes)
    ua, ca = anchor_distances(gg, raw, base, communes)
    starts = _row_starts(raw)
    via_all = np.empty((n_c, k, k))
    via_com = np.empty((n_c, c, k), dtype=np.float32)
    pop_gain, persons = np.zeros(n_c), np.zeros(n_c)
    for c0, c1 in _blocks(starts, max(k, c) * k):
        r0, r1 = starts[c0], starts[c1]
        rp, rq, ln = raw.row_p[r0:r1], raw.row_q[r0:r1], raw.row_len[r0:r1]
        local = starts[c0:c1] - r0
        p, q = ua[:, rp].T, ua[:, rq].T
        via_all[c0:c1] = np.minimum.reduceat(_via(p, q, p, q, ln), local, axis=0)
        if c:
            via_c = np.minimum.reduceat(_via(p, q, ca[:, rp].T, ca[:, rq].T, ln), local, axis=0)
            via_com[c0:c1] = via_c
            red = base.commune_eff - np.minimum(base.commune_eff, via_c)
            pop_gain[c0:c1] = red.sum(axis=2) @ base.commune_weight
            persons[c0:c1] = (red > GAIN_EPS_M).any(axis=2) @ communes.population
    unit_gain = 0.5 * (base.pair_eff[None] - np.minimum(base.pair_eff[None], via_all)).sum(axis=(1, 2))
    return Evaluation(via_all, via_com, unit_gain, pop_gain, persons)


def _same_gap_pairs(ends: FloatArray, radius: float) -> list[list[int]]:
    """For every candidate, the candidates whose two ends lie within ``radius`` of its two ends."""
    n = len(ends)
    pairs = cKDTree(ends.reshape(-1, 2)).query_pairs(radius, output_type="ndarray") if n else np.zeros((0, 2), int)
    ca, cb, ea, eb = pairs[:, 0] // 2, pairs[:, 1] // 2, pairs[:, 0] % 2, pairs[:, 1] % 2
    other = ca != cb
    ca, cb, ea, eb = ca[other], cb[other], ea[other], eb[other]
    swap = ca > cb
    ca, cb, ea, eb = np.where(swap, cb, ca), np.where(swap, ca, cb), np.where(swap, eb, ea), np.where(swap, ea, eb)
    key = ca.astype(np.int64) * n + cb
    uniq, inv = np.unique(key, return_inverse=True)
    mask = np.zeros(len(uniq), dtype=np.int64)
    np.bitwise_or.at(mask, inv, np.left_shift(1, ea * 2 + eb))
    dup = ((mask & 9) == 9) | ((mask & 6) == 6)  # ends (0,0)+(1,1) or (0,1)+(1,0) both close
    neigh: list[list[int]] = [[] for _ in range(n)]
    for x, y in zip((uniq[dup] // n).tolist(), (uniq[dup] % n).tolist(), strict=True):
        neigh[x].append(y)
        neigh[y].append(x)
    return neigh


def decluster(ends: FloatArray, order: IntArray, *, radius: float) -> tuple[IntArray, IntArray]:
    """Greedy spatial declustering in ``order``: drop a candidate whose two ends lie within
    ``radius`` of the two ends of a candidate kept before (either orientation).

    Returns
    -------
    kept, absorbed_by
        The kept candidates in ``order``; for every candidate, the kept one that made it drop
        (``-1``: kept or not in ``order``).

    Examples
    --------
    >>> ends = np.array([[[0, 0], [100, 0]], [[5, 0], [98, 3]], [[500, 0], [600, 0]]], float)
    >>> kept, by = decluster(ends, np.array([1, 0, 2]), radius=20)
    >>> kept.tolist(), by.tolist()
    ([1, 2], [1, -1, -1])
    """
    neigh = _same_gap_pairs(ends, radius)
    kept = np.zeros(len(ends), dtype=bool)
    absorbed = np.full(len(ends), -1, dtype=np.intp)
    out = []
    for cand in order.tolist():
        hit = next((j for j in neigh[cand] if kept[j]), -1)
        if hit < 0:
            kept[cand] = True
            out.append(cand)
        else:
            absorbed[cand] = hit
    return np.asarray(out, dtype=np.intp), absorbed


def prune_redundant(
    order: IntArray, ev: Evaluation, base: Baseline, benefit: FloatArray, *, population_weight: float,
    fraction: float, exempt: BoolArray,
) -> tuple[IntArray, IntArray]:
    """Greedy declustering by effect: in ``order``, drop a (non-``exempt``) candidate whose
    marginal benefit, given the candidates kept before it, is below ``fraction`` of its own.

    The marginal benefit is approximated without Dijkstra: the kept candidates' best distances
    ``min(before, via_i, ...)`` are compared with ``min(before, via_i, ..., via_j)`` (paths using
    two new links at once are ignored). Returns the kept candidates (in ``order``) and, for every
    dropped one, the kept candidate that brings most of its effect (``-1`` otherwise).
    """
    after_u, after_c = base.pair_eff.copy(), base.commune_eff.copy()
    absorbed = np.full(len(benefit), -1, dtype=np.intp)
    kept: list[int] = []
    for j in order.tolist():
        mu = 0.5 * (after_u - np.minimum(after_u, ev.via[j])).sum()
        mc = float(((after_c - np.minimum(after_c, ev.via_c[j])).sum(axis=1)) @ base.commune_weight) if after_c.size else 0.0
        if exempt[j] or benefit[j] <= GAIN_EPS_M or mu + population_weight * mc >= fraction * benefit[j]:
            kept.append(j)
            after_u = np.minimum(after_u, ev.via[j])
            if after_c.size:
                after_c = np.minimum(after_c, ev.via_c[j])
            continue
        absorbed[j] = _closest_effect(j, kept, ev, base)
    return np.asarray(kept, dtype=np.intp), absorbed


def _closest_effect(j: int, kept: list[int], ev: Evaluation, base: Baseline) -> int:
    """The kept candidate that, alone, leaves candidate ``j`` the smallest unit-pair marginal gain."""
    if not kept:
        return -1
    with_i = np.minimum(base.pair_eff[None], ev.via[kept])
    marginal = (with_i - np.minimum(with_i, ev.via[j][None])).sum(axis=(1, 2))
    return int(kept[int(np.argmin(marginal))])


def joined_components(gg: GapGraph, raw: RawCandidates) -> list[tuple[int, ...]]:
    """Greenway components touched by each candidate (``-1`` for a node off the greenways)."""
    out = []
    for terms in raw.terminals:
        comps = gg.component[terms]
        out.append(tuple(sorted(set(comps[comps >= 0].tolist()))) + ((-1,) if (comps < 0).any() else ()))
    return out


def classify(source: str, comps: tuple[int, ...]) -> str:
    """``planned`` for planned sections, ``bridge`` when two components (or a node off the
    greenways) are joined, else ``shortcut``.

    >>> classify("planned", (0,)), classify("proximity", (0, 3)), classify("connector", (2,))
    ('planned', 'bridge', 'shortcut')
    """
    if source == "planned":
        return "planned"
    return "bridge" if len(comps) >= 2 or -1 in comps else "shortcut"

"""The missing-link method: identify, prioritise, decluster and classify candidate links.

The analysis follows the *identify, prioritise, decluster, classify* scheme (IPDC, Szell et al.):

1. **Identify** candidate links from three real sources (:mod:`routing.gaps.candidates`): the
   connectors the network builder had to add between pieces of greenway, pairs of greenway points
   close in space (``max_gap_m``) but far on the greenway network (``min_detour_m``, or in another
   component — "close in space, far on the network", as MissingLinks.jl), and véloroute sections
   recorded as planned (``status == "planned"``).
2. **Prioritise** (:mod:`routing.gaps.score`): the benefit of a candidate is how much it shortens
   greenway-only travel between the park units (sum over the unit pairs) and between the
   communes' population and the units; pairs the greenways do not link count at a cap
   (``disconnected_factor`` × the all-edges distance). Candidates are ranked by benefit per metre
   of new link (``rank_by="benefit_per_m"``, lengths floored at ``min_link_m``) or by benefit.
3. **Decluster**, in two greedy passes in rank order, recorded candidates (connectors, planned
   sections) first so that a hypothetical link never hides a gap the data records:

   - *in space*: a candidate whose two ends both lie within ``decluster_m`` of the two ends of a
     candidate kept before solves the same gap and is dropped;
   - *in effect*: a proximity candidate whose marginal benefit given the candidates kept before it
     is below ``redundancy`` × its own benefit is an alternative to them and is dropped (long
     parallel greenways otherwise yield dozens of equivalent rungs).

   Every kept candidate counts the ``alternatives`` it stands for; the list is in rank order.
4. **Classify**: ``planned`` (a planned section), ``bridge`` (joins two greenway components, or a
   unit access node off the greenways), ``shortcut`` (same component, saves a detour).

:func:`scenario` answers "what if these links were built": the unit-to-unit table is recomputed
with the chosen candidates added to the greenway graph (exact Dijkstra). Gains are never negative
(adding edges cannot lengthen a shortest path, and the capped distances only take minima).

The greenway-only network is every edge of a greenway kind whose status is not ``planned``
(status ``unknown``, e.g. the cavaliers, counts as existing); the all-edges network adds
connectors, planned sections and on-road advised routes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from parcs._errors import InvalidRequestError
from routing.gaps.candidates import RawCandidates, proximity_candidates, section_candidates
from routing.gaps.graph import symmetric_csr
from routing.gaps.inputs import GapInputs, prepare_inputs
from routing.gaps.model import (
    Candidate,
    GapsParams,
    GapsReport,
    GreenwayComponent,
    PairChange,
    ScenarioResult,
    UnitPair,
)
from routing.gaps.score import (
    GAIN_EPS_M,
    Baseline,
    Evaluation,
    baseline,
    classify,
    decluster,
    evaluate,
    joined_components,
    pair_matrix,
    prune_redundant,
    unit_distances,
)
from routing.gaps.views import (
    build_candidate,
    build_components,
    build_unit_pairs,
    greenway_km,
    pair_changes,
)

logger = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "GapsParams",
    "GapsReport",
    "GreenwayComponent",
    "PairChange",
    "ScenarioResult",
    "UnitPair",
    "analyse_gaps",
    "greenway_components",
    "scenario",
    "unit_table",
]


@dataclass(frozen=True, eq=False)
class GapContext:
    """Everything :func:`scenario` needs after an analysis (not serialised)."""

    inputs: GapInputs
    params: GapsParams
    base: Baseline
    raw: RawCandidates
    evaluation: Evaluation
    benefit: np.ndarray
    per_m: np.ndarray
    comps: list[tuple[int, ...]]
    ranked: np.ndarray
    alternatives: np.ndarray
    ids: dict[str, int] = field(repr=False)


def _generate(inputs: GapInputs, params: GapsParams) -> RawCandidates:
    gg = inputs.gg
    access = np.unique(np.concatenate(inputs.units.access)) if len(inputs.units) else np.zeros(0, np.intp)
    parts = []
    if "connector" in params.sources:
        parts.append(section_candidates(gg, gg.connector, source="connector", extra_terminals=access))
    if "planned" in params.sources:
        parts.append(section_candidates(gg, gg.planned, source="planned", extra_terminals=access))
    if "proximity" in params.sources:
        parts.append(proximity_candidates(
            gg, max_gap_m=params.max_gap_m, min_detour_m=params.min_detour_m, step_m=params.sample_step_m,
        ))
    return RawCandidates.concat(parts) if parts else RawCandidates.concat([])


def _rank(
    raw: RawCandidates, ev: Evaluation, base: Baseline, benefit: np.ndarray, per_m: np.ndarray,
    params: GapsParams, perimeter: BaseGeometry | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate indices in rank order after both declustering passes, and for every candidate
    the number of dropped alternatives it stands for. Candidates that do not touch the
    perimeter (the network reaches 2 km beyond it) and zero-benefit proximity pairs are left out."""
    eligible = (raw.source != "proximity") | (benefit > GAIN_EPS_M)
    if params.keep_zero_benefit:
        eligible[:] = True
    if perimeter is not None and len(raw):
        eligible &= shapely.intersects(raw.geometry, perimeter)
    idx = np.flatnonzero(eligible)
    primary, secondary = (per_m, benefit) if params.rank_by == "benefit_per_m" else (benefit, per_m)
    order = idx[np.lexsort((idx, -raw.length[idx], -secondary[idx], -primary[idx]))]
    recorded = raw.source != "proximity"
    seq = np.concatenate([order[recorded[order]], order[~recorded[order]]])
    kept, by_space = decluster(raw.ends, seq, radius=params.decluster_m)
    kept, by_effect = prune_redundant(
        kept, ev, base, benefit, population_weight=params.population_weight,
        fraction=params.redundancy, exempt=recorded,
    ) if params.redundancy > 0 else (kept, np.full(len(raw), -1, dtype=np.intp))
    rank = np.empty(len(raw), dtype=np.intp)
    rank[order] = np.arange(len(order))
    kept = kept[np.argsort(rank[kept], kind="stable")]
    return kept, _alternatives(len(raw), kept, np.where(by_space >= 0, by_space, by_effect))


def _alternatives(n: int, kept: np.ndarray, absorbed_by: np.ndarray) -> np.ndarray:
    """Dropped candidates per kept one, following chains (a dropped one absorbed by another
    dropped one counts for the latter's absorber)."""
    is_kept = np.zeros(n, dtype=bool)
    is_kept[kept] = True
    count = np.zeros(n, dtype=np.intp)
    for j in np.flatnonzero(absorbed_by >= 0).tolist():
        k, seen = int(absorbed_by[j]), 0
        while k >= 0 and not is_kept[k] and seen < n:
            k, seen = int(absorbed_by[k]), seen + 1
        if k >= 0 and is_kept[k]:
            count[k] += 1
    return count


def _analyse(net: Any, params: GapsParams) -> GapsReport:
    """The full analysis (every candidate shown; :func:`_with_top` cuts the list)."""
    inputs = prepare_inputs(net)
    base = baseline(inputs.gg, inputs.units, inputs.communes, factor=params.disconnected_factor)
    raw = _generate(inputs, params)
    ev = evaluate(inputs.gg, raw, base, inputs.communes)
    benefit = ev.unit_gain + params.population_weight * ev.population_gain
    per_m = benefit / np.maximum(raw.length, params.min_link_m)
    ranked, alternatives = _rank(raw, ev, base, benefit, per_m, params, inputs.perimeter)
    ids = {f"L{r + 1}": int(i) for r, i in enumerate(ranked)}
    ctx = GapContext(inputs, params, base, raw, ev, benefit, per_m, joined_components(inputs.gg, raw),
                     ranked, alternatives, ids)
    logger.info("gaps: %d raw candidates, %d after declustering", len(raw), len(ranked))
    return GapsReport(
        params=params, units=inputs.unit_infos, unit_pairs=build_unit_pairs(inputs, base),
        components=build_components(inputs), candidates=tuple(_candidate(ctx, r) for r in range(len(ranked))),
        n_candidates=len(ranked), greenway_km=greenway_km(inputs), _context=ctx,
    )


def _with_top(report: GapsReport, top: int | None) -> GapsReport:
    """The report showing its first ``top`` candidates (same context, same ids)."""
    params = replace(report.params, top=top)
    return replace(report, params=params, candidates=report.candidates if top is None else report.candidates[:top])


def _candidate(ctx: GapContext, rank: int) -> Candidate:
    i = int(ctx.ranked[rank])
    return build_candidate(
        ctx.inputs, ctx.raw, ctx.base, ctx.evaluation, i, cid=f"L{rank + 1}", rank=rank + 1,
        link_class=classify(str(ctx.raw.source[i]), ctx.comps[i]), comps=ctx.comps[i],
        benefit=float(ctx.benefit[i]), per_m=float(ctx.per_m[i]), alternatives=int(ctx.alternatives[i]),
    )


def analyse_gaps(
    net: Any,
    *,
    max_gap_m: float = 300.0,
    min_detour_m: float = 2000.0,
    top: int | None = None,
    sample_step_m: float | None = 100.0,
    decluster_m: float = 100.0,
    disconnected_factor: float = 2.0,
    population_weight: float = 1.0,
    min_link_m: float = 10.0,
    sources: Sequence[str] = ("connector", "proximity", "planned"),
    rank_by: str = "benefit_per_m",
    redundancy: float = 0.25,
) -> GapsReport:
    """Find, score, decluster and classify the missing links of the greenway network.

    Parameters
    ----------
    net
        A :class:`parcs.artifact.Network` or a :class:`routing.compiled.CompiledNetwork` (whose
        report is cached per parameter set). Not modified.
    max_gap_m
        Largest straight-line gap of a proximity candidate (m).
    min_detour_m
        Smallest greenway distance between the two ends of a proximity candidate (m); pairs in
        different greenway components always qualify.
    top
        Number of candidates in :attr:`GapsReport.candidates` (``None``: all); the others keep
        their ids for :func:`scenario`.
    sample_step_m
        Spacing of the points sampled inside greenway edges for proximity pairs (``None``: nodes
        only).
    decluster_m
        Radius within which two candidates with both ends close solve the same gap (m).
    disconnected_factor
        Cap of a pair the greenways do not link, as a multiple of its all-edges distance.
    population_weight
        Weight of the population gain (m per inhabitant, summed over units) in the benefit.
    min_link_m
        Floor of the length in ``benefit_per_m`` (a 0 m junction does not divide by zero).
    sources
        Candidate sources among ``connector``, ``proximity``, ``planned``.
    rank_by
        ``benefit_per_m`` (default) or ``benefit``.
    redundancy
        A proximity candidate is dropped when its marginal benefit, given the candidates kept
        before it (recorded ones first), is below this fraction of its own benefit (``0``: off).

    Returns
    -------
    GapsReport
        Unit table, greenway components and ranked candidates (``to_dict()`` is JSON-ready).

    Raises
    ------
    InvalidRequestError
        For a bad parameter.
    DataError, BuildError
        When the network or its park units are unusable.
    """
    params = GapsParams(
        max_gap_m=float(max_gap_m), min_detour_m=float(min_detour_m), top=top,
        sample_step_m=None if sample_step_m is None else float(sample_step_m),
        decluster_m=float(decluster_m), disconnected_factor=float(disconnected_factor),
        population_weight=float(population_weight), min_link_m=float(min_link_m),
        sources=tuple(sources), rank_by=rank_by, redundancy=float(redundancy),
    )
    params.validate()
    full = replace(params, top=None)
    cached = getattr(net, "cached", None)
    if callable(cached):
        report: GapsReport = cached(("routing.gaps.analysis", full), lambda: _analyse(net, full))
    else:
        report = _analyse(net, full)
    return _with_top(report, top)


def unit_table(net: Any, *, disconnected_factor: float = 2.0) -> tuple[UnitPair, ...]:
    """For every pair of park units: greenway-only, all-edges and straight-line distances,
    detour factors and whether the greenways link them.

    Parameters
    ----------
    net
        A network, a compiled network or a :class:`GapsReport` (its table is returned).
    disconnected_factor
        Not used by the table itself; kept for symmetry with :func:`analyse_gaps`.
    """
    if isinstance(net, GapsReport):
        return net.unit_pairs
    inputs = prepare_inputs(net)
    return build_unit_pairs(inputs, baseline(inputs.gg, inputs.units, inputs.communes, factor=disconnected_factor))


def greenway_components(net: Any) -> tuple[GreenwayComponent, ...]:
    """The connected components of the greenway-only network, longest first, with their km and
    the park units they touch."""
    if isinstance(net, GapsReport):
        return net.components
    return build_components(prepare_inputs(net))


def _context(report_or_net: Any) -> GapContext:
    if isinstance(report_or_net, GapsReport):
        ctx = report_or_net._context
    else:
        ctx = analyse_gaps(report_or_net)._context
    if not isinstance(ctx, GapContext):
        raise InvalidRequestError("ce rapport n'a pas de contexte d'analyse (relu depuis du JSON ?)")
    return ctx


def _augmented(ctx: GapContext, chosen: list[int]) -> Any:
    """The greenway CSR with the rows of the chosen candidates (and their inner anchors) added."""
    gg, raw = ctx.inputs.gg, ctx.raw
    rows = np.flatnonzero(np.isin(raw.row_cand, chosen))
    used = np.unique(np.concatenate([raw.row_p[rows], raw.row_q[rows]]))
    a = raw.anchors
    inner = used[a.edge[used] >= 0]
    node_of = np.full(len(a), -1, dtype=np.intp)
    node_of[used] = a.na[used]
    node_of[inner] = gg.n_nodes + np.arange(len(inner))
    g = gg.greenway
    u = np.concatenate([gg.eu[g], a.na[inner], node_of[inner], node_of[raw.row_p[rows]]])
    v = np.concatenate([gg.ev[g], node_of[inner], a.nb[inner], node_of[raw.row_q[rows]]])
    w = np.concatenate([gg.length[g], a.oa[inner], a.ob[inner], raw.row_len[rows]])
    return symmetric_csr(gg.n_nodes + len(inner), u, v, w)


def scenario(report_or_net: Any, *, candidate_ids: Sequence[str]) -> ScenarioResult:
    """What if these links were built: the unit-to-unit table with the candidates added.

    Parameters
    ----------
    report_or_net
        A :class:`GapsReport` (ids refer to it), or a network analysed with default parameters.
    candidate_ids
        Ids of candidates (``"L1"``…), any rank, not only the ``top`` shown.

    Returns
    -------
    ScenarioResult
        Per-pair changes (gains ``>= 0``), totals, pairs newly linked by greenways.

    Raises
    ------
    InvalidRequestError
        For an unknown candidate id or an empty list.
    """
    ctx = _context(report_or_net)
    ids = list(dict.fromkeys(str(c).strip().upper() for c in candidate_ids))
    if not ids:
        raise InvalidRequestError("scenario : aucun identifiant de liaison donné")
    unknown = [c for c in ids if c not in ctx.ids]
    if unknown:
        raise InvalidRequestError(
            f"scenario : identifiant de liaison inconnu {unknown[0]!r} (connus : L1..L{len(ctx.ids)})")
    chosen = [ctx.ids[c] for c in ids]
    inputs, base = ctx.inputs, ctx.base
    unit_g = unit_distances(_augmented(ctx, chosen), inputs.units)[:, : inputs.gg.n_nodes]
    after_raw = pair_matrix(unit_g, inputs.units)
    after = np.minimum(base.pair_eff, after_raw)
    c_after = np.minimum(base.commune_eff, unit_g[:, inputs.communes.node].T)
    pop_gain = float(((base.commune_eff - c_after).sum(axis=1) * base.commune_weight).sum())
    pairs = pair_changes(inputs, base, after_raw, after)
    return ScenarioResult(
        candidate_ids=tuple(ids), length_m=float(ctx.raw.length[chosen].sum()), pairs=pairs,
        unit_gain_m=float(sum(p.gain_m for p in pairs)), population_gain_m=pop_gain,
        linked_before=sum(p.before_m is not None for p in pairs),
        linked_after=sum(p.after_m is not None for p in pairs),
    )


def candidate_index(report: GapsReport) -> dict[str, int]:
    """Candidate id → position in the analysis context (for callers that need every id)."""
    return dict(_context(report).ids)


def all_candidates(report: GapsReport) -> tuple[Candidate, ...]:
    """Every declustered candidate of an analysis, whatever its ``top``."""
    ctx = _context(report)
    return tuple(_candidate(ctx, r) for r in range(len(ctx.ranked)))


def candidate_geometry(report: GapsReport, cid: str) -> BaseGeometry:
    """The EPSG:2154 geometry of a candidate by id."""
    ctx = _context(report)
    if cid not in ctx.ids:
        raise InvalidRequestError(f"identifiant de liaison inconnu {cid!r}")
    geom: BaseGeometry = ctx.raw.geometry[ctx.ids[cid]]
    return geom

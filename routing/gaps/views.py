"""Build the frozen result objects (:mod:`routing.gaps.model`) from the analysis arrays."""

from __future__ import annotations

from collections import Counter

import numpy as np
import shapely

from parcs.schema import is_greenway
from routing.gaps.candidates import RawCandidates
from routing.gaps.graph import FloatArray
from routing.gaps.inputs import GapInputs, component_id
from routing.gaps.model import Candidate, GreenwayComponent, PairChange, UnitPair
from routing.gaps.score import GAIN_EPS_M, Baseline, Evaluation
from routing.gaps.text import GENERIC_NAMES, Effect, Label, reason_text

#: Unit pairs listed per candidate.
PAIRS_SHOWN = 5


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def build_unit_pairs(inputs: GapInputs, base: Baseline) -> tuple[UnitPair, ...]:
    """The unit-to-unit table (every pair once, in registry order)."""
    u = inputs.units
    out = []
    for a, b in zip(*np.triu_indices(len(u), k=1), strict=True):
        g, n, s = base.pair_g[a, b], base.pair_all[a, b], base.pair_straight[a, b]
        out.append(UnitPair(
            a=u.ids[a], b=u.ids[b], a_name=u.names[a], b_name=u.names[b], greenway_m=_finite(g),
            network_m=_finite(n), straight_m=float(s),
            detour_greenway=_finite(g / s) if s > 0 else None,
            detour_network=_finite(n / s) if s > 0 else None, linked=bool(np.isfinite(g)),
        ))
    return tuple(out)


def pair_changes(inputs: GapInputs, base: Baseline, after_raw: FloatArray, after_eff: FloatArray,
                 *, only_gains: bool = False) -> tuple[PairChange, ...]:
    """Per-pair changes, registry order (``only_gains``: the improved pairs, largest gain first)."""
    u = inputs.units
    out = []
    for a, b in zip(*np.triu_indices(len(u), k=1), strict=True):
        gain = float(base.pair_eff[a, b] - after_eff[a, b])
        if only_gains and gain <= GAIN_EPS_M:
            continue
        before = _finite(base.pair_g[a, b])
        after = _finite(min(base.pair_g[a, b], after_raw[a, b]))
        out.append(PairChange(u.ids[a], u.ids[b], u.names[a], u.names[b], before, after,
                              max(gain, 0.0), before is None and after is not None))
    if only_gains:
        out.sort(key=lambda p: -p.gain_m)
    return tuple(out)


def greenway_km(inputs: GapInputs) -> float:
    """Kilometres of greenway inside the perimeter: the one definition of ``parcs stats``
    (:func:`parcs.stats.network_stats`: every greenway kind, planned sections included), so the
    missing-links page shows the same figure. The analysis itself runs on the greenways that
    exist today (``gg.greenway``: planned sections apart) over the whole build area."""
    gg = inputs.gg
    green = np.array([is_greenway(str(k)) for k in gg.kind], dtype=bool)
    geoms = np.asarray(list(gg.geometry[np.flatnonzero(green)]), dtype=object)
    if inputs.perimeter is not None:
        geoms = shapely.intersection(geoms, inputs.perimeter)
    return float(shapely.length(geoms).sum() / 1000.0)


def build_components(inputs: GapInputs) -> tuple[GreenwayComponent, ...]:
    """The greenway components, longest first."""
    gg = inputs.gg
    g = np.flatnonzero(gg.greenway & (gg.component[gg.eu] >= 0))
    comp = gg.component[gg.eu[g]]
    n_comp = int(gg.component.max()) + 1 if len(g) else 0
    nodes = np.bincount(gg.component[gg.component >= 0], minlength=n_comp)
    order = np.argsort(comp, kind="stable")
    bounds = np.searchsorted(comp[order], np.arange(n_comp + 1))
    units: dict[str, list[str]] = {}
    for info in inputs.unit_infos:
        for cid in info.components:
            units.setdefault(cid, []).append(info.id)
    out = []
    for c in range(n_comp):
        e = g[order[bounds[c]:bounds[c + 1]]]
        names: dict[str, float] = {}
        for name, length in zip(gg.name[e], gg.length[e], strict=True):
            if str(name).strip().lower() not in GENERIC_NAMES:
                names[str(name)] = names.get(str(name), 0.0) + float(length)
        cid = component_id(c)
        out.append(GreenwayComponent(
            id=cid, length_m=float(gg.length[e].sum()), n_nodes=int(nodes[c]), n_edges=len(e),
            units=tuple(units.get(cid, ())), names=tuple(sorted(names, key=lambda n: -names[n])[:3]),
            geometry=shapely.multilinestrings(list(gg.geometry[e])),
        ))
    return tuple(out)


def _anchor_label(inputs: GapInputs, raw: RawCandidates, anchor: int) -> Label:
    """How the end of a candidate reads: its greenway, or the park unit whose access it is."""
    gg, a = inputs.gg, raw.anchors
    edge = int(a.edge[anchor])
    if edge < 0:
        node = int(a.na[anchor])
        edge = int(inputs.best_edge[node])
        if edge < 0:
            for uid_name, acc in zip(inputs.units.names, inputs.units.access, strict=True):
                if node in acc:
                    return Label(f"l'accès à {uid_name}", f"à l'accès à {uid_name}")
            return Label("le réseau", "au réseau")
    return Label.of_edge(str(gg.kind[edge]), str(gg.name[edge]))


def _section_identity(inputs: GapInputs, raw: RawCandidates, i: int) -> tuple[str, str]:
    """(label of the longest edge, most frequent works status) of a section candidate."""
    gg = inputs.gg
    edges = raw.edges[i]
    if len(edges) == 0:
        return "", ""
    longest = int(edges[np.argmax(gg.length[edges])])
    label = Label.of_edge(str(gg.kind[longest]), str(gg.name[longest])).subject
    works = Counter(str(w).strip() for w in gg.works_status[edges] if str(w).strip())
    return label, works.most_common(1)[0][0] if works else ""


def build_candidate(
    inputs: GapInputs, raw: RawCandidates, base: Baseline, ev: Evaluation, i: int, *, cid: str,
    rank: int, link_class: str, comps: tuple[int, ...], benefit: float, per_m: float, alternatives: int,
) -> Candidate:
    """The frozen :class:`Candidate` of raw candidate ``i``."""
    via = ev.via[i]
    after_eff = np.minimum(base.pair_eff, via)
    pairs = pair_changes(inputs, base, via, after_eff, only_gains=True)
    units = tuple(dict.fromkeys(u for p in pairs for u in (p.a, p.b)))
    a_label, b_label = (_anchor_label(inputs, raw, int(x)) for x in raw.end_anchors[i])
    section, works = _section_identity(inputs, raw, i)
    best = pairs[0] if pairs else None
    effect = Effect(
        pair=(best.a_name, best.b_name) if best else None, gain_m=best.gain_m if best else 0.0,
        newly_linked=bool(best and best.newly_linked), after_m=best.after_m if best else None,
        more_pairs=max(len(pairs) - 1, 0), persons=float(ev.persons[i]),
    )
    source = str(raw.source[i])
    length = float(raw.length[i])
    return Candidate(
        id=cid, rank=rank, link_class=link_class, source=source, length_m=length, benefit=benefit,
        benefit_per_m=per_m, unit_gain_m=float(ev.unit_gain[i]),
        population_gain_m=float(ev.population_gain[i]), persons=round(float(ev.persons[i])),
        units=units, pairs=pairs[:PAIRS_SHOWN], components=tuple(component_id(c) for c in comps if c >= 0),
        links=(a_label.subject, b_label.subject), works_status=works,
        reason=reason_text(source, length, a_label, b_label, effect, works_status=works, section=section,
                           bridge=link_class == "bridge"),
        alternatives=alternatives, geometry=raw.geometry[i],
    )

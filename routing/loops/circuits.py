"""The catalogue of suggested circuits for tourism offices: :func:`build_catalogue`.

For every park unit: a walking loop (5–10 km) and a cycling loop (20–40 km) from the unit's access
node (its other access nodes, and the nodes at the unit's named places, are tried when the first
gives a poor loop). Then themed cycling
circuits linking several units — terrils and viewpoints, the UNESCO mining heritage, water (units
named after a canal or river banks) — and a family circuit (family profile, grades under 3 %)
linking two units. Titles and descriptions are written from each circuit's real content
(:mod:`routing.loops.circuit_text`); a circuit that cannot be made says why instead of stopping the
catalogue. Every circuit is checked against the loop rule and its theme's rule
(:mod:`routing.loops.rules`): candidates keeping them are preferred; a circuit still breaking the
loop rule is dropped, one breaking only its theme's rule is relabelled, and the catalogue's
``report`` says so. :func:`write_catalogue` writes the files (:mod:`routing.loops.roadbook`) atomically.

Everything is deterministic for a given network and seed: candidates are tried in a fixed order,
ties broken by ids, and the loop planner's generator is seeded per circuit.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from parcs._errors import ParcsError
from routing.compiled import CompiledNetwork, Park, Poi
from routing.costs import CostOptions, edge_costs
from routing.fmt import fr_distance
from routing.loops.catalogue import THEMES, Catalogue, Circuit, Theme
from routing.loops.circuit_text import describe, failed_title, join_fr
from routing.loops.planner import LoopRequest, LoopResult, plan_loop
from routing.loops.roadbook import write_files
from routing.loops.rules import LOOP_RULE, Rule, UnitPlace, check, named_places, places_missed
from routing.places import Place
from routing.profiles import PROFILES
from routing.search import shortest_path_tree

logger = logging.getLogger(__name__)

__all__ = ["THEMES", "Catalogue", "Circuit", "Theme", "build_catalogue", "write_catalogue"]

#: Distance ranges (km) of the per-unit loops: (low, high).
WALK_KM = (5.0, 10.0)
BIKE_KM = (20.0, 40.0)
#: A unit loop retracing more than this share makes the builder try the unit's other accesses.
GOOD_OVERLAP = 0.25
#: Access nodes tried per unit, and where in the distance range the loops aim (share of the way
#: from the low to the high end; the range is always honoured).
ACCESS_TRIES = 8
RANGE_POINTS = (0.5, 0.2, 0.8)
#: Anchor combinations tried per theme (the loop retracing least is kept).
THEME_TRIES = 6
#: The activity of the units whose circuits must pass by one of their named places (memorials).
MEMORIAL = "mémoire"
#: A POI counts as on the network within this distance of its node (m).
NEAR_M = 300.0
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def _seed(seed: int, key: str) -> int:
    """A per-circuit seed (stable across runs and platforms)."""
    return (seed * 1_000_003 + zlib.crc32(key.encode("utf-8"))) % (2**32)


def _place(cn: CompiledNetwork, node: int, label: str, kind: str = "park", pid: str = "") -> Place:
    return Place(kind, pid or label, label, float(cn.node_lon[node]), float(cn.node_lat[node]),
                 int(node), (int(node),))


def build_catalogue(cn: CompiledNetwork, *, seed: int = 1) -> Catalogue:
    """Build every circuit of the catalogue and check each against its rules.

    Parameters
    ----------
    cn
        The compiled network.
    seed
        Seed of the loop planner (per circuit, derived from this one and the circuit id).

    Returns
    -------
    Catalogue
        All circuits, including the failed ones with their reason; ``report`` says which circuits
        the rules (:mod:`routing.loops.rules`) dropped or relabelled.
    """

    registry = named_places()
    circuits: list[Circuit] = []
    report: list[str] = []
    for park in sorted(cn.parks, key=lambda p: p.id):
        if not _ID.match(park.id):
            logger.warning("park id %r is not a safe file name; skipped", park.id)
            continue
        # a unit of memorial sites promises to pass by one of them
        places = registry.get(park.id, ()) if MEMORIAL in park.activities else ()
        for kind, profile, km in (("unit-walk", "walk", WALK_KM), ("unit-bike", "bike", BIKE_KM)):
            cid = f"{park.id}-{'a-pied' if profile == 'walk' else 'a-velo'}"
            result, reason = _unit_loop(cn, park, profile=profile, km=km, seed=_seed(seed, cid),
                                        places=places)
            circuit = _circuit(cn, cid, kind, "", profile, (park.id,), result, reason,
                               describe, failed_title)
            _keep(cn, circuit, None, places, circuits, report)
    taken: list[frozenset[str]] = []
    for theme in THEMES:
        cid = f"theme-{theme.id}"
        result, units, reason = _theme_loop(cn, theme, seed=_seed(seed, cid), taken=taken)
        if result is None and theme.profile == "family":
            result, units, fallback = _family_fallback(cn, theme, seed=_seed(seed, cid))
            reason = reason if result is None else ""
            if result is not None:
                logger.info("family circuit within one unit: %s (%s)", units, fallback)
        if result is not None:
            taken.append(frozenset(units))
        circuit = _circuit(cn, cid, "theme", theme.id, theme.profile, units, result, reason,
                           describe, failed_title)
        _keep(cn, circuit, theme, (), circuits, report)
    network = {k: cn.meta.get(k) for k in ("source", "built_at") if k in cn.meta}
    network["summary"] = cn.summary()
    return Catalogue(circuits=tuple(circuits), seed=seed, network=network, cn=cn, report=tuple(report))


def _circuit(cn: CompiledNetwork, cid: str, kind: str, theme: str, profile: str,
             units: tuple[str, ...], result: LoopResult | None, reason: str,
             describe: Any, failed_title: Any) -> Circuit:
    if result is None:
        return Circuit(cid, kind, theme, profile, units, failed_title(cn, kind, theme, profile, units),
                       "", None, reason)
    title, text = describe(cn, result, kind=kind, theme=theme, units=units)
    return Circuit(cid, kind, theme, profile, units, title, text, result)


def _breaks(cn: CompiledNetwork, res: LoopResult, rule: Rule | None,
            places: Sequence[UnitPlace] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a loop breaks: ``(loop rule and unit places, theme rule)``."""
    it = res.best.itinerary
    loop = (*check(cn, it, rule=LOOP_RULE, overlap=res.best.overlap_share), *places_missed(it, places=places))
    return loop, (check(cn, it, rule=rule) if rule is not None else ())


def _keep(cn: CompiledNetwork, circuit: Circuit, theme: Theme | None, places: Sequence[UnitPlace],
          circuits: list[Circuit], report: list[str]) -> None:
    """Append the circuit as it keeps its promises: dropped when it breaks the loop rule (or
    misses its unit's places), relabelled when it only breaks its theme's rule."""
    res = circuit.result
    if res is None:
        circuits.append(circuit)
        return
    loop_breaks, theme_breaks = _breaks(cn, res, theme.rule if theme else None, places)
    if loop_breaks:
        why = " ; ".join(loop_breaks)
        report.append(f"« {circuit.title} » écarté : {why}.")
        circuits.append(replace(circuit, result=None, description="", reason=f"écarté par les règles du catalogue : {why}"))
        return
    if theme is not None and theme_breaks:
        it = res.best.itinerary
        names = [cn.parks[cn.park_index[u]].name for u in circuit.units if u in cn.park_index]
        mode = PROFILES[circuit.profile].label_fr
        title = f"{join_fr(names) or res.start.label} — boucle {mode} de {fr_distance(it.distance_m)}"
        report.append(f"« {theme.label} » renommé « {title} » : {' ; '.join(theme_breaks)} "
                      f"(promesse : {theme.rule.text}).")
        circuits.append(replace(circuit, title=title, theme="", rule=LOOP_RULE.text))
        return
    promise = f"{theme.rule.text} ; {LOOP_RULE.text}" if theme is not None else LOOP_RULE.text
    if places:
        promise += f" ; passe par l'un de ces lieux : {join_fr([p.name for p in places])}"
    circuits.append(replace(circuit, rule=promise[:1].upper() + promise[1:]))


# -- per-unit loops ---------------------------------------------------------------------------


def _range_request(start: Place, *, profile: str, km: tuple[float, float], seed: int,
                   through: Sequence[Any] = (), max_grade: float | None = None,
                   at: float = 0.5) -> LoopRequest:
    """A loop request aiming at ``at`` of the way through the range ``km``, accepting only loops
    inside the range."""
    low, high = km
    target = low + at * (high - low)
    tolerance = min(target - low, high - target) / target
    return LoopRequest(start=start, distance_km=target, profile=profile, through=tuple(through),
                       max_grade=max_grade, seed=seed, tolerance=tolerance, variants=1)


def _unit_loop(cn: CompiledNetwork, park: Park, *, profile: str, km: tuple[float, float],
               seed: int, places: Sequence[UnitPlace] = ()) -> tuple[LoopResult | None, str]:
    """The loop that keeps the rules best from the unit's access nodes (and the nodes at its
    named places) and a few lengths of the range: the first that breaks no rule, else the one
    retracing least."""
    nodes = [*_place_nodes(cn, places), *dict.fromkeys([park.access_node, *park.access_nodes])]
    nodes = [n for n in dict.fromkeys(nodes) if n >= 0][:ACCESS_TRIES]
    if not nodes:
        return None, "l'unité n'a aucun accès au réseau"
    best: tuple[tuple[int, float, int], LoopResult] | None = None
    reason = ""
    for node, at in itertools.product(nodes, RANGE_POINTS):
        start = _place(cn, node, park.name, pid=park.id)
        try:
            res = plan_loop(cn, _range_request(start, profile=profile, km=km, seed=seed, at=at))
        except ParcsError as exc:
            reason = reason or str(exc)
            continue
        broken = bool(_breaks(cn, res, None, places)[0])
        rank = (int(broken), *_unit_rank(res))
        if best is None or rank < best[0]:
            best = (rank, res)
        if not broken and res.best.overlap_share <= GOOD_OVERLAP:
            break
    if best is None:
        detail = reason.split(" : ", 1)[1] if " : " in reason else reason
        return None, f"aucune boucle de {km[0]:g} à {km[1]:g} km depuis les accès de l'unité ({detail})"
    return best[1], ""


def _place_nodes(cn: CompiledNetwork, places: Sequence[UnitPlace]) -> list[int]:
    """The network node nearest each named place, when within its radius (+300 m)."""
    out = []
    for p in places:
        kx = 111_320.0 * math.cos(math.radians(p.lat))
        d = np.hypot((cn.node_lon - p.lon) * kx, (cn.node_lat - p.lat) * 110_574.0)
        d = np.where(cn.node_comp == cn.main_component, d, np.inf)
        j = int(np.argmin(d))
        if float(d[j]) <= p.radius_m + 300.0:
            out.append(j)
    return out


def _unit_rank(res: LoopResult) -> tuple[float, int]:
    return (round(res.best.overlap_share, 2), -len(res.best.itinerary.pois_along))


# -- themed circuits --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Anchor:
    unit: str
    node: int
    label: str
    kind: str
    ref: str


def _anchors(cn: CompiledNetwork, theme: Theme, cost: np.ndarray) -> list[_Anchor]:
    """One anchor per eligible unit: its theme POI nearest its access node, or the access node."""
    out = []
    for park in sorted(cn.parks, key=lambda p: p.id):
        if park.access_node < 0:
            continue
        if theme.unit_words and not any(w in park.name.lower() for w in theme.unit_words):
            continue
        if not theme.categories:
            out.append(_Anchor(park.id, park.access_node, park.name, "park", park.id))
            continue
        pois = [p for p in cn.pois if p.park == park.id and p.category in theme.categories
                and p.node >= 0 and p.node_dist_m <= NEAR_M]
        if not pois:
            continue
        dist = shortest_path_tree(cn, park.access_node, cost).dist
        poi = min(pois, key=lambda p: (not np.isfinite(dist[p.node]), float(dist[p.node]), p.id))
        out.append(_Anchor(park.id, poi.node, _poi_label(poi), "poi", poi.id))
    return out


def _poi_label(poi: Poi) -> str:
    return poi.name or poi.id


def _tour_km(cn: CompiledNetwork, combo: Sequence[_Anchor], lengths: dict[int, np.ndarray]) -> float:
    """Length (km) of the shortest cyclic tour through the anchors (by tree lengths)."""
    first, rest = combo[0], combo[1:]
    best = np.inf
    for perm in itertools.permutations(rest):
        seq = [first, *perm, first]
        best = min(best, sum(float(lengths[a.node][b.node]) for a, b in itertools.pairwise(seq)))
    return best / 1000.0


def _path_lengths(cn: CompiledNetwork, node: int, cost: np.ndarray) -> np.ndarray:
    """Length (m) of the cheapest path from ``node`` to every node (inf: unreachable)."""
    tree = shortest_path_tree(cn, node, cost)
    order = np.argsort(tree.dist, kind="stable")
    out = np.full(cn.n_nodes, np.inf)
    out[node] = 0.0
    csr = tree.csr
    for v in order.tolist():
        p = int(tree.pred[v])
        if p >= 0 and np.isfinite(tree.dist[v]):
            e = int(csr.entry_edges([p], [v])[0])
            out[v] = out[p] + float(cn.edge_length[e])
    return out


def _theme_combos(cn: CompiledNetwork, theme: Theme, anchors: list[_Anchor],
                  cost: np.ndarray) -> list[tuple[_Anchor, ...]]:
    """Anchor combinations whose tour fits the theme's range, most units first, then closest fit."""
    low, high = theme.km
    lengths = {a.node: _path_lengths(cn, a.node, cost) for a in anchors}
    scored = []
    for size in range(min(theme.max_units, len(anchors)), 1, -1):
        for combo in itertools.combinations(anchors, size):
            tour = _tour_km(cn, combo, lengths)
            if np.isfinite(tour) and tour <= high / 1.05:
                fit = abs(max(tour * 1.15, low) - (low + high) / 2.0)
                scored.append((-size, round(fit, 3), tuple(a.ref for a in combo), combo))
    scored.sort(key=lambda t: t[:3])
    return [c for *_, c in scored]


def _theme_loop(cn: CompiledNetwork, theme: Theme, *, seed: int,
                taken: Sequence[frozenset[str]] = ()) -> tuple[LoopResult | None, tuple[str, ...], str]:
    """The best themed loop among the first :data:`THEME_TRIES` anchor combinations (in
    :func:`_theme_combos` order, unit sets already used by another theme last): the one that
    retraces least, then links most units."""
    opts = CostOptions(theme.profile, max_grade=theme.max_grade)
    cost = edge_costs(cn, opts)
    anchors = _anchors(cn, theme, cost)
    if len(anchors) < 2:
        return None, tuple(a.unit for a in anchors), (
            f"moins de deux unités du parc offrent un point d'ancrage pour ce thème ({len(anchors)})"
        )
    combos = _theme_combos(cn, theme, anchors, cost)
    combos.sort(key=lambda c: frozenset(a.unit for a in c) in taken)  # stable: fresh sets first
    if not combos:
        return None, (), (
            f"aucune combinaison d'au moins deux unités ne tient dans {theme.km[0]:g}–{theme.km[1]:g} km"
        )
    reason = ""
    best: tuple[tuple[int, int, float, int], LoopResult, tuple[str, ...]] | None = None
    for combo in combos[:THEME_TRIES]:
        try:
            res = _combo_loop(cn, theme, combo, seed=seed)
        except ParcsError as exc:
            reason = reason or str(exc)
            continue
        loop_breaks, theme_breaks = _breaks(cn, res, theme.rule)
        rank = (int(bool(loop_breaks)), int(bool(theme_breaks)), round(res.best.overlap_share, 1), -len(combo))
        if best is None or rank < best[0]:
            best = (rank, res, tuple(a.unit for a in combo))
    if best is None:
        return None, (), reason or "aucune boucle dans la fourchette de distance"
    return best[1], best[2], ""


def _combo_loop(cn: CompiledNetwork, theme: Theme, combo: Sequence[_Anchor], *, seed: int) -> LoopResult:
    park = cn.parks[cn.park_index[combo[0].unit]]
    start = _place(cn, park.access_node, park.name, pid=park.id)
    through = [_place(cn, a.node, a.label, kind=a.kind, pid=a.ref) for a in combo]
    req = _range_request(start, profile=theme.profile, km=theme.km, seed=seed, through=through,
                         max_grade=theme.max_grade)
    return plan_loop(cn, req)


def _family_fallback(cn: CompiledNetwork, theme: Theme, *, seed: int) -> tuple[LoopResult | None, tuple[str, ...], str]:
    """When no two units fit: the family loop (5–10 km) of one unit that retraces least."""
    best: tuple[tuple[float, int, str], LoopResult, str] | None = None
    for park in sorted(cn.parks, key=lambda p: p.id):
        if park.access_node < 0:
            continue
        start = _place(cn, park.access_node, park.name, pid=park.id)
        try:
            res = plan_loop(cn, _range_request(start, profile=theme.profile, km=WALK_KM, seed=seed,
                                               max_grade=theme.max_grade))
        except ParcsError:
            continue
        rank = (round(res.best.overlap_share, 1), -len(res.best.itinerary.pois_along), park.id)
        if best is None or rank < best[0]:
            best = (rank, res, park.id)
    if best is None:
        return None, (), "aucune boucle familiale possible"
    return best[1], (best[2],), "aucune paire d'unités assez proches"


def write_catalogue(catalogue: Catalogue, out: str | Path, *, pdf: bool = True) -> Path:
    """Write the catalogue's files into ``out`` atomically (see :mod:`routing.loops.roadbook`);
    ``pdf=False`` leaves out the PDFs (the HTML roadbooks print the same sheets).

    Returns
    -------
    pathlib.Path
        The folder.
    """

    return write_files(catalogue, Path(out), pdf=pdf)

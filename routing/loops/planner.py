"""Round trips of a target length or duration: :func:`plan_loop`.

A loop starts and ends at the same place, measures the target within ±5 % (distance, or
duration with the profile's speed model), retraces as little as it can (the share of its length
on ways travelled twice is reported), prefers greenways like routes do (same cost vector:
profile, ``max_grade``, ``avoid``, ``prefer``), stays under ``max_climb``, and passes through the
requested parks or POIs (in the order that makes the best loop) and by a POI of ``via_category``.

Method (see :mod:`routing.loops.search`, :mod:`routing.loops.cycles` and
:mod:`routing.loops.engine`), in two complementary searches over the compiled arrays:

- *triangles*: Dijkstra trees measure every node's outward and return length at once; a free
  turning point ``A`` is chosen among all nodes so that the skeleton through it is ~70 % of the
  target, spread over the compass; the return leg is penalised on the ways already used and
  closed through a second free point ``B`` chosen, again among all nodes, to bring the loop to
  the target (this search also threads the through places);
- *cycles*: the cheapest pairs of way-disjoint paths from the start to turning points spread
  over the compass (Suurballe: only the ways that must be, like the start's dead-end spur, are
  travelled twice), then *ears* fit every promising loop to the target: cycles hooked on it
  (filling what it misses), stretches replaced by longer or shorter detours that retrace
  nothing, closed stretches cut off, out-and-backs for the last metres — every option of one
  ear predicted at once from one multi-source Dijkstra, the best built, in a small beam search.

Loops are scored (length error, overlap, cost per km, parks and POIs; :data:`routing.loops.cycles.
ERR_WEIGHT`, :data:`routing.loops.cycles.COST_WEIGHT`) and the best diverse variants kept
(pairwise shared length at most :data:`MAX_SHARED`). Random waypoints are never used alone: the
seeded generator only breaks ties between equivalent turning points, so ``seed`` makes the answer
reproducible.

Examples
--------
>>> LoopRequest("louvre-lens", distance_km=10).target_kind
'distance'
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parcs._errors import ConstraintError, InvalidRequestError, NoRouteError
from parcs.schema import POI_CATEGORIES
from routing.access import StationAccess, nearest_station
from routing.bounds import (
    DEFAULT_PREFER,
    LOOP_DISTANCE_KM,
    LOOP_DURATION_MIN,
    LOOP_TARGET_RULE,
    MAX_CLIMB_M,
    MAX_GRADE_PCT,
    MAX_THROUGH,
    MAX_VARIANTS,
    PREFER,
    SEED,
)
from routing.compiled import CompiledNetwork
from routing.costs import CostOptions, edge_costs, edge_times
from routing.deadline import NEVER, Deadline
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.itinerary import Itinerary, assemble_legs, build_itinerary
from routing.legs import LegPath
from routing.loops import crop
from routing.loops.cycles import COST_WEIGHT, ERR_WEIGHT
from routing.loops.engine import LoopGraph, blocks_cached, overlap_floor, shared_share
from routing.loops.naming import loop_kind, loop_noun
from routing.loops.search import Candidate, Spec, reachable, search
from routing.places import Place, resolve_place
from routing.profiles import PROFILES
from routing.request import check_avoid, place_spec
from routing.snap import Anchor
from routing.validate import (
    check_category,
    check_choice,
    check_count,
    check_integer,
    check_number,
    format_number,
)

logger = logging.getLogger(__name__)

__all__ = ["MAX_SHARED", "Loop", "LoopRequest", "LoopResult", "plan_loop"]

#: Most shared length between two variants (share of the shorter one).
MAX_SHARED = 0.6
#: Loops with more of their length on unmapped links are kept only when no other exists.
MAX_UNMAPPED_SHARE = 0.4
#: Weight of the share on unmapped links in the score (a retraced metre weighs 1).
UNMAPPED_WEIGHT = 0.5
#: Target overlap: above it a loop carries a warning.
OVERLAP_WARNING = 0.10
#: Limits of a request (:mod:`routing.bounds`, shared with the API and the command line).
DISTANCE_KM = LOOP_DISTANCE_KM
DURATION_MIN = LOOP_DURATION_MIN
#: Accepted relative error on the target (library callers only).
TOLERANCE = (0.005, 0.5)
#: POIs listed along a loop (category, metres from the line).
ALONG: tuple[tuple[str, float], ...] = tuple(
    (c, 150.0) for c in ("terril", "heritage", "mine_shaft", "neonatural_park", "viewpoint",
                         "museum", "historic", "picnic_site", "drinking_water", "toilets",
                         "bike_rental", "bike_repair", "food", "park_unit")
)
#: A POI counts as visited when its node is on the loop and it lies this close to it (m).
VISIT_M = 300.0
#: Share of a request's time budget given to the search; the rest builds the chosen loops.
SEARCH_SHARE = 0.6
#: Climb weight (cost seconds per metre of climb) of the retries under ``max_climb``.
CLIMB_WEIGHTS = (60.0, 300.0)


@dataclass(frozen=True)
class LoopRequest:
    """A loop to plan. Exactly one of ``distance_km`` and ``duration_min``.

    Parameters
    ----------
    start
        A place (:func:`routing.resolve_place`: park id, POI id, commune, ``"lat,lon"``...).
    distance_km, duration_min
        The target length or duration (with the profile's speeds); bounds in
        :data:`routing.bounds.LOOP_DISTANCE_KM` and :data:`routing.bounds.LOOP_DURATION_MIN`.
    profile
        ``walk``, ``bike`` or ``family``.
    through
        Parks or POIs (ids or names, or resolved :class:`routing.Place` objects) to pass through,
        in any order (at most :data:`routing.bounds.MAX_THROUGH`).
    via_category
        Pass by a POI of this category (key of :data:`parcs.schema.POI_CATEGORIES`).
    max_climb
        Most total climb (m, sum of the edges' filtered climbs).
    max_grade
        Steepest uphill grade of an edge in the direction of travel (percent).
    avoid
        Kinds of way to avoid (edge kinds, ``planned``, ``unpaved``).
    prefer
        Strength of the greenway preference (0 = pure time, 1 = the profile's factors).
    variants
        How many different loops to propose (1 to :data:`routing.bounds.MAX_VARIANTS`).
    seed
        Seed of the tie-breaking generator (``None``: a fresh one).
    tolerance
        Accepted relative error on the target (default 5 %).
    """

    start: Any
    distance_km: float | None = None
    duration_min: float | None = None
    profile: str = "walk"
    through: tuple[Any, ...] = ()
    via_category: str | None = None
    max_climb: float | None = None
    max_grade: float | None = None
    avoid: tuple[str, ...] = ()
    prefer: float = DEFAULT_PREFER
    variants: int = 1
    seed: int | None = None
    tolerance: float = 0.05

    def __post_init__(self) -> None:
        put = object.__setattr__
        if (self.distance_km is None) == (self.duration_min is None):
            raise InvalidRequestError(LOOP_TARGET_RULE)
        if self.distance_km is not None:
            put(self, "distance_km", check_number(self.distance_km, "distance", LOOP_DISTANCE_KM))
        if self.duration_min is not None:
            put(self, "duration_min", check_number(self.duration_min, "duration", LOOP_DURATION_MIN))
        if not isinstance(self.start, Place):
            put(self, "start", place_spec(self.start, "start"))
        through = (self.through,) if isinstance(self.through, str | Place) else tuple(self.through)
        keyed = {(t.id if isinstance(t, Place) else str(place_spec(t, "through"))): t for t in through}
        through = tuple(t if isinstance(t, Place) else k for k, t in keyed.items())
        put(self, "through", check_count(through, "through", MAX_THROUGH))
        check_choice(self.profile, "profile", PROFILES, "profil")
        if self.via_category is not None:
            check_category(self.via_category, "via_category")
        for name, bounds in (("max_climb", MAX_CLIMB_M), ("max_grade", MAX_GRADE_PCT)):
            if getattr(self, name) is not None:
                put(self, name, check_number(getattr(self, name), name, bounds))
        put(self, "avoid", check_avoid(self.avoid))
        put(self, "prefer", check_number(self.prefer, "prefer", PREFER))
        put(self, "variants", check_integer(self.variants, "variants", (1, MAX_VARIANTS)))
        put(self, "tolerance", check_number(self.tolerance, "tolerance", TOLERANCE))
        if self.seed is not None:
            put(self, "seed", check_integer(self.seed, "seed", SEED))

    def to_params(self) -> list[tuple[str, str]]:
        """The request as the string parameters :func:`routing.loops.parse_loop_params` reads back
        (permalinks, downloads; places given as objects are written by id).

        >>> LoopRequest("louvre-lens", distance_km=10, seed=1).to_params()
        [('start', 'louvre-lens'), ('distance', '10'), ('profile', 'walk'), ('seed', '1')]
        """
        start = self.start.id if isinstance(self.start, Place) else self.start
        out = [("start", start if isinstance(start, str) else ",".join(map(format_number, start)))]
        for name, value in (("distance", self.distance_km), ("duration", self.duration_min)):
            if value is not None:
                out.append((name, format_number(value)))
        out.append(("profile", self.profile))
        out += [("through", t.id if isinstance(t, Place) else str(t)) for t in self.through]
        if self.via_category:
            out.append(("via_category", self.via_category))
        for name in ("max_climb", "max_grade"):
            if getattr(self, name) is not None:
                out.append((name, format_number(getattr(self, name))))
        if self.prefer != DEFAULT_PREFER:
            out.append(("prefer", format_number(self.prefer)))
        out += [("avoid", a) for a in self.avoid]
        if self.variants != 1:
            out.append(("variants", str(self.variants)))
        if self.seed is not None:
            out.append(("seed", str(self.seed)))
        return out

    @property
    def target_kind(self) -> str:
        """``'distance'`` or ``'duration'``."""
        return "distance" if self.distance_km is not None else "duration"

    @property
    def target(self) -> float:
        """The target in metres or seconds."""
        if self.distance_km is not None:
            return self.distance_km * 1000.0
        return float(self.duration_min or 0.0) * 60.0

    def cost_options(self) -> CostOptions:
        """The cost options of the loop's legs (as a route with the same settings)."""
        avoid = (self.avoid,) if isinstance(self.avoid, str) else tuple(self.avoid)
        return CostOptions(self.profile, max_grade=self.max_grade, avoid=avoid, prefer=self.prefer, unmapped=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready echo of the request."""
        start = self.start.id if isinstance(self.start, Place) else self.start
        return {
            "start": start if isinstance(start, str) else list(start),
            "distance_km": self.distance_km, "duration_min": self.duration_min,
            "profile": self.profile,
            "through": [t.id if isinstance(t, Place) else t for t in self.through],
            "via_category": self.via_category, "max_climb": self.max_climb,
            "max_grade": self.max_grade, "avoid": list(self.cost_options().avoid),
            "prefer": self.prefer, "variants": self.variants, "seed": self.seed,
            "tolerance": self.tolerance,
        }


@dataclass(frozen=True, eq=False)
class Loop:
    """One proposed loop: its itinerary and quality figures.

    ``length_error`` is ``(achieved - target) / target`` (distance or duration);
    ``overlap_share`` the share of the length on ways travelled twice or more (the retraced
    share); ``unmapped_share`` the share on unmapped links (estimated lengths). :attr:`kind`
    names it (:mod:`routing.loops.naming`): over 25 % retraced it is not a loop.
    """

    itinerary: Itinerary
    target_kind: str
    target: float
    achieved: float
    length_error: float
    overlap_share: float
    greenway_share: float
    parks_visited: tuple[Mapping[str, str], ...]
    pois_visited: tuple[Mapping[str, Any], ...]
    through_visited: tuple[str, ...]
    turning_points: tuple[tuple[float, float], ...]
    score: float
    warnings: tuple[str, ...] = ()

    @property
    def retrace_share(self) -> float:
        """Share of the length travelled twice or more (``overlap_share``)."""
        return self.overlap_share

    @property
    def unmapped_share(self) -> float:
        """Share of the length on unmapped links."""
        d = self.itinerary.distance_m
        return 1000.0 * self.itinerary.unmapped_km / d if d > 0 else 0.0

    @property
    def kind(self) -> str:
        """``loop``, ``lollipop`` or ``out_and_back`` (:func:`routing.loops.naming.loop_kind`)."""
        return loop_kind(self.overlap_share)

    def noun(self, *, capital: bool = False) -> str:
        """Its French name, with the retraced share when it is not a loop."""
        return loop_noun(self.overlap_share, capital=capital)

    @property
    def distance_m(self) -> float:
        """Length of the loop (m)."""
        return self.itinerary.distance_m

    def quality(self) -> dict[str, Any]:
        """The quality figures as a JSON-ready dict."""
        return {
            "target_kind": self.target_kind,
            "target": round(self.target, 1),
            "achieved": round(self.achieved, 1),
            "length_error": round(self.length_error, 4),
            "overlap_share": round(self.overlap_share, 4),
            "retrace_share": round(self.overlap_share, 4),
            "unmapped_share": round(self.unmapped_share, 4),
            "kind": self.kind,
            "name": self.noun(capital=True),
            "greenway_share": round(self.greenway_share, 4),
            "parks_visited": [dict(p) for p in self.parks_visited],
            "pois_visited": [dict(p) for p in self.pois_visited],
            "through_visited": list(self.through_visited),
            "turning_points": [[round(lon, 6), round(lat, 6)] for lon, lat in self.turning_points],
            "score": round(self.score, 4),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: the itinerary, the quality figures and the warnings."""
        out = self.itinerary.to_dict()
        out["quality"] = self.quality()
        out["warnings"] = [*out.get("warnings", []), *self.warnings]
        return out


@dataclass(frozen=True, eq=False)
class LoopResult:
    """The loops proposed for a request, best first."""

    request: LoopRequest
    start: Place
    loops: tuple[Loop, ...]
    candidates: int
    overlap_floor: float = 0.0
    warnings: tuple[str, ...] = field(default=())
    partial: bool = False
    #: The station nearest the start, by walking distance (None: none within 10 km).
    access: StationAccess | None = None

    @property
    def best(self) -> Loop:
        """The best loop."""
        return self.loops[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "request": self.request.to_dict(),
            "start": self.start.to_dict(),
            "loops": [loop.to_dict() for loop in self.loops],
            "candidates": self.candidates,
            "overlap_floor": round(self.overlap_floor, 4),
            "warnings": list(self.warnings),
            "partial": self.partial,
            "access": self.access.to_dict() if self.access else None,
        }


# -- planning ---------------------------------------------------------------------------------


def plan_loop(cn: CompiledNetwork, request: LoopRequest, *, deadline: Deadline = NEVER) -> LoopResult:
    """Plan loops starting and ending at ``request.start``.

    Parameters
    ----------
    cn
        The compiled network.
    request
        What to plan (:class:`LoopRequest`).
    deadline
        Time budget (:mod:`routing.deadline`; default none). When it expires the search stops
        and the loops found so far are returned, marked ``partial`` with a warning.

    Returns
    -------
    LoopResult
        Up to ``request.variants`` loops, best first, all within the tolerance; fewer when the
        network does not offer enough different ones.

    Raises
    ------
    UnknownPlaceError, OutOfAreaError, InvalidRequestError
        From the places of the request.
    NoRouteError
        No loop at all from the start with these settings, or a through place out of reach.
    ConstraintError
        Loops exist but none meets the target (or ``max_climb``); the message gives the closest
        figures, e.g. "aucune boucle de 80 km : la plus longue boucle trouvée fait 52,3 km".
    BudgetExceededError
        The deadline expired before any loop within the tolerance was found.
    """
    start = resolve_place(cn, request.start, profile=request.profile)
    if cn.n_edges >= crop.CROP_MIN_EDGES and not request.through and request.via_category is None:
        res = _plan_cropped(cn, request, start, deadline=deadline)
    else:
        res = _plan(cn, request, start, deadline=deadline)
    return dataclasses.replace(res, access=nearest_station(cn, start.node))  # on the whole network


def _measure(cn: CompiledNetwork, request: LoopRequest) -> np.ndarray:
    return cn.edge_length if request.target_kind == "distance" else edge_times(cn, request.profile)


def _plan_cropped(cn: CompiledNetwork, request: LoopRequest, start: Place, *,
                  deadline: Deadline = NEVER) -> LoopResult:
    """:func:`_plan` on the start's neighbourhood (:mod:`routing.loops.crop`), mapped back."""
    keep = crop.loop_neighbourhood(
        cn, start=start.node, cost=edge_costs(cn, request.cost_options()),
        measure=_measure(cn, request), limit=request.target * (1.0 + request.tolerance),
        ways=crop.CROP_WAYS_PER_LOOP * request.target,
    )
    sub, nodes, edges = crop.subnetwork(cn, keep)
    remap = np.full(cn.n_nodes, -1, dtype=np.int64)
    remap[nodes] = np.arange(nodes.size)
    # from the anchor's node: its edge numbers are the whole network's
    res = _plan(sub, request, crop.sub_place(dataclasses.replace(start, anchor=None), remap), deadline=deadline)
    loops = tuple(crop.lift_loop(loop, edges) for loop in res.loops)
    return dataclasses.replace(res, start=start, loops=loops)


def _plan(cn: CompiledNetwork, request: LoopRequest, start: Place, *,
          deadline: Deadline = NEVER) -> LoopResult:
    """:func:`plan_loop` from a resolved start."""
    cost = edge_costs(cn, request.cost_options())
    lg = LoopGraph(cn=cn, cost=cost, measure=_measure(cn, request))
    reach = reachable(lg, start.node)
    if int(reach.sum()) <= 1:
        raise NoRouteError(
            f"aucune boucle possible au départ de {start.label} : aucune voie praticable "
            f"{_profile_label(request)} n'en part"
        )
    groups, labels = _groups(cn, request, start, reach)
    spec = Spec(start=start.node, target=request.target, tolerance=request.tolerance, groups=groups)
    found, partial = _search(lg, spec, request, deadline.share(SEARCH_SHARE))
    chosen = _select(lg, found, request, _poi_nodes(cn))
    if not chosen:
        raise deadline.exceeded("boucle") if partial else _no_loop_error(lg, found, request, start, reach)
    loops = tuple(_make_loop(lg, c, s, request, start, groups, labels) for c, s in chosen)
    logger.info("loop from %s: %d candidates, %d kept", start.label, len(found), len(loops))
    floor, warnings = _floor_and_warnings(lg, start.node, loops[0].distance_m, deadline=deadline,
                                          partial=partial)
    warnings += _fewer_variants(found, request, len(loops))
    return LoopResult(request=request, start=start, loops=loops, candidates=len(found),
                      overlap_floor=floor, warnings=tuple(warnings), partial=partial)


def _search(lg: LoopGraph, spec: Spec, request: LoopRequest, deadline: Deadline) -> tuple[list[Candidate], bool]:
    """The candidates (with retries under ``max_climb``) and whether the deadline cut them short."""
    rng = np.random.default_rng(request.seed)
    found = search(lg, spec, rng=rng, deadline=deadline)
    if request.max_climb is not None and not _eligible(found, request) and not deadline.expired():
        found += _climb_retries(lg, spec, rng)
    return found, deadline.expired()


def _floor_and_warnings(lg: LoopGraph, start: int, length: float, *, deadline: Deadline,
                        partial: bool) -> tuple[float, list[str]]:
    """The overlap floor of a result and its warnings (a cut-short search, a network of spurs).

    The floor needs the network's blocks: it is skipped (0) when the budget is spent and they
    are not cached yet (the server computes them for every profile before it forks its workers).
    """
    compute = not (deadline.expired() and not blocks_cached(lg))
    floor = overlap_floor(lg, start, length) if compute else 0.0
    warnings = []
    if partial:
        warnings.append(
            f"recherche interrompue au bout de {fr_number(deadline.budget, 1)} s (temps alloué à une "
            "demande) : voici les meilleures boucles trouvées jusque-là"
        )
    if floor > OVERLAP_WARNING:
        warnings.append(
            f"autour du départ le réseau est surtout fait d'antennes : toute boucle de cette longueur "
            f"y repasse par les mêmes voies sur au moins {fr_number(100 * floor, 0)} % de sa longueur"
        )
    return floor, warnings


def _profile_label(request: LoopRequest) -> str:
    from routing.profiles import PROFILES

    return PROFILES[request.profile].label_fr


def _groups(
    cn: CompiledNetwork, request: LoopRequest, start: Place, reach: np.ndarray
) -> tuple[tuple[tuple[int, ...], ...], tuple[str, ...]]:
    """Node groups (one per through place, one for ``via_category``) and their labels."""
    groups: list[tuple[int, ...]] = []
    labels: list[str] = []
    for item in request.through:
        place = resolve_place(cn, item, profile=request.profile)
        nodes = set(place.candidates)
        if place.kind == "park":
            inside = cn.edge_park == cn.park_index[place.id]
            nodes |= set(cn.edge_u[inside].tolist()) | set(cn.edge_v[inside].tolist())
        ok = tuple(n for n in sorted(nodes) if reach[n])
        if not ok:
            raise NoRouteError(
                f"{place.label} n'est pas joignable depuis {start.label} avec ces réglages"
            )
        groups.append(ok)
        labels.append(place.label)
    if request.via_category:
        cat = request.via_category
        ok = tuple(sorted({p.node for p in cn.pois if p.category == cat and p.node >= 0
                           and p.node_dist_m <= VISIT_M and reach[p.node]}))
        if not ok:
            raise NoRouteError(
                f"aucun lieu de type « {POI_CATEGORIES[cat]} » n'est joignable depuis {start.label}"
            )
        groups.append(ok)
        labels.append(POI_CATEGORIES[cat])
    return tuple(groups), tuple(labels)


def _climb_retries(lg: LoopGraph, spec: Spec, rng: np.random.Generator) -> list[Candidate]:
    """Search again with climbing made dearer (for ``max_climb``)."""
    out: list[Candidate] = []
    for weight in CLIMB_WEIGHTS:
        cost = np.asarray(lg.cost + weight * lg.cn.edge_climb, dtype=float)
        cost.flags.writeable = False
        out += search(LoopGraph(cn=lg.cn, cost=cost, measure=lg.measure), spec, rng=rng)
    return out


def _eligible(found: Sequence[Candidate], request: LoopRequest) -> list[Candidate]:
    """Candidates within the tolerance and under ``max_climb``."""
    target, tol = request.target, request.tolerance
    return [
        c for c in found
        if abs(c.measure - target) <= tol * target
        and (request.max_climb is None or c.climb <= request.max_climb + 1e-6)
    ]


def _poi_nodes(cn: CompiledNetwork) -> np.ndarray:
    """Node of every POI that can be visited (-1: none)."""
    return cn.cached(
        ("loop_poi_nodes",),
        lambda: np.array([p.node if p.node_dist_m <= VISIT_M else -1 for p in cn.pois], dtype=np.int64),
    )


def _score(lg: LoopGraph, c: Candidate, request: LoopRequest, ref: float, poi_nodes: np.ndarray) -> float:
    """Lower is better: length error, overlap, cost per measure; bonus for parks and POIs."""
    err = abs(c.measure - request.target) / request.target
    ratio = float(lg.cost[list(c.edges)].sum()) / max(c.measure, 1e-9)
    nodes = np.unique(lg.cn.edge_v[list(c.edges)])
    pois = int(np.isin(poi_nodes, nodes).sum())
    parks = np.unique(lg.cn.edge_park[list(c.edges)])
    n_parks = int((parks >= 0).sum())
    unmapped = _unmapped_share(lg.cn, c.edges)
    return (ERR_WEIGHT * err + c.overlap + UNMAPPED_WEIGHT * unmapped + COST_WEIGHT * (ratio / ref - 1.0)
            - 0.01 * min(pois, 10) - 0.03 * n_parks)


def _unmapped_share(cn: CompiledNetwork, edges: Sequence[int]) -> float:
    """Share of a path's length on unmapped links."""
    e = np.asarray(edges, dtype=np.int64)
    code = cn.kinds.index("unmapped") if "unmapped" in cn.kinds else -1
    lengths = cn.edge_length[e]
    total = float(lengths.sum())
    return float(lengths[cn.edge_kind[e] == code].sum()) / total if total > 0 else 0.0


def _select(
    lg: LoopGraph, found: Sequence[Candidate], request: LoopRequest, poi_nodes: np.ndarray
) -> list[tuple[Candidate, float]]:
    """The best eligible candidates, pairwise sharing at most :data:`MAX_SHARED` of their length."""
    unique = list({c.edges: c for c in _eligible(found, request)}.values())
    if not unique:
        return []
    mapped = [c for c in unique if _unmapped_share(lg.cn, c.edges) <= MAX_UNMAPPED_SHARE]
    unique = mapped or unique  # mostly unmapped loops only when nothing else exists
    ratios = [float(lg.cost[list(c.edges)].sum()) / max(c.measure, 1e-9) for c in unique]
    ref = min(ratios)
    scored = sorted(((_score(lg, c, request, ref, poi_nodes), i, c) for i, c in enumerate(unique)),
                    key=lambda t: (t[0], t[1]))
    chosen: list[tuple[Candidate, float]] = []
    for score, _, cand in scored:
        if all(shared_share(lg, cand.edges, other.edges) <= MAX_SHARED for other, _ in chosen):
            chosen.append((cand, score))
            if len(chosen) == request.variants:
                break
    return chosen


def _fewer_variants(found: Sequence[Candidate], request: LoopRequest, kept: int) -> list[str]:
    """Why fewer variants than asked for (empty when all were found)."""
    if kept >= request.variants:
        return []
    eligible = len({c.edges for c in _eligible(found, request)})
    why = (f"les {eligible - kept} autres boucles de la bonne longueur partagent plus de "
           f"{fr_number(100 * MAX_SHARED, 0)} % de leur tracé avec celles-ci") if eligible > kept else (
           "aucune autre boucle trouvée ne respecte la longueur demandée")
    return [f"{kept} variante{'s' if kept > 1 else ''} sur {request.variants} demandées : {why}"]


def _fmt(request: LoopRequest, value: float) -> str:
    return fr_distance(value) if request.target_kind == "distance" else fr_duration(value)


def _no_loop_error(
    lg: LoopGraph, found: Sequence[Candidate], request: LoopRequest, start: Place, reach: np.ndarray
) -> NoRouteError:
    """The error explaining why no loop fits, with the closest figures found."""
    target, tol = request.target, request.tolerance
    what = f"aucune boucle de {_fmt(request, target)} au départ de {start.label}"
    if not found:
        return NoRouteError(f"{what} : le réseau praticable {_profile_label(request)} n'offre aucun circuit")
    within = [c for c in found if abs(c.measure - target) <= tol * target]
    if within and request.max_climb is not None:
        least = min(c.climb for c in within)
        return ConstraintError(
            f"{what} sous {fr_number(request.max_climb, 0)} m de dénivelé positif : la moins "
            f"vallonnée trouvée en compte {fr_number(least, 0)} m"
        )
    verb = "fait" if request.target_kind == "distance" else "dure"
    longest = max(c.measure for c in found)
    shortest = min(c.measure for c in found)
    if longest < target:
        detail = f"la plus longue boucle trouvée {verb} {_fmt(request, longest)}"
        ways = np.isfinite(lg.cost) & reach[lg.cn.edge_u] & reach[lg.cn.edge_v]
        km = float(lg.cn.edge_length[ways].sum()) / 2.0
        if request.target_kind == "distance" and km < target:
            detail += f" (le réseau joignable depuis le départ ne compte que {fr_distance(km)} de voies)"
    elif shortest > target:
        detail = f"la plus courte boucle trouvée {verb} {_fmt(request, shortest)}"
        if request.through or request.via_category:
            detail += " (avec les lieux demandés)"
    else:
        closest = min(found, key=lambda c: abs(c.measure - target))
        detail = f"la boucle la plus proche {verb} {_fmt(request, closest.measure)}"
    return ConstraintError(f"{what} : {detail}")


def _visited_pois(lg: LoopGraph, nodes: np.ndarray) -> tuple[dict[str, Any], ...]:
    cn = lg.cn
    poi_nodes = _poi_nodes(cn)
    hit = np.flatnonzero(np.isin(poi_nodes, nodes))
    return tuple(
        {"id": cn.pois[i].id, "name": cn.pois[i].name, "category": cn.pois[i].category}
        for i in sorted(hit.tolist(), key=lambda i: (cn.pois[i].category, cn.pois[i].id))
    )


def _visited_parks(lg: LoopGraph, it: Itinerary, nodes: np.ndarray) -> tuple[dict[str, str], ...]:
    out = {p["id"]: dict(p) for p in it.parks_crossed}
    node_set = set(nodes.tolist())
    for park in lg.cn.parks:
        if park.id not in out and node_set.intersection(park.access_nodes):
            out[park.id] = {"id": park.id, "name": park.name}
    return tuple(out.values())


def _anchored_loop(cn: CompiledNetwork, anchor: Anchor, edges: list[int]) -> LegPath:
    """A loop from a node of the anchor's edge made to start and end at the anchor: the stretch
    of the edge to that node added at both ends, or the loop's own first (last) edge cut where
    it runs along it."""
    node = int(cn.edge_u[edges[0]])
    length = anchor.length
    if node == int(cn.edge_u[anchor.edge]):  # the anchor lies along edge (node -> other end)
        away, back = (anchor.edge, anchor.d), (anchor.twin, length - anchor.d)
    else:
        away, back = (anchor.twin, length - anchor.d), (anchor.edge, anchor.d)
    seq, start, end = list(edges), 0.0, -1.0
    if seq[0] == away[0]:
        start = away[1]  # the loop leaves along the anchor's way: start there
    else:
        seq.insert(0, back[0])
        start = back[1]
    if seq[-1] == back[0] and len(seq) > 1:
        end = back[1]  # the loop comes back along the anchor's way: end there
    else:
        seq.append(away[0])
        end = away[1]
    return LegPath(np.asarray(seq, dtype=np.int64), start, end, 0.0)


def _make_loop(
    lg: LoopGraph,
    cand: Candidate,
    score: float,
    request: LoopRequest,
    start: Place,
    groups: Sequence[tuple[int, ...]],
    labels: Sequence[str],
) -> Loop:
    cn = lg.cn
    kw: dict[str, Any] = {
        "profile": request.profile, "request": request.to_dict(), "options": request.cost_options(),
        "along": ALONG, "parks": [start.id] if start.kind == "park" else [],
    }
    if start.anchor is None or start.anchor.twin < 0:
        it = build_itinerary(cn, list(cand.edges), **kw)
    else:  # from the point on the way to the loop's node and back
        it = assemble_legs(cn, [_anchored_loop(cn, start.anchor, list(cand.edges))], **kw, snap_m={"origin": start.snap_m})
    achieved = it.distance_m if request.target_kind == "distance" else it.duration_s
    nodes = np.unique(np.concatenate([cn.edge_u[list(cand.edges)], cn.edge_v[list(cand.edges)]]))
    through = tuple(label for g, label in zip(groups, labels, strict=True) if np.isin(g, nodes).any())
    warnings = []
    if cand.overlap > OVERLAP_WARNING:
        warnings.append(
            f"la boucle repasse par les mêmes voies sur {fr_number(100 * cand.overlap, 0)} % de sa longueur"
        )
    return Loop(
        itinerary=it, target_kind=request.target_kind, target=request.target, achieved=achieved,
        length_error=(achieved - request.target) / request.target, overlap_share=cand.overlap,
        greenway_share=it.greenway_share, parks_visited=_visited_parks(lg, it, nodes),
        pois_visited=_visited_pois(lg, nodes), through_visited=through,
        turning_points=tuple((float(cn.node_lon[w]), float(cn.node_lat[w])) for w in cand.waypoints),
        score=score, warnings=tuple(warnings),
    )

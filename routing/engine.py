"""Answer a :class:`~routing.request.RouteRequest`: places -> stops -> legs -> itineraries.

Steps of :func:`route`:

1. resolve the origin, the ``via`` places and the ``stop_at`` POIs, and the destination
   (:func:`routing.resolve_place`); a park unit may be entered by any of its access nodes, the
   searches pick the best (multi-source / multi-target Dijkstra); coordinates are snapped onto
   the nearest point of a way the profile may use (:mod:`routing.snap`: an anchor splitting an
   edge for this query; the searches enter and leave it through the edge's ends,
   :mod:`routing.legs`), all places onto one piece of the network from which the trip is
   possible (:mod:`routing.pieces`; else the answer says the pieces are not connected);
2. ``via_category``: one forward Dijkstra from each stop and one reverse Dijkstra from the next;
   the POI of the category minimising ``d(from, poi) + d(poi, to) - d(from, to)`` over every leg
   is inserted as a stop (chosen on costs alone, before any ``max_climb``);
3. route leg by leg, or, with ``max_climb``, solve the whole sequence at once under the climb
   budget (:func:`routing.constrained.constrained_path`). A leg over a cached cost vector
   (:func:`routing.edge_costs`) is searched on the graph with its degree-2 chains contracted,
   bounded by hub distances (:func:`routing.contract.shortest_leg`); over any other vector (the
   penalised ones of step 4) with one scipy Dijkstra over the whole graph. Both give the path
   of a Dijkstra from the stop;
4. ``alternatives``: penalty method. The edges (both directions) of each path found get their
   cost multiplied by :data:`PENALTY`, and the search runs again; a new path is kept when at most
   :data:`MAX_SHARED` of its length runs on ways of an itinerary already kept and its true cost is
   at most :data:`MAX_STRETCH` times the best. Fewer are returned when no more exist;
5. build the :class:`~routing.itinerary.Itinerary` of each path, cut at the anchors
   (:func:`routing.itinerary.assemble_legs`), with the snap distances (and a warning beyond
   :data:`SNAP_WARN_M`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from parcs._errors import ConstraintError, InvalidRequestError, NoRouteError, UnknownPlaceError
from parcs.schema import POI_CATEGORIES
from routing.compiled import CompiledNetwork
from routing.constrained import constrained_path
from routing.costs import CostOptions, edge_costs
from routing.deadline import NEVER, Deadline
from routing.direct import OFFER_RATIO, comparison_sentence, direct_route
from routing.fmt import fr_distance, fr_number
from routing.itinerary import Itinerary, assemble_legs
from routing.legs import (
    LegPath,
    Stop,
    constrained_legs,
    find_leg,
    leg_measure,
    legs_edges,
    stop_cost,
    stop_distances,
)
from routing.pieces import Disconnected, on_one_piece
from routing.places import Place, resolve_place
from routing.request import RouteRequest, RouteResult
from routing.snap import Anchor

logger = logging.getLogger(__name__)

__all__ = ["MAX_SHARED", "MAX_STRETCH", "PENALTY", "SNAP_WARN_M", "route", "route_legs", "route_paths"]

#: Cost multiplier of the edges of paths already found (alternatives).
PENALTY = 1.4
#: Largest share of an alternative's length on ways of an itinerary already kept.
MAX_SHARED = 0.8
#: Largest true cost of an alternative relative to the best.
MAX_STRETCH = 1.5
#: Coordinates farther than this from the way they are snapped onto get a warning (m).
SNAP_WARN_M = 50.0
#: Penalty rounds per alternative asked for.
ROUNDS_PER_ALTERNATIVE = 4

Legs = list[npt.NDArray[np.int32]]
FloatArray = npt.NDArray[np.float64]


def route_legs(
    cn: CompiledNetwork,
    stops: Sequence[Stop],
    costs: FloatArray,
    *,
    max_climb: float | None = None,
    deadline: Deadline = NEVER,
) -> Legs | None:
    """Edges of each leg of the cheapest path through ``stops`` (``None``: unreachable).

    Parameters
    ----------
    cn
        The compiled network.
    stops
        Node indices of each stop in order (the first and last may hold several candidates), or
        :class:`~routing.snap.Anchor` points inside edges (their edges are cut:
        :func:`route_paths` says where).
    costs
        One cost per directed edge (:func:`routing.edge_costs`).
    max_climb
        Climb budget (m) over the whole path; may raise :class:`~parcs.ConstraintError`.
    deadline
        Time budget of the climb-constrained search (:mod:`routing.deadline`).
    """
    paths = route_paths(cn, stops, costs, max_climb=max_climb, deadline=deadline)
    return None if paths is None else [leg.edges.astype(np.int32) for leg in paths]


def route_paths(
    cn: CompiledNetwork,
    stops: Sequence[Stop],
    costs: FloatArray,
    *,
    max_climb: float | None = None,
    deadline: Deadline = NEVER,
) -> list[LegPath] | None:
    """:func:`route_legs` as :class:`~routing.legs.LegPath` (cut edges and costs included)."""
    if max_climb is not None:
        try:
            if any(isinstance(s, Anchor) for s in stops):
                return constrained_legs(cn, stops, costs, limit=max_climb, deadline=deadline)
            res = constrained_path(cn, stops, costs, limit=max_climb, deadline=deadline)  # type: ignore[arg-type]
        except ConstraintError:
            raise
        except NoRouteError:
            return None
        return [LegPath(np.asarray(leg, dtype=np.int64), 0.0, -1.0, float(costs[leg].sum())) for leg in res.legs]
    legs: list[LegPath] = []
    current: Stop = stops[0]
    for target in stops[1:]:
        leg = find_leg(cn, current, target, costs)
        if leg is None:
            return None
        legs.append(leg)
        if isinstance(target, Anchor):
            current = target
        else:
            current = (int(cn.edge_v[leg.edges[-1]]),) if leg.edges.size else _reached(cn, current, target)
    return legs


def _reached(cn: CompiledNetwork, current: Stop, target: Stop) -> tuple[int, ...]:
    """The target node an empty leg stays at (a node both stops share)."""
    shared = [n for n in target if not isinstance(current, Anchor) and n in current]  # type: ignore[union-attr]
    return (shared[0],) if shared else tuple(target)  # type: ignore[arg-type]


def _stop_place(cn: CompiledNetwork, poi_id: str, profile: str) -> Place:
    place = resolve_place(cn, poi_id, profile=profile)
    if place.kind != "poi":
        raise UnknownPlaceError(f"stop_at: {poi_id!r} n'est pas un identifiant de point d'intérêt")
    return place


def _places(cn: CompiledNetwork, req: RouteRequest) -> list[Place]:
    snap_kw: dict[str, Any] = {"max_snap_m": req.max_snap_m, "profile": req.profile}
    places = [resolve_place(cn, req.origin, **snap_kw)]
    places += [resolve_place(cn, v, **snap_kw) for v in req.via]
    places += [_stop_place(cn, s, req.profile) for s in req.stop_at]
    places.append(resolve_place(cn, req.destination, **snap_kw))
    if len(places) == 2 and places[0].same_spot(places[1]):
        raise InvalidRequestError(
            f"départ et arrivée identiques ({places[0].label} / {places[1].label}) : "
            "choisissez deux lieux différents"
        )
    try:
        return on_one_piece(cn, places, profile=req.profile, max_snap_m=req.max_snap_m)
    except Disconnected as exc:
        raise _disconnected(cn, req, exc.a, exc.b) from None


def _disconnected(cn: CompiledNetwork, req: RouteRequest, a: Place, b: Place) -> NoRouteError:
    """The error for two places on pieces of the network that no way (for the profile) joins."""
    if req.profile != "walk":
        try:
            on_one_piece(cn, [a, b], profile="walk", max_snap_m=req.max_snap_m, unsnapped=True)
        except Disconnected:
            pass
        else:
            if req.profile == "family":
                return NoRouteError(f"aucun itinéraire familial de {a.label} à {b.label} : le trajet impose des pentes de plus de 5 %")
            return NoRouteError(f"aucun itinéraire cyclable de {a.label} à {b.label} : seules des voies interdites aux vélos y mènent")
    return NoRouteError(
        f"{a.label} et {b.label} ne sont pas reliés par le réseau de la Chaîne des parcs : "
        f"ils sont sur deux morceaux du réseau qui ne se rejoignent pas"
    )


def _insert_category(
    cn: CompiledNetwork, stops: list[Stop], costs: FloatArray, category: str
) -> tuple[list[Stop], int, int]:
    """Stops with the best POI of ``category`` inserted; returns them, the leg and the POI."""
    pois = [i for i, p in enumerate(cn.pois) if p.category == category and p.node >= 0]
    label = POI_CATEGORIES.get(category, category)
    if not pois:
        raise NoRouteError(f"aucun point d'intérêt « {label} » sur le réseau")
    nodes = np.array([cn.pois[i].node for i in pois], dtype=np.int64)
    best = (np.inf, -1, -1)
    for leg in range(len(stops) - 1):
        fwd = stop_distances(cn, stops[leg], costs)
        back = stop_distances(cn, stops[leg + 1], costs, reverse=True)
        base = stop_cost(cn, fwd, stops[leg + 1], costs)
        detour = fwd[nodes] + back[nodes] - base
        k = int(np.argmin(detour))
        if detour[k] < best[0]:
            best = (float(detour[k]), leg, pois[k])
    if not np.isfinite(best[0]):
        raise NoRouteError(f"aucun point d'intérêt « {label} » accessible sur ce trajet")
    _, leg, poi = best
    out = [*stops[: leg + 1], (cn.pois[poi].node,), *stops[leg + 1 :]]
    return out, leg, poi


def _no_route(cn: CompiledNetwork, req: RouteRequest, stops: Sequence[Stop], places: Sequence[Place]) -> Exception:
    a, b = places[0].label, places[-1].label
    if req.cost_options().hard and route_paths(cn, stops, edge_costs(cn, CostOptions(req.profile))) is not None:
        parts = []
        if req.max_grade is not None:
            parts.append(f"pente maximale {fr_number(req.max_grade)} %")
        if req.avoid:
            parts.append("en évitant " + ", ".join(req.avoid))
        return ConstraintError(f"aucun itinéraire de {a} à {b} ne respecte ces contraintes ({' ; '.join(parts)})")
    if req.profile != "walk" and route_paths(cn, stops, edge_costs(cn, CostOptions("walk"))) is not None:
        if req.profile == "family":
            return NoRouteError(f"aucun itinéraire familial de {a} à {b} : le trajet impose des pentes de plus de 5 %")
        return NoRouteError(f"aucun itinéraire cyclable de {a} à {b} : seules des voies interdites aux vélos y mènent")
    if req.streets == "none" and "unmapped" in cn.kinds:
        return NoRouteError(
            f"{a} et {b} ne sont pas reliés par le réseau de la Chaîne des parcs sans liaisons non "
            "cartographiées (streets=none)"
        )
    return NoRouteError(f"{a} et {b} ne sont pas reliés par le réseau de la Chaîne des parcs")


def _shared_share(cn: CompiledNetwork, path: npt.NDArray[np.int64], kept: npt.NDArray[np.int64]) -> float:
    """Share of ``path``'s length on ways (either direction) of ``kept``."""
    lengths = cn.edge_length[path]
    total = float(lengths.sum())
    shared = np.isin(cn.edge_way[path], cn.edge_way[kept])
    return float(lengths[shared].sum()) / total if total > 0 else 1.0


def _true_cost(cn: CompiledNetwork, legs: Sequence[LegPath], costs: FloatArray) -> float:
    return sum(leg_measure(cn, leg, costs) for leg in legs)


def _alternatives(
    cn: CompiledNetwork, stops: Sequence[Stop], costs: FloatArray, best: list[LegPath], req: RouteRequest,
    deadline: Deadline = NEVER,
) -> list[list[LegPath]]:
    kept = [best]
    flat = [legs_edges(best)]
    best_cost = _true_cost(cn, best, costs)
    penalised = np.array(costs, dtype=float)
    last = flat[0]
    for _ in range(ROUNDS_PER_ALTERNATIVE * (req.alternatives - 1)):
        if deadline.expired():  # fewer alternatives, never none
            break
        penalised[np.isin(cn.edge_way, cn.edge_way[last])] *= PENALTY
        try:
            legs = route_paths(cn, stops, penalised, max_climb=req.max_climb, deadline=deadline)
        except ConstraintError:
            break
        if legs is None:
            break
        last = legs_edges(legs)
        if _true_cost(cn, legs, costs) > MAX_STRETCH * best_cost:
            break
        if any(_shared_share(cn, last, f) > MAX_SHARED for f in flat):
            continue
        kept.append(legs)
        flat.append(last)
        if len(kept) >= req.alternatives:
            break
    return kept


def _snap_notes(places: Sequence[Place]) -> tuple[str, ...]:
    """Warnings for the places that lie far from the way the route starts, passes or ends on."""
    out = []
    for i, p in enumerate(places):
        if p.kind != "coordinates" or p.snap_m < SNAP_WARN_M:
            continue
        role = "le départ" if i == 0 else "l'arrivée" if i == len(places) - 1 else "l'étape"
        out.append(
            f"{role} ({p.label}) est à {fr_distance(p.snap_m)} de la voie praticable la plus proche, "
            f"où l'itinéraire {'commence' if i == 0 else 'finit' if i == len(places) - 1 else 'passe'}"
        )
    return tuple(out)


def _itinerary(
    cn: CompiledNetwork, req: RouteRequest, echo: dict[str, Any], legs: list[LegPath], places: Sequence[Place], stop_rows: list[dict[str, Any]]
) -> Itinerary:
    if not legs or all(leg.edges.size == 0 for leg in legs):
        raise InvalidRequestError("départ et arrivée identiques : l'itinéraire est vide")
    first, last = places[0], places[-1]
    parks = [first.id if first.kind == "park" else "", last.id if last.kind == "park" else ""]
    return assemble_legs(  # the legs of the searches follow each other
        cn, legs, profile=req.profile, request=echo, options=req.cost_options(),
        along=req.along, stops=stop_rows, parks=parks,
        snap_m={"origin": first.snap_m, "destination": last.snap_m}, notes=_snap_notes(places),
    )


def _node_stops(cn: CompiledNetwork, stops: Sequence[Stop]) -> list[tuple[int, ...]]:
    """The stops as network nodes, for the direct option: a point inside an edge stands for the
    two ends of its edge (the direct route starts and ends at nodes)."""
    out: list[tuple[int, ...]] = []
    for s in stops:
        if isinstance(s, Anchor):
            out.append((int(cn.edge_u[s.edge]), int(cn.edge_v[s.edge])))
        else:
            out.append(tuple(s))
    return out


def route(cn: CompiledNetwork, request: RouteRequest, *, deadline: Deadline = NEVER) -> RouteResult:
    """Route a request (see the module docstring).

    ``deadline`` (:mod:`routing.deadline`, default none) bounds the slow parts: past it the
    alternatives stop (fewer are returned) and a ``max_climb`` search returns the least-climbing
    route that meets the limit.

    Raises
    ------
    UnknownPlaceError, OutOfAreaError, InvalidRequestError
        For places that cannot be resolved, or identical origin and destination.
    NoRouteError
        When the places are not connected (for this profile), saying so.
    ConstraintError
        When they are, but not under the request's constraints.
    """
    t0 = time.perf_counter()
    req = request
    places = _places(cn, req)
    costs = edge_costs(cn, req.cost_options())
    stops: list[Stop] = [places[0].stop, *(p.anchor or (p.node,) for p in places[1:-1]), places[-1].stop]
    stop_rows: list[dict[str, Any]] = [{**p.to_dict(), "node": p.node} for p in places[1:-1]]
    if req.via_category is not None:
        stops, leg, poi = _insert_category(cn, stops, costs, req.via_category)
        p = cn.pois[poi]
        stop_rows.insert(leg, {"kind": "poi", "id": p.id, "label": p.name, "category": p.category, "lon": round(p.lon, 6), "lat": round(p.lat, 6), "node": p.node})
    legs = route_paths(cn, stops, costs, max_climb=req.max_climb, deadline=deadline)
    echo = req.to_dict()
    info = {"origin": places[0].to_dict(), "destination": places[-1].to_dict(), "via": [p.to_dict() for p in places[1:-1]]}
    if legs is None:
        direct = direct_route(cn, req, _node_stops(cn, stops), search=route_legs, echo=echo, stop_rows=stop_rows)
        if direct is None:
            raise _no_route(cn, req, stops, places)
        note = "aucun itinéraire par les seules voies du réseau : seul un trajet par des liaisons non cartographiées existe"
        return RouteResult(request=req, itineraries=(direct,), places=info, comparison=note,
                           elapsed_ms=1000 * (time.perf_counter() - t0))
    paths = _alternatives(cn, stops, costs, legs, req, deadline) if req.alternatives > 1 else [legs]
    itineraries = tuple(_itinerary(cn, req, echo, p, places, stop_rows) for p in paths)
    factor = itineraries[0].detour_factor
    worth = factor is not None and factor > OFFER_RATIO  # the direct route is never under the crow line
    direct = direct_route(cn, req, _node_stops(cn, stops), search=route_legs, echo=echo, stop_rows=stop_rows) if worth else None
    offer, sentence = comparison_sentence(itineraries[0], direct, req=req)
    elapsed = 1000 * (time.perf_counter() - t0)
    logger.debug("route %s -> %s in %.1f ms", places[0].label, places[-1].label, elapsed)
    return RouteResult(request=req, itineraries=itineraries, places=info, elapsed_ms=elapsed,
                       direct=direct if offer else None, comparison=sentence)

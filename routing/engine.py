"""Answer a :class:`~routing.request.RouteRequest`: places -> stops -> legs -> itineraries.

Steps of :func:`route`:

1. resolve the origin, the ``via`` places and the ``stop_at`` POIs, and the destination
   (:func:`routing.resolve_place`); a park unit may be entered by any of its access nodes, the
   searches pick the best (multi-source / multi-target Dijkstra);
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
5. build the :class:`~routing.itinerary.Itinerary` of each path.
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
from routing.contract import cacheable, shortest_leg
from routing.costs import CostOptions, edge_costs
from routing.deadline import NEVER, Deadline
from routing.direct import OFFER_RATIO, comparison_sentence, direct_route
from routing.fmt import fr_number
from routing.itinerary import Itinerary, assemble_itinerary
from routing.places import Place, resolve_place
from routing.request import RouteRequest, RouteResult
from routing.search import path_edges, shortest_path_tree

logger = logging.getLogger(__name__)

__all__ = ["MAX_SHARED", "MAX_STRETCH", "PENALTY", "route", "route_legs"]

#: Cost multiplier of the edges of paths already found (alternatives).
PENALTY = 1.4
#: Largest share of an alternative's length on ways of an itinerary already kept.
MAX_SHARED = 0.8
#: Largest true cost of an alternative relative to the best.
MAX_STRETCH = 1.5
#: Penalty rounds per alternative asked for.
ROUNDS_PER_ALTERNATIVE = 4

Legs = list[npt.NDArray[np.int32]]
FloatArray = npt.NDArray[np.float64]


def route_legs(
    cn: CompiledNetwork,
    stops: Sequence[Sequence[int]],
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
        Node indices of each stop in order; the first and last may hold several candidates.
    costs
        One cost per directed edge (:func:`routing.edge_costs`).
    max_climb
        Climb budget (m) over the whole path; may raise :class:`~parcs.ConstraintError`.
    deadline
        Time budget of the climb-constrained search (:mod:`routing.deadline`).
    """
    if max_climb is not None:
        try:
            return list(constrained_path(cn, stops, costs, limit=max_climb, deadline=deadline).legs)
        except ConstraintError:
            raise
        except NoRouteError:
            return None
    legs: Legs = []
    current: Sequence[int] = stops[0]
    for target in stops[1:]:
        leg = _leg(cn, current, target, costs)
        if leg is None:
            return None
        legs.append(leg[0])
        current = (leg[1],)
    return legs


def _leg(
    cn: CompiledNetwork, sources: Sequence[int], targets: Sequence[int], costs: FloatArray
) -> tuple[npt.NDArray[np.int32], int] | None:
    """Edges of the cheapest path from the nearest source to the nearest target, and that target.

    A cached cost vector (:func:`routing.edge_costs`) is searched on its contracted graph
    (:mod:`routing.contract`), any other with one Dijkstra over the whole graph; both give the
    path of a Dijkstra from the sources.
    """
    if cacheable(costs):
        leg = shortest_leg(cn, sources, targets, costs)
        return None if leg is None else (leg.edges, leg.target)
    tree = shortest_path_tree(cn, sources, costs)
    dist = tree.dist[list(targets)]
    j = int(np.argmin(dist))
    if not np.isfinite(dist[j]):
        return None
    return path_edges(cn, tree, int(targets[j])), int(targets[j])


def _stop_place(cn: CompiledNetwork, poi_id: str) -> Place:
    place = resolve_place(cn, poi_id)
    if place.kind != "poi":
        raise UnknownPlaceError(f"stop_at: {poi_id!r} n'est pas un identifiant de point d'intérêt")
    return place


def _places(cn: CompiledNetwork, req: RouteRequest) -> list[Place]:
    places = [resolve_place(cn, req.origin, max_snap_m=req.max_snap_m)]
    places += [resolve_place(cn, v, max_snap_m=req.max_snap_m) for v in req.via]
    places += [_stop_place(cn, s) for s in req.stop_at]
    places.append(resolve_place(cn, req.destination, max_snap_m=req.max_snap_m))
    if len(places) == 2 and set(places[0].candidates) & set(places[1].candidates):
        raise InvalidRequestError(
            f"départ et arrivée identiques ({places[0].label} / {places[1].label}) : "
            "choisissez deux lieux différents"
        )
    return places


def _insert_category(
    cn: CompiledNetwork, stops: list[tuple[int, ...]], costs: FloatArray, category: str
) -> tuple[list[tuple[int, ...]], int, int]:
    """Stops with the best POI of ``category`` inserted; returns them, the leg and the POI."""
    pois = [i for i, p in enumerate(cn.pois) if p.category == category and p.node >= 0]
    label = POI_CATEGORIES.get(category, category)
    if not pois:
        raise NoRouteError(f"aucun point d'intérêt « {label} » sur le réseau")
    nodes = np.array([cn.pois[i].node for i in pois], dtype=np.int64)
    best = (np.inf, -1, -1)
    for leg in range(len(stops) - 1):
        fwd = shortest_path_tree(cn, stops[leg], costs)
        back = shortest_path_tree(cn, stops[leg + 1], costs, reverse=True)
        base = float(fwd.dist[list(stops[leg + 1])].min())
        detour = fwd.dist[nodes] + back.dist[nodes] - base
        k = int(np.argmin(detour))
        if detour[k] < best[0]:
            best = (float(detour[k]), leg, pois[k])
    if not np.isfinite(best[0]):
        raise NoRouteError(f"aucun point d'intérêt « {label} » accessible sur ce trajet")
    _, leg, poi = best
    out = [*stops[: leg + 1], (cn.pois[poi].node,), *stops[leg + 1 :]]
    return out, leg, poi


def _no_route(cn: CompiledNetwork, req: RouteRequest, stops: Sequence[Sequence[int]], places: Sequence[Place]) -> Exception:
    a, b = places[0].label, places[-1].label
    if req.cost_options().hard and route_legs(cn, stops, edge_costs(cn, CostOptions(req.profile))) is not None:
        parts = []
        if req.max_grade is not None:
            parts.append(f"pente maximale {fr_number(req.max_grade)} %")
        if req.avoid:
            parts.append("en évitant " + ", ".join(req.avoid))
        return ConstraintError(f"aucun itinéraire de {a} à {b} ne respecte ces contraintes ({' ; '.join(parts)})")
    if req.profile != "walk" and route_legs(cn, stops, edge_costs(cn, CostOptions("walk"))) is not None:
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


def _alternatives(
    cn: CompiledNetwork, stops: Sequence[Sequence[int]], costs: FloatArray, best: Legs, req: RouteRequest,
    deadline: Deadline = NEVER,
) -> list[Legs]:
    kept = [best]
    flat = [np.concatenate(best).astype(np.int64)]
    best_cost = float(costs[flat[0]].sum())
    penalised = np.array(costs, dtype=float)
    last = flat[0]
    for _ in range(ROUNDS_PER_ALTERNATIVE * (req.alternatives - 1)):
        if deadline.expired():  # fewer alternatives, never none
            break
        penalised[np.isin(cn.edge_way, cn.edge_way[last])] *= PENALTY
        try:
            legs = route_legs(cn, stops, penalised, max_climb=req.max_climb, deadline=deadline)
        except ConstraintError:
            break
        if legs is None:
            break
        last = np.concatenate(legs).astype(np.int64)
        if float(costs[last].sum()) > MAX_STRETCH * best_cost:
            break
        if any(_shared_share(cn, last, f) > MAX_SHARED for f in flat):
            continue
        kept.append(legs)
        flat.append(last)
        if len(kept) >= req.alternatives:
            break
    return kept


def _itinerary(
    cn: CompiledNetwork, req: RouteRequest, echo: dict[str, Any], legs: Legs, places: Sequence[Place], stop_rows: list[dict[str, Any]]
) -> Itinerary:
    edges = np.concatenate(legs, dtype=np.int64) if legs else np.zeros(0, dtype=np.int64)
    if edges.size == 0:
        raise InvalidRequestError("départ et arrivée identiques : l'itinéraire est vide")
    first, last = places[0], places[-1]
    parks = [first.id if first.kind == "park" else "", last.id if last.kind == "park" else ""]
    return assemble_itinerary(  # the legs of the searches follow each other
        cn, edges, profile=req.profile, request=echo, options=req.cost_options(),
        along=req.along, stops=stop_rows, parks=parks,
    )


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
        When the places are not connected (for this profile).
    ConstraintError
        When they are, but not under the request's constraints.
    """
    t0 = time.perf_counter()
    req = request
    places = _places(cn, req)
    costs = edge_costs(cn, req.cost_options())
    stops: list[tuple[int, ...]] = [places[0].candidates, *((p.node,) for p in places[1:-1]), places[-1].candidates]
    stop_rows: list[dict[str, Any]] = [{**p.to_dict(), "node": p.node} for p in places[1:-1]]
    if req.via_category is not None:
        stops, leg, poi = _insert_category(cn, stops, costs, req.via_category)
        p = cn.pois[poi]
        stop_rows.insert(leg, {"kind": "poi", "id": p.id, "label": p.name, "category": p.category, "lon": round(p.lon, 6), "lat": round(p.lat, 6), "node": p.node})
    legs = route_legs(cn, stops, costs, max_climb=req.max_climb, deadline=deadline)
    echo = req.to_dict()
    info = {"origin": places[0].to_dict(), "destination": places[-1].to_dict(), "via": [p.to_dict() for p in places[1:-1]]}
    if legs is None:
        direct = direct_route(cn, req, stops, search=route_legs, echo=echo, stop_rows=stop_rows)
        if direct is None:
            raise _no_route(cn, req, stops, places)
        note = "aucun itinéraire par les seules voies du réseau : seul un trajet par des liaisons non cartographiées existe"
        return RouteResult(request=req, itineraries=(direct,), places=info, comparison=note,
                           elapsed_ms=1000 * (time.perf_counter() - t0))
    paths = _alternatives(cn, stops, costs, legs, req, deadline) if req.alternatives > 1 else [legs]
    itineraries = tuple(_itinerary(cn, req, echo, p, places, stop_rows) for p in paths)
    factor = itineraries[0].detour_factor
    worth = factor is not None and factor > OFFER_RATIO  # the direct route is never under the crow line
    direct = direct_route(cn, req, stops, search=route_legs, echo=echo, stop_rows=stop_rows) if worth else None
    offer, sentence = comparison_sentence(itineraries[0], direct, req=req)
    elapsed = 1000 * (time.perf_counter() - t0)
    logger.debug("route %s -> %s in %.1f ms", places[0].label, places[-1].label, elapsed)
    return RouteResult(request=req, itineraries=itineraries, places=info, elapsed_ms=elapsed,
                       direct=direct if offer else None, comparison=sentence)

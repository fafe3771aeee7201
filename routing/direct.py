"""The direct option: a route over unmapped links, offered when the greenest one is a long detour.

The greenest route never uses unmapped links (kind ``unmapped``, :mod:`parcs.unmapped`). When
the request allows them (``streets="estimated"``, the default), the direct route is searched on
pure travel time with the links allowed (:meth:`routing.request.RouteRequest.direct_options`); with
``max_estimated_m`` the links are made dearer, round after round, until the route uses no more
than that (or the option is dropped). The direct route is offered when the greenest is more than
:data:`OFFER_RATIO` times as long; the answer then holds both and a French sentence giving the
direct route's estimate and range (:func:`comparison_sentence`). When the greenest route is more
than twice the straight line and no direct route is offered, the sentence says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from routing.compiled import CompiledNetwork
from routing.costs import edge_costs
from routing.fmt import fr_distance, fr_number
from routing.itinerary import DETOUR_WARN, Itinerary, assemble_itinerary
from routing.request import RouteRequest

__all__ = ["OFFER_RATIO", "comparison_sentence", "direct_route"]

#: The direct option is offered when the greenest route is more than this times as long.
OFFER_RATIO = 1.5
#: Rounds of dearer links when ``max_estimated_m`` is exceeded, and the factor of each round.
LIMIT_ROUNDS = 6
LIMIT_FACTOR = 2.0

Legs = list[npt.NDArray[np.int32]]


#: The engine's search: ``(cn, stops, costs, max_climb=...) -> legs or None``.
LegSearch = Callable[..., "Legs | None"]


def _legs(cn: CompiledNetwork, req: RouteRequest, stops: Sequence[Sequence[int]], search: LegSearch) -> Legs | None:
    costs = edge_costs(cn, req.direct_options())
    unmapped = cn.edge_kind == (cn.kinds.index("unmapped") if "unmapped" in cn.kinds else -1)
    for _ in range(LIMIT_ROUNDS):
        legs = search(cn, stops, costs, max_climb=req.max_climb)
        if legs is None or req.max_estimated_m is None:
            return legs
        edges = np.concatenate(legs).astype(np.int64)
        if float(cn.edge_straight[edges][unmapped[edges]].sum()) <= req.max_estimated_m:
            return legs
        costs = np.where(unmapped, costs * LIMIT_FACTOR, costs)
    return None


def direct_route(
    cn: CompiledNetwork, req: RouteRequest, stops: Sequence[Sequence[int]], *, search: LegSearch,
    echo: Mapping[str, Any], stop_rows: Sequence[Mapping[str, Any]] = (),
) -> Itinerary | None:
    """The direct route over unmapped links, or ``None`` (not allowed, none, or none within the limit).

    ``search`` is :func:`routing.engine.route_legs` (passed in: the engine imports this module).
    """
    if req.streets == "none" or "unmapped" not in cn.kinds:
        return None
    legs = _legs(cn, req, stops, search)
    if legs is None:
        return None
    edges = np.concatenate(legs, dtype=np.int64)
    if edges.size == 0:
        return None
    return assemble_itinerary(
        cn, edges, profile=req.profile, request=echo, options=req.direct_options(), along=req.along, stops=stop_rows,
    )


def comparison_sentence(green: Itinerary, direct: Itinerary | None, *, req: RouteRequest) -> tuple[bool, str]:
    """Whether to offer ``direct``, and the French sentence comparing the two (``""``: nothing to say).

    >>> from types import SimpleNamespace as NS
    >>> g = NS(distance_m=45300.0, connector_km=0.0, detour_factor=3.3, unmapped_km=0.0)
    >>> d = NS(distance_m=19000.0, distance_low_m=17000.0, distance_high_m=26000.0, unmapped_km=2.1)
    >>> comparison_sentence(g, d, req=NS(streets="estimated", max_estimated_m=None))[1]
    '45,3 km tout en voie verte, ou environ 19 km (17 à 26 km) dont 2,1 km de liaisons non cartographiées'
    """
    long_detour = green.detour_factor is not None and green.detour_factor > DETOUR_WARN
    if direct is not None and direct.unmapped_km > 0 and green.distance_m > OFFER_RATIO * direct.distance_m:
        how = "tout en voie verte" if green.connector_km == 0 and green.unmapped_km == 0 else "par les voies vertes"
        return True, (
            f"{fr_distance(green.distance_m)} {how}, ou environ {fr_distance(direct.distance_m)} "
            f"({_km(direct.distance_low_m)} à {fr_distance(direct.distance_high_m)}) "
            f"dont {fr_distance(1000 * direct.unmapped_km)} de liaisons non cartographiées"
        )
    if not long_detour:
        return False, ""
    if req.streets == "none":
        return False, "pas d'option directe proposée : les liaisons non cartographiées sont exclues (streets=none)"
    if req.max_estimated_m is not None and (direct is None or direct.unmapped_km == 0):
        return False, (f"pas d'option plus directe avec au plus {fr_distance(req.max_estimated_m)} "
                       "de liaisons non cartographiées (max_estimated_m)")
    return False, (
        f"pas d'option plus directe : même par des liaisons non cartographiées, aucun trajet n'est "
        f"{fr_number(OFFER_RATIO, 1)} fois plus court que celui-ci"
    )


def _km(metres: float) -> str:
    """The low end of a range without its unit when the high end is in km too."""
    text = fr_distance(metres)
    return text[:-3] if text.endswith(" km") and metres >= 1000 else text


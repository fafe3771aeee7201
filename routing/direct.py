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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

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


def _legs(cn: CompiledNetwork, req: RouteRequest, stops: Sequence[Sequence[int]]) -> Legs | None:
    from routing.engine import route_legs  # the engine imports this module

    costs = edge_costs(cn, req.direct_options())
    unmapped = cn.edge_kind == (cn.kinds.index("unmapped") if "unmapped" in cn.kinds else -1)
    for _ in range(LIMIT_ROUNDS):
        legs = route_legs(cn, stops, costs, max_climb=req.max_climb)
        if legs is None or req.max_estimated_m is None:
            return legs
        edges = np.concatenate(legs).astype(np.int64)
        if float(cn.edge_straight[edges][unmapped[edges]].sum()) <= req.max_estimated_m:
            return legs
        costs = np.where(unmapped, costs * LIMIT_FACTOR, costs)
    return None


def direct_route(
    cn: CompiledNetwork, req: RouteRequest, stops: Sequence[Sequence[int]], *, echo: Mapping[str, Any],
    stop_rows: Sequence[Mapping[str, Any]] = (),
) -> Itinerary | None:
    """The direct route over unmapped links, or ``None`` (not allowed, none, or none within the limit)."""
    if req.streets == "none" or "unmapped" not in cn.kinds:
        return None
    legs = _legs(cn, req, stops)
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
    if direct is None and req.max_estimated_m is not None:
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


def seeded_pairs(cn: CompiledNetwork, *, n: int, seed: int, min_m: float = 2000.0, max_m: float = 20000.0) -> list[tuple[int, int]]:
    """``n`` seeded pairs of nodes of the main component inside the perimeter, ``min_m``–``max_m``
    apart in a straight line."""
    rng = np.random.default_rng(seed)
    nodes = np.flatnonzero(cn.node_comp == cn.main_component)
    inside = shapely.contains_xy(cn.perimeter, cn.node_x[nodes], cn.node_y[nodes])
    nodes = nodes[inside]
    out: list[tuple[int, int]] = []
    for _ in range(200 * n):
        a, b = (int(x) for x in rng.choice(nodes, 2, replace=False))
        d = float(np.hypot(cn.node_x[a] - cn.node_x[b], cn.node_y[a] - cn.node_y[b]))
        if min_m <= d <= max_m:
            out.append((a, b))
            if len(out) == n:
                break
    return out


def coverage_rows(cn: CompiledNetwork, pairs: Sequence[tuple[int, int]], *, profile: str = "bike") -> list[dict[str, Any]]:
    """For each pair: the greenest route's detour, whether a direct option is offered and its figures.

    Places are given as ``"lat,lon"`` of the nodes, as a user would.
    """
    from routing.engine import route  # the engine imports this module

    rows = []
    for a, b in pairs:
        req = RouteRequest(f"{cn.node_lat[a]:.7f},{cn.node_lon[a]:.7f}", f"{cn.node_lat[b]:.7f},{cn.node_lon[b]:.7f}",
                           profile=profile)
        res = route(cn, req)
        best, direct = res.best, res.direct
        crow = best.crow_m or 1.0
        rows.append({
            "green_detour": best.distance_m / crow, "offered": direct is not None,
            "direct_detour": direct.distance_m / crow if direct is not None else float("nan"),
            "direct_unmapped_share": 1000 * direct.unmapped_km / direct.distance_m if direct is not None else float("nan"),
            "sentence": res.comparison,
        })
    return rows

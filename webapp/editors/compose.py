"""Plan an office's circuit on the current network: a loop of a target length through its places,
or a fixed order (start → places → start).

:func:`compose` turns stored :class:`~webapp.editors.store.CircuitData` into a :class:`Composed`
result (itinerary, figures, warnings, GPX/GeoJSON); :func:`compare_figures` tells whether a new
network build changed a circuit's figures (the circuit is then flagged for its editor).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from parcs._errors import OutOfAreaError, ParcsError, UnknownPlaceError
from routing import CompiledNetwork, Itinerary, RouteRequest, route, to_geojson, to_gpx
from webapp.editors.store import CircuitData, Store

logger = logging.getLogger(__name__)

#: Relative change of the distance (or absolute of the climb, m) that flags a circuit.
DISTANCE_CHANGE = 0.05
CLIMB_CHANGE_M = 15.0
#: The figures recorded at each save, compared after a new build.
FIGURE_KEYS = ("distance_m", "duration_s", "climb_m", "retraced_share", "greenway_share")


@dataclass(frozen=True)
class Composed:
    """A circuit planned on the current network."""

    itinerary: Itinerary
    figures: Mapping[str, float]
    warnings: tuple[str, ...]


def retraced_share(cn: CompiledNetwork, itin: Itinerary) -> float:
    """Share of the length ridden on a way already used (in either direction) by the circuit."""
    edges = np.asarray(itin.edge_ids, dtype=np.int64)
    if edges.size == 0:
        return 0.0
    u, v = cn.edge_u[edges], cn.edge_v[edges]
    key = np.minimum(u, v).astype(np.int64) * (1 << 32) + np.maximum(u, v)
    _, first = np.unique(key, return_index=True)
    again = np.ones(edges.size, dtype=bool)
    again[first] = False
    lengths = cn.edge_length[edges]
    total = float(lengths.sum())
    return float(lengths[again].sum() / total) if total > 0 else 0.0


def _figures(cn: CompiledNetwork, itin: Itinerary, retraced: float) -> dict[str, float]:
    return {"distance_m": round(itin.distance_m, 1), "duration_s": round(itin.duration_s, 1),
            "climb_m": round(itin.climb_m, 1), "retraced_share": round(retraced, 4),
            "greenway_share": round(itin.greenway_share, 4)}


def compose(cn: CompiledNetwork, data: CircuitData, *, seed: int = 1) -> Composed:
    """Plan ``data`` on ``cn``; raises :class:`parcs.ParcsError` (unknown place, impossible...)."""
    if data.mode == "length":
        from routing.loops import LoopRequest, plan_loop

        result = plan_loop(cn, LoopRequest(start=data.start, distance_km=data.target_km,
                                           profile=data.profile, through=data.places,
                                           variants=1, seed=seed))
        loop = result.best
        figures = _figures(cn, loop.itinerary, loop.overlap_share)
        return Composed(loop.itinerary, figures, tuple(dict.fromkeys(result.warnings + loop.warnings)))
    res = route(cn, RouteRequest(origin=data.start, destination=data.start, via=data.places,
                                 profile=data.profile))
    itin = res.itineraries[0]
    retraced = retraced_share(cn, itin)
    warnings = list(itin.warnings)
    if retraced > 0.2:
        warnings.append(f"le circuit repasse par les mêmes voies sur {retraced:.0%} de sa longueur"
                        .replace("%", "\u00a0%"))
    return Composed(itin, _figures(cn, itin, retraced), tuple(warnings))


def compose_or_reason(cn: CompiledNetwork, data: CircuitData) -> tuple[Composed | None, str]:
    """:func:`compose`, or ``None`` and the French reason it failed."""
    composed, reason, _field = compose_or_error(cn, data)
    return composed, reason


def compose_or_error(cn: CompiledNetwork, data: CircuitData) -> tuple[Composed | None, str, str]:
    """:func:`compose`, or ``None``, the French reason it failed and the form field it concerns
    (``start``, ``places`` or ``target_km``)."""
    from routing import resolve_place

    try:
        resolve_place(cn, data.start)
    except ParcsError as exc:
        return None, str(exc), "start"
    try:
        return compose(cn, data), "", ""
    except (UnknownPlaceError, OutOfAreaError) as exc:
        return None, str(exc), "places"
    except ParcsError as exc:
        return None, str(exc), "target_km" if data.mode == "length" else "places"


def compare_figures(stored: Mapping[str, Any], current: Mapping[str, Any] | None,
                    reason: str = "") -> str:
    """Why the current network changes a circuit ("" when it does not)."""
    if current is None:
        return f"circuit impossible sur le réseau actuel : {reason}"
    if not stored:
        return ""
    d0, d1 = float(stored.get("distance_m", 0)), float(current["distance_m"])
    c0, c1 = float(stored.get("climb_m", 0)), float(current["climb_m"])
    if d0 > 0 and abs(d1 - d0) / d0 > DISTANCE_CHANGE:
        return f"la longueur a changé avec le nouveau réseau : {d0 / 1000:.1f} → {d1 / 1000:.1f} km"
    if abs(c1 - c0) > CLIMB_CHANGE_M:
        return f"le dénivelé a changé avec le nouveau réseau : +{c0:.0f} → +{c1:.0f} m"
    return ""


def circuit_geojson(composed: Composed, *, title: str, slug: str) -> str:
    """The circuit as a GeoJSON document (its title in the feature properties)."""
    doc = to_geojson(composed.itinerary)
    features = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
    for feature in features:
        feature.setdefault("properties", {}).update(name=title, circuit=slug)
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def circuit_gpx(composed: Composed) -> str:
    """The circuit as GPX 1.1."""
    return to_gpx(composed.itinerary)


def refresh_flags(store: Store, network: Any) -> int:
    """Flag the circuits whose figures the current network changes or breaks; how many."""
    flagged = 0
    for circuit in store.circuits():
        composed, reason = compose_or_reason(network, circuit.data)
        flag = compare_figures(circuit.figures, None if composed is None else composed.figures,
                               reason)
        if flag != circuit.flag:
            store.set_flag(circuit.slug, flag=flag)
        flagged += bool(flag)
    if flagged:
        logger.warning("%d office circuits changed with the current network", flagged)
    return flagged

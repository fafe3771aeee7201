"""Titles and exports of loops: GPX 1.1 and GeoJSON through the routing core's exporters.

The core's :func:`routing.to_gpx` / :func:`routing.to_geojson` write an itinerary; a loop adds its
title, its quality figures (target, error, overlap, greenway share, parks and POIs visited) and
a start/finish waypoint. Output is deterministic (no timestamps).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gpxpy
import gpxpy.gpx

from routing.export import to_geojson, to_gpx
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.loops.naming import retrace_phrase
from routing.loops.planner import Loop, LoopResult
from routing.profiles import PROFILES

__all__ = ["loop_geojson", "loop_gpx", "loop_lines", "loop_title"]


def loop_title(result: LoopResult, loop: Loop | None = None) -> str:
    """``"Boucle à pied de 10,1 km au départ de Parc des Îles"``; a route retracing over 25 % is
    named for what it is (``"Aller-retour à pied de 8 km (96 % parcourus deux fois) …"``)."""
    loop = loop or result.best
    mode = PROFILES[result.request.profile].label_fr
    share = "" if loop.kind == "loop" else f" ({retrace_phrase(loop.retrace_share)})"
    return (f"{loop.noun(capital=True).split(' (')[0]} {mode} de {fr_distance(loop.distance_m)}{share} "
            f"au départ de {result.start.label}")


def loop_gpx(result: LoopResult, *, title: str | None = None, description: str | None = None) -> str:
    """GPX 1.1 text: one track per loop, POIs along and the start as waypoints."""
    loops = list(result.loops)
    gpx = gpxpy.parse(to_gpx([loop.itinerary for loop in loops]))
    name = title or loop_title(result)
    gpx.name = name
    if description:
        gpx.description = description
    for i, (track, loop) in enumerate(zip(gpx.tracks, loops, strict=True)):
        track.name = name if len(loops) == 1 else f"{loop_title(result, loop)} — variante {i + 1}"
        if description and len(loops) == 1:
            track.description = description
    start = result.start
    gpx.waypoints.insert(0, gpxpy.gpx.GPXWaypoint(
        latitude=round(start.lat, 6), longitude=round(start.lon, 6), name="Départ et arrivée",
        description=start.label, type="start",
    ))
    return str(gpx.to_xml(version="1.1"))


def loop_geojson(result: LoopResult, *, title: str | None = None) -> dict[str, Any]:
    """A FeatureCollection: one Feature per loop (core properties + ``title`` and ``quality``)."""
    features = []
    for i, loop in enumerate(result.loops):
        feat = to_geojson(loop.itinerary)
        props = feat["properties"]
        props["title"] = title if title and i == 0 else loop_title(result, loop)
        props["quality"] = loop.quality()
        props["warnings"] = [*props.get("warnings", []), *loop.warnings]
        features.append(feat)
    return {"type": "FeatureCollection", "features": features,
            "properties": {"start": result.start.to_dict(), "request": result.request.to_dict(),
                           "access": result.access.to_dict() if result.access else None}}


def loop_lines(result: LoopResult) -> list[str]:
    """The human-readable text of a result (for the CLI)."""
    req = result.request
    target = fr_distance(req.target) if req.target_kind == "distance" else fr_duration(req.target)
    lines = [f"Boucle {PROFILES[req.profile].label_fr} au départ de {result.start.label} "
             f"— cible {target}"]
    if result.access is not None:
        lines.append(result.access.text)
    for i, loop in enumerate(result.loops):
        it = loop.itinerary
        head = loop.noun(capital=True) if len(result.loops) == 1 else f"Variante {i + 1} — {loop.noun()}"
        lines.append(f"\n{head} : {it.summary_fr()}")
        lines.append(f"  écart à la cible : {_signed_pct(loop.length_error)} ; "
                     f"longueur parcourue deux fois : {fr_number(100 * loop.overlap_share, 0)} % ; "
                     f"liaisons non cartographiées : {fr_number(100 * loop.unmapped_share, 0)} %")
        lines += _visits(loop)
        lines += [f"  {n:2d}. {step.instruction}" for n, step in enumerate(it.directions, 1)]
        lines += [f"  ! {w}" for w in (*it.warnings, *loop.warnings)]
    lines += [f"! {w}" for w in result.warnings]
    return lines


def _signed_pct(value: float) -> str:
    text = fr_number(100 * value, 1)
    return f"{'+' if value > 0 and not text.startswith('-') and text != '0' else ''}{text} %"


def _visits(loop: Loop) -> Sequence[str]:
    out = []
    if loop.parks_visited:
        out.append("  Parcs : " + ", ".join(p["name"] for p in loop.parks_visited))
    if loop.through_visited:
        out.append("  Passages demandés : " + ", ".join(loop.through_visited))
    if loop.pois_visited:
        names = [p["name"] or p["id"] for p in loop.pois_visited]
        more = f" (+{len(names) - 8})" if len(names) > 8 else ""
        out.append("  Points d'intérêt : " + ", ".join(names[:8]) + more)
    return out

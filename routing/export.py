"""Itinerary exports: a GeoJSON Feature (3-D LineString) and GPX 1.1 (tracks + POI waypoints)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gpxpy
import gpxpy.gpx

from routing.fmt import fr_distance
from routing.itinerary import Itinerary

__all__ = ["to_geojson", "to_gpx"]

CREATOR = "Chaîne des parcs — planificateur de balades vertes"
_PROFILE_FR = {"walk": "à pied", "bike": "à vélo", "family": "en famille"}


def to_geojson(itin: Itinerary) -> dict[str, Any]:
    """A GeoJSON ``Feature``: ``LineString`` of ``[lon, lat, ele]`` and the summary as properties.

    The properties are :meth:`Itinerary.to_dict` without the geometry (and without the edge and
    node ids, which only mean something with the build).
    """
    props = itin.to_dict()
    for key in ("geometry", "edge_ids", "node_ids"):
        props.pop(key, None)
    coords = [
        [round(lon, 6), round(lat, 6), round(ele, 1)]
        for (lon, lat), ele in zip(itin.geometry, itin.geometry_ele, strict=True)
    ]
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props}


def _name(itin: Itinerary, index: int, count: int) -> str:
    req = itin.request
    a, b = req.get("origin", "départ"), req.get("destination", "arrivée")
    label = f"{a} → {b} ({_PROFILE_FR.get(itin.profile, itin.profile)})"
    return f"{label} — variante {index + 1}" if count > 1 else label


def _unmapped_waypoints(it: Itinerary) -> list[gpxpy.gpx.GPXWaypoint]:
    """A waypoint at each end of every run of unmapped links (``type="unmapped"``)."""
    out = []
    geometry = it.geometry
    for n, (a, b) in enumerate(it.unmapped_sections, 1):
        for end, where in ((a, "début"), (b, "fin")):
            lon, lat = geometry[end]
            out.append(gpxpy.gpx.GPXWaypoint(
                latitude=lat, longitude=lon, name=f"Liaison non cartographiée {n} ({where})",
                description="tracé non cartographié : longueur estimée, passage à vérifier sur place",
                type="unmapped",
            ))
    return out


def to_gpx(itins: Itinerary | Sequence[Itinerary]) -> str:
    """GPX 1.1 text: one track per itinerary (``trkpt`` with ``ele``), POIs along as waypoints.

    The ends of every run of unmapped links are marked by waypoints of type ``unmapped``.

    >>> import gpxpy
    >>> gpxpy.parse(to_gpx([])).tracks
    []
    """
    items = [itins] if isinstance(itins, Itinerary) else list(itins)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = CREATOR
    gpx.name = _name(items[0], 0, 1) if items else "Chaîne des parcs"
    seen: set[str] = set()
    for i, it in enumerate(items):
        track = gpxpy.gpx.GPXTrack(name=_name(it, i, len(items)), description=f"{it.summary_fr()} — {it.directions_text}")
        track.type = it.profile  # type: ignore[assignment]
        seg = gpxpy.gpx.GPXTrackSegment()
        seg.points = [
            gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon, elevation=round(ele, 1))
            for (lon, lat), ele in zip(it.geometry, it.geometry_ele, strict=True)
        ]
        track.segments.append(seg)
        gpx.tracks.append(track)
        gpx.waypoints += _unmapped_waypoints(it)
        for poi in it.pois_along:
            if poi["id"] in seen:
                continue
            seen.add(poi["id"])
            wpt = gpxpy.gpx.GPXWaypoint(
                latitude=poi["lat"], longitude=poi["lon"], name=poi["name"] or poi["id"],
                description=f"{poi.get('category_label', poi['category'])}, à {fr_distance(poi['distance_from_route_m'])} de l'itinéraire",
                type=poi["category"],
            )
            gpx.waypoints.append(wpt)
    return str(gpx.to_xml(version="1.1"))

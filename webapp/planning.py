"""Glue between the web app and the routing core: requests in, page views and exports out.

:func:`plan` runs :func:`routing.route` on a :class:`routing.RouteRequest` (read from the query
string by :func:`routing.params.parse_route_params`, as the API and the command line do); :func:`result_view` turns the result into what the planner page
shows (formatted figures, the elevation chart, runs of the route coloured by kind, POIs...), and
:func:`result_layers` into map layers. The API answers with :func:`route_geojson` and
:func:`route_gpx`, the routing core's own exports.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from parcs.schema import KINDS
from routing.request import RouteRequest
from webapp import maps
from webapp.catalog import Catalog, category_label, kind_label
from webapp.charts import elevation_svg
from webapp.i18n import Translator
from webapp.state import request_deadline
from webapp.urls import with_query

#: Profiles offered, in this order.
PROFILE_IDS: tuple[str, ...] = ("walk", "bike", "family")
#: At most this many POIs along a route are drawn and listed.
MAX_POIS_SHOWN = 60
#: POIs listed along a route on the planner page when the request names none (category, m).
PAGE_ALONG: tuple[tuple[str, float], ...] = (
    ("heritage", 300.0),
    ("terril", 300.0),
    ("viewpoint", 300.0),
    ("neonatural_park", 300.0),
    ("museum", 300.0),
    ("bike_rental", 200.0),
    ("station", 300.0),
    ("drinking_water", 150.0),
    ("toilets", 150.0),
    ("picnic_site", 150.0),
)


def plan(network: Any, query: RouteRequest, *, page: bool = False) -> Any:
    """Run the routing core on ``query`` (errors are :class:`parcs.ParcsError` subclasses).

    For the planner page (``page=True``) a request that names no ``along`` category lists the
    notable places within a few hundred metres (:data:`PAGE_ALONG`); the downloads keep the query
    as typed.
    """
    from routing import route

    if page and not query.along:
        query = dataclasses.replace(query, along=PAGE_ALONG)
    return route(network, query, deadline=request_deadline())


# -- views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindShare:
    """Length on one kind of way."""

    label: str
    length: str
    percent: float
    green: bool
    css: str


@dataclass(frozen=True)
class PoiView:
    """A POI along the route."""

    id: str
    name: str
    category: str
    colour: str
    where: str
    lon: float
    lat: float
    kind: str = ""


@dataclass(frozen=True)
class ParkRef:
    """A park crossed."""

    id: str
    name: str


@dataclass(frozen=True)
class Segment:
    """A run of consecutive edges of the same kind (``coords`` as ``(lon, lat)``)."""

    kind: str
    green: bool
    coords: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class ItineraryView:
    """One itinerary as shown by the planner."""

    label: str
    distance: str
    duration: str
    climb: str
    greenway_share: str
    max_grade: str
    connector: str
    by_kind: tuple[KindShare, ...]
    parks: tuple[ParkRef, ...]
    pois: tuple[PoiView, ...]
    directions: tuple[str, ...]
    warnings: tuple[str, ...]
    chart: Markup
    geometry: tuple[tuple[float, float], ...]
    segments: tuple[Segment, ...]
    stops: tuple[tuple[str, float, float], ...] = ()
    crow: str = ""


@dataclass(frozen=True)
class ResultView:
    """What the planner shows of a routing result."""

    itineraries: tuple[ItineraryView, ...]
    origin_name: str
    destination_name: str
    profile_label: str
    start: tuple[float, float]
    end: tuple[float, float]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    gpx_url: str
    geojson_url: str
    page_url: str
    pdf_url: str = ""
    direct: ItineraryView | None = None
    comparison: str = ""


def segments(network: Any, edge_ids: Sequence[int], *, itinerary: Any = None) -> tuple[Segment, ...]:
    """Runs of consecutive edges of the same kind, with their WGS84 vertices (those of
    ``itinerary`` when its ends lie inside edges: the runs end where the route does)."""
    if not edge_ids:
        return ()
    edges = np.asarray(edge_ids, dtype=np.int64)
    kinds = np.asarray(network.edge_kind)[edges]
    breaks = np.flatnonzero(np.diff(kinds)) + 1
    owner = getattr(itinerary, "vertex_edge", None)
    if owner is not None:
        return _cut_segments(network, itinerary.coords, owner, kinds, breaks)
    out = []
    for run in np.split(np.arange(edges.size), breaks):
        coords: list[tuple[float, float]] = []
        for e in edges[run].tolist():
            part = network.edge_slice(e)
            lon = network.geom_lon[part].tolist()
            lat = network.geom_lat[part].tolist()
            pts = list(zip(lon, lat, strict=True))
            coords += pts[1:] if coords else pts
        kind = str(network.kinds[int(kinds[run[0]])])
        out.append(Segment(kind, bool(KINDS.get(kind) and KINDS[kind].greenway), tuple(coords)))
    return tuple(out)


def _cut_segments(network: Any, coords: Any, owner: Any, kinds: Any, breaks: Any) -> tuple[Segment, ...]:
    """:func:`segments` from an itinerary's own vertices (``owner``: the edge each one ends)."""
    out = []
    lo = np.searchsorted(owner, breaks, side="left")  # the first vertex of each later run
    starts = [0, *(lo - 1).tolist()]  # each run from the junction vertex it starts at
    ends = [*lo.tolist(), len(owner)]
    for first, start, end in zip([0, *breaks.tolist()], starts, ends, strict=True):
        kind = str(network.kinds[int(kinds[first])])
        pts = tuple((float(x), float(y)) for x, y in np.asarray(coords)[max(start, 0):end, :2].tolist())
        out.append(Segment(kind, bool(KINDS.get(kind) and KINDS[kind].greenway), pts))
    return tuple(out)


def _step_text(step: Any) -> str:
    if isinstance(step, str):
        return step
    return str(getattr(step, "instruction", None) or step)


def _green(kind: str) -> bool:
    return bool(KINDS.get(kind) and KINDS[kind].greenway)


def _by_kind(it: Any, t: Translator) -> tuple[KindShare, ...]:
    km = dict(getattr(it, "km_by_kind", {}) or {})
    total = sum(km.values()) or 1.0
    items = sorted(km.items(), key=lambda kv: (not (KINDS.get(kv[0]) and KINDS[kv[0]].greenway),
                                                -kv[1]))
    return tuple(
        KindShare(
            label=kind_label(t.lang, kind),
            length=t.distance(1000 * value),
            percent=round(100 * value / total, 2),
            green=_green(kind),
            css="greenway" if _green(kind) else "connector" if kind == "connector" else "road",
        )
        for kind, value in items if value > 0
    )


def _pois(it: Any, t: Translator) -> tuple[PoiView, ...]:
    out = []
    for p in list(getattr(it, "pois_along", ()) or ())[:MAX_POIS_SHOWN]:
        along = p.get("distance_along_m")
        where = f"km {t.number(float(along) / 1000, 1)}" if along is not None else ""
        out.append(PoiView(
            id=str(p.get("id", "")), name=str(p.get("name") or p.get("id", "")),
            category=category_label(t.lang, str(p.get("category", ""))),
            colour=maps.POI_COLOURS.get(str(p.get("category", "")), "#868e96"), where=where,
            lon=float(p.get("lon", math.nan)), lat=float(p.get("lat", math.nan)),
            kind=str(p.get("category", "")),
        ))
    return tuple(out)


def _sentence(text: str) -> str:
    """Capitalise the first letter of a message from the core."""
    return text[:1].upper() + text[1:]


def _stops(it: Any) -> tuple[tuple[str, float, float], ...]:
    """``(label, lon, lat)`` of the intermediate stops (via places, stop_at, via_category)."""
    out = []
    for stop in getattr(it, "stops", ()) or ():
        try:
            lon, lat = float(stop["lon"]), float(stop["lat"])
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(lon) and math.isfinite(lat):
            out.append((str(stop.get("label") or stop.get("id") or ""), lon, lat))
    return tuple(out)


def _signed(t: Translator, climb: float, descent: float) -> str:
    return f"+{t.number(climb)}\u00a0m / −{t.number(descent)}\u00a0m"


def itinerary_view(network: Any, it: Any, *, rank: int, t: Translator) -> ItineraryView:
    """The view of one :class:`routing.Itinerary`."""
    label = t("result.main") if rank == 0 else t("result.alternative", n=rank + 1)
    return ItineraryView(
        label=label,
        distance=t.distance(float(it.distance_m)),
        duration=t.duration(float(it.duration_s)),
        climb=_signed(t, float(it.climb_m), float(it.descent_m)),
        greenway_share=t.percent(float(it.greenway_share)),
        max_grade=f"{t.number(float(it.max_grade), 1)}\u00a0%",
        connector=t.distance(1000 * float(it.connector_km)),
        by_kind=_by_kind(it, t),
        parks=tuple(ParkRef(str(p.get("id", "")), str(p.get("name", "")))
                    for p in getattr(it, "parks_crossed", ()) or ()),
        pois=_pois(it, t),
        directions=tuple(_step_text(s) for s in getattr(it, "directions", ()) or ()),
        warnings=tuple(_sentence(str(w)) for w in getattr(it, "warnings", ()) or ()),
        stops=_stops(it),
        chart=elevation_svg(getattr(it, "elevation_profile", ()) or (), t,
                            climb=float(it.climb_m), descent=float(it.descent_m),
                            chart_id=f"elevation-{rank}"),
        geometry=tuple((float(x), float(y)) for x, y in it.geometry),
        segments=segments(network, tuple(getattr(it, "edge_ids", ()) or ()), itinerary=it),
        crow=_crow(it, t),
    )


def _crow(it: Any, t: Translator) -> str:
    """``"13,6 km (× 3,3)"``: the straight-line distance and the detour factor."""
    crow = float(getattr(it, "crow_m", 0.0) or 0.0)
    factor = getattr(it, "detour_factor", None)
    if crow <= 0 or factor is None:
        return ""
    return f"{t.distance(crow)} (× {t.number(float(factor), 1)})"


def _bounds(geoms: Sequence[Sequence[tuple[float, float]]],
            fallback: tuple[tuple[float, float], tuple[float, float]]
            ) -> tuple[tuple[float, float], tuple[float, float]]:
    pts = [p for g in geoms for p in g]
    if not pts:
        return fallback
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return (min(lats), min(lons)), (max(lats), max(lons))


def _place_name(result: Any, key: str, fallback: str) -> str:
    places = getattr(result, "places", None) or {}
    place = places.get(key) if isinstance(places, Mapping) else None
    label = place.get("label") if isinstance(place, Mapping) else None
    return str(label or fallback)


def result_view(result: Any, *, network: Any, query: RouteRequest, catalog: Catalog,
                t: Translator) -> ResultView:
    """The planner's view of a :class:`routing.RouteResult`."""
    views = tuple(itinerary_view(network, it, rank=i, t=t)
                  for i, it in enumerate(result.itineraries))
    main = views[0]
    direct = getattr(result, "direct", None)
    direct_view = None
    if direct is not None:
        direct_view = replace(itinerary_view(network, direct, rank=len(views), t=t), label=t("result.direct"))
    params = query.to_params()
    page_params = params + ([("lang", t.lang)] if t.lang != "fr" else [])
    return ResultView(
        itineraries=views,
        origin_name=_place_name(result, "origin", params[0][1]),
        destination_name=_place_name(result, "destination", params[1][1]),
        profile_label=t(f"profile.{query.profile}"),
        start=main.geometry[0],
        end=main.geometry[-1],
        bounds=_bounds([v.geometry for v in views], catalog.bounds),
        gpx_url=with_query("api.route_gpx", params),
        geojson_url=with_query("api.route", params),
        page_url=with_query("pages.planner", page_params),
        pdf_url=with_query("printing.route_pdf", params),
        direct=direct_view,
        comparison=_sentence(str(getattr(result, "comparison", "") or "")) if getattr(result, "comparison", "") else "",
    )


@dataclass(frozen=True)
class LayerSpec:
    """A map layer of a result."""

    name: str
    data_js: str
    show: bool = True


def result_layers(result: ResultView, t: Translator) -> list[LayerSpec]:
    """The map layers of a result: alternatives, the route by kind, POIs, start and end."""
    layers = []
    for rank, view in enumerate(result.itineraries[1:], start=1):
        layers.append(LayerSpec(t("map.alternative", n=rank + 1),
                                maps.collection(maps.alternative_features(view.geometry))))
    main = result.itineraries[0]
    labels = {k: kind_label(t.lang, k) for k in KINDS}
    runs = [(s.kind, s.green, s.coords) for s in main.segments] or [
        ("voie_verte", True, main.geometry)
    ]
    layers.append(LayerSpec(t("map.route"), maps.collection(maps.route_features(runs, labels, t))))
    if result.direct is not None:  # its unmapped links drawn apart (dotted purple)
        direct_runs = [(s.kind, s.green, s.coords) for s in result.direct.segments]
        layers.append(LayerSpec(t("result.direct"), maps.collection(maps.route_features(direct_runs, labels, t))))
    poi_features = [
        maps.feature(maps.point(p.lon, p.lat), style=maps.poi_style(p.kind, p.colour),
                     popup=maps.popup_html(p.name, p.category, p.where),
                     tooltip=str(escape(p.name)))
        for p in main.pois if math.isfinite(p.lon) and math.isfinite(p.lat)
    ]
    if poi_features:
        layers.append(LayerSpec(t("map.pois"), maps.collection(poi_features)))
    ends = maps.endpoint_features(result.start, result.end, start_name=result.origin_name,
                                  end_name=result.destination_name, t=t)
    ends += [
        maps.feature(maps.point(lon, lat), style={"pin": "via", "label": str(i)},
                     popup=maps.popup_html(t("map.stop", n=i), label), title=label)
        for i, (label, lon, lat) in enumerate(main.stops, start=1)
    ]
    layers.append(LayerSpec(t("map.endpoints"), maps.collection(ends)))
    return layers


# -- exports ----------------------------------------------------------------------------------


def route_geojson(result: Any, query: RouteRequest) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of a result: one LineString feature per itinerary (best
    first, ``rank`` from 0) with its summary, plus the resolved ``places`` and the ``request``;
    ``direct`` is the direct option's Feature (or null) and ``comparison`` the French sentence."""
    from routing import to_geojson

    features = []
    for rank, it in enumerate(result.itineraries):
        feature = dict(to_geojson(it))
        feature["properties"] = {"rank": rank, **dict(feature.get("properties") or {})}
        features.append(feature)
    direct = getattr(result, "direct", None)
    return {
        "type": "FeatureCollection",
        "features": features,
        "direct": None if direct is None else _direct_feature(to_geojson(direct), rank=len(features)),
        "comparison": str(getattr(result, "comparison", "") or ""),
        "places": dict(getattr(result, "places", {}) or {}),
        "request": result.request.to_dict() if hasattr(result.request, "to_dict") else {},
    }


def _direct_feature(feature: dict[str, Any], *, rank: int) -> dict[str, Any]:
    feature["properties"] = {"rank": rank, "option": "direct", **dict(feature.get("properties") or {})}
    return feature


def route_gpx(result: Any, query: RouteRequest) -> str:
    """The GPX 1.1 document of a result (one track per itinerary, the direct option last; POIs and
    the ends of unmapped links as waypoints)."""
    from routing import to_gpx

    direct = getattr(result, "direct", None)
    return str(to_gpx([*result.itineraries, *([direct] if direct is not None else [])]))

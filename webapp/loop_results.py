"""What the "Boucles" page shows: the form as typed, the loops' views and their map layers."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import request
from markupsafe import escape

from parcs.schema import KINDS
from routing.bounds import DEFAULT_SEED, SEED
from routing.loops.planner import LoopRequest
from webapp import maps, planning
from webapp.catalog import Catalog, category_label, kind_label
from webapp.i18n import Translator
from webapp.pages import ConstraintsForm, add_layers, add_stations, base_map
from webapp.urls import with_query


def _next_seed(query: LoopRequest) -> LoopRequest:
    """The same request with the next seed ("other loops"), back to the first after the last."""
    seed = DEFAULT_SEED if query.seed is None else query.seed
    return dataclasses.replace(query, seed=seed + 1 if seed < SEED[1] else SEED[0])


@dataclass(frozen=True)
class LoopForm(ConstraintsForm):
    """The form's values as typed (escaped by the template)."""

    start: str = ""
    distance: str = ""
    duration: str = ""
    through: str = ""
    variants: str = "1"
    seed: str = ""

    advanced_fields = ("through", "variants", "seed")
    count_field = "variants"


def _arg(name: str, limit: int = 400) -> str:
    return ",".join(v.strip() for v in request.args.getlist(name) if v.strip())[:limit]


def loop_form() -> LoopForm:
    """The form's values from the request (only to fill the form back in)."""
    profile = _arg("profile", 20)
    return LoopForm(
        start=_arg("start"), distance=_arg("distance", 20), duration=_arg("duration", 20),
        profile=profile if profile in planning.PROFILE_IDS else "walk", through=_arg("through"),
        via_category=_arg("via_category", 40), max_climb=_arg("max_climb", 20),
        max_grade=_arg("max_grade", 20), avoid_connector="connector" in request.args.getlist("avoid"),
        variants=_arg("variants", 2) or "1", seed=_arg("seed", 12),
    )


@dataclass(frozen=True)
class LoopView:
    """One loop as shown: the planner's itinerary view plus the loop's own figures."""

    it: planning.ItineraryView
    error: str
    overlap: str
    visited: tuple[str, ...]
    warnings: tuple[str, ...]
    unmapped: str = ""


@dataclass(frozen=True)
class LoopResultView:
    """What the page shows of a loop result."""

    loops: tuple[LoopView, ...]
    start_name: str
    start: tuple[float, float]
    profile_label: str
    floor_note: str
    access_note: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    gpx_url: str
    geojson_url: str
    page_url: str
    other_url: str
    pdf_url: str = ""


def _signed_percent(t: Translator, value: float) -> str:
    text = t.percent(abs(value), 1)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def loop_view(network: Any, loop: Any, *, rank: int, t: Translator) -> LoopView:
    """The view of one :class:`routing.loops.planner.Loop`."""
    it = planning.itinerary_view(network, loop.itinerary, rank=rank, t=t)
    label = _loop_label(loop, rank=rank, t=t)
    visited = tuple(f"{p['name'] or p['id']} ({category_label(t.lang, p['category'])})"
                    for p in loop.pois_visited)
    return LoopView(
        it=replace(it, label=label),
        error=_signed_percent(t, float(loop.length_error)),
        overlap=t.percent(float(loop.overlap_share)),
        visited=visited,
        warnings=tuple(w[:1].upper() + w[1:] for w in loop.warnings),
        unmapped=t.percent(float(getattr(loop, "unmapped_share", 0.0))),
    )


def _loop_label(loop: Any, *, rank: int, t: Translator) -> str:
    """"Boucle proposée", or what it is when it retraces over 25 % (routing.loops.naming)."""
    kind = getattr(loop, "kind", "loop")
    if kind == "loop":
        return t("loops.result") if rank == 0 else t("loops.variant", n=rank + 1)
    share = t("loops.retraced", pct=t.percent(float(loop.overlap_share)))
    if rank == 0:
        return f"{t(f'loops.kind.{kind}')} ({share})"
    return f"{t('loops.variant', n=rank + 1)} — {t(f'loops.kind_short.{kind}')} ({share})"


Bounds = tuple[tuple[float, float], tuple[float, float]]


def _bounds(views: Sequence[LoopView], fallback: Bounds) -> Bounds:
    pts = [p for v in views for p in v.it.geometry]
    if not pts:
        return fallback
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    return (min(lats), min(lons)), (max(lats), max(lons))


def _access_note(result: Any, t: Translator) -> str:
    """« Accès : gare de Loos-en-Gohelle à 800 m » (English: "Access: …"), '' without a station."""
    access = getattr(result, "access", None)
    if access is None:
        return ""
    return t("loops.access", station=access.station, distance=t.distance(access.distance_m))


def result_view(result: Any, *, network: Any, query: LoopRequest, catalog: Catalog,
                t: Translator) -> LoopResultView:
    """The page's view of a :class:`routing.loops.planner.LoopResult`."""
    views = tuple(loop_view(network, loop, rank=i, t=t) for i, loop in enumerate(result.loops))
    if result.partial:  # say it where the loop is shown
        first = views[0]
        views = (replace(first, warnings=(result.warnings[0], *first.warnings)), *views[1:])
    params = query.to_params()
    lang = [("lang", t.lang)] if t.lang != "fr" else []
    floor = float(result.overlap_floor)
    return LoopResultView(
        loops=views, start_name=result.start.label,
        start=(float(result.start.lon), float(result.start.lat)),
        profile_label=t(f"profile.{query.profile}"),
        floor_note=t("loops.floor", pct=t.percent(floor)) if floor > 0.1 else "",
        access_note=_access_note(result, t),
        bounds=_bounds(views, catalog.bounds),
        gpx_url=with_query("loops.api_loop_gpx", params),
        geojson_url=with_query("loops.api_loop", params),
        page_url=with_query("loops.loops_page", params + lang),
        other_url=with_query("loops.loops_page", _next_seed(query).to_params() + lang),
        pdf_url=with_query("printing.loop_pdf", params),
    )


def _loop_layers(view: LoopResultView, t: Translator) -> list[planning.LayerSpec]:
    layers = []
    for rank, loop in enumerate(view.loops[1:], start=1):
        layers.append(planning.LayerSpec(t("loops.variant", n=rank + 1),
                                         maps.collection(maps.alternative_features(loop.it.geometry))))
    main = view.loops[0].it
    runs = [(s.kind, s.green, s.coords) for s in main.segments] or [("voie_verte", True, main.geometry)]
    labels = {k: kind_label(t.lang, k) for k in KINDS}
    layers.append(planning.LayerSpec(t("loops.map_loop"),
                                     maps.collection(maps.route_features(runs, labels, t))))
    pois = [maps.feature(maps.point(p.lon, p.lat), style=maps.poi_style_colour(p.colour),
                         popup=maps.popup_html(p.name, p.category, p.where), tooltip=str(escape(p.name)))
            for p in main.pois if math.isfinite(p.lon) and math.isfinite(p.lat)]
    if pois:
        layers.append(planning.LayerSpec(t("map.pois"), maps.collection(pois)))
    start = maps.feature(maps.point(*view.start), style={"pin": "start", "label": "A"},
                         popup=maps.popup_html(t("loops.map_start"), view.start_name),
                         title=t("loops.map_start"))
    layers.append(planning.LayerSpec(t("loops.map_start"), maps.collection([start])))
    return layers


def page_map(catalog: Catalog, view: LoopResultView | None, t: Translator) -> maps.RenderedMap:
    fmap = base_map(catalog, t, view.bounds if view else None)
    add_stations(fmap, catalog, t)
    if view is not None:
        add_layers(fmap, _loop_layers(view, t))
    return maps.render(fmap)

"""Loops on the web: the "Boucles" page and ``GET /api/loop`` / ``GET /api/loop.gpx``.

- ``GET /boucles``: plan a loop (start from a park, a POI, a commune or a map click; a distance or
  a duration; profile and constraints). The form uses GET with the API's parameter names, so a
  loop has a shareable URL and its downloads (``/api/loop.gpx``, ``/api/loop``) are the same query;
  the seed defaults to 1 so that the page and its downloads show the same loop.
- ``GET /api/loop`` (GeoJSON, one feature per loop) and ``GET /api/loop.gpx``.

Both read their parameters with :func:`routing.loops.parse_loop_params` (as ``parcs loop`` does)
into a :class:`routing.loops.LoopRequest`; what the page shows is built by
:mod:`webapp.loop_results`, the circuit catalogue is :mod:`webapp.circuits_views`. Errors follow
:mod:`webapp.errors`: the API answers ``{"error", "detail"}`` with a 4xx status, the page shows the
message beside the form with the same status.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, render_template

from parcs._errors import ParcsError
from parcs.schema import POI_CATEGORIES
from routing import AVOIDABLE, bounds
from routing.loops.params import parse_loop_params
from routing.loops.planner import LoopRequest
from routing.params import PROFILE_ALIASES, has_params
from webapp.loop_results import loop_form, page_map, result_view
from webapp.openapi_schema import GEOJSON, GPX, enum_schema, number_schema, param, place_schema
from webapp.pages import error_view, form_choices, page_state
from webapp.state import get_state, request_budget, request_deadline
from webapp.urls import request_params

logger = logging.getLogger(__name__)

bp = Blueprint("loops", __name__)

def plan(network: Any, query: LoopRequest) -> Any:
    """Run :func:`routing.loops.planner.plan_loop` on a request."""
    from routing.loops.planner import plan_loop

    return plan_loop(network, query, deadline=request_deadline())


# -- API --------------------------------------------------------------------------------------


def loop_geojson_document(result: Any) -> dict[str, Any]:
    """The GeoJSON answer: one feature per loop (``rank`` from 0), the start and the request."""
    from routing.loops.export import loop_geojson

    doc = loop_geojson(result)
    for rank, feature in enumerate(doc["features"]):
        feature["properties"] = {"rank": rank, **feature["properties"]}
    doc["start"] = result.start.to_dict()
    doc["request"] = result.request.to_dict()
    doc["overlap_floor"] = round(float(result.overlap_floor), 4)
    doc["partial"] = bool(result.partial)  # the time budget stopped the search early
    doc["warnings"] = list(result.warnings)
    doc["access"] = result.access.to_dict() if getattr(result, "access", None) else None
    doc.pop("properties", None)
    return doc


def _query() -> tuple[Any, LoopRequest]:
    network, _catalog = get_state().require()
    return network, parse_loop_params(request_params())


@bp.get("/api/loop")
def api_loop() -> Response:
    """Loops as a GeoJSON FeatureCollection (one LineString feature per loop, best first)."""
    network, query = _query()
    body = json.dumps(loop_geojson_document(plan(network, query)), ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)
    return Response(body, mimetype=GEOJSON)


@bp.get("/api/loop.gpx")
def api_loop_gpx() -> Response:
    """Loops as a GPX 1.1 document (a download)."""
    from routing.loops.export import loop_gpx

    network, query = _query()
    response = Response(loop_gpx(plan(network, query)), mimetype=GPX)
    response.headers["Content-Disposition"] = 'attachment; filename="boucle.gpx"'
    return response

# -- the "Boucles" page -----------------------------------------------------------------------


@bp.get("/boucles")
def loops_page() -> tuple[str, int]:
    """The loop planner: the form, and the loops when ``start`` is given."""
    network, catalog, t = page_state()
    status, error, view = 200, None, None
    if has_params(request_params(), "start"):
        try:
            query = parse_loop_params(request_params())
            view = result_view(plan(network, query), network=network, query=query,
                               catalog=catalog, t=t)
        except ParcsError as exc:
            status, error = error_view(exc, t.lang)
            logger.info("loops page: %s (%s)", type(exc).__name__, exc)
    html = render_template(
        "loops.html", form=loop_form(), error=error, result=view, rmap=page_map(catalog, view, t),
        **form_choices(catalog, t),
    )
    return html, status


# -- OpenAPI ----------------------------------------------------------------------------------


def _cost_bounds(config: Mapping[str, Any]) -> str:
    """What bounds the cost of a loop request (the OpenAPI description of the loop endpoints)."""
    budget = request_budget(config)
    distance, duration = bounds.LOOP_DISTANCE_KM[1], bounds.LOOP_DURATION_MIN[1]
    return (
        f"Cost bounds: distance ≤ {distance:g} km (or duration ≤ {duration:g} min), at most "
        f"{bounds.MAX_THROUGH} `through`, {bounds.MAX_VARIANTS} `variants`; "
        + ("no time limit." if math.isinf(budget) else
           f"the search stops after {budget:g} s (`REQUEST_BUDGET`) and answers the loops "
           "found so far with `partial: true` and a warning, or 503 `time_budget_exceeded` when "
           "it has none yet.")
    )


def openapi_paths(errors: Mapping[str, Any], *, config: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI path items of ``/api/loop`` and ``/api/loop.gpx`` (bounds: :mod:`routing.bounds`,
    time budget: the app's ``config``)."""
    params = [
        param("start", "Start and finish: a park-unit id, a POI id, a commune name or `lat,lon`.",
              place_schema(), required=True, example="louvre-lens"),
        param("distance", f"Target length in km. {bounds.LOOP_TARGET_RULE}.",
              number_schema(bounds.LOOP_DISTANCE_KM), example=10),
        param("duration", f"Target duration in minutes. {bounds.LOOP_TARGET_RULE}.",
              number_schema(bounds.LOOP_DURATION_MIN)),
        param("profile", "Travel profile (French aliases accepted).",
              enum_schema(sorted(PROFILE_ALIASES), default="walk")),
        param("through", f"Park or POI to pass through, in any order (at most {bounds.MAX_THROUGH}).",
              place_schema(), repeat=True, max_items=bounds.MAX_THROUGH),
        param("via_category", "Pass by one POI of this category.", enum_schema(sorted(POI_CATEGORIES))),
        param("max_climb", "Total climb allowed (m).", number_schema(bounds.MAX_CLIMB_M)),
        param("max_grade", "Steepest grade allowed (%).", number_schema(bounds.MAX_GRADE_PCT)),
        param("avoid", "Kinds of way, `unpaved` or `planned` to avoid.", enum_schema(AVOIDABLE),
              repeat=True, max_items=bounds.MAX_AVOID),
        param("prefer", "Greenway preference strength.",
              number_schema(bounds.PREFER, default=bounds.DEFAULT_PREFER)),
        param("variants", "How many different loops.",
              {"type": "integer", "minimum": 1, "maximum": bounds.MAX_VARIANTS, "default": 1}),
        param("seed", f"Seed of the tie-breaking draw (default {bounds.DEFAULT_SEED}): same seed, "
              "same loops.", {"type": "integer", "minimum": bounds.SEED[0], "maximum": bounds.SEED[1],
                              "default": bounds.DEFAULT_SEED}),
    ]
    feature = {"type": "object", "required": ["type", "geometry", "properties"],
               "properties": {"type": {"const": "Feature"}, "geometry": {"type": "object"},
                              "properties": {"type": "object", "required": ["rank", "quality"]}}}
    collection = {"type": "object", "required": ["type", "features", "start", "request"],
                  "properties": {"type": {"const": "FeatureCollection"},
                                 "features": {"type": "array", "items": feature, "minItems": 1},
                                 "start": {"type": "object"}, "request": {"type": "object"},
                                 "overlap_floor": {"type": "number"},
                                 "partial": {"type": "boolean"},
                                 "warnings": {"type": "array", "items": {"type": "string"}},
                                 "access": {"type": ["object", "null"],
                                            "description": "The railway station nearest the start "
                                            "and its walking distance (`text`: « Accès : gare de … "
                                            "à 800 m »)."}}}
    description = _cost_bounds(config)

    def operation(op_id: str, summary: str, content: dict[str, Any]) -> dict[str, Any]:
        return {"get": {"operationId": op_id, "summary": summary, "description": description,
                        "parameters": params,
                        "responses": {"200": {"description": summary, "content": content},
                                      **dict(errors)}}}

    return {
        "/api/loop": operation("loop", "Plan loops (GeoJSON, one feature per loop, best first; "
                               "`properties.quality` holds the length error and overlap share)",
                               {GEOJSON: {"schema": collection}}),
        "/api/loop.gpx": operation("loopGpx", "Plan loops (GPX 1.1, one track per loop)",
                                   {GPX: {"schema": {"type": "string"}}}),
    }

"""The OpenAPI 3.1 document of the JSON API (served at ``/api/openapi.json``).

Written by hand next to the endpoints it describes; the tests validate it with
``openapi-spec-validator``, call every documented path, check that every ``/api`` rule of the app
is documented, and validate real answers against the response schemas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from parcs.schema import KINDS, POI_CATEGORIES
from routing import AVOIDABLE, bounds
from routing.params import PROFILE_ALIASES
from webapp.errors import ERROR_CODES
from webapp.openapi_schema import (
    GEOJSON,
    GPX,
    JSON,
    PARAMETER_RULES,
    enum_schema,
    number_schema,
    param,
    place_schema,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _route_parameters() -> list[dict[str, Any]]:
    categories = "|".join(sorted(POI_CATEGORIES, key=len, reverse=True))
    along = f"^({categories})(:{bounds.decimal_range_pattern(bounds.ALONG_M[1])})?$"
    return [
        param("from", "Start: a park-unit id, a POI id, a commune name or `lat,lon` (WGS84).",
              place_schema(), required=True, example="louvre-lens"),
        param("to", "Destination, same forms as `from`.", place_schema(), required=True,
              example="50.43,2.83"),
        param("via", f"Waypoints, in order (at most {bounds.MAX_VIA}; one per line in a value).",
              place_schema(lines=True), repeat=True, max_items=bounds.MAX_VIA),
        param("profile", "Travel profile (French aliases accepted).",
              enum_schema(sorted(PROFILE_ALIASES), default="walk")),
        param("max_grade", "Steepest grade allowed, in percent.", number_schema(bounds.MAX_GRADE_PCT)),
        param("max_climb", "Total climb allowed, in metres.", number_schema(bounds.MAX_CLIMB_M)),
        param("avoid", "What the route must not use: a kind of way (e.g. `connector`, ways not "
              "improved for walking or cycling), `unpaved` surfaces or `planned` sections "
              f"(at most {bounds.MAX_AVOID}).", enum_schema(AVOIDABLE), repeat=True,
              max_items=bounds.MAX_AVOID),
        param("prefer", "Strength of the preference for greenways: 0 = fastest, 1 = default, "
              "2 = twice the aversion to connectors.",
              number_schema(bounds.PREFER, default=bounds.DEFAULT_PREFER)),
        param("via_category", "Go past a place of this POI category.",
              enum_schema(sorted(POI_CATEGORIES))),
        param("stop_at", f"POI ids to stop at, in order, after the `via` places (at most "
              f"{bounds.MAX_STOP_AT}).", place_schema(), repeat=True, max_items=bounds.MAX_STOP_AT,
              example=["terril:T074"]),
        param("along", "List the places of a category near the route: `CATEGORY[:METRES]` "
              f"(default {bounds.DEFAULT_ALONG_M:.0f} m, at most {bounds.ALONG_M[1]:.0f} m; each "
              "category once).", {"type": "string", "pattern": along}, repeat=True,
              max_items=bounds.MAX_ALONG, example=["terril:300"]),
        param("alternatives", "Number of itineraries wanted.",
              {"type": "integer", "minimum": 1, "maximum": bounds.MAX_ALTERNATIVES, "default": 1}),
        param("streets", "`estimated` (default): when the greenest route is over 1.5× as long as a "
              "direct one over unmapped links (straight lines standing for streets the data do not "
              "map, with a calibrated length estimate and range), the answer also holds that one "
              "(`direct`) and a French sentence comparing them (`comparison`); `none`: never.",
              enum_schema(list(bounds.STREETS), default=bounds.DEFAULT_STREETS)),
        param("max_estimated_m", "Most metres of unmapped links (as the crow flies) the direct "
              "option may use.", number_schema(bounds.MAX_ESTIMATED_M)),
    ]


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def _schemas() -> dict[str, Any]:
    number = {"type": "number"}
    position = {"type": "array", "items": number, "minItems": 2, "maxItems": 3}
    geometry = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array"}},
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error", "detail"],
            "properties": {
                "error": {"type": "string", "enum": list(ERROR_CODES)},
                "detail": {"type": "string"},
                "candidates": {"type": "array", "items": {"type": "object"},
                               "description": "With `ambiguous_place`: the places the name fits."},
            },
            "additionalProperties": False,
        },
        "Geometry": geometry,
        "Feature": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "geometry": {"oneOf": [geometry, {"type": "null"}]},
                "properties": {"type": "object"},
            },
        },
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {"type": "array", "items": _ref("Feature")},
            },
        },
        "ItinerarySummary": {
            "type": "object",
            "description": "The summary of one itinerary (the properties of a route feature).",
            "required": ["rank", "distance_m", "duration_s", "climb_m", "descent_m",
                         "greenway_share", "parks_crossed", "directions", "elevation_profile"],
            "properties": {
                "rank": {"type": "integer", "minimum": 0},
                "distance_m": number,
                "duration_s": number,
                "climb_m": number,
                "descent_m": number,
                "max_grade": {"type": "number", "description": "percent"},
                "greenway_share": {"type": "number", "minimum": 0, "maximum": 1},
                "connector_km": number,
                "km_by_kind": {"type": "object", "additionalProperties": number,
                               "propertyNames": {"enum": sorted(KINDS)}},
                "km_by_surface": {"type": "object", "additionalProperties": number},
                "parks_crossed": {"type": "array"},
                "pois_along": {"type": "array"},
                "directions": {"type": "array", "items": {"type": "object"}},
                "directions_text": {"type": "string"},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "snap_m": {"type": "object", "additionalProperties": number,
                           "description": "Distance (m) from the origin and the destination as given "
                                          "to the point of the network where the itinerary starts "
                                          "and ends (coordinates snap onto the nearest usable way)."},
                "elevation_profile": {"type": "array", "items": position,
                                      "description": "[distance m, elevation m] pairs"},
                "crow_m": {"type": "number", "description": "straight-line distance from start to end"},
                "detour_factor": {"type": ["number", "null"],
                                  "description": "distance ÷ straight line (null for a loop)"},
                "unmapped_km": {"type": "number",
                                "description": "estimated km on unmapped links (straight lines standing for streets)"},
                "distance_range_m": {"type": "array", "items": number, "minItems": 2, "maxItems": 2,
                                     "description": "low and high distance (p10–p90) when unmapped links are used"},
                "option": {"enum": ["direct"], "description": "on the direct option only"},
            },
        },
        "RouteFeature": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "geometry": {
                    "type": "object",
                    "required": ["type", "coordinates"],
                    "properties": {
                        "type": {"const": "LineString"},
                        "coordinates": {"type": "array", "items": position, "minItems": 2},
                    },
                },
                "properties": _ref("ItinerarySummary"),
            },
        },
        "RouteCollection": {
            "type": "object",
            "required": ["type", "features", "places", "request"],
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {"type": "array", "items": _ref("RouteFeature"), "minItems": 1},
                "places": {"type": "object",
                           "description": "The resolved origin, destination and via places."},
                "request": {"type": "object", "description": "The request as understood."},
                "direct": {"oneOf": [{"type": "null"}, _ref("RouteFeature")],
                           "description": "The direct option over unmapped links, offered when the "
                                          "greenest route is over 1.5× as long."},
                "comparison": {"type": "string",
                               "description": "French sentence comparing the greenest and the direct option."},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"enum": ["ok", "unavailable"]},
                "network": {"type": "object"},
                "source": {"type": "string"},
                "built_at": {"type": "string"},
                "error": {"type": "string"},
                "detail": {"type": "string"},
            },
        },
    }


def cost_bounds(config: Mapping[str, Any]) -> str:
    """What bounds the cost of a route request (the OpenAPI description of ``/api/route``)."""
    from webapp.state import request_budget

    budget = request_budget(config)
    limit = "no time limit" if math.isinf(budget) else f"a time budget of {budget:g} s"
    return (f"Cost bounds: at most {bounds.MAX_VIA} `via`, {bounds.MAX_ALTERNATIVES} "
            f"`alternatives`, {bounds.MAX_STOP_AT} `stop_at`, {bounds.MAX_ALONG} `along`; "
            f"{limit} (`REQUEST_BUDGET`): past it fewer alternatives are returned, and a "
            "`max_climb` search answers the least-climbing route that meets the limit.")


def build_openapi(config: dict[str, Any], *, version: str) -> dict[str, Any]:
    """The OpenAPI document of an app (its bounds are :mod:`routing.bounds`)."""
    route_params = _route_parameters()
    route_errors = {
        "400": _error_response("Malformed request (`invalid_request`), or a place name that fits "
                               "several places (`ambiguous_place`, with their `candidates`)."),
        "404": _error_response("A place matches nothing (`unknown_place`)."),
        "414": _error_response("Query string too long (`uri_too_long`)."),
        "422": _error_response("Outside the territory (`out_of_area`), no route (`no_route`) "
                               "or constraints impossible to meet (`constraint_unsatisfiable`)."),
        "503": _error_response("No network is loaded (`no_network`), the server's network is "
                               "damaged (`network_damaged`), or the request ran over its time "
                               "budget (`time_budget_exceeded`)."),
    }
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Chaîne des parcs — API d'itinéraires verts",
            "version": version,
            "description": "Itinéraires à pied, à vélo et en famille sur les voies vertes du Pôle "
            "Métropolitain de l'Artois. Green routes of the Pôle Métropolitain de l'Artois "
            "(walking, cycling, family). Coordinates are WGS84 longitude/latitude. Errors answer "
            "`{\"error\": code, \"detail\": message}` (French messages). " + PARAMETER_RULES,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/route": {
                "get": {
                    "operationId": "route",
                    "summary": "Plan itineraries (GeoJSON)",
                    "description": cost_bounds(config),
                    "parameters": route_params,
                    "responses": {
                        "200": {
                            "description": "One LineString feature per itinerary, its summary in "
                            "`properties`, best first.",
                            "content": {GEOJSON: {"schema": _ref("RouteCollection")}},
                        },
                        **route_errors,
                    },
                }
            },
            "/api/route.gpx": {
                "get": {
                    "operationId": "routeGpx",
                    "summary": "Plan itineraries (GPX 1.1 track, one per itinerary)",
                    "parameters": route_params,
                    "responses": {
                        "200": {"description": "GPX 1.1 document.",
                                "content": {GPX: {"schema": {"type": "string"}}}},
                        **route_errors,
                    },
                }
            },
            "/api/parks": {
                "get": {
                    "operationId": "parks",
                    "summary": "The park units of the Chaîne des parcs",
                    "responses": {
                        "200": {"description": "One (Multi)Polygon feature per park unit.",
                                "content": {GEOJSON: {"schema": _ref("FeatureCollection")}}},
                        "503": route_errors["503"],
                    },
                }
            },
            "/api/pois": {
                "get": {
                    "operationId": "pois",
                    "summary": "Points of interest",
                    "parameters": [
                        param("category", "Only this category.", enum_schema(sorted(POI_CATEGORIES))),
                    ],
                    "responses": {
                        "200": {"description": "One Point feature per POI.",
                                "content": {GEOJSON: {"schema": _ref("FeatureCollection")}}},
                        "400": route_errors["400"],
                        "503": route_errors["503"],
                    },
                }
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether the network is loaded",
                    "responses": {
                        "200": {"description": "Ready.",
                                "content": {JSON: {"schema": _ref("Health")}}},
                        "503": {"description": "No network loaded.",
                                "content": {JSON: {"schema": _ref("Health")}}},
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                          "content": {JSON: {"schema": {"type": "object"}}}}},
                }
            },
        },
        "components": {"schemas": _schemas()},
    }
    # loops (webapp/loops_views.py): /api/loop and /api/loop.gpx
    from webapp.loops_views import openapi_paths as loop_paths

    doc["paths"].update(loop_paths(route_errors, config=config))
    # missing links (webapp/gaps_views.py): /api/gaps
    from webapp.gaps_views import openapi_paths as gaps_paths

    doc["paths"].update(gaps_paths(route_errors))
    # printing (webapp/print_views.py): /api/route.pdf, /api/loop.pdf, /api/circuits
    from webapp.print_views import openapi_paths as print_paths

    loop_params = doc["paths"]["/api/loop"]["get"]["parameters"]
    doc["paths"].update(print_paths(route_params, loop_params, route_errors))
    # the tourism offices' published circuits (webapp/editors/public.py): /api/office-circuits
    from webapp.editors.public import openapi_paths as office_paths

    doc["paths"].update(office_paths(route_errors))
    # place autocomplete (webapp/places_api.py): /api/places
    from webapp.places_api import openapi_paths as places_paths

    doc["paths"].update(places_paths(route_errors))
    return doc

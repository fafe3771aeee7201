"""The missing links of the greenway network: the page ``/liaisons`` and ``GET /api/gaps``.

Both show what ``parcs gaps`` shows (:mod:`routing.gaps.analysis`): the ranked candidate links (class,
length, benefit, units connected, the French one-line reason), the unit-to-unit table (greenway-only
distance, with connectors, straight line, detour factor, linked or not), the greenway components,
and a map (components coloured, candidates numbered by rank, park units). A scenario — the
candidates ticked in the page's form, sent as ``?scenario=L1&scenario=L3`` — recomputes the table
with those links built and shows the gain (pairs newly linked, distance saved).

The analysis runs once per app, on the first request that needs it (:class:`GapsCache`, kept in
``app.extensions``; the network is read-only), together with everything the pages and the API
reuse: WGS84 geometries, the components' map layer in each language, the JSON pieces. A request
then only slices the ranked list and, for a scenario, runs :func:`routing.gaps.analysis.scenario` (one
multi-source Dijkstra per park unit).

The parameters (``top``, ``scenario``) are read by :func:`routing.gaps.parse_gaps_params`, as
``parcs gaps`` reads them; the texts are :mod:`webapp.gaps_text`, the prepared analysis
:mod:`webapp.gaps_data`, the page's rows and map :mod:`webapp.gaps_render`.

Errors users can cause (a bad ``top``, an unknown candidate id) are
:class:`parcs.InvalidRequestError`: the API answers 400 ``{"error", "detail"}`` through the app's
handlers, the page shows the message above the form with status 400.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template
from flask.blueprints import BlueprintSetupState

from parcs._errors import ParcsError
from routing.bounds import DEFAULT_TOP, MAX_ID_LENGTH, MAX_SCENARIO, MAX_TOP, text_pattern
from routing.gaps.analysis import ScenarioResult, analyse_gaps, scenario
from routing.gaps.export import CLASS_COLOURS
from routing.gaps.request import GapsRequest, parse_gaps_params
from routing.params import values
from webapp import gaps_render as render
from webapp.catalog import Catalog
from webapp.gaps_data import GapsData, prepare
from webapp.gaps_text import CLASS_LABELS, ERROR_HINTS, MESSAGES
from webapp.i18n import Translator
from webapp.openapi_schema import param
from webapp.state import get_state
from webapp.urls import request_params, with_query

__all__ = [
    "CLASS_LABELS",
    "DEFAULT_TOP",
    "ERROR_HINTS",
    "GAPS_KEY",
    "MAX_ID_LENGTH",
    "MAX_SCENARIO",
    "MAX_TOP",
    "MESSAGES",
    "GapsCache",
    "bp",
    "build_gaps_data",
    "get_gaps",
    "openapi_paths",
    "run_query",
]

logger = logging.getLogger(__name__)

bp = Blueprint("gaps", __name__)

#: Key of the :class:`GapsCache` in ``app.extensions``.
GAPS_KEY = "parcs_gaps"


# -- the analysis, once per app -----------------------------------------------------------------


def build_gaps_data(network: Any) -> GapsData:
    """Run the analysis of ``network`` (every candidate kept) and prepare its views."""
    return prepare(analyse_gaps(network, top=None))


class GapsCache:
    """The app's :class:`GapsData`, made on first use (thread-safe; the network never changes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: GapsData | None = None

    def get(self, network: Any) -> GapsData:
        """The analysis of ``network`` (the app's only network), computed once."""
        data = self._data
        if data is None:
            with self._lock:
                data = self._data
                if data is None:
                    data = build_gaps_data(network)
                    self._data = data
                    logger.info("missing links analysed: %d candidates",
                                data.report.n_candidates)
        return data


def _install_cache(state: BlueprintSetupState) -> None:
    """Give the app its (empty) :class:`GapsCache` when the blueprint is registered."""
    state.app.extensions.setdefault(GAPS_KEY, GapsCache())


bp.record_once(_install_cache)


def get_gaps() -> tuple[GapsData, Catalog]:
    """The app's analysis and catalogue (:class:`parcs.BuildError`, i.e. 503, without a network)."""
    network, catalog = get_state().require()
    cache: GapsCache = current_app.extensions[GAPS_KEY]
    return cache.get(network), catalog


# -- parameters ---------------------------------------------------------------------------------


def run_query(data: GapsData, query: GapsRequest) -> ScenarioResult | None:
    """The scenario of ``query``, if any (:class:`InvalidRequestError` for an unknown id)."""
    if not query.scenario:
        return None
    return scenario(data.report, candidate_ids=query.scenario)


# -- the API ------------------------------------------------------------------------------------


@bp.get("/api/gaps")
def api_gaps() -> Response:
    """The missing-link report as JSON; the candidates as a GeoJSON FeatureCollection."""
    query = parse_gaps_params(request_params())
    data, _catalog = get_gaps()
    return jsonify(data.document(query.top or DEFAULT_TOP, run_query(data, query)))


# -- the page -----------------------------------------------------------------------------------


@bp.get("/liaisons")
def page() -> tuple[str, int]:
    """The missing links: map, ranked candidates with the scenario form, tables."""
    data, catalog = get_gaps()
    lang = g.get("lang", "fr")
    t = Translator(lang)
    status, error, result = 200, None, None
    query = GapsRequest()
    try:
        query = parse_gaps_params(request_params())
        result = run_query(data, query)
    except ParcsError as exc:
        status, error = render.error_view(exc, lang)
        logger.info("missing links page: %s (%s)", type(exc).__name__, exc)
    chosen = set(query.scenario) if error is None else {
        v.upper() for v in values(request_params(), "scenario")}
    report, top = data.report, query.top or DEFAULT_TOP
    listed = list(report.candidates[:top])
    extra = [c for c in report.candidates[top:] if c.id in chosen]
    html = render_template(
        "gaps.html",
        m=MESSAGES[lang],
        figures=render.figures(report, t),
        error=error,
        scenario=render.scenario_view(result, t) if result is not None else None,
        candidates=[render.candidate_row(data, c, t, chosen) for c in listed + extra],
        n_listed=len(listed),
        n_candidates=report.n_candidates,
        top=top,
        default_top=DEFAULT_TOP,
        pairs=render.pair_rows(data, t),
        components=render.component_rows(data, t),
        class_legend=[(CLASS_COLOURS[k], CLASS_LABELS[lang][k]) for k in CLASS_COLOURS],
        api_url=with_query("gaps.api_gaps", query.to_params()),
        rmap=render.gaps_map(data, catalog, listed + extra, t, chosen),
    )
    return html, status


# -- OpenAPI ------------------------------------------------------------------------------------


def openapi_paths(errors: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI path item of ``/api/gaps`` (``errors``: the shared error responses by status).

    >>> item = openapi_paths({"400": {}, "414": {}, "503": {}})["/api/gaps"]["get"]
    >>> [(p["name"], p["schema"].get("maximum", p["schema"].get("maxItems"))) for p in item["parameters"]]
    [('top', 200), ('scenario', 20)]
    """
    number_or_null = {"type": ["number", "null"]}
    pair = {
        "type": "object",
        "required": ["a", "b", "a_name", "b_name", "greenway_m", "network_m", "straight_m",
                     "detour_greenway", "detour_network", "linked"],
        "properties": {
            "a": {"type": "string"}, "b": {"type": "string"},
            "a_name": {"type": "string"}, "b_name": {"type": "string"},
            "greenway_m": {**number_or_null, "description": "greenway-only distance (null: the "
                           "greenways do not link the pair)"},
            "network_m": {**number_or_null, "description": "distance on every edge (connectors, "
                          "advised roads, planned sections)"},
            "straight_m": {"type": "number"},
            "detour_greenway": number_or_null, "detour_network": number_or_null,
            "linked": {"type": "boolean"},
        },
    }
    change = {
        "type": "object",
        "required": ["a", "b", "before_m", "after_m", "gain_m", "newly_linked"],
        "properties": {"a": {"type": "string"}, "b": {"type": "string"},
                       "before_m": number_or_null, "after_m": number_or_null,
                       "gain_m": {"type": "number", "minimum": 0},
                       "newly_linked": {"type": "boolean"}},
    }
    result = {
        "type": "object",
        "required": ["candidate_ids", "length_m", "unit_gain_m", "population_gain_m",
                     "linked_before", "linked_after", "newly_linked", "pairs"],
        "properties": {
            "candidate_ids": {"type": "array", "items": {"type": "string"}},
            "length_m": {"type": "number", "minimum": 0},
            "unit_gain_m": {"type": "number", "minimum": 0,
                            "description": "distance saved, summed over the unit pairs"},
            "population_gain_m": {"type": "number", "minimum": 0},
            "linked_before": {"type": "integer"}, "linked_after": {"type": "integer"},
            "newly_linked": {"type": "array", "items": {"type": "array", "items": {"type": "string"},
                                                        "minItems": 2, "maxItems": 2}},
            "pairs": {"type": "array", "items": change},
        },
    }
    report = {
        "type": "object",
        "required": ["summary", "params", "units", "unit_pairs", "components", "candidates",
                     "scenario"],
        "properties": {
            "summary": {"type": "object", "required": ["units", "unit_pairs", "pairs_linked",
                                                       "components", "candidates", "shown"]},
            "params": {"type": "object", "description": "parameters of the analysis"},
            "units": {"type": "array", "items": {"type": "object", "required": ["id", "name"]}},
            "unit_pairs": {"type": "array", "items": pair},
            "components": {"type": "array", "items": {
                "type": "object", "required": ["id", "length_m", "units"],
                "properties": {"id": {"type": "string"}, "length_m": {"type": "number"},
                               "units": {"type": "array", "items": {"type": "string"}}}}},
            "candidates": {
                "description": "The first `top` candidates, best first: LineString features "
                "(WGS84) whose properties hold `id`, `rank`, `class` (`bridge`, `shortcut`, "
                "`planned`), `length_m`, `benefit`, `units`, `reason` (French)...",
                "allOf": [{"$ref": "#/components/schemas/FeatureCollection"}],
            },
            "scenario": {"oneOf": [{"type": "null"}, result]},
        },
    }
    params = [
        param("top", f"Number of candidates listed (at most {MAX_TOP}).",
              {"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": DEFAULT_TOP}),
        param("scenario", "Candidate ids (`L1`, `L2`...; any rank, not only the listed ones) to "
              f"add to the greenways: the answer's `scenario` gives the gain. At most {MAX_SCENARIO}; "
              "an unknown id answers 400.",
              {"type": "string", "maxLength": MAX_ID_LENGTH, "pattern": text_pattern()},
              repeat=True, max_items=MAX_SCENARIO, example=["L1", "L3"]),
    ]
    return {
        "/api/gaps": {
            "get": {
                "operationId": "gaps",
                "summary": "Missing links of the greenway network, ranked; scenarios",
                "description": "What `parcs gaps` prints: candidate links (class, length, benefit, "
                "units connected, reason), the unit-to-unit table (greenway-only, all-edges and "
                "straight-line distances, detour factors) and the greenway components.",
                "parameters": params,
                "responses": {
                    "200": {"description": "The report.",
                            "content": {"application/json": {"schema": report}}},
                    "400": errors["400"],
                    "414": errors["414"],
                    "503": errors["503"],
                },
            }
        }
    }

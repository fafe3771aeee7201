"""``GET /api/places?q=…&limit=…``: the ranked autocomplete of places (:func:`routing.gazetteer.search`).

Each answer lists at most ``limit`` places (:data:`routing.bounds.PLACES_LIMIT`), best
first: ``id`` (what the planner accepts), ``label`` (the name, with the commune for a POI),
``category`` and its French label, ``commune``, ``lat``/``lon``. An empty or over-long ``q``
or a ``limit`` out of range answers 400 in French, before any search.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request

from parcs._errors import InvalidRequestError
from routing.bounds import DEFAULT_PLACES_LIMIT, PLACES_LIMIT
from routing.gazetteer import search
from routing.params import parse_integer, single
from routing.validate import check_integer, check_text
from webapp.openapi_schema import param, place_schema
from webapp.state import get_state

bp = Blueprint("places_api", __name__, url_prefix="/api")


def parse_places_params(params: Mapping[str, Any]) -> tuple[str, int]:
    """``q`` (the text policy of :func:`routing.validate.check_text`) and ``limit`` (in
    :data:`routing.bounds.PLACES_LIMIT`, default :data:`routing.bounds.DEFAULT_PLACES_LIMIT`).

    >>> parse_places_params({"q": " gare lens "}), parse_places_params({"q": "T75", "limit": "3"})
    (('gare lens', 10), ('T75', 3))
    """
    q = single(params, "q")
    if q is None:
        raise InvalidRequestError("q : valeur vide (le début d'un nom de lieu est attendu)")
    limit = parse_integer(params, "limit")
    count = DEFAULT_PLACES_LIMIT if limit is None else check_integer(limit, "limit", PLACES_LIMIT)
    return check_text(q, "q"), count


@bp.get("/places")
def places() -> Response:
    """Places whose name, id or commune starts like ``q``, best first."""
    text, limit = parse_places_params(request.args.to_dict(flat=False))
    network, _catalog = get_state().require()
    found = search(network, text, limit=limit)
    return jsonify({"query": text, "places": [m.entry.to_dict() for m in found]})


def openapi_paths(errors: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI description of ``/api/places``."""
    place = {
        "type": "object",
        "required": ["id", "label", "category", "commune", "lat", "lon"],
        "properties": {
            "id": {"type": "string", "description": "What `from`, `to`, `via` and `start` accept."},
            "label": {"type": "string", "description": "Name, with the commune for a POI."},
            "name": {"type": "string"},
            "kind": {"enum": ["park", "commune", "poi"]},
            "category": {"type": "string", "description": "POI category, or `park` / `commune`."},
            "category_label": {"type": "string"},
            "commune": {"type": ["string", "null"]},
            "lat": {"type": "number"},
            "lon": {"type": "number"},
        },
    }
    return {
        "/api/places": {
            "get": {
                "operationId": "places",
                "summary": "Autocomplete of places (parks, communes, stations, POIs)",
                "description": "Insensitive to case, accents, punctuation and word order; every "
                "word may be the start of a word of the place. Without a match, the closest "
                "spellings answer.",
                "parameters": [
                    param("q", "What the user typed.", place_schema(), required=True, example="gare lens"),
                    param("limit", "Most places answered.",
                          {"type": "integer", "minimum": PLACES_LIMIT[0], "maximum": PLACES_LIMIT[1],
                           "default": DEFAULT_PLACES_LIMIT}),
                ],
                "responses": {
                    "200": {
                        "description": "The places, best first.",
                        "content": {"application/json": {"schema": {
                            "type": "object", "required": ["query", "places"],
                            "properties": {"query": {"type": "string"},
                                           "places": {"type": "array", "items": place}},
                        }}},
                    },
                    "400": errors["400"],
                    "503": errors["503"],
                },
            }
        }
    }

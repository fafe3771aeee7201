"""``GET /api/places?q=…&limit=…``: the ranked autocomplete of places (:func:`routing.gazetteer.search`).

Each answer lists at most ``limit`` places (10 by default, at most :data:`MAX_LIMIT`), best
first: ``id`` (what the planner accepts), ``label`` (the name, with the commune for a POI),
``category`` and its French label, ``commune``, ``lat``/``lon``. An empty or over-long ``q``
or a ``limit`` out of range answers 400 in French, before any search.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request

from parcs._errors import InvalidRequestError
from routing.gazetteer import MAX_QUERY_CHARS, check_query, search
from webapp.state import get_state

bp = Blueprint("places_api", __name__, url_prefix="/api")

#: Places answered by default and at most.
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def parse_limit(value: str | None) -> int:
    """``limit`` as an integer in 1..:data:`MAX_LIMIT` (default :data:`DEFAULT_LIMIT`).

    >>> parse_limit(None), parse_limit("3")
    (10, 3)
    """
    if value is None or not value.strip():
        return DEFAULT_LIMIT
    text = value.strip()
    if len(text) > 6 or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidRequestError(f"limit : un entier de 1 à {MAX_LIMIT} est attendu, reçu {text[:12]!r}")
    return int(text)


@bp.get("/places")
def places() -> Response:
    """Places whose name, id or commune starts like ``q``, best first."""
    q = request.args.get("q")
    if q is None:
        raise InvalidRequestError("q : paramètre obligatoire (le début d'un nom de lieu)")
    text = check_query(q, what="q")
    limit = parse_limit(request.args.get("limit"))
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
                    {"name": "q", "in": "query", "required": True, "example": "gare lens",
                     "description": "What the user typed.",
                     "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS}},
                    {"name": "limit", "in": "query", "required": False,
                     "description": "Most places answered.",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                "default": DEFAULT_LIMIT}},
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

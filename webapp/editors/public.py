"""What visitors see of the offices' circuits: the cards on ``/circuits`` and the read-only API.

- ``GET /api/office-circuits``: the published circuits (fields, recorded figures, flag, file links);
- ``GET /api/office-circuits/<slug>``: one published circuit (404 JSON for drafts and unknown slugs);
- any write method on those paths answers 401 JSON: circuits are written only through the
  authenticated pages.

:func:`webapp.editors.compose.refresh_flags` compares every circuit with the current network once
per process (when the store is first opened with a network loaded) and records why a circuit
changed or broke; the editor sees the flag on their pages and the catalogue says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, request, url_for

from routing import bounds
from webapp.editors import auth
from webapp.editors.store import NotFoundError, StoredCircuit
from webapp.errors import json_error
from webapp.i18n import Translator
from webapp.openapi_schema import GEOJSON, GPX, JSON

logger = logging.getLogger(__name__)

bp = Blueprint("editors_api", __name__)

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
_PUBLIC_KEYS = ("slug", "title_fr", "title_en", "description_fr", "description_en", "profile",
                "start", "places", "mode", "target_km", "theme", "updated_at", "version")


def public_fields(circuit: StoredCircuit) -> dict[str, Any]:
    """The published fields of a circuit (no internal notes, no author account)."""
    d = circuit.data
    values = {"slug": d.slug, "title_fr": d.title_fr, "title_en": d.title_en,
              "description_fr": d.description_fr, "description_en": d.description_en,
              "profile": d.profile, "start": d.start, "places": list(d.places), "mode": d.mode,
              "target_km": d.target_km, "theme": d.theme, "updated_at": circuit.updated_at,
              "version": circuit.version}
    return {k: values[k] for k in _PUBLIC_KEYS} | {
        "figures": dict(circuit.figures), "flag": circuit.flag,
        "files": {ext: url_for("editors.office_file", name=f"{d.slug}.{ext}")
                  for ext in ("gpx", "geojson")},
    }


@bp.get("/api/office-circuits")
def api_circuits() -> Response:
    """The published office circuits."""
    return jsonify({"circuits": [public_fields(c)
                                 for c in auth.get_store().circuits(status="published")]})


@bp.get("/api/office-circuits/<slug>")
def api_circuit(slug: str) -> Response:
    """One published office circuit."""
    try:
        circuit = auth.get_store().circuit(slug)
    except NotFoundError:
        abort(404)
    if circuit.status != "published":
        abort(404)
    return jsonify(public_fields(circuit))


_CIRCUITS_PATH = re.compile(r"^/api/(office-)?circuits(/[^/]*)?/?$")


def refuse_api_writes() -> Response | None:
    """Before every request: a write method on ``/api/office-circuits[/<slug>]`` or ``/api/circuits`` answers 401 (circuits
    are written only through the authenticated pages), rather than 405."""
    if request.method not in WRITE_METHODS or not _CIRCUITS_PATH.match(request.path):
        return None
    return json_error(401, "unauthorized",
                      "écriture refusée : les circuits s'écrivent depuis les pages des éditeurs "
                      "(/editeurs/connexion)")


@dataclass(frozen=True)
class OfficeCard:
    """A published office circuit as listed on ``/circuits``."""

    slug: str
    title: str
    description: str
    figures: str
    flag: str


def office_cards(t: Translator) -> list[OfficeCard]:
    """The published office circuits for the catalogue page (in the page's language)."""
    cards = []
    try:
        published = auth.get_store().circuits(status="published")
    except sa.exc.SQLAlchemyError as exc:  # a damaged or unreachable database: the page stays up
        logger.error("office circuits unavailable: %s", exc)
        return []
    for c in published:
        d, f = c.data, c.figures
        try:
            figures = (f"{t.distance(float(f['distance_m']))} · {t.duration(float(f['duration_s']))}"
                       f" · +{t.number(float(f['climb_m']))}\u00a0m")
        except (KeyError, TypeError, ValueError):  # no or partial figures (an old import)
            figures = ""
        en = t.lang == "en"
        cards.append(OfficeCard(d.slug, (d.title_en if en and d.title_en else d.title_fr),
                                (d.description_en if en and d.description_en else d.description_fr),
                                figures, c.flag))
    return cards


def openapi_paths(errors: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI entries of ``/api/office-circuits`` and ``/api/office-circuits/{slug}``."""
    circuit = {"type": "object", "required": ["slug", "title_fr", "profile", "figures", "files"],
               "properties": {
                   "slug": {"type": "string"}, "title_fr": {"type": "string"},
                   "title_en": {"type": "string"}, "description_fr": {"type": "string"},
                   "description_en": {"type": "string"},
                   "profile": {"type": "string", "enum": ["walk", "bike", "family"]},
                   "start": {"type": "string"},
                   "places": {"type": "array", "items": {"type": "string"},
                              "maxItems": bounds.MAX_THROUGH},
                   "mode": {"type": "string", "enum": ["length", "order"]},
                   "target_km": {"type": ["number", "null"]}, "theme": {"type": "string"},
                   "updated_at": {"type": "number"}, "version": {"type": "integer"},
                   "figures": {"type": "object"}, "flag": {"type": "string"},
                   "files": {"type": "object"}}}
    slug = {"name": "slug", "in": "path", "required": True, "description": "The circuit's slug.",
            "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"}}
    error_schema = errors["400"]["content"][JSON]["schema"]
    not_found = {"description": "No published circuit of that slug (`not_found`).",
                 "content": {JSON: {"schema": error_schema}}}


    return {
        "/api/office-circuits": {"get": {
            "operationId": "officeCircuits",
            "summary": "Circuits published by the tourism offices (read-only; GPX "
                       f"`{GPX}` and GeoJSON `{GEOJSON}` files linked in `files`)",
            "description": "Read-only: any write method on `/api/office-circuits` or "
                           "`/api/office-circuits/{slug}` answers 401 `unauthorized`; tourism offices "
                           "write circuits through the authenticated editors' pages.",
            "responses": {"200": {"description": "The published circuits.", "content": {JSON: {
                "schema": {"type": "object", "required": ["circuits"],
                           "properties": {"circuits": {"type": "array", "items": circuit}}}}}}}}},
        "/api/office-circuits/{slug}": {"get": {
            "operationId": "officeCircuit", "summary": "One circuit published by a tourism office",
            "parameters": [slug],
            "responses": {"200": {"description": "The circuit.",
                                  "content": {JSON: {"schema": circuit}}},
                          "404": not_found}}},
    }

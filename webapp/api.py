"""The JSON API: ``/api/route`` (GeoJSON), ``/api/route.gpx``, ``/api/parks``, ``/api/pois``,
``/api/health`` and ``/api/openapi.json``.

Every error answers ``{"error": code, "detail": message}`` with a 4xx status (see
:mod:`webapp.errors`); the OpenAPI document (:mod:`webapp.openapi`) describes each endpoint.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

import parcs
from routing.params import parse_route_params, single
from routing.validate import check_category
from webapp import planning
from webapp.catalog import category_label
from webapp.errors import SERVER_DETAILS
from webapp.openapi import build_openapi
from webapp.openapi_schema import GEOJSON
from webapp.state import get_state
from webapp.urls import request_params

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api")


def geojson_response(document: Any) -> Response:
    """A GeoJSON answer (``application/geo+json``)."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(body, mimetype=GEOJSON)


def _planned() -> tuple[Any, Any, Any]:
    network, catalog = get_state().require()
    query = parse_route_params(request_params())
    return planning.plan(network, query), query, catalog


@bp.get("/route")
def route() -> Response:
    """Itineraries as a GeoJSON FeatureCollection (one feature per itinerary)."""
    result, query, _catalog = _planned()
    return geojson_response(planning.route_geojson(result, query))


@bp.get("/route.gpx")
def route_gpx() -> Response:
    """Itineraries as a GPX 1.1 document (a download)."""
    result, query, _catalog = _planned()
    response = Response(planning.route_gpx(result, query), mimetype="application/gpx+xml")
    response.headers["Content-Disposition"] = 'attachment; filename="itineraire.gpx"'
    return response


@bp.get("/parks")
def parks() -> Response:
    """The park units as GeoJSON (geometry, description, area, access points)."""
    _network, catalog = get_state().require()
    features = [
        {
            "type": "Feature",
            "geometry": dict(p.geometry) if p.geometry else None,
            "properties": {
                "id": p.id,
                "name": p.name,
                "agglomeration": p.agglomeration,
                "communes": list(p.communes),
                "description": p.description,
                "activities": list(p.activities),
                "area_ha": round(float(p.area_ha), 2),
                "access_points": [[round(lon, 6), round(lat, 6)]
                                  for lon, lat in catalog.access_points.get(p.id, ())],
            },
        }
        for p in catalog.parks
    ]
    return geojson_response({"type": "FeatureCollection", "features": features})


@bp.get("/pois")
def pois() -> Response:
    """Points of interest as GeoJSON, optionally of one ``category``."""
    _network, catalog = get_state().require()
    category = single(request_params(), "category")
    if category is not None:
        check_category(category, "category")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
            "properties": {
                "id": p.id,
                "category": p.category,
                "category_label": category_label("fr", p.category),
                "name": p.name,
                "description": p.description,
                "park": p.park or None,
            },
        }
        for p in catalog.pois
        if not category or p.category == category
    ]
    return geojson_response({"type": "FeatureCollection", "features": features})


@bp.get("/health")
def health() -> tuple[Response, int]:
    """``ok`` with the network's figures, or 503 when no network is loaded."""
    state = get_state()
    if state.network is None:
        code = "network_damaged" if state.damaged else "no_network"
        body = {"status": "unavailable", "error": code, "detail": SERVER_DETAILS[code]}
        return jsonify(body), 503
    meta = getattr(state.network, "meta", {}) or {}
    body = {
        "status": "ok",
        "network": state.network.summary(),
        "source": str(meta.get("source", "")),
        "built_at": str(meta.get("built_at", "")),
    }
    return jsonify(body), 200


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_openapi(dict(current_app.config), version=parcs.__version__))

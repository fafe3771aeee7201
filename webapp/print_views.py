"""Printing on the web: « Imprimer / PDF » of planner routes and loops, the catalogue as JSON and
as one PDF.

- ``GET /api/route.pdf`` (the parameters of ``/api/route``) and ``GET /api/loop.pdf`` (those of
  ``/api/loop``): the roadbook of the route or of the best loop as an A4 PDF
  (:mod:`routing.loops.printing`: offline SVG map, numbered sights and steps, access, warnings);
- ``GET /api/circuits``: the catalogue's index (with ``status``: ``ok``, ``stale`` when it was
  computed on another build of the network than the one served — its circuits then left out —,
  ``missing``); ``GET /api/circuits?id=<id>``: one circuit's entry (404 JSON for an unknown id,
  409 when stale);
- ``GET /circuits/catalogue.pdf``: every roadbook in one document with a table of contents.

A catalogue computed on an older network is never served as current: its figures and files
answer 409 with the command that rebuilds it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, abort, request
from werkzeug.wrappers import Response as BaseResponse

from parcs._errors import ParcsError
from routing.loops.params import parse_loop_params
from routing.params import parse_route_params
from webapp import planning
from webapp.circuits_views import (
    STALE,
    catalogue_dir,
    catalogue_status,
    load_catalogue_files,
    stale_response,
)
from webapp.errors import json_error, wants_json
from webapp.loops_views import plan
from webapp.state import get_state
from webapp.urls import request_params

logger = logging.getLogger(__name__)

bp = Blueprint("printing", __name__)

PDF = "application/pdf"
def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=PDF)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _unavailable(exc: ParcsError) -> Response:
    """503 when the PDF engine cannot run here (French, in the request's format)."""
    from flask import render_template

    logger.error("PDF: %s", exc)
    if wants_json():
        return json_error(503, "pdf_unavailable", str(exc))
    html = render_template("error.html", status=503, title_key="error.http", detail=str(exc))
    return Response(html, status=503, mimetype="text/html")


@bp.get("/api/route.pdf")
def route_pdf() -> Response:
    """The printable roadbook of a planner route (A4 PDF)."""
    from routing.loops.pdf import PdfUnavailableError
    from routing.loops.printing import route_sheet, sheet_pdf

    network, _catalog = get_state().require()
    result = planning.plan(network, parse_route_params(request_params()), page=True)
    try:
        data = sheet_pdf(route_sheet(network, result))
    except PdfUnavailableError as exc:
        return _unavailable(exc)
    return _pdf_response(data, "itineraire.pdf")


@bp.get("/api/loop.pdf")
def loop_pdf() -> Response:
    """The printable roadbook of the best loop (A4 PDF)."""
    from routing.loops.pdf import PdfUnavailableError
    from routing.loops.printing import loop_sheet, sheet_pdf

    network, _catalog = get_state().require()
    result = plan(network, parse_loop_params(request_params()))
    try:
        data = sheet_pdf(loop_sheet(network, result))
    except PdfUnavailableError as exc:
        return _unavailable(exc)
    return _pdf_response(data, "boucle.pdf")


def _json(doc: Mapping[str, Any]) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")


@bp.get("/api/circuits")
def api_circuits() -> BaseResponse:
    """The catalogue's index and its status (``ok``, ``stale``, ``missing``), or with ``id`` one
    circuit's entry (404 for an unknown id, 409 when the catalogue is stale)."""
    files = load_catalogue_files(catalogue_dir())
    status = catalogue_status(files)
    cid = request.args.get("id")
    if cid is not None:
        entry = files.entries.get(cid) if files is not None else None
        if entry is None:
            abort(404, description=f"circuit inconnu : {cid[:80]!r}")
        return stale_response() if status == "stale" else _json(entry)
    if files is None:
        return _json({"status": status, "detail": "catalogue non construit : « parcs circuits build »",
                      "circuits": []})
    doc = dict(files.doc)
    doc["status"] = status
    if status == "stale":
        doc["detail"] = STALE
        doc["circuits"] = []
    return _json(doc)


@bp.get("/circuits/catalogue.pdf")
def catalogue_pdf() -> BaseResponse:
    """The whole catalogue in one PDF (404 when it was built without PDFs or not at all)."""
    files = load_catalogue_files(catalogue_dir())
    if files is None or files.doc.get("catalogue_pdf") != "catalogue.pdf":
        abort(404, description="catalogue PDF non construit : « parcs circuits build »")
    if catalogue_status(files) == "stale":
        return stale_response()
    try:
        data = (files.folder / "catalogue.pdf").read_bytes()
    except OSError:
        abort(404, description="catalogue PDF introuvable")
    return _pdf_response(data, "circuits-chaine-des-parcs.pdf")


def openapi_paths(route_params: list[dict[str, Any]], loop_params: list[dict[str, Any]],
                  errors: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI path items of the PDF and catalogue endpoints."""
    pdf = {PDF: {"schema": {"type": "string", "format": "binary"}}}
    unavailable = {"description": "The PDF engine is missing (`pdf_unavailable`).",
                   "content": errors["503"]["content"]}

    def pdf_op(op_id: str, summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
        return {"get": {"operationId": op_id, "summary": summary, "parameters": params,
                        "responses": {"200": {"description": "A4 PDF roadbook.", "content": pdf},
                                      **{k: v for k, v in errors.items() if k != "503"},
                                      "503": unavailable}}}

    entry_param = {"name": "id", "in": "query", "required": False,
                   "description": "One circuit's id (its index entry only).",
                   "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,80}$"}}
    stale = {"description": "The catalogue was computed on another build of the network "
             "(`stale_catalogue`).", "content": errors["404"]["content"]}
    return {
        "/api/route.pdf": pdf_op("routePdf", "Printable roadbook of the best itinerary (A4 PDF)", route_params),
        "/api/loop.pdf": pdf_op("loopPdf", "Printable roadbook of the best loop (A4 PDF)", loop_params),
        "/api/circuits": {"get": {
            "operationId": "circuits", "summary": "The circuit catalogue's index and status",
            "parameters": [entry_param],
            "responses": {"200": {"description": "The index (`status`: ok, stale, missing) or one entry.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "404": {"description": "Unknown circuit (`not_found`).",
                                  "content": errors["404"]["content"]},
                          "409": stale}}},
    }

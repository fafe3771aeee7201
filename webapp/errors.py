"""Error handling: every error becomes a clear 4xx/5xx answer, never a traceback.

Errors a user can cause are :class:`parcs.ParcsError` subclasses and map to a status and a short
machine code (:func:`classify`). The API (paths under ``/api/``) answers
``{"error": code, "detail": message}``; pages render ``error.html`` (or the page itself, for the
planner, which shows the message beside the form). A last-resort handler logs anything unexpected
and answers a generic 500 without a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from parcs._errors import (
    AmbiguousPlaceError,
    BudgetExceededError,
    BuildError,
    ConstraintError,
    DamagedBuildError,
    DataError,
    InvalidRequestError,
    NoRouteError,
    OutOfAreaError,
    ParcsError,
    SourceError,
    UnknownPlaceError,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorKind:
    """How one family of errors is reported."""

    status: int
    code: str
    title_key: str


#: From the most specific class to the least (``ConstraintError`` is a ``NoRouteError``).
_KINDS: tuple[tuple[type[ParcsError], ErrorKind], ...] = (
    (UnknownPlaceError, ErrorKind(404, "unknown_place", "error.unknown_place")),
    (AmbiguousPlaceError, ErrorKind(400, "ambiguous_place", "error.ambiguous_place")),
    (OutOfAreaError, ErrorKind(422, "out_of_area", "error.out_of_area")),
    (ConstraintError, ErrorKind(422, "constraint_unsatisfiable", "error.constraint")),
    (NoRouteError, ErrorKind(422, "no_route", "error.no_route")),
    (InvalidRequestError, ErrorKind(400, "invalid_request", "error.invalid_request")),
    (DamagedBuildError, ErrorKind(503, "network_damaged", "error.network_damaged")),
    (BudgetExceededError, ErrorKind(503, "time_budget_exceeded", "error.time_budget")),
    (BuildError, ErrorKind(503, "no_network", "error.no_network")),
    (SourceError, ErrorKind(503, "no_network", "error.no_network")),
    (DataError, ErrorKind(503, "no_network", "error.no_network")),
)
_DEFAULT = ErrorKind(400, "invalid_request", "error.invalid_request")

#: What a 503 answer says (server-side state: no path or file name is shown to the client).
SERVER_DETAILS: dict[str, str] = {
    "no_network": "aucun réseau d'itinéraires n'est chargé sur ce serveur ; l'exploitant doit le "
                  "construire (`make data` ou `parcs build`) puis redémarrer le service",
    "network_damaged": "le réseau d'itinéraires de ce serveur est endommagé ; l'exploitant doit le "
                       "reconstruire (`make data` ou `parcs build`) puis redémarrer le service",
}

#: Every machine code the API may answer (documented in the OpenAPI document).
ERROR_CODES: tuple[str, ...] = (
    "invalid_request",
    "unknown_place",
    "ambiguous_place",
    "out_of_area",
    "constraint_unsatisfiable",
    "no_route",
    "no_network",
    "network_damaged",
    "time_budget_exceeded",
    "not_found",
    "unauthorized",
    "method_not_allowed",
    "request_too_large",
    "uri_too_long",
    "internal_error",
    "stale_catalogue",
    "pdf_unavailable",
)


def classify(exc: ParcsError) -> ErrorKind:
    """The status, code and title of a planner error.

    >>> classify(UnknownPlaceError("x")).status, classify(ConstraintError("x")).code
    (404, 'constraint_unsatisfiable')
    """
    for cls, kind in _KINDS:
        if isinstance(exc, cls):
            return kind
    return _DEFAULT


def _http_code(exc: HTTPException) -> str:
    """A snake_case code for an HTTP error (``'not_found'``, ``'method_not_allowed'``...)."""
    special = {413: "request_too_large", 414: "uri_too_long"}
    code = exc.code or 500
    if code in special:
        return special[code]
    return (exc.name or "error").lower().replace(" ", "_").replace("-", "_")


def wants_json() -> bool:
    """Whether the current request is an API request (answered in JSON)."""
    return request.path.startswith("/api/") or request.path == "/api"


def json_error(status: int, code: str, detail: str, **extra: object) -> Response:
    """The API's error answer (``extra`` members after ``error`` and ``detail``)."""
    response = jsonify({"error": code, "detail": detail, **extra})
    response.status_code = status
    return response


def _page_error(status: int, title_key: str, detail: str) -> Response:
    html = render_template("error.html", status=status, title_key=title_key, detail=detail)
    return Response(html, status=status, mimetype="text/html")


def handle_parcs_error(exc: ParcsError) -> Response:
    """Answer a planner error (4xx, or 503 when the network is missing)."""
    kind = classify(exc)
    detail = str(exc) or kind.code
    if kind.code in SERVER_DETAILS:  # server-side state: log the reason (paths...), say little
        logger.error("%s %s: %s", request.method, request.path, detail)
        detail = SERVER_DETAILS[kind.code]
    logger.info("%s %s -> %d %s: %s", request.method, request.path, kind.status, kind.code, detail)
    if wants_json():
        if isinstance(exc, AmbiguousPlaceError):
            return json_error(kind.status, kind.code, detail, candidates=list(exc.candidates))
        return json_error(kind.status, kind.code, detail)
    return _page_error(kind.status, kind.title_key, detail)


def handle_http_error(exc: HTTPException) -> Response:
    """Answer an HTTP error (404, 405, 413, 414...) in the request's format."""
    status = exc.code or 500
    if wants_json():
        response = json_error(status, _http_code(exc), exc.description or exc.name)
    else:
        title_key = {404: "error.not_found", 405: "error.method", 413: "error.too_large",
                     414: "error.too_large"}.get(status, "error.http")
        detail = "" if status == 404 else (exc.description or "")
        response = _page_error(status, title_key, detail)
    if status == 405:
        allowed = exc.get_headers()
        for name, value in allowed:
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


def handle_unexpected(exc: Exception) -> Response:
    """Last resort: log the exception, answer a generic 500 without any detail of it."""
    if isinstance(exc, HTTPException):  # pragma: no cover - routed to handle_http_error
        return handle_http_error(exc)
    logger.exception("unexpected error on %s %s", request.method, request.path)
    if wants_json():
        return json_error(500, "internal_error", "unexpected server error; it has been logged")
    try:
        return _page_error(500, "error.internal", "")
    except Exception:  # the template itself failed: plain text, still no traceback
        logger.exception("error page failed")
        return Response("Erreur interne / internal error", status=500, mimetype="text/plain")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(ParcsError, handle_parcs_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)

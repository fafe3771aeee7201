"""Security headers and request limits.

Pages get a Content-Security-Policy with a per-request nonce: Folium's map script is inline, so it is
emitted inside ``<script nonce=...>``; every other script is a same-origin file. Map tiles come from
OpenStreetMap. API answers get a locked-down policy and ``Access-Control-Allow-Origin: *`` (the API
is public, read-only and carries no credentials, so tourism offices may call it from their sites).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestURITooLarge

from parcs._errors import InvalidRequestError
from webapp.assets import LEAFLET_CDN, AssetStore

#: Where map tiles may come from.
TILE_ORIGINS = ("https://tile.openstreetmap.org", "https://*.tile.openstreetmap.org")


def csp_nonce() -> str:
    """The CSP nonce of the current request (created on first use)."""
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        g.csp_nonce = nonce
    return nonce


def page_policy(nonce: str, *, leaflet_local: bool) -> str:
    """The Content-Security-Policy of an HTML page."""
    cdn = "" if leaflet_local else " " + LEAFLET_CDN.split("/npm/")[0]
    tiles = " ".join(TILE_ORIGINS)
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'{cdn}",
            f"style-src 'self' 'unsafe-inline'{cdn}",
            f"img-src 'self' data: {tiles}{cdn}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


#: Paths where an over-long query string is a bad parameter (400, the autocomplete's ``q``).
BAD_WHEN_LONG: frozenset[str] = frozenset({"/api/places"})


def check_query_length() -> None:
    """Refuse over-long query strings (414, or 400 on :data:`BAD_WHEN_LONG`) before any parsing."""
    limit = int(current_app.config["MAX_QUERY_LENGTH"])
    if len(request.query_string) > limit:
        if request.path in BAD_WHEN_LONG:
            raise InvalidRequestError(f"requête trop longue : {len(request.query_string)} octets (au plus {limit})")
        raise RequestURITooLarge(f"the query string is longer than {limit} bytes")


def add_security_headers(response: Response) -> Response:
    """Set the security headers of every answer."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
    if request.path.startswith("/api/"):
        headers.setdefault("Content-Security-Policy", API_POLICY)
        headers.setdefault("Access-Control-Allow-Origin", "*")
    elif response.mimetype == "text/html":
        store: AssetStore = current_app.extensions["parcs_assets"]
        headers.setdefault(
            "Content-Security-Policy", page_policy(csp_nonce(), leaflet_local=store.leaflet_local)
        )
    return response


def install(app: Flask) -> None:
    """Register the limits and headers on ``app``."""
    app.before_request(check_query_length)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

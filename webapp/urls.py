"""URL helpers shared by the pages and the templates (language kept in links)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request, url_for

from webapp.assets import LEAFLET_CDN, LEAFLET_PREFIX, AssetStore


def page_url(endpoint: str, **values: Any) -> str:
    """``url_for`` that keeps the page's language when it is not the default."""
    lang = g.get("lang", "fr")
    if lang != "fr":
        values.setdefault("lang", lang)
    return url_for(endpoint, **values)


def switch_language_url() -> str:
    """The current page in the other language (same query, ``lang`` swapped)."""
    other = "en" if g.get("lang", "fr") == "fr" else "fr"
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    pairs.append(("lang", other))
    return f"{request.path}?{urlencode(pairs)}"


def request_params() -> dict[str, list[str]]:
    """The current request's query parameters as :mod:`routing.params` reads them."""
    return request.args.to_dict(flat=False)


def with_query(endpoint: str, params: Sequence[tuple[str, str]]) -> str:
    """The URL of ``endpoint`` with the query parameters ``params`` (repeatable keys kept)."""
    base = url_for(endpoint)
    return f"{base}?{urlencode(list(params))}" if params else base


def leaflet_url(name: str) -> str:
    """The URL of a Leaflet file (``leaflet.js``, ``leaflet.css``): local copy, else the CDN."""
    from flask import current_app

    store: AssetStore = current_app.extensions["parcs_assets"]
    if store.leaflet_local:
        return url_for("assets.asset", name=LEAFLET_PREFIX + name)
    return LEAFLET_CDN + name


def install(app: Flask) -> None:
    """Expose the helpers, and the request bounds (:mod:`routing.bounds`), to templates."""
    from routing import bounds

    app.jinja_env.globals.update(
        page_url=page_url, switch_language_url=switch_language_url, leaflet_url=leaflet_url,
        bounds=bounds,
    )

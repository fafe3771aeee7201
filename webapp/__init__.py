"""The web planner of the Chaîne des parcs: plan, see and download green itineraries.

:func:`create_app` is a Flask application factory. It loads the compiled network once (it is then
shared read-only by every request; gunicorn ``--preload`` forks its workers after the load) and
registers three blueprints: the pages (:mod:`webapp.pages`), the JSON API (:mod:`webapp.api`) and
the in-memory static files (:mod:`webapp.assets`).

Development server: ``parcs serve`` (``make run``); production: ``make serve``, i.e.
``gunicorn --workers 4 --preload 'webapp:create_app()'``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, request
from werkzeug.wrappers import Response

from webapp import api, assets, errors, pages, security, urls
from webapp.config import DEFAULT_CONFIG
from webapp.i18n import Translator, negotiate_language
from webapp.state import STATE_KEY, load_state

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


def _set_language() -> None:
    g.lang = negotiate_language(request.args.get("lang"), request.accept_languages)


def _language_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = g.get("lang", "fr")
        response.vary.add("Accept-Language")
    return response


def _template_context() -> dict[str, Any]:
    lang = g.get("lang", "fr")
    return {"lang": lang, "t": Translator(lang)}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the web application.

    Parameters
    ----------
    config
        Settings overriding :data:`webapp.config.DEFAULT_CONFIG`, e.g.
        ``{"TESTING": True, "BUILD_DIR": path}``, or ``{"NETWORK": compiled}`` to serve an already
        loaded :class:`routing.CompiledNetwork` (tests).

    Returns
    -------
    Flask
        The application. When no network can be loaded it still starts: pages and the API answer
        503 with the reason, and ``/api/health`` says so.
    """
    instance = (config or {}).get("INSTANCE_DIR")
    app = Flask(__name__, static_folder=None, instance_path=str(instance) if instance else None)
    app.config.from_mapping(DEFAULT_CONFIG)
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["parcs_assets"] = assets.load_assets()
    app.extensions[STATE_KEY] = load_state(app.config)
    app.before_request(_set_language)
    app.after_request(_language_headers)
    app.context_processor(_template_context)
    security.install(app)
    urls.install(app)
    errors.register_error_handlers(app)
    app.register_blueprint(assets.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    # loops (webapp/loops_views.py): "Boucles", /api/loop; the circuit catalogue
    # (webapp/circuits_views.py): "Circuits"
    from webapp import circuits_views, loops_views

    app.register_blueprint(loops_views.bp)
    app.register_blueprint(circuits_views.bp)
    # missing links (webapp/gaps_views.py): /liaisons, /api/gaps
    from webapp import gaps_views

    app.register_blueprint(gaps_views.bp)
    # printing (webapp/print_views.py): /api/route.pdf, /api/loop.pdf, /api/circuits, catalogue PDF
    from webapp import print_views

    app.register_blueprint(print_views.bp)
    # tourism offices' editors (webapp/editors/): login, composer, stored circuits
    from webapp.editors import auth as editors_auth
    from webapp.editors import public as editors_public
    from webapp.editors import views as editors_views

    editors_auth.install(app)
    app.register_blueprint(editors_views.bp)
    app.register_blueprint(editors_public.bp)
    app.before_request(editors_public.refuse_api_writes)
    # place autocomplete (webapp/places_api.py): /api/places
    from webapp import places_api

    app.register_blueprint(places_api.bp)
    return app

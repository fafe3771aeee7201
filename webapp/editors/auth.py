"""Sessions, CSRF tokens and the editors' database for the web app.

- The session secret is ``SECRET_KEY`` when configured, else the file ``secret_key`` of the Flask
  instance folder, generated once (``secrets.token_hex``, written atomically, mode 0600) and never
  committed (``instance/`` is ignored by git).
- The database is ``DATABASE_URL`` when configured, else ``editors.sqlite3`` in the instance
  folder; it is opened (and migrated) on first use, so an app that no editor uses touches nothing.
- Every form posted to the editors' pages carries ``csrf_token``, compared in constant time with
  the session's token; a missing or wrong token answers 400 and changes nothing.
- :func:`editor_required` lets only a logged-in, enabled editor through: pages redirect to the
  login page, the API answers 401 JSON.
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import BadRequest

from parcs.atomic import atomic_path
from webapp.editors.store import Editor, Store, open_store, sqlite_url

F = TypeVar("F", bound=Callable[..., Any])
STORE_KEY = "parcs_editors_store"
_LOCK = threading.Lock()


def session_secret(instance: str | Path) -> str:
    """The secret in ``instance/secret_key``, created on first call."""
    path = Path(instance) / "secret_key"
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text
    except OSError:
        pass
    secret = secrets.token_hex(32)
    with atomic_path(path) as tmp:
        tmp.write_text(secret + "\n", encoding="ascii")
    os.chmod(path, 0o600)
    return secret


def _throwaway(app: Flask) -> bool:
    """A test app given no instance folder keeps its secret and database in memory."""
    return bool(app.config.get("TESTING")) and not app.config.get("INSTANCE_DIR")


def database_url(app: Flask) -> str:
    """``DATABASE_URL`` of the config (or of the environment), else SQLite in the instance folder
    (in memory for a test app without an instance folder)."""
    url = app.config.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return str(url)
    return "sqlite://" if _throwaway(app) else sqlite_url(app.instance_path)


def get_store(app: Flask | None = None) -> Store:
    """The app's editors store (opened and migrated on first use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _LOCK:
        store: Store | None = app.extensions.get(STORE_KEY)
        if store is None:
            store = open_store(database_url(app))
            app.extensions[STORE_KEY] = store
            _check_network(app, store)
    return store


def _check_network(app: Flask, store: Store) -> None:
    """Flag the circuits the loaded network changes (once per process and store)."""
    from webapp.editors.compose import refresh_flags
    from webapp.state import STATE_KEY

    state = app.extensions.get(STATE_KEY)
    if state is not None and state.network is not None:
        refresh_flags(store, state.network)


def csrf_token() -> str:
    """The session's CSRF token (created on first use), for hidden form fields."""
    token: str | None = session.get("csrf")
    if token is None:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse (400) a POST whose ``csrf_token`` is missing or not the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not sent or not expected or not hmac.compare_digest(str(sent), str(expected)):
        raise BadRequest("jeton CSRF manquant ou invalide ; rechargez la page")


def current_editor() -> Editor | None:
    """The logged-in editor, or ``None`` (a disabled account is logged out)."""
    if "editor" in g:
        return g.editor
    editor = None
    editor_id = session.get("editor_id")
    if isinstance(editor_id, int):
        editor = get_store().editor_by_id(editor_id)
        if editor is None or editor.disabled:
            session.pop("editor_id", None)
            editor = None
    g.editor = editor
    return editor


def editor_required(view: F) -> F:
    """Only for a logged-in editor: pages redirect to the login, the API answers 401."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_editor() is None:
            if request.path.startswith("/api/"):
                from webapp.errors import json_error

                return json_error(401, "unauthorized",
                                  "connexion d'éditeur requise (pages /editeurs/connexion)")
            return redirect(url_for("editors.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def install(app: Flask) -> None:
    """Session secret and cookie settings, and the ``csrf_token`` template global."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = (secrets.token_hex(32) if _throwaway(app)
                                    else session_secret(app.instance_path))
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_editor"] = current_editor

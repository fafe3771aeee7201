"""The editors' pages: login, their circuits, the composer; and the published circuits' files.

- ``GET|POST /editeurs/connexion``, ``POST /editeurs/deconnexion``, ``GET /editeurs`` (the
  editor's circuits, with the flags of a new network build);
- ``GET|POST /circuits/nouveau`` and ``/circuits/<slug>/modifier`` (editors only): compute the
  circuit, save it as a draft, publish or unpublish it (version-checked);
- ``GET /circuits/office/<slug>.<gpx|geojson>``: a published circuit's files, built from the
  current network.

Every POST carries the session's CSRF token (:mod:`webapp.editors.auth`); every value shown is
escaped by Jinja's autoescaping.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from webapp import charts, maps
from webapp.editors import auth
from webapp.editors.compose import (
    Composed,
    circuit_geojson,
    circuit_gpx,
    compose_or_error,
    compose_or_reason,
)
from webapp.editors.store import (
    CircuitData,
    Editor,
    EditorsError,
    LoginError,
    LoginThrottledError,
    NotFoundError,
    StoredCircuit,
    VersionConflictError,
    validate_circuit,
)
from webapp.pages import base_map, form_choices, page_state

bp = Blueprint("editors", __name__)
bp.before_request(auth.check_csrf)

#: Form fields of the composer and their limits (the store checks them again).
TEXT_FIELDS = ("slug", "title_fr", "title_en", "description_fr", "description_en", "start",
               "theme", "notes")
MAX_FIELD = 20_000


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("editors.dashboard")


@bp.route("/editeurs/connexion", methods=["GET", "POST"])
def login() -> Any:
    """The login form; ten bad passwords in a row slow further tries (429)."""
    error, status = "", 200
    if request.method == "POST":
        try:
            editor = auth.get_store().login(request.form.get("username", "")[:64],
                                            request.form.get("password", "")[:1000])
        except LoginThrottledError as exc:
            error, status = str(exc), 429
        except LoginError as exc:
            error, status = str(exc), 401
        else:
            session.clear()
            session["editor_id"] = editor.id
            return redirect(_safe_next(request.args.get("next")))
    return render_template("editor_login.html", error=error,
                           username=request.form.get("username", "")[:64]), status


@bp.post("/editeurs/deconnexion")
def logout() -> BaseResponse:
    """Log out."""
    session.clear()
    return redirect(url_for("editors.login"))


@bp.get("/editeurs")
@auth.editor_required
def dashboard() -> str:
    """The editor's circuits (all of them when editors share circuits)."""
    editor = _me()
    mine = [c for c in auth.get_store().circuits() if _may_edit(editor, c)]
    return render_template("editor_dashboard.html", circuits=mine, editor=editor)


def _me() -> Editor:
    """The logged-in editor (the views calling this are wrapped by ``editor_required``)."""
    editor = auth.current_editor()
    if editor is None:  # pragma: no cover - editor_required answered first
        abort(401)
    return editor


def _may_edit(editor: Editor, circuit: StoredCircuit) -> bool:
    return circuit.author_id == editor.id or bool(current_app.config["EDITORS_SHARE_CIRCUITS"])


def _form_data() -> tuple[CircuitData, dict[str, str]]:
    """The composer's form as :class:`CircuitData`, and the errors of its numbers."""
    form = request.form
    values = {k: form.get(k, "")[:MAX_FIELD] for k in TEXT_FIELDS}
    errors: dict[str, str] = {}
    places = tuple(p.strip() for p in form.getlist("places")[:20] if p.strip())
    target: float | None = None
    raw = form.get("target_km", "").strip().replace(",", ".")
    if form.get("mode") == "length":
        try:
            target = float(raw)
        except ValueError:
            errors["target_km"] = "target_km : un nombre de kilomètres"
    data = CircuitData(slug=values["slug"].strip(), title_fr=values["title_fr"],
                       title_en=values["title_en"], profile=form.get("profile", "walk"),
                       start=values["start"], mode=form.get("mode", "length"), places=places,
                       target_km=target, description_fr=values["description_fr"],
                       description_en=values["description_en"], theme=values["theme"],
                       notes=values["notes"])
    return data, errors


def _result_view(composed: Composed | None) -> dict[str, Any]:
    """The map, the elevation chart and the figures of a computed circuit."""
    _network, catalog, t = page_state()
    fmap = base_map(catalog, t)
    chart = None
    if composed is not None:
        itin = composed.itinerary
        coords = [list(c) for c in itin.geometry]
        maps.add_layer(fmap, maps.collection([maps.feature(
            maps.line(coords), style={"color": "#1b7f3b", "weight": 5, "opacity": 0.9})]),
            t("circuits.title"))
        fmap.fit_bounds([[min(c[1] for c in coords), min(c[0] for c in coords)],
                         [max(c[1] for c in coords), max(c[0] for c in coords)]])
        chart = charts.elevation_svg(itin.elevation_profile, t, climb=itin.climb_m,
                                     descent=itin.descent_m)
    return {"rmap": maps.render(fmap), "chart": chart, **form_choices(catalog, t)}


def _render(data: CircuitData | None, *, circuit: StoredCircuit | None, composed: Composed | None,
            errors: dict[str, str], message: str = "", status: int = 200) -> tuple[str, int]:
    html = render_template("composer.html", data=data, circuit=circuit, composed=composed,
                           errors=errors, message=message, **_result_view(composed))
    return html, status


@bp.route("/circuits/nouveau", methods=["GET", "POST"])
@auth.editor_required
def new_circuit() -> Any:
    """Compose a new circuit; « Enregistrer » saves it as a draft."""
    if request.method == "GET":
        return _render(None, circuit=None, composed=None, errors={})
    return _handle_post(None)


@bp.route("/circuits/<slug>/modifier", methods=["GET", "POST"])
@auth.editor_required
def edit_circuit(slug: str) -> Any:
    """Change, save, publish or unpublish a stored circuit (its author only, unless shared)."""
    editor = _me()
    try:
        circuit = auth.get_store().circuit(slug)
    except NotFoundError:
        abort(404)
    if not _may_edit(editor, circuit):
        abort(403)
    if request.method == "GET":
        network, _catalog, _t = page_state()
        composed, reason = compose_or_reason(network, circuit.data)
        errors = {"start": reason} if reason else {}
        return _render(circuit.data, circuit=circuit, composed=composed, errors=errors)
    return _handle_post(circuit)


def _handle_post(circuit: StoredCircuit | None) -> tuple[str, int] | BaseResponse:
    """Compute the posted circuit; save / publish / unpublish it when asked and it is valid."""
    editor = _me()
    action = request.form.get("action", "preview")
    data, errors = _form_data()
    if not errors:
        try:
            data = validate_circuit(data)
        except EditorsError as exc:
            errors[exc.field or "slug"] = str(exc)
    network, _catalog, _t = page_state()
    composed, reason, field = (None, "", "") if errors else compose_or_error(network, data)
    if reason:
        errors[field] = reason
    if errors or action == "preview":
        return _render(data, circuit=circuit, composed=composed, errors=errors,
                       status=422 if errors else 200)
    if composed is None:  # pragma: no cover - no error means a computed circuit
        abort(500)
    return _save(data, circuit=circuit, composed=composed, editor=editor, action=action)


def _save(data: CircuitData, *, circuit: StoredCircuit | None, composed: Composed, editor: Editor,
          action: str) -> tuple[str, int] | BaseResponse:
    store = auth.get_store()
    status = {"publish": "published", "unpublish": "draft"}.get(action)
    try:
        if circuit is None:
            saved = store.create_circuit(data, author=editor, figures=composed.figures,
                                         status=status or "draft")
        else:
            version = int(request.form.get("version", "0") or 0)
            saved = store.update_circuit(circuit.slug, data, editor=editor, version=version,
                                         figures=composed.figures, status=status)
    except EditorsError as exc:
        return _render(data, circuit=circuit, composed=composed,
                       errors={exc.field or "slug": str(exc)}, status=422)
    except VersionConflictError as exc:
        return _render(data, circuit=store.circuit(circuit.slug) if circuit else None,
                       composed=composed, errors={}, message=str(exc), status=409)
    except ValueError:
        abort(400)
    return redirect(url_for("editors.edit_circuit", slug=saved.slug, saved=action))


@bp.get("/circuits/office/<name>")
def office_file(name: str) -> BaseResponse:
    """A published circuit's GPX or GeoJSON, built from the current network."""
    slug, _, ext = name.rpartition(".")
    if ext not in ("gpx", "geojson"):
        abort(404)
    try:
        circuit = auth.get_store().circuit(slug)
    except NotFoundError:
        abort(404)
    if circuit.status != "published":
        abort(404)
    network, _catalog, _t = page_state()
    composed, _reason = compose_or_reason(network, circuit.data)
    if composed is None:
        abort(404)
    if ext == "gpx":
        body, mimetype = circuit_gpx(composed), "application/gpx+xml"
    else:
        body = circuit_geojson(composed, title=circuit.data.title_fr, slug=slug)
        mimetype = "application/geo+json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.{ext}"'
    return response

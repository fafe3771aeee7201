"""The editors' pages and the offices' circuits on the mock network: login, CSRF, permissions,
rate limit, composing/saving/publishing, concurrent saves, hostile text, the catalogue and the
read-only API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app
from webapp.editors.auth import get_store
from webapp.editors.store import FREE_FAILURES, Store

PASSWORD = "correct horse battery"
EVIL = "<script>alert('x')</script>\"'; DROP TABLE circuits; --"


@pytest.fixture
def app(mock_compiled: Any, tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "NETWORK": mock_compiled, "INSTANCE_DIR": tmp_path})
    store = get_store(app)
    store.add_editor("ana", password=PASSWORD, office="OT Lens-Liévin")
    store.add_editor("bob", password=PASSWORD, office="OT Béthune-Bruay")
    return app


def _csrf(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _login(client: FlaskClient, user: str = "ana", password: str = PASSWORD) -> Any:
    token = _csrf(client, "/editeurs/connexion")
    return client.post("/editeurs/connexion", data={"csrf_token": token, "username": user,
                                                    "password": password})


def _form(token: str, **kw: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"csrf_token": token, "slug": "berges", "title_fr": "Les berges",
                            "start": "parc-ouest", "places": ["parc-centre"], "profile": "walk",
                            "mode": "length", "target_km": "5", "action": "save"}
    form.update(kw)
    return form


def _store(app: Flask) -> Store:
    return get_store(app)


def test_pages_and_api_refuse_writes_without_session(app: Flask) -> None:
    client = app.test_client()
    for path in ("/circuits/nouveau", "/editeurs"):
        r = client.get(path)
        assert r.status_code == 302 and "/editeurs/connexion" in r.headers["Location"]
    assert client.post("/circuits/nouveau", data={}).status_code in (302, 400)
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)("/api/office-circuits/berges", json={"title_fr": "x"})
        assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    assert client.post("/api/circuits", json={}).status_code == 401
    assert _store(app).circuits() == []


def test_csrf_missing_or_wrong_is_400(app: Flask) -> None:
    client = app.test_client()
    # the login form itself is protected
    r = client.post("/editeurs/connexion", data={"username": "ana", "password": PASSWORD})
    assert r.status_code == 400
    assert _login(client).status_code == 302
    token = _csrf(client, "/circuits/nouveau")
    form = _form(token)
    del form["csrf_token"]
    assert client.post("/circuits/nouveau", data=form).status_code == 400
    assert client.post("/circuits/nouveau", data=_form("x" + token)).status_code == 400
    assert _store(app).circuits() == []


def test_compose_save_publish_and_find_it(app: Flask) -> None:
    client = app.test_client()
    _login(client)
    token = _csrf(client, "/circuits/nouveau")
    preview = client.post("/circuits/nouveau", data=_form(token, action="preview"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="composer-figures"' in html
    assert 'id="elevation"' in html and "Part repassée" in html
    assert _store(app).circuits() == []  # a preview saves nothing
    r = client.post("/circuits/nouveau", data=_form(token))
    assert r.status_code == 302 and r.headers["Location"].startswith("/circuits/berges/modifier")
    saved = _store(app).circuit("berges")
    assert (saved.status, saved.version, saved.author) == ("draft", 1, "ana")
    assert 4500 < saved.figures["distance_m"] < 5500
    api = app.test_client()
    assert api.get("/api/office-circuits").get_json()["circuits"] == []
    assert api.get("/api/office-circuits/berges").status_code == 404  # a draft is not public
    r = client.post("/circuits/berges/modifier", data=_form(token, action="publish", version="1"))
    assert r.status_code == 302
    body = api.get("/api/office-circuits").get_json()["circuits"]
    assert [c["slug"] for c in body] == ["berges"] and "notes" not in body[0]
    page = api.get("/circuits").get_data(as_text=True)
    assert 'id="office-berges"' in page and "choisi par l&#39;office" in page
    gpx = api.get("/circuits/office/berges.gpx")
    assert gpx.status_code == 200 and b"<trkpt" in gpx.data
    geo = api.get("/circuits/office/berges.geojson").get_json()
    assert geo["features"][0]["properties"]["name"] == "Les berges"
    actions = [a["action"] for a in _store(app).audit_trail(slug="berges")]
    assert actions == ["create", "published"]


def test_fixed_order_goes_back_to_start(app: Flask) -> None:
    client = app.test_client()
    _login(client)
    token = _csrf(client, "/circuits/nouveau")
    r = client.post("/circuits/nouveau", data=_form(token, mode="order", target_km="",
                                                    places=["parc-centre", "parc-est"]))
    assert r.status_code == 302
    saved = _store(app).circuit("berges")
    assert saved.data.mode == "order" and saved.data.target_km is None
    assert saved.figures["distance_m"] > 0


def test_another_editors_draft_is_not_editable(app: Flask, mock_compiled: Any,
                                               tmp_path: Path) -> None:
    ana = app.test_client()
    _login(ana)
    ana.post("/circuits/nouveau", data=_form(_csrf(ana, "/circuits/nouveau")))
    bob = app.test_client()
    _login(bob, "bob")
    assert bob.get("/circuits/berges/modifier").status_code == 403
    token = _csrf(bob, "/circuits/nouveau")
    r = bob.post("/circuits/berges/modifier", data=_form(token, title_fr="Volé", version="1"))
    assert r.status_code == 403
    assert _store(app).circuit("berges").data.title_fr == "Les berges"
    shared = create_app({"TESTING": True, "NETWORK": mock_compiled, "INSTANCE_DIR": tmp_path,
                         "EDITORS_SHARE_CIRCUITS": True})
    bob2 = shared.test_client()
    _login(bob2, "bob")
    assert bob2.get("/circuits/berges/modifier").status_code == 200


def test_concurrent_saves_later_one_is_told(app: Flask) -> None:
    ana = app.test_client()
    _login(ana)
    ana.post("/circuits/nouveau", data=_form(_csrf(ana, "/circuits/nouveau")))
    _store(app).add_editor("cleo", password=PASSWORD)
    with app.app_context():
        app.config["EDITORS_SHARE_CIRCUITS"] = True
    bob = app.test_client()
    _login(bob, "cleo")
    ta, tb = _csrf(ana, "/circuits/berges/modifier"), _csrf(bob, "/circuits/berges/modifier")
    assert ana.post("/circuits/berges/modifier",
                    data=_form(ta, title_fr="Version Ana", version="1")).status_code == 302
    r = bob.post("/circuits/berges/modifier", data=_form(tb, title_fr="Version Cléo", version="1"))
    assert r.status_code == 409 and "modifié entre-temps" in r.get_data(as_text=True)
    assert _store(app).circuit("berges").data.title_fr == "Version Ana"


@pytest.mark.parametrize("change, field", [
    (dict(title_fr=""), "title_fr"),
    (dict(title_fr="x" * 10_000), "title_fr"),
    (dict(start="nulle part du tout"), "start"),
    (dict(target_km="beaucoup"), "target_km"),
    (dict(target_km="0.1"), "target_km"),
    (dict(slug="Pas un slug"), "slug"),
])
def test_bad_input_message_next_to_field_nothing_saved(app: Flask, change: dict[str, str],
                                                       field: str) -> None:
    client = app.test_client()
    _login(client)
    r = client.post("/circuits/nouveau", data=_form(_csrf(client, "/circuits/nouveau"), **change))
    assert r.status_code == 422
    assert f'id="error-{field}"' in r.get_data(as_text=True)
    assert _store(app).circuits() == []


def test_slug_taken_is_refused(app: Flask) -> None:
    client = app.test_client()
    _login(client)
    token = _csrf(client, "/circuits/nouveau")
    client.post("/circuits/nouveau", data=_form(token))
    r = client.post("/circuits/nouveau", data=_form(token, title_fr="Autre"))
    assert r.status_code == 422 and 'id="error-slug"' in r.get_data(as_text=True)
    assert [c.data.title_fr for c in _store(app).circuits()] == ["Les berges"]


def test_hostile_text_is_shown_escaped(app: Flask) -> None:
    client = app.test_client()
    _login(client)
    token = _csrf(client, "/circuits/nouveau")
    client.post("/circuits/nouveau", data=_form(token, title_fr=EVIL, description_fr=EVIL,
                                                theme=EVIL[:60], notes=EVIL, action="publish"))
    stored = _store(app).circuit("berges")
    assert stored.data.title_fr == EVIL and stored.data.notes == EVIL
    for page in (client.get("/circuits/berges/modifier"), client.get("/circuits"),
                 client.get("/editeurs")):
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
    assert app.test_client().get("/api/office-circuits/berges").get_json()["title_fr"] == EVIL


def test_disabled_editor_cannot_log_in_and_is_logged_out(app: Flask) -> None:
    client = app.test_client()
    assert _login(client).status_code == 302
    _store(app).set_disabled("ana")
    r = client.get("/circuits/nouveau")
    assert r.status_code == 302 and "/editeurs/connexion" in r.headers["Location"]
    assert _login(app.test_client()).status_code == 401


def test_ten_bad_passwords_slow_down(app: Flask) -> None:
    client = app.test_client()
    for _ in range(FREE_FAILURES):
        assert _login(client, password="wrong password").status_code == 401
    r = _login(client)  # even the right password waits now
    assert r.status_code == 429 and "réessayez dans" in r.get_data(as_text=True)


def test_open_redirect_is_refused(app: Flask) -> None:
    client = app.test_client()
    token = _csrf(client, "/editeurs/connexion")
    r = client.post("/editeurs/connexion?next=//evil.example/x",
                    data={"csrf_token": token, "username": "ana", "password": PASSWORD})
    assert r.headers["Location"] == "/editeurs"


def test_session_secret_generated_once(mock_compiled: Any, tmp_path: Path) -> None:
    create_app({"TESTING": True, "NETWORK": mock_compiled, "INSTANCE_DIR": tmp_path})
    secret = (tmp_path / "secret_key").read_text()
    assert len(secret.strip()) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    again = create_app({"TESTING": True, "NETWORK": mock_compiled, "INSTANCE_DIR": tmp_path})
    assert again.config["SECRET_KEY"] == secret.strip()


def test_new_network_flags_changed_circuits(app: Flask, mock_compiled: Any, tmp_path: Path) -> None:
    store = _store(app)
    ana = store.editor("ana")
    from webapp.editors.store import CircuitData

    data = CircuitData(slug="vieux", title_fr="Vieux", profile="walk", start="parc-ouest",
                       mode="order", places=("parc-centre",))
    store.create_circuit(data, author=ana, status="published",
                         figures={"distance_m": 99_000.0, "climb_m": 0.0})
    store.create_circuit(CircuitData(slug="casse", title_fr="Cassé", profile="walk",
                                     start="parc-ouest", mode="order", places=("parc-isole",)),
                         author=ana, status="published", figures={"distance_m": 1000.0})
    fresh = create_app({"TESTING": True, "NETWORK": mock_compiled, "INSTANCE_DIR": tmp_path})
    flags = {c.slug: c.flag for c in get_store(fresh).circuits()}
    assert "longueur a changé" in flags["vieux"] and "impossible" in flags["casse"]
    page = fresh.test_client().get("/circuits").get_data(as_text=True)
    assert page.count('class="alert office-flag"') == 2


def test_damaged_database_keeps_the_catalogue_up(mock_compiled: Any, tmp_path: Path) -> None:
    (tmp_path / "editors.sqlite3").write_bytes(b"not a database at all" * 100)
    damaged = create_app({"TESTING": True, "NETWORK": mock_compiled, "INSTANCE_DIR": tmp_path})
    r = damaged.test_client().get("/circuits")
    assert r.status_code == 200 and 'id="office-circuits"' not in r.get_data(as_text=True)
    api = damaged.test_client().get("/api/office-circuits")
    assert api.status_code >= 500 and "Traceback" not in api.get_data(as_text=True)

"""The editors' data layer on SQLite and on a throwaway PostgreSQL: migrations, accounts, login
rate limit, circuits with optimistic concurrency, the audit trail, hostile text."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from webapp.editors import schema
from webapp.editors.store import (
    FREE_FAILURES,
    CircuitData,
    EditorsError,
    LoginError,
    LoginThrottledError,
    NotFoundError,
    VersionConflictError,
    open_store,
)

PASSWORD = "correct horse battery"
EVIL = "<script>alert('x')</script>'; DROP TABLE circuits; --"


def _data(slug: str = "tour-des-terrils", **kw: object) -> CircuitData:
    base: dict[str, object] = dict(slug=slug, title_fr="Tour des terrils", profile="walk",
                                   start="louvre-lens", mode="length", target_km=10.0,
                                   places=("terril:T074",))
    base.update(kw)
    return CircuitData(**base)  # type: ignore[arg-type]


def test_migrations_from_empty(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    assert schema.current_version(engine) == 0
    assert schema.migrate(engine) == schema.LATEST
    tables = set(sa.inspect(engine).get_table_names())
    assert {"editors", "circuits", "audit", "schema_version"} <= tables
    assert schema.migrate(engine) == schema.LATEST  # idempotent
    engine.dispose()


def test_migration_from_previous_version_keeps_rows(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    schema.migrate(engine, target=schema.LATEST - 1)
    cols = {c["name"] for c in sa.inspect(engine).get_columns("circuits")}
    assert "flag" not in cols and not sa.inspect(engine).has_table("audit")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO editors (username, display_name, office, password_hash, disabled, "
            "failed_logins, created_at) VALUES ('ana', 'Ana', 'OT Lens', 'x', false, 0, 1.0)"))
        conn.execute(sa.text(
            "INSERT INTO circuits (slug, title_fr, title_en, description_fr, description_en, profile,"
            " start, places, mode, target_km, theme, notes, status, author_id, created_at, "
            "updated_at, version) VALUES ('old', 'Ancien', '', '', '', 'walk', 'louvre-lens', '[]',"
            " 'length', 8.0, '', '', 'published', 1, 1.0, 1.0, 3)"))
    engine.dispose()
    store = open_store(db_url)
    assert schema.current_version(store.engine) == schema.LATEST
    old = store.circuit("old")
    assert (old.data.title_fr, old.status, old.version, old.author, old.flag) == (
        "Ancien", "published", 3, "ana", "")
    store.close()


def test_editors_and_login(db_url: str) -> None:
    store = open_store(db_url)
    ana = store.add_editor("ana", password=PASSWORD, display_name="Ana", office="OT Lens-Liévin")
    with pytest.raises(EditorsError, match="existe déjà"):
        store.add_editor("ana", password=PASSWORD)
    with pytest.raises(EditorsError, match="password"):
        store.add_editor("bob", password="short")
    assert [e.username for e in store.list_editors()] == ["ana"]
    assert store.login("ana", PASSWORD) == ana
    with pytest.raises(LoginError):
        store.login("ana", "wrong password")
    with pytest.raises(LoginError):
        store.login("nobody", PASSWORD)
    store.set_disabled("ana")
    with pytest.raises(LoginError):
        store.login("ana", PASSWORD)
    store.set_disabled("ana", disabled=False)
    assert store.login("ana", PASSWORD).username == "ana"
    with pytest.raises(NotFoundError):
        store.set_disabled("nobody")
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT password_hash FROM editors")).scalar_one()
    assert PASSWORD not in row and row.startswith(("scrypt:", "pbkdf2:"))
    store.close()


def test_ten_bad_passwords_slow_further_tries(db_url: str) -> None:
    store = open_store(db_url)
    store.add_editor("ana", password=PASSWORD)
    t = 1000.0
    for i in range(FREE_FAILURES):
        with pytest.raises(LoginError) as err:
            store.login("ana", "bad", now=t + i)
        assert not isinstance(err.value, LoginThrottledError)
    # the right password right after the tenth failure is refused without being checked
    with pytest.raises(LoginThrottledError) as throttled:
        store.login("ana", PASSWORD, now=t + FREE_FAILURES - 1 + 0.5)
    assert throttled.value.wait_s > 0
    # after the wait it works, and the counter is reset
    assert store.login("ana", PASSWORD, now=t + 1000).username == "ana"
    with pytest.raises(LoginError) as again:
        store.login("ana", "bad", now=t + 1001)
    assert not isinstance(again.value, LoginThrottledError)
    store.close()


def test_circuits_versions_and_audit(db_url: str) -> None:
    store = open_store(db_url)
    ana = store.add_editor("ana", password=PASSWORD)
    bob = store.add_editor("bob", password=PASSWORD)
    c = store.create_circuit(_data(), author=ana)
    assert (c.status, c.version, c.author) == ("draft", 1, "ana")
    with pytest.raises(EditorsError, match="déjà pris") as taken:
        store.create_circuit(_data(title_fr="Autre"), author=bob)
    assert taken.value.field == "slug"
    # two editors open version 1; the first save wins, the later is told, nothing overwritten
    first = store.update_circuit(c.slug, _data(title_fr="Par Ana"), editor=ana, version=1)
    assert first.version == 2
    with pytest.raises(VersionConflictError, match="modifié entre-temps"):
        store.update_circuit(c.slug, _data(title_fr="Par Bob"), editor=bob, version=1)
    assert store.circuit(c.slug).data.title_fr == "Par Ana"
    pub = store.set_status(c.slug, editor=ana, status="published", version=2)
    assert (pub.status, pub.version) == ("published", 3)
    assert [x.slug for x in store.circuits(status="published")] == [c.slug]
    assert store.circuits(status="draft") == []
    actions = [(a["editor"], a["action"]) for a in store.audit_trail(slug=c.slug)]
    assert actions == [("ana", "create"), ("ana", "update"), ("ana", "published")]
    store.close()


@pytest.mark.parametrize("bad, field", [
    (dict(title_fr="   "), "title_fr"),
    (dict(title_fr="x" * 10_000), "title_fr"),
    (dict(slug="Pas Un Slug"), "slug"),
    (dict(profile="car"), "profile"),
    (dict(mode="length", target_km=None), "target_km"),
    (dict(mode="order", places=()), "places"),
])
def test_bad_circuits_save_nothing(bad: dict[str, object], field: str, tmp_path: object) -> None:
    store = open_store(f"sqlite:///{tmp_path}/e.sqlite3")
    ana = store.add_editor("ana", password=PASSWORD)
    with pytest.raises(EditorsError) as err:
        store.create_circuit(_data(**bad), author=ana)
    assert err.value.field == field
    assert store.circuits() == []
    store.close()


def test_hostile_text_is_stored_verbatim(db_url: str) -> None:
    store = open_store(db_url)
    ana = store.add_editor("ana", password=PASSWORD)
    c = store.create_circuit(_data(title_fr=EVIL, description_fr=EVIL, notes=EVIL, theme="x'--",
                                   places=(EVIL[:60], "terril:T074")), author=ana)
    back = store.circuit(c.slug)
    assert back.data.title_fr == back.data.description_fr == back.data.notes == EVIL
    assert back.data.places[0] == EVIL[:60]
    assert len(store.circuits()) == 1  # the table is still there
    with store.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT places FROM circuits")).scalar_one()
    assert json.loads(raw)[0] == EVIL[:60]
    store.close()

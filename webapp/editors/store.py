"""The editors' data layer: accounts, circuits and the audit trail, on SQLite or PostgreSQL.

One :class:`Store` wraps a SQLAlchemy engine. Every query is parameterised (SQLAlchemy Core), so
quotes, semicolons or ``<script>`` in a field are stored as they are. SQLite databases run in WAL
mode with ``synchronous=FULL``: a process killed during a save loses at most that save.

Saves use optimistic concurrency: :meth:`Store.update_circuit` names the version it started from;
if the row has changed since, :class:`VersionConflictError` is raised and nothing is written.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from werkzeug.security import check_password_hash, generate_password_hash

from parcs._errors import ParcsError
from routing import bounds
from webapp.editors import schema
from webapp.editors.schema import audit, circuits, editors

#: Consecutive bad passwords before further tries are slowed down.
FREE_FAILURES = 10
#: Wait after the free failures (seconds), doubled per further failure, at most :data:`MAX_WAIT_S`.
BASE_WAIT_S = 2.0
MAX_WAIT_S = 300.0
#: Field bounds.
MAX_TITLE = bounds.MAX_PLACE_LENGTH
MAX_TEXT = 20_000
MAX_PLACES = bounds.MAX_THROUGH
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
PROFILES = ("walk", "bike", "family")
MODES = ("length", "order")
STATUSES = ("draft", "published")


class EditorsError(ParcsError, ValueError):
    """A bad value for an account or a circuit; ``field`` names the form field at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class LoginError(ParcsError, PermissionError):
    """Wrong user name or password, or a disabled account (one message for all)."""


class LoginThrottledError(LoginError):
    """Too many bad passwords in a row: wait ``wait_s`` seconds."""

    def __init__(self, message: str, *, wait_s: float) -> None:
        super().__init__(message)
        self.wait_s = wait_s


class VersionConflictError(ParcsError, RuntimeError):
    """The circuit changed since the editor opened it; nothing was written."""


class NotFoundError(ParcsError, LookupError):
    """No such circuit or editor."""


@dataclass(frozen=True)
class Editor:
    """An account that may compose and publish circuits."""

    id: int
    username: str
    display_name: str
    office: str
    disabled: bool


@dataclass(frozen=True)
class CircuitData:
    """What an editor writes about a circuit (validated by :func:`validate_circuit`)."""

    slug: str
    title_fr: str
    profile: str
    start: str
    mode: str
    places: tuple[str, ...] = ()
    target_km: float | None = None
    title_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    theme: str = ""
    notes: str = ""


@dataclass(frozen=True)
class StoredCircuit:
    """A circuit as stored, with its status, author and version."""

    id: int
    data: CircuitData
    status: str
    author: str
    author_id: int
    created_at: float
    updated_at: float
    version: int
    figures: Mapping[str, Any] = field(default_factory=dict)
    flag: str = ""

    @property
    def slug(self) -> str:
        """The circuit's slug (its URL name)."""
        return self.data.slug


def _text(value: str, name: str, *, limit: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise EditorsError(f"{name} : obligatoire", field=name)
    if len(value) > limit:
        raise EditorsError(f"{name} : au plus {limit} caractères", field=name)
    return value


def validate_circuit(data: CircuitData) -> CircuitData:
    """Check and normalise what an editor wrote (French messages naming the field)."""
    if not SLUG.match(data.slug):
        raise EditorsError("slug : lettres minuscules, chiffres et tirets (80 au plus)", field="slug")
    if data.profile not in PROFILES:
        raise EditorsError(f"profile : un de {', '.join(PROFILES)}", field="profile")
    if data.mode not in MODES:
        raise EditorsError("mode : « length » ou « order »", field="mode")
    places = tuple(p.strip() for p in data.places if p.strip())
    if len(places) > MAX_PLACES or any(len(p) > MAX_TITLE for p in places):
        raise EditorsError(f"places : au plus {MAX_PLACES} lieux", field="places")
    if data.mode == "length":
        low, high = bounds.LOOP_DISTANCE_KM
        if data.target_km is None or not low <= data.target_km <= high:
            raise EditorsError(f"target_km : une longueur entre {low:g} et {high:g} km",
                               field="target_km")
    elif not places:
        raise EditorsError("places : l'ordre fixe demande au moins un lieu", field="places")
    return CircuitData(
        slug=data.slug, profile=data.profile, mode=data.mode, places=places,
        target_km=data.target_km if data.mode == "length" else None,
        title_fr=_text(data.title_fr, "title_fr", limit=MAX_TITLE, required=True),
        title_en=_text(data.title_en, "title_en", limit=MAX_TITLE),
        start=_text(data.start, "start", limit=MAX_TITLE, required=True),
        description_fr=_text(data.description_fr, "description_fr", limit=MAX_TEXT),
        description_en=_text(data.description_en, "description_en", limit=MAX_TEXT),
        theme=_text(data.theme, "theme", limit=64),
        notes=_text(data.notes, "notes", limit=MAX_TEXT),
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def sqlite_url(instance: str | Path) -> str:
    """The default database: ``editors.sqlite3`` in the Flask instance folder ``instance``."""
    path = Path(instance) / "editors.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the database at ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``).

    With ``migrate`` (the default) the schema is created or brought to the latest version.
    """
    options: dict[str, Any] = {}
    if url == "sqlite://":  # in memory: one connection shared by every thread
        options = {"poolclass": sa.pool.StaticPool, "connect_args": {"check_same_thread": False}}
    try:
        engine = sa.create_engine(url, future=True, pool_pre_ping=True, **options)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise EditorsError(f"base de données : adresse invalide ({exc})") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    store = Store(engine)
    if migrate:
        schema.migrate(engine)
    return store


def _circuit(row: Any) -> StoredCircuit:
    m = row._mapping
    data = CircuitData(
        slug=m["slug"], title_fr=m["title_fr"], title_en=m["title_en"], profile=m["profile"],
        start=m["start"], mode=m["mode"], places=tuple(json.loads(m["places"])),
        target_km=m["target_km"], description_fr=m["description_fr"],
        description_en=m["description_en"], theme=m["theme"], notes=m["notes"],
    )
    return StoredCircuit(m["id"], data, m["status"], m["username"], m["author_id"],
                         m["created_at"], m["updated_at"], m["version"],
                         json.loads(m["figures"] or "{}"), m["flag"])


def _values(data: CircuitData) -> dict[str, Any]:
    return {
        "slug": data.slug, "title_fr": data.title_fr, "title_en": data.title_en,
        "description_fr": data.description_fr, "description_en": data.description_en,
        "profile": data.profile, "start": data.start, "places": json.dumps(list(data.places)),
        "mode": data.mode, "target_km": data.target_km, "theme": data.theme, "notes": data.notes,
    }


def _editor(row: Any) -> Editor:
    m = row._mapping
    return Editor(m["id"], m["username"], m["display_name"], m["office"], bool(m["disabled"]))


class Store:
    """Accounts, circuits and the audit trail in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- editors ---------------------------------------------------------------------------
    def add_editor(self, username: str, *, password: str, display_name: str = "",
                   office: str = "") -> Editor:
        """Create an account (the password is stored as a werkzeug hash)."""
        if not USERNAME.match(username):
            raise EditorsError("username : 2 à 64 lettres, chiffres, « . _ @ - »", field="username")
        if len(password) < 10:
            raise EditorsError("password : au moins 10 caractères", field="password")
        try:
            with self.engine.begin() as conn:
                conn.execute(editors.insert().values(
                    username=username, display_name=display_name[:200], office=office[:200],
                    password_hash=generate_password_hash(password), disabled=False,
                    failed_logins=0, created_at=time.time()))
                self._audit(conn, username, "editor-add", "", "")
        except sa.exc.IntegrityError as exc:
            raise EditorsError(f"username : « {username} » existe déjà", field="username") from exc
        return self.editor(username)

    def editor(self, username: str) -> Editor:
        """The account named ``username``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(editors).where(editors.c.username == username)).first()
        if row is None:
            raise NotFoundError(f"éditeur inconnu : {username}")
        return _editor(row)

    def editor_by_id(self, editor_id: int) -> Editor | None:
        """The account ``editor_id``, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(editors).where(editors.c.id == editor_id)).first()
        return None if row is None else _editor(row)

    def list_editors(self) -> list[Editor]:
        """Every account, by user name."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(editors).order_by(editors.c.username)).all()
        return [_editor(r) for r in rows]

    def set_disabled(self, username: str, *, disabled: bool = True) -> Editor:
        """Disable (or enable again) an account."""
        with self.engine.begin() as conn:
            n = conn.execute(editors.update().where(editors.c.username == username)
                             .values(disabled=disabled)).rowcount
            if n == 0:
                raise NotFoundError(f"éditeur inconnu : {username}")
            self._audit(conn, username, "editor-disable" if disabled else "editor-enable", "", "")
        return self.editor(username)

    def login(self, username: str, password: str, *, now: float | None = None) -> Editor:
        """Check a password; raises :class:`LoginError` or :class:`LoginThrottledError`.

        After :data:`FREE_FAILURES` bad passwords in a row, each further try must wait
        ``BASE_WAIT_S * 2**(extra failures)`` seconds (at most :data:`MAX_WAIT_S`) after the last
        failure; a try during the wait is refused without checking the password. A disabled
        account gets the same answer as a wrong password.
        """
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(editors).where(editors.c.username == username)
                               .with_for_update()).first()
            if row is None:
                check_password_hash(_DUMMY_HASH, password)  # same time as a real check
                raise LoginError("identifiant ou mot de passe incorrect")
            m = row._mapping
            wait = throttle_wait(m["failed_logins"], m["last_failed_at"], now=now)
            if wait > 0:
                raise LoginThrottledError(
                    f"trop d'essais : réessayez dans {int(wait) + 1} s", wait_s=wait)
            good = check_password_hash(m["password_hash"], password)
            conn.execute(editors.update().where(editors.c.id == m["id"]).values(
                failed_logins=0 if good else editors.c.failed_logins + 1,
                last_failed_at=None if good else now))
        if not good or m["disabled"]:
            raise LoginError("identifiant ou mot de passe incorrect")
        return _editor(row)

    # -- circuits --------------------------------------------------------------------------
    def _select(self) -> sa.Select[Any]:
        return sa.select(circuits, editors.c.username).join(
            editors, circuits.c.author_id == editors.c.id)

    def circuit(self, slug: str) -> StoredCircuit:
        """The circuit ``slug`` (any status)."""
        with self.engine.connect() as conn:
            row = conn.execute(self._select().where(circuits.c.slug == slug)).first()
        if row is None:
            raise NotFoundError(f"circuit inconnu : {slug}")
        return _circuit(row)

    def circuits(self, *, status: str | None = None) -> list[StoredCircuit]:
        """Every circuit (or those of one status), by slug."""
        query = self._select().order_by(circuits.c.slug)
        if status is not None:
            query = query.where(circuits.c.status == status)
        with self.engine.connect() as conn:
            return [_circuit(r) for r in conn.execute(query).all()]

    def create_circuit(self, data: CircuitData, *, author: Editor,
                       figures: Mapping[str, Any] | None = None, status: str = "draft",
                       now: float | None = None) -> StoredCircuit:
        """Save a new circuit as a draft (version 1); a taken slug is refused."""
        data = validate_circuit(data)
        now = time.time() if now is None else now
        if status not in STATUSES:
            raise EditorsError("status : draft ou published", field="status")
        try:
            with self.engine.begin() as conn:
                conn.execute(circuits.insert().values(
                    **_values(data), status=status, author_id=author.id, created_at=now,
                    updated_at=now, version=1, figures=json.dumps(dict(figures or {})), flag=""))
                self._audit(conn, author.username, "create", data.slug, data.title_fr)
        except sa.exc.IntegrityError as exc:
            raise EditorsError(f"slug : « {data.slug} » est déjà pris", field="slug") from exc
        return self.circuit(data.slug)

    def update_circuit(self, slug: str, data: CircuitData, *, editor: Editor, version: int,
                       figures: Mapping[str, Any] | None = None,
                       status: str | None = None) -> StoredCircuit:
        """Save ``data`` over circuit ``slug`` if it is still at ``version``.

        Raises
        ------
        VersionConflictError
            Someone saved the circuit since ``version``; nothing is written.
        """
        data = validate_circuit(data)
        values: dict[str, Any] = {**_values(data), "updated_at": time.time(),
                                  "version": version + 1}
        if figures is not None:
            values.update(figures=json.dumps(dict(figures)), flag="")
        if status is not None:
            if status not in STATUSES:
                raise EditorsError("status : draft ou published", field="status")
            values["status"] = status
        try:
            with self.engine.begin() as conn:
                n = conn.execute(circuits.update().where(
                    circuits.c.slug == slug, circuits.c.version == version).values(**values)).rowcount
                if n == 1:
                    self._audit(conn, editor.username, status or "update", data.slug, slug)
        except sa.exc.IntegrityError as exc:
            raise EditorsError(f"slug : « {data.slug} » est déjà pris", field="slug") from exc
        if n != 1:
            self.circuit(slug)  # NotFoundError when it is gone
            raise VersionConflictError(
                "ce circuit a été modifié entre-temps par quelqu'un d'autre ; rechargez la page")
        return self.circuit(data.slug)

    def set_status(self, slug: str, *, editor: Editor, status: str, version: int) -> StoredCircuit:
        """Publish or unpublish circuit ``slug`` (version-checked)."""
        current = self.circuit(slug)
        return self.update_circuit(slug, current.data, editor=editor, version=version, status=status)

    def set_flag(self, slug: str, *, flag: str) -> None:
        """Record why the current network changes circuit ``slug`` ("" clears)."""
        with self.engine.begin() as conn:
            conn.execute(circuits.update().where(circuits.c.slug == slug).values(flag=flag))

    def restore(self, circuit: StoredCircuit, *, author: Editor) -> StoredCircuit:
        """Insert or replace a circuit from a backup (``parcs circuits import``)."""
        with self.engine.begin() as conn:
            conn.execute(circuits.delete().where(circuits.c.slug == circuit.slug))
            conn.execute(circuits.insert().values(
                **_values(validate_circuit(circuit.data)), status=circuit.status,
                author_id=author.id, created_at=circuit.created_at, updated_at=circuit.updated_at,
                version=circuit.version, figures=json.dumps(dict(circuit.figures)), flag=circuit.flag))
            self._audit(conn, author.username, "import", circuit.slug, "")
        return self.circuit(circuit.slug)

    # -- audit -----------------------------------------------------------------------------
    @staticmethod
    def _audit(conn: sa.Connection, who: str, action: str, slug: str, detail: str) -> None:
        conn.execute(audit.insert().values(at=time.time(), editor=who, action=action,
                                           circuit=slug, detail=detail[:500]))

    def audit_trail(self, *, slug: str | None = None) -> list[dict[str, Any]]:
        """The audit entries (of one circuit), oldest first."""
        query = sa.select(audit).order_by(audit.c.id)
        if slug is not None:
            query = query.where(audit.c.circuit == slug)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query).all()]


def throttle_wait(failures: int, last_failed_at: float | None, *, now: float) -> float:
    """Seconds still to wait before the next login try after ``failures`` bad passwords in a row."""
    if failures < FREE_FAILURES or last_failed_at is None:
        return 0.0
    wait = min(MAX_WAIT_S, BASE_WAIT_S * 2.0 ** (failures - FREE_FAILURES))
    return max(0.0, last_failed_at + wait - now)


_DUMMY_HASH = generate_password_hash("not a password of anyone")


def circuit_fields(circuit: StoredCircuit) -> dict[str, Any]:
    """Every stored field of a circuit as plain values (export, API)."""
    d = circuit.data
    return {
        "slug": d.slug, "title_fr": d.title_fr, "title_en": d.title_en,
        "description_fr": d.description_fr, "description_en": d.description_en,
        "profile": d.profile, "start": d.start, "places": list(d.places), "mode": d.mode,
        "target_km": d.target_km, "theme": d.theme, "notes": d.notes, "status": circuit.status,
        "author": circuit.author, "created_at": circuit.created_at,
        "updated_at": circuit.updated_at, "version": circuit.version,
        "figures": dict(circuit.figures), "flag": circuit.flag,
    }


def data_from_fields(fields: Mapping[str, Any], *, places: Sequence[str] | None = None) -> CircuitData:
    """A :class:`CircuitData` from :func:`circuit_fields`-like values (import)."""
    try:
        target = fields.get("target_km")
        return CircuitData(
            slug=str(fields["slug"]), title_fr=str(fields["title_fr"]),
            title_en=str(fields.get("title_en", "")), profile=str(fields["profile"]),
            start=str(fields["start"]), mode=str(fields["mode"]),
            places=tuple(str(p) for p in (places if places is not None else fields.get("places", []))),
            target_km=None if target in (None, "") else float(target),
            description_fr=str(fields.get("description_fr", "")),
            description_en=str(fields.get("description_en", "")),
            theme=str(fields.get("theme", "")), notes=str(fields.get("notes", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise EditorsError(f"circuit : champ manquant ou invalide ({exc})") from exc

"""Tables of the editors' database and the migrations that create them (SQLAlchemy Core).

The schema is versioned: table ``schema_version`` holds one row, the version applied. Each entry of
:data:`MIGRATIONS` takes a database from version ``n - 1`` to ``n`` inside one transaction, on
SQLite and on PostgreSQL alike; :func:`migrate` applies the missing ones.

- version 1: ``editors`` (accounts) and ``circuits`` (the offices' circuits, with a ``version``
  number for optimistic concurrency);
- version 2: ``audit`` (who changed what, when) and the circuits' reference figures and network
  flag (``figures``, ``flag``), compared on each new network build.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

editors = sa.Table(
    "editors", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False, default=""),
    sa.Column("office", sa.String(200), nullable=False, default=""),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("last_failed_at", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

def _circuit_columns() -> list[sa.Column[object]]:
    """The columns of ``circuits`` at version 1 (fresh objects for each table built)."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title_fr", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False, default=""),
        sa.Column("description_fr", sa.Text, nullable=False, default=""),
        sa.Column("description_en", sa.Text, nullable=False, default=""),
        sa.Column("profile", sa.String(16), nullable=False),
        sa.Column("start", sa.String(200), nullable=False),
        sa.Column("places", sa.Text, nullable=False, default="[]"),  # JSON list of place texts
        sa.Column("mode", sa.String(16), nullable=False),  # "length" or "order"
        sa.Column("target_km", sa.Float, nullable=True),
        sa.Column("theme", sa.String(64), nullable=False, default=""),
        sa.Column("notes", sa.Text, nullable=False, default=""),
        sa.Column("status", sa.String(16), nullable=False, default="draft"),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("editors.id"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, default=1),
    ]


circuits = sa.Table(
    "circuits", metadata, *_circuit_columns(),
    # version 2: the figures recorded at the last save, and why the current network differs
    sa.Column("figures", sa.Text, nullable=False, default="{}"),
    sa.Column("flag", sa.Text, nullable=False, default=""),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("editor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("circuit", sa.String(80), nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

def _v1(conn: Connection) -> None:
    schema_version.create(conn)
    conn.execute(schema_version.insert().values(version=0))
    editors.create(conn)
    v1 = sa.MetaData()
    editors.to_metadata(v1)
    sa.Table("circuits", v1, *_circuit_columns()).create(conn)


def _v2(conn: Connection) -> None:
    audit.create(conn)
    conn.execute(sa.text("ALTER TABLE circuits ADD COLUMN figures TEXT NOT NULL DEFAULT '{}'"))
    conn.execute(sa.text("ALTER TABLE circuits ADD COLUMN flag TEXT NOT NULL DEFAULT ''"))


#: ``MIGRATIONS[n - 1]`` takes the database from version ``n - 1`` to ``n``.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1, _v2)
LATEST = len(MIGRATIONS)


def current_version(engine: Engine) -> int:
    """The schema version of the database (0 when empty)."""
    if not sa.inspect(engine).has_table("schema_version"):
        return 0
    with engine.connect() as conn:
        return int(conn.execute(sa.select(schema_version.c.version)).scalar_one())


def migrate(engine: Engine, *, target: int = LATEST) -> int:
    """Apply the missing migrations up to ``target``, each in its own transaction.

    Returns
    -------
    int
        The version after migration.
    """
    version = current_version(engine)
    while version < target:
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            version += 1
            conn.execute(schema_version.update().values(version=version))
    return version

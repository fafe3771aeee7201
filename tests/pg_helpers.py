"""A throwaway PostgreSQL cluster for the tests (Debian's ``postgresql`` package, ``make pg``).

:func:`throwaway_postgres` runs ``initdb`` and ``pg_ctl`` in a fresh temporary folder (as the
``postgres`` user when the tests run as root, since PostgreSQL refuses root), listening only on a
Unix socket in that folder, and stops and deletes it afterwards. If the cluster cannot start the
caller fails with the reason: nothing is skipped silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _tool(name: str) -> str:
    for d in PG_BIN_DIRS:
        if (d / name).is_file():
            return str(d / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: apt-get install -y postgresql (make pg)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], *, as_postgres: bool) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip() or proc.stdout.strip()}")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a temporary cluster; yield its SQLAlchemy URL (``postgresql+psycopg://...``)."""
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="parcs-pg-"))
    data = root / "data"
    if as_postgres:
        shutil.chown(root, user="postgres")
    port = _free_port()
    started = False
    try:
        _run([_tool("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
              "--no-sync"], as_postgres=as_postgres)
        opts = f"-k {root} -p {port} -c listen_addresses='' -c fsync=off"
        _run([_tool("pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w",
              "start"], as_postgres=as_postgres)
        started = True
        yield f"postgresql+psycopg://postgres@/postgres?host={root}&port={port}"
    finally:
        if started:
            _run([_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                 as_postgres=as_postgres)
        shutil.rmtree(root, ignore_errors=True)


def new_database(url: str, name: str) -> str:
    """Create database ``name`` in the cluster at ``url``; its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.replace("/postgres?", f"/{name}?")

"""``parcs editors`` and ``parcs circuits export|import``: accounts from the command line, and a
backup that round-trips every stored field as TOML and as GeoJSON; bad input is one French line
and exit code 2. Also: a server process killed (SIGKILL) in the middle of saves never corrupts the
SQLite file."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parcs_cli.main import main
from webapp.editors.store import CircuitData, circuit_fields, open_store

PASSWORD = "correct horse battery"
EVIL = "<script>alert(1)</script>\"'; DROP TABLE circuits; -- \\ \n ligne"


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_editors_add_list_disable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'e.sqlite3'}"]
    assert _run(monkeypatch, ["editors", "add", "ana", "--office", "OT Lens", *db], PASSWORD) == 0
    assert _run(monkeypatch, ["editors", "add", "ana", *db], PASSWORD) == 2
    assert "existe déjà" in capsys.readouterr().err
    assert _run(monkeypatch, ["editors", "add", "bob", *db], "court") == 2
    assert _run(monkeypatch, ["editors", "disable", "ana", *db]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, ["editors", "list", *db]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["ana", "désactivé"]
    assert _run(monkeypatch, ["editors", "disable", "nobody", *db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inconnu" in err
    store = open_store(db[1])
    assert store.editor("ana").disabled
    store.close()


def _filled(url: str) -> list[dict[str, object]]:
    store = open_store(url)
    ana = store.add_editor("ana", password=PASSWORD)
    store.create_circuit(CircuitData(slug="a", title_fr=EVIL, title_en="The A", profile="bike",
                                     start="parc-ouest", mode="length", target_km=12.5,
                                     places=("parc-centre", "terril:T001"), description_fr=EVIL,
                                     description_en="en", theme="terrils", notes=EVIL),
                         author=ana, status="published", figures={"distance_m": 12_400.0})
    store.create_circuit(CircuitData(slug="b", title_fr="B", profile="walk", start="parc-est",
                                     mode="order", places=("parc-centre",)), author=ana)
    store.set_flag("b", flag="longueur changée")
    fields = [circuit_fields(c) for c in store.circuits()]
    store.close()
    return fields


@pytest.mark.parametrize("fmt", ["toml", "geojson"])
def test_export_import_round_trip(fmt: str, monkeypatch: pytest.MonkeyPatch,
                                  tmp_path: Path) -> None:
    src, dst = f"sqlite:///{tmp_path / 'src.sqlite3'}", f"sqlite:///{tmp_path / 'dst.sqlite3'}"
    before = _filled(src)
    out = tmp_path / f"backup.{fmt}"
    monkeypatch.setenv("PARCS_BUILD_DIR", str(tmp_path / "no-build"))
    assert _run(monkeypatch, ["circuits", "export", "--format", fmt, "--out", str(out),
                              "--database", src]) == 0
    # into an empty database: the author does not exist there
    assert _run(monkeypatch, ["circuits", "import", str(out), "--database", dst]) == 2
    store = open_store(dst)
    store.add_editor("ana", password=PASSWORD)
    store.close()
    assert _run(monkeypatch, ["circuits", "import", str(out), "--database", dst]) == 0
    store = open_store(dst)
    after = [circuit_fields(c) for c in store.circuits()]
    store.close()
    assert after == before
    # importing again replaces, never duplicates
    assert _run(monkeypatch, ["circuits", "import", str(out), "--database", dst]) == 0


def test_import_bad_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'e.sqlite3'}"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[[circuit]]\nslug = ", encoding="utf-8")
    assert _run(monkeypatch, ["circuits", "import", str(bad), *db]) == 2
    assert "illisible" in capsys.readouterr().err
    assert _run(monkeypatch, ["circuits", "import", str(tmp_path / "none.toml"), *db]) == 2
    missing = tmp_path / "missing.toml"
    missing.write_text('[[circuit]]\nslug = "x"\n', encoding="utf-8")
    assert _run(monkeypatch, ["circuits", "import", str(missing), *db]) == 2


SAVER = """
import sys, time
from webapp.editors.store import CircuitData, open_store
store = open_store(sys.argv[1])
ana = store.editor("ana")
i = 0
while True:
    i += 1
    store.create_circuit(CircuitData(slug=f"c{i}", title_fr="x" * 150, profile="walk",
                         start="parc-ouest", mode="length", target_km=5.0,
                         description_fr="y" * 15000), author=ana)
    if i == 5:
        print("ready", flush=True)
"""


def test_kill_9_during_saves_never_corrupts(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    url = f"sqlite:///{path}"
    store = open_store(url)
    store.add_editor("ana", password=PASSWORD)
    store.close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for round_ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, url], stdout=subprocess.PIPE,
                                env=env, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0.05 * (round_ + 1))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store = open_store(url)
        circuits = store.circuits()
        assert len(circuits) >= 5 and all(len(c.data.description_fr) == 15000 for c in circuits)
        store.close()
        with sqlite3.connect(path) as conn:  # the next process starts its slugs again
            conn.execute("DELETE FROM circuits")

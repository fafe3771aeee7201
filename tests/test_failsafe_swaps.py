"""Atomic swaps of build folders (issue 15, item 6): readers never see a missing or half-written
build while two writers swap versions in; concurrent builds are serialised by a lock; what killed
writers leave is cleaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from parcs._errors import BuildBusyError
from parcs.atomic import atomic_dir, clean_dir, lock_dir, resolve_dir
from parcs_cli import main as cli

#: Swaps per writer: two writers take a few seconds together on the development machine.
SWAPS = 100
WRITER = textwrap.dedent("""
    import sys
    from parcs.atomic import atomic_dir
    target, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    payload = "x" * 200_000
    for i in range(count):
        with atomic_dir(target) as tmp:
            token = f"{name}-{i}"
            (tmp / "meta.json").write_text(token)
            (tmp / "compiled.npz").write_text(payload + token)
""")


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}


def _read(target: Path) -> str | None:
    """What a reader does: resolve the build once, read two files of it; None when inconsistent."""
    try:
        build = resolve_dir(target)
        meta = (build / "meta.json").read_text()
        data = (build / "compiled.npz").read_text()
        through_link = (target / "meta.json").read_text()
    except OSError:
        return None
    return meta if data.endswith(meta) and through_link else None


def test_two_writers_and_a_polling_reader(tmp_path: Path) -> None:
    target = tmp_path / "opendata"
    with atomic_dir(target) as tmp:
        (tmp / "meta.json").write_text("first")
        (tmp / "compiled.npz").write_text("first")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(target), name, str(SWAPS)],
                                env=_env(), stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    checks = failures = 0
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
        token = _read(target)
        checks += 1
        if token is None:
            failures += 1
        else:
            seen.add(token)
    for w in writers:
        _, err = w.communicate(timeout=30)
        assert w.returncode == 0, err
    assert checks > 100 and failures == 0, f"{failures} failures in {checks} checks"
    assert len(seen) > 2  # the reader did see swaps happen
    assert _read(target) in {f"a-{SWAPS - 1}", f"b-{SWAPS - 1}"}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".opendata.lock"]
    assert leftovers == []
    clean_dir(target, grace=0)
    versions = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("opendata."))
    assert len(versions) == 2 and resolve_dir(target).name == versions[-1]  # current and previous


def test_a_killed_writer_leaves_nothing_the_next_one_keeps(tmp_path: Path) -> None:
    target = tmp_path / "opendata"
    with atomic_dir(target) as tmp:
        (tmp / "meta.json").write_text("good")
    script = textwrap.dedent("""
        import sys, time
        from parcs.atomic import atomic_dir
        with atomic_dir(sys.argv[1]) as tmp:
            (tmp / "meta.json").write_text("half")
            print("writing", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], env=_env(),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert (target / "meta.json").read_text() == "good"  # the reader still sees the last build
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".opendata.") and p.is_dir()]
    with atomic_dir(target) as tmp:  # the lock died with the writer: no wait
        (tmp / "meta.json").write_text("next")
    assert (target / "meta.json").read_text() == "next"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".opendata.lock"]


def test_a_second_writer_is_refused_or_waits(tmp_path: Path) -> None:
    target = tmp_path / "opendata"
    with (lock_dir(target), pytest.raises(BuildBusyError, match="une autre construction"),
          atomic_dir(target, wait=False)):
        pass
    with atomic_dir(target, wait=False) as tmp:  # released: goes through
        (tmp / "meta.json").write_text("ok")
    assert (target / "meta.json").read_text() == "ok"


def test_parcs_build_refuses_a_concurrent_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "opendata"
    with lock_dir(out):
        code = cli.main(["build", "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "une autre construction" in err
    assert not out.exists()


def test_a_folder_of_the_older_layout_becomes_a_version(tmp_path: Path) -> None:
    target = tmp_path / "opendata"
    target.mkdir()
    (target / "meta.json").write_text("old")
    with atomic_dir(target) as tmp:
        (tmp / "meta.json").write_text("new")
    assert target.is_symlink() and (target / "meta.json").read_text() == "new"
    versions = sorted(p for p in tmp_path.iterdir() if p.name.startswith("opendata."))
    assert [(v / "meta.json").read_text() for v in versions] == ["old", "new"]


def test_readers_of_the_build_follow_the_link(tmp_path: Path, mock_network: object,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from parcs.artifact import load_meta, load_network
    from routing.build import write_build
    from routing.compiled import load_compiled

    target = write_build(mock_network, tmp_path / "opendata")  # type: ignore[arg-type]
    write_build(mock_network, target)
    assert target.is_symlink()
    assert load_compiled(target).n_edges == load_network(target).graph.number_of_edges()
    assert load_meta(target)["source"] == mock_network.meta["source"]  # type: ignore[attr-defined]
    monkeypatch.setenv("PARCS_BUILD_DIR", str(target))  # the override still works through the link
    assert load_compiled().n_edges == load_compiled(target).n_edges

"""The README's command-line examples run as written on the real build (issue 15, item 10).

Every line of the ``sh`` blocks of the *Command line* section that starts with ``parcs `` is run
in a temporary folder (so the files it writes land there), on the real build (``PARCS_BUILD_DIR``;
``parcs build`` itself writes a new build into the temporary folder). It must exit 0, or with the
code announced by a trailing ``# exit N: text`` comment and ``text`` in its one-line error.
Commands that need internet are skipped with a reason that names them. Figures the README
quotes about the network are checked against what the code computes.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_EXPECT = re.compile(r"exit (\d+):\s*(.+)")
#: Options that need internet (Overpass).
_ONLINE = (("--source", "osm"),)


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def readme_commands() -> list[str]:
    """The ``parcs`` lines of the ``sh`` blocks of the README's *Command line* section."""
    section = _section(README.read_text(encoding="utf-8"), "Command line")
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("parcs ")]


def _split(line: str) -> tuple[list[str], int, str]:
    """Arguments, expected exit code and expected text of one README line."""
    command, _, comment = line.partition("  #")
    match = _EXPECT.search(comment)
    code, text = (int(match.group(1)), match.group(2).strip()) if match else (0, "")
    return shlex.split(command)[1:], code, text


def test_the_section_has_examples() -> None:
    commands = readme_commands()
    assert len(commands) >= 10
    names = {shlex.split(c)[1] for c in commands}
    assert {"fetch", "build", "stats", "parks", "pois", "route", "loop", "circuits", "gaps"} <= names


@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_runs_as_written(line: str, real_build_dir: Path, tmp_path: Path) -> None:
    args, code, text = _split(line)
    online = [pair for pair in _ONLINE if any(args[i:i + 2] == list(pair) for i in range(len(args)))]
    if online:
        pytest.skip(f"needs internet (Overpass): {line}")
    build = tmp_path / "opendata" if args[0] == "build" else real_build_dir
    env = {**os.environ, "PARCS_BUILD_DIR": str(build),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run([sys.executable, "-m", "parcs_cli.main", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.stdout[-2000:], proc.stderr[-2000:])
    if code:
        assert len(proc.stderr.strip().splitlines()) == 1 and text in proc.stderr, proc.stderr
    else:
        assert proc.stdout.strip()
    for option in ("--gpx", "--geojson", "--gpkg", "--html", "--csv", "--out"):
        if option in args and code == 0:
            assert (tmp_path / args[args.index(option) + 1]).exists(), option
    if args[0] == "build":
        assert (build / "compiled.npz").is_file() and build.is_symlink()


def test_figures_quoted_in_the_readme(real_build_dir: Path) -> None:
    """The network facts of the README are the code's: the top missing link and its length."""
    from parcs.artifact import load_network
    from routing.gaps.analysis import analyse_gaps

    text = README.read_text(encoding="utf-8")
    quoted = re.search(r"top\s+candidate link is (\d+) m long", text)
    assert quoted is not None
    report = analyse_gaps(load_network(real_build_dir), top=1)
    assert round(report.candidates[0].length_m) == int(quoted.group(1))
    pairs = re.search(r"only (\d+) of the (\d+) unit pairs are linked by greenways alone", text)
    assert pairs is not None
    summary = report.summary()
    assert (summary["pairs_linked"], summary["unit_pairs"]) == (int(pairs.group(1)), int(pairs.group(2)))

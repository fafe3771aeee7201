"""Output paths of the command line (issue 15, item 2): a folder, ``/proc/x.gpx``, a missing parent
folder or a file as parent is one French line and exit code 2, and nothing is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcs.artifact import Network, save_network
from parcs.outputs import check_output, write_output
from parcs_cli import main as cli

ROUTE = ["route", "--from", "parc-ouest", "--to", "parc-est"]
LOOP = ["loop", "--start", "parc-ouest", "--distance", "2"]
#: Every file or folder option of the CLI, with the command it belongs to.
OPTIONS: list[tuple[list[str], str]] = [
    (ROUTE, "--gpx"), (ROUTE, "--geojson"), (LOOP, "--gpx"), (LOOP, "--geojson"),
    (["circuits", "build"], "--out"), (["build", "-q"], "--out"),
    (["gaps"], "--geojson"), (["gaps"], "--gpkg"), (["gaps"], "--csv"), (["gaps"], "--units-csv"),
    (["gaps"], "--html"),
]


def _bad_paths(tmp: Path) -> dict[str, Path]:
    (tmp / "a-file.txt").write_text("x")
    return {
        "a-folder": tmp,
        "proc": Path("/proc/x.gpx"),
        "missing-parent": tmp / "nonexistent" / "dir" / "x.gpx",
        "file-as-parent": tmp / "a-file.txt" / "x.gpx",
    }


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, mock_network: Network) -> Path:
    from routing.build import write_build

    return write_build(mock_network, tmp_path_factory.mktemp("build") / "b")


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c[0]}{o}" for c, o in OPTIONS])
@pytest.mark.parametrize("case", ["a-folder", "proc", "missing-parent", "file-as-parent"])
def test_bad_output_path_is_one_line_and_exit_2(build: Path, tmp_path: Path, command: list[str], option: str,
                                                case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = _bad_paths(tmp_path)[case]
    if option == "--out" and case == "a-folder":
        path = tmp_path / "a-file.txt"  # a folder is what --out wants: a file is the bad case
    before = _tree(tmp_path)
    where = [] if command[0] == "build" else ["--build", str(build)]  # build writes, reads no build
    code = cli.main([*command, option, str(path), *where])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert str(path) in err
    assert _tree(tmp_path) == before  # nothing created (not even the missing folders)


def test_good_paths_are_written(build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gpx, geo = tmp_path / "r.gpx", tmp_path / "r.geojson"
    assert cli.main([*ROUTE, "--gpx", str(gpx), "--geojson", str(geo), "--build", str(build)]) == 0
    assert gpx.read_text().startswith("<?xml") and geo.read_text().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.geojson", "r.gpx"]
    capsys.readouterr()


def test_check_output_messages_are_french(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="c'est un dossier"):
        check_output(tmp_path)
    with pytest.raises(ValueError, match="n'existe pas"):
        check_output(tmp_path / "no" / "x.gpx")
    with pytest.raises(ValueError, match="impossible d'écrire"):
        check_output("/proc/x.gpx")
    with pytest.raises(ValueError, match="ce n'est pas un dossier"):
        (tmp_path / "f").write_text("")
        check_output(tmp_path / "f", folder=True)
    assert write_output(tmp_path / "ok.txt", "é").read_text(encoding="utf-8") == "é"


def test_gaps_on_a_network_build(tmp_path: Path, mock_network: Network,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    build = save_network(mock_network, tmp_path / "b")
    out = tmp_path / "out"
    out.mkdir()
    assert cli.main(["gaps", "--build", str(build), "--csv", str(out / "g.csv"), "--top", "1"]) == 0
    assert [p.name for p in out.iterdir()] == ["g.csv"]
    capsys.readouterr()

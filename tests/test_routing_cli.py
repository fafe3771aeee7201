"""``parcs route``: exit codes, human and JSON output, files written."""

from __future__ import annotations

import json
from pathlib import Path

import gpxpy
import pytest

from parcs_cli import main as cli


@pytest.fixture(autouse=True)
def only_route_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register only ``route``, so these tests do not depend on the other command modules."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("parcs_cli.route_cmd",))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_human_output(mock_build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["route", "--from", "parc-ouest", "--to", "parc-est", "--along", "terril:200",
                          "--build", str(mock_build_dir)], capsys)
    assert code == 0, err
    assert "Parc de l'Ouest → Parc de l'Est (à pied)" in out
    assert "Itinéraire :" in out and "Suivre le Sentier du marais sur 640 m" in out
    assert "Terril des Berges" in out


def test_json_and_files(mock_build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gpx, geo = tmp_path / "out" / "r.gpx", tmp_path / "r.geojson"
    gpx.parent.mkdir()  # output folders are never created silently (issue 15)
    code, out, err = run(["route", "--from", "parc-ouest", "--to", "parc-est", "--profile", "bike",
                          "--alternatives", "2", "--json", "--gpx", str(gpx), "--geojson", str(geo),
                          "--build", str(mock_build_dir)], capsys)
    assert code == 0, err
    items = json.loads(out)
    assert isinstance(items, list) and len(items) == 2 and items[0]["profile"] == "bike"
    assert len(gpxpy.parse(gpx.read_text()).tracks) == 2
    assert json.loads(geo.read_text())["type"] == "Feature"
    code, out, _ = run(["route", "--from", "Lens", "--to", "Nœux-les-Mines", "--json", "--max-climb", "50",
                        "--avoid", "connector", "--via-category", "bike_rental", "--build", str(mock_build_dir)], capsys)
    assert code == 0 and json.loads(out)["stops"][0]["category"] == "bike_rental"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--from", "Lenss", "--to", "parc-est"], "vouliez-vous dire"),
        (["--from", "parc-ouest", "--to", "viewpoint:V1", "--max-climb", "5"], "dénivelé"),
        (["--from", "parc-est", "--to", "parc-isole"], "pas reliés"),
        (["--from", "parc-est", "--to", "parc-ouest", "--alternatives", "9"], "alternatives"),
        (["--from", "parc-est", "--to", "parc-ouest", "--avoid", "motorway"], "motorway"),
        (["--from", "nan,2.8", "--to", "parc-ouest"], "coordonnées"),
    ],
)
def test_user_errors_exit_2_with_one_line(mock_build_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    code, out, err = run(["route", *args, "--build", str(mock_build_dir)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("parcs route: error:")
    assert needle in err
    assert out == ""


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["route", "--from", "a", "--to", "b", "--alternatives", "x"], capsys)
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(["route", "--to", "b"], capsys)
    assert code == 2 and "--from" in err


def test_missing_build_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["route", "--from", "a", "--to", "b", "--build", str(tmp_path / "none")], capsys)
    assert code == 2 and "parcs build" in err and err.count("\n") == 1

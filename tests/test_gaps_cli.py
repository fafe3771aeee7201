"""``parcs gaps`` on the mock network: text, JSON, files (GeoPackage read back), errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from parcs.artifact import Network, save_network
from parcs_cli.main import main


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory, mock_network: Network) -> Path:
    """A build folder with ``graph.pkl`` and the layers (no compiled arrays)."""
    return save_network(mock_network, tmp_path_factory.mktemp("gaps") / "build")


def test_text_report_and_scenario(build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--build", str(build_dir), "--min-detour", "500", "--scenario", "L1"]) == 0
    out = capsys.readouterr().out
    assert "Liaisons candidates" in out and "Tableau unité ↔ unité" in out
    assert "Liaison non aménagée entre « Sentier du marais »" in out
    assert "Scénario L1" in out


def test_json(build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--build", str(build_dir), "--json", "--scenario", "L1", "L2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["unit_pairs"] == 6 and len(doc["unit_pairs"]) == 6
    assert doc["candidates"][0]["class"] in ("bridge", "shortcut", "planned")
    assert doc["scenario"]["candidate_ids"] == ["L1", "L2"]
    assert all(p["gain_m"] >= 0 for p in doc["scenario"]["pairs"])


def test_files(build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()  # output folders are never created silently (issue 15)
    args = ["gaps", "--build", str(build_dir), "--gpkg", str(out / "gaps.gpkg"),
            "--geojson", str(out / "gaps.geojson"), "--csv", str(out / "gaps.csv"),
            "--units-csv", str(out / "units.csv"), "--html", str(out / "gaps.html")]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == ["gaps.csv", "gaps.geojson", "gaps.gpkg", "gaps.html", "units.csv"]
    layers = dict(pyogrio.list_layers(out / "gaps.gpkg").tolist())
    assert set(layers) == {"candidates", "components", "units", "network"}
    for name in layers:
        gdf = gpd.read_file(out / "gaps.gpkg", layer=name)
        assert gdf.crs.to_epsg() == 2154 and len(gdf) > 0
    cands = gpd.read_file(out / "gaps.gpkg", layer="candidates")
    assert {"rank", "id", "class", "length_m", "benefit", "reason"} <= set(cands.columns)
    assert json.loads((out / "gaps.geojson").read_text())["type"] == "FeatureCollection"
    assert (out / "gaps.csv").read_text().splitlines()[0].startswith("rank,id,class")
    html = (out / "gaps.html").read_text()
    assert "leaflet" in html.lower() and "Liaisons manquantes" in html
    if importlib.util.find_spec("js_lib_leaflet") is not None:  # Leaflet inlined: no CDN script
        assert "<script src=" not in html and "<link rel=\"stylesheet\" href=" not in html
    # a second run replaces the files atomically: no temporary file is left behind
    assert main(args) == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_compiled_only_build(mock_build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--build", str(mock_build_dir), "--top", "1", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["candidates"]) == 1


def test_unknown_scenario_id_exit_2(build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--build", str(build_dir), "--scenario", "L99"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [
        "parcs gaps: error: scenario : identifiant de liaison inconnu 'L99' (connus : L1..L3)"]


@pytest.mark.parametrize("extra", [["--top", "x"], ["--max-gap", "-3"]])
def test_bad_arguments_exit_2(build_dir: Path, extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["gaps", "--build", str(build_dir), *extra])
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_bad_build_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--build", str(tmp_path / "missing")]) == 2
    assert main(["gaps", "--build", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("parcs gaps: error:") for line in err)

"""The circuit catalogue on a synthetic grid: content, texts, determinism, atomic writes, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import gpxpy
import pytest
from test_loops_graphs import grid_network

from parcs_cli.main import main as cli_main
from routing.compiled import CompiledNetwork, compile_network, save_compiled
from routing.fmt import fr_distance
from routing.loops import roadbook
from routing.loops.circuits import THEMES, Catalogue, build_catalogue, write_catalogue


@pytest.fixture(scope="module")
def grid() -> CompiledNetwork:
    return compile_network(grid_network(16))


@pytest.fixture(scope="module")
def catalogue(grid: CompiledNetwork) -> Catalogue:
    return build_catalogue(grid, seed=5)


def test_catalogue_has_every_unit_and_theme(grid: CompiledNetwork, catalogue: Catalogue) -> None:
    ids = [c.id for c in catalogue.circuits]
    for park in grid.parks:
        assert f"{park.id}-a-pied" in ids and f"{park.id}-a-velo" in ids
    assert [i for i in ids if i.startswith("theme-")] == [f"theme-{t.id}" for t in THEMES]
    assert len(ids) == len(set(ids))


def test_unit_walks_are_in_range_and_bike_loops_explained(catalogue: Catalogue) -> None:
    walks = [c for c in catalogue.circuits if c.kind == "unit-walk"]
    assert walks and all(c.ok for c in walks)
    for c in walks:
        assert c.result is not None
        assert 5000 <= c.result.best.distance_m <= 10000
    # the grid is 3.75 km wide: a bike circuit is in range, or unavailable with its reason
    for c in catalogue.circuits:
        if c.kind == "unit-bike":
            if c.ok:
                assert c.result is not None and 20000 <= c.result.best.distance_m <= 40000
            else:
                assert c.reason


def test_theme_terrils_links_units_with_terrils(grid: CompiledNetwork, catalogue: Catalogue) -> None:
    terrils = next(c for c in catalogue.circuits if c.id == "theme-terrils")
    if terrils.ok:
        assert len(terrils.units) >= 2
        assert terrils.result is not None
        nodes = set(grid.edge_v[list(terrils.result.best.itinerary.edge_ids)].tolist())
        anchors = {p.node for p in grid.pois if p.category in ("terril", "viewpoint") and p.park}
        assert nodes & anchors
    else:
        assert terrils.reason


def test_texts_come_from_the_data(grid: CompiledNetwork, catalogue: Catalogue) -> None:
    for c in catalogue.circuits:
        if c.result is None:
            continue
        it = c.result.best.itinerary
        assert fr_distance(it.distance_m) in c.title
        assert fr_distance(it.distance_m) in c.description
        for park in c.result.best.parks_visited:
            assert park["name"] in c.description
        assert "Dénivelé positif" in c.description
        assert "%" in c.description
    family = next(c for c in catalogue.circuits if c.id == "theme-famille")
    if family.result is not None:
        assert max(grid.edge_grade_up[list(family.result.best.itinerary.edge_ids)]) <= 0.03 + 1e-9


def test_files_are_complete_and_escaped(catalogue: Catalogue, tmp_path: Path) -> None:
    out = write_catalogue(catalogue, tmp_path / "circuits")
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["count"] == len(catalogue.circuits)
    assert index["available"] == sum(c.ok for c in catalogue.circuits)
    for entry in index["circuits"]:
        if entry["status"] != "ok":
            assert entry["reason"] and "files" not in entry
            continue
        files = entry["files"]
        gpx = gpxpy.parse((out / files["gpx"]).read_text(encoding="utf-8"))
        assert gpx.tracks and all(p.elevation is not None for p in gpx.tracks[0].segments[0].points)
        geo = json.loads((out / files["geojson"]).read_text(encoding="utf-8"))
        assert geo["features"][0]["geometry"]["type"] == "LineString"
        html = (out / files["html"]).read_text(encoding="utf-8")
        assert "<svg" in html and "folium-map" in html and "@media print" in html
        assert entry["title"].replace("'", "&#39;") in html
    index_html = (out / "index.html").read_text(encoding="utf-8")
    assert "Circuits suggérés" in index_html
    everything = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html"))
    assert "<n°1>" not in everything  # names are escaped (in HTML and in scripts)
    assert not re.search(r"[0-9a-f]{32}", everything)  # no random Folium ids


def test_catalogue_is_deterministic(grid: CompiledNetwork, tmp_path: Path) -> None:
    a = write_catalogue(build_catalogue(grid, seed=5), tmp_path / "a")
    b = write_catalogue(build_catalogue(grid, seed=5), tmp_path / "b")
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_write_is_atomic(catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_catalogue(catalogue, tmp_path / "c", pdf=False)
    before = (out / "index.json").read_bytes()

    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(roadbook, "render_index", boom)
    with pytest.raises(RuntimeError):
        write_catalogue(catalogue, out, pdf=False)
    assert (out / "index.json").read_bytes() == before
    # nothing left by the failed write: the link, its one version and the writers' lock
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".c.lock", "c", out.resolve().name] and out.resolve().name.startswith("c.")


def test_cli_circuits_build(grid: CompiledNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "build"
    save_compiled(grid, build)
    rc = cli_main(["circuits", "build", "--out", str(tmp_path / "out"), "--seed", "5", "--build", str(build),
                   "--no-pdf"])
    assert rc == 0
    assert (tmp_path / "out" / "index.json").is_file()
    assert "circuits sur" in capsys.readouterr().out


def test_cli_circuits_without_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli_main(["circuits", "build", "--out", str(tmp_path / "out"), "--build", str(tmp_path / "none")])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("parcs circuits: error:") and err.count("\n") == 1


def test_map_data_is_never_templated() -> None:
    """Names reach Folium's scripts as JSON data, never as Jinja source."""
    tip = "{{ 7*7 }}{% if 1 %}X{% endif %}</script>"
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.8, 50.4]},
               "properties": {"tip": tip}}
    html, script = roadbook.render_map([feature], centre=(2.8, 50.4))
    assert "{{ 7*7 }}" in script and "49" not in script
    assert "</script>" not in script
    assert roadbook.render_map([feature], centre=(2.8, 50.4)) == (html, script)

"""Bad input to an OSM build (issue 12): one French line, exit 2, nothing written, the previous
build untouched — a truncated or corrupt extract, an extract that does not overlap ``--area``, an
extract with no usable way, a DEM tile that does not cover the area."""

from __future__ import annotations

import gzip
from pathlib import Path

import osmium
import pytest
from conftest import osm_sample
from fixtures import osm_synthetic as syn

from parcs_cli.main import main

pytestmark = pytest.mark.realdata


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """A build folder holding a previous build (its files must survive a failed build)."""
    out = tmp_path / "build"
    out.mkdir()
    (out / "meta.json").write_text('{"source": "previous"}', encoding="utf-8")
    (out / "graph.pkl").write_bytes(b"previous graph")
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fails(args: list[str], out: Path, capsys: pytest.CaptureFixture[str], *words: str) -> None:
    before = _snapshot(out)
    rc = main(["build", "--source", "osm-file", *args, "--out", str(out), "-q"])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    for word in words:
        assert word in err, err
    assert _snapshot(out) == before  # the previous build untouched, nothing added
    assert not [p for p in out.parent.iterdir()
                if (p.name.startswith(".") and p.name != f".{out.name}.lock") or p.name.endswith(".tmp")]


def test_truncated_pbf(tmp_path: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "andorra-cut.osm.pbf"
    bad.write_bytes(osm_sample("andorra.osm.pbf").read_bytes()[:300_000])
    _fails([str(bad), "--area", "file"], previous, capsys, "andorra-cut.osm.pbf", "illisible")


def test_truncated_gzip_xml(tmp_path: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "krems-cut.osm.gz"
    bad.write_bytes(osm_sample("krems.osm.gz").read_bytes()[:200_000])
    _fails([str(bad), "--area", "file"], previous, capsys, "krems-cut.osm.gz", "illisible")


def test_corrupt_gzip_content(tmp_path: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "garbage.osm.gz"
    bad.write_bytes(gzip.compress(b"<osm version='0.6'><node id='1' lat='x' lon=" * 50))
    _fails([str(bad), "--area", "file"], previous, capsys, "garbage.osm.gz")


def test_extract_outside_the_area(previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    krems = osm_sample("krems.osm.gz")
    _fails([str(krems), "--area", "24.9,60.1,25.0,60.2"], previous, capsys, "ne recouvre pas")


def test_extract_without_usable_way(tmp_path: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "motorway.osm"
    writer = osmium.SimpleWriter(str(bad), overwrite=True)
    try:
        for nid, (x, y) in ((1, (0, 0)), (2, (500, 0)), (3, (500, 500))):
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=syn.lonlat(x, y), tags={}))
        writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags={"highway": "motorway"}))
        writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[2, 3], tags={"highway": "footway", "access": "no"}))
    finally:
        writer.close()
    _fails([str(bad), "--area", "file"], previous, capsys, "aucune voie utilisable")


def test_dem_not_covering(previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    krems, tile = osm_sample("krems.osm.gz"), osm_sample("N42E001.hgt.zip")
    _fails([str(krems), "--area", "file", "--dem", str(tile)], previous, capsys, "N42E001.hgt.zip", "ne couvrent pas")


def test_corrupt_zipped_tile(tmp_path: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tile = tmp_path / "N42E001.hgt.zip"
    tile.write_bytes(osm_sample("N42E001.hgt.zip").read_bytes()[:100_000])
    andorra = osm_sample("andorra.osm.pbf")
    _fails([str(andorra), "--area", "file", "--dem", str(tile)], previous, capsys, "N42E001.hgt.zip")

"""The manifest and the fetch step, on synthetic files built in the test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from parcs import sources
from parcs._errors import ChecksumError, DataError, SourceError


def _entry(path: str, data: bytes, **kw: object) -> sources.SourceFile:
    return sources.SourceFile(
        path=path, url="http://127.0.0.1:9/nowhere", sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data), licence="test", attribution="test", **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    m = tmp_path / "mirror"
    (m / "layer").mkdir(parents=True)
    (m / "layer" / "a.geojson").write_bytes(b'{"type": "FeatureCollection", "features": []}')
    return m


def test_copies_from_mirror_then_skips_present(mirror: Path, tmp_path: Path) -> None:
    entry = _entry("layer/a.geojson", (mirror / "layer" / "a.geojson").read_bytes())
    dest = tmp_path / "dest"
    first = sources.fetch([entry], dest_dir=dest, mirror=mirror, progress=False)
    assert [r.how for r in first] == ["mirror"]
    assert (dest / "layer" / "a.geojson").read_bytes() == (mirror / "layer" / "a.geojson").read_bytes()
    second = sources.fetch([entry], dest_dir=dest, mirror=mirror, progress=False)
    assert [r.how for r in second] == ["present"]


def test_checksum_mismatch_names_file_and_leaves_nothing(mirror: Path, tmp_path: Path) -> None:
    entry = _entry("layer/a.geojson", b"other bytes")
    dest = tmp_path / "dest"
    with pytest.raises(ChecksumError, match=r"layer/a\.geojson: sha256 mismatch"):
        sources.fetch([entry], dest_dir=dest, mirror=mirror, progress=False)
    assert not any(p.is_file() for p in dest.rglob("*")), "no half-written file may remain"


def test_corrupt_local_copy_is_replaced(mirror: Path, tmp_path: Path) -> None:
    data = (mirror / "layer" / "a.geojson").read_bytes()
    entry = _entry("layer/a.geojson", data)
    dest = tmp_path / "dest"
    (dest / "layer").mkdir(parents=True)
    (dest / "layer" / "a.geojson").write_bytes(b"truncated")
    assert sources.fetch([entry], dest_dir=dest, mirror=mirror, progress=False)[0].how == "mirror"
    assert (dest / "layer" / "a.geojson").read_bytes() == data


def test_missing_without_mirror_or_download(tmp_path: Path) -> None:
    entry = _entry("layer/b.geojson", b"{}")
    with pytest.raises(SourceError, match=r"layer/b\.geojson: missing from no mirror"):
        sources.fetch([entry], dest_dir=tmp_path, mirror=None, allow_download=False, progress=False)


def test_failed_download_says_what_to_do(tmp_path: Path) -> None:
    entry = _entry("layer/b.geojson", b"{}")
    with pytest.raises(SourceError, match="set PARCS_MIRROR"):
        sources.fetch_one(entry, dest_dir=tmp_path, mirror=None, timeout=2)
    assert list(tmp_path.rglob("*.geojson")) == []


def test_unwrap_js_keeps_the_geojson() -> None:
    assert sources.unwrap_js(b'var x = {"a": {"b": 1}};\n') == b'{"a": {"b": 1}}'
    with pytest.raises(DataError):
        sources.unwrap_js(b"var x = 1;")


def test_manifest_errors(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text("[[file]]\npath = 'x'\n")
    with pytest.raises(DataError, match="entry 1"):
        sources.load_manifest(bad)
    bad.write_text("not = [toml")
    with pytest.raises(DataError, match="not valid TOML"):
        sources.load_manifest(bad)
    with pytest.raises(DataError, match="not found"):
        sources.load_manifest(tmp_path / "absent.toml")


def test_repo_manifest_lists_every_mirror_file() -> None:
    entries = sources.load_manifest()
    assert len(entries) == 25
    assert len({e.path for e in entries}) == 25
    for e in entries:
        assert e.url.startswith("https://") and len(e.sha256) == 64 and e.licence
    assert {e.unwrap for e in entries if e.path.startswith("adav/")} == {"js"}

"""Damaged builds: every corruption gives a French 503 on the web (API and pages) and one line with
exit code 2 on the command line, never a traceback (issue 15, item 1)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import make_mock_network

from parcs._errors import BuildError, DamagedBuildError
from parcs.atomic import resolve_dir
from parcs_cli import main as cli
from routing.compiled import load_compiled
from webapp import create_app


def _truncate(name: str, keep: float) -> Callable[[Path], None]:
    def damage(build: Path) -> None:
        data = (build / name).read_bytes()
        (build / name).write_bytes(data[: int(len(data) * keep)])
    return damage


def _flip_bytes(build: Path) -> None:
    path = build / "compiled.npz"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _write(name: str, text: str) -> Callable[[Path], None]:
    def damage(build: Path) -> None:
        (build / name).write_text(text)
    return damage


def _remove(*names: str) -> Callable[[Path], None]:
    def damage(build: Path) -> None:
        for name in names:
            (build / name).unlink()
    return damage


def _other_format(build: Path) -> None:
    doc = json.loads((build / "compiled.json").read_text())
    doc["info"]["format"] = 1
    (build / "compiled.json").write_text(json.dumps(doc))


#: Every corruption of issue 15: truncated, empty, flipped bytes, wrong JSON type, missing file,
#: build of another format version.
DAMAGES: dict[str, Callable[[Path], None]] = {
    "npz-truncated": _truncate("compiled.npz", 0.5),
    "npz-empty": _truncate("compiled.npz", 0.0),
    "npz-flipped-bytes": _flip_bytes,
    "compiled-json-truncated": _truncate("compiled.json", 0.5),
    "meta-truncated": _truncate("meta.json", 0.5),
    "meta-empty": _truncate("meta.json", 0.0),
    "meta-json-list": _write("meta.json", "[1, 2, 3]"),
    "npz-missing": _remove("compiled.npz"),
    "graph-and-arrays-missing": _remove("compiled.npz", "compiled.json", "graph.pkl"),
    "other-format-version": _other_format,
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete build of the mock network (graph, layers, meta, compiled arrays)."""
    from routing.build import write_build

    return resolve_dir(write_build(make_mock_network(), tmp_path_factory.mktemp("pristine") / "b"))


@pytest.fixture(params=sorted(DAMAGES))
def damaged_build(request: pytest.FixtureRequest, pristine: Path, tmp_path: Path) -> Path:
    build = tmp_path / "b"
    shutil.copytree(pristine, build)
    DAMAGES[request.param](build)
    return build


def test_the_pristine_build_loads(pristine: Path, tmp_path: Path) -> None:
    build = tmp_path / "b"
    shutil.copytree(pristine, build)
    assert load_compiled(build).n_edges > 0
    assert create_app({"TESTING": True, "BUILD_DIR": build}).test_client().get("/api/health").status_code == 200


def test_load_compiled_says_damaged_and_how_to_rebuild(damaged_build: Path) -> None:
    with pytest.raises(DamagedBuildError, match=r"endommagé|autre version") as info:
        load_compiled(damaged_build)
    assert "parcs build" in str(info.value) and "make data" in str(info.value)
    assert isinstance(info.value, BuildError)


def test_the_app_starts_and_answers_503(damaged_build: Path) -> None:
    app = create_app({"TESTING": True, "BUILD_DIR": damaged_build})
    client = app.test_client()
    health = client.get("/api/health")
    assert health.status_code == 503
    assert health.get_json()["error"] == "network_damaged"
    for url in ("/api/route?from=parc-ouest&to=parc-est", "/api/loop?start=parc-ouest&distance=2",
                "/api/parks"):
        response = client.get(url)
        assert response.status_code == 503, url
        body = response.get_json()
        assert body["error"] == "network_damaged"
        assert "endommagé" in body["detail"] and "make data" in body["detail"]
        assert str(damaged_build) not in response.get_data(as_text=True)
    page = client.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "Le réseau est endommagé" in text and "make data" in text
    assert str(damaged_build) not in text


def test_the_cli_prints_one_line_and_exits_2(damaged_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["route", "--from", "parc-ouest", "--to", "parc-est", "--build", str(damaged_build)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "parcs build" in err


@pytest.mark.parametrize(("command", "name"), [("stats", "meta.json"), ("parks", "parks.geojson"),
                                               ("pois", "pois.geojson")])
def test_data_commands_on_a_damaged_file(pristine: Path, tmp_path: Path, command: str, name: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "b"
    shutil.copytree(pristine, build)
    _truncate(name, 0.5)(build)
    code = cli.main([command, "--build", str(build)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "endommagé" in err, err
    assert name in err

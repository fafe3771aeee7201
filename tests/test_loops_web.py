"""The "Boucles" and "Circuits" pages and ``/api/loop`` on the synthetic grid network."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import gpxpy
import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_loops_graphs import grid_network

from routing.compiled import CompiledNetwork, compile_network
from routing.loops.circuits import build_catalogue, write_catalogue
from webapp import create_app

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def grid() -> CompiledNetwork:
    return compile_network(grid_network(16))


@pytest.fixture(scope="module")
def catalogue_dir(grid: CompiledNetwork, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalogue(build_catalogue(grid, seed=2), tmp_path_factory.mktemp("cat") / "circuits")


@pytest.fixture(scope="module")
def app(grid: CompiledNetwork, catalogue_dir: Path) -> Flask:
    """The app on the grid network (overrides ``app`` of ``tests/conftest.py``; ``client`` uses it)."""
    return create_app({"TESTING": True, "NETWORK": grid, "CIRCUITS_DIR": str(catalogue_dir)})


def _url(path: str, **params: object) -> str:
    pairs = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(v)) for v in values]
    return f"{path}?{urlencode(pairs)}"


# -- API --------------------------------------------------------------------------------------


def test_api_loop_geojson(client: FlaskClient) -> None:
    response = client.get(_url("/api/loop", start="parc-centre", distance=6, variants=2))
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    doc = response.get_json(force=True)
    assert doc["type"] == "FeatureCollection" and 1 <= len(doc["features"]) <= 2
    first = doc["features"][0]
    assert first["properties"]["rank"] == 0
    assert abs(first["properties"]["quality"]["length_error"]) <= 0.05
    assert first["geometry"]["coordinates"][0][:2] == first["geometry"]["coordinates"][-1][:2]
    assert doc["start"]["id"] == "parc-centre"
    again = client.get(_url("/api/loop", start="parc-centre", distance=6, variants=2)).get_json(force=True)
    assert again == doc  # the default seed makes the page and its downloads agree


def test_api_loop_gpx(client: FlaskClient) -> None:
    response = client.get(_url("/api/loop.gpx", start="parc-centre", duration=60, profile="walk"))
    assert response.status_code == 200
    assert response.mimetype == "application/gpx+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    gpx = gpxpy.parse(response.data.decode("utf-8"))
    assert gpx.tracks and gpx.tracks[0].segments[0].points[0].elevation is not None


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "invalid_request"),
        ({"start": "parc-centre"}, 400, "invalid_request"),
        ({"start": "parc-centre", "distance": 5, "duration": 60}, 400, "invalid_request"),
        ({"start": "parc-centre", "distance": "abc"}, 400, "invalid_request"),
        ({"start": "parc-centre", "distance": 5, "variants": 9}, 400, "invalid_request"),
        ({"start": "parc-centre", "distance": 5, "through": [f"p{i}" for i in range(7)]}, 400, "invalid_request"),
        ({"start": "nulle-part", "distance": 5}, 404, "unknown_place"),
        ({"start": "parc-centre", "distance": 150}, 422, "constraint_unsatisfiable"),
        ({"start": "parc-centre", "distance": 5, "profile": "horse"}, 400, "invalid_request"),
    ],
)
def test_api_loop_errors(client: FlaskClient, params: dict[str, object], status: int, code: str) -> None:
    for path in ("/api/loop", "/api/loop.gpx"):
        response = client.get(_url(path, **params))
        assert response.status_code == status
        body = response.get_json()
        assert body["error"] == code and body["detail"]


def test_api_loop_is_documented(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    for path in ("/api/loop", "/api/loop.gpx"):
        names = {p["name"] for p in doc["paths"][path]["get"]["parameters"]}
        assert {"start", "distance", "duration", "through", "seed"} <= names


# -- the Boucles page -------------------------------------------------------------------------


def test_loops_page_form(client: FlaskClient) -> None:
    response = client.get("/boucles")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="loop-form"' in html and 'name="start"' in html
    assert 'aria-current="page"' in html and ">Boucles<" in html and ">Circuits<" in html


def test_loops_page_result(client: FlaskClient) -> None:
    response = client.get(_url("/boucles", start="parc-centre", distance=7, variants=2, through="terril:T002"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="summary"' in html and "/api/loop.gpx?" in html and "seed=2" in html  # "another loop"
    assert 'class="elevation-chart"' in html
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in html


def test_loops_page_errors_are_shown_and_escaped(client: FlaskClient) -> None:
    response = client.get(_url("/boucles", start=XSS, distance=5))
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert XSS not in html
    response = client.get(_url("/boucles", start="parc-centre", distance=150, lang="en"))
    assert response.status_code == 422
    assert "aucune boucle de 150 km" in response.get_data(as_text=True)


# -- the Circuits page and files --------------------------------------------------------------


def test_circuits_page_lists_the_catalogue(client: FlaskClient, catalogue_dir: Path) -> None:
    index = json.loads((catalogue_dir / "index.json").read_text(encoding="utf-8"))
    response = client.get("/circuits")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for entry in index["circuits"]:
        assert f'id="circuit-{entry["id"]}"' in html
        if entry["status"] == "ok":
            assert f'/circuits/{entry["id"]}.html' in html
        else:
            assert entry["reason"].replace("'", "&#39;") in html


def test_circuit_files_are_served_by_id_only(client: FlaskClient, catalogue_dir: Path) -> None:
    index = json.loads((catalogue_dir / "index.json").read_text(encoding="utf-8"))
    ok = next(e for e in index["circuits"] if e["status"] == "ok")
    page = client.get(f"/circuits/{ok['id']}.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    script = re.search(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode("utf-8")).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["Content-Security-Policy"]
    gpx = client.get(f"/circuits/{ok['id']}.gpx")
    assert gpx.status_code == 200 and "attachment" in gpx.headers["Content-Disposition"]
    assert client.get(f"/circuits/{ok['id']}.geojson").mimetype == "application/geo+json"
    for bad in ("nope.html", f"{ok['id']}.py", f"{ok['id']}", "..%2Findex.json", "%2Fetc%2Fpasswd.html",
                f"{ok['id']}.html%00.gpx"):
        assert client.get(f"/circuits/{bad}").status_code == 404, bad
    assert client.get("/circuits/index.json").status_code == 302
    assert client.get("/circuits/leaflet/leaflet.js").status_code == 302
    assert client.get("/circuits/leaflet/evil.js").status_code == 404


def test_tampered_index_entries_are_ignored(grid: CompiledNetwork, catalogue_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "circuits"
    folder.mkdir()
    (folder / "secret.txt").write_text("secret", encoding="utf-8")
    doc = json.loads((catalogue_dir / "index.json").read_text(encoding="utf-8"))
    doc["circuits"].append({"id": "../secret", "status": "ok", "title": "x",
                            "files": {"html": "../secret.txt", "gpx": "x", "geojson": "y"}})
    doc["circuits"].append({"id": "secret", "status": "ok", "title": "y",
                            "files": {"html": "secret.txt", "gpx": "secret.gpx", "geojson": "secret.geojson"}})
    (folder / "index.json").write_text(json.dumps(doc), encoding="utf-8")
    client = create_app({"TESTING": True, "NETWORK": grid, "CIRCUITS_DIR": str(folder)}).test_client()
    assert client.get("/circuits").status_code == 200
    assert client.get("/circuits/secret.html").status_code == 404
    assert client.get("/circuits/..%2Fsecret.html").status_code == 404


def test_circuits_page_without_catalogue(grid: CompiledNetwork, tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "NETWORK": grid, "CIRCUITS_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/circuits")
    assert response.status_code == 200
    assert 'id="no-catalogue"' in response.get_data(as_text=True)
    assert client.get("/circuits/anything.html").status_code == 404

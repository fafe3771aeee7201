"""The app under real gunicorn with ``deploy/gunicorn.conf.py`` (issue 15, items 1, 4 and 5):
every documented error is JSON, over-long URLs reach the app's JSON 414, static files carry one
charset and one ``Date``, and a damaged build neither kills the master nor escapes as HTML."""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from parcs.artifact import Network
from parcs.atomic import resolve_dir
from webapp.assets import LEAFLET_PREFIX
from webapp.config import DEFAULT_CONFIG
from webapp.server import Server, gunicorn_server

APP = "webapp:create_app({'WARM_UP': False})"
ROUTE = "/api/route?from=parc-ouest&to=parc-est"
TEXT_ASSETS = ("style.css", "planner.js", LEAFLET_PREFIX + "leaflet.js", LEAFLET_PREFIX + "leaflet.css")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, mock_network: Network) -> Path:
    from routing.build import write_build

    return write_build(mock_network, tmp_path_factory.mktemp("served") / "opendata")


@pytest.fixture(scope="module")
def server(build: Path) -> Iterator[Server]:
    with gunicorn_server(build=build, workers=2, app=APP) as srv:
        yield srv


def fetch(srv: Server, path: str, method: str = "GET") -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, raw headers (duplicates kept) and body of one request."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=20)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def _header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


def test_a_route_is_served(server: Server) -> None:
    status, headers, body = fetch(server, ROUTE)
    assert status == 200 and _header(headers, "Content-Type") == ["application/geo+json"]
    assert json.loads(body)["type"] == "FeatureCollection"


def _long_query(extra: int) -> str:
    pad = "x" * (int(DEFAULT_CONFIG["MAX_QUERY_LENGTH"]) + extra)
    return f"{ROUTE}&pad={pad}"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/nothing-here", 404, "not_found"),
        ("GET", "/api/route", 400, "invalid_request"),
        ("GET", "/api/route?from=parc-ouest&to=nowhere-at-all", 404, "unknown_place"),
        ("POST", ROUTE, 405, "method_not_allowed"),
        ("DELETE", "/api/parks", 405, "method_not_allowed"),
        ("GET", _long_query(1), 414, "uri_too_long"),
        ("GET", _long_query(3000), 414, "uri_too_long"),
    ],
    ids=["404", "400", "404-place", "405-post", "405-delete", "414", "414-long"],
)
def test_documented_errors_are_json(server: Server, method: str, path: str, status: int,
                                    code: str) -> None:
    got, headers, body = fetch(server, path, method)
    assert got == status
    assert _header(headers, "Content-Type") == ["application/json"]
    doc = json.loads(body)
    assert doc["error"] == code and doc["detail"]


@pytest.mark.parametrize("name", TEXT_ASSETS)
def test_static_headers_under_gunicorn(server: Server, name: str) -> None:
    status, headers, _ = fetch(server, f"/static/{name}")
    assert status == 200
    (content_type,) = _header(headers, "Content-Type")
    assert content_type.count("charset") == 1 and content_type.endswith("; charset=utf-8")
    assert len(_header(headers, "Date")) == 1


@pytest.mark.parametrize("name", TEXT_ASSETS)
def test_static_headers_in_the_app(client: FlaskClient, name: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.headers.getlist("Content-Type") == [
        ("text/css" if name.endswith(".css") else "text/javascript") + "; charset=utf-8"
    ]
    assert response.headers.getlist("Date") == []  # the server adds the one Date
    etag = response.headers["ETag"]
    again = client.get(f"/static/{name}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers.getlist("Date") == []


def test_a_damaged_build_keeps_the_master_up_and_answers_503(build: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "opendata"
    shutil.copytree(resolve_dir(build), damaged)
    data = (damaged / "compiled.npz").read_bytes()
    (damaged / "compiled.npz").write_bytes(data[: len(data) // 2])
    with gunicorn_server(build=damaged, workers=1, app=APP) as srv:
        for path in ("/api/health", ROUTE, "/api/loop?start=parc-ouest&distance=2"):
            status, headers, body = fetch(srv, path)
            assert status == 503 and _header(headers, "Content-Type") == ["application/json"]
            doc = json.loads(body)
            assert doc["error"] == "network_damaged" and "make data" in doc["detail"]
        status, headers, body = fetch(srv, "/")
        assert status == 503 and "Le réseau est endommagé" in body.decode()
        assert srv.process.poll() is None  # the master is alive
        assert "Traceback" not in srv.log.read_text()

"""Printing on the web (grid network): « Imprimer / PDF » of routes and loops, the catalogue's PDF
and JSON, unknown circuits (404) and a catalogue computed on another network (never shown)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_loops_graphs import grid_network

from routing.compiled import CompiledNetwork, compile_network
from routing.loops.circuits import build_catalogue, write_catalogue
from webapp import create_app

BUILT_AT = "2026-03-01T10:00:00+0000"


@pytest.fixture(scope="module")
def grid() -> CompiledNetwork:
    cn = compile_network(grid_network(12))
    return dataclasses.replace(cn, meta={**cn.meta, "source": "grille", "built_at": BUILT_AT})


@pytest.fixture(scope="module")
def catalogue_dir(grid: CompiledNetwork, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalogue(build_catalogue(grid, seed=2), tmp_path_factory.mktemp("cat") / "circuits")


@pytest.fixture(scope="module")
def app(grid: CompiledNetwork, catalogue_dir: Path) -> Flask:
    return create_app({"TESTING": True, "NETWORK": grid, "CIRCUITS_DIR": str(catalogue_dir)})


def _ok_entry(folder: Path) -> dict[str, object]:
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return next(e for e in index["circuits"] if e["status"] == "ok")


def test_route_and_loop_print_to_pdf(client: FlaskClient) -> None:
    route = client.get("/api/route.pdf?" + urlencode({"from": "parc-sud-ouest", "to": "parc-nord-est"}))
    assert route.status_code == 200 and route.mimetype == "application/pdf"
    assert route.data.startswith(b"%PDF-") and 'filename="itineraire.pdf"' in route.headers["Content-Disposition"]
    loop = client.get("/api/loop.pdf?" + urlencode({"start": "parc-centre", "distance": 4}))
    assert loop.status_code == 200 and loop.data.startswith(b"%PDF-")
    bad = client.get("/api/loop.pdf?start=nulle-part&distance=4")
    assert bad.status_code == 404 and bad.get_json()["error"] == "unknown_place"
    assert client.get("/api/route.pdf?from=parc-centre").status_code == 400


def test_pages_offer_print_links(client: FlaskClient) -> None:
    page = client.get("/boucles?" + urlencode({"start": "parc-centre", "distance": 4})).get_data(as_text=True)
    assert 'class="print-pdf" href="/api/loop.pdf?start=parc-centre' in page
    page = client.get("/?" + urlencode({"from": "parc-sud-ouest", "to": "parc-nord-est"})).get_data(as_text=True)
    assert 'class="print-pdf" href="/api/route.pdf?from=parc-sud-ouest' in page


def test_catalogue_pdfs_are_served(client: FlaskClient, catalogue_dir: Path) -> None:
    entry = _ok_entry(catalogue_dir)
    page = client.get("/circuits").get_data(as_text=True)
    assert 'id="catalogue-pdf" href="/circuits/catalogue.pdf"' in page
    assert f'/circuits/{entry["id"]}.pdf' in page
    whole = client.get("/circuits/catalogue.pdf")
    assert whole.status_code == 200 and whole.data.startswith(b"%PDF-")
    one = client.get(f"/circuits/{entry['id']}.pdf")
    assert one.mimetype == "application/pdf" and "attachment" in one.headers["Content-Disposition"]


def test_unknown_circuit_is_404(client: FlaskClient, catalogue_dir: Path) -> None:
    api = client.get("/api/circuits?id=nulle-part")
    assert api.status_code == 404
    body = api.get_json()
    assert body["error"] == "not_found" and "circuit inconnu" in body["detail"]
    page = client.get("/circuits/nulle-part.html")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert 'lang="fr"' in page.get_data(as_text=True)
    entry = _ok_entry(catalogue_dir)
    assert client.get(f"/api/circuits?id={entry['id']}").get_json()["title"] == entry["title"]
    doc = client.get("/api/circuits").get_json()
    assert doc["status"] == "ok" and len(doc["circuits"]) == doc["count"]


def test_stale_catalogue_is_never_shown_as_current(grid: CompiledNetwork, catalogue_dir: Path,
                                                    tmp_path: Path) -> None:
    newer = dataclasses.replace(grid, meta={**grid.meta, "built_at": "2026-04-01T08:00:00+0000"})
    client = create_app({"TESTING": True, "NETWORK": newer, "CIRCUITS_DIR": str(catalogue_dir)}).test_client()
    entry = _ok_entry(catalogue_dir)
    page = client.get("/circuits").get_data(as_text=True)
    assert 'id="stale-catalogue"' in page and "parcs circuits build" in page
    assert entry["title"] not in page  # no figure, no card of the old catalogue
    for path in (f"/circuits/{entry['id']}.html", f"/circuits/{entry['id']}.pdf", "/circuits/catalogue.pdf"):
        assert client.get(path).status_code == 409, path
    api = client.get("/api/circuits")
    assert api.get_json()["status"] == "stale" and api.get_json()["circuits"] == []
    stale = client.get(f"/api/circuits?id={entry['id']}")
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale_catalogue"


def test_catalogue_without_pdfs_still_serves(grid: CompiledNetwork, tmp_path: Path) -> None:
    folder = write_catalogue(build_catalogue(grid, seed=2), tmp_path / "sans-pdf", pdf=False)
    client = create_app({"TESTING": True, "NETWORK": grid, "CIRCUITS_DIR": str(folder)}).test_client()
    entry = _ok_entry(folder)
    assert client.get(f"/circuits/{entry['id']}.html").status_code == 200
    assert client.get(f"/circuits/{entry['id']}.pdf").status_code == 404
    assert client.get("/circuits/catalogue.pdf").status_code == 404
    assert 'id="catalogue-pdf"' not in client.get("/circuits").get_data(as_text=True)

"""The missing-links page (``/liaisons``) and API (``/api/gaps``) of the web app.

Most tests use the session's mock compiled network (``tests/conftest.py``: four park units, so six
unit pairs; three candidate links, ``L1`` the connector W3 that shortens ``parc-ouest`` →
``parc-centre``/``parc-est``); ``test_realdata_*`` use the real build (55 unit pairs). The
escaping tests rename park units with Jinja syntax and a script tag: both the page and the HTML
report of ``parcs gaps`` (:func:`routing.gaps.export.write_html`) must show them as typed.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webapp_helpers import real_build_app, run_doctests

from webapp import create_app, gaps_views
from webapp.gaps_views import DEFAULT_TOP, MAX_SCENARIO, MAX_TOP, MESSAGES

#: A park name that is Jinja syntax and HTML at once: it must never be evaluated nor run.
EVIL_NAME = "Parc {{ 7*7 }} <script>alert(1)</script>"
#: Template statements in a name (branca used to crash or evaluate them).
SSTI_NAME = "{% if x %}{{ 7*7 }}{{ config.items() }}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _url(path: str, *pairs: tuple[str, str], **params: str) -> str:
    query = list(pairs) + list(params.items())
    return f"{path}?{urlencode(query)}" if query else path


def _table(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, flags=re.S)
    assert match, table_id
    return match.group(0)


def _body_rows(table: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", table, flags=re.S)
    assert body
    return re.findall(r"<tr\b.*?</tr>", body.group(1), flags=re.S)


# -- the page -----------------------------------------------------------------------------------


def test_page_shows_candidates_table_components_and_map(client: FlaskClient, app: Flask) -> None:
    response = client.get("/liaisons")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "<h1>Liaisons manquantes</h1>" in html
    assert 'href="/liaisons" aria-current="page"' in html  # the nav link
    report = app.extensions[gaps_views.GAPS_KEY].get(app.extensions["parcs"].network).report
    # the ranked candidates, each with its checkbox, class, reason and units
    rows = _body_rows(_table(html, "candidates-table"))
    assert len(rows) == report.n_candidates == 3
    for c, row in zip(report.candidates, rows, strict=True):
        assert f'id="liaison-{c.id}"' in row
        assert f'name="scenario" value="{c.id}"' in row
        assert c.reason.replace("'", "&#39;") in row
    assert "Parc de l&#39;Ouest" in rows[0] and "raccourci" in rows[0]
    assert "section en projet" in html
    # the unit-to-unit table: every pair once, linked or not
    pairs = _body_rows(_table(html, "pairs-table"))
    assert len(pairs) == len(report.unit_pairs) == 6
    assert sum('class="unlinked"' in r for r in pairs) == 3  # parc-isole with the three others
    assert all(">non</td>" in r for r in pairs if 'class="unlinked"' in r)
    # the greenway components
    assert len(_body_rows(_table(html, "components-table"))) == len(report.components) == 2
    # the map: components, numbered candidates, park units
    assert 'class="folium-map"' in html
    assert '"pin":"num","label":"1","fill":"#f28e2b"' in html
    assert "Composantes du réseau vert" in html and "Parcs de la chaîne" in html
    assert '/api/gaps"' in html  # the JSON download
    assert 'id="scenario-result"' not in html


def test_page_in_english(client: FlaskClient) -> None:
    response = client.get("/liaisons?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Missing links</h1>" in html
    assert "Distances between park units" in html and "Greenway components" in html
    assert "shortcut" in html and "planned section" in html
    assert 'name="lang" value="en"' in html  # the scenario form keeps the language
    assert '<td lang="fr">' in html  # the reasons are French
    assert 'href="/liaisons?lang=en"' in html


def test_page_scenario(client: FlaskClient) -> None:
    response = client.get(_url("/liaisons", ("scenario", "L1"), ("scenario", "L2")))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="scenario-result"' in html
    assert "Scénario : L1 + L2" in html
    assert re.search(r'id="scenario-gain">\d', html)
    for cid in ("L1", "L2"):
        assert re.search(rf'value="{cid}" id="choose-{cid}" checked', html)
    assert 'value="L3" id="choose-L3">' in html
    changes = _body_rows(_table(html, "scenario-pairs"))
    assert changes and all("−" in row for row in changes)
    assert "/api/gaps?scenario=L1&amp;scenario=L2" in html


def test_page_keeps_top_and_lists_chosen_candidates_beyond_it(client: FlaskClient) -> None:
    html = client.get(_url("/liaisons", top="1", scenario="L3")).get_data(as_text=True)
    rows = _body_rows(_table(html, "candidates-table"))
    assert re.findall(r'id="liaison-(L\d+)"', "".join(rows)) == ["L1", "L3"]
    assert 'name="top" value="1"' in html
    assert "Les 1 premières sur 3" in html


def test_inline_scripts_carry_the_csp_nonce(client: FlaskClient) -> None:
    for url in ("/liaisons", "/liaisons?scenario=L1&lang=en"):
        response = client.get(url)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        assert nonce
        for tag in re.findall(r"<script\b[^>]*>", response.get_data(as_text=True)):
            assert "src=" in tag or f'nonce="{nonce.group(1)}"' in tag, tag


# -- the API ------------------------------------------------------------------------------------


def test_api_gaps(client: FlaskClient) -> None:
    response = client.get("/api/gaps")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    doc = response.get_json()
    assert list(doc) == ["summary", "params", "units", "unit_pairs", "components", "candidates",
                         "scenario"]
    assert doc["scenario"] is None
    assert doc["summary"]["unit_pairs"] == len(doc["unit_pairs"]) == 6
    assert doc["summary"]["candidates"] == 3
    features = doc["candidates"]["features"]
    assert doc["candidates"]["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in features] == ["L1", "L2", "L3"]
    first = features[0]
    assert first["geometry"]["type"] in ("LineString", "MultiLineString")
    assert first["properties"]["class"] == "shortcut" and first["properties"]["reason"]
    assert {c["id"] for c in doc["components"]} == {"C1", "C2"}
    assert doc["params"]["top"] == DEFAULT_TOP


def test_api_top_and_scenario(client: FlaskClient) -> None:
    one = client.get("/api/gaps?top=1").get_json()
    assert len(one["candidates"]["features"]) == 1 and one["summary"]["shown"] == 1
    doc = client.get(_url("/api/gaps", ("scenario", "L1"), ("scenario", "l3"))).get_json()
    result = doc["scenario"]
    assert result["candidate_ids"] == ["L1", "L3"]
    assert result["unit_gain_m"] > 0
    assert result["linked_after"] >= result["linked_before"]
    assert all(p["gain_m"] >= 0 for p in result["pairs"])
    # commas separate ids too; a chosen candidate may lie beyond top
    same = client.get("/api/gaps?top=1&scenario=L1,L3").get_json()["scenario"]
    assert same == result


def test_scenario_gain_is_never_negative(client: FlaskClient) -> None:
    ids = ["L1", "L2", "L3"]
    for value in [*ids, ",".join(ids)]:
        result = client.get(_url("/api/gaps", scenario=value)).get_json()["scenario"]
        assert result["unit_gain_m"] >= 0 and result["population_gain_m"] >= 0
        assert result["linked_after"] >= result["linked_before"]
        assert all(p["gain_m"] >= 0 for p in result["pairs"])
        assert all(p["after_m"] is not None for p in result["pairs"] if p["newly_linked"])


BAD_QUERIES: list[list[tuple[str, str]]] = [
    [("top", "0")],
    [("top", str(MAX_TOP + 1))],
    [("top", "-1")],
    [("top", "abc")],
    [("top", "1.5")],
    [("top", "1e3")],
    [("top", "\u0663")],  # an Arabic-Indic digit
    [("top", "99999999999999999999")],
    [("top", "5"), ("top", "6")],
    [("scenario", "L999")],
    [("scenario", "L0")],
    [("scenario", "nope")],
    [("scenario", "L1"), ("scenario", "X" * 500)],
    [("scenario", "L1\x00")],
    [("scenario", f"L{i}") for i in range(MAX_SCENARIO + 1)],
]


@pytest.mark.parametrize("pairs", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_api_errors_are_400_json(client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    response = client.get(_url("/api/gaps", *pairs))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"] == "invalid_request" and body["detail"]
    assert set(body) == {"error", "detail"}


@pytest.mark.parametrize("pairs", BAD_QUERIES[:3] + BAD_QUERIES[9:11], ids=range(5))
def test_page_errors_are_shown_with_400(client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    response = client.get(_url("/liaisons", *pairs))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "Demande incorrecte" in html
    assert 'id="scenario-form"' in html and 'id="pairs-table"' in html  # the page stays usable


def test_unknown_candidate_detail_names_the_id(client: FlaskClient) -> None:
    body = client.get("/api/gaps?scenario=L999").get_json()
    assert "L999" in body["detail"] and "L1..L3" in body["detail"]
    html = client.get("/liaisons?scenario=L999").get_data(as_text=True)
    assert "L999" in html


HOSTILE: list[str] = [
    "top=%ZZ&scenario=%", "&&&==&", "top=%ff%fe", "scenario=%ED%A0%80", "scenario[]=L1",
    "scenario=%00", "scenario={{7*7}}", "scenario=<script>", "top=&scenario=", "scenario=,,,",
    "lang=<script>&scenario=L1", "top=" + "9" * 300,
]


@pytest.mark.parametrize("path", ["/api/gaps", "/liaisons"])
@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_no_input_triggers_a_500(client: FlaskClient, path: str, raw: str,
                                 caplog: pytest.LogCaptureFixture) -> None:
    response = client.get(f"{path}?{raw}")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert "unexpected error" not in caplog.text
    if path.startswith("/api/") and response.status_code >= 400:
        assert set(response.get_json()) == {"error", "detail"}
    assert "<script>alert" not in response.get_data(as_text=True)


def test_only_get(client: FlaskClient) -> None:
    response = client.post("/api/gaps", data={"scenario": "L1"})
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_missing_build_answers_503(tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "BUILD_DIR": tmp_path / "nothing"}).test_client()
    api = client.get("/api/gaps")
    assert api.status_code == 503 and api.get_json()["error"] == "no_network"
    page = client.get("/liaisons")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert str(tmp_path) not in page.get_data(as_text=True) + api.get_data(as_text=True)


def test_analysis_runs_once_per_app(mock_compiled: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = gaps_views.analyse_gaps

    def counting(net: Any, **kwargs: Any) -> Any:
        calls.append(net)
        return real(net, **kwargs)

    monkeypatch.setattr(gaps_views, "analyse_gaps", counting)
    app = create_app({"TESTING": True, "NETWORK": mock_compiled})
    client = app.test_client()
    assert calls == []  # nothing at start-up: on first use
    for url in ("/liaisons", "/api/gaps", "/liaisons?scenario=L1&lang=en", "/api/gaps?top=2",
                "/api/gaps?scenario=L9"):
        assert client.get(url).status_code in (200, 400)
    assert len(calls) == 1
    assert create_app({"TESTING": True, "NETWORK": mock_compiled}).test_client().get(
        "/api/gaps").status_code == 200
    assert len(calls) == 2  # each app its own cache


# -- OpenAPI ------------------------------------------------------------------------------------


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    from openapi_schema_validator import OAS31Validator

    return OAS31Validator({**schema, "components": doc["components"]})


def test_api_answers_match_the_openapi_document(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    operation = doc["paths"]["/api/gaps"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"top", "scenario"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    for url in ("/api/gaps", "/api/gaps?top=1", "/api/gaps?scenario=L1&scenario=L2"):
        response = client.get(url)
        assert response.status_code == 200
        _validator(doc, ok).validate(response.get_json())
    error = operation["responses"]["400"]["content"]["application/json"]["schema"]
    for url in ("/api/gaps?top=0", "/api/gaps?scenario=L999"):
        response = client.get(url)
        assert response.status_code == 400
        _validator(doc, error).validate(response.get_json())


# -- escaping -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_compiled(mock_compiled: Any) -> Any:
    """The mock network whose first park units are named with Jinja syntax and a script."""
    parks = list(mock_compiled.parks)
    parks[0] = dataclasses.replace(parks[0], name=EVIL_NAME)
    parks[1] = dataclasses.replace(parks[1], name=SSTI_NAME)
    return dataclasses.replace(mock_compiled, parks=tuple(parks))


def _assert_literal(html: str) -> None:
    assert "{{ 7*7 }}" in html  # shown as typed...
    assert "Parc 49" not in html and "config.items" in html  # ...never evaluated
    assert "<script>alert(1)</script>" not in html
    assert "SECRET_KEY" not in html and "MAX_QUERY_LENGTH" not in html


def test_injected_names_render_literally_in_the_page(evil_compiled: Any) -> None:
    client = create_app({"TESTING": True, "NETWORK": evil_compiled}).test_client()
    for url in ("/liaisons", "/liaisons?lang=en", "/liaisons?scenario=L1&scenario=L2"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        _assert_literal(html)
        assert f"Parc {{{{ 7*7 }}}} {ESCAPED_SCRIPT}" in html  # tables: HTML-escaped text
        # the map script: HTML-safe JSON, every "<" escaped
        scripts = re.findall(r"<script nonce=[^>]*>(.*?)</script>", html, flags=re.S)
        assert scripts and "{{ 7*7 }}" in "".join(scripts)
        for script in scripts:
            assert "<" not in script.replace("\\u003c", "")
    doc = client.get("/api/gaps?scenario=L1").get_json()
    assert EVIL_NAME in {u["name"] for u in doc["units"]}
    assert any(EVIL_NAME in f["properties"]["reason"] for f in doc["candidates"]["features"])


def test_injected_names_render_literally_in_the_html_report(evil_compiled: Any,
                                                            tmp_path: Path) -> None:
    from routing.gaps.analysis import analyse_gaps
    from routing.gaps.export import write_html

    report = analyse_gaps(evil_compiled)
    assert any(EVIL_NAME in c.reason for c in report.candidates)
    html = write_html(report, tmp_path / "liaisons.html").read_text(encoding="utf-8")
    _assert_literal(html)
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html  # escaped HTML inside escaped JSON
    assert "Liaisons manquantes (class" in html and "L.geoJSON(" in html


# -- unit ---------------------------------------------------------------------------------------


def test_messages_are_complete() -> None:
    assert set(MESSAGES["fr"]) == set(MESSAGES["en"])
    assert set(gaps_views.CLASS_LABELS["fr"]) == set(gaps_views.CLASS_LABELS["en"])


@pytest.mark.parametrize("module", ["webapp.gaps_views", "parcs.safe_maps"])
def test_doctests(module: str) -> None:
    result = run_doctests(module)
    assert result.failed == 0 and result.attempted > 0


# -- real data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_app(real_build_dir: Path) -> Flask:
    return real_build_app(real_build_dir)


@pytest.mark.realdata
def test_realdata_page(real_app: Flask) -> None:
    client = real_app.test_client()
    response = client.get("/liaisons")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(_body_rows(_table(html, "pairs-table"))) == 55
    rows = _body_rows(_table(html, "candidates-table"))
    assert len(rows) == DEFAULT_TOP
    assert 'id="liaison-L1"' in rows[0]
    n_components = client.get("/api/gaps").get_json()["summary"]["components"]
    assert len(_body_rows(_table(html, "components-table"))) == n_components
    scenario = client.get("/liaisons?scenario=L1&scenario=L3")
    assert scenario.status_code == 200
    assert 'id="scenario-result"' in scenario.get_data(as_text=True)


@pytest.mark.realdata
def test_realdata_api(real_app: Flask) -> None:
    client = real_app.test_client()
    doc = client.get("/api/gaps").get_json()
    assert len(doc["units"]) == 11
    assert len(doc["unit_pairs"]) == doc["summary"]["unit_pairs"] == 55
    assert len({(p["a"], p["b"]) for p in doc["unit_pairs"]}) == 55
    assert len(doc["candidates"]["features"]) == DEFAULT_TOP
    total = doc["summary"]["candidates"]
    every = client.get(f"/api/gaps?top={MAX_TOP}").get_json()["candidates"]["features"]
    assert len(every) == min(total, MAX_TOP)
    ranks = [f["properties"]["rank"] for f in every]
    assert ranks == sorted(ranks)
    openapi = client.get("/api/openapi.json").get_json()
    schema = openapi["paths"]["/api/gaps"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    _validator(openapi, schema).validate(doc)


@pytest.mark.realdata
def test_realdata_scenarios_never_lose(real_app: Flask) -> None:
    client = real_app.test_client()
    top5 = [f"L{i}" for i in range(1, 6)]
    for chosen in [[c] for c in top5] + [top5]:
        response = client.get(_url("/api/gaps", *(("scenario", c) for c in chosen)))
        assert response.status_code == 200
        result = response.get_json()["scenario"]
        assert result["unit_gain_m"] >= 0 and result["population_gain_m"] >= 0
        assert result["linked_after"] >= result["linked_before"]
        assert all(p["gain_m"] >= 0 for p in result["pairs"])
    assert client.get("/api/gaps?scenario=L100000").status_code == 400
    assert client.get("/api/gaps?top=500").status_code == 400

"""``/api/places`` and ambiguous places through the API, the pages and the CLI (mock network plus
synthetic homonyms, see ``tests/test_gazetteer.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_gazetteer import cn as homonyms  # noqa: F401  (module fixture reused)

from routing import CompiledNetwork
from routing.compiled import save_compiled
from webapp import create_app


@pytest.fixture(scope="module")
def app(homonyms: CompiledNetwork) -> Flask:  # noqa: F811
    return create_app({"TESTING": True, "NETWORK": homonyms})


def _get(client: FlaskClient, **params: Any) -> Any:
    return client.get(f"/api/places?{urlencode(params, doseq=True)}")


def test_autocomplete_is_ranked_and_complete(client: FlaskClient) -> None:
    response = _get(client, q="gare l")
    assert response.status_code == 200
    body = response.get_json()
    first = body["places"][0]
    assert first["id"] == "station:1" and first["category"] == "station"
    assert set(first) >= {"id", "label", "category", "commune", "lat", "lon"}
    assert first["label"] == "Gare de Lens (Lens)" and first["commune"] == "Lens"
    every = _get(client, q="l", limit=50).get_json()["places"]
    assert len(every) > 10 and all("l" in " ".join((p["label"], p["id"])).lower() for p in every)
    assert _get(client, q="l").get_json()["places"] == every[:10]  # default limit
    assert _get(client, q="l", limit=3).get_json()["places"] == every[:3]
    assert _get(client, q="LIÉ").get_json()["places"][0]["label"] == "Liévin"


def test_autocomplete_is_documented(client: FlaskClient) -> None:
    from openapi_schema_validator import OAS31Validator

    doc = client.get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/places"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": doc["components"]}).validate(_get(client, q="parc").get_json())


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "q"),
        ({"q": ""}, "vide"),
        ({"q": "   "}, "vide"),
        ({"q": "a" * 300}, "200 caractères"),
        ({"q": "lens\u200b"}, "invisible"),
        ({"q": ["lens", "lievin"]}, "une seule valeur"),
        ({"q": "a" * 10_000}, "trop longue"),
        ({"q": "lens", "limit": "0"}, "limit"),
        ({"q": "lens", "limit": "51"}, "limit"),
        ({"q": "lens", "limit": "-3"}, "limit"),
        ({"q": "lens", "limit": "abc"}, "limit"),
        ({"q": "lens", "limit": "9" * 40}, "limit"),
    ],
)
def test_bad_input_is_a_french_400(client: FlaskClient, params: dict[str, str], needle: str) -> None:
    response = _get(client, **params)
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error", "detail"} and body["error"] == "invalid_request"
    assert needle in body["detail"]


def test_ambiguous_place_answers_its_candidates(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    response = client.get("/api/route?" + urlencode({"from": "Hôtel de ville", "to": "parc-est"}))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "ambiguous_place" and "précisez" in body["detail"]
    assert sorted(c["id"] for c in body["candidates"]) == ["heritage:HV1", "heritage:HV2"]
    assert {c["commune"] for c in body["candidates"]} == {"Lens", "Liévin"}
    from openapi_schema_validator import OAS31Validator

    schema = doc["paths"]["/api/route"]["get"]["responses"]["400"]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": doc["components"]}).validate(body)
    page = client.get("/?" + urlencode({"from": "Hôtel de ville", "to": "parc-est"}))
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "Hôtel de ville (Lens, patrimoine UNESCO)" in html
    assert "Lieu ambigu" in html and "Plusieurs lieux portent ce nom" in html


def test_names_people_use_route_through_the_api(client: FlaskClient) -> None:
    response = client.get("/api/route?" + urlencode({"from": "gare lens", "to": "T75"}))
    assert response.status_code == 200
    places = response.get_json()["places"]
    assert json.dumps(places).count("station:1") == 1 and "terril:T075" in json.dumps(places)


def test_cli_ambiguous_place_is_one_line_with_the_choices(
    homonyms: CompiledNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    from parcs_cli import main as cli

    save_compiled(homonyms, tmp_path)
    code = cli.main(["route", "--from", "hotel de ville", "--to", "parc-est", "--build", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "heritage:HV1" in err and "heritage:HV2" in err and "Liévin" in err
    assert cli.main(["route", "--from", "gare de lens", "--to", "parc-est", "--build", str(tmp_path)]) == 0


@pytest.mark.parametrize("raw", ["q=%00", "q=%ff%fe", "q=%ED%A0%80", "q={{7*7}}", "q=\u202e", "q[]=1",
                                 "q=lens&q=lievin", "q=lens&limit=1e3", "q=lens&limit=%00", "&&&==&"])
def test_hostile_queries_never_fail(client: FlaskClient, raw: str) -> None:
    response = client.get(f"/api/places?{raw}")
    assert response.status_code in (200, 400), raw
    body = response.get_json()
    assert ("places" in body) if response.status_code == 200 else set(body) == {"error", "detail"}


def test_doctests() -> None:
    from webapp_helpers import run_doctests

    result = run_doctests("webapp.places_api")
    assert result.attempted > 0 and result.failed == 0

"""One request type per product, one validation: the command line and the API accept and refuse
the same inputs with the same French message, and the OpenAPI document states the same bounds.

The tables below are sent both ways — as a query string to the API (mock network) and as options
to ``parcs`` (the same network saved as a build folder) — and the answers compared.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from parcs_cli import main as cli
from routing import bounds
from routing.params import PROFILE_ALIASES

WEST, EAST = "parc-ouest", "parc-est"
#: API parameter → command-line option (the other options are ``--`` + the name, ``_`` → ``-``).
OPTION = {"from": "--from", "to": "--to"}

#: (parameters, refused?) for ``/api/route`` and ``parcs route``.
ROUTES: list[tuple[dict[str, Any], bool]] = [
    ({"from": WEST, "to": EAST}, False),
    ({"from": WEST, "to": EAST, "profile": "vélo", "max_grade": "6,5", "prefer": "2",
      "avoid": "connector", "alternatives": "2", "along": "terril:300"}, False),
    ({"from": WEST, "to": EAST, "via": "", "max_climb": "", "prefer": ""}, False),
    ({"from": WEST, "to": EAST, "prefer": "1e308"}, True),
    ({"from": WEST, "to": EAST, "prefer": "11"}, True),
    ({"from": "nan,nan", "to": EAST}, True),
    ({"from": "1e400,2", "to": EAST}, True),
    ({"from": WEST + "\u0099", "to": EAST}, True),
    ({"from": "x" * (bounds.MAX_PLACE_LENGTH + 1), "to": EAST}, True),
    ({"from": WEST, "to": EAST, "via": [f"v{i}" for i in range(bounds.MAX_VIA + 1)]}, True),
    ({"from": WEST, "to": EAST, "alternatives": str(bounds.MAX_ALTERNATIVES + 1)}, True),
    ({"from": WEST, "to": EAST, "alternatives": "0"}, True),
    ({"from": WEST, "to": EAST, "alternatives": "1.5"}, True),
    ({"from": WEST, "to": EAST, "profile": "car"}, True),
    ({"from": WEST, "to": EAST, "max_grade": "abc"}, True),
    ({"from": WEST, "to": EAST, "max_grade": "0.1"}, True),
    ({"from": WEST, "to": EAST, "max_climb": "-5"}, True),
    ({"from": WEST, "to": EAST, "avoid": "motorway"}, True),
    ({"from": WEST, "to": EAST, "via_category": "volcano"}, True),
    ({"from": WEST, "to": EAST, "along": "volcano:100"}, True),
    ({"from": WEST, "to": EAST, "along": "terril:9000"}, True),
    ({"from": WEST, "to": EAST, "stop_at": [f"poi:{i}" for i in range(bounds.MAX_STOP_AT + 1)]}, True),
]

#: (parameters, refused?) for ``/api/loop`` and ``parcs loop``.
LOOPS: list[tuple[dict[str, Any], bool]] = [
    ({"start": "parc-centre", "distance": "6"}, False),
    ({"start": "parc-centre", "distance": "6", "profile": "marche", "variants": "2", "seed": "3"}, False),
    ({"start": "parc-centre", "distance": "500"}, True),
    ({"start": "parc-centre", "duration": "2"}, True),
    ({"start": "parc-centre", "distance": "6", "variants": str(bounds.MAX_VARIANTS + 1)}, True),
    ({"start": "parc-centre", "distance": "6", "seed": "-1"}, True),
    ({"start": "parc-centre", "distance": "6", "prefer": "1e308"}, True),
    ({"start": "parc-centre", "distance": "6", "via_category": "volcano"}, True),
    ({"start": "parc-centre", "distance": "nan"}, True),
    ({"start": "parc-centre", "distance": "6",
      "through": [f"p{i}" for i in range(bounds.MAX_THROUGH + 1)]}, True),
]


def _option(name: str) -> str:
    return OPTION.get(name, "--" + name.replace("_", "-"))


def _argv(command: str, params: dict[str, Any], build: Path) -> list[str]:
    argv = [command]
    for name, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            argv += [_option(name), v]
    return [*argv, "--json", "--build", str(build)]


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def _api(client: FlaskClient, path: str, params: dict[str, Any]) -> Any:
    pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
    return client.get(f"{path}?{urlencode(pairs)}")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, mock_compiled: Any) -> Path:
    from routing.compiled import save_compiled

    out = tmp_path_factory.mktemp("contract_build")
    save_compiled(mock_compiled, out)
    return out


def _same_answer(client: FlaskClient, capsys: pytest.CaptureFixture[str], build: Path, *,
                 command: str, path: str, params: dict[str, Any], refused: bool) -> None:
    response = _api(client, path, params)
    code, err = _cli(_argv(command, params, build), capsys)
    if not refused:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert code == 0, err
        return
    assert response.status_code == 400
    detail = response.get_json()["detail"]
    assert code == 2
    assert err == f"parcs {command}: error: {detail}\n"  # one line, the API's French message


@pytest.mark.parametrize(("params", "refused"), ROUTES, ids=range(len(ROUTES)))
def test_route_cli_and_api_agree(client: FlaskClient, capsys: pytest.CaptureFixture[str], build: Path,
                                 params: dict[str, Any], refused: bool) -> None:
    _same_answer(client, capsys, build, command="route", path="/api/route", params=params,
                 refused=refused)


@pytest.mark.parametrize(("params", "refused"), LOOPS, ids=range(len(LOOPS)))
def test_loop_cli_and_api_agree(client: FlaskClient, capsys: pytest.CaptureFixture[str], build: Path,
                                params: dict[str, Any], refused: bool) -> None:
    _same_answer(client, capsys, build, command="loop", path="/api/loop", params=params,
                 refused=refused)


def test_loop_target_rule_is_said_everywhere(client: FlaskClient, capsys: pytest.CaptureFixture[str],
                                             build: Path) -> None:
    both = {"start": "parc-centre", "distance": "10", "duration": "5"}
    response = _api(client, "/api/loop", both)
    assert response.status_code == 400 and response.get_json()["detail"] == bounds.LOOP_TARGET_RULE
    doc = client.get("/api/openapi.json").get_json()
    described = {p["name"]: p["description"] for p in doc["paths"]["/api/loop"]["get"]["parameters"]}
    assert bounds.LOOP_TARGET_RULE in described["distance"]
    assert bounds.LOOP_TARGET_RULE in described["duration"]
    code, err = _cli(_argv("loop", both, build), capsys)  # argparse's exclusive group, in French
    assert code == 2 and err.count("\n") == 1 and "incompatible avec" in err


@pytest.mark.parametrize(("top", "scenario"), [("0", []), ("abc", []), (str(bounds.MAX_TOP + 1), []),
                                               ("", ["L99"]),
                                               ("", [f"L{i}" for i in range(bounds.MAX_SCENARIO + 1)])])
def test_gaps_cli_and_api_refuse_alike(client: FlaskClient, capsys: pytest.CaptureFixture[str],
                                       build: Path, top: str, scenario: list[str]) -> None:
    params: dict[str, Any] = {"top": top, "scenario": scenario}
    assert _api(client, "/api/gaps", params).status_code == 400
    argv = ["gaps", "--build", str(build)] + (["--top", top] if top else [])
    code, err = _cli(argv + (["--scenario", *scenario] if scenario else []), capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("parcs gaps: error: ")


# -- the OpenAPI document states the bounds ---------------------------------------------------


def _parameters(doc: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    params = doc["paths"][path]["get"]["parameters"]
    return {p["name"]: p for p in params}


def _bounds_of(param: dict[str, Any]) -> tuple[Any, Any]:
    schema = param["schema"]
    if schema.get("type") == "array":
        return None, schema.get("maxItems")
    return schema.get("minimum"), schema.get("maximum")


def test_openapi_bounds_are_the_constants(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    route, loop = _parameters(doc, "/api/route"), _parameters(doc, "/api/loop")
    gaps = _parameters(doc, "/api/gaps")
    expected = [
        (route, "max_grade", bounds.MAX_GRADE_PCT), (route, "max_climb", bounds.MAX_CLIMB_M),
        (route, "prefer", bounds.PREFER), (route, "alternatives", (1, bounds.MAX_ALTERNATIVES)),
        (route, "via", (None, bounds.MAX_VIA)), (route, "avoid", (None, bounds.MAX_AVOID)),
        (route, "stop_at", (None, bounds.MAX_STOP_AT)), (route, "along", (None, bounds.MAX_ALONG)),
        (loop, "distance", bounds.LOOP_DISTANCE_KM), (loop, "duration", bounds.LOOP_DURATION_MIN),
        (loop, "max_climb", bounds.MAX_CLIMB_M), (loop, "max_grade", bounds.MAX_GRADE_PCT),
        (loop, "prefer", bounds.PREFER), (loop, "variants", (1, bounds.MAX_VARIANTS)),
        (loop, "seed", bounds.SEED), (loop, "through", (None, bounds.MAX_THROUGH)),
        (gaps, "top", (1, bounds.MAX_TOP)), (gaps, "scenario", (None, bounds.MAX_SCENARIO)),
    ]
    for params, name, want in expected:
        assert _bounds_of(params[name]) == tuple(want), name
    for params in (route, loop):
        assert set(params["profile"]["schema"]["enum"]) == set(PROFILE_ALIASES)
    for name in ("from", "to"):
        assert route[name]["schema"]["maxLength"] == bounds.MAX_PLACE_LENGTH
        assert route[name]["schema"]["pattern"] == bounds.text_pattern()
    assert loop["start"]["schema"]["pattern"] == bounds.text_pattern()
    # every optional parameter says that an empty value is absent (what forms send)
    for params in (route, loop, gaps, _parameters(doc, "/api/pois")):
        assert all(p.get("allowEmptyValue") is True for p in params.values() if not p["required"])


@pytest.mark.parametrize("text", [WEST + "\u0099", "a\u202eb", "\ufeffLens", "a\tb", "  ", "x\ue000"])
def test_the_text_rule_is_the_schema_pattern(client: FlaskClient, text: str) -> None:
    pattern = client.get("/api/openapi.json").get_json()["paths"]["/api/route"]["get"][
        "parameters"][0]["schema"]["pattern"]
    assert re.search(pattern, text) is None
    assert client.get("/api/route?" + urlencode({"from": text, "to": EAST})).status_code == 400
    assert re.search(pattern, " Béthune ") is not None


def test_empty_pois_category_is_absent_as_documented(client: FlaskClient) -> None:
    every = client.get("/api/pois").get_json()["features"]
    assert client.get("/api/pois?category=").get_json()["features"] == every
    refused = client.get("/api/pois?category=volcano")
    assert refused.status_code == 400 and "catégorie de lieu inconnue" in refused.get_json()["detail"]


def test_route_permalink_reads_back(client: FlaskClient) -> None:
    from routing.params import parse_route_params

    params = {"from": [WEST], "to": ["50.43,2.83"], "via": ["Lens\nLiévin"], "profile": ["famille"],
              "max_grade": ["6,5"], "avoid": ["unpaved,connector"], "along": ["terril", "viewpoint:500"],
              "alternatives": ["2"], "prefer": ["0.5"]}
    request = parse_route_params(params)
    again = parse_route_params({k: [v for n, v in request.to_params() if n == k]
                                for k in dict(request.to_params())})
    assert again == request
    # a repeated waypoint is a route (A → B → A), a repeated kind to avoid is one kind
    twice = parse_route_params({"from": [WEST], "to": [EAST], "via": ["a", "b", "a"],
                                "avoid": ["connector", "connector"]})
    assert twice.via == ("a", "b", "a") and twice.avoid == ("connector",)


# -- the command line speaks French -------------------------------------------------------------


@pytest.mark.parametrize(("argv", "needle"), [
    (["route", "--to", "b"], "arguments obligatoires manquants : --from"),
    (["route", "--from", "a", "--to", "b", "--nope"], "arguments non reconnus : --nope"),
    (["route", "--from", "a", "--to", "b", "--profile", "car"], "profil inconnu 'car'"),
    (["route", "--from", "nan,nan", "--to", "b"], "coordonnées invalides 'nan,nan' : nombres non finis"),
    (["loop", "--start", "a"], "l'un des arguments --distance --duration est obligatoire"),
    (["route", "--from", "a", "--to", "b", "--via-category", "volcano"],
     "catégorie de lieu inconnue 'volcano'"),
    (["frobnicate"], "choix invalide 'frobnicate'"),
    (["gaps", "--top", "x"], "argument --top : 'x' n'est pas un nombre"),
    (["gaps", "--top", "0"], "argument --top : un nombre entier de 1 à"),
])
def test_cli_errors_are_one_french_line(argv: list[str], needle: str, build: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--build", str(build)] if argv[0] in ("route", "gaps") else []
    code, err = _cli([*argv, *extra], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert needle in err
    for english in ("required", "unrecognized", "invalid choice", "must be", "unknown", "expected"):
        assert english not in err.split(": error: ", 1)[1]

"""The web app on the mock network: pages, API, errors, OpenAPI document, escaping, headers.

Every test uses Flask's test client on the session's mock compiled network (``tests/conftest.py``);
``test_realdata_*`` use the real build in ``data/build/opendata``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webapp_helpers import real_build_app, run_doctests
from werkzeug.datastructures import MultiDict

from parcs import paths
from routing.params import parse_route_params
from webapp import create_app
from webapp.charts import clean_profile, elevation_svg, nice_step
from webapp.i18n import MESSAGES, Translator, negotiate_language, translate

# Route endpoints between two park units of the mock network (see tests/conftest.py).
WEST, EAST, CENTRE, ISOLATED = "parc-ouest", "parc-est", "parc-centre", "parc-isole"
XSS_POI = "<script>alert(1)</script>"
XSS_PARK = '<img src=x onerror="alert(2)">'
XSS_DESC = "</script><script>alert(3)</script>`${alert(4)}`"
#: Jinja syntax in data must never be evaluated (branca compiles rendered scripts as templates).
SSTI_NAME = "{% if x %}{{ 7*7 }}{{ config.items() }}"


def _route_url(path: str = "/api/route", **params: Any) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = {"from_": "from"}.get(key, key)
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(name, str(v)) for v in values]
    return f"{path}?{urlencode(pairs)}"


# -- application factory ----------------------------------------------------------------------


def test_factory_loads_the_network_once(app: Flask, mock_compiled: Any) -> None:
    state = app.extensions["parcs"]
    assert state.network is mock_compiled
    assert state.error is None
    assert len(state.catalog.parks) == len(mock_compiled.parks)
    assert not app.debug


def test_factory_reads_a_build_folder(mock_build_dir: Path) -> None:
    app = create_app({"TESTING": True, "BUILD_DIR": mock_build_dir})
    assert app.extensions["parcs"].network is not None
    response = app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_missing_build_answers_503_everywhere(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "BUILD_DIR": tmp_path / "nothing-here"})
    client = app.test_client()
    health = client.get("/api/health")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"
    api = client.get(_route_url(from_=WEST, to=EAST))
    assert api.status_code == 503
    assert api.get_json()["error"] == "no_network"
    assert str(tmp_path) not in api.get_data(as_text=True)
    page = client.get("/")
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "Le réseau n&#39;est pas disponible" in text or "Le réseau n'est pas disponible" in text
    assert str(tmp_path) not in text
    assert client.get("/parcs").status_code == 503


# -- pages ------------------------------------------------------------------------------------


def test_planner_page_is_french_by_default(client: FlaskClient, mock_compiled: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Calculer l&#39;itinéraire" in html or "Calculer l'itinéraire" in html
    for name in ("from", "to", "profile", "max_grade", "max_climb", "avoid", "via_category"):
        assert f'name="{name}"' in html
    for park in mock_compiled.parks:
        assert f'<option value="{park.id}">' in html
    assert 'class="folium-map"' in html
    assert "Choisissez un départ et une arrivée" in html


@pytest.mark.parametrize(
    ("query", "headers", "lang"),
    [
        ("?lang=en", {}, "en"),
        ("", {"Accept-Language": "en-GB,en;q=0.8"}, "en"),
        ("?lang=fr", {"Accept-Language": "en"}, "fr"),
        ("?lang=xx", {}, "fr"),
        ("", {"Accept-Language": "de"}, "fr"),
    ],
)
def test_language_negotiation(client: FlaskClient, query: str, headers: dict[str, str],
                              lang: str) -> None:
    response = client.get("/" + query, headers=headers)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers.get("Vary", "")


def test_english_page_keeps_language_in_links(client: FlaskClient) -> None:
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Plan the route" in html
    assert 'href="/parcs?lang=en"' in html
    assert 'name="lang" value="en"' in html


def test_parks_page_lists_every_unit(client: FlaskClient, mock_compiled: Any) -> None:
    response = client.get("/parcs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for park in mock_compiled.parks:
        assert park.name.replace("'", "&#39;") in html
        assert f'id="parc-{park.id}"' in html
        assert f"/?from={park.id}" in html
    assert "Points d&#39;accès" in html or "Points d'accès" in html
    assert " ha<" in html or "\u00a0ha<" in html


def test_inline_scripts_carry_the_csp_nonce(client: FlaskClient) -> None:
    for url in ("/", "/parcs", "/?lang=en"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp)
        assert nonce, csp
        assert "frame-ancestors 'none'" in csp
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or f'nonce="{nonce.group(1)}"' in tag, tag


def test_security_headers(client: FlaskClient) -> None:
    for url in ("/", "/api/parks", "/api/nope", "/nope"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in headers
    assert client.get("/api/parks").headers["Access-Control-Allow-Origin"] == "*"


# -- static files -----------------------------------------------------------------------------


def test_static_files_are_served_from_memory(client: FlaskClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    again = client.get("/static/style.css", headers={"If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/static/planner.js").status_code == 200


def test_leaflet_is_local(client: FlaskClient, app: Flask) -> None:
    if not app.extensions["parcs_assets"].leaflet_local:
        pytest.skip("js_lib_leaflet (django-js-lib-leaflet) is not installed")
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/vendor/leaflet/images/marker-icon.png").mimetype == "image/png"
    assert "/static/vendor/leaflet/leaflet.js" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/static/../__init__.py",
        "/static/%2e%2e/__init__.py",
        "/static/..%2f..%2fparcs/_errors.py",
        "/static//etc/passwd",
        "/static/templates/base.html",
        "/static/vendor/leaflet/../../style.css",
    ],
)
def test_static_never_reads_request_paths(client: FlaskClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)  # "//" is merged by a 308 first
    assert response.status_code == 404
    assert b"root:" not in response.data


# -- JSON API ---------------------------------------------------------------------------------


def test_api_parks(client: FlaskClient, mock_compiled: Any) -> None:
    response = client.get("/api/parks")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    doc = response.get_json(force=True)
    assert doc["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in doc["features"]] == [p.id for p in mock_compiled.parks]
    first = doc["features"][0]
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert first["properties"]["area_ha"] > 0
    assert first["properties"]["access_points"]


def test_api_pois(client: FlaskClient, mock_compiled: Any) -> None:
    every = client.get("/api/pois").get_json(force=True)
    assert len(every["features"]) == len(mock_compiled.pois)
    terrils = client.get("/api/pois?category=terril").get_json(force=True)
    assert terrils["features"]
    assert {f["properties"]["category"] for f in terrils["features"]} == {"terril"}
    bad = client.get("/api/pois?category=volcano")
    assert bad.status_code == 400
    assert bad.get_json()["error"] == "invalid_request"


def test_api_health(client: FlaskClient, mock_compiled: Any) -> None:
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["network"]["parks"] == len(mock_compiled.parks)


def test_api_errors_are_json(client: FlaskClient) -> None:
    missing = client.get("/api/nope")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "not_found", "detail": missing.get_json()["detail"]}
    post = client.post("/api/route", data={"from": WEST})
    assert post.status_code == 405
    assert post.get_json()["error"] == "method_not_allowed"
    assert "GET" in post.headers["Allow"]
    long = client.get("/api/route?from=" + "a" * 5000)
    assert long.status_code == 414
    assert long.get_json()["error"] == "uri_too_long"


def test_page_errors_are_french_html(client: FlaskClient) -> None:
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page introuvable" in response.get_data(as_text=True)


def test_last_resort_handler_hides_the_traceback(mock_compiled: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    app = create_app({"TESTING": True, "NETWORK": mock_compiled})

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/boom", "boom_api", boom)
    app.add_url_rule("/boom", "boom_page", boom)
    client = app.test_client()
    api = client.get("/api/boom")
    assert api.status_code == 500
    assert api.get_json() == {"error": "internal_error",
                              "detail": "unexpected server error; it has been logged"}
    page = client.get("/boom")
    assert page.status_code == 500
    for response in (api, page):
        text = response.get_data(as_text=True)
        assert "secret internals" not in text
        assert "Traceback" not in text
    assert "secret internals" in caplog.text


# -- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_document_is_valid(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.")


def test_every_api_route_is_documented(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()

    def openapi_path(rule: str) -> str:  # Flask's <slug> is OpenAPI's {slug}
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)

    rules = {openapi_path(r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api")}
    assert rules == set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api"):
            documented = {m.upper() for m in doc["paths"][openapi_path(rule.rule)]}
            assert (rule.methods or set()) - {"HEAD", "OPTIONS"} == documented


def _documented_example(doc: dict[str, Any], path: str) -> str:
    """A request for a documented path: required parameters filled with mock values."""
    params = {"from": WEST, "to": EAST} if path.startswith("/api/route") else {}
    return f"{path}?{urlencode(params)}" if params else path


def _schema_validator(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    from openapi_schema_validator import OAS31Validator

    return OAS31Validator({**schema, "components": doc["components"]})


def test_every_documented_path_answers_as_documented(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            response = client.open(_documented_example(doc, path), method=method.upper())
            status = str(response.status_code)
            assert status in operation["responses"], (path, status)
            content = operation["responses"][status].get("content", {})
            assert response.mimetype in content, (path, response.mimetype)
            schema = content[response.mimetype]["schema"]
            if (response.mimetype or "").endswith("json"):
                _schema_validator(doc, schema).validate(json.loads(response.data))


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "nowhere", "to": EAST}, 404, "unknown_place"),
        ({"from": "50.0,2.0", "to": EAST}, 422, "out_of_area"),
        ({"from": WEST, "to": "viewpoint:V1", "max_climb": "5"}, 422, "constraint_unsatisfiable"),
        ({"from": WEST, "to": ISOLATED}, 422, "no_route"),
        ({"from": WEST, "to": WEST}, 400, "invalid_request"),
        ({"from": WEST}, 400, "invalid_request"),
        ({"from": WEST, "to": EAST, "alternatives": "4"}, 400, "invalid_request"),
    ],
)
def test_route_errors_match_the_document(client: FlaskClient, params: dict[str, str],
                                         status: int, code: str) -> None:
    doc = client.get("/api/openapi.json").get_json()
    for path in ("/api/route", "/api/route.gpx"):
        response = client.get(f"{path}?{urlencode(params)}")
        assert response.status_code == status
        body = response.get_json()
        assert body["error"] == code
        assert body["detail"]
        documented = doc["paths"][path]["get"]["responses"][str(status)]
        _schema_validator(doc, documented["content"]["application/json"]["schema"]).validate(body)


# -- routes -----------------------------------------------------------------------------------


def test_api_route_geojson(client: FlaskClient) -> None:
    response = client.get(_route_url(from_=WEST, to=EAST, alternatives=2, along="terril:300"))
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    doc = response.get_json(force=True)
    assert doc["type"] == "FeatureCollection"
    assert 1 <= len(doc["features"]) <= 2
    best = doc["features"][0]
    assert best["geometry"]["type"] == "LineString"
    assert len(best["geometry"]["coordinates"][0]) == 3  # lon, lat, elevation
    props = best["properties"]
    assert props["rank"] == 0
    assert props["distance_m"] > 1000
    assert 0 <= props["greenway_share"] <= 1
    assert props["elevation_profile"]
    assert props["directions"]
    assert doc["places"]["origin"]["id"] == WEST
    assert doc["request"]["along"] == [["terril", 300.0]]


def test_api_route_gpx(client: FlaskClient) -> None:
    response = client.get(_route_url("/api/route.gpx", from_=WEST, to=EAST, profile="vélo"))
    assert response.status_code == 200
    assert response.mimetype == "application/gpx+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    root = ET.fromstring(response.data)
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    points = root.findall(".//g:trkpt", ns)
    assert len(points) >= 5
    assert points[0].find("g:ele", ns) is not None


def test_planner_page_with_a_route(client: FlaskClient) -> None:
    response = client.get(_route_url("/", from_=WEST, to=EAST, profile="bike", max_grade="10",
                                      avoid="connector"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for piece in ('id="summary"', "Distance", "Durée", "Dénivelé", "Part en voie verte",
                  "Parcs traversés", 'class="elevation-chart"', 'id="directions"',
                  "Parc de l&#39;Ouest", "Vélo"):
        assert piece in html, piece
    # downloads repeat the query on the API
    assert "/api/route.gpx?from=parc-ouest&amp;to=parc-est&amp;profile=bike&amp;max_grade=10" in html
    assert "/api/route?from=parc-ouest&amp;to=parc-est" in html
    # the form is filled back in
    assert 'value="parc-ouest"' in html and 'value="bike" checked' in html
    assert 'value="connector" checked' in html
    # the map draws the route and the end points
    assert '"pin":"start"' in html and '"pin":"end"' in html
    assert "#1b7f3b" in html


def test_planner_page_in_english_with_alternatives(client: FlaskClient) -> None:
    html = client.get(_route_url("/", from_=WEST, to=EAST, alternatives=2, lang="en")
                      ).get_data(as_text=True)
    assert "Summary" in html and "Elevation profile" in html and "Directions" in html
    assert "Alternative 2" in html
    assert "lang=en" in html


@pytest.mark.parametrize(
    ("params", "status", "title"),
    [
        ({"from": "nowhere", "to": EAST}, 404, "Lieu inconnu"),
        ({"from": "50.0,2.0", "to": EAST}, 422, "Hors du territoire"),
        ({"from": WEST, "to": "viewpoint:V1", "max_climb": "5"}, 422,
         "Contrainte impossible à respecter"),
        ({"from": WEST, "to": ISOLATED}, 422, "Aucun itinéraire trouvé"),
        ({"from": WEST, "to": WEST}, 400, "Demande incorrecte"),
        ({"from": WEST}, 400, "Demande incorrecte"),
    ],
)
def test_planner_errors_are_shown_in_french(client: FlaskClient, params: dict[str, str],
                                            status: int, title: str) -> None:
    response = client.get("/?" + urlencode(params))
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert title in html
    assert 'id="route-form"' in html  # the form stays, filled in
    assert f'value="{params["from"]}"' in html


# -- parameters (unit) ------------------------------------------------------------------------


def _parse(**params: Any) -> Any:
    args: MultiDict[str, str] = MultiDict()
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            args.add({"from_": "from"}.get(key, key), str(v))
    return parse_route_params(args.to_dict(flat=False))


def test_parse_route_query() -> None:
    q = _parse(from_=" louvre-lens ", to="50.43,2.83", via=["Lens\nLiévin", ""], profile="vélo",
               max_grade="6,5", avoid="connector,unpaved", along=["terril:300", "viewpoint"],
               alternatives="2", prefer="", max_climb="")
    assert q.origin == "louvre-lens"
    assert q.via == ("Lens", "Liévin")
    assert q.profile == "bike"
    assert q.max_grade == 6.5
    assert q.max_climb is None and q.prefer == 1.0  # the default of the one request type
    assert q.avoid == ("connector", "unpaved")
    assert q.along == (("terril", 300.0), ("viewpoint", 200.0))
    assert q.alternatives == 2
    assert ("max_grade", "6.5") in q.to_params()


@pytest.mark.parametrize(
    "params",
    [
        {"to": "x"},
        {"from_": "x"},
        {"from_": "x", "to": "y", "via": [f"v{i}" for i in range(11)]},
        {"from_": "x", "to": "y", "along": ["a", "b", "c", "d", "e", "f"]},
        {"from_": "x", "to": "y", "alternatives": "4"},
        {"from_": "x", "to": "y", "alternatives": "1.5"},
        {"from_": "x", "to": "y", "max_grade": "nan"},
        {"from_": "x", "to": "y", "max_grade": "inf"},
        {"from_": "x", "to": "y", "max_climb": "-5"},
        {"from_": "x", "to": "y", "prefer": "1e309"},
        {"from_": "x", "to": "y", "profile": "rocket"},
        {"from_": "x", "to": "y", "along": "terril:-3"},
        {"from_": "x", "to": "y", "along": ":300"},
        {"from_": "x" * 300, "to": "y"},
        {"from_": "x\x00", "to": "y"},
        {"from_": "x", "to": ["y", "z"]},
    ],
)
def test_parse_route_query_rejects(params: dict[str, Any]) -> None:
    from parcs import InvalidRequestError

    with pytest.raises(InvalidRequestError):
        _parse(**params)


# -- i18n and chart (unit) --------------------------------------------------------------------


def test_translations_are_complete() -> None:
    assert set(MESSAGES["fr"]) == set(MESSAGES["en"])
    assert translate("en", "no.such.key") == "no.such.key"
    assert negotiate_language(" EN ") == "en"


def test_elevation_svg_is_well_formed_and_accessible() -> None:
    t = Translator("fr")
    points = [(d * 50.0, 30 + (d % 20)) for d in range(300)]
    svg = elevation_svg(points, t, climb=120, descent=110)
    root = ET.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("role") == "img"
    assert root.find(f"{ns}title") is not None
    desc = root.find(f"{ns}desc")
    assert desc is not None and "+120 m" in (desc.text or "")
    assert elevation_svg([(0, 1)], t) == ""
    assert len(clean_profile(points, max_points=50).distances) == 50
    assert nice_step(14_960) == 5000.0


# -- escaping ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_app(mock_compiled: Any) -> Flask:
    """The mock network with a POI and a park whose texts are HTML/JS injections."""
    pois = list(mock_compiled.pois)
    pois[0] = dataclasses.replace(pois[0], name=XSS_POI, description=XSS_DESC)
    pois[1] = dataclasses.replace(pois[1], name=SSTI_NAME)
    parks = list(mock_compiled.parks)
    parks[0] = dataclasses.replace(parks[0], name=XSS_PARK, description=XSS_DESC,
                                   agglomeration=XSS_POI)
    parks[1] = dataclasses.replace(parks[1], name=SSTI_NAME)
    evil = dataclasses.replace(mock_compiled, pois=tuple(pois), parks=tuple(parks))
    return create_app({"TESTING": True, "NETWORK": evil})


def _assert_no_payload(html: str) -> None:
    for payload in (XSS_POI, XSS_PARK, "<script>alert(3)</script>", "onerror=\"alert"):
        assert payload not in html
    # inside the map script, data is JSON with <, > and & escaped
    for script in re.findall(r"<script nonce=[^>]*>(.*?)</script>", html, flags=re.S):
        assert "<" not in script.replace("\\u003c", "")


def test_injected_names_render_as_text(evil_app: Flask) -> None:
    client = evil_app.test_client()
    for url in ("/", "/parcs", "/?lang=en"):
        html = client.get(url).get_data(as_text=True)
        _assert_no_payload(html)
    parks_html = client.get("/parcs").get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in parks_html
    planner_html = client.get("/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in planner_html  # the list of places


def test_template_syntax_in_data_is_not_evaluated(evil_app: Flask) -> None:
    client = evil_app.test_client()
    for url in ("/", "/parcs", _route_url("/", from_=WEST, to=EAST)):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "{{ 7*7 }}" in html  # shown as typed, in the page and in the map data
        assert "SECRET_KEY" not in html and "MAX_QUERY_LENGTH" not in html


def test_injected_poi_along_a_route(evil_app: Flask) -> None:
    client = evil_app.test_client()
    # the first mock POI (renamed) is "Terril des Berges", along the route from west to east
    html = client.get(_route_url("/", from_=WEST, to=EAST)).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    _assert_no_payload(html)
    gpx = client.get(_route_url("/api/route.gpx", from_=WEST, to=EAST, along="terril:300"))
    assert gpx.status_code == 200
    names = [e.text for e in ET.fromstring(gpx.data).iter("{http://www.topografix.com/GPX/1/1}name")]
    assert XSS_POI in names  # XML-escaped on the wire, intact once parsed


def test_injected_names_stay_json_in_the_api(evil_app: Flask) -> None:
    doc = evil_app.test_client().get("/api/pois").get_json(force=True)
    assert doc["features"][0]["properties"]["name"] == XSS_POI


def test_request_values_are_escaped(client: FlaskClient) -> None:
    html = client.get(_route_url("/", from_=XSS_POI, to=XSS_PARK)).get_data(as_text=True)
    _assert_no_payload(html)


# -- no input triggers a 500 ------------------------------------------------------------------

HOSTILE_QUERIES: list[dict[str, Any]] = [
    {},
    {"from": ""},
    {"from": WEST},
    {"from": WEST, "to": ""},
    {"from": "../../etc/passwd", "to": "/etc/passwd"},
    {"from": "nan,nan", "to": "inf,-inf"},
    {"from": "91,200", "to": EAST},
    {"from": "1e400,2", "to": EAST},
    {"from": WEST, "to": EAST, "profile": ["walk", "bike"]},
    {"from": WEST, "to": EAST, "max_grade": "0"},
    {"from": WEST, "to": EAST, "max_grade": "abc"},
    {"from": WEST, "to": EAST, "avoid": "everything"},
    {"from": WEST, "to": EAST, "via_category": "volcano"},
    {"from": WEST, "to": EAST, "stop_at": "volcano"},
    {"from": WEST, "to": EAST, "along": "volcano:100"},
    {"from": WEST, "to": EAST, "along": "terril:abc"},
    {"from": WEST, "to": EAST, "alternatives": "-1"},
    {"from": WEST, "to": EAST, "alternatives": "99999999999999999999"},
    {"from": WEST, "to": EAST, "prefer": "-1"},
    {"from": WEST, "to": EAST, "via": ["nowhere"]},
    {"from": "\u202e\u0000", "to": "\ufeff"},
    {"from": "%00", "to": "%ff%fe"},
    {"from": "{{7*7}}", "to": "${7*7}"},
    {"from": WEST, "to": WEST},
    {"from": WEST, "to": ISOLATED},
    {"from": "50.0,2.0", "to": EAST},
    {"lang": "<script>", "from": WEST},
]


@pytest.mark.parametrize("path", ["/api/route", "/api/route.gpx", "/"])
@pytest.mark.parametrize("params", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_no_input_triggers_a_500(client: FlaskClient, path: str, params: dict[str, Any],
                                 caplog: pytest.LogCaptureFixture) -> None:
    pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
    response = client.get(f"{path}?{urlencode(pairs)}")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert "unexpected error" not in caplog.text
    if path.startswith("/api/") and response.status_code >= 400:
        body = response.get_json()
        assert set(body) == {"error", "detail"}
    if path == "/" and response.status_code >= 400:
        assert 'role="alert"' in response.get_data(as_text=True)


def test_raw_garbage_query_string(client: FlaskClient) -> None:
    for raw in ("from=%ZZ&to=%", "&&&==&", "from=%ff%fe&to=%c3%28", "from[]=1&to[x]=2",
                "from=%ED%A0%80&to=x"):
        for path in ("/api/route", "/"):
            response = client.get(f"{path}?{raw}")
            assert response.status_code < 500, raw


# -- CLI --------------------------------------------------------------------------------------


def test_serve_refuses_debug_off_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    from parcs_cli.main import main

    assert main(["serve", "--debug", "--host", "0.0.0.0"]) == 2
    assert "--debug is refused" in capsys.readouterr().err


def test_serve_is_registered() -> None:
    from parcs_cli.main import build_parser

    args = build_parser().parse_args(["serve", "--port", "5050"])
    assert args.port == 5050 and args.host == "127.0.0.1" and not args.debug


# -- real data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_app() -> Flask:
    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        pytest.skip(f"no real build in {build} (make data)")
    return real_build_app(build)


@pytest.mark.realdata
def test_realdata_parks_page(real_app: Flask) -> None:
    client = real_app.test_client()
    html = client.get("/parcs").get_data(as_text=True)
    parks = real_app.extensions["parcs"].catalog.parks
    assert len(parks) == 11
    for park in parks:
        assert f'id="parc-{park.id}"' in html
    assert json.loads(client.get("/api/parks").data)["features"]


@pytest.mark.realdata
def test_realdata_planner_between_two_park_units(real_app: Flask) -> None:
    client = real_app.test_client()
    parks = real_app.extensions["parcs"].catalog.parks
    origin, destination = parks[0], parks[1]
    response = client.get("/?" + urlencode({"from": origin.id, "to": destination.id}))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    for piece in ('id="summary"', 'class="elevation-chart"', 'id="directions"', "Parcs traversés",
                  "/api/route.gpx?from="):
        assert piece in html, piece
    api = client.get("/api/route?" + urlencode({"from": origin.id, "to": destination.id}))
    assert api.status_code == 200
    props = api.get_json(force=True)["features"][0]["properties"]
    assert props["distance_m"] > 1000
    crossed = {p["id"] for p in props["parks_crossed"]}
    assert {origin.id, destination.id} <= crossed
    gpx = client.get("/api/route.gpx?" + urlencode({"from": origin.id, "to": destination.id}))
    assert ET.fromstring(gpx.data).tag.endswith("gpx")


@pytest.mark.realdata
def test_realdata_errors_are_4xx(real_app: Flask) -> None:
    client = real_app.test_client()
    assert client.get("/api/route?from=nulle-part&to=louvre-lens").status_code == 404
    assert client.get("/api/route?from=48.85,2.35&to=louvre-lens").status_code == 422
    page = client.get("/?from=48.85,2.35&to=louvre-lens")
    assert page.status_code == 422
    assert "Hors du territoire" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "module",
    ["webapp.i18n", "webapp.charts", "webapp.maps", "webapp.errors",
     "parcs_cli.serve_cmd"],
)
def test_doctests(module: str) -> None:
    """The examples in the docstrings (``webapp`` is not among pytest's doctest paths)."""
    assert run_doctests(module).failed == 0

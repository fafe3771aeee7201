"""The planner in a real browser: headless Chromium driven by Selenium (``-m browser``).

The app runs on a free loopback port in a background thread (werkzeug's ``make_server``) with the
real build; Chromium (Debian packages ``chromium`` and ``chromium-driver``, ``make browser``) opens
the planner, plans a route between two park units through the form, and checks that the Leaflet map
draws the route, that the summary and the elevation chart show, and saves screenshots under
``tests/artifacts/``. A second server on the mock network with injected names checks that no
script of the data runs.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from parcs import paths
from webapp import create_app

pytestmark = pytest.mark.browser

CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ROUTE_COLOUR = "#1b7f3b"
WAIT_S = 30


def _serve(app: Flask) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="webapp-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def real_server() -> Iterator[str]:
    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        pytest.skip(f"no real build in {build} (make data)")
    app = create_app({"BUILD_DIR": build})
    assert app.extensions["parcs"].network is not None, app.extensions["parcs"].error
    if not app.extensions["parcs_assets"].leaflet_local:
        pytest.fail("Leaflet is not served locally (no internet for the CDN here): "
                    "pip install django-js-lib-leaflet")
    yield from _serve(app)


@pytest.fixture(scope="module")
def evil_server(mock_compiled: Any) -> Iterator[str]:
    pois = list(mock_compiled.pois)
    pois[0] = dataclasses.replace(pois[0], name="<img src=x onerror=alert(1)>")
    parks = list(mock_compiled.parks)
    parks[0] = dataclasses.replace(parks[0], name="<script>alert(2)</script>",
                                   description="`${alert(3)}`</script><b>x</b>")
    evil = dataclasses.replace(mock_compiled, pois=tuple(pois), parks=tuple(parks))
    yield from _serve(create_app({"NETWORK": evil}))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMEDRIVER).exists() or not (shutil.which("chromium")
                                                 or shutil.which("chromium-browser")):
        pytest.skip("headless Chromium is not installed (make browser)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", "--lang=fr-FR",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S).until(condition)


def _route_paths(driver: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [p for p in driver.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane svg path")
            if (p.get_attribute("stroke") or "").lower() == ROUTE_COLOUR]


def _page_errors(driver: Any) -> list[str]:
    """Console errors other than the (offline) map tiles."""
    return [e["message"] for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and "tile.openstreetmap.org" not in e["message"]]


def test_plan_a_route_between_two_park_units(browser: Any, real_server: str) -> None:
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(real_server + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-container"))
    options = browser.find_elements(By.CSS_SELECTOR, "datalist#places option")
    values = [o.get_attribute("value") for o in options]
    assert "louvre-lens" in values and "olhain" in values

    browser.find_element(By.ID, "from").send_keys("louvre-lens")
    browser.find_element(By.ID, "to").send_keys("olhain")
    browser.find_element(By.XPATH, "//label[contains(@class, 'profile-choice')][.//input[@value='bike']]").click()
    browser.find_element(By.CSS_SELECTOR, "#route-form button[type=submit]").click()

    _wait(browser, lambda d: "from=louvre-lens" in d.current_url)
    summary = _wait(browser, lambda d: d.find_elements(By.ID, "summary"))[0]
    assert re.search(r"\d+,\d\s*km", summary.text), summary.text
    assert "Durée" in summary.text.title() or "DURÉE" in summary.text
    _wait(browser, lambda d: _route_paths(d))
    longest = max(len(p.get_attribute("d") or "") for p in _route_paths(browser))
    assert longest > 100  # a real polyline, not a dot
    chart = browser.find_element(By.CSS_SELECTOR, "svg.elevation-chart polyline")
    assert len((chart.get_attribute("points") or "").split()) > 20
    assert browser.find_elements(By.CSS_SELECTOR, "#directions li")
    assert browser.find_elements(By.CSS_SELECTOR, ".parcs-pin-start")
    assert browser.find_elements(By.CSS_SELECTOR, ".parcs-pin-end")
    assert "checked" in (browser.find_element(By.CSS_SELECTOR, "input[name=profile][value=bike]")
                         .get_attribute("outerHTML") or "")
    browser.save_screenshot(str(ARTIFACTS / "planner.png"))
    assert not _page_errors(browser)


def test_a_click_on_the_map_sets_the_start(browser: Any, real_server: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(real_server + "/")
    container = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-container"))[0]
    assert browser.find_element(By.ID, "click-target").is_displayed()
    ActionChains(browser).move_to_element_with_offset(container, -200, 150).click().perform()
    value = _wait(browser, lambda d: d.find_element(By.ID, "from").get_attribute("value"))
    assert re.fullmatch(r"5\d\.\d{5},[23]\.\d{5}", value), value
    assert browser.find_elements(By.CSS_SELECTOR, ".parcs-pin-click")
    assert browser.find_element(By.CSS_SELECTOR, "input[name=click_target][value=to]").is_selected()


def test_parks_page_draws_the_units(browser: Any, real_server: str) -> None:
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(real_server + "/parcs")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR,
                                                 ".leaflet-overlay-pane svg path")) >= 11)
    assert len(browser.find_elements(By.CSS_SELECTOR, ".park-card")) == 11
    assert len(browser.find_elements(By.CSS_SELECTOR, ".parcs-pin-num")) == 11
    browser.save_screenshot(str(ARTIFACTS / "parks.png"))
    assert not _page_errors(browser)


def test_plan_a_loop(browser: Any, real_server: str) -> None:
    """``/boucles``: a click on the map sets the start; a loop from a park unit through the form
    draws on the map with its summary, chart and directions."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(real_server + "/boucles")
    container = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-container"))[0]
    ActionChains(browser).move_to_element_with_offset(container, -200, 150).click().perform()
    value = _wait(browser, lambda d: d.find_element(By.ID, "start").get_attribute("value"))
    assert re.fullmatch(r"5\d\.\d{5},[23]\.\d{5}", value), value

    start = browser.find_element(By.ID, "start")
    start.clear()
    start.send_keys("louvre-lens")
    browser.find_element(By.ID, "distance").send_keys("8")
    browser.find_element(By.CSS_SELECTOR, "#loop-form button[type=submit]").click()

    _wait(browser, lambda d: "start=louvre-lens" in d.current_url)
    summary = _wait(browser, lambda d: d.find_elements(By.ID, "summary"))[0]
    assert re.search(r"\d+,\d\s*km", summary.text), summary.text
    _wait(browser, lambda d: _route_paths(d))
    chart = browser.find_element(By.CSS_SELECTOR, "svg.elevation-chart polyline")
    assert len((chart.get_attribute("points") or "").split()) > 20
    assert browser.find_elements(By.CSS_SELECTOR, "#directions li")
    assert browser.find_elements(By.CSS_SELECTOR, ".parcs-pin-start")
    browser.save_screenshot(str(ARTIFACTS / "loops.png"))
    assert not _page_errors(browser)


def test_injected_data_never_runs(browser: Any, evil_server: str) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    for path in ("/parcs", "/?from=parc-ouest&to=parc-est"):
        browser.get(evil_server + path)
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane svg path"))
        with pytest.raises(NoAlertPresentException):
            _ = browser.switch_to.alert.text
        assert "<script>alert(2)</script>" in browser.find_element(By.TAG_NAME, "body").text \
            or path != "/parcs"
    # open the popup of the injected park: its name shows as text
    browser.get(evil_server + "/parcs")
    pin = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".parcs-pin-num"))[0]
    browser.execute_script("arguments[0].click();", pin)  # immune to overlapping pins
    popup = _wait(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR,
                                                                 ".leaflet-popup-content")
                                      if e.text])[0]
    # textContent: the popup may still be panning into view, so part of it is not "visible" text
    assert "<script>alert(2)</script>" in (popup.get_attribute("textContent") or "")
    assert popup.find_elements(By.TAG_NAME, "script") == []
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text


def test_missing_links_page_and_scenario(browser: Any, real_server: str,
                                         evil_server: str) -> None:
    """``/liaisons``: numbered candidates on the map, a scenario from the form; injected names
    in the reasons stay text."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(real_server + "/liaisons")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".parcs-pin-num")) >= 10)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#pairs-table tbody tr")) == 55
    browser.save_screenshot(str(ARTIFACTS / "liaisons.png"))
    browser.find_element(By.ID, "choose-L2").click()
    browser.find_element(By.CSS_SELECTOR, "#scenario-form button[type=submit]").click()
    gain = _wait(browser, lambda d: d.find_elements(By.ID, "scenario-gain"))[0]
    assert "scenario=L2" in browser.current_url and re.search(r"\d", gain.text)
    assert not _page_errors(browser)

    browser.get(evil_server + "/liaisons")
    pin = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".parcs-pin-num"))[0]
    browser.execute_script("arguments[0].click();", pin)  # immune to overlapping pins
    popup = _wait(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR,
                                                                 ".leaflet-popup-content")
                                      if e.get_attribute("textContent")])[0]
    assert "<script>alert(2)</script>" in (popup.get_attribute("textContent") or "")
    assert popup.find_elements(By.TAG_NAME, "script") == []
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text


def test_type_a_partial_name_and_pick_a_suggestion(browser: Any, real_server: str) -> None:
    """The planner's place fields suggest places from ``/api/places`` as one types; a picked
    suggestion fills the field with its id and the route is planned; stations have their symbol."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(real_server + "/")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-container"))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".parcs-pin-station")) >= 30
    start = browser.find_element(By.ID, "from")
    start.send_keys("gare de loos")
    items = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#from-suggestions li"))
    labels = [i.text for i in items]
    assert "Gare de Loos-en-Gohelle" in labels[0], labels
    browser.save_screenshot(str(ARTIFACTS / "autocomplete.png"))
    items[0].click()
    assert start.get_attribute("value") == "station:87345033"
    assert "Gare de Loos-en-Gohelle" in browser.find_element(By.ID, "from-picked").text

    dest = browser.find_element(By.ID, "to")
    dest.send_keys("louvre le")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#to-suggestions li[data-id='louvre-lens']"))
    dest.send_keys(Keys.ARROW_DOWN, Keys.ENTER)  # keyboard: the first suggestion
    assert dest.get_attribute("value") == "louvre-lens"
    browser.find_element(By.CSS_SELECTOR, "#route-form button[type=submit]").click()
    _wait(browser, lambda d: "from=station%3A87345033" in d.current_url)
    summary = _wait(browser, lambda d: d.find_elements(By.ID, "summary"))[0]
    assert re.search(r"\d+(,\d)?\s*km", summary.text), summary.text
    assert not _page_errors(browser)


def test_my_position_fills_the_start(browser: Any, real_server: str) -> None:
    """« Ma position »: the browser's (emulated) position fills the start as "lat,lon"."""
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": real_server, "permissions": ["geolocation"]})
    browser.execute_cdp_cmd("Emulation.setGeolocationOverride",
                            {"latitude": 50.4325, "longitude": 2.8061, "accuracy": 10})
    try:
        for path, field in (("/", "from"), ("/boucles", "start")):
            browser.get(real_server + path)
            button = _wait(browser, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button.locate")
                                               if b.is_displayed()])[0]
            assert button.text == "Ma position" and button.get_attribute("data-locate") == field
            button.click()
            _wait(browser, lambda d, f=field: d.find_element(By.ID, f).get_attribute("value") == "50.43250,2.80610")
    finally:
        browser.execute_cdp_cmd("Emulation.clearGeolocationOverride", {})

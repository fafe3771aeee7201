"""An office composes a circuit in a real browser (``-m browser``, headless Chromium as in
``tests/test_browser.py``) on the real build: log in, start at the Louvre-Lens through two park
units in a fixed order, compute, save the draft, publish, and find it on ``/circuits`` with its
GPX; then the same composer at a phone's width keeps one column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, _page_errors, _route_paths, _serve, _wait, browser  # noqa: F401

from parcs import paths
from webapp import create_app
from webapp.editors.auth import get_store

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def editors_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        pytest.skip(f"no real build in {build} (make data)")
    instance: Path = tmp_path_factory.mktemp("instance")
    app = create_app({"BUILD_DIR": build, "INSTANCE_DIR": instance, "WARM_UP": False})
    assert app.extensions["parcs"].network is not None, app.extensions["parcs"].error
    get_store(app).add_editor("ana", password=PASSWORD, office="OT Lens-Liévin")
    yield from _serve(app)


def test_compose_save_publish_find(browser: Any, editors_server: str) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.set_window_size(1400, 1000)
    browser.get(editors_server + "/circuits/nouveau")
    _wait(browser, lambda d: "/editeurs/connexion" in d.current_url)
    browser.find_element(By.ID, "username").send_keys("ana")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "composer-form"))
    fields = {"title_fr": "Des berges à Lorette", "title_en": "From the banks to Lorette",
              "slug": "berges-lorette", "start": "louvre-lens", "place-0": "berges-souchez",
              "place-1": "lorette-vimy",
              "description_fr": "Un circuit choisi par l'office <b>pas du HTML</b>."}
    for name, value in fields.items():
        browser.find_element(By.ID, name).send_keys(value)
    browser.find_element(By.ID, "mode-order").click()
    browser.find_element(By.ID, "action-preview").click()
    figures = _wait(browser, lambda d: d.find_elements(By.ID, "composer-figures"))[0]
    assert "km" in figures.text
    _wait(browser, lambda d: _route_paths(d))
    assert browser.find_elements(By.CSS_SELECTOR, "svg.elevation-chart polyline")
    browser.find_element(By.ID, "action-save").click()
    status = _wait(browser, lambda d: d.find_elements(By.ID, "circuit-status"))[0]
    assert "Brouillon" in status.text and "version 1" in status.text
    browser.find_element(By.ID, "action-publish").click()
    _wait(browser, lambda d: "Publié" in d.find_element(By.ID, "circuit-status").text)
    browser.save_screenshot(str(ARTIFACTS / "composer.png"))
    browser.get(editors_server + "/circuits")
    card = _wait(browser, lambda d: d.find_elements(By.ID, "office-berges-lorette"))[0]
    assert "choisi par l'office" in card.text and "Des berges à Lorette" in card.text
    assert "<b>pas du HTML</b>" in card.text  # shown as text, not markup
    gpx = card.find_element(By.LINK_TEXT, "GPX").get_attribute("href")
    assert gpx and gpx.endswith("/circuits/office/berges-lorette.gpx")
    assert not _page_errors(browser)


def test_composer_fits_a_phone(browser: Any, editors_server: str) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 844)
    try:
        browser.get(editors_server + "/circuits/berges-lorette/modifier")
        form = _wait(browser, lambda d: d.find_elements(By.ID, "composer-form"))[0]
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert form.size["width"] <= width
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width + 1, "the page scrolls sideways on a phone"
        browser.save_screenshot(str(ARTIFACTS / "composer-phone.png"))
    finally:
        browser.set_window_size(1400, 1000)

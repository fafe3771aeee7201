"""Printable roadbooks on a synthetic grid: the PDF as a person checks it, the offline SVG map,
the sheet's French, the theme rules and the catalogue's report."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_loops_graphs import grid_network

from routing.compiled import CompiledNetwork, compile_network
from routing.fmt import fr_distance
from routing.french import a, article, de
from routing.loops.catalogue import THEMES, Catalogue, Circuit
from routing.loops.circuits import build_catalogue, write_catalogue
from routing.loops.planner import LoopRequest, LoopResult, plan_loop
from routing.loops.printing import circuit_sheet, loop_sheet, render_print, sheet_pdf
from routing.loops.rules import LOOP_RULE, Rule, check
from routing.loops.sheet import fr_km
from routing.naming import readable_name

PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def grid() -> CompiledNetwork:
    return compile_network(grid_network(16))


@pytest.fixture(scope="module")
def walk(grid: CompiledNetwork) -> LoopResult:
    return plan_loop(grid, LoopRequest("parc-centre", distance_km=6, profile="walk", seed=3))


@pytest.fixture(scope="module")
def catalogue(grid: CompiledNetwork) -> Catalogue:
    return build_catalogue(grid, seed=5)


def _circuit(catalogue: Catalogue) -> Circuit:
    return next(c for c in catalogue.circuits if c.ok and c.result and c.result.best.itinerary.pois_along)


def _pdf_text(pdf: Path) -> str:
    assert PDFTOTEXT, "pdftotext (Debian poppler-utils) is installed by `make test`"
    out = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)


# -- the test a person would do -----------------------------------------------------------------


def test_roadbook_pdf_as_a_person_reads_it(grid: CompiledNetwork, catalogue: Catalogue, tmp_path: Path) -> None:
    circuit = _circuit(catalogue)
    sheet = circuit_sheet(circuit, grid, network=catalogue.network)
    pdf = tmp_path / "carnet.pdf"
    pdf.write_bytes(sheet_pdf(sheet))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert PDFTOPPM, "pdftoppm (Debian poppler-utils) is installed by `make test`"
    subprocess.run([PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    page = next(tmp_path.glob("page*.png"))
    pixels = np.asarray(Image.open(page).convert("RGB"), dtype=float)
    assert pixels.shape[0] > pixels.shape[1] > 400  # an A4 portrait page at 60 dpi
    ink = (pixels.min(axis=2) < 200).mean()
    assert 0.02 < ink < 0.6, f"page 1 looks blank or black ({ink:.1%} inked)"
    assert pixels.std() > 20
    green = ((pixels[..., 1] > pixels[..., 0] + 40) & (pixels[..., 1] > pixels[..., 2] + 20)).mean()
    assert green > 0.001  # the route and the title rule are drawn in green
    text = _pdf_text(pdf)
    it = circuit.result.best.itinerary if circuit.result else None
    assert it is not None
    assert re.sub(r"\s+", " ", circuit.title) in text
    assert fr_distance(it.distance_m) in text
    first_step = it.directions[0].instruction
    assert re.sub(r"\s+", " ", first_step) in text
    assert "km 0 m" not in text and "(km 0" not in text


def test_offline_map_has_the_route_and_the_poi_numbers(grid: CompiledNetwork, walk: LoopResult) -> None:
    sheet = loop_sheet(grid, walk)
    svg = str(sheet.map_svg)
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    route = re.search(r'<path id="boucle-1-route" class="route-line" d="M([^"]+)"', svg)
    assert route is not None and route.group(1).count(" L") >= len(walk.best.itinerary.directions)
    numbers = re.findall(r'<text class="poi-number"[^>]*>(\d+)</text>', svg)
    assert sheet.sights and numbers == [str(s.number) for s in sheet.sights]
    for part in ("scale-bar", "north-arrow", "start", "parks", "legend"):
        assert f'id="boucle-1-{part}"' in svg
    assert 'class="net net-cavalier"' in svg
    # a sight is announced in the step during which it is passed, with the same number
    announced = sorted(n for step in sheet.steps for n in step.sights)
    assert announced == [s.number for s in sheet.sights]


def test_route_sheet_names_start_and_finish(grid: CompiledNetwork) -> None:
    from routing import RouteRequest, route
    from routing.loops.printing import route_sheet

    res = route(grid, RouteRequest(origin="parc-sud-ouest", destination="parc-nord-est", profile="bike"))
    sheet = route_sheet(grid, res)
    html = render_print(sheet)
    assert "Parc du Sud-Ouest" in sheet.start and "Parc du Nord-Est" in sheet.finish
    assert 'id="itineraire-finish"' in str(sheet.map_svg) and "Arrivée" in html and "<script" not in html


# -- French --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "de_", "a_"), [
    ("Parc des Îles", "du Parc des Îles", "au Parc des Îles"),
    ("Sites de mémoire Lorette–Vimy", "des Sites de mémoire Lorette–Vimy", "aux Sites de mémoire Lorette–Vimy"),
    ("Véloroute de la Mémoire", "de la Véloroute de la Mémoire", "à la Véloroute de la Mémoire"),
    ("Loisinord", "de Loisinord", "à Loisinord"),
    ("Oignies", "d'Oignies", "à Oignies"),
    ("Le Touquet", "du Touquet", "au Touquet"),
    ("Embranchement terril 45", "de l'Embranchement terril 45", "à l'Embranchement terril 45"),
])
def test_articles_and_contractions(name: str, de_: str, a_: str) -> None:
    assert de(name) == de_
    assert a(name) == a_


def test_texts_read_well(grid: CompiledNetwork, catalogue: Catalogue) -> None:
    for c in catalogue.circuits:
        if c.result is None:
            continue
        start = c.result.start.label
        assert f"au départ {de(start)}" in c.description
        assert f"au départ de {start}" not in c.description or article(start) == ""
        assert "km 0 m" not in c.description
    assert fr_km(0) == "départ" and fr_km(1234) == "km 1,2" and fr_km(400) == "à 400 m"


@pytest.mark.parametrize(("raw", "readable"), [
    ("Voie ferrée [Voie ferrée Fosse1 de Liévin-Gare de Lens]-[Voie ferrée Fosse3-Fosse5 de Lens]",
     "Voie ferrée de raccordement"),
    ("Raccordement Fosse1 de Lens-[Voie ferrée Fosse3-Fosse5 de Lens]", "Raccordement fosse 1 de Lens"),
    ("Voie ferrée Fosse2de Noeux-Fosse4 de Noeux", "Voie ferrée fosse 2 de Noeux – fosse 4 de Noeux"),
    ("Embranchement T45", "Embranchement terril 45"),
    ("Voie ferrée cité des cheminots3", "Voie ferrée cité des cheminots"),
    ("Embranchement Puits6bis de Dourges", "Embranchement puits 6 bis de Dourges"),
    ("Voie ferrée Fosse2 d OIgnies-Gare de Libercourt", "Voie ferrée fosse 2 d'Oignies – gare de Libercourt"),
    ("Véloroute du bassin minier", "Véloroute du bassin minier"),
    ("EuroVelo 5 – Via Romea Francigena", "EuroVelo 5 – Via Romea Francigena"),
    ("", ""),
])
def test_readable_way_names(raw: str, readable: str) -> None:
    assert readable_name(raw, communes=["Oignies", "Libercourt", "Lens", "Nœux-les-Mines"]) == readable


# -- theme rules ------------------------------------------------------------------------------------


def test_rules_are_checked_and_reported(grid: CompiledNetwork, walk: LoopResult) -> None:
    it = walk.best.itinerary
    assert check(grid, it, rule=Rule("", max_grade=100.0)) == ()
    broken = check(grid, it, rule=Rule("", min_water=0.4, min_pois=((("terril",), 99),)))
    assert any("le long de l'eau" in b for b in broken) and any("terrils" in b for b in broken)
    assert check(grid, it, rule=LOOP_RULE, overlap=0.5)[0].startswith("50 % en aller-retour")
    # the grid has no water: the canal theme cannot keep its promise, and the catalogue says so
    water = next(t for t in THEMES if t.id == "au-fil-de-l-eau")
    assert water.rule.min_water and water.rule.max_climb_per_10km


def test_catalogue_keeps_its_promises(grid: CompiledNetwork, catalogue: Catalogue) -> None:
    rules = {t.id: t.rule for t in THEMES}
    for c in catalogue.circuits:
        if c.result is None:
            continue
        loop = c.result.best
        assert check(grid, loop.itinerary, rule=LOOP_RULE, overlap=loop.overlap_share) == (), c.id
        if c.theme:
            assert check(grid, loop.itinerary, rule=rules[c.theme]) == (), c.id
            assert rules[c.theme].text[:20].lower() in c.rule.lower()
    for line in catalogue.report:
        assert ("écarté" in line or "renommé" in line) and line.endswith(".")


def test_catalogue_pdf_has_a_table_of_contents(catalogue: Catalogue, tmp_path: Path) -> None:
    out = write_catalogue(catalogue, tmp_path / "circuits")
    text = _pdf_text(out / "catalogue.pdf")
    assert "Sommaire" in text
    ok = [c for c in catalogue.circuits if c.ok]
    for c in ok:
        assert re.sub(r"\s+", " ", c.title) in text
        assert (out / f"{c.id}.pdf").read_bytes().startswith(b"%PDF-")
    # page numbers in the contents: "title ....... N"
    assert re.search(r"\.{5,} ?\d+", text)


# -- access ------------------------------------------------------------------------------------------


def test_nearest_station_walks_the_network(grid: CompiledNetwork) -> None:
    from routing.loops.access import Station, nearest_station
    from routing.search import shortest_path_tree

    start = grid.parks[grid.park_index["parc-centre"]].access_node
    far, near = int(grid.n_nodes - 1), int(start + 3)
    stations = [Station("Gare lointaine", float(grid.node_lon[far]), float(grid.node_lat[far])),
                Station("Gare proche", float(grid.node_lon[near]), float(grid.node_lat[near]))]
    found = nearest_station(grid, node=start, stations=stations)
    assert found is not None and found.name == "Gare proche"
    lengths = np.where(grid.edge_foot_ok, grid.edge_length, np.inf)
    walk = shortest_path_tree(grid, near, lengths).dist[start]
    assert found.walk_m == pytest.approx(walk, abs=1.0) and found.walk_m >= found.straight_m - 1.0
    assert nearest_station(grid, node=start, stations=[]) is None


def test_sheet_says_how_to_come_by_train() -> None:
    from routing.loops.access import Station

    grid = compile_network(grid_network(10))
    walk = plan_loop(grid, LoopRequest("parc-centre", distance_km=3, profile="walk", seed=3))
    node = walk.start.node
    station = Station("Village", float(grid.node_lon[node + 2]), float(grid.node_lat[node + 2]))
    # the network's stations (its "station" POIs or the stations layer) are cached on it: this
    # fresh grid gets one station
    grid.cached(("stations",), lambda: (station,))
    sheet = loop_sheet(grid, walk)
    assert sheet.access.startswith("Gare de Village, à ") and sheet.access.endswith("à pied du départ")
    assert "Accès en train" in render_print(sheet)

"""routing.gaps.analysis on synthetic networks whose answers are known by hand.

The ladder: two greenway rails A (y = 0) and B (y = 250 m), nodes every 500 m from x = 0 to
x = 5000, joined by greenway rungs at both ends only — a ring of 10 500 m. The rung at x = 2500
was cut out of the greenway data; the builder's connector stands in for it. Park units sit at
A2500 (``loisinord``), B2500 (``iles``), A0 (``ouest``) and B5000 (``est``). On the ring,
``loisinord ↔ iles`` is 5250 m; the 250 m rung brings it to 250 m and changes no other pair
(``ouest ↔ iles`` 2750, ``loisinord ↔ est`` 2750, ``ouest ↔ est`` 5250 stay), so its gain is
exactly 5000 m. A planned voie verte rung at x = 4000 saves 2000 m on the same pair.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, box

from parcs._errors import InvalidRequestError
from parcs.artifact import Network
from routing.gaps.analysis import (
    all_candidates,
    analyse_gaps,
    greenway_components,
    scenario,
    unit_table,
)
from routing.gaps.score import decluster

X0, Y0 = 686000.0, 7036000.0
CRS = "EPSG:2154"


def make_net(
    nodes: dict[int, tuple[float, float]],
    ways: list[tuple[Any, ...]],
    parks: list[tuple[str, str, list[int]]],
    communes: list[tuple[str, int, tuple[float, float, float, float]]] = (),  # type: ignore[assignment]
) -> Network:
    """A network: ways are ``(u, v, kind, status, name, works_status, source)``, both directions."""
    graph = nx.MultiDiGraph(crs=CRS)
    for n, (x, y) in nodes.items():
        graph.add_node(n, x=X0 + x, y=Y0 + y)
    for i, (u, v, kind, status, name, works, source) in enumerate(ways):
        line = LineString([(X0 + nodes[u][0], Y0 + nodes[u][1]), (X0 + nodes[v][0], Y0 + nodes[v][1])])
        for a, b, geom in ((u, v, line), (v, u, line.reverse())):
            graph.add_edge(a, b, osmid=i, length=line.length, kind=kind, status=status, name=name,
                       works_status=works, source=source, geometry=geom)
    park_gdf = gpd.GeoDataFrame(
        [{"id": pid, "name": name, "access_nodes": json.dumps(acc), "access_node": acc[0],
          "geometry": box(X0 + nodes[acc[0]][0] - 50, Y0 + nodes[acc[0]][1] - 50,
                          X0 + nodes[acc[0]][0] + 50, Y0 + nodes[acc[0]][1] + 50)}
         for pid, name, acc in parks],
        geometry="geometry", crs=CRS,
    )
    com = gpd.GeoDataFrame(
        [{"nom": nom, "population": pop, "geometry": box(X0 + b[0], Y0 + b[1], X0 + b[2], Y0 + b[3])}
         for nom, pop, b in communes],
        columns=["nom", "population", "geometry"], geometry="geometry", crs=CRS,
    )
    perimeter = box(X0 - 1000, Y0 - 1000, X0 + 7000, Y0 + 2000)
    return Network(graph=graph, parks=park_gdf, pois=gpd.GeoDataFrame(geometry=[], crs=CRS), communes=com,
                   perimeter=perimeter, meta={"source": "test"})


def ladder_ways(*, connector_at: tuple[int, ...] = (5,), planned_at: tuple[int, ...] = (8,)) -> tuple[dict[int, tuple[float, float]], list[tuple[Any, ...]]]:
    """Nodes and ways of the ladder (module doc); extra connector / planned rungs at indices."""
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[Any, ...]] = []
    for i in range(11):
        nodes[100 + i] = (500.0 * i, 0.0)
        nodes[200 + i] = (500.0 * i, 250.0)
    for i in range(10):
        ways.append((100 + i, 101 + i, "cavalier", "unknown", "Cavalier A", "", "test"))
        ways.append((200 + i, 201 + i, "veloroute", "built", "Véloroute B", "", "test"))
    for i in (0, 10):
        ways.append((100 + i, 200 + i, "voie_verte", "built", "Rung", "", "test"))
    for i in connector_at:
        ways.append((100 + i, 200 + i, "connector", "unknown", "", "", "connector"))
    for i in planned_at:
        ways.append((100 + i, 200 + i, "voie_verte", "planned", "Voie verte du projet", "Non démarré", "test"))
    return nodes, ways


UNITS = [("loisinord", "Loisinord", [105]), ("iles", "Parc des Îles", [205]),
         ("ouest", "Parc de l'Ouest", [100]), ("est", "Parc de l'Est", [210])]
COMMUNES = [("Bourg", 10000, (2300.0, -600.0, 2700.0, -200.0)), ("Village", 2000, (-200.0, 400.0, 200.0, 800.0))]


@pytest.fixture(scope="module")
def ladder() -> Network:
    nodes, ways = ladder_ways()
    return make_net(nodes, ways, UNITS, COMMUNES)


@pytest.fixture(scope="module")
def ladder_report(ladder: Network) -> Any:
    return analyse_gaps(ladder)


def _ends(geom: Any) -> set[tuple[float, float]]:
    coords = np.asarray(geom.coords) if geom.geom_type == "LineString" else np.vstack([np.asarray(g.coords) for g in geom.geoms])
    return {(round(coords[0][0] - X0), round(coords[0][1] - Y0)), (round(coords[-1][0] - X0), round(coords[-1][1] - Y0))}


def test_unit_table_by_hand(ladder: Network) -> None:
    table = {(p.a, p.b): p for p in unit_table(ladder)}
    assert len(table) == 6
    assert table[("loisinord", "iles")].greenway_m == pytest.approx(5250.0)
    assert table[("iles", "ouest")].greenway_m == pytest.approx(2750.0)
    assert table[("loisinord", "ouest")].greenway_m == pytest.approx(2500.0)
    pair = table[("loisinord", "iles")]
    assert pair.straight_m == pytest.approx(250.0)
    assert pair.detour_greenway == pytest.approx(21.0)
    assert pair.network_m == pytest.approx(250.0)  # through the connector
    assert all(p.linked for p in table.values())


def test_cut_link_ranks_first(ladder_report: Any) -> None:
    first = ladder_report.candidates[0]
    assert _ends(first.geometry) == {(2500, 0), (2500, 250)}
    assert first.link_class == "shortcut"
    assert first.unit_gain_m == pytest.approx(5000.0)
    assert first.units == ("loisinord", "iles")
    assert "raccourcit de 5,0 km le trajet Loisinord ↔ Parc des Îles" in first.reason
    assert first.persons == 10000  # Bourg snaps to A2500; Village (at B0) gains nothing


def test_cut_link_found_by_proximity_alone(ladder: Network) -> None:
    report = analyse_gaps(ladder, sources=("proximity",))
    first = report.candidates[0]
    assert first.source == "proximity"
    assert _ends(first.geometry) == {(2500, 0), (2500, 250)}
    assert first.length_m == pytest.approx(250.0)
    # pairs closer than 2 km on the network are not candidates: x <= 875 or x >= 4125 on the ring
    for c in report.candidates:
        xs = [x for x, _ in _ends(c.geometry)]
        assert min(xs) >= 875 and max(xs) <= 4125


def test_planned_section_is_classified_planned(ladder_report: Any) -> None:
    planned = [c for c in ladder_report.candidates if c.source == "planned"]
    assert len(planned) == 1
    c = planned[0]
    assert c.link_class == "planned"
    assert _ends(c.geometry) == {(4000, 0), (4000, 250)}
    assert c.unit_gain_m == pytest.approx(2000.0)
    assert c.works_status == "Non démarré"
    assert c.reason.startswith("Section en projet « Voie verte du projet » (Non démarré) : 250 m à aménager")


def test_declustering_keeps_one_of_two_near_identical(ladder: Network) -> None:
    nodes, ways = ladder_ways(connector_at=(), planned_at=())
    nodes[901], nodes[902] = (2530.0, 0.0), (2530.0, 250.0)
    # split the rails at x = 2530 and add two parallel connectors 30 m apart
    ways = [w for w in ways if (w[0], w[1]) not in ((105, 106), (205, 206))]
    ways += [(105, 901, "cavalier", "unknown", "Cavalier A", "", "test"), (901, 106, "cavalier", "unknown", "Cavalier A", "", "test"),
             (205, 902, "veloroute", "built", "Véloroute B", "", "test"), (902, 206, "veloroute", "built", "Véloroute B", "", "test"),
             (105, 205, "connector", "unknown", "", "", "connector"), (901, 902, "connector", "unknown", "", "", "connector")]
    report = analyse_gaps(make_net(nodes, ways, UNITS))
    near = [c for c in all_candidates(report) if all(2490 <= x <= 2540 for x, _ in _ends(c.geometry))]
    assert len(near) == 1
    assert _ends(near[0].geometry) == {(2500, 0), (2500, 250)}
    ends = np.array([sorted(_ends(c.geometry)) for c in all_candidates(report)], dtype=float)
    for i, j in itertools.combinations(range(len(ends)), 2):
        same = np.hypot(*(ends[i] - ends[j]).T).max() <= 100.0
        swapped = np.hypot(*(ends[i] - ends[j][::-1]).T).max() <= 100.0
        assert not (same or swapped)


def test_decluster_function() -> None:
    ends = np.array([[[0, 0], [100, 0]], [[100, 5], [3, 0]], [[0, 0], [300, 0]]], dtype=float)
    kept, by = decluster(ends, np.array([0, 1, 2]), radius=10.0)
    assert kept.tolist() == [0, 2] and by.tolist() == [-1, 0, -1]
    kept, by = decluster(ends, np.array([2, 1, 0]), radius=10.0)
    assert kept.tolist() == [2, 1] and by.tolist() == [1, -1, -1]


def test_scenario_gain_equals_hand_reduction(ladder_report: Any) -> None:
    first = ladder_report.candidates[0]
    result = scenario(ladder_report, candidate_ids=[first.id])
    assert result.unit_gain_m == pytest.approx(5000.0)
    pair = next(p for p in result.pairs if (p.a, p.b) == ("loisinord", "iles"))
    assert (pair.before_m, pair.after_m) == (pytest.approx(5250.0), pytest.approx(250.0))
    assert result.population_gain_m == pytest.approx(first.population_gain_m)
    assert len(result.pairs) == 6


def test_scenario_gain_never_negative_and_single_matches_benefit(ladder_report: Any) -> None:
    cands = all_candidates(ladder_report)[:6]
    for c in cands:
        alone = scenario(ladder_report, candidate_ids=[c.id])
        assert alone.unit_gain_m == pytest.approx(c.unit_gain_m, abs=1e-6)
    for k in (2, 3):
        for ids in itertools.combinations([c.id for c in cands], k):
            result = scenario(ladder_report, candidate_ids=list(ids))
            assert all(p.gain_m >= 0 for p in result.pairs)
            assert result.population_gain_m >= 0
            assert result.unit_gain_m >= max(c.unit_gain_m for c in cands if c.id in ids) - 1e-6


def test_scenario_unknown_id(ladder_report: Any) -> None:
    with pytest.raises(InvalidRequestError, match="identifiant de liaison inconnu 'L999'"):
        scenario(ladder_report, candidate_ids=["L999"])
    with pytest.raises(InvalidRequestError):
        scenario(ladder_report, candidate_ids=[])


def _two_pieces() -> Network:
    """Two greenway lines 200 m apart end to end; a unit at each far end; no connector."""
    nodes = {1: (0.0, 0.0), 2: (2000.0, 0.0), 3: (2200.0, 0.0), 4: (4200.0, 0.0), 5: (1000.0, 0.0)}
    ways = [(1, 5, "cavalier", "unknown", "Cavalier Ouest", "", "t"), (5, 2, "cavalier", "unknown", "Cavalier Ouest", "", "t"),
            (3, 4, "towpath", "built", "", "", "t")]
    return make_net(nodes, ways, [("a", "Unité A", [1]), ("b", "Unité B", [4])])


def test_bridge_between_components_links_units() -> None:
    net = _two_pieces()
    comps = greenway_components(net)
    assert [c.id for c in comps] == ["C1", "C2"]
    assert [round(c.length_m) for c in comps] == [2000, 2000]
    assert {u for c in comps for u in c.units} == {"a", "b"}
    assert not unit_table(net)[0].linked
    report = analyse_gaps(net)
    first = report.candidates[0]
    assert first.link_class == "bridge"
    assert _ends(first.geometry) == {(2000, 0), (2200, 0)}
    assert first.pairs[0].newly_linked and first.pairs[0].after_m == pytest.approx(4200.0)
    assert first.reason == ("Relie « Cavalier Ouest » au chemin de halage : 200 m à créer, "
                            "relie enfin par voie verte Unité A ↔ Unité B (4,2 km)")
    # the cap of an unlinked pair: 2 x 2 x straight line (no all-edges path either)
    assert first.unit_gain_m == pytest.approx(4 * 4200.0 - 4200.0)
    result = scenario(report, candidate_ids=[first.id])
    assert result.linked_before == 0 and result.linked_after == 1
    assert result.newly_linked == (("a", "b"),)


def test_report_json_ready(ladder_report: Any) -> None:
    doc = json.loads(json.dumps(ladder_report.to_dict()))
    assert doc["summary"]["unit_pairs"] == 6
    c = doc["candidates"][0]
    assert set(c) >= {"id", "class", "length_m", "benefit", "benefit_per_m", "units", "reason", "geometry"}
    lon, lat = c["geometry"]["coordinates"][0]
    assert 2.5 < lon < 3.2 and 50.2 < lat < 50.7
    gj = ladder_report.to_geojson()
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(ladder_report.candidates)


def test_top_limits_shown_but_keeps_ids(ladder: Network) -> None:
    full = analyse_gaps(ladder)
    short = analyse_gaps(ladder, top=2)
    assert [c.id for c in short.candidates] == [c.id for c in full.candidates[:2]]
    assert short.n_candidates == full.n_candidates
    last = all_candidates(short)[-1].id
    assert scenario(short, candidate_ids=[last]).unit_gain_m >= 0


@pytest.mark.parametrize("kwargs", [{"max_gap_m": 0}, {"min_detour_m": -1}, {"top": -1},
                                    {"sources": ("nope",)}, {"rank_by": "x"}, {"disconnected_factor": 0.5}])
def test_bad_parameters(ladder: Network, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError):
        analyse_gaps(ladder, **kwargs)


def test_mock_network_and_compiled_agree(mock_network: Network, mock_compiled: Any) -> None:
    a = analyse_gaps(mock_network, min_detour_m=500.0)
    b = analyse_gaps(mock_compiled, min_detour_m=500.0)
    assert [(c.id, c.link_class, round(c.benefit, 6)) for c in a.candidates] == \
        [(c.id, c.link_class, round(c.benefit, 6)) for c in b.candidates]
    assert [p.to_dict() for p in a.unit_pairs] == [p.to_dict() for p in b.unit_pairs]
    again = analyse_gaps(mock_compiled, min_detour_m=500.0, top=1)  # cached on the compiled network
    assert again._context is b._context and len(again.candidates) == 1


def test_mock_network_classes(mock_network: Network) -> None:
    report = analyse_gaps(mock_network)
    by_source = {c.source: c for c in report.candidates}
    assert by_source["planned"].link_class == "planned"
    w3 = report.candidates[0]
    assert w3.source == "connector" and w3.link_class == "shortcut"
    # W3 (1000 m) instead of W4 (2 x 559.0 m) for parc-ouest -> parc-centre and parc-ouest -> parc-est
    assert w3.unit_gain_m == pytest.approx(2 * (2 * np.hypot(500, 250) - 1000.0), abs=0.5)
    comps = greenway_components(mock_network)
    assert len(comps) == 2 and comps[1].units == ("parc-isole",)
    assert {p.a for p in unit_table(mock_network) if not p.linked} | {p.b for p in unit_table(mock_network) if not p.linked} >= {"parc-isole"}

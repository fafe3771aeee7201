"""Stations as access: the nearest station by walking distance, on loops, circuits, CLI, API, page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import networkx as nx
import pytest
from conftest import make_mock_graph
from test_gazetteer import cn as homonyms  # noqa: F401  (module fixture reused)

from routing import CompiledNetwork
from routing.access import StationAccess, nearest_station
from routing.compiled import save_compiled
from routing.loops.catalogue import Circuit
from routing.loops.export import loop_geojson, loop_lines
from routing.loops.planner import LoopRequest, plan_loop
from webapp import create_app


def _walk(graph: nx.MultiDiGraph, a: int, b: int) -> float:
    simple = nx.DiGraph()
    for u, v, d in graph.edges(data=True):
        if not simple.has_edge(u, v) or d["length"] < simple[u][v]["length"]:
            simple.add_edge(u, v, length=d["length"])
    return float(nx.shortest_path_length(simple, a, b, weight="length"))


def test_nearest_station_is_the_walking_distance(homonyms: CompiledNetwork) -> None:  # noqa: F811
    cn = homonyms
    station = next(p for p in cn.pois if p.id == "station:1")
    graph = make_mock_graph()
    for node_id in (5, 13, 22, 1):
        node = cn.node_index(node_id)
        access = nearest_station(cn, node)
        station_node = int(cn.node_id[station.node])
        if node_id == 22:  # the isolated park: no walk reaches it
            assert access is None
            continue
        assert access is not None and access.id == "station:1"
        expected = _walk(graph, station_node, node_id) + station.node_dist_m
        assert access.distance_m == pytest.approx(expected, abs=0.01)
    assert nearest_station(cn, cn.node_index(5), max_m=100.0) is None


def test_access_text() -> None:
    a = StationAccess("station:87345033", "Gare de Loos-en-Gohelle", "Lens", 812.0, 2.8, 50.4)
    assert a.text == "Accès : gare de Loos-en-Gohelle à 810 m"
    osm = StationAccess("node/1", "Hénin-Beaumont", "", 2340.0, 2.9, 50.4)
    assert osm.text == "Accès : gare d'Hénin-Beaumont à 2,3 km"
    assert json.loads(json.dumps(a.to_dict()))["text"] == a.text


def test_loops_name_their_access_and_may_start_at_a_station(homonyms: CompiledNetwork) -> None:  # noqa: F811
    res = plan_loop(homonyms, LoopRequest(start="gare de lens", distance_km=3, profile="walk", seed=1))
    assert res.start.id == "station:1"
    assert res.access is not None and res.access.id == "station:1"
    assert res.access.distance_m == pytest.approx(next(p for p in homonyms.pois if p.id == "station:1").node_dist_m)
    assert res.access.text in loop_lines(res)
    assert res.to_dict()["access"]["text"] == res.access.text
    assert loop_geojson(res)["properties"]["access"]["id"] == "station:1"
    circuit = Circuit("c", "unit", "", "walk", ("parc-ouest",), "t", "d", res)
    assert circuit.access == res.access
    assert Circuit("c", "unit", "", "walk", (), "t", "", None).access is None


def test_loop_api_and_page_show_the_access(homonyms: CompiledNetwork, tmp_path: Path) -> None:  # noqa: F811
    client = create_app({"TESTING": True, "NETWORK": homonyms}).test_client()
    params = urlencode({"start": "parc-ouest", "distance": "3", "profile": "walk"})
    doc = client.get(f"/api/loop?{params}").get_json()
    assert doc["access"]["id"] == "station:1" and doc["access"]["text"].startswith("Accès : gare de Lens à ")
    page = client.get(f"/boucles?{params}").get_data(as_text=True)
    assert 'id="access-note"' in page and "Accès : gare de Lens à" in page
    from parcs_cli import main as cli

    save_compiled(homonyms, tmp_path)
    assert cli.main(["loop", "--start", "gare lens", "--distance", "3", "--build", str(tmp_path)]) == 0

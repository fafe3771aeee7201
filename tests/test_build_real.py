"""The real open-data build: perimeter, network, units reachable, km by kind, elevation, CLI.

Marked ``realdata``: reads the fetched sources (mirror or URL, sha256-checked) and the build.
Expected figures are recomputed here from the sources where possible, not copied from the build.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from parcs.artifact import Network, load_meta
from parcs.layers import load_cavaliers
from parcs.perimeter import load_perimeter
from parcs.schema import KINDS, is_greenway
from parcs.sources import source_path
from parcs_cli.main import main

pytestmark = pytest.mark.realdata


def test_perimeter_is_150_communes_650339_inhabitants() -> None:
    per = load_perimeter()
    assert len(per.communes) == 150
    assert per.population == 650_339
    assert set(per.communes["agglomeration"]) == {"Béthune-Bruay", "Lens-Liévin", "Hénin-Carvin"}
    assert per.geometry.geom_type == "Polygon"  # one territory, no holes between communes
    assert per.geometry.area == pytest.approx(per.communes.area.sum(), rel=1e-3)


def test_network_is_one_component_and_connectors_are_labelled(real_network: Network) -> None:
    g = real_network.graph
    assert g.graph["crs"] == "EPSG:2154"
    assert nx.number_weakly_connected_components(g) == 1
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert kinds <= set(KINDS)
    assert {"cavalier", "eurovelo", "veloroute", "connector"} <= kinds
    rep = real_network.meta["network_report"]
    assert rep["components_before"] > 20  # the layers really are in pieces
    n_conn = sum(1 for _, _, d in g.edges(data=True) if d["kind"] == "connector" and not d["reversed"])
    assert n_conn >= rep["connectors"]  # a connector may be split where it crosses a way
    for _, _, d in g.edges(data=True):
        if d["kind"] == "unmapped":  # issue 13: the length of an unmapped link is its estimate
            assert d["straight_m"] == pytest.approx(d["geometry"].length, rel=1e-9)
            assert d["straight_m"] <= d["length_low"] + 1e-6
            assert d["length_low"] <= d["length"] + 1e-6 and d["length"] <= d["length_high"] + 1e-6
        else:
            assert d["length"] == pytest.approx(d["geometry"].length, rel=1e-9)
        assert is_greenway(d["kind"]) == (d["kind"] not in ("connector", "advised_route", "unmapped"))


def test_unmapped_links_are_few_and_never_greenways(real_network: Network) -> None:
    """Issue 13: links placed by the calibrated rule, total straight length <= 25 % of the greenways."""
    g = real_network.graph
    rep = real_network.meta["network_report"]
    assert rep["unmapped_links"] > 50
    green_m = sum(d["length"] for _, _, d in g.edges(data=True) if is_greenway(d["kind"]) and not d["reversed"])
    straight = sum(d["straight_m"] for _, _, d in g.edges(data=True) if d["kind"] == "unmapped" and not d["reversed"])
    assert 0 < straight <= 0.25 * green_m
    assert real_network.meta["stats"]["km_by_kind"].get("unmapped", 0) > 0
    assert "unmapped" not in {k for k, v in KINDS.items() if v.greenway}


def test_every_unit_reachable_from_every_other(real_network: Network) -> None:
    g = real_network.graph
    parks = real_network.parks
    assert len(parks) == 11 and not parks.geometry.is_empty.any()
    assert parks.geometry.within(real_network.perimeter.buffer(1.0)).all()
    nodes = [int(n) for n in parks["access_node"]]
    und = nx.Graph(g)
    lengths = nx.multi_source_dijkstra_path_length(und, {nodes[0]}, weight="length")
    assert all(n in lengths for n in nodes)


def test_cavalier_km_match_the_source_layer(real_network: Network) -> None:
    """Cavalier km of the graph ≈ the layer's km inside the perimeter, less the parts merged into
    véloroutes (kept once, with the cavalier's heritage id)."""
    per = real_network.perimeter
    layer = load_cavaliers(area=per.buffer(2000.0))
    layer_km = float(shapely.length(shapely.intersection(layer.geometry.values, per)).sum()) / 1000
    stats = real_network.meta["stats"]
    graph_km = stats["km_by_kind"]["cavalier"]
    merged = [d for _, _, d in real_network.graph.edges(data=True)
              if not d["reversed"] and d["kind"] != "cavalier" and "cavalier" in d.get("heritage", "")]
    assert merged, "some véloroutes run on cavaliers and must carry their identity"
    assert 0.85 * layer_km < graph_km <= layer_km * 1.01
    assert stats["greenway_km"] > 400  # the Pôle announces about 420 km


def test_planned_sections_come_from_works_status(real_network: Network) -> None:
    raw = gpd.read_file(source_path("adav/veloroutes.geojson"))
    planned_src = raw["AVANCE_TRA"].fillna("").str.lower().str.startswith(("non d", "travaux prog", "etudes"))
    assert planned_src.any()
    planned = [d for _, _, d in real_network.graph.edges(data=True) if d["status"] == "planned"]
    assert planned and {d["source"].split(";")[0] for d in planned} <= {"adav:veloroutes"}
    assert all(d["works_status"] for d in planned)


def test_elevation_sanity_on_the_graph(real_network: Network) -> None:
    g = real_network.graph
    elev = np.array([d["elevation"] for _, d in g.nodes(data=True)])
    assert np.isfinite(elev).all()
    assert 10 < elev.min() < 40 and 100 < elev.max() < 200  # lowlands; terril flanks
    for u, v, d in g.edges(data=True):
        rev = g[v][u]
        back = next(e for e in rev.values() if e["osmid"] == d["osmid"] and e["reversed"] != d["reversed"])
        assert d["climb"] == pytest.approx(back["descent"], abs=1e-9)
        assert d["grade_up"] == pytest.approx(back["grade_down"], abs=1e-9)


def test_cli_stats_parks_pois_json(real_build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--json", "--build", str(real_build_dir)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["nodes"] > 1000 and stats["components"] == 1
    assert stats["km_by_status"].keys() <= {"built", "planned", "unknown"}
    assert main(["parks", "--json", "--build", str(real_build_dir)]) == 0
    parks = json.loads(capsys.readouterr().out)
    assert len(parks) == 11 and all(p["area_ha"] > 10 and p["access_nodes"] for p in parks)
    lon, lat = parks[0]["centroid"]
    assert 2.3 < lon < 3.2 and 50.3 < lat < 50.7
    assert main(["pois", "--json", "--category", "terril", "--build", str(real_build_dir)]) == 0
    pois = json.loads(capsys.readouterr().out)
    assert pois and {p["category"] for p in pois} == {"terril"}
    assert load_meta(real_build_dir)["stats"]["pois_by_category"]["terril"] == len(pois)


def test_cli_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--build", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no built network" in err and err.count("\n") == 1
    assert main(["pois", "--category", "nope", "--build", str(tmp_path)]) == 2
    assert main(["build", "--source", "nowhere"]) == 2
    assert "unknown source" in capsys.readouterr().err

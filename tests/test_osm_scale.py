"""Regional OSM builds: the streamed build (arrays, no networkx) against the osmnx path, its
GeoPackage artifact read back by osmnx, exact A* routes and cropped loops on a tiled real extract.

Speed and memory are measured by ``benchmarks/bench_scale.py``, not here.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pytest
from scipy.sparse.csgraph import dijkstra

from parcs.artifact import load_network
from parcs.osm.assemble import _walk_chains, assemble
from parcs.osm.build import build_osm_network
from parcs.osm.stream import read_ways
from parcs.osm.streamed import build_streamed_network
from routing import CostOptions, edge_costs, load_compiled, route_legs
from routing.build import write_array_build
from routing.search import csr_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _edges_of_graph(G: Any) -> Counter[tuple[Any, ...]]:  # noqa: N803
    return Counter(
        (int(u), int(v), round(float(d["length"]), 6), d["kind"], bool(d["foot_ok"]), bool(d["bike_ok"]),
         bool(d.get("bike_push", False)), bool(d.get("major", False)))
        for u, v, d in G.edges(data=True)
    )


def _edges_of_arrays(g: Any) -> Counter[tuple[Any, ...]]:
    return Counter(
        (int(g.node_id[u]), int(g.node_id[v]), round(float(length), 6), g.kinds[k], bool(f), bool(b),
         bool(p), bool(m))
        for u, v, length, k, f, b, p, m in zip(
            g.edge_u, g.edge_v, g.edge_length, g.edge_kind, g.edge_foot_ok, g.edge_bike_ok,
            g.edge_bike_push, g.edge_major, strict=True
        )
    )


# -- a synthetic extract with the cases that matter --------------------------------------------


def _synthetic(path: Path) -> Path:
    """A small grid of streets (60.0 N, 25.0 E) with a one-way street, a ``oneway=-1`` one, a
    roundabout, a footway, a cycleway, a name change in the middle of a straight line, a node
    missing from the file, a repeated node, an attached closed way and a separate island."""
    mut = osmium.osm.mutable
    step = 0.001
    nodes = {i * 10 + j: (25.0 + j * step, 60.0 + i * step) for i in range(6) for j in range(6)}
    ways: list[tuple[int, list[int], dict[str, str]]] = [
        (1, [0, 1, 2, 3, 4, 5], {"highway": "residential", "name": "A"}),
        (2, [10, 11, 12], {"highway": "residential", "name": "B"}),
        (3, [12, 13, 14, 15], {"highway": "residential", "name": "B2"}),
        (4, [20, 21, 22, 23, 24, 25], {"highway": "residential", "oneway": "yes"}),
        (5, [30, 31, 32, 33, 34, 35], {"highway": "residential", "oneway": "-1"}),
        (6, [0, 10, 20, 30, 40], {"highway": "footway"}),
        (7, [5, 15, 25, 35, 45], {"highway": "cycleway"}),
        (8, [2, 12, 999, 32], {"highway": "path", "bicycle": "designated"}),
        (9, [3, 13, 13, 23], {"highway": "track"}),
        (10, [40, 41, 42, 43, 44, 45], {"highway": "living_street"}),
        (11, [43, 53, 54, 44, 43], {"highway": "service", "junction": "roundabout"}),
        (12, [50, 51], {"highway": "service"}),
        (13, [1, 11], {"highway": "motorway"}),
        (14, [4, 14, 24], {"highway": "path", "access": "no", "foot": "yes"}),
    ]
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    try:
        for nid, loc in sorted(nodes.items()):
            writer.add_node(mut.Node(id=nid + 1, location=loc, tags={}))
        # one POI: the osmnx path needs a layer that is not empty
        writer.add_node(mut.Node(id=5000, location=(25.0005, 60.0005), tags={"amenity": "bench"}))
        for wid, refs, tags in ways:
            writer.add_way(mut.Way(id=wid, nodes=[r + 1 for r in refs], tags=tags))
    finally:
        writer.close()
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synthetic(tmp_path_factory.mktemp("synthetic") / "grid.osm.pbf")


def test_streamed_equals_osmnx_path_on_synthetic_cases(synthetic: Path) -> None:
    old = build_osm_network(osm_file=synthetic, area="file", progress=False)
    new = build_streamed_network(synthetic, area="file")
    assert new.graph.crs == old.graph.graph["crs"]
    assert _edges_of_arrays(new.graph) == _edges_of_graph(old.graph)
    assert new.meta["osm"]["missing_node_refs"] == 1
    # every connected piece is kept, the island (way 12) too, as by the osmnx path; the
    # motorway is not a network way
    ids = set(new.graph.edge_osmid.tolist())
    assert 13 not in ids and 12 in ids


def test_chain_walk_compiled_equals_python(synthetic: Path) -> None:
    ways = read_ways(synthetic)
    g = assemble(ways, crs="EPSG:32635")
    rng = np.random.default_rng(5)
    n = 40
    a = rng.integers(0, n, 120)
    b = (a + rng.integers(1, n, 120)) % n
    incidence = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    endpoint = (rng.random(n) < 0.3) | (incidence != 2)  # the kernel's precondition
    fast = _walk_chains(n, a.astype(np.int64), b.astype(np.int64), endpoint)
    slow = _walk_chains.py_func(n, a.astype(np.int64), b.astype(np.int64), endpoint)
    for x, y in zip(fast, slow, strict=True):
        assert np.array_equal(x, y)
    assert g.n_edges % 2 == 0 and (g.edge_length > 0).all()


# -- Helsinki: the real extract ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hel_streamed(helsinki: Path) -> Any:
    return build_streamed_network(helsinki, area="file")


def test_streamed_equals_osmnx_path_on_helsinki(hel_net: Any, hel_streamed: Any) -> None:
    """Same nodes, same directed edges with the same lengths (to 1e-6 m), kinds and access
    flags: the tolerance is zero on counts, kinds and flags."""
    old, new = hel_net.graph, hel_streamed.graph
    assert (new.n_nodes, new.n_edges) == (old.number_of_nodes(), old.number_of_edges())
    assert set(new.node_id.tolist()) == set(old.nodes)
    assert _edges_of_arrays(new) == _edges_of_graph(old)
    total = sum(d["length"] for _, _, d in old.edges(data=True))
    assert float(new.edge_length.sum()) == pytest.approx(total, rel=1e-12)
    for flag in ("foot_ok", "bike_ok"):
        km_old = sum(d["length"] for _, _, d in old.edges(data=True) if d[flag])
        assert float(new.edge_length[getattr(new, f"edge_{flag}")].sum()) == pytest.approx(km_old, rel=1e-12)


def test_gpkg_artifact_is_read_back_by_osmnx(hel_streamed: Any, tmp_path: Path) -> None:
    out = write_array_build(hel_streamed, tmp_path / "build")
    assert not (out / "graph.pkl").exists() and (out / "network.gpkg").is_file()
    G = load_network(out).graph  # noqa: N806 (osmnx.graph_from_gdfs)
    g = hel_streamed.graph
    assert (G.number_of_nodes(), G.number_of_edges()) == (g.n_nodes, g.n_edges)
    assert G.graph["crs"] == g.crs
    assert _edges_of_graph(G) == _edges_of_arrays(g)
    import osmnx as ox

    a, b = int(g.node_id[g.edge_u[0]]), int(g.node_id[g.edge_v[10]])
    assert ox.routing.shortest_path(G, a, b, weight="length")[0] == a
    cn = load_compiled(out)
    assert (cn.n_nodes, cn.n_edges) == (g.n_nodes, g.n_edges)
    assert cn.meta["builder"] == "stream"


# -- a 2 x 2 tiling: exact routes with A*, loops on a cropped neighbourhood ---------------------


@pytest.fixture(scope="module")
def tiled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from bench_osm import tiled_extract

    folder = tmp_path_factory.mktemp("tiled")
    pbf = tiled_extract(2, folder / "helsinki-2x2.osm.pbf", grid=True)
    out = write_array_build(build_streamed_network(pbf, area="file"), folder / "build")
    return load_compiled(out)


def test_astar_routes_equal_dijkstra_on_tiled_extract(tiled: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import routing.contract as contract

    monkeypatch.setattr(contract, "ASTAR_MIN_JUNCTIONS", 0)
    cn = tiled
    assert contract.chain_topology(cn).n_junctions > 0
    costs = edge_costs(cn, CostOptions("walk"))
    csr = csr_for(cn, costs)
    nodes = np.flatnonzero(cn.node_comp == cn.main_component)
    pairs = np.random.default_rng(20261202).choice(nodes, size=(40, 2))
    reached = 0
    for a, b in pairs.tolist():
        ref = float(dijkstra(csr.matrix, directed=True, indices=a)[b])
        legs = route_legs(cn, [(a,), (b,)], costs)
        if legs is None:
            assert not np.isfinite(ref)
            continue
        e = legs[0]
        assert cn.edge_u[e[0]] == a and cn.edge_v[e[-1]] == b
        assert np.array_equal(cn.edge_v[e[:-1]], cn.edge_u[e[1:]])
        assert float(costs[e].sum()) == pytest.approx(ref, rel=1e-9)
        reached += 1
    assert reached >= 30
    assert contract.contracted_for(cn, costs).hubs.node  # the landmarks exist


def test_loops_on_cropped_neighbourhood(tiled: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from routing.loops import LoopRequest, crop, plan_loop

    monkeypatch.setattr(crop, "CROP_MIN_EDGES", 0)
    cn = tiled
    nodes = np.flatnonzero(cn.node_comp == cn.main_component)
    start = int(nodes[len(nodes) // 3])
    res = plan_loop(cn, LoopRequest(f"{cn.node_lat[start]},{cn.node_lon[start]}", distance_km=5, seed=1))
    assert res.start.node == start
    for loop in res.loops:
        e = np.asarray(loop.itinerary.edge_ids)
        assert cn.edge_u[e[0]] == start == cn.edge_v[e[-1]]
        assert np.array_equal(cn.edge_v[e[:-1]], cn.edge_u[e[1:]])  # numbered in the whole network
        assert float(cn.edge_length[e].sum()) == pytest.approx(loop.distance_m, rel=1e-9)
        assert abs(loop.length_error) <= 0.05
        steps = [x for s in loop.itinerary.directions for x in s.edges]
        assert steps == e.tolist()
    keep = crop.loop_neighbourhood(
        cn, start=start, cost=edge_costs(cn, CostOptions("walk")), measure=cn.edge_length,
        limit=5250.0, ways=1e12,
    )
    sub, sub_nodes, _ = crop.subnetwork(cn, keep)
    # every node kept can be on a loop of 5.25 km: out and back within the bound
    assert keep.sum() < cn.n_nodes and sub.n_nodes == keep.sum() and start in sub_nodes


# -- the command line --------------------------------------------------------------------------


def test_cli_stream_build_then_route(helsinki: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parcs_cli.main import main

    out = tmp_path / "build"
    rc = main(["build", "--source", "osm-file", str(helsinki), "--area", "file", "--stream", "--out", str(out), "-q"])
    assert rc == 0 and "built osm-file (stream)" in capsys.readouterr().out
    cn = load_compiled(out)
    walk = edge_costs(cn, CostOptions("walk"))
    a = int(np.flatnonzero(cn.node_comp == cn.main_component)[0])
    dist = dijkstra(csr_for(cn, walk).matrix, directed=True, indices=a)
    b = int(np.argmax(np.where(np.isfinite(dist), dist, -1.0)))  # the farthest node reached on foot
    rc = main(["route", "--build", str(out), "--from", f"{cn.node_lat[a]},{cn.node_lon[a]}",
               "--to", f"{cn.node_lat[b]},{cn.node_lon[b]}", "--profile", "walk", "--json"])
    assert rc == 0
    assert '"distance_m"' in capsys.readouterr().out


@pytest.mark.parametrize("case", ["truncated", "not-osm", "no-overlap", "opendata"])
def test_cli_stream_bad_input(case: str, helsinki: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parcs_cli.main import main

    out = tmp_path / "build"
    out.mkdir()
    (out / "meta.json").write_text("{}")  # a previous build, which must stay untouched
    source = ["osm-file", str(helsinki)]
    area = "file"
    if case == "truncated":
        bad = tmp_path / "cut.osm.pbf"
        bad.write_bytes(helsinki.read_bytes()[: helsinki.stat().st_size // 2])
        source = ["osm-file", str(bad)]
    elif case == "not-osm":
        bad = tmp_path / "junk.osm.pbf"
        bad.write_bytes(b"not an extract at all" * 100)
        source = ["osm-file", str(bad)]
    elif case == "no-overlap":
        area = "2.0,50.0,2.1,50.1"
    else:
        source = ["opendata"]
    rc = main(["build", "--source", *source, "--area", area, "--stream", "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["meta.json"]
    assert (out / "meta.json").read_text() == "{}"

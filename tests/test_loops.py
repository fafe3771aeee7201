"""Loops on synthetic networks: length, overlap, constraints, through places, errors, seeds, CLI.

The networks come from :mod:`test_loops_graphs`: a 16 x 16 grid of 250 m ways (plenty of cycles), a
ring of ~10 km with dead-end spurs, and a straight line (only out-and-backs).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import gpxpy
import numpy as np
import pytest
from test_loops_graphs import Way, build_network, grid_network, line_network, ring_network

from parcs._errors import ConstraintError, InvalidRequestError, NoRouteError, UnknownPlaceError
from parcs_cli.main import main as cli_main
from routing.compiled import CompiledNetwork, compile_network, save_compiled
from routing.costs import CostOptions, edge_costs
from routing.loops.engine import (
    LoopGraph,
    accumulate,
    overlap_floor,
    overlap_share,
    shared_share,
    shortest_lollipop,
)
from routing.loops.export import loop_geojson, loop_gpx, loop_lines
from routing.loops.planner import LoopRequest, LoopResult, plan_loop

GRID_SIZE = 16


def _hilly(x: float, y: float) -> float:
    """A ridge along x = 2000 m: 8 % flanks east of x = 1500 m, flat elsewhere."""
    return 30.0 + 0.08 * max(0.0, 500.0 - abs(x - 2000.0)) if x > 1500 else 30.0


def _kind(i: int, j: int, horizontal: bool) -> str:
    """Every fourth row is a connector."""
    return "connector" if horizontal and i % 4 == 2 else "cavalier"


@pytest.fixture(scope="module")
def grid() -> CompiledNetwork:
    return compile_network(grid_network(GRID_SIZE))


@pytest.fixture(scope="module")
def ring() -> CompiledNetwork:
    return compile_network(ring_network())


@pytest.fixture(scope="module")
def line() -> CompiledNetwork:
    return compile_network(line_network())


@pytest.fixture(scope="module")
def hills() -> CompiledNetwork:
    return compile_network(grid_network(GRID_SIZE, kind=_kind, height=_hilly))


def _nodes(cn: CompiledNetwork, edges: Any) -> set[int]:
    e = np.asarray(edges)
    return set(cn.edge_u[e].tolist()) | set(cn.edge_v[e].tolist())


def _check_closed(cn: CompiledNetwork, res: LoopResult) -> None:
    for loop in res.loops:
        e = np.asarray(loop.itinerary.edge_ids)
        assert cn.edge_u[e[0]] == res.start.node == cn.edge_v[e[-1]]
        assert np.all(cn.edge_v[e[:-1]] == cn.edge_u[e[1:]])


# -- engine -----------------------------------------------------------------------------------


def test_accumulate_sums_along_tree_paths() -> None:
    pred = np.array([-1, 0, 1, 2, 1, -1])
    vals = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 0.0])
    assert accumulate(pred, vals).tolist() == [0.0, 1.0, 3.0, 6.0, 5.0, 0.0]


def test_overlap_of_out_and_back_ring_and_lollipop(line: CompiledNetwork, ring: CompiledNetwork) -> None:
    lg = LoopGraph(cn=line, cost=edge_costs(line, CostOptions("walk")), measure=line.edge_length)
    fwd = [int(np.flatnonzero((line.edge_u == k) & (line.edge_v == k + 1))[0]) for k in range(4)]
    back = [int(np.flatnonzero((line.edge_u == k + 1) & (line.edge_v == k))[0]) for k in range(3, -1, -1)]
    assert overlap_share(lg, fwd + back) == pytest.approx(1.0)
    assert overlap_share(lg, fwd) == 0.0
    lr = LoopGraph(cn=ring, cost=edge_costs(ring, CostOptions("walk")), measure=ring.edge_length)
    n = 48
    around = [int(np.flatnonzero((ring.edge_u == k) & (ring.edge_v == (k + 1) % n))[0]) for k in range(n)]
    assert overlap_share(lr, around) == 0.0
    spur_out = [int(np.flatnonzero((ring.edge_u == 0) & (ring.edge_v == ring.node_index(1000)))[0])]
    spur_back = [int(np.flatnonzero((ring.edge_v == 0) & (ring.edge_u == ring.node_index(1000)))[0])]
    lolli = spur_out + spur_back + around
    ring_len = float(ring.edge_length[around].sum())
    spur = float(ring.edge_length[spur_out].sum())
    assert overlap_share(lr, lolli) == pytest.approx(2 * spur / (2 * spur + ring_len))
    assert shared_share(lr, around, lolli) == pytest.approx(1.0)
    assert shared_share(lr, around, spur_out) == 0.0


RING = 48 * 2 * 1600.0 * math.sin(math.pi / 48)  # circumference of the ring network


def test_overlap_floor_ring_and_line(ring: CompiledNetwork, line: CompiledNetwork) -> None:
    lr = LoopGraph(cn=ring, cost=edge_costs(ring, CostOptions("walk")), measure=ring.edge_length)
    assert overlap_floor(lr, 0, RING) == pytest.approx(0.0, abs=1e-9)
    assert overlap_floor(lr, 0, RING + 100.0) == pytest.approx(100.0 / (RING + 100.0))
    # a loop shorter than the ring cannot go round it: every way is travelled twice
    assert overlap_floor(lr, 0, RING - 100.0) == 1.0
    assert overlap_floor(lr, 0, RING - 100.0, tolerance=0.05) == 0.0
    # from the tip of a spur, 1 km of bridge must be walked both ways
    tip = ring.node_index(1001)
    assert overlap_floor(lr, tip, 12100.0) == pytest.approx(1.0 - RING / 12100.0, abs=1e-6)
    assert shortest_lollipop(lr, tip) == pytest.approx(RING + 2000.0)
    assert overlap_floor(lr, tip, 12000.0) == 1.0  # too short to reach round the ring
    ll = LoopGraph(cn=line, cost=edge_costs(line, CostOptions("walk")), measure=line.edge_length)
    assert overlap_floor(ll, 20, 4000.0) == 1.0


# -- plan_loop --------------------------------------------------------------------------------


@pytest.mark.parametrize("km", [4.0, 6.0, 10.0])
def test_grid_loops_hit_the_length_without_retracing(grid: CompiledNetwork, km: float) -> None:
    res = plan_loop(grid, LoopRequest("parc-centre", distance_km=km, seed=3, variants=3))
    _check_closed(grid, res)
    for loop in res.loops:
        assert abs(loop.distance_m - km * 1000) <= 0.05 * km * 1000
        assert abs(loop.length_error) <= 0.05
        assert loop.overlap_share <= 0.10
        assert loop.greenway_share == pytest.approx(1.0)
    assert res.best.overlap_share == 0.0
    for a in res.loops:
        for b in res.loops:
            if a is not b:
                assert shared_share(
                    LoopGraph(cn=grid, cost=edge_costs(grid, CostOptions("walk")), measure=grid.edge_length),
                    a.itinerary.edge_ids, b.itinerary.edge_ids,
                ) <= 0.6 + 1e-9


def test_ring_loop_goes_round_without_overlap(ring: CompiledNetwork) -> None:
    circumference = 48 * 2 * 1600.0 * math.sin(math.pi / 48)
    res = plan_loop(ring, LoopRequest("parc-anneau", distance_km=circumference / 1000, seed=1))
    assert res.best.overlap_share == 0.0
    assert abs(res.best.length_error) <= 0.01
    assert res.overlap_floor == 0.0


def test_ring_loop_longer_than_the_ring_uses_a_spur(ring: CompiledNetwork) -> None:
    res = plan_loop(ring, LoopRequest("parc-anneau", distance_km=12.0, seed=1))
    loop = res.best
    assert abs(loop.length_error) <= 0.05
    assert 0.0 < loop.overlap_share < 0.3
    assert loop.overlap_share == pytest.approx(
        overlap_share(LoopGraph(cn=ring, cost=edge_costs(ring, CostOptions("walk")),
                                measure=ring.edge_length), loop.itinerary.edge_ids))


def test_line_network_gives_an_out_and_back(line: CompiledNetwork) -> None:
    res = plan_loop(line, LoopRequest(_node_place(line, 20), distance_km=4.0, seed=1))
    assert res.best.overlap_share == pytest.approx(1.0)
    assert abs(res.best.length_error) <= 0.05
    assert any("repasse" in w for w in res.best.warnings)
    assert res.overlap_floor == 1.0


def _node_place(cn: CompiledNetwork, node_id: int) -> str:
    i = cn.node_index(node_id)
    return f"{cn.node_lat[i]:.7f},{cn.node_lon[i]:.7f}"


def test_duration_target(grid: CompiledNetwork) -> None:
    res = plan_loop(grid, LoopRequest("parc-centre", duration_min=75, profile="walk", seed=2))
    assert res.best.target_kind == "duration"
    assert abs(res.best.itinerary.duration_s - 75 * 60) <= 0.05 * 75 * 60
    assert res.best.achieved == pytest.approx(res.best.itinerary.duration_s)


def test_seed_makes_loops_reproducible(grid: CompiledNetwork) -> None:
    req = LoopRequest("parc-sud-ouest", distance_km=7.0, seed=42, variants=3)
    a, b = plan_loop(grid, req), plan_loop(grid, req)
    assert [x.itinerary.edge_ids for x in a.loops] == [x.itinerary.edge_ids for x in b.loops]
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_through_places_are_visited_in_the_best_order(grid: CompiledNetwork) -> None:
    req = LoopRequest("parc-sud-ouest", distance_km=15.0, through=("terril:T001", "terril:T002"), seed=1)
    res = plan_loop(grid, req)
    loop = res.best
    nodes = _nodes(grid, loop.itinerary.edge_ids)
    t1 = grid.pois[grid.poi_index["terril:T001"]].node
    t2 = grid.pois[grid.poi_index["terril:T002"]].node
    assert {t1, t2} <= nodes
    assert set(loop.through_visited) == {"Terril du Nord", "Terril de l'Est"}
    assert abs(loop.length_error) <= 0.05


def test_through_park_and_via_category(grid: CompiledNetwork) -> None:
    res = plan_loop(grid, LoopRequest("parc-sud-ouest", distance_km=8.0, through=("parc-centre",),
                                      via_category="drinking_water", seed=1))
    loop = res.best
    assert "parc-centre" in {p["id"] for p in loop.parks_visited}
    water = grid.pois[grid.poi_index["drinking_water:W1"]].node
    assert water in _nodes(grid, loop.itinerary.edge_ids)
    assert "drinking_water:W1" in {p["id"] for p in loop.pois_visited}


def test_max_grade_is_honoured(hills: CompiledNetwork) -> None:
    free = plan_loop(hills, LoopRequest("parc-nord-est", distance_km=6.0, seed=1))
    assert max(hills.edge_grade_up[list(free.best.itinerary.edge_ids)]) > 0.05  # the hill is there
    res = plan_loop(hills, LoopRequest("parc-nord-est", distance_km=6.0, max_grade=3, seed=1))
    for loop in res.loops:
        assert max(hills.edge_grade_up[list(loop.itinerary.edge_ids)]) <= 0.03 + 1e-9


def test_avoid_connectors(hills: CompiledNetwork) -> None:
    res = plan_loop(hills, LoopRequest("parc-centre", distance_km=5.0, avoid=("connector",), seed=1))
    kinds = {hills.kinds[k] for k in hills.edge_kind[list(res.best.itinerary.edge_ids)]}
    assert "connector" not in kinds


def test_max_climb_is_honoured(hills: CompiledNetwork) -> None:
    free = plan_loop(hills, LoopRequest("parc-centre", distance_km=6.0, seed=1))
    climb = float(hills.edge_climb[list(free.best.itinerary.edge_ids)].sum())
    assert climb > 10
    res = plan_loop(hills, LoopRequest("parc-centre", distance_km=6.0, max_climb=climb / 2, seed=1))
    for loop in res.loops:
        assert float(hills.edge_climb[list(loop.itinerary.edge_ids)].sum()) <= climb / 2 + 1e-6


def test_impossible_max_climb_is_explained() -> None:
    # every way slopes 2 %: any loop of 3 km climbs exactly 30 m
    cn = compile_network(grid_network(8, height=lambda x, y: 30.0 + 0.02 * (x + y)))
    with pytest.raises(ConstraintError, match="sous 20 m de dénivelé positif : la moins vallonnée trouvée en compte 30 m"):
        plan_loop(cn, LoopRequest("parc-centre", distance_km=3.0, max_climb=20, seed=1))


def test_target_longer_than_the_network_is_explained(grid: CompiledNetwork) -> None:
    with pytest.raises(ConstraintError, match=r"aucune boucle de 150 km .*la plus longue boucle trouvée fait [0-9,]+ km \(le réseau joignable"):
        plan_loop(grid, LoopRequest("parc-centre", distance_km=150, seed=1))


def test_through_places_too_far_for_the_target(grid: CompiledNetwork) -> None:
    with pytest.raises(ConstraintError, match=r"la plus courte boucle trouvée fait .*avec les lieux demandés"):
        plan_loop(grid, LoopRequest("parc-sud-ouest", distance_km=3.0, through=("parc-nord-est",), seed=1))


def test_isolated_start_and_unreachable_through_place() -> None:
    nodes = {1: (0.0, 0.0, 30.0), 2: (500.0, 0.0, 30.0), 3: (5000.0, 0.0, 30.0), 4: (5500.0, 0.0, 30.0)}
    net = build_network(nodes, [Way(1, 2), Way(3, 4)],
                        parks=[("a", "A", (-100, -100, 100, 100), [1]), ("b", "B", (4900, -100, 5600, 100), [3])])
    cn = compile_network(net)
    with pytest.raises(NoRouteError, match="n'est pas joignable"):
        plan_loop(cn, LoopRequest("a", distance_km=1.0, through=("b",)))


def test_request_validation() -> None:
    with pytest.raises(InvalidRequestError):
        LoopRequest("x", distance_km=5, duration_min=60)
    with pytest.raises(InvalidRequestError):
        LoopRequest("x")
    with pytest.raises(InvalidRequestError):
        LoopRequest("x", distance_km=-1)
    with pytest.raises(InvalidRequestError):
        LoopRequest("x", distance_km=5, via_category="nope")
    with pytest.raises(InvalidRequestError):
        LoopRequest("x", distance_km=5, profile="horse")
    with pytest.raises(InvalidRequestError):
        LoopRequest("x", distance_km=5, through=tuple(f"p{i}" for i in range(7)))
    with pytest.raises(InvalidRequestError):
        LoopRequest("x", distance_km=5, avoid=("lava",))
    assert LoopRequest("x", distance_km=5, through="terril:T1").through == ("terril:T1",)


def test_unknown_start(grid: CompiledNetwork) -> None:
    with pytest.raises(UnknownPlaceError):
        plan_loop(grid, LoopRequest("nulle-part", distance_km=5))


def test_exports(grid: CompiledNetwork) -> None:
    res = plan_loop(grid, LoopRequest("parc-centre", distance_km=5.0, variants=2, seed=1))
    gpx = gpxpy.parse(loop_gpx(res))
    assert len(gpx.tracks) == len(res.loops)
    pts = gpx.tracks[0].segments[0].points
    assert pts[0].elevation is not None
    assert (pts[0].latitude, pts[0].longitude) == pytest.approx((pts[-1].latitude, pts[-1].longitude))
    assert gpx.waypoints[0].name == "Départ et arrivée"
    gj = loop_geojson(res)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(res.loops)
    assert gj["features"][0]["properties"]["quality"]["target"] == 5000.0
    assert len(gj["features"][0]["geometry"]["coordinates"][0]) == 3
    text = "\n".join(loop_lines(res))
    assert "écart à la cible" in text
    data = res.to_dict()
    json.dumps(data)
    assert data["loops"][0]["quality"]["overlap_share"] == round(res.best.overlap_share, 4)


# -- CLI --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid_build(tmp_path_factory: pytest.TempPathFactory, grid: CompiledNetwork) -> Path:
    out = tmp_path_factory.mktemp("grid_build")
    save_compiled(grid, out)
    return out


def test_cli_loop_json_and_gpx(grid_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gpx = tmp_path / "b.gpx"
    rc = cli_main(["loop", "--start", "parc-centre", "--distance", "6", "--seed", "1", "--json",
                   "--gpx", str(gpx), "--build", str(grid_build), "--through", "terril:T002"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert abs(doc["loops"][0]["quality"]["length_error"]) <= 0.05
    assert gpxpy.parse(gpx.read_text(encoding="utf-8")).tracks


def test_cli_loop_human(grid_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli_main(["loop", "--start", "parc-centre", "--duration", "20", "--profile", "bike",
                   "--variants", "2", "--build", str(grid_build)])
    assert rc == 0
    assert "Boucle à vélo" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["loop", "--start", "parc-centre", "--distance", "500"],
    ["loop", "--start", "nulle-part", "--distance", "5"],
    ["loop", "--start", "parc-centre", "--distance", "150"],
    ["loop", "--start", "parc-centre", "--distance", "5", "--via-category", "nope"],
])
def test_cli_loop_errors_exit_2_with_one_line(grid_build: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli_main([*argv, "--build", str(grid_build)])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("parcs loop: error: ") and err.count("\n") == 1


def test_cli_loop_needs_a_target(grid_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli_main(["loop", "--start", "parc-centre", "--build", str(grid_build)])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1

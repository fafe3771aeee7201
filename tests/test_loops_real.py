"""Loops and circuits on the real build (``data/build/opendata``; ``make test`` builds it first)."""

from __future__ import annotations

import pytest

from routing import CompiledNetwork, load_compiled
from routing.loops.circuits import build_catalogue
from routing.loops.planner import LoopRequest, plan_loop

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def cn() -> CompiledNetwork:
    return load_compiled()


@pytest.mark.parametrize(("profile", "km"), [("walk", 10.0), ("bike", 30.0)])
@pytest.mark.parametrize("park", ["louvre-lens", "parc-des-iles", "olhain"])
def test_park_loops_meet_the_tolerance(cn: CompiledNetwork, park: str, profile: str, km: float) -> None:
    res = plan_loop(cn, LoopRequest(park, distance_km=km, profile=profile, seed=1, variants=2))
    for loop in res.loops:
        assert abs(loop.distance_m - km * 1000) <= 0.05 * km * 1000
        edges = loop.itinerary.edge_ids
        assert cn.edge_u[edges[0]] == res.start.node == cn.edge_v[edges[-1]]
        assert loop.greenway_share > 0.5
        assert loop.overlap_share >= res.overlap_floor - 1e-9  # the floor is a true lower bound


def test_duration_loop(cn: CompiledNetwork) -> None:
    res = plan_loop(cn, LoopRequest("louvre-lens", duration_min=120, profile="bike", seed=1))
    assert abs(res.best.itinerary.duration_s - 7200) <= 0.05 * 7200


def test_impossible_loop_is_explained(cn: CompiledNetwork) -> None:
    from parcs._errors import ConstraintError

    with pytest.raises(ConstraintError, match="aucune boucle"):
        plan_loop(cn, LoopRequest("louvre-lens", distance_km=30, profile="family", max_climb=5, seed=1))


def test_catalogue_on_the_real_network(cn: CompiledNetwork) -> None:
    cat = build_catalogue(cn, seed=1)
    units = [c for c in cat.circuits if c.kind.startswith("unit-")]
    assert len(units) == 2 * len(cn.parks)
    assert sum(c.ok for c in units) >= len(units) - 2
    for c in cat.circuits:
        assert c.ok or c.reason
        if c.result is not None:
            km = c.result.best.distance_m / 1000
            low, high = {"unit-walk": (5, 10), "unit-bike": (20, 40)}.get(c.kind, (5, 45))
            assert low <= km <= high, c.id
    assert sum(c.ok for c in cat.circuits if c.kind == "theme") >= 3

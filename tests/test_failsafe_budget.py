"""Time budget of a request (issue 15, item 3): a deadline checked inside the loop search, the
climb-constrained search and the alternatives stops them cleanly: the best found so far (marked
partial), or 503 ``time_budget_exceeded`` in French when there is nothing yet."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_routing_constrained import brute_force, random_network

import routing.constrained as constrained
from parcs._errors import BudgetExceededError
from routing import RouteRequest, route
from routing.deadline import NEVER, Deadline
from routing.loops.planner import LoopRequest, plan_loop
from webapp import create_app


class CountingDeadline(Deadline):
    """A deadline that expires at its ``limit``-th look (deterministic, unlike the clock)."""

    def __init__(self, limit: float) -> None:
        super().__init__(at=0.0, budget=2.0)
        object.__setattr__(self, "looks", 0)
        object.__setattr__(self, "limit", limit)

    def share(self, fraction: float) -> Deadline:
        return self  # the search's share counts the same looks

    def expired(self) -> bool:
        object.__setattr__(self, "looks", self.looks + 1)
        return bool(self.looks >= self.limit)


LOOP = LoopRequest("parc-ouest", distance_km=2.0, variants=2, seed=1)


def test_an_expired_budget_before_any_loop_is_a_french_error(mock_compiled: Any) -> None:
    with pytest.raises(BudgetExceededError, match=r"calcul interrompu au bout de 0 s"):
        plan_loop(mock_compiled, LOOP, deadline=Deadline.after(0.0))


def test_a_budget_expiring_late_gives_the_loops_found_marked_partial(mock_compiled: Any) -> None:
    full_run = CountingDeadline(np.inf)
    complete = plan_loop(mock_compiled, LOOP, deadline=full_run)
    assert not complete.partial and full_run.looks > 3
    late = CountingDeadline(full_run.looks - 1)  # expires at the search's last look
    partial = plan_loop(mock_compiled, LOOP, deadline=late)
    assert partial.partial and partial.loops
    assert "recherche interrompue" in partial.warnings[0]
    assert partial.to_dict()["partial"] is True and complete.to_dict()["partial"] is False
    assert all(abs(loop.length_error) <= LOOP.tolerance for loop in partial.loops)


def test_no_deadline_is_the_same_as_a_generous_one(mock_compiled: Any) -> None:
    a = plan_loop(mock_compiled, LOOP)
    b = plan_loop(mock_compiled, LOOP, deadline=Deadline.after(600))
    assert [lp.itinerary.distance_m for lp in a.loops] == [lp.itinerary.distance_m for lp in b.loops]
    assert not a.partial and not b.partial


@pytest.mark.parametrize("seed", range(6))
def test_constrained_search_stopped_returns_a_path_under_the_limit(seed: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constrained, "_CHECK_EVERY", 1)
    cn, costs = random_network(seed, n=12, p=0.3)
    rng = np.random.default_rng(seed)
    stops = [int(s) for s in rng.choice(cn.n_nodes, size=2, replace=False)]
    least = constrained.min_climb(cn, [(s,) for s in stops], costs)
    if not np.isfinite(least):
        return
    limit = least + 1
    exact = constrained.constrained_path(cn, [(s,) for s in stops], costs, limit=limit)
    stopped = constrained.constrained_path(cn, [(s,) for s in stops], costs, limit=limit,
                                           deadline=Deadline.after(0.0))
    assert exact.cost == pytest.approx(brute_force(cn, costs, stops, limit))
    assert stopped.climb <= limit + 1e-9 and stopped.cost >= exact.cost - 1e-9
    flat = np.concatenate(stopped.legs)
    assert cn.edge_u[flat[0]] == stops[0] and cn.edge_v[flat[-1]] == stops[-1]


def test_alternatives_stop_at_the_deadline(mock_compiled: Any) -> None:
    req = RouteRequest(origin="parc-ouest", destination="parc-est", alternatives=3)
    assert len(route(mock_compiled, req, deadline=NEVER).itineraries) > 1
    assert len(route(mock_compiled, req, deadline=Deadline.after(0.0)).itineraries) == 1


@pytest.fixture(scope="module")
def no_time_app(mock_compiled: Any) -> Any:
    return create_app({"TESTING": True, "NETWORK": mock_compiled, "REQUEST_BUDGET": 0.0})


def test_the_api_answers_503_in_french_when_the_budget_is_spent(no_time_app: Any) -> None:
    client = no_time_app.test_client()
    for url in ("/api/loop?start=parc-ouest&distance=2", "/api/loop.gpx?start=parc-ouest&distance=2"):
        response = client.get(url)
        assert response.status_code == 503, url
        body = response.get_json()
        assert body["error"] == "time_budget_exceeded" and "calcul interrompu" in body["detail"]
    page = client.get("/boucles?start=parc-ouest&distance=2")
    assert page.status_code == 503 and "Demande trop longue à calculer" in page.get_data(as_text=True)
    routes = client.get("/api/route?from=parc-ouest&to=parc-est&alternatives=3")
    assert routes.status_code == 200 and len(routes.get_json()["features"]) == 1


def test_the_budget_defaults_to_2_s_outside_tests(mock_compiled: Any) -> None:
    from webapp.state import request_budget

    assert request_budget({"REQUEST_BUDGET": None}) == 2.0
    assert request_budget({"REQUEST_BUDGET": None, "TESTING": True}) == float("inf")
    assert request_budget({"REQUEST_BUDGET": 0.5, "TESTING": True}) == 0.5
    app = create_app({"NETWORK": mock_compiled, "WARM_UP": False})
    doc = app.test_client().get("/api/openapi.json").get_json()
    for path in ("/api/loop", "/api/route"):
        operation = doc["paths"][path]["get"]
        assert "time_budget_exceeded" in operation["responses"]["503"]["description"]
        assert "2 s (`REQUEST_BUDGET`)" in operation["description"], path

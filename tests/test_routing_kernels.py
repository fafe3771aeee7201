"""Both tiers of :mod:`routing.kernels` (numpy first, then the compiled kernels) give bit for bit
what plain reference computations give: on random profiles (plateaus, repeated distances), on
paths of the mock network and on routes of the real network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parcs.elevation import hysteresis_climb
from routing import CostOptions, edge_costs, kernels, load_compiled, route_legs
from routing.compiled import CompiledNetwork


def _profile_plain(cn: CompiledNetwork, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Profile samples of a path the plain way: every edge's samples, the first one of every edge
    but the first dropped, shifted by the length of the edges before it."""
    start = np.concatenate([[0.0], np.cumsum(cn.edge_length[edges])[:-1]])
    ds, zs = [], []
    for k, e in enumerate(edges.tolist()):
        sl = slice(int(cn.prof_offsets[e]) + (1 if k else 0), int(cn.prof_offsets[e + 1]))
        ds.append(cn.prof_d[sl] + start[k])
        zs.append(cn.prof_z[sl])
    return np.concatenate(ds), np.concatenate(zs)


def _window_grade_plain(d: np.ndarray, z: np.ndarray, window: float) -> float:
    if float(d[-1] - d[0]) <= window:
        return max(float(z[-1] - z[0]) / window, 0.0) if d.size > 1 else 0.0
    head, tail = d <= d[-1] - window, d >= d[0] + window
    rise_head = np.interp(d[head] + window, d, z) - z[head]
    rise_tail = z[tail] - np.interp(d[tail] - window, d, z)
    return max(float(rise_head.max(initial=0.0)), float(rise_tail.max(initial=0.0)), 0.0) / window


@pytest.fixture(params=["numpy", "compiled"])
def tier(request: pytest.FixtureRequest) -> Any:
    """The functions of one tier (the compiled ones as :func:`routing.kernels.warm` makes them)."""
    return kernels._PLAIN if request.param == "numpy" else kernels._TIER.compile()


def _check(k: Any, cn: CompiledNetwork, edges: np.ndarray) -> None:
    d, z = k.path_profile(edges, cn.prof_offsets, cn.prof_d, cn.prof_z, cn.edge_length)
    d0, z0 = _profile_plain(cn, edges)
    assert np.array_equal(d, d0) and np.array_equal(z, z0)
    g = cn.geom_offsets
    plain = [np.arange(int(g[e]) + (1 if k else 0), int(g[e + 1])) for k, e in enumerate(edges.tolist())]
    assert np.array_equal(k.path_indices(edges, g), np.concatenate(plain))
    for t in (0.0, cn.hysteresis, 10.0):
        assert k.climb_descent(z, t) == hysteresis_climb(z, threshold=t)
    for w in (50.0, 100.0):
        assert k.window_grade_sorted(d, z, w) == _window_grade_plain(d, z, w)


@pytest.mark.parametrize("seed", range(6))
def test_kernels_on_random_profiles(tier: Any, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 3000))
    z = np.round(rng.normal(0, 2, n).cumsum(), 1)  # plateaus included
    steps = rng.uniform(0, 30, n)
    steps[rng.random(n) < 0.1] = 0.0  # repeated distances (zero-length steps)
    d = np.cumsum(steps)
    for t in (0.0, 0.5, 3.0, 25.0):
        assert tier.climb_descent(z, t) == hysteresis_climb(z, threshold=t)
        assert tier.climb_descent(z[::-1].copy(), t) == hysteresis_climb(z[::-1], threshold=t)
    for w in (20.0, 100.0, 1e9):
        assert tier.window_grade_sorted(d, z, w) == _window_grade_plain(d, z, w)


def test_kernels_edge_cases(tier: Any) -> None:
    one, empty = np.array([5.0]), np.zeros(0)
    assert tier.climb_descent(one, 3.0) == (0.0, 0.0)
    assert tier.climb_descent(empty, 3.0) == (0.0, 0.0)
    assert tier.window_grade_sorted(one, one, 100.0) == 0.0
    assert tier.window_grade_sorted(empty, empty, 100.0) == 0.0
    d = np.array([0.0, 100.0, 90.0, 300.0])  # decreasing once: not for the kernel
    assert tier.window_grade_sorted(d, np.array([0.0, 5.0, 6.0, 7.0]), 50.0) == -1.0
    nan_d = np.array([0.0, np.nan, 300.0])
    assert tier.window_grade_sorted(nan_d, np.zeros(3), 50.0) == -1.0


def test_kernels_compile_after_a_number_of_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = kernels._Tier()
    monkeypatch.setattr(kernels, "_TIER", fresh)
    z = np.array([1.0, 9.0, 2.0])
    for _ in range(kernels.COMPILE_AFTER):
        assert kernels.climb_descent(z, threshold=3.0) == (8.0, 7.0)
    assert fresh.impl is kernels._PLAIN
    assert kernels.climb_descent(z, threshold=3.0) == (8.0, 7.0)
    assert fresh.impl is not kernels._PLAIN and fresh.impl.climb_descent is not kernels._PLAIN.climb_descent


def test_kernels_fall_back_to_numpy_when_numba_fails(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Any:
        raise ModuleNotFoundError("No module named 'numba'")

    fresh = kernels._Tier()
    monkeypatch.setattr(kernels, "_TIER", fresh)
    monkeypatch.setattr(kernels, "_jit", broken)
    kernels.warm()
    assert fresh.impl is kernels._PLAIN and fresh.failed
    assert "numba" in caplog.text
    z = np.array([1.0, 9.0, 2.0])
    assert kernels.climb_descent(z, threshold=3.0) == (8.0, 7.0)
    assert fresh.calls == 0  # no further attempt


def test_kernels_on_mock_paths(tier: Any, mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    costs = edge_costs(cn, CostOptions("walk"))
    nodes = np.flatnonzero(cn.node_comp == cn.main_component)
    for a in nodes.tolist():
        for b in nodes.tolist():
            legs = route_legs(cn, [(a,), (b,)], costs) if a != b else None
            if legs is not None:
                _check(tier, cn, np.concatenate(legs).astype(np.int64))


def test_kernels_on_real_routes(tier: Any, real_build_dir: Path) -> None:
    cn = load_compiled(real_build_dir)
    costs = edge_costs(cn, CostOptions("bike"))
    rng = np.random.default_rng(7)
    nodes = np.flatnonzero(cn.node_comp == cn.main_component)
    for a, b in rng.choice(nodes, size=(60, 2)).tolist():
        legs = route_legs(cn, [(a,), (b,)], costs) if a != b else None
        if legs is not None:
            _check(tier, cn, np.concatenate(legs).astype(np.int64))


def test_a_one_shot_route_does_not_load_numba(mock_build_dir: Path) -> None:
    """A fresh process answering a few routes stays on numpy: numba is not even imported."""
    code = (
        "import sys, numpy as np\n"
        "from routing import CostOptions, edge_costs, load_compiled, route_legs\n"
        "from routing.itinerary import build_itinerary\n"
        f"cn = load_compiled({str(mock_build_dir)!r})\n"
        "a, b = np.flatnonzero(cn.node_comp == cn.main_component)[[0, -1]].tolist()\n"
        "for _ in range(20):\n"
        "    legs = route_legs(cn, [(a,), (b,)], edge_costs(cn, CostOptions('walk')))\n"
        "    it = build_itinerary(cn, np.concatenate(legs))\n"
        "print(it.distance_m > 0, 'numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.split() == ["True", "False"]

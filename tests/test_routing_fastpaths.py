"""The fast paths of the routing core give exactly what the plain computations give: nearest node
(grid vs KD-tree), inside the perimeter (cells vs shapely), French numbers, profile decimation
and the sliding-window grade (compiled kernel, masks when unsorted); more kernels in
``test_routing_kernels.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance, fr_number
from routing.itinerary import _decimate, window_grade
from routing.places import _main_tree, inside_perimeter, nearest_node


def test_nearest_node_is_the_kd_tree_answer(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    tree, nodes = _main_tree(cn)
    rng = np.random.default_rng(0)
    lo, hi = tree.data.min(axis=0) - 3000, tree.data.max(axis=0) + 3000
    pts = np.vstack([rng.uniform(lo, hi, size=(3000, 2)), tree.data, tree.data + rng.normal(0, 40, tree.data.shape)])
    dist, idx = tree.query(pts)
    for (x, y), d, i in zip(pts.tolist(), dist.tolist(), idx.tolist(), strict=True):
        assert nearest_node(cn, x, y) == (d, int(nodes[i]))


def test_inside_perimeter_is_contains_xy(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    x0, y0, x1, y1 = shapely.bounds(cn.perimeter).tolist()
    rng = np.random.default_rng(1)
    edge = shapely.get_coordinates(cn.perimeter.boundary)
    xs = np.concatenate([rng.uniform(x0 - 500, x1 + 500, 5000), edge[:, 0], edge[:, 0] + 1e-7, [np.nan, np.inf, x0]])
    ys = np.concatenate([rng.uniform(y0 - 500, y1 + 500, 5000), edge[:, 1], edge[:, 1] - 1e-7, [y0, 0.0, np.nan]])
    expected = shapely.contains_xy(cn.perimeter, xs, ys).tolist()
    assert [inside_perimeter(cn, x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)] == expected


def _fr_number_plain(value: float, decimals: int = 1) -> str:
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\u202f").replace(".", ",")


def test_french_numbers_fast_path() -> None:
    rng = np.random.default_rng(2)
    values = [0.0, -0.0, -0.04, 0.05, 998.95, 998.96, 999.0, 999.04, 999.95, -998.96, -999.0, 9.996, 994.9, 995.0,
              math.nan, math.inf, -math.inf, *rng.uniform(-2000, 2000, 3000).tolist(), *range(-1100, 1100)]
    for v in values:
        for d in (0, 1, 2):
            assert fr_number(v, d) == _fr_number_plain(v, d), (v, d)
    assert [fr_distance(m) for m in (4.2, 247, 994.9, 995, 3240, 152000)] == ["4 m", "250 m", "990 m", "1 km", "3,2 km", "152 km"]


@pytest.mark.parametrize("size", [2, 499, 500, 501, 777, 1234, 20000])
def test_decimation_is_linspace(size: int) -> None:
    d, z = np.arange(size, dtype=float) * 2.5, np.sin(np.arange(size))
    keep = np.linspace(0, size - 1, 500).round().astype(np.int64) if size > 500 else np.arange(size)
    assert np.array_equal(_decimate(d, z), np.column_stack([d[keep], z[keep]]))


def _window_grade_plain(d: np.ndarray, z: np.ndarray, window: float) -> float:
    if float(d[-1] - d[0]) <= window:
        return max(float(z[-1] - z[0]) / window, 0.0)
    head, tail = d <= d[-1] - window, d >= d[0] + window
    rise_head = np.interp(d[head] + window, d, z) - z[head]
    rise_tail = z[tail] - np.interp(d[tail] - window, d, z)
    return max(float(rise_head.max(initial=0.0)), float(rise_tail.max(initial=0.0)), 0.0) / window


@pytest.mark.parametrize("seed", range(5))
def test_profile_figures(seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = np.round(rng.normal(0, 3, 800).cumsum(), 1)  # plateaus included
    d = np.cumsum(rng.uniform(0, 30, 800))
    for window in (50.0, 100.0, 1e6):
        assert window_grade(d, z, window=window) == _window_grade_plain(d, z, window)
    shuffled = d.copy()
    shuffled[100], shuffled[101] = shuffled[101] + 1, shuffled[100]  # unsorted: the masks are used
    assert window_grade(shuffled, z, window=100.0) == _window_grade_plain(shuffled, z, 100.0)

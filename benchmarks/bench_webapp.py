"""The web app on the real build: server-side latency, and gunicorn throughput on the loopback.

Targets
-------
- ``/api/route``: p95 ≤ 100 ms per request, server side (Flask test client, no network), over
  seeded random pairs of park units and communes;
- the full planner page (route, Folium map, chart, directions): p95 ≤ 300 ms;
- gunicorn (``--preload``, :data:`WORKERS` workers, 127.0.0.1 on a free port) under a bounded load
  of :data:`REQUESTS` route requests from :data:`THREADS` client threads (capped at
  :data:`TIME_CAP_S`): ≥ 50 requests/s and no error.

The load only ever targets 127.0.0.1, is bounded in count and time, and the gunicorn process it
starts is stopped by its own pid.
"""

from __future__ import annotations

import http.client
import logging
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import pct, verdict

from parcs import paths

SEED = 20240611
API_SAMPLES = 120
PAGE_SAMPLES = 40
WORKERS = 3
THREADS = 8
REQUESTS = 1000
TIME_CAP_S = 60.0
STARTUP_TIMEOUT_S = 120.0
HOST = "127.0.0.1"


def _pairs(app: object, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Random (origin, destination) pairs among park units and communes."""
    catalog = app.extensions["parcs"].catalog  # type: ignore[attr-defined]
    places = [p.id for p in catalog.parks] + [c.nom for c in catalog.communes if c.nom]
    out: list[tuple[str, str]] = []
    while len(out) < count:
        a, b = rng.sample(places, 2)
        out.append((a, b))
    return out


def _timed(client: object, url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    return 1000 * (time.perf_counter() - t0), int(response.status_code)


def server_side(build: Path) -> tuple[bool, list[str]]:
    """Latency of ``/api/route`` and of the planner page in-process; the URLs that answered 200."""
    from webapp import create_app

    t0 = time.perf_counter()
    app = create_app({"BUILD_DIR": build})
    print(f"  app start-up (load + catalogue): {time.perf_counter() - t0:.2f} s")
    client = app.test_client()
    rng = random.Random(SEED)
    pairs = _pairs(app, API_SAMPLES + PAGE_SAMPLES, rng)
    for a, b in pairs[:5]:  # warm the caches (cost vectors, CSR matrices)
        client.get("/api/route?" + urlencode({"from": a, "to": b}))
    api_ms: list[float] = []
    ok_urls: list[str] = []
    statuses: dict[int, int] = {}
    for a, b in pairs[:API_SAMPLES]:
        profile = rng.choice(["walk", "bike", "family"])
        url = "/api/route?" + urlencode({"from": a, "to": b, "profile": profile})
        ms, status = _timed(client, url)
        api_ms.append(ms)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            ok_urls.append(url)
    page_ms = []
    for a, b in pairs[API_SAMPLES:]:
        ms, status = _timed(client, "/?" + urlencode({"from": a, "to": b}))
        page_ms.append(ms)
        statuses[status] = statuses.get(status, 0) + 1
    empty_ms = [_timed(client, "/")[0] for _ in range(10)]
    print(f"  answers by status: {dict(sorted(statuses.items()))} (4xx: places not joined)")
    print(f"  /api/route    p50 {pct(api_ms, 50):6.1f} ms  p95 {pct(api_ms, 95):6.1f} ms  "
          f"max {max(api_ms):6.1f} ms  ({len(api_ms)} requests)")
    print(f"  planner page  p50 {pct(page_ms, 50):6.1f} ms  p95 {pct(page_ms, 95):6.1f} ms  "
          f"max {max(page_ms):6.1f} ms  ({len(page_ms)} requests)")
    print(f"  empty planner p50 {pct(empty_ms, 50):6.1f} ms")
    ok = verdict("/api/route p95 (ms)", pct(api_ms, 95), 100.0, unit="ms")
    ok &= verdict("planner page p95 (ms)", pct(page_ms, 95), 300.0, unit="ms")
    return ok, ok_urls


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _get(port: int, url: str, timeout: float = 30.0) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        response.read()
        return int(response.status)
    finally:
        conn.close()


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if _get(port, "/api/health", timeout=2.0) == 200:
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def _load(port: int, urls: list[str]) -> tuple[int, int, float, list[float]]:
    """Fire the bounded load; returns (done, errors, seconds, latencies in ms)."""
    jobs: queue.SimpleQueue[str] = queue.SimpleQueue()
    rng = random.Random(SEED + 1)
    for _ in range(REQUESTS):
        jobs.put(rng.choice(urls))
    lock = threading.Lock()
    stats = {"done": 0, "errors": 0}
    latencies: list[float] = []
    deadline = time.monotonic() + TIME_CAP_S

    def worker() -> None:
        while time.monotonic() < deadline:
            try:
                url = jobs.get_nowait()
            except queue.Empty:
                return
            t0 = time.perf_counter()
            try:
                good = _get(port, url) == 200
            except OSError:
                good = False
            ms = 1000 * (time.perf_counter() - t0)
            with lock:
                stats["done"] += 1
                stats["errors"] += 0 if good else 1
                latencies.append(ms)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=TIME_CAP_S + 30)
    return stats["done"], stats["errors"], time.perf_counter() - t0, latencies


def throughput(build: Path, urls: list[str]) -> bool:
    """Start gunicorn on the loopback, load it, stop it."""
    if not urls:
        print("  no successful route to replay")
        return False
    port = _free_port()
    env = {**os.environ, "PARCS_BUILD_DIR": str(build)}
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"{HOST}:{port}",
           "--preload", "--log-level", "warning", "webapp:create_app()"]
    proc = subprocess.Popen(cmd, env=env, cwd=Path(__file__).resolve().parent.parent)
    try:
        t0 = time.perf_counter()
        if not _wait_ready(port, proc):
            print("  gunicorn did not become ready")
            return False
        print(f"  gunicorn ready in {time.perf_counter() - t0:.1f} s "
              f"({WORKERS} workers, --preload, {HOST}:{port})")
        for url in urls[:2 * WORKERS]:  # warm every worker's caches a little
            _get(port, url)
        done, errors, seconds, latencies = _load(port, urls)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    rate = done / seconds if seconds > 0 else 0.0
    print(f"  {done} route requests over {THREADS} threads in {seconds:.1f} s: {rate:.1f} req/s, "
          f"{errors} errors, latency p50 {pct(latencies, 50):.0f} ms p95 {pct(latencies, 95):.0f} ms")
    ok = verdict("gunicorn route throughput (req/s)", rate, 50.0, unit="req/s",
                 lower_is_better=False)
    ok &= verdict("errors under load", float(errors), 0.0, unit="")
    ok &= verdict("requests completed", float(done), float(REQUESTS), unit="",
                  lower_is_better=False)
    return ok


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        print(f"  no build in {build}: run `make data` first")
        return 1
    ok, urls = server_side(build)
    ok &= throughput(build, urls)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

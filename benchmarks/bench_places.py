"""``/api/places`` on the real build: server time of the ranked autocomplete over the whole catalogue.

Targets
-------
- p95 ≤ 5 ms per request, server side (Flask test client, no network; the CPU time of the thread
  serving the request, so that the other processes of a shared machine do not count — the wall
  time is printed beside it), over queries drawn from
  *every* entry of the gazetteer (each park unit, commune, station and POI): the first 1, 2, 4
  and 7 characters of its name, its whole name, its id, and its name with one letter dropped (a
  typo, answered by the closest spellings), in a seeded shuffled order;
- a 10,000-character ``q`` is refused (400) in ≤ 5 ms (no scan).

Reference measured in the same run: ``/api/health`` (the app's per-request overhead, no search),
printed beside the figures, wall and CPU.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import pct, verdict

from parcs import paths

SEED = 20261202
TARGET_P95_MS = 5.0
WARM_UP = 50


def queries(entries: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """``(kind, text)`` queries from every ``(name, id)`` entry (kinds: prefix, name, id, typo)."""
    out: list[tuple[str, str]] = []
    for name, pid in entries:
        for n in (1, 2, 4, 7):
            if len(name) > n:
                out.append(("prefix", name[:n]))
        out.append(("name", name))
        out.append(("id", pid))
        if len(name) > 4:
            k = rng.randrange(1, len(name) - 1)
            out.append(("typo", name[:k] + name[k + 1:]))
    rng.shuffle(out)
    return out


def _timed(client: object, url: str) -> tuple[float, float, int]:
    """CPU ms of this thread, wall ms and status of one request."""
    c0, t0 = time.thread_time(), time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    return 1000 * (time.thread_time() - c0), 1000 * (time.perf_counter() - t0), int(response.status_code)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        print(f"  no build in {build}: run `make data` first")
        return 1
    from routing.gazetteer import gazetteer
    from webapp import create_app

    app = create_app({"BUILD_DIR": build})
    network = app.extensions["parcs"].network
    g = gazetteer(network)
    entries = [(e.name, e.id) for e in g.entries]
    qs = queries(entries, random.Random(SEED))
    client = app.test_client()
    for _kind, text in qs[:WARM_UP]:
        client.get("/api/places?" + urlencode({"q": text}))
    health = [_timed(client, "/api/health") for _ in range(200)]
    times: dict[str, list[float]] = {}
    every: list[float] = []
    wall: list[float] = []
    for kind, text in qs:
        cpu, ms, status = _timed(client, "/api/places?" + urlencode({"q": text}))
        if status != 200:
            print(f"  {text!r} answered {status}")
            return 1
        times.setdefault(kind, []).append(cpu)
        every.append(cpu)
        wall.append(ms)
    print(f"  catalogue: {len(entries)} places ({sum(e.kind == 'poi' and e.category == 'station' for e in g.entries)} "
          f"stations); {len(every)} queries")
    print(f"  reference /api/health p95: CPU {pct([h[0] for h in health], 95):.2f} ms, "
          f"wall {pct([h[1] for h in health], 95):.2f} ms")
    print(f"  /api/places wall time: p50 {pct(wall, 50):.2f} ms, p95 {pct(wall, 95):.2f} ms (machine load included)")
    for kind, values in sorted(times.items()):
        print(f"  CPU {kind:7s} n={len(values):5d}  p50 {pct(values, 50):6.2f}  p95 {pct(values, 95):6.2f}  "
              f"max {max(values):6.2f} ms")
    ok = verdict("/api/places p95, CPU (every query)", pct(every, 95), TARGET_P95_MS, unit="ms")
    long_q = [_timed(client, "/api/places?" + urlencode({"q": "x" * 10_000})) for _ in range(20)]
    if any(status != 400 for _c, _ms, status in long_q):
        print("  a 10,000-character q was not refused with 400")
        return 1
    ok &= verdict("10,000-character q refused, p95 CPU", pct([c for c, _ms, _s in long_q], 95), TARGET_P95_MS,
                  unit="ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

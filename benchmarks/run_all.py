"""Run every ``benchmarks/bench_*.py`` in its own process (so peak memory is per benchmark).

Each benchmark prints its figures and exits 0 when its targets are met, 1 otherwise. Among them
``bench_load.py`` serves the real build with gunicorn (2 workers, loopback) for 60 s of mixed
route and loop requests.
``make bench`` fails if any benchmark misses its target.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    only = set(sys.argv[1:])
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        if only and script.stem not in only and script.stem.removeprefix("bench_") not in only:
            continue
        print(f"=== {script.stem}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=here.parent)
        print(f"=== {script.stem}: exit {rc} in {time.perf_counter() - t0:.1f} s\n", flush=True)
        if rc != 0:
            failed.append(script.stem)
    if failed:
        print("targets missed: " + ", ".join(failed))
        return 1
    print("all benchmark targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

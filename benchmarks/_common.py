"""Helpers shared by the benchmarks: percentiles, peak memory of a child process, a table."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np


def pct(values: list[float] | np.ndarray, q: float) -> float:
    """The q-th percentile of ``values`` (ms in, ms out)."""
    return float(np.percentile(np.asarray(values, dtype=float), q))


def run_measured(code: str) -> tuple[dict, float]:
    """Run Python ``code`` in a child process; return its ``RESULT`` dict and its peak RSS (MiB).

    ``code`` must assign a JSON-serialisable dict to ``RESULT``. The child measures its own peak
    resident memory (``ru_maxrss``), so each measurement is independent of the others.
    """
    wrapper = (
        code
        + "\nimport json as _j, resource as _r\n"
        + "RESULT['_peak_kib'] = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss\n"
        + "print(_j.dumps(RESULT))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result, result.pop("_peak_kib") / 1024.0


def verdict(name: str, value: float, target: float, *, unit: str, lower_is_better: bool = True) -> bool:
    """Print one target line and return whether it is met."""
    ok = value <= target if lower_is_better else value >= target
    sign = "≤" if lower_is_better else "≥"
    print(f"  {name:44s} {value:10.2f} {unit:5s} target {sign} {target:g} {unit}  {'OK' if ok else 'MISSED'}")
    return ok

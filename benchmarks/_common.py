"""Helpers shared by the benchmarks: percentiles, peak memory of a child process, a table."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import numpy as np


def pct(values: list[float] | np.ndarray, q: float) -> float:
    """The q-th percentile of ``values`` (ms in, ms out)."""
    return float(np.percentile(np.asarray(values, dtype=float), q))


def run_measured(code: str) -> tuple[dict, float]:
    """Run Python ``code`` in a child process; return its JSON stdout and its peak RSS in MiB.

    The child must print one JSON object as its last line.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kib <= before:  # ru_maxrss of children is the max over all children so far
        peak_kib = before
    return json.loads(out.stdout.strip().splitlines()[-1]), peak_kib / 1024.0


def verdict(name: str, value: float, target: float, *, unit: str, lower_is_better: bool = True) -> bool:
    """Print one target line and return whether it is met."""
    ok = value <= target if lower_is_better else value >= target
    sign = "≤" if lower_is_better else "≥"
    print(f"  {name:44s} {value:10.2f} {unit:5s} target {sign} {target:g} {unit}  {'OK' if ok else 'MISSED'}")
    return ok

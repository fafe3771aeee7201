"""A seeded slice of the Routino peer benchmark (``benchmarks/bench_routino.py``): 10 pairs on Krems.

Routino is a Debian package that ``make test`` installs (``make routino``), as ``make bench`` does:
when it is missing this test fails, it is not skipped. Pure shortest walking distances, both
engines from and to the same network nodes; the benchmark runs 100 pairs on three extracts.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from routing import compile_network

pytestmark = pytest.mark.realdata

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_routino.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_routino", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_routino"] = module
    spec.loader.exec_module(module)
    return module


def test_krems_slice_against_routino(krems_net: Any, tmp_path: Path) -> None:
    bench = _bench()
    bench.routino_binaries()  # FileNotFoundError naming the package when Routino is missing
    cn = compile_network(krems_net)
    db = bench.routino_db(bench.extract_path("krems"), tmp_path)
    pairs = bench.pick_pairs(cn, 10, bench.SEED)
    results = bench.compare(cn, db, pairs)
    assert all(r.peer is not None and np.isfinite(r.ours) for r in results)  # both find a route
    within = sum(r.within for r in results)
    assert within >= 9, [(round(r.ours), round(r.peer or 0)) for r in results]
    # the pairs are at least 150 m apart as the crow flies: so is each engine's route
    assert all(r.ours >= bench.MIN_APART_M and (r.peer or 0) >= bench.MIN_APART_M for r in results)

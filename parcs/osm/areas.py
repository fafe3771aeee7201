"""Pedestrian areas (``highway=pedestrian`` or ``footway`` + ``area=yes``): walkable along and across.

A pedestrian area (a square, Helsinki's Keskuskatu, way 282019292) is drawn as a closed way.
Its outline is kept as ordinary edges (walkers may follow it); to cross it, the build joins every
pair of its *entries* — the outline's nodes where another way of the network arrives — by a
straight edge, whenever that segment lies inside the polygon (a concave square is not cut
across its hollow). This is the *entry mesh*: a visibility graph restricted to the entries, which
gives the straight crossing a walker takes between two streets meeting the square, without a
full visibility mesh of every outline vertex. The crossing edges take the area's tags (kind
``path``, its name and surface, its access); lengths are straight-line. Areas drawn as
multipolygon relations are not meshed (their outlines are not ways of the network).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import networkx as nx
import shapely
from shapely.geometry import LineString, Polygon

#: Tolerance (degrees, about 1 cm) of "inside the polygon" for a crossing segment.
INSIDE_TOL_DEG = 1e-7


def ring_of(edges: list[tuple[Any, Any]]) -> list[Any] | None:
    """The node sequence of a closed ring from its (directed) edges; None if not one ring."""
    und = nx.Graph()
    und.add_edges_from(edges)
    cycles = nx.cycle_basis(und)
    return cycles[0] if len(cycles) == 1 and len(cycles[0]) >= 3 else None


def _geodesic_m(a: dict[str, Any], b: dict[str, Any]) -> float:
    p1, p2 = math.radians(a["y"]), math.radians(b["y"])
    dp, dl = p2 - p1, math.radians(b["x"] - a["x"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_009.0 * math.asin(math.sqrt(min(h, 1.0)))


def crossing_pairs(
    xy: Sequence[tuple[float, float]], entries: Sequence[int], joined: Callable[[int, int], bool]
) -> list[tuple[int, int]]:
    """The entry mesh of one area (shared by the osmnx and the streamed builds).

    ``xy``: WGS84 coordinates of the ring's nodes in order; ``entries``: positions in the ring of
    its entries, in ring order; ``joined(i, j)``: whether entries ``i`` and ``j`` (positions) are
    already joined by an edge. Returns the pairs of positions to join by a crossing.
    """
    poly = Polygon(xy)
    if not poly.is_valid or poly.area <= 0:
        return []
    zone = poly.buffer(INSIDE_TOL_DEG)
    shapely.prepare(zone)
    return [
        (i, j) for i, j in itertools.combinations(entries, 2)
        if not joined(i, j) and zone.covers(LineString([xy[i], xy[j]]))
    ]


def _crossings(G: nx.MultiDiGraph, ring: list[Any], template: dict[str, Any]) -> int:  # noqa: N803
    """Add the entry mesh of one area; return the number of crossing edge pairs."""
    own = set(ring)
    entries = [
        i for i, n in enumerate(ring)
        if any(nb not in own for nb in (*G.successors(n), *G.predecessors(n)))
    ]
    xy = [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ring]
    pairs = crossing_pairs(
        xy, entries, lambda i, j: G.has_edge(ring[i], ring[j]) or G.has_edge(ring[j], ring[i])
    )
    for i, j in pairs:
        a, b = ring[i], ring[j]
        pa, pb = G.nodes[a], G.nodes[b]
        data = dict(template, length=_geodesic_m(pa, pb), oneway=False, reversed=False)
        G.add_edge(a, b, **data)
        G.add_edge(b, a, **dict(data, reversed=True))
    return len(pairs)


def mesh_pedestrian_areas(G: nx.MultiDiGraph) -> dict[str, int]:  # noqa: N803
    """Add the crossing edges of every pedestrian area (in place; see the module doc).

    Expects the classified raw graph (WGS84 ``x``/``y``, edges flagged ``_area`` by
    :func:`parcs.osm.graph.classify_graph`).

    Returns
    -------
    dict
        ``pedestrian_areas`` (areas meshed) and ``area_crossings`` (crossing edge pairs).
    """
    by_way: dict[Any, list[tuple[Any, Any]]] = {}
    template: dict[Any, dict[str, Any]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("_area") and d.get("foot_ok"):
            by_way.setdefault(d["osmid"], []).append((u, v))
            template.setdefault(d["osmid"], d)
    areas = crossings = 0
    for osmid, edges in by_way.items():
        ring = ring_of(edges)
        if ring is None:
            continue
        areas += 1
        crossings += _crossings(G, ring, template[osmid])
    return {"pedestrian_areas": areas, "area_crossings": crossings}

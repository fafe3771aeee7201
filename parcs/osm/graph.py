"""From osmnx's raw OSM graph to the planner's network contract (:mod:`parcs.schema`).

The raw graph (unsimplified, one-way streets in their traffic direction only, edges carrying the
tags of :data:`parcs.osm.tags.USEFUL_TAGS_WAY`) is, in order: cut to the area polygon; rid of
ways :func:`~parcs.osm.tags.keep_way` refuses; completed with the edge *against* the traffic of
each one-way way (walkers walk both ways, contraflow cyclists ride them); classified edge by edge
(``kind``, ``name``, ``surface``, ``status``, ``source``, ``route_refs``, ``foot_ok``,
``bike_ok``, ``bike_push``, ``major``, with the country's access defaults); barrier nodes that
block a mode split (:mod:`parcs.osm.barriers`); pedestrian areas meshed
(:mod:`parcs.osm.areas`); simplified by osmnx, keeping a node wherever the kind, name, surface,
route or access changes (so these stay single values on every edge; ``foot_ok``/``bike_ok`` of
a merged edge are the *and* of its parts). Every connected piece is kept (their count and the
usable length are in the metadata). Then given a straight geometry where osmnx leaves none, and
WGS84 ``lon``/``lat`` on the nodes; projected.

Projection: Lambert-93 (EPSG:2154, as the open-data build) when the area lies in France and in
Lambert-93's domain, else the WGS84 UTM zone of the area's centre (Helsinki: EPSG:32635,
Andorra: EPSG:32631, Krems: EPSG:32633).
``G.graph["crs"]`` is always the ``"EPSG:<code>"`` string.
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from parcs._errors import BuildError
from parcs.osm.access import NODE_TAGS, country_of
from parcs.osm.tags import (
    USEFUL_TAGS_WAY,
    RouteMembership,
    access_signature,
    bike_push,
    display_name,
    edge_access,
    is_area,
    is_major,
    keep_way,
    surface_class,
    way_kind,
    way_layer,
)

logger = logging.getLogger(__name__)

#: Edge attributes kept from the raw tags (besides the schema's and the access flags).
KEPT_RAW = ("osmid", "highway", "oneway", "reversed", "length")
#: A node stays an endpoint where one of these differs between its edges.
DIFFER = ("kind", "name", "surface", "status", "route_refs", "source", "_acc")
#: Canal proximity that makes a path a towpath: distance (m) and share of the edge's length.
TOWPATH_DISTANCE_M = 30.0
TOWPATH_SHARE = 0.75


@contextlib.contextmanager
def osmnx_settings(**overrides: Any) -> Iterator[None]:
    """Set ``osmnx.settings`` values for the block, and restore them afterwards (even on error).

    ``useful_tags_way`` defaults to :data:`USEFUL_TAGS_WAY`, ``useful_tags_node`` to
    :data:`parcs.osm.access.NODE_TAGS` (barriers). osmnx's HTTP layer also replaces
    ``socket.getaddrinfo`` to pin the Overpass server's address; it is restored too. This is
    process-wide state: do not run two builds at once in threads of one process.
    """
    values = {"useful_tags_way": list(USEFUL_TAGS_WAY), "useful_tags_node": list(NODE_TAGS), **overrides}
    saved = {name: getattr(ox.settings, name) for name in values}
    getaddrinfo = socket.getaddrinfo
    try:
        for name, value in values.items():
            setattr(ox.settings, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)
        socket.getaddrinfo = getaddrinfo


def choose_crs(area_wgs84: BaseGeometry, *, country: str | None = None) -> str:
    """``"EPSG:2154"`` for an area in France inside Lambert-93's domain, else the WGS84 UTM zone
    of the area's centre (as osmnx's ``project_graph`` chooses).

    ``country`` (ISO 3166 alpha-2) defaults to :func:`parcs.osm.access.country_of` the area: an
    extract in the Pyrenees or in Belgium lies inside Lambert-93's rectangle but is not in France.

    >>> from shapely.geometry import box
    >>> choose_crs(box(2.5, 50.4, 2.9, 50.6)), choose_crs(box(24.93, 60.16, 24.95, 60.18))
    ('EPSG:2154', 'EPSG:32635')
    >>> choose_crs(box(1.41, 42.43, 1.78, 42.66)), choose_crs(box(15.55, 48.38, 15.64, 48.43))
    ('EPSG:32631', 'EPSG:32633')
    """
    if country is None:
        country = country_of(area_wgs84.bounds)
    aou = CRS.from_epsg(2154).area_of_use
    w, s, e, n = area_wgs84.bounds
    inside = aou is not None and aou.west <= w and e <= aou.east and aou.south <= s and n <= aou.north
    if inside and country == "FR":
        return "EPSG:2154"
    c = area_wgs84.centroid
    zone = min(math.floor((c.x + 180.0) / 6.0) + 1, 60)
    return f"EPSG:{(32600 if c.y >= 0 else 32700) + zone}"


def query_polygon(area_wgs84: BaseGeometry, *, buffer_m: float = 100.0) -> BaseGeometry:
    """The area buffered by ``buffer_m`` and simplified (fewer vertices in Overpass queries)."""
    crs = choose_crs(area_wgs84)
    proj = gpd.GeoSeries([area_wgs84], crs="EPSG:4326").to_crs(crs)
    grown = proj.buffer(buffer_m).simplify(buffer_m / 2)
    return grown.to_crs("EPSG:4326").iloc[0]


def cut(G: nx.MultiDiGraph, polygon: BaseGeometry) -> nx.MultiDiGraph:  # noqa: N803
    """Remove, in place, the raw graph's nodes outside ``polygon`` (WGS84); keep only ``x``/``y``
    and the barrier tags (:data:`parcs.osm.access.NODE_TAGS`).

    Same rule as :func:`osmnx.truncate.truncate_graph_polygon` (nodes on the boundary stay) without
    its copy of the graph, which matters for a regional extract. Returns ``G``.

    Raises
    ------
    BuildError
        When no node lies inside.
    """
    ids = list(G.nodes)
    x = np.fromiter((d["x"] for _, d in G.nodes(data=True)), dtype=float, count=len(ids))
    y = np.fromiter((d["y"] for _, d in G.nodes(data=True)), dtype=float, count=len(ids))
    shapely.prepare(polygon)
    inside = shapely.intersects_xy(polygon, x, y)
    if not inside.any():
        raise BuildError("no node of the OSM network lies inside the area")
    G.remove_nodes_from([n for n, ok in zip(ids, inside.tolist(), strict=True) if not ok])
    for _, d in G.nodes(data=True):
        keep = {k: d[k] for k in ("x", "y", *NODE_TAGS) if k in d and d[k] == d[k]}
        d.clear()
        d.update(keep)
    return G


def _add_against_edges(G: nx.MultiDiGraph) -> int:  # noqa: N803
    """Add, for every one-way edge, the edge against the traffic (in place); return how many.

    The contract wants both directions of every way; ``foot_ok``/``bike_ok`` of the added edge
    say who may use it (both False on, e.g., a one-way cycle track closed to walkers).
    """
    added = [
        (v, u, dict(d, reversed=True, _against=True))
        for u, v, d in G.edges(data=True)
        if d.get("oneway") is True and not d.get("_against")
    ]
    G.add_edges_from(added)
    return len(added)


def _classify(
    d: dict[str, Any], routes: Mapping[int, RouteMembership], country: str | None
) -> dict[str, Any]:
    membership = routes.get(int(d["osmid"]))
    foot, bike = edge_access(
        d, oneway=bool(d.get("oneway")), reversed_=bool(d.get("reversed")),
        against=bool(d.get("_against")), country=country,
    )
    out = {k: d[k] for k in KEPT_RAW if k in d}
    out.update(
        kind=way_kind(d, membership),
        name=display_name(d),
        surface=surface_class(d),
        status="built",
        source="osm",
        route_refs=";".join(membership.refs) if membership else "",
        foot_ok=foot,
        bike_ok=bike,
        bike_push=bike and bike_push(d, country=country),
        major=is_major(d),
        _area=is_area(d),
        layer=way_layer(d),
        _acc=access_signature(d, country=country) + ("1" if d.get("oneway") else "0"),
    )
    return out


def classify_graph(
    G: nx.MultiDiGraph,  # noqa: N803
    *,
    routes: Mapping[int, RouteMembership],
    country: str | None = None,
) -> dict[str, int]:
    """Drop refused ways, add the against-traffic edges and classify every edge (in place).

    ``country`` (ISO 3166 alpha-2) selects the access defaults of untagged ways
    (:mod:`parcs.osm.access`). Returns counts for the metadata.
    """
    kept: dict[int, bool] = {}
    refused = [
        (u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
        if not kept.setdefault(d["osmid"], keep_way(d, country=country))
    ]
    G.remove_edges_from(refused)
    against = _add_against_edges(G)
    # the edges of one way share its tags: classify each way and direction once
    done: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _, _, d in G.edges(data=True):
        key = (d["osmid"], bool(d.get("oneway")), bool(d.get("reversed")), bool(d.get("_against")))
        if key not in done:
            done[key] = _classify(d, routes, country)
        length = d["length"]
        d.clear()
        d.update(done[key], length=length)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    return {"edges_refused": len(refused), "edges_against_traffic": against}


def _normalise(G: nx.MultiDiGraph) -> None:  # noqa: N803
    """After simplification: one ``reversed``/``oneway`` value per edge, no helper attributes."""
    for u, v, d in G.edges(data=True):
        for key in ("_acc", "_against", "_area"):
            d.pop(key, None)
        if isinstance(d.get("reversed"), list):
            # a chain of ways drawn head to head: one direction of the pair is the "forward" one
            d["reversed"] = bool(u > v)
        if isinstance(d.get("oneway"), list):
            d["oneway"] = any(d["oneway"])
        if isinstance(d.get("layer"), list):  # ways merged across layers: the farthest from the ground
            d["layer"] = max(d["layer"], key=abs)
        for key in ("foot_ok", "bike_ok", "bike_push", "major"):
            d[key] = bool(d[key])


def usable_km(G: nx.MultiDiGraph) -> float:  # noqa: N803
    """Kilometres of ways in a graph holding both directions of every way (half its edge length)."""
    return float(sum(d["length"] for _, _, d in G.edges(data=True))) / 2000.0


def simplify(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, Any]]:  # noqa: N803
    """osmnx's simplification of ``G`` (see the module doc) and counts for the metadata.

    Every connected piece is kept (a town the data leaves unconnected to the rest is still
    routable within itself); ``components`` counts them and ``km_usable`` is the length of the
    ways walkers or cyclists may use, to compare with the final network's ``km_kept``.
    """
    km = usable_km(G)
    out = ox.simplify_graph(
        G,
        edge_attrs_differ=list(DIFFER),
        edge_attr_aggs={"length": sum, "foot_ok": all, "bike_ok": all, "bike_push": any, "major": any},
    )
    _normalise(out)
    comps = nx.number_weakly_connected_components(out)
    return out, {"components": comps, "km_usable": round(km, 3)}


def finish_geometry(G: nx.MultiDiGraph, *, crs: str) -> nx.MultiDiGraph:  # noqa: N803
    """Straight geometries where missing, node ``lon``/``lat``, projection to ``crs``.

    ``length`` becomes the length of the projected geometry, as in the open-data build.
    """
    for _, d in G.nodes(data=True):
        d["lon"], d["lat"] = float(d["x"]), float(d["y"])
    for u, v, d in G.edges(data=True):
        if "geometry" not in d:
            a, b = G.nodes[u], G.nodes[v]
            d["geometry"] = LineString([(a["x"], a["y"]), (b["x"], b["y"])])
    out: nx.MultiDiGraph = ox.projection.project_graph(G, to_crs=crs)
    out.graph["crs"] = crs
    for _, _, d in out.edges(data=True):
        # the contract's length is along the geometry (osmnx's is a spherical great-circle sum,
        # up to 0.3 % off at 60 degrees north)
        d["length"] = float(d["geometry"].length)
    return out


def mark_towpaths(
    G: nx.MultiDiGraph,  # noqa: N803
    canals_wgs84: Sequence[BaseGeometry],
    *,
    distance: float = TOWPATH_DISTANCE_M,
    share: float = TOWPATH_SHARE,
) -> int:
    """``kind = towpath`` for paths, tracks and voies vertes running along a canal (in place).

    An edge runs along a canal when at least ``share`` of its length lies within ``distance``
    metres of a ``waterway=canal`` line. Returns the number of edges changed.
    """
    if not canals_wgs84:
        return 0
    crs = G.graph["crs"]
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lines = [shapely.transform(g, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))) for g in canals_wgs84]
    zone = shapely.union_all(shapely.buffer(np.asarray(lines, dtype=object), distance, quad_segs=4))
    shapely.prepare(zone)
    changed = 0
    for _, _, d in G.edges(data=True):
        if d["kind"] not in {"path", "track", "voie_verte"}:
            continue
        geom = d["geometry"]
        if (
            geom.length > 0
            and shapely.intersects(zone, geom)
            and zone.intersection(geom).length >= share * geom.length
        ):
            d["kind"] = "towpath"
            changed += 1
    return changed


def add_flat_elevation(G: nx.MultiDiGraph, *, spacing: float = 25.0) -> nx.MultiDiGraph:  # noqa: N803
    """A copy with elevation 0 everywhere (no elevation model covers the area): climb and grades 0.

    The profile keeps the sampling of :func:`parcs.elevation.add_elevation` (``ceil(length /
    spacing) + 1`` samples) so that route profiles concatenate the same way.
    """
    out = G.copy()
    for _, d in out.nodes(data=True):
        d["elevation"] = 0.0
    for _, _, d in out.edges(data=True):
        n = max(math.ceil(d["geometry"].length / spacing - 1e-9), 1) + 1
        d["elevations"] = (0.0,) * n
        for key in ("climb", "descent", "grade_up", "grade_down", "grade", "grade_abs"):
            d[key] = 0.0
    out.graph["elevation"] = {"model": "none", "spacing": spacing}
    return out

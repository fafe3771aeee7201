"""Turn what a user types into a place on the network: coordinates, park unit, POI or commune.

Accepted, in this order:

1. coordinates ``"lat,lon"`` (``"50.43,2.83"``, also ``;`` or a space) or a ``(lat, lon)`` pair
   of numbers, which must lie inside the perimeter and within ``max_snap_m`` (1 km) of a way the
   profile may use: the place is the nearest point of that way (an :class:`~routing.snap.Anchor`
   splitting its edge for the query, :mod:`routing.snap`), or its node when it falls on one;
2. a park unit id (``"louvre-lens"``): the unit's access nodes, best first (a route starts or ends
   at the access node that makes it best);
3. a POI id (``"terril:T074"``, ``"station:87345025"``): the nearest point of a usable way when
   it lies nearer than the POI's node (on the same piece of the network), else that node;
4. a name, through the forgiving gazetteer (:func:`routing.gazetteer.lookup`): a commune (the
   node of the main network nearest its centroid), a park unit or a POI, insensitive to case,
   accents, punctuation and word order (``"louvre lens"``, ``"T75"``, ``"gare lens"``, ``"Loos"``).

A name that fits several places raises :class:`~parcs.AmbiguousPlaceError` with the candidates;
one that fits nothing raises :class:`~parcs.UnknownPlaceError` with close matches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Point

from parcs._errors import InvalidRequestError, OutOfAreaError
from routing import gazetteer
from routing.compiled import CompiledNetwork
from routing.costs import CostOptions, edge_costs
from routing.fmt import fr_distance
from routing.gazetteer import normalize
from routing.geo import CRS, project_point, to_projected
from routing.legs import Stop
from routing.profiles import PROFILES
from routing.snap import NODE_EPS_M, Anchor, pieces, snap

__all__ = ["MAX_SNAP_M", "Place", "normalize", "place_at", "resolve_place"]

#: Farthest a coordinate may lie from the network (m).
MAX_SNAP_M = 1000.0
#: Side of the cells of the nearest-node grid (m), and how many rings of cells are searched.
GRID_M = 250.0
GRID_RINGS = 4
#: Above this many nodes in the cells around a point (dense street networks), the KD-tree
#: answers at once.
GRID_DENSE = 200
#: Side of the cells that classify points inside or outside the perimeter (m), and the margin
#: around a cell that must lie on the same side.
COVER_M = 1000.0
COVER_MARGIN_M = 1.0
_COORD = re.compile(r"^\s*([^,;\s]+)\s*[,;\s]\s*([^,;\s]+)\s*$")


@dataclass(frozen=True)
class Place:
    """A resolved place.

    ``node`` is the node index used by default and ``candidates`` every node the place may be
    entered by (park access nodes; one node otherwise). ``snap_m`` is the straight-line distance
    from the place's point (``lon``/``lat``) to the network: to ``node``, or, for coordinates
    snapped inside an edge, to ``anchor`` (then ``node`` is the edge's end nearer along it).
    """

    kind: str
    id: str
    label: str
    lon: float
    lat: float
    node: int
    candidates: tuple[int, ...]
    snap_m: float = 0.0
    anchor: Anchor | None = None

    @property
    def stop(self) -> Stop:
        """What the searches start from or go to: the anchor, else the candidate nodes."""
        return self.anchor if self.anchor is not None else self.candidates

    def same_spot(self, other: Place) -> bool:
        """Whether two places are the same point of the network."""
        a, b = self.anchor, other.anchor
        if a is not None or b is not None:
            return a is not None and b is not None and a.edge == b.edge and abs(a.d - b.d) <= NODE_EPS_M
        return bool(set(self.candidates) & set(other.candidates))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "kind": self.kind, "id": self.id, "label": self.label,
            "lon": round(self.lon, 6), "lat": round(self.lat, 6), "snap_m": round(self.snap_m, 1),
        }

    def at(self, node: int) -> Place:
        """The same place entered by ``node`` (one of its candidates)."""
        return Place(self.kind, self.id, self.label, self.lon, self.lat, node, (node,), self.snap_m, self.anchor)


def _parse_coords(text: Any) -> tuple[float, float] | None:
    if isinstance(text, str):
        m = _COORD.match(text)
        if not m:
            return None
        parts: Sequence[Any] = m.groups()
    elif isinstance(text, (tuple, list, Sequence)) and len(text) == 2:  # tuple first: no ABC check
        parts = text
    else:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (TypeError, ValueError):
        if isinstance(text, str):
            return None
        raise InvalidRequestError(f"invalid coordinates {text!r}: expected (lat, lon) numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidRequestError(f"invalid coordinates {text!r}: not finite numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidRequestError(f"invalid coordinates {text!r}: expected 'lat,lon' in degrees")
    return lat, lon


def _main_tree(cn: CompiledNetwork) -> tuple[cKDTree, np.ndarray]:
    def make() -> tuple[cKDTree, np.ndarray]:
        nodes = np.flatnonzero(cn.node_comp == cn.main_component)
        return cKDTree(np.column_stack([cn.node_x[nodes], cn.node_y[nodes]])), nodes

    return cn.cached(("main_tree",), make)


@dataclass(frozen=True)
class _Grid:
    """The main component's nodes ``(node, x, y)`` bucketed in square cells of ``size`` metres:
    ``cells`` by cell, ``blocks`` by the 3 x 3 cells around a cell."""

    x0: float
    y0: float
    size: float
    cells: Mapping[tuple[int, int], list[tuple[int, float, float]]]
    blocks: Mapping[tuple[int, int], list[tuple[int, float, float]]]


def _grid(cn: CompiledNetwork) -> _Grid:
    def make() -> _Grid:
        _, nodes = _main_tree(cn)
        xs, ys = cn.node_x[nodes].tolist(), cn.node_y[nodes].tolist()
        x0, y0 = (min(xs), min(ys)) if xs else (0.0, 0.0)
        cells: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
        for node, x, y in zip(nodes.tolist(), xs, ys, strict=True):
            cells.setdefault((int((x - x0) // GRID_M), int((y - y0) // GRID_M)), []).append((node, x, y))
        blocks: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
        for (cx, cy), items in cells.items():
            for dx, dy in _RINGS[0] + _RINGS[1]:
                blocks.setdefault((cx + dx, cy + dy), []).extend(items)
        return _Grid(x0, y0, GRID_M, cells, blocks)

    return cn.cached(("node_grid",), make)


@dataclass(frozen=True)
class _Cover:
    """The perimeter's bounding box cut in square cells of ``size`` metres, each marked 1 when
    it lies inside the perimeter with a margin, 0 when outside with a margin, -1 otherwise."""

    bounds: tuple[float, float, float, float]
    size: float
    state: list[list[int]]


def _cover(cn: CompiledNetwork) -> _Cover:
    def make() -> _Cover:
        x0, y0, x1, y1 = shapely.bounds(cn.perimeter).tolist()
        nx, ny = max(int((x1 - x0) // COVER_M) + 1, 1), max(int((y1 - y0) // COVER_M) + 1, 1)
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        lo_x, lo_y = x0 + ix.ravel() * COVER_M, y0 + iy.ravel() * COVER_M
        m = COVER_MARGIN_M
        cells = shapely.box(lo_x - m, lo_y - m, lo_x + COVER_M + m, lo_y + COVER_M + m)
        inside = shapely.contains_properly(cn.perimeter, cells)
        outside = ~shapely.intersects(cn.perimeter, cells)  # disjoint, with the prepared geometry
        state = np.where(inside, 1, np.where(outside, 0, -1)).reshape(nx, ny)
        return _Cover((x0, y0, x1, y1), COVER_M, state.tolist())

    return cn.cached(("perimeter_cover",), make)


def inside_perimeter(cn: CompiledNetwork, x: float, y: float) -> bool:
    """``shapely.contains_xy(cn.perimeter, x, y)``, answered from :func:`_cover` away from the
    perimeter's boundary."""
    c = _cover(cn)
    x0, y0, x1, y1 = c.bounds
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return bool(shapely.contains_xy(cn.perimeter, x, y)) if math.isnan(x) or math.isnan(y) else False
    state = c.state[int((x - x0) // c.size)][int((y - y0) // c.size)]
    return state == 1 if state >= 0 else bool(shapely.contains_xy(cn.perimeter, x, y))


def _ring(k: int) -> list[tuple[int, int]]:
    """Cell offsets at Chebyshev distance ``k``."""
    return [(dx, dy) for dx in range(-k, k + 1) for dy in range(-k, k + 1) if max(abs(dx), abs(dy)) == k]


_RINGS = [_ring(k) for k in range(GRID_RINGS + 1)]


def nearest_node(cn: CompiledNetwork, x: float, y: float) -> tuple[float, int]:
    """The node of the main component nearest a projected point and its distance (m);
    ``(inf, -1)`` when the component is empty.

    The cells around the point are searched ring by ring (a node in ring ``k + 1`` is at least
    ``k`` cells away; rings 0 and 1 at once), the KD-tree beyond :data:`GRID_RINGS` rings. Same
    node and distance as ``cKDTree.query`` (no two nodes share a position).
    """
    g = _grid(cn)
    finite = math.isfinite(x) and math.isfinite(y)
    cx, cy = (int((x - g.x0) // g.size), int((y - g.y0) // g.size)) if finite else (0, 0)
    best, node = math.inf, -1
    dense = len(g.blocks.get((cx, cy), ())) > GRID_DENSE
    for k in range(1, GRID_RINGS + 1 if finite and not dense else 1):
        for dx, dy in _RINGS[k] if k > 1 else ((0, 0),):
            for n, px, py in (g.cells if k > 1 else g.blocks).get((cx + dx, cy + dy), ()):
                d2 = (x - px) * (x - px) + (y - py) * (y - py)
                if d2 < best:
                    best, node = d2, n
        if node >= 0 and best < (k * g.size) ** 2 * (1 - 1e-9):
            return math.sqrt(best), node
    tree, nodes = _main_tree(cn)
    if not nodes.size:
        return math.inf, -1
    d, i = tree.query((x, y))
    return float(d), int(nodes[int(i)])


def _edge_tree(cn: CompiledNetwork) -> tuple[shapely.STRtree, np.ndarray]:
    """STRtree over one direction of every way, and the edge index of each geometry."""

    def make() -> tuple[shapely.STRtree, np.ndarray]:
        _, first = np.unique(cn.edge_way, return_index=True)
        coords = np.column_stack([cn.geom_x, cn.geom_y])
        lines = [shapely.linestrings(coords[cn.edge_slice(int(e))]) for e in first]
        return shapely.STRtree(lines), first

    return cn.cached(("edge_tree",), make)


def network_distance(cn: CompiledNetwork, x: float, y: float) -> tuple[float, int]:
    """Distance (m) from a projected point to the nearest edge, and that edge's index."""
    if cn.n_edges == 0:
        return math.inf, -1
    tree, first = _edge_tree(cn)
    idx, dist = tree.query_nearest(Point(x, y), return_distance=True, all_matches=False)
    return float(dist[0]), int(first[int(idx[0])])


def _from_coords(cn: CompiledNetwork, lat: float, lon: float, max_snap_m: float, profile: str) -> Place:
    crs = str(cn.info.get("crs", CRS))
    x, y = project_point(lon, lat, crs=crs)
    label = f"{lat:.5f},{lon:.5f}"
    if not inside_perimeter(cn, x, y):
        out = float(cn.perimeter.distance(Point(x, y)))
        sx, sy = to_projected([lat], [lon], crs=crs)
        hint = " ; latitude et longitude inversées ?" if shapely.contains_xy(cn.perimeter, float(sx[0]), float(sy[0])) else ""
        raise OutOfAreaError(
            f"{label} est hors du périmètre du Pôle métropolitain de l'Artois "
            f"(à {fr_distance(out)} de sa limite){hint}"
        )
    costs = edge_costs(cn, CostOptions(profile))
    anchor = snap(cn, x, y, costs=costs, max_snap_m=max_snap_m)
    if anchor is None:
        dist, _ = network_distance(cn, x, y)
        if dist > max_snap_m:
            raise OutOfAreaError(
                f"{label} est à {fr_distance(dist)} du réseau de la Chaîne des parcs "
                f"(au plus {fr_distance(max_snap_m)})"
            )
        raise OutOfAreaError(
            f"aucune voie praticable {PROFILES[profile].label_fr} à moins de {fr_distance(max_snap_m)} de {label}"
        )
    place = place_at(cn, anchor, kind="coordinates", id=label, label=label, lon=lon, lat=lat)
    if place.anchor is None:  # on a node; when several nodes share the spot, the nearest-node one
        near, node = nearest_node(cn, x, y)
        labels = pieces(cn, costs)
        if node != place.node and near <= place.snap_m + NODE_EPS_M and labels[node] == labels[place.node]:
            return Place(place.kind, place.id, place.label, lon, lat, node, (node,), near)
    return place


def place_at(cn: CompiledNetwork, anchor: Anchor, *, kind: str, id: str, label: str, lon: float, lat: float) -> Place:
    """The place of a point snapped at ``anchor``: its node when it falls on one."""
    node = anchor.node(cn)
    if node >= 0:
        return Place(kind, id, label, lon, lat, node, (node,), anchor.dist_m)
    end = anchor.nearer_end(cn)
    return Place(kind, id, label, lon, lat, end, (end,), anchor.dist_m, anchor)


def _poi_place(cn: CompiledNetwork, q: Any, profile: str) -> Place:
    """A POI's place: the nearest point of a usable way when it lies nearer than the POI's node
    (and on the same piece of the network), else that node."""
    costs = edge_costs(cn, CostOptions(profile))
    anchor = snap(cn, q.x, q.y, costs=costs, max_snap_m=q.node_dist_m)
    labels = pieces(cn, costs)
    if anchor is None or anchor.dist_m >= q.node_dist_m - NODE_EPS_M or labels[cn.edge_u[anchor.edge]] != labels[q.node]:
        return Place("poi", q.id, q.name or q.id, q.lon, q.lat, q.node, (q.node,), q.node_dist_m)
    return place_at(cn, anchor, kind="poi", id=q.id, label=q.name or q.id, lon=q.lon, lat=q.lat)


def _from_table(cn: CompiledNetwork, table: str, i: int, profile: str = "walk") -> Place:
    if table == "park":
        p = cn.parks[i]
        if p.access_node < 0:
            raise OutOfAreaError(f"le parc {p.id!r} n'a aucun accès au réseau")
        return Place("park", p.id, p.name, p.lon, p.lat, p.access_node, p.access_nodes or (p.access_node,))
    if table == "poi":
        q = cn.pois[i]
        if q.node < 0:
            raise OutOfAreaError(f"le point d'intérêt {q.id!r} n'est rattaché à aucun nœud du réseau")
        return _poi_place(cn, q, profile)
    c = cn.communes[i]
    dist = math.hypot(cn.node_x[c.node] - c.x, cn.node_y[c.node] - c.y) if c.node >= 0 else math.inf
    if c.node < 0:
        raise OutOfAreaError(f"la commune {c.nom!r} n'a aucun nœud du réseau")
    return Place("commune", c.insee, c.nom, c.lon, c.lat, c.node, (c.node,), dist)


def resolve_place(cn: CompiledNetwork, text: Any, *, max_snap_m: float = MAX_SNAP_M, profile: str = "walk") -> Place:
    """Resolve a place (see the module docstring for what is accepted).

    Parameters
    ----------
    cn
        The compiled network.
    text
        ``"lat,lon"``, a ``(lat, lon)`` pair, a park unit id, a POI id, a commune name, or a
        :class:`Place` (returned as is).
    max_snap_m
        Farthest coordinates may lie from the network (metres).
    profile
        The profile the place is for: coordinates snap onto a way it may use.

    Raises
    ------
    InvalidRequestError
        Empty text, malformed or non-finite coordinates.
    OutOfAreaError
        Coordinates outside the perimeter or too far from the network (the message says how far).
    AmbiguousPlaceError
        A name that fits several places (the message and ``candidates`` list them).
    UnknownPlaceError
        A name that matches nothing (the message suggests close matches).
    """
    if isinstance(text, Place):
        return text
    if isinstance(text, str) and len(text) > gazetteer.MAX_QUERY_CHARS:  # before any regex or search
        gazetteer.check_query(text)
    coords = _parse_coords(text)
    if coords is not None:
        return _from_coords(cn, coords[0], coords[1], max_snap_m, profile)
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequestError(f"invalid place {text!r}: expected a name, an id or 'lat,lon'")
    key = text.strip()
    parks = {p.id.casefold(): i for i, p in enumerate(cn.parks)}
    if key.casefold() in parks:
        return _from_table(cn, "park", parks[key.casefold()], profile)
    poi = cn.poi_index.get(key)
    if poi is None:
        lowered = cn.cached(("poi_ci",), lambda: {p.id.casefold(): i for i, p in enumerate(cn.pois)})
        poi = lowered.get(key.casefold())
    if poi is not None:
        return _from_table(cn, "poi", poi, profile)
    entry = gazetteer.lookup(cn, key)
    return _from_table(cn, entry.kind, entry.index, profile)

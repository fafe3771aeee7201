"""Turn what a user types into a place on the network: coordinates, park unit, POI or commune.

Accepted, in this order:

1. coordinates ``"lat,lon"`` (``"50.43,2.83"``, also ``;`` or a space) or a ``(lat, lon)`` pair
   of numbers, which must lie inside the perimeter and within ``max_snap_m`` (1 km) of the
   network;
2. a park unit id (``"louvre-lens"``): the unit's access nodes, best first (a route starts or ends
   at the access node that makes it best);
3. a POI id (``"terril:T074"``): its node;
4. a commune name, case- and accent-insensitive (``"Lens"``, ``"noeux-les-mines"``): the node of
   the main network nearest its centroid;
5. a park unit name or a POI name, when unambiguous.

Anything else raises :class:`~parcs.UnknownPlaceError` with close matches.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Point

from parcs._errors import InvalidRequestError, OutOfAreaError, UnknownPlaceError
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance
from routing.geo import CRS, to_projected

__all__ = ["MAX_SNAP_M", "Place", "normalize", "resolve_place"]

#: Farthest a coordinate may lie from the network (m).
MAX_SNAP_M = 1000.0
_COORD = re.compile(r"^\s*([^,;\s]+)\s*[,;\s]\s*([^,;\s]+)\s*$")


@dataclass(frozen=True)
class Place:
    """A resolved place.

    ``node`` is the node index used by default and ``candidates`` every node the place may be
    entered by (park access nodes; one node otherwise). ``snap_m`` is the straight-line distance
    from the place's point (``lon``/``lat``) to ``node``.
    """

    kind: str
    id: str
    label: str
    lon: float
    lat: float
    node: int
    candidates: tuple[int, ...]
    snap_m: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "kind": self.kind, "id": self.id, "label": self.label,
            "lon": round(self.lon, 6), "lat": round(self.lat, 6), "snap_m": round(self.snap_m, 1),
        }

    def at(self, node: int) -> Place:
        """The same place entered by ``node`` (one of its candidates)."""
        return Place(self.kind, self.id, self.label, self.lon, self.lat, node, (node,), self.snap_m)


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a name.

    >>> normalize("Nœux-les-Mines"), normalize("  LIÉVIN "), normalize("St-Venant")
    ('noeux les mines', 'lievin', 'saint venant')
    """
    s = text.casefold().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    words = re.sub(r"[^0-9a-z]+", " ", s).split()
    abbrev = {"st": "saint", "ste": "sainte"}
    return " ".join(abbrev.get(w, w) for w in words)


def _names(cn: CompiledNetwork) -> Mapping[str, tuple[str, int]]:
    """Normalised name -> (table, position), for communes, parks and unambiguous POI names."""

    def make() -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        counts: dict[str, int] = {}
        for i, p in enumerate(cn.pois):
            key = normalize(p.name)
            counts[key] = counts.get(key, 0) + 1
            out.setdefault(key, ("poi", i))
        for key, n in counts.items():
            if n > 1:
                out.pop(key, None)
        out.update({normalize(p.name): ("park", i) for i, p in enumerate(cn.parks) if p.name})
        out.update({normalize(c.nom): ("commune", i) for i, c in enumerate(cn.communes)})
        out.pop("", None)
        return out

    return cn.cached(("place_names",), make)


def _parse_coords(text: Any) -> tuple[float, float] | None:
    if isinstance(text, str):
        m = _COORD.match(text)
        if not m:
            return None
        parts: Sequence[Any] = m.groups()
    elif isinstance(text, Sequence) and len(text) == 2:
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


def _snap(cn: CompiledNetwork, x: float, y: float, max_snap_m: float) -> tuple[int, float]:
    """The node a point is routed from: the nearest node of the main component when within
    ``max_snap_m``, else the nearer end of the nearest edge."""
    tree, nodes = _main_tree(cn)
    if nodes.size:
        d, i = tree.query([x, y])
        if d <= max_snap_m:
            return int(nodes[int(i)]), float(d)
    _, e = network_distance(cn, x, y)
    ends = [int(cn.edge_u[e]), int(cn.edge_v[e])]
    dists = [math.hypot(cn.node_x[n] - x, cn.node_y[n] - y) for n in ends]
    k = int(np.argmin(dists))
    return ends[k], float(dists[k])


def _from_coords(cn: CompiledNetwork, lat: float, lon: float, max_snap_m: float) -> Place:
    crs = str(cn.info.get("crs", CRS))
    xa, ya = to_projected([lon], [lat], crs=crs)
    x, y = float(xa[0]), float(ya[0])
    label = f"{lat:.5f},{lon:.5f}"
    if not shapely.contains_xy(cn.perimeter, x, y):
        out = float(cn.perimeter.distance(Point(x, y)))
        sx, sy = to_projected([lat], [lon], crs=crs)
        hint = " ; latitude et longitude inversées ?" if shapely.contains_xy(cn.perimeter, float(sx[0]), float(sy[0])) else ""
        raise OutOfAreaError(
            f"{label} est hors du périmètre du Pôle métropolitain de l'Artois "
            f"(à {fr_distance(out)} de sa limite){hint}"
        )
    tree, nodes = _main_tree(cn)
    near, i = tree.query([x, y]) if nodes.size else (math.inf, 0)
    if near <= max_snap_m:  # a node that close: the network is at least that close
        node, snap = int(nodes[int(i)]), float(near)
    else:
        dist, _ = network_distance(cn, x, y)
        if dist > max_snap_m:
            raise OutOfAreaError(
                f"{label} est à {fr_distance(dist)} du réseau de la Chaîne des parcs "
                f"(au plus {fr_distance(max_snap_m)})"
            )
        node, snap = _snap(cn, x, y, max_snap_m)
    return Place("coordinates", label, label, lon, lat, node, (node,), snap)


def _from_table(cn: CompiledNetwork, table: str, i: int) -> Place:
    if table == "park":
        p = cn.parks[i]
        if p.access_node < 0:
            raise OutOfAreaError(f"le parc {p.id!r} n'a aucun accès au réseau")
        return Place("park", p.id, p.name, p.lon, p.lat, p.access_node, p.access_nodes or (p.access_node,))
    if table == "poi":
        q = cn.pois[i]
        if q.node < 0:
            raise OutOfAreaError(f"le point d'intérêt {q.id!r} n'est rattaché à aucun nœud du réseau")
        return Place("poi", q.id, q.name or q.id, q.lon, q.lat, q.node, (q.node,), q.node_dist_m)
    c = cn.communes[i]
    snap = math.hypot(cn.node_x[c.node] - c.x, cn.node_y[c.node] - c.y) if c.node >= 0 else math.inf
    if c.node < 0:
        raise OutOfAreaError(f"la commune {c.nom!r} n'a aucun nœud du réseau")
    return Place("commune", c.insee, c.nom, c.lon, c.lat, c.node, (c.node,), snap)


def _unknown(cn: CompiledNetwork, text: str) -> UnknownPlaceError:
    names = _names(cn)
    keys = list(names)
    ids = {p.id.casefold(): p.id for p in cn.parks}
    close = difflib.get_close_matches(normalize(text), keys, n=4, cutoff=0.6)
    close_ids = difflib.get_close_matches(text.casefold(), list(ids), n=2, cutoff=0.6)
    labels = []
    for key in close:
        table, i = names[key]
        labels.append(
            cn.communes[i].nom if table == "commune" else cn.parks[i].name if table == "park" else cn.pois[i].name
        )
    labels = list(dict.fromkeys([ids[c] for c in close_ids] + labels))
    hint = f" ; vouliez-vous dire : {', '.join(labels)} ?" if labels else (
        " ; donnez « lat,lon », un identifiant de parc ou de point d'intérêt, ou une commune"
    )
    return UnknownPlaceError(f"lieu inconnu : {text!r}{hint}")


def resolve_place(cn: CompiledNetwork, text: Any, *, max_snap_m: float = MAX_SNAP_M) -> Place:
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

    Raises
    ------
    InvalidRequestError
        Empty text, malformed or non-finite coordinates.
    OutOfAreaError
        Coordinates outside the perimeter or too far from the network (the message says how far).
    UnknownPlaceError
        A name that matches nothing (the message suggests close matches).
    """
    if isinstance(text, Place):
        return text
    coords = _parse_coords(text)
    if coords is not None:
        return _from_coords(cn, coords[0], coords[1], max_snap_m)
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequestError(f"invalid place {text!r}: expected a name, an id or 'lat,lon'")
    key = text.strip()
    parks = {p.id.casefold(): i for i, p in enumerate(cn.parks)}
    if key.casefold() in parks:
        return _from_table(cn, "park", parks[key.casefold()])
    poi = cn.poi_index.get(key)
    if poi is None:
        lowered = cn.cached(("poi_ci",), lambda: {p.id.casefold(): i for i, p in enumerate(cn.pois)})
        poi = lowered.get(key.casefold())
    if poi is not None:
        return _from_table(cn, "poi", poi)
    hit = _names(cn).get(normalize(key))
    if hit is not None:
        return _from_table(cn, *hit)
    raise _unknown(cn, key)

"""The itinerary of a path: figures, profile, parks, POIs along, directions, geometry, warnings.

:func:`build_itinerary` works from a sequence of edge indices only, so the loops and circuits
code can use it for any path. Route-level climb and descent run the hysteresis filter of
:func:`parcs.elevation.hysteresis_climb` again on the concatenated profile (per-edge figures miss
climbs split over several short edges), and the route's steepest grade applies the sliding window
of :func:`parcs.elevation.max_window_grades` (same window as the build) to the concatenated
samples (:func:`window_grade`); the loops over the samples are compiled (:mod:`routing.kernels`). Geometry and profile are kept as read-only arrays (``coords``,
``profile_points``); :attr:`Itinerary.geometry`, :attr:`Itinerary.geometry_ele` and
:attr:`Itinerary.elevation_profile` give them as tuples.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from parcs._errors import InvalidRequestError
from parcs.schema import KINDS, POI_CATEGORIES
from routing.compiled import CompiledNetwork
from routing.costs import CostOptions, edge_costs, edge_times
from routing.cut import cut_path
from routing.directions import Step, directions_text, path_directions
from routing.fmt import fr_distance, fr_number
from routing.gazetteer import normalize
from routing.kernels import climb_descent, path_indices, path_profile, window_grade_sorted
from routing.legs import LegPath, legs_edges

logger = logging.getLogger(__name__)

__all__ = [
    "DETOUR_WARN", "MAX_PROFILE_POINTS", "Itinerary", "assemble_itinerary", "assemble_legs", "build_itinerary",
    "detour_sentence", "pois_along", "unmapped_sections",
]

#: Most points of an elevation profile.
MAX_PROFILE_POINTS = 500
#: Connectors or unpaved sections shorter than this in total are not worth a warning (km).
MIN_WARN_KM = 0.05
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Itinerary:
    """One route and everything shown about it (distances in m, durations in s, grades in %).

    ``vertex_edge`` is set when the route's ends (or stops) lie inside edges: for every row of
    ``coords``, the position in ``edge_ids`` of the edge that vertex ends (``None``: every edge
    is whole, its vertices are the network's).
    """

    profile: str
    distance_m: float
    duration_s: float
    cost: float
    climb_m: float
    descent_m: float
    max_grade: float
    km_by_kind: Mapping[str, float]
    km_by_surface: Mapping[str, float]
    greenway_share: float
    connector_km: float
    planned_km: float
    parks_crossed: tuple[Mapping[str, str], ...]
    pois_along: tuple[Mapping[str, Any], ...]
    directions: tuple[Step, ...]
    coords: FloatArray = field(repr=False)
    profile_points: FloatArray = field(repr=False)
    edge_ids: tuple[int, ...] = field(repr=False)
    node_ids: tuple[Any, ...] = field(repr=False)
    stops: tuple[Mapping[str, Any], ...] = ()
    request: Mapping[str, Any] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()
    snap_m: Mapping[str, float] = field(default_factory=dict)
    vertex_edge: IntArray | None = field(default=None, repr=False)
    crow_m: float = 0.0
    detour_factor: float | None = None
    unmapped_km: float = 0.0
    unmapped_straight_km: float = 0.0
    distance_low_m: float = 0.0
    distance_high_m: float = 0.0
    unmapped_sections: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        for name in ("coords", "profile_points"):
            arr = np.array(getattr(self, name), dtype=float)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        if self.vertex_edge is not None:
            self.vertex_edge.flags.writeable = False

    @functools.cached_property
    def geometry(self) -> tuple[tuple[float, float], ...]:
        """The route's vertices as ``(lon, lat)`` (WGS84), junctions once."""
        return tuple(zip(self.coords[:, 0].tolist(), self.coords[:, 1].tolist(), strict=True))

    @functools.cached_property
    def geometry_ele(self) -> tuple[float, ...]:
        """Elevation (m) of every vertex of :attr:`geometry`."""
        return tuple(self.coords[:, 2].tolist())

    @functools.cached_property
    def elevation_profile(self) -> tuple[tuple[float, float], ...]:
        """``(distance_m, elevation_m)`` pairs, samples <= 30 m apart, at most 500 points."""
        pts = self.profile_points
        return tuple(zip(pts[:, 0].tolist(), pts[:, 1].tolist(), strict=True))

    @property
    def directions_text(self) -> str:
        """All directions in one French sentence."""
        return directions_text(self.directions)

    def summary_fr(self) -> str:
        """One French line: distance, duration, climb, greenway share."""
        from routing.fmt import fr_duration

        return (
            f"{fr_distance(self.distance_m)}, {fr_duration(self.duration_s)}, "
            f"+{fr_number(self.climb_m, 0)} m / -{fr_number(self.descent_m, 0)} m, "
            f"{fr_number(100 * self.greenway_share, 0)} % en voie verte"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (numbers rounded: metres to 0.1, coordinates to 1e-6 degree)."""
        return {
            "profile": self.profile,
            "distance_m": round(self.distance_m, 1),
            "duration_s": round(self.duration_s),
            "cost": round(self.cost, 1),
            "climb_m": round(self.climb_m, 1),
            "descent_m": round(self.descent_m, 1),
            "max_grade": round(self.max_grade, 1),
            "km_by_kind": {k: round(v, 3) for k, v in self.km_by_kind.items()},
            "km_by_surface": {k: round(v, 3) for k, v in self.km_by_surface.items()},
            "greenway_share": round(self.greenway_share, 3),
            "connector_km": round(self.connector_km, 3),
            "planned_km": round(self.planned_km, 3),
            "crow_m": round(self.crow_m, 1),
            "detour_factor": None if self.detour_factor is None else round(self.detour_factor, 3),
            "unmapped_km": round(self.unmapped_km, 3),
            "unmapped_straight_km": round(self.unmapped_straight_km, 3),
            "distance_range_m": [round(self.distance_low_m, 1), round(self.distance_high_m, 1)],
            "unmapped_sections": [list(sec) for sec in self.unmapped_sections],
            "parks_crossed": [dict(p) for p in self.parks_crossed],
            "pois_along": [dict(p) for p in self.pois_along],
            "stops": [dict(s) for s in self.stops],
            "elevation_profile": np.round(self.profile_points, 1).tolist(),
            "directions": [s.to_dict() for s in self.directions],
            "directions_text": self.directions_text,
            "geometry": np.round(self.coords[:, :2], 6).tolist(),
            "edge_ids": list(self.edge_ids),
            "node_ids": [n if isinstance(n, int | str) else str(n) for n in self.node_ids],
            "request": dict(self.request),
            "warnings": list(self.warnings),
            "snap_m": {k: round(v, 1) for k, v in self.snap_m.items()},
        }


def _profile(cn: CompiledNetwork, edges: IntArray) -> tuple[FloatArray, FloatArray]:
    """Distance along the path and elevation of its profile samples (junctions once)."""
    return path_profile(
        edges, offsets=cn.prof_offsets, prof_d=cn.prof_d, prof_z=cn.prof_z, edge_length=cn.edge_length
    )


def _climb(cn: CompiledNetwork, z: FloatArray) -> tuple[float, float]:
    """Climb and descent of a route's profile (the build's dead band)."""
    return climb_descent(z, threshold=cn.hysteresis)


def window_grade(d: FloatArray, z: FloatArray, *, window: float) -> float:
    """Steepest uphill grade (fraction) over a window sliding along a profile.

    The definition of :func:`parcs.elevation.max_window_grades` (every window starting or ending
    at a sample, the profile linear between samples; a profile shorter than the window is measured
    end to end over the window), applied to the samples as they are, evenly spaced or not: by
    :func:`routing.kernels.window_grade_sorted` when the distances never decrease.

    >>> window_grade(np.array([0.0, 25.0, 50.0, 75.0, 100.0]), np.array([10.0, 10.0, 15.0, 20.0, 20.0]), window=50.0)
    0.2
    """
    d, z = np.asarray(d, dtype=np.float64), np.asarray(z, dtype=np.float64)
    grade = window_grade_sorted(d, z, window=window)
    if grade >= 0:
        return grade
    # the distances decrease somewhere (or hold NaN): the windows picked by masks
    head, tail = d <= d[-1] - window, d >= d[0] + window
    rise_head = np.interp(d[head] + window, d, z) - z[head]
    rise_tail = z[tail] - np.interp(d[tail] - window, d, z)
    top = max(float(np.maximum.reduce(rise_head, initial=0.0)), float(np.maximum.reduce(rise_tail, initial=0.0)))
    return max(top, 0.0) / window


def _max_grade(cn: CompiledNetwork, d: FloatArray, z: FloatArray) -> float:
    """Steepest uphill grade of a route over the build's window (fraction)."""
    return window_grade(d, z, window=float(cn.info.get("elevation", {}).get("window", 100.0)))


def _decimate(d: FloatArray, z: FloatArray, limit: int = MAX_PROFILE_POINTS) -> FloatArray:
    """``(distance, elevation)`` rows, at most ``limit`` samples evenly spread (ends kept)."""
    if d.size > limit:
        at = np.arange(limit, dtype=float) * ((d.size - 1) / (limit - 1))  # np.linspace(0, size - 1)
        at[-1] = d.size - 1
        keep = at.round().astype(np.int64)  # strictly increasing
        d, z = d[keep], z[keep]
    out = np.empty((d.size, 2))
    out[:, 0] = d
    out[:, 1] = z
    return out


def _km_by(codes: npt.NDArray[Any], vocab: tuple[str, ...], lengths: FloatArray) -> dict[str, float]:
    sums = np.bincount(codes, weights=lengths, minlength=len(vocab)).tolist()
    return {vocab[i]: s / 1000.0 for i, s in enumerate(sums) if s > 0}


def _parks_crossed(cn: CompiledNetwork, edges: IntArray, extra: Sequence[str]) -> tuple[dict[str, str], ...]:
    seen: dict[str, str] = {}
    by_id = cn.cached(("park_names",), lambda: {p.id: p.name for p in cn.parks})
    codes = cn.edge_park[edges]
    ids = [cn.parks[i].id for i in dict.fromkeys(codes[codes >= 0].tolist())]
    for pid in [*extra[:1], *ids, *extra[1:]]:
        if pid in by_id and pid not in seen:
            seen[pid] = by_id[pid]
    return tuple({"id": k, "name": v} for k, v in seen.items())


def _poi_points(cn: CompiledNetwork, category: str) -> tuple[IntArray, FloatArray, FloatArray]:
    def make() -> tuple[IntArray, FloatArray, FloatArray]:
        idx = np.array([i for i, p in enumerate(cn.pois) if p.category == category], dtype=np.int64)
        xs = np.array([cn.pois[i].x for i in idx], dtype=float)
        ys = np.array([cn.pois[i].y for i in idx], dtype=float)
        return idx, xs, ys

    return cn.cached(("poi_points", category), make)


def pois_along(
    cn: CompiledNetwork, x: FloatArray, y: FloatArray, along: Sequence[tuple[str, float]]
) -> tuple[dict[str, Any], ...]:
    """POIs of the given categories within their distance of a route line, by distance along.

    Parameters
    ----------
    cn
        The compiled network.
    x, y
        The route's vertices (EPSG:2154), in travel order.
    along
        ``(category, metres)`` pairs.
    """
    if x.size < 2 or not along:
        return ()
    line = shapely.linestrings(np.column_stack([x, y]))
    found: dict[int, dict[str, Any]] = {}
    for category, radius in along:
        idx, px, py = _poi_points(cn, category)
        box = (px >= x.min() - radius) & (px <= x.max() + radius) & (py >= y.min() - radius) & (py <= y.max() + radius)
        if not box.any():
            continue
        pts = shapely.points(px[box], py[box])
        dist = shapely.distance(line, pts)
        pos = shapely.line_locate_point(line, pts)
        for i, dd, pp in zip(idx[box].tolist(), dist.tolist(), pos.tolist(), strict=True):
            if dd <= radius and (i not in found or dd < found[i]["distance_from_route_m"]):
                p = cn.pois[i]
                found[i] = {
                    "id": p.id, "category": p.category, "category_label": POI_CATEGORIES.get(p.category, p.category),
                    "name": p.name, "lon": round(p.lon, 6), "lat": round(p.lat, 6),
                    "distance_from_route_m": round(dd, 1), "distance_along_m": round(pp, 1),
                }
    return _listed_once(cn, found)


#: POIs of one name and category closer than this (m) are one place along a route.
SAME_PLACE_M = 50.0


def _listed_once(cn: CompiledNetwork, found: Mapping[int, dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The POIs found along a route by distance along, each place once: of POIs with one name
    and category within :data:`SAME_PLACE_M` of each other, the first along the route stays."""
    kept: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for i, row in sorted(found.items(), key=lambda kv: (kv[1]["distance_along_m"], kv[1]["id"])):
        p = cn.pois[i]
        near = seen.setdefault((normalize(p.name), p.category), [])
        if any((p.x - x) ** 2 + (p.y - y) ** 2 <= SAME_PLACE_M**2 for x, y in near):
            continue
        near.append((p.x, p.y))
        kept.append(row)
    return tuple(kept)


def _warnings(cn: CompiledNetwork, it: Mapping[str, Any], request: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    if it["planned_km"] > 0:
        out.append(f"l'itinéraire emprunte {fr_distance(1000 * it['planned_km'])} de tronçons en projet (peut-être pas encore aménagés)")
    if it["connector_km"] >= MIN_WARN_KM:
        out.append(f"{fr_distance(1000 * it['connector_km'])} de liaisons non aménagées (rues ou chemins) : prudence")
    out += _unmapped_warnings(it)
    unpaved = it["km_by_surface"].get("unpaved", 0.0)
    if unpaved >= MIN_WARN_KM and it["profile"] in ("bike", "family"):
        out.append(f"{fr_distance(1000 * unpaved)} de chemins non revêtus")
    limit = request.get("max_grade")
    if limit is not None and it["max_grade"] > float(limit) + 0.05:
        out.append(f"la pente mesurée sur l'itinéraire atteint {fr_number(it['max_grade'])} % (chaque tronçon respecte {fr_number(float(limit))} %)")
    climb = request.get("max_climb")
    if climb is not None and it["climb_m"] > float(climb) + 0.5:
        out.append(f"le dénivelé mesuré sur le profil complet est de {fr_number(it['climb_m'], 0)} m (somme des tronçons sous {fr_number(float(climb), 0)} m)")
    return tuple(out)


#: Route over this many times the straight line: the answer says so.
DETOUR_WARN = 2.0


def detour_sentence(distance_m: float, crow_m: float, *, estimated: bool = False) -> str:
    """The plain-French detour warning (``estimated``: the distance counts unmapped links).

    >>> detour_sentence(45300.0, 13600.0)
    "l'itinéraire fait 3,3 fois la distance à vol d'oiseau (45,3 km pour 13,6 km) : le réseau de voies vertes fait un grand détour"
    """
    why = "distance estimée, liaisons non cartographiées comprises" if estimated else \
        "le réseau de voies vertes fait un grand détour"
    return (
        f"l'itinéraire fait {fr_number(distance_m / crow_m, 1)} fois la distance à vol d'oiseau "
        f"({fr_distance(distance_m)} pour {fr_distance(crow_m)}) : {why}"
    )


def _unmapped_warnings(it: Mapping[str, Any]) -> list[str]:
    out = []
    factor = it["detour_factor"]
    if factor is not None and factor > DETOUR_WARN:
        out.append(detour_sentence(it["distance_m"], it["crow_m"], estimated=it["unmapped_km"] > 0))
    if it["unmapped_km"] > 0:
        out.append(
            f"{fr_distance(1000 * it['unmapped_straight_km'])} à vol d'oiseau de liaisons non cartographiées, "
            f"longueur estimée {fr_distance(1000 * it['unmapped_km'])} (distance totale {fr_distance(it['distance_low_m'])} "
            f"à {fr_distance(it['distance_high_m'])}) : la ligne droite tient lieu de rues que les données ne décrivent pas "
            "et peut traverser un canal, une voie ferrée ou une autoroute là où aucun pont n'existe ; "
            "l'altitude y est estimée le long de la ligne — vérifiez le passage sur place"
        )
    return out


def _check_path(cn: CompiledNetwork, edges: IntArray) -> None:
    if edges.size == 0:
        raise InvalidRequestError("an itinerary needs at least one edge")
    if edges.min() < 0 or edges.max() >= cn.n_edges:
        raise InvalidRequestError("edge index out of range")
    if np.not_equal(cn.edge_v[edges[:-1]], cn.edge_u[edges[1:]]).any():
        raise InvalidRequestError("the edges do not form a path (an edge does not start where the previous one ends)")


def build_itinerary(
    cn: CompiledNetwork,
    edge_idx_sequence: Sequence[int] | npt.NDArray[np.integer[Any]],
    *,
    profile: str = "walk",
    request: Mapping[str, Any] | None = None,
    options: CostOptions | None = None,
    along: Sequence[tuple[str, float]] = (),
    stops: Sequence[Mapping[str, Any]] = (),
    parks: Sequence[str] = (),
) -> Itinerary:
    """The :class:`Itinerary` of a path given as edge indices in travel order.

    Parameters
    ----------
    cn
        The compiled network.
    edge_idx_sequence
        Consecutive edge indices (each starts where the previous one ends; a loop may return to
        its start).
    profile
        Profile id, for durations.
    request
        Echoed in the itinerary (``max_grade``/``max_climb`` there trigger warnings).
    options
        Cost options for the reported ``cost`` (default: the profile's plain options).
    along
        ``(category, metres)``: list the POIs of these categories within that distance.
    stops
        Intermediate stops to report (dicts; ``node`` entries get their ``distance_along_m``).
    parks
        Park ids of the start and end places (put first and last among ``parks_crossed``).

    Raises
    ------
    InvalidRequestError
        An empty sequence, or edges that do not follow each other.
    """
    e = np.asarray(edge_idx_sequence, dtype=np.int64)
    _check_path(cn, e)
    return assemble_itinerary(
        cn, e, profile=profile, request=request, options=options, along=along, stops=stops, parks=parks
    )


def assemble_itinerary(
    cn: CompiledNetwork,
    e: IntArray,
    *,
    profile: str = "walk",
    request: Mapping[str, Any] | None = None,
    options: CostOptions | None = None,
    along: Sequence[tuple[str, float]] = (),
    stops: Sequence[Mapping[str, Any]] = (),
    parks: Sequence[str] = (),
) -> Itinerary:
    """:func:`build_itinerary` of a path known to be valid (an ``int64`` array of consecutive
    edges, as the searches return them): the same itinerary, without checking the path."""
    lengths = cn.edge_length[e]
    d, z = _profile(cn, e)
    gidx = path_indices(e, offsets=cn.geom_offsets)
    fig = _figures(cn, e, lengths, d, z, profile=profile, options=options or _plain_options(profile))
    nodes = np.concatenate([cn.edge_u[e[:1]], cn.edge_v[e]])
    flat = e.tolist()
    req = dict(request or {})
    return Itinerary(
        **fig,
        parks_crossed=_parks_crossed(cn, e, list(parks)),
        pois_along=pois_along(cn, cn.geom_x[gidx], cn.geom_y[gidx], list(along)) if along else (),
        profile_points=_decimate(d, z),
        directions=path_directions(cn, e, flat),
        coords=_vertex_table(cn)[gidx],
        edge_ids=tuple(flat), node_ids=tuple(cn.node_id[nodes].tolist()),
        stops=_stops(cn, e, stops), request=req, warnings=_warnings(cn, fig, req),
        unmapped_sections=unmapped_sections(cn, e),
    )


def assemble_legs(
    cn: CompiledNetwork,
    legs: Sequence[LegPath],
    *,
    profile: str = "walk",
    request: Mapping[str, Any] | None = None,
    options: CostOptions | None = None,
    along: Sequence[tuple[str, float]] = (),
    stops: Sequence[Mapping[str, Any]] = (),
    parks: Sequence[str] = (),
    snap_m: Mapping[str, float] | None = None,
    notes: Sequence[str] = (),
) -> Itinerary:
    """The :class:`Itinerary` of consecutive legs whose ends may lie inside edges (the route
    starts and ends at the anchors; :mod:`routing.cut`). Node-to-node legs give exactly
    :func:`assemble_itinerary`'s itinerary.

    ``stops`` are the stops between the legs, in order (each gets the distance along the route
    where its leg ends); ``snap_m`` the snap distance of the places, reported as is; ``notes``
    warnings put first.
    """
    snaps = dict(snap_m or {})
    if all(leg.whole for leg in legs):
        it = assemble_itinerary(
            cn, legs_edges(legs), profile=profile, request=request, options=options, along=along,
            stops=stops, parks=parks,
        )
        return replace(it, warnings=(*notes, *it.warnings), snap_m=snaps)
    cut = cut_path(cn, legs)
    fig = _figures(cn, cut.edges, cut.lengths, cut.d, cut.z, profile=profile,
                   options=options or _plain_options(profile), share=cut.share)
    req = dict(request or {})
    flat = cut.edges.tolist()
    rows = []
    for i, row in enumerate(stops):
        r = {k: v for k, v in row.items() if k != "node"}
        if i < len(cut.leg_ends) - 1:
            r["distance_along_m"] = round(cut.leg_ends[i], 1)
        rows.append(r)
    v = cut.vertices
    return Itinerary(
        **fig,
        parks_crossed=_parks_crossed(cn, cut.edges, list(parks)),
        pois_along=pois_along(cn, v[:, 0], v[:, 1], list(along)) if along else (),
        profile_points=_decimate(cut.d, cut.z),
        directions=path_directions(cn, cut.edges, flat, lengths=cut.lengths),
        coords=v[:, 2:5], vertex_edge=cut.vertex_edge, edge_ids=tuple(flat), node_ids=tuple(cn.node_id[cut.nodes].tolist()),
        stops=tuple(rows), request=req, warnings=(*notes, *_warnings(cn, fig, req)), snap_m=snaps,
        unmapped_sections=unmapped_sections(cn, cut.edges),
    )


def unmapped_sections(cn: CompiledNetwork, e: IntArray) -> tuple[tuple[int, int], ...]:
    """``(first, last)`` vertex indices (into the route's vertices) of each run of unmapped links."""
    code = cn.kinds.index("unmapped") if "unmapped" in cn.kinds else -1
    flags = cn.edge_kind[e] == code
    if not flags.any():
        return ()
    counts = cn.geom_offsets[e + 1] - cn.geom_offsets[e]
    end = np.cumsum(counts - 1)  # the last vertex of each edge (junctions counted once)
    start = end - (counts - 1)
    out = []
    k = 0
    while k < len(e):
        if flags[k]:
            j = k
            while j + 1 < len(e) and flags[j + 1]:
                j += 1
            out.append((int(start[k]), int(end[j])))
            k = j + 1
        else:
            k += 1
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _plain_options(profile: str) -> CostOptions:
    """The plain options of a profile (immutable, so shared)."""
    return CostOptions(profile)


def _vertex_table(cn: CompiledNetwork) -> FloatArray:
    """``(lon, lat, elevation)`` of every geometry vertex (cached on the network, read-only)."""

    def make() -> FloatArray:
        out = np.column_stack([cn.geom_lon, cn.geom_lat, cn.geom_z])
        out.flags.writeable = False
        return out

    return cn.cached(("vertex_table",), make)


def _figures(
    cn: CompiledNetwork, e: IntArray, lengths: FloatArray, d: FloatArray, z: FloatArray, *, profile: str,
    options: CostOptions, share: FloatArray | None = None,
) -> dict[str, Any]:
    """The figures of a path: distance, duration, cost, climb, grade, km by kind and surface
    (``share``: the share of each edge run, when some are cut; time and cost pro rata)."""
    climb, descent = _climb(cn, z)
    kinds = _km_by(cn.edge_kind[e], cn.kinds, lengths)
    green = sum(v for k, v in kinds.items() if k in KINDS and KINDS[k].greenway)
    total = float(lengths.sum())
    planned = float(lengths[cn.edge_status[e] == cn.statuses.index("planned")].sum()) / 1000 if "planned" in cn.statuses else 0.0
    return {
        "profile": profile, "distance_m": total,
        "duration_s": float(_sum(edge_times(cn, profile)[e], share)),
        "cost": float(_sum(edge_costs(cn, options)[e], share)),
        "climb_m": float(climb), "descent_m": float(descent),
        "max_grade": 100.0 * _max_grade(cn, d, z),
        "km_by_kind": kinds, "km_by_surface": _km_by(cn.edge_surface[e], cn.surfaces, lengths),
        "greenway_share": green * 1000 / total if total > 0 else 0.0,
        "connector_km": kinds.get("connector", 0.0), "planned_km": planned,
        **_crow_and_range(cn, e, total),
    }


def _crow_and_range(cn: CompiledNetwork, e: IntArray, total: float) -> dict[str, Any]:
    """Straight-line distance, detour factor, unmapped links and the distance range of a path."""
    a, b = int(cn.edge_u[e[0]]), int(cn.edge_v[e[-1]])
    crow = float(np.hypot(cn.node_x[b] - cn.node_x[a], cn.node_y[b] - cn.node_y[a]))
    unmapped = cn.edge_kind[e] == (cn.kinds.index("unmapped") if "unmapped" in cn.kinds else -1)
    low, high = total, total
    est = float(cn.edge_length[e][unmapped].sum())
    if unmapped.any():
        margin = cn.meta.get("unmapped", {}) if isinstance(cn.meta.get("unmapped"), Mapping) else {}
        low = total - est + float(cn.edge_low[e][unmapped].sum())
        high = total - est + float(cn.edge_high[e][unmapped].sum())
        low = min(low, float(margin.get("route_low", 1.0)) * total)
        high = max(high, float(margin.get("route_high", 1.0)) * total)
    return {
        "crow_m": crow, "detour_factor": total / crow if crow >= 1.0 else None,
        "unmapped_km": est / 1000.0, "unmapped_straight_km": float(cn.edge_straight[e][unmapped].sum()) / 1000.0,
        "distance_low_m": low, "distance_high_m": high,
    }


def _sum(values: FloatArray, share: FloatArray | None) -> float:
    return float(values.sum() if share is None else (values * share).sum())


def _stops(cn: CompiledNetwork, edges: IntArray, stops: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Stops with the distance along the route where the route first reaches their node."""
    if not stops:
        return ()
    ends = np.cumsum(cn.edge_length[edges])
    heads = cn.edge_v[edges]
    out = []
    from_pos = 0
    for s in stops:
        row = dict(s)
        node = row.pop("node", None)
        if node is not None:
            hits = np.flatnonzero(heads[from_pos:] == node)
            if hits.size:
                from_pos += int(hits[0])
                row["distance_along_m"] = round(float(ends[from_pos]), 1)
        out.append(row)
    return tuple(out)

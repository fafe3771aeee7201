"""Stream the network ways of an OpenStreetMap extract into flat arrays (regional builds).

The small-file path (:mod:`parcs.osm.extract` then osmnx) keeps every way as Python objects,
writes them again as OSM XML and reads that into a networkx graph: about 21 MB per 1,000 ways.
:func:`read_ways` instead streams the file once with pyosmium (node locations held by libosmium's
own index, in C++) and keeps, per network way, only its node references and their WGS84
coordinates in flat ``array`` buffers (24 bytes per reference) plus the index of its *class*:
the classification of its tags by :mod:`parcs.osm.tags` (kind, name, surface, route references,
access per direction), computed once per distinct combination of the tags those functions read
(:data:`parcs.osm.tags.USEFUL_TAGS_WAY`) and cycle-route membership. Ways keep the osmnx
semantics of ``oneway`` (``oneway=-1``/``reverse`` ways have their nodes reversed; roundabouts
are one-way), so :mod:`parcs.osm.assemble` can rebuild the graph the osmnx path builds.

``waterway=canal`` lines are kept (as WGS84 line strings) for the towpath rule.
"""

from __future__ import annotations

import logging
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
from shapely.geometry import LineString

from parcs._errors import DataError
from parcs.osm.access import NODE_TAGS, barrier_blocks
from parcs.osm.extract import _iterate, _read_relations, check_osm_file
from parcs.osm.tags import (
    USEFUL_TAGS_WAY,
    RouteMembership,
    access_signature,
    bike_push,
    candidate_way,
    display_name,
    edge_access,
    is_area,
    is_canal,
    is_major,
    keep_way,
    route_memberships,
    surface_class,
    way_kind,
)

logger = logging.getLogger(__name__)

__all__ = ["WayArrays", "WayClass", "classify_way", "read_ways"]

#: osmnx's values of ``oneway`` meaning one-way, and one-way against the node order.
ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
REVERSED_VALUES = frozenset({"-1", "reverse", "T"})


@dataclass(frozen=True)
class WayClass:
    """What the planner keeps of a way's tags (shared by every way with the same tags).

    ``differ`` is the tuple that must be equal on both sides of a node for simplification to
    merge its two edges (osmnx's ``edge_attrs_differ`` of :mod:`parcs.osm.graph`); ``fwd`` and
    ``bwd`` are ``(foot_ok, bike_ok)`` along the (osmnx-ordered) node order and against it.
    """

    kind: str
    name: str
    surface: str
    route_refs: str
    oneway: bool
    reverse_nodes: bool
    fwd: tuple[bool, bool]
    bwd: tuple[bool, bool]
    differ: tuple[str, ...]
    push: tuple[bool, bool] = (False, False)
    major: bool = False
    area: bool = False


def _is_one_way(tags: dict[str, str]) -> bool:
    return tags.get("oneway") in ONEWAY_VALUES or tags.get("junction") == "roundabout"


def classify_way(
    tags: dict[str, str], membership: RouteMembership | None, *, country: str | None = None
) -> WayClass:
    """The :class:`WayClass` of a kept way's useful tags, as :mod:`parcs.osm.graph` classifies
    the osmnx edges of the same way (``oneway`` as osmnx sets it: a boolean), with the access
    defaults of ``country`` (:mod:`parcs.osm.access`)."""
    oneway = _is_one_way(tags)
    d: dict[str, Any] = {**tags, "oneway": oneway}
    fwd = edge_access(d, oneway=oneway, reversed_=False, against=False, country=country)
    bwd = edge_access({**d, "reversed": True}, oneway=oneway, reversed_=True, against=oneway,
                      country=country)
    kind, name, surface = way_kind(d, membership), display_name(d), surface_class(d)
    refs = ";".join(membership.refs) if membership else ""
    acc = access_signature(d, country=country) + ("1" if oneway else "0")
    push = bike_push(d, country=country)
    return WayClass(
        kind=kind, name=name, surface=surface, route_refs=refs, oneway=oneway,
        reverse_nodes=oneway and tags.get("oneway") in REVERSED_VALUES,
        fwd=(bool(fwd[0]), bool(fwd[1])), bwd=(bool(bwd[0]), bool(bwd[1])),
        differ=(kind, name, surface, "built", refs, "osm", acc),
        push=(bool(fwd[1]) and push, bool(bwd[1]) and push), major=is_major(d),
        area=is_area(d),
    )


@dataclass
class WayArrays:
    """The network ways of a file as flat arrays.

    Way ``w`` has the node references ``refs[ptr[w]:ptr[w + 1]]`` (already reversed for
    ``oneway=-1`` ways), their coordinates ``lon``/``lat`` (NaN where the file lacks the node),
    its OSM id ``way_id[w]`` and its class ``classes[cls[w]]``.
    """

    ptr: npt.NDArray[np.int64]
    refs: npt.NDArray[np.int64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    way_id: npt.NDArray[np.int64]
    cls: npt.NDArray[np.int32]
    classes: list[WayClass]
    canals: list[LineString] = field(default_factory=list)
    missing_refs: int = 0
    raw: list[tuple[dict[str, str], RouteMembership | None]] = field(default_factory=list)
    refused: npt.NDArray[np.bool_] | None = None
    barriers: dict[int, tuple[bool, bool]] = field(default_factory=dict)

    def classify(self, *, country: str | None) -> None:
        """(Re)classify every class with the access defaults of ``country`` (in place);
        ``refused[c]`` is True for a class :func:`keep_way` refuses in that country."""
        if not self.raw:
            return
        self.refused = np.array([not keep_way(t, country=country) for t, _ in self.raw], dtype=bool)
        self.classes = [classify_way(t, m, country=country) for t, m in self.raw]

    @property
    def n_ways(self) -> int:
        """Number of network ways read."""
        return int(self.way_id.size)

    def extent(self) -> tuple[float, float, float, float] | None:
        """Bounding box (WGS84) of the located nodes of the ways, or None."""
        ok = np.isfinite(self.lon)
        if not ok.any():
            return None
        lon, lat = self.lon[ok], self.lat[ok]
        return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


class _WayCollector:
    """State of the pass over the ways (pyosmium calls :meth:`way` for each)."""

    def __init__(self, memberships: dict[int, RouteMembership]) -> None:
        self.memberships = memberships
        self.ptr = array("q", [0])
        self.refs = array("q")
        self.lon = array("d")
        self.lat = array("d")
        self.way_id = array("q")
        self.cls = array("i")
        self.classes: list[WayClass] = []
        self.raw: list[tuple[dict[str, str], RouteMembership | None]] = []
        self.class_index: dict[tuple[Any, ...], int] = {}
        self.canals: list[LineString] = []
        self.barriers: dict[int, tuple[bool, bool]] = {}
        self.missing = 0

    def _class_of(self, wid: int, tags: osmium.osm.TagList) -> int | None:
        useful = tuple((k, tags[k]) for k in USEFUL_TAGS_WAY if k in tags)
        membership = self.memberships.get(wid)
        key = (useful, membership)
        found = self.class_index.get(key)
        if found is None:
            plain = dict(useful)
            if not candidate_way(plain):  # the country is not known yet: see WayArrays.classify
                found = -1
            else:
                found = len(self.classes)
                self.classes.append(classify_way(plain, membership))
                self.raw.append((plain, membership))
            self.class_index[key] = found
        return None if found < 0 else found

    def node(self, node: osmium.osm.Node) -> None:
        """Record a barrier node that blocks walkers or cyclists (:func:`barrier_blocks`)."""
        tags = {k: node.tags[k] for k in NODE_TAGS if k in node.tags}
        blocks = barrier_blocks(tags)
        if blocks[0] or blocks[1]:
            self.barriers[node.id] = blocks

    def way(self, way: osmium.osm.Way) -> None:
        tags = way.tags
        if "waterway" in tags and is_canal({"waterway": tags.get("waterway")}):
            pts = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
            if len(pts) >= 2:
                self.canals.append(LineString(pts))
        if "highway" not in tags:
            return
        c = self._class_of(way.id, tags)
        if c is None:
            return
        refs, lons, lats = [], [], []
        for nd in way.nodes:
            loc = nd.location
            refs.append(nd.ref)
            if loc.valid():
                lons.append(loc.lon)
                lats.append(loc.lat)
            else:
                lons.append(float("nan"))
                lats.append(float("nan"))
                self.missing += 1
        if self.classes[c].reverse_nodes:
            refs.reverse()
            lons.reverse()
            lats.reverse()
        self.refs.extend(refs)
        self.lon.extend(lons)
        self.lat.extend(lats)
        self.ptr.append(len(self.refs))
        self.way_id.append(way.id)
        self.cls.append(c)

    def arrays(self) -> WayArrays:
        return WayArrays(
            ptr=np.frombuffer(self.ptr, dtype=np.int64).copy(),
            refs=np.frombuffer(self.refs, dtype=np.int64).copy(),
            lon=np.frombuffer(self.lon, dtype=np.float64).copy(),
            lat=np.frombuffer(self.lat, dtype=np.float64).copy(),
            way_id=np.frombuffer(self.way_id, dtype=np.int64).copy(),
            cls=np.frombuffer(self.cls, dtype=np.int32).copy(),
            classes=self.classes, canals=self.canals, missing_refs=self.missing, raw=self.raw,
            barriers=self.barriers,
        )


def read_ways(path: Path) -> WayArrays:
    """Stream an extract's network ways (:func:`parcs.osm.tags.keep_way`) and canals.

    Two passes over the file: the cycle-route relations (small), then the nodes and ways with
    node locations (only ways with a ``highway`` or ``waterway`` key reach Python).

    Raises
    ------
    SourceError
        When the file does not exist.
    DataError
        When it is not an OSM file pyosmium can read, or holds no network way.
    """
    path = check_osm_file(path)
    routes = route_memberships(_read_relations(path).routes)
    collector = _WayCollector(routes)
    way_filter = osmium.filter.KeyFilter("highway", "waterway")
    way_filter.enable_for(osmium.osm.WAY)
    fp = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()  # recorded for every node before the filters drop the nodes
        .with_filter(osmium.filter.KeyFilter("highway", "waterway", "barrier"))
    )
    for obj in _iterate(path, fp):
        if obj.is_way():  # type: ignore[attr-defined]
            collector.way(obj)  # type: ignore[arg-type]
        elif obj.is_node() and "barrier" in obj.tags:  # type: ignore[attr-defined]
            collector.node(obj)  # type: ignore[arg-type]
    out = collector.arrays()
    if not out.n_ways:
        raise DataError(f"{path.name}: no way of the network (paths, tracks, streets) in the file")
    logger.info(
        "%s: %d network ways (%d classes of tags), %d node references, %d missing from the file",
        path.name, out.n_ways, len(out.classes), out.refs.size, out.missing_refs,
    )
    return out

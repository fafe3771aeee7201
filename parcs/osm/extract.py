"""Read an OpenStreetMap extract (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``) with pyosmium.

:func:`scan_file` reads the file in two passes — the relations first (cycle routes, park and POI
multipolygons), then the nodes and ways with their locations — and keeps only what the build
needs: the ways of the network (:func:`parcs.osm.tags.candidate_way`: usable in some country's
access table; the build refines it once the country is known), the barrier nodes that block a
mode (their access tags are written with the nodes), canals, POIs and parks.
:func:`write_network_xml` writes those ways as OSM XML for :func:`osmnx.graph_from_xml`.

Extracts cut by a bounding box reference nodes they do not contain. Those references are dropped:
a way is split into the runs of consecutive nodes present in the file (a way that leaves the box
and comes back becomes two ways, never a straight shortcut across the missing part); runs of one
node are dropped. The pieces after the first get synthetic negative ids, mapped back to the OSM
id on the graph edges (:func:`restore_way_ids`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import osmium
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from parcs._errors import DataError, SourceError
from parcs.osm.access import NODE_TAGS, barrier_blocks
from parcs.osm.tags import POI_RULES, RouteRelation, candidate_way, is_canal, is_park, poi_category

logger = logging.getLogger(__name__)

#: Suffixes pyosmium reads (the last one or two of the file name).
OSM_SUFFIXES: tuple[str, ...] = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf")

BBox = tuple[float, float, float, float]
Coord = tuple[int, float, float]


@dataclass(frozen=True)
class OsmFeature:
    """A tagged OSM element with a WGS84 geometry (a POI, a park, a canal)."""

    osm_type: str
    osm_id: int
    tags: dict[str, str]
    geometry: BaseGeometry

    @property
    def key(self) -> str:
        """``osm:node/123``-style identifier."""
        return f"osm:{self.osm_type}/{self.osm_id}"


@dataclass(frozen=True)
class RawWay:
    """A network way: its tags and its nodes (``None`` where the file lacks the node)."""

    id: int
    tags: dict[str, str]
    nodes: list[Coord | None]


@dataclass
class FileScan:
    """What :func:`scan_file` keeps of an extract."""

    ways: list[RawWay] = field(default_factory=list)
    pois: list[OsmFeature] = field(default_factory=list)
    parks: list[OsmFeature] = field(default_factory=list)
    canals: list[OsmFeature] = field(default_factory=list)
    routes: list[RouteRelation] = field(default_factory=list)
    barriers: dict[int, dict[str, str]] = field(default_factory=dict)
    extent: BBox | None = None
    missing_refs: int = 0
    ways_outside: int = 0


def check_osm_file(path: Path) -> Path:
    """The path, or a :class:`SourceError` (missing) / :class:`DataError` (not an OSM format)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: OSM file not found")
    name = path.name.lower()
    if not name.endswith(OSM_SUFFIXES):
        raise DataError(
            f"{path.name}: not an OSM extract name; expected one of {', '.join(OSM_SUFFIXES)}"
        )
    return path


def _processor(path: Path, entities: osmium.osm.osm_entity_bits) -> osmium.FileProcessor:
    return osmium.FileProcessor(str(path), entities)


def _iterate(path: Path, fp: Iterable[object]) -> Iterator[object]:
    """Iterate a pyosmium processor, turning libosmium's errors into :class:`DataError`."""
    try:
        yield from fp
    except (RuntimeError, ValueError) as exc:
        raise DataError(
            f"{path.name} : fichier OSM illisible, tronqué ou corrompu (not a readable OSM file: {exc})"
        ) from exc


@dataclass
class _Relations:
    routes: list[RouteRelation] = field(default_factory=list)
    areas: dict[int, dict[str, str]] = field(default_factory=dict)  # relation id -> tags
    members: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # rel -> (way, role)


def _read_relations(path: Path) -> _Relations:
    out = _Relations()
    for rel in _iterate(path, _processor(path, osmium.osm.RELATION)):
        tags = dict(rel.tags)  # type: ignore[attr-defined]
        if tags.get("route") == "bicycle" and tags.get("type") in {"route", "superroute"}:
            members = list(rel.members)  # type: ignore[attr-defined]
            out.routes.append(
                RouteRelation(
                    id=rel.id,  # type: ignore[attr-defined]
                    tags=tags,
                    ways=tuple(m.ref for m in members if m.type == "w"),
                    relations=tuple(m.ref for m in members if m.type == "r"),
                )
            )
        elif tags.get("type") == "multipolygon" and (is_park(tags) or poi_category(tags)):
            rid = rel.id  # type: ignore[attr-defined]
            out.areas[rid] = tags
            out.members[rid] = [(m.ref, m.role) for m in rel.members if m.type == "w"]  # type: ignore[attr-defined]
    return out


def _in_bbox(lon: float, lat: float, bbox: BBox | None) -> bool:
    return bbox is None or (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3])


def _way_coords(way: osmium.osm.Way) -> list[Coord | None]:
    out: list[Coord | None] = []
    for nd in way.nodes:
        loc = nd.location
        out.append((nd.ref, loc.lon, loc.lat) if loc.valid() else None)
    return out


def _way_geometry(coords: list[Coord | None], *, area: bool) -> BaseGeometry | None:
    pts = [(c[1], c[2]) for c in coords if c is not None]
    if len(pts) < 2:
        return Point(pts[0]) if pts else None
    closed = coords[0] is not None and coords[0] == coords[-1] and len(pts) >= 4
    if area and closed:
        poly = Polygon(pts)
        return poly if poly.is_valid else poly.buffer(0)
    return LineString(pts)


#: Keys a tagged node must have to reach Python (POIs); libosmium drops the others.
NODE_KEYS: tuple[str, ...] = tuple(sorted({key for _, key, _ in POI_RULES} | {"tourism", "barrier"}))
#: Keys a way must have to reach Python (network, canals, parks, POIs); other ways only reach the
#: member collector (multipolygon rings are often untagged).
WAY_KEYS: tuple[str, ...] = tuple(sorted({*NODE_KEYS, "highway", "waterway", "leisure", "landuse"}))


class _Scanner:
    """Pass 2: nodes and ways, with locations (state kept between callbacks)."""

    def __init__(self, relations: _Relations, bbox: BBox | None) -> None:
        self.rel = relations
        self.bbox = bbox
        self.scan = FileScan(routes=relations.routes)
        self.member_ways = {w for ms in relations.members.values() for w, _ in ms}
        self.member_geoms: dict[int, BaseGeometry] = {}

    def node(self, node: osmium.osm.Node) -> None:
        loc = node.location
        if not loc.valid():
            return
        tags = dict(node.tags)
        if "barrier" in tags and any(barrier_blocks(tags)):
            self.scan.barriers[node.id] = {k: tags[k] for k in NODE_TAGS if k in tags}
        if poi_category(tags) and _in_bbox(loc.lon, loc.lat, self.bbox):
            self.scan.pois.append(OsmFeature("node", node.id, tags, Point(loc.lon, loc.lat)))

    def member(self, way: osmium.osm.Way) -> None:
        """Keep the geometry of a ring of a multipolygon of interest (any way, tagged or not)."""
        if way.id in self.member_ways:
            self.member_geoms[way.id] = _way_geometry(_way_coords(way), area=False) or Point()

    def way(self, way: osmium.osm.Way) -> None:
        self.member(way)
        tags = dict(way.tags)
        network = "highway" in tags and candidate_way(tags)
        if not (network or is_canal(tags) or is_park(tags) or poi_category(tags)):
            return
        coords = _way_coords(way)
        valid = [c for c in coords if c is not None]
        if not valid or not any(_in_bbox(lon, lat, self.bbox) for _, lon, lat in valid):
            self.scan.ways_outside += network
            return
        if network:
            self.scan.missing_refs += len(coords) - len(valid)
            self.scan.ways.append(RawWay(way.id, tags, coords))
        self._way_feature(way.id, tags, coords)

    def _way_feature(self, wid: int, tags: dict[str, str], coords: list[Coord | None]) -> None:
        if is_canal(tags):
            geom = _way_geometry(coords, area=False)
            if isinstance(geom, LineString):
                self.scan.canals.append(OsmFeature("way", wid, tags, geom))
        park, category = is_park(tags), poi_category(tags)
        if park or category:
            geom = _way_geometry(coords, area=True)
            if geom is None:
                return
            if park and isinstance(geom, Polygon) and not geom.is_empty:
                self.scan.parks.append(OsmFeature("way", wid, tags, geom))
            if category:
                self.scan.pois.append(OsmFeature("way", wid, tags, geom))

    def finish(self, *, want_extent: bool) -> FileScan:
        for rid, tags in self.rel.areas.items():
            geom = _assemble(self.rel.members[rid], self.member_geoms)
            if geom is None:
                continue
            if is_park(tags):
                self.scan.parks.append(OsmFeature("relation", rid, tags, geom))
            if poi_category(tags):
                self.scan.pois.append(OsmFeature("relation", rid, tags, geom))
        if want_extent:
            self.scan.extent = _extent(self.scan)
        return self.scan


class _MemberCollector:
    """pyosmium handler for the ways the key filter drops: only multipolygon rings matter."""

    def __init__(self, scanner: _Scanner) -> None:
        self.scanner = scanner

    def way(self, way: osmium.osm.Way) -> None:
        self.scanner.member(way)


def _extent(scan: FileScan) -> BBox | None:
    """Bounding box of the network ways, POIs, parks and canals read."""
    xs: list[float] = []
    ys: list[float] = []
    for way in scan.ways:
        for c in way.nodes:
            if c is not None:
                xs.append(c[1])
                ys.append(c[2])
    for f in (*scan.pois, *scan.parks, *scan.canals):
        w, s, e, n = f.geometry.bounds
        xs += [w, e]
        ys += [s, n]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _assemble(members: list[tuple[int, str]], geoms: dict[int, BaseGeometry]) -> BaseGeometry | None:
    """A multipolygon from its member ways (outer rings minus inner rings); None if incomplete."""
    outer = [geoms[w] for w, role in members if role != "inner" and w in geoms]
    inner = [geoms[w] for w, role in members if role == "inner" and w in geoms]
    if not outer or len(outer) + len(inner) < len(members):
        return None
    shell = shapely.union_all(shapely.polygonize([g for g in outer if g.geom_type == "LineString"]).geoms)
    if inner:
        holes = shapely.polygonize([g for g in inner if g.geom_type == "LineString"])
        shell = shell.difference(shapely.union_all(holes.geoms))
    return None if shell.is_empty else shell


def scan_file(path: Path, *, bbox: BBox | None = None, want_extent: bool = False) -> FileScan:
    """Read an extract: network ways, POIs, parks, canals and cycle-route relations.

    Parameters
    ----------
    path
        The extract (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``).
    bbox
        ``(west, south, east, north)`` in WGS84: keep only ways with a node inside, and POIs
        and parks inside (the cheap pre-cut of a large file; the exact cut is done on the graph).
    want_extent
        Also compute the extent of the data: the bounding box of the network ways, POIs, parks
        and canals read (``--area file``).

    Only tagged nodes with a POI key and ways with a network, canal, park or POI key reach
    Python (libosmium's key filters drop the rest, e.g. buildings and address points), except
    the untagged rings of the park and POI multipolygons.

    Raises
    ------
    SourceError
        When the file does not exist.
    DataError
        When it is not an OSM file pyosmium can read (naming the file).
    """
    path = check_osm_file(path)
    relations = _read_relations(path)
    scanner = _Scanner(relations, bbox)
    node_filter = osmium.filter.KeyFilter(*NODE_KEYS)
    node_filter.enable_for(osmium.osm.NODE)
    way_filter = osmium.filter.KeyFilter(*WAY_KEYS)
    way_filter.enable_for(osmium.osm.WAY)
    fp = (
        _processor(path, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(node_filter)
        .with_filter(way_filter)
    )
    if scanner.member_ways:
        fp.handler_for_filtered(_MemberCollector(scanner))
    for obj in _iterate(path, fp):
        if obj.is_node():  # type: ignore[attr-defined]
            scanner.node(obj)  # type: ignore[arg-type]
        elif obj.is_way():  # type: ignore[attr-defined]
            scanner.way(obj)  # type: ignore[arg-type]
    scan = scanner.finish(want_extent=want_extent)
    logger.info(
        "%s: %d network ways, %d POIs, %d parks, %d canals, %d cycle-route relations, "
        "%d node references of network ways missing from the file",
        path.name, len(scan.ways), len(scan.pois), len(scan.parks), len(scan.canals),
        len(scan.routes), scan.missing_refs,
    )
    return scan


def split_runs(nodes: list[Coord | None]) -> list[list[Coord]]:
    """The runs of consecutive present nodes with at least two nodes.

    >>> a, b, c, d = (1, 0.0, 0.0), (2, 1.0, 0.0), (3, 2.0, 0.0), (4, 3.0, 0.0)
    >>> [[n[0] for n in run] for run in split_runs([a, b, None, c, d, None, a])]
    [[1, 2], [3, 4]]
    """
    runs: list[list[Coord]] = [[]]
    for n in nodes:
        if n is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(n)
    return [r for r in runs if len(r) >= 2]


def write_network_xml(
    ways: Iterable[RawWay], path: Path, *, barriers: dict[int, dict[str, str]] | None = None
) -> dict[int, int]:
    """Write the ways (split at missing nodes) and their nodes as OSM XML for osmnx.

    ``barriers``: node id → barrier tags, written on those nodes (osmnx reads them as node
    attributes, :data:`parcs.osm.access.NODE_TAGS`).

    Returns
    -------
    dict
        Synthetic way id → OSM way id, for the pieces after the first of a split way.
    """
    synthetic: dict[int, int] = {}
    nodes: dict[int, tuple[float, float]] = {}
    pieces: list[tuple[int, list[int], dict[str, str]]] = []
    for way in ways:
        for i, run in enumerate(split_runs(way.nodes)):
            wid = way.id
            if i:
                wid = -(len(synthetic) + 1)
                synthetic[wid] = way.id
            for nid, lon, lat in run:
                nodes[nid] = (lon, lat)
            pieces.append((wid, [n[0] for n in run], way.tags))
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    try:
        for nid in sorted(nodes):
            tags = (barriers or {}).get(nid, {})
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=nodes[nid], tags=tags))
        for wid, refs, tags in pieces:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
    finally:
        writer.close()
    return synthetic


def restore_way_ids(G: nx.MultiDiGraph, synthetic: dict[int, int]) -> None:  # noqa: N803
    """Put the OSM way id back on the edges of split pieces (in place)."""
    if not synthetic:
        return
    for _, _, d in G.edges(data=True):
        d["osmid"] = synthetic.get(d["osmid"], d["osmid"])

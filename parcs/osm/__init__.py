"""The OpenStreetMap source: the planner's network built from OSM with osmnx, online or from a file.

``parcs build --source osm`` downloads the area from the Overpass API; ``parcs build --source
osm-file PATH`` reads a local ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` extract (e.g.
Geofabrik's Nord-Pas-de-Calais). Both give the same :class:`parcs.artifact.Network` as the
open-data build: an osmnx ``MultiDiGraph`` following :mod:`parcs.schema` (``kind``, ``surface``,
``status``, ``route_refs``, elevation profiles and grades...), park units, POIs, communes,
perimeter and metadata. On top of the contract every edge carries access flags for its own
direction from the access table of :mod:`parcs.osm.access` (country defaults included):
``foot_ok`` and ``bike_ok`` (a cycleway not shared with walkers is ``foot_ok = False`` outside
Finland, the edge against a one-way street ``bike_ok = False`` unless it has a contraflow),
``bike_push`` (a cyclist may only push the bike: footways, steps...) and ``major`` (primary,
secondary and trunk roads): the routing core forbids ``bike_ok = False`` edges to the cycling
profile and ``foot_ok = False`` edges to the walking ones, times pushing at walking pace and
adds a penalty on major roads. Barrier nodes that block a mode are split
(:mod:`parcs.osm.barriers`), pedestrian areas are crossed (:mod:`parcs.osm.areas`), and every
connected piece is kept.

The steps, each in its module:

1. the area (:func:`resolve_area`): ``perimeter`` (the Pôle, plus the open-data build's 2 km
   margin for the network), ``file`` (the extent of the file's data) or ``W,S,E,N`` (WGS84);
2. the OSM data: :mod:`parcs.osm.extract` (pyosmium) or :mod:`parcs.osm.overpass` (osmnx);
3. the graph: :mod:`parcs.osm.graph` (tags → kinds and access, :mod:`parcs.osm.tags` and
   :mod:`parcs.osm.access`; barriers; pedestrian areas; simplification; Lambert-93 in France,
   the local UTM zone elsewhere; towpaths along canals);
4. in the Artois, the open-data layers laid on the OSM edges (:mod:`parcs.osm.opendata`);
5. elevation: :func:`parcs.elevation.add_elevation` with ``dem`` files, or the SRTM tiles of the
   sources when they cover the network; otherwise elevation 0 everywhere, climb and grades 0,
   ``meta["elevation"] = "none"`` and a warning (nothing is invented);
6. the layers (:mod:`parcs.osm.layers`): POIs, park units, communes.

A regional extract (``parcs build --source osm-file FILE --stream``) takes another path that
never holds a networkx graph: :mod:`parcs.osm.stream` streams the ways into flat arrays,
:mod:`parcs.osm.assemble` rebuilds the same simplified network with numpy, and
:mod:`parcs.osm.streamed` adds towpaths and elevation and returns an
:class:`~parcs.osm.streamed.ArrayNetwork` (written as an osmnx-readable GeoPackage,
:mod:`parcs.gpkg`). It builds no park units, POIs or communes yet.
"""

from parcs.osm.build import OsmArea, build_osm_network, parse_area, resolve_area

__all__ = ["OsmArea", "build_osm_network", "parse_area", "resolve_area"]

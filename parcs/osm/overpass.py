"""Download the OSM data of an area from the Overpass API with osmnx.

Three kinds of requests, all through osmnx's HTTP layer (its cache in ``data/cache/osmnx``, its
rate limiting, its settings):

- the network: :func:`osmnx.graph_from_polygon` with :data:`parcs.osm.tags.OVERPASS_FILTER`
  (unsimplified, every component: :mod:`parcs.osm.graph` does the rest as for a file);
- POIs, parks and canals: :func:`osmnx.features_from_polygon` with
  :data:`parcs.osm.tags.FEATURE_TAGS`;
- cycle-route relations, which osmnx does not keep: one Overpass QL query
  (``rel["route"="bicycle"]`` in the area's bounding box and their parent superroutes) sent with
  osmnx's private ``_overpass._overpass_request`` (same cache and pauses as the other two).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import networkx as nx
import osmnx as ox
import requests
from osmnx import _overpass
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError
from shapely.geometry.base import BaseGeometry

from parcs._errors import BuildError, SourceError
from parcs.osm.extract import OsmFeature
from parcs.osm.tags import (
    FEATURE_TAGS,
    OVERPASS_FILTER,
    RouteRelation,
    is_canal,
    is_park,
    poi_category,
)

logger = logging.getLogger(__name__)

_NOT_TAGS = frozenset({"geometry", "nodes", "ways", "members"})


def _unreachable(exc: Exception) -> SourceError:
    return SourceError(
        f"the Overpass API ({ox.settings.overpass_url}) could not be reached or refused the "
        f"request ({exc}); build from an extract instead: `parcs build --source osm-file PATH`"
    )


def download_network(polygon: BaseGeometry) -> nx.MultiDiGraph:
    """The raw (unsimplified) network of ``polygon`` (WGS84), every component kept.

    Raises
    ------
    SourceError
        When the Overpass API cannot be reached.
    BuildError
        When it returns no way of the network in the area.
    """
    try:
        return ox.graph_from_polygon(
            polygon, custom_filter=OVERPASS_FILTER, simplify=False, retain_all=True
        )
    except requests.exceptions.RequestException as exc:
        raise _unreachable(exc) from exc
    except ResponseStatusCodeError as exc:
        raise _unreachable(exc) from exc
    except (InsufficientResponseError, ValueError) as exc:
        raise BuildError(f"the Overpass API returned no network way in the area ({exc})") from exc


def _row_tags(row: dict[str, Any]) -> dict[str, str]:
    return {
        str(k): str(v)
        for k, v in row.items()
        if k not in _NOT_TAGS and isinstance(v, str | int | float) and v == v and str(v) != ""
    }


def download_features(
    polygon: BaseGeometry,
) -> tuple[list[OsmFeature], list[OsmFeature], list[OsmFeature]]:
    """POIs, parks and canals of ``polygon`` (WGS84), as :class:`~parcs.osm.extract.OsmFeature`."""
    try:
        gdf = ox.features_from_polygon(polygon, tags=dict(FEATURE_TAGS))
    except requests.exceptions.RequestException as exc:
        raise _unreachable(exc) from exc
    except ResponseStatusCodeError as exc:
        raise _unreachable(exc) from exc
    except InsufficientResponseError:
        logger.warning("the Overpass API returned no POI, park or canal in the area")
        return [], [], []
    pois, parks, canals = [], [], []
    for (element, osm_id), row in zip(gdf.index, gdf.to_dict("records"), strict=True):
        tags = _row_tags(row)
        feature = OsmFeature(str(element), int(osm_id), tags, row["geometry"])
        if is_canal(tags) and feature.geometry.geom_type in {"LineString", "MultiLineString"}:
            canals.append(feature)
        if is_park(tags) and feature.geometry.geom_type in {"Polygon", "MultiPolygon"}:
            parks.append(feature)
        if poi_category(tags):
            pois.append(feature)
    return pois, parks, canals


def routes_query(bounds: tuple[float, float, float, float]) -> str:
    """The Overpass QL of the cycle-route relations in ``(west, south, east, north)``."""
    w, s, e, n = bounds
    header = _overpass._make_overpass_settings()
    return (
        f'{header};rel["route"="bicycle"]({s:.6f},{w:.6f},{n:.6f},{e:.6f})->.r;'
        '(.r;rel(br.r)["route"="bicycle"];);out body;'
    )


def download_routes(polygon: BaseGeometry) -> list[RouteRelation]:
    """The ``route=bicycle`` relations with a member in the area's bounding box, and parents."""
    query = routes_query(polygon.bounds)
    try:
        response = _overpass._overpass_request(OrderedDict(data=query))
    except requests.exceptions.RequestException as exc:
        raise _unreachable(exc) from exc
    except ResponseStatusCodeError as exc:
        raise _unreachable(exc) from exc
    out = []
    for el in response.get("elements", []):
        if el.get("type") != "relation":
            continue
        members = el.get("members", [])
        out.append(
            RouteRelation(
                id=int(el["id"]),
                tags={str(k): str(v) for k, v in el.get("tags", {}).items()},
                ways=tuple(int(m["ref"]) for m in members if m.get("type") == "way"),
                relations=tuple(int(m["ref"]) for m in members if m.get("type") == "relation"),
            )
        )
    return out

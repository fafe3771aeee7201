"""In the Artois: lay the open-data greenway layers on the OSM network, so it is never poorer.

The open-data lines (:func:`parcs.layers.load_greenway_lines`: EuroVelo 5, the ADAV véloroutes
and voies vertes, the cavaliers, the ADAV advised on-road routes) are matched to OSM edges by
geometry: in each layer, an edge takes the identity of the line along which at least
:data:`MATCH_SHARE` of its length runs within :data:`MATCH_M` metres (the one it shares most length
with). Every layer is laid in turn, so an edge can carry a véloroute and a cavalier identity, as
in the open-data build. A matched edge gets:

- the line's route references (``route_refs``, merged) and its source (``source``, appended);
- the works ``status`` of the first layer that knows it (a véloroute in project reads ``planned``);
- its kind upgraded when the line's kind ranks higher (:data:`KIND_RANK`: eurovelo, veloroute,
  cavalier, towpath, voie_verte, track, path) — roads stay roads: a road under a véloroute or an
  advised route becomes ``advised_route``, never a greenway;
- for a cavalier, its ``heritage`` identity (``cavalier <section id>``) and, when the OSM way is
  unnamed, the cavalier's name.

Edges carry ``heritage`` ('' when none) as in the open-data build.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

logger = logging.getLogger(__name__)

#: Distance (m) within which an edge runs along an open-data line.
MATCH_M = 25.0
#: Share of an edge's length that must run along the line.
MATCH_SHARE = 0.6
#: Greenway kinds by precedence (lower wins).
KIND_RANK: dict[str, int] = {
    k: i
    for i, k in enumerate(("eurovelo", "veloroute", "cavalier", "towpath", "voie_verte", "track", "path"))
}
_ROADS = frozenset({"connector", "advised_route"})
_ROUTE_KINDS = frozenset({"eurovelo", "veloroute", "advised_route"})


def _join(*values: str) -> str:
    out: list[str] = []
    for v in values:
        for part in str(v or "").split(";"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return ";".join(out)


def _apply(d: dict[str, Any], line: dict[str, Any], *, set_status: bool) -> None:
    """Give one edge the identity of one open-data line (in place)."""
    kind = str(d["kind"])
    lkind = str(line["kind"])
    if kind in _ROADS:
        if lkind in _ROUTE_KINDS:
            d["kind"] = "advised_route"
    elif lkind in KIND_RANK and KIND_RANK[lkind] < KIND_RANK.get(kind, 99):
        d["kind"] = lkind
    d["route_refs"] = _join(d.get("route_refs", ""), line.get("route_refs", ""))
    d["source"] = _join(d.get("source", "osm"), line.get("source", ""))
    if set_status and line.get("status") in {"built", "planned"}:
        d["status"] = line["status"]
    if line.get("heritage"):
        d["heritage"] = _join(d.get("heritage", ""), line["heritage"])
        if not d.get("name"):
            d["name"] = line.get("name", "")


def _best_matches(
    geoms: np.ndarray, lines: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """(edge index, line index) of each edge's best match."""
    zones = shapely.buffer(lines.geometry.values, MATCH_M, quad_segs=4)
    tree = shapely.STRtree(zones)
    ie, il = tree.query(geoms, predicate="intersects")
    if ie.size == 0:
        return ie, il
    lengths = shapely.length(geoms)
    shared = shapely.length(shapely.intersection(geoms[ie], zones[il]))
    ok = (lengths[ie] > 0) & (shared >= MATCH_SHARE * lengths[ie])
    ie, il, shared = ie[ok], il[ok], shared[ok]
    order = np.lexsort((il, -shared, ie))
    ie, il = ie[order], il[order]
    first = np.r_[True, ie[1:] != ie[:-1]] if ie.size else np.zeros(0, dtype=bool)
    return ie[first], il[first]


def enrich_from_opendata(
    G: nx.MultiDiGraph,  # noqa: N803
    layers: Sequence[gpd.GeoDataFrame],
) -> dict[str, int]:
    """Match the open-data line layers (priority order) to the edges of ``G`` (in place).

    Parameters
    ----------
    G
        The OSM network, projected (its ``crs``).
    layers
        Line tables of :func:`parcs.layers.load_greenway_lines` (any CRS).

    Returns
    -------
    dict
        Edges matched per source.
    """
    edges = list(G.edges(data=True))
    for _, _, d in edges:
        d.setdefault("heritage", "")
    if not edges:
        return {}
    geoms = np.asarray([d["geometry"] for _, _, d in edges], dtype=object)
    status_set = np.zeros(len(edges), dtype=bool)
    counts: dict[str, int] = {}
    for layer in layers:
        if layer.empty:
            continue
        lines = layer.to_crs(G.graph["crs"]).reset_index(drop=True)
        ie, il = _best_matches(geoms, lines)
        records = lines.drop(columns="geometry").to_dict("records")
        for e, li in zip(ie.tolist(), il.tolist(), strict=True):
            rec = records[li]
            _apply(edges[e][2], rec, set_status=not status_set[e])
            status_set[e] |= rec.get("status") in {"built", "planned"}
            src = str(rec.get("source", ""))
            counts[src] = counts.get(src, 0) + 1
    logger.info("open-data identities laid on OSM edges: %s", counts)
    return counts

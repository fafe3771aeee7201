"""Unmapped links for a line table (the open-data build, step 4c of :mod:`parcs.network`).

The pieces of the network become a :class:`~parcs.unmapped.network.PlainNetwork` (greenway kinds
are greenway, connectors and advised roads are network but not greenway), links are placed by
:func:`~parcs.unmapped.placement.place_links` with the calibrated rule and returned as lines of
kind ``unmapped``. Each carries its circuity factors (``est_factor``, ``low_factor``,
``high_factor``): once noded, every piece of a link gets ``length = est_factor × straight``
(:func:`apply_estimates`), so pieces split by the noding keep the right estimate.
"""

from __future__ import annotations

import itertools
import logging

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from scipy.spatial import cKDTree

from parcs.schema import is_greenway
from parcs.unmapped.calibration import Calibration, load_calibration
from parcs.unmapped.network import from_lines
from parcs.unmapped.placement import PlacementRule, place_links

logger = logging.getLogger(__name__)

#: Kind of the unmapped links (never a greenway).
UNMAPPED = "unmapped"
#: Extra columns of the link lines.
FACTOR_COLUMNS = ("est_factor", "low_factor", "high_factor")


def unmapped_lines(
    pieces: gpd.GeoDataFrame, *, rule: PlacementRule | None = None, calibration: Calibration | None = None,
    step_m: float = 100.0,
) -> gpd.GeoDataFrame:
    """The unmapped links of a noded line table (``kind`` column), as lines of kind ``unmapped``."""
    cal = calibration or load_calibration()
    flags = np.array([is_greenway(str(k)) for k in pieces["kind"]], dtype=bool)
    net = from_lines(pieces.geometry.values, flags, step_m=step_m, simplify_m=0.0)
    links = place_links(net, rule=rule)
    columns = [*pieces.columns.drop("geometry", errors="ignore"), *FACTOR_COLUMNS]
    if len(links) == 0:
        return gpd.GeoDataFrame(columns=[*columns, "geometry"], geometry="geometry", crs=pieces.crs)
    lo, mid, hi = cal.estimate(links.straight, network_m=links.network_m)
    rows = []
    for k in range(len(links)):
        s = float(links.straight[k])
        rows.append({
            "kind": UNMAPPED, "name": "", "surface": "unknown", "status": "unknown", "works_status": "",
            "source": "unmapped:" + ("joins" if links.joins[k] else "shortcut"), "route_refs": "",
            "heritage": "", "also": "", "gap_m": s,
            "est_factor": float(mid[k]) / s, "low_factor": float(lo[k]) / s, "high_factor": float(hi[k]) / s,
            "geometry": shapely.linestrings(net.xy[[links.a[k], links.b[k]]]),
        })
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=pieces.crs)
    logger.info("%d unmapped links, %.1f km straight (%.0f %% of the greenway km)", len(links),
                links.total_m / 1000, 100 * links.total_m / max(1.0, 1000 * net.greenway_km()))
    return frame.reindex(columns=[*[c for c in columns if c in frame.columns or c in pieces.columns], "geometry"])


def insert_links(pieces: gpd.GeoDataFrame, links: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The pieces split at the links' ends, plus the links, each link one piece.

    Unlike a full noding, a link is never split where it crosses a way or another link: a
    straight line drawn over a way does not mean the streets meet it there.
    """
    if len(links) == 0:
        return pieces
    ends = np.concatenate([shapely.get_coordinates(shapely.get_point(links.geometry.values, i)) for i in (0, -1)])
    ends = ends[np.unique(np.round(ends, 2), axis=0, return_index=True)[1]]
    pts = shapely.points(ends)
    tree = cKDTree(ends)
    geoms = pieces.geometry.values
    # one way per end: the one it was sampled on (never join two ways that merely pass close by)
    pi, li = shapely.STRtree(geoms).query_nearest(pts, all_matches=False)
    rows = []
    for line_idx in np.unique(li):
        line = geoms[line_idx]
        cut = pts[pi[li == line_idx]]
        at = np.unique(shapely.line_locate_point(line, cut))
        at = at[(at > 0.01) & (at < line.length - 0.01)]
        if len(at) == 0:
            continue
        for a, b in itertools.pairwise(np.r_[0.0, at, line.length]):
            rows.append((line_idx, _snap_ends(shapely.ops.substring(line, a, b), ends, tree)))
    split = {i for i, _ in rows}
    keep = pieces.iloc[[i for i in range(len(pieces)) if i not in split]]
    parts = pieces.iloc[[i for i, _ in rows]].set_geometry([g for _, g in rows], crs=pieces.crs)
    out = pd.concat([keep, parts, links], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=pieces.crs)


def _snap_ends(part: shapely.LineString, ends: np.ndarray, tree: cKDTree) -> shapely.LineString:
    """The part with its ends set exactly on the link ends they lie on (so they share nodes)."""
    coords = shapely.get_coordinates(part)
    for i in (0, -1):
        d, j = tree.query(coords[i])
        if d <= 0.05:
            coords[i] = ends[j]
    return shapely.linestrings(coords)


def apply_estimates(graph: nx.MultiDiGraph) -> int:
    """Give every ``unmapped`` edge its estimated length and range (in place); returns their count.

    ``straight_m`` is the straight length; ``length`` the estimate; ``length_low``/``length_high``
    the range. Other edges lose the empty factor attributes.
    """
    n = 0
    for _, _, d in graph.edges(data=True):
        factors = [d.pop(c, None) for c in FACTOR_COLUMNS]
        if d.get("kind") != UNMAPPED:
            continue
        straight = float(d["length"])
        est, low, high = (float(f) if f is not None and np.isfinite(f) else 1.0 for f in factors)
        d["straight_m"] = straight
        d["length"] = straight * est
        d["length_low"] = straight * low
        d["length_high"] = straight * high
        n += 1
    return n

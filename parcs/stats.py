"""Figures of a built network: km by kind and status inside the perimeter, components, elevation.

Every figure is computed from the graph itself (each way counted once, not once per direction).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from parcs.schema import is_greenway

#: Greenway length announced by the Pôle for the Chaîne des parcs.
ANNOUNCED_GREENWAY_KM = 420.0


def ways_frame(graph: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """One row per way (forward edges only: ``reversed`` is False) with kind, status and geometry."""
    rows = [
        (d.get("kind", ""), d.get("status", "unknown"), d.get("surface", "unknown"), d["geometry"])
        for _, _, d in graph.edges(data=True)
        if not d.get("reversed", False)
    ]
    return gpd.GeoDataFrame(
        rows, columns=["kind", "status", "surface", "geometry"], geometry="geometry",
        crs=graph.graph.get("crs"),
    )


def _km_by(ways: gpd.GeoDataFrame, column: str, lengths: np.ndarray) -> dict[str, float]:
    series = pd.Series(lengths / 1000.0, index=ways.index).groupby(ways[column]).sum()
    return {str(k): round(float(v), 2) for k, v in series.sort_values(ascending=False).items()}


def components(graph: nx.MultiDiGraph, *, greenways_only: bool = False) -> int:
    """Number of weakly connected components (optionally of the greenway-only sub-network)."""
    if greenways_only:
        edges = [(u, v) for u, v, k in graph.edges(data="kind") if is_greenway(k)]
        sub = nx.Graph(edges)
        return nx.number_connected_components(sub) if sub.number_of_nodes() else 0
    return nx.number_weakly_connected_components(graph)


def network_stats(
    graph: nx.MultiDiGraph,
    *,
    perimeter: BaseGeometry,
    pois: gpd.GeoDataFrame | None = None,
) -> dict[str, Any]:
    """The figures of ``parcs stats``: km by kind and status inside the perimeter and in all."""
    ways = ways_frame(graph)
    inside = shapely.length(shapely.intersection(ways.geometry.values, perimeter))
    total = shapely.length(ways.geometry.values)
    green = ways["kind"].map(is_greenway).to_numpy(dtype=bool)
    elev = np.array([d.get("elevation", np.nan) for _, d in graph.nodes(data=True)], dtype=float)
    out: dict[str, Any] = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "ways": len(ways),
        "km_total": round(float(total.sum()) / 1000.0, 2),
        "km_in_perimeter": round(float(inside.sum()) / 1000.0, 2),
        "km_by_kind": _km_by(ways, "kind", inside),
        "km_by_status": _km_by(ways, "status", inside),
        "km_by_surface": _km_by(ways, "surface", inside),
        "greenway_km": round(float(inside[green].sum()) / 1000.0, 2),
        "greenway_km_announced": ANNOUNCED_GREENWAY_KM,
        "components": components(graph),
        "greenway_components": components(graph, greenways_only=True),
        "elevation_min_m": round(float(np.nanmin(elev)), 1) if np.isfinite(elev).any() else None,
        "elevation_max_m": round(float(np.nanmax(elev)), 1) if np.isfinite(elev).any() else None,
    }
    if pois is not None and len(pois):
        counts = pois["category"].value_counts()
        out["pois_by_category"] = {str(k): int(v) for k, v in counts.items()}
    return out

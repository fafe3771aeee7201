"""The open-data build: sources → perimeter → greenway graph → elevation → park units → POIs.

This is the I/O edge of the territory package: it reads the fetched sources, calls the pure steps
of :mod:`parcs.network`, :mod:`parcs.elevation`, :mod:`parcs.parks` and :mod:`parcs.pois`, and
returns the :class:`parcs.artifact.Network`; :func:`routing.build.write_build` writes it, with the
routing core's compiled arrays, atomically.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from parcs import elevation, parks, pois, sources
from parcs.artifact import Network
from parcs.layers import load_greenway_lines
from parcs.network import build_graph
from parcs.perimeter import load_perimeter
from parcs.stats import network_stats
from parcs.unmapped.calibration import load_calibration
from parcs.unmapped.placement import PlacementRule

logger = logging.getLogger(__name__)

#: Margin around the perimeter within which greenways are kept (m).
AREA_MARGIN_M = 2000.0


def _unmapped_meta() -> dict[str, Any]:
    """The rule and route margin of the unmapped links (read by the itineraries)."""
    cal = load_calibration()
    return {"rule": dataclasses.asdict(PlacementRule()), "route_low": cal.route_low, "route_high": cal.route_high}


def build_opendata(*, sources_dir: Path | None = None, progress: bool = True) -> Network:
    """Build the network of the Pôle from the fetched open-data sources (pure of writes).

    Parameters
    ----------
    sources_dir
        Folder of fetched sources (default ``data/sources``).
    progress
        Show a progress bar over the build steps.
    """
    t0 = time.perf_counter()
    steps = tqdm(total=6, desc="build", unit="step", disable=not progress, leave=False)

    def step(label: str) -> None:
        steps.set_postfix_str(label)
        steps.update(1)

    perimeter = load_perimeter(sources.source_path("bassin-minier/communes-mbm.geojson", sources=sources_dir))
    area = perimeter.geometry.buffer(AREA_MARGIN_M)
    step("lines")
    layers = load_greenway_lines(area=area, sources=sources_dir)
    step("graph")
    graph, report = build_graph(layers)
    step("elevation")
    dem = elevation.load_dem(elevation.dem_paths(sources_dir))
    graph = elevation.add_elevation(graph, dem=dem)
    step("parks")
    park_gdf = parks.attach_access_nodes(parks.build_parks(perimeter, sources=sources_dir), graph)
    step("pois")
    poi_gdf = pois.build_pois(perimeter, parks=park_gdf, G=graph, sources=sources_dir)
    step("stats")
    steps.close()
    meta: dict[str, Any] = {
        "source": "opendata",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "network_report": dataclasses.asdict(report),
        "perimeter": {"communes": len(perimeter.communes), "population": perimeter.population},
        "unmapped": _unmapped_meta(),
    }
    meta["stats"] = network_stats(graph, perimeter=perimeter.geometry, pois=poi_gdf)
    meta["build_seconds"] = round(time.perf_counter() - t0, 2)
    return Network(
        graph=graph, parks=park_gdf, pois=poi_gdf, communes=perimeter.communes,
        perimeter=perimeter.geometry, meta=meta,
    )

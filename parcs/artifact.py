"""The built network artifact: graph + park units + POIs + communes + perimeter + metadata.

Layout of ``data/build/<source>/`` (written atomically as a whole folder: ``<source>`` is a
symbolic link to the current version ``<source>.<stamp>``, see :func:`parcs.atomic.atomic_dir`):

- ``graph.pkl``: the osmnx ``MultiDiGraph`` (EPSG:2154), pickled; or, for a regional build held
  as arrays (``parcs build --source osm-file FILE --stream``), ``network.gpkg``: its nodes and
  edges, which :func:`osmnx.graph_from_gdfs` turns back into the graph (:mod:`parcs.gpkg`);
- ``parks.geojson``, ``pois.geojson``, ``communes.geojson``, ``perimeter.geojson``: WGS84 layers;
- ``meta.json``: source, build time, counts, figures of :func:`parcs.stats.network_stats`;
- ``compiled.npz`` (+ ``compiled.json``): the routing core's arrays, written by
  :func:`routing.compiled.save_compiled` at build time, so queries never touch the pickle.

A file that is truncated, empty, corrupt or of the wrong shape raises
:class:`parcs.DamagedBuildError`, whose message says how to rebuild (:func:`damaged`).
"""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
from shapely.geometry.base import BaseGeometry

from parcs import paths
from parcs._errors import BuildError
from parcs.atomic import atomic_dir, resolve_dir
from parcs.buildfiles import META_FILE, damaged, read_meta
from parcs.perimeter import CRS, WGS84

logger = logging.getLogger(__name__)

GRAPH_FILE = "graph.pkl"
LAYERS = ("parks", "pois", "communes")

__all__ = ["GRAPH_FILE", "LAYERS", "META_FILE", "Network", "damaged", "load_layer", "load_meta",
           "load_network", "read_meta", "require_build", "save_network"]


@dataclass(frozen=True)
class Network:
    """A built network and the layers that go with it, all in ``graph.graph["crs"]`` (EPSG:2154 for the Pôle)."""

    graph: nx.MultiDiGraph
    parks: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    perimeter: BaseGeometry
    meta: dict[str, Any] = field(default_factory=dict)


def _write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf.to_crs(WGS84).to_file(path, driver="GeoJSON")


def save_network(
    net: Network, directory: Path | None = None, *, extra: Any = None, wait: bool = True,
    locked: bool = False,
) -> Path:
    """Write ``net`` to ``directory`` (default ``data/build/<meta['source']>``) atomically.

    ``extra`` is a callable ``extra(tmpdir)`` run inside the temporary folder before the swap, so
    derived files (the routing core's compiled arrays) land in the same atomic step. ``wait`` and
    ``locked`` are those of :func:`parcs.atomic.atomic_dir` (another build of the same folder is
    waited for, or refused with :class:`parcs.BuildBusyError`).
    """
    directory = directory or paths.build_dir(net.meta.get("source", "opendata"))
    crs = str(net.graph.graph.get("crs", CRS))
    meta = {**net.meta, "crs": crs}
    with atomic_dir(directory, wait=wait, locked=locked) as tmp:
        with (tmp / GRAPH_FILE).open("wb") as fh:
            pickle.dump(net.graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for name in LAYERS:
            _write_layer(getattr(net, name), tmp / f"{name}.geojson")
        _write_layer(gpd.GeoDataFrame(geometry=[net.perimeter], crs=crs), tmp / "perimeter.geojson")
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str))
        if extra is not None:
            extra(tmp)
    logger.info("network written to %s", directory)
    return directory


def save_array_network(net: Any, directory: Path | None = None, *, extra: Any = None,
                       wait: bool = True, locked: bool = False) -> Path:
    """Write an :class:`parcs.osm.streamed.ArrayNetwork` atomically: ``network.gpkg`` instead
    of ``graph.pkl``, the layers and ``meta.json``; ``extra``, ``wait`` and ``locked`` as in
    :func:`save_network`."""
    from parcs.gpkg import GPKG_FILE, write_network_gpkg

    directory = directory or paths.build_dir(net.meta.get("source", "osm-file"))
    crs = net.graph.crs
    with atomic_dir(directory, wait=wait, locked=locked) as tmp:
        write_network_gpkg(net, tmp / GPKG_FILE)
        for name in LAYERS:
            _write_layer(getattr(net, name), tmp / f"{name}.geojson")
        _write_layer(gpd.GeoDataFrame(geometry=[net.perimeter], crs=crs), tmp / "perimeter.geojson")
        meta = {**net.meta, "crs": crs}
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str))
        if extra is not None:
            extra(tmp)
    logger.info("network written to %s", directory)
    return directory


def _read_graph(directory: Path) -> nx.MultiDiGraph:
    """The pickled graph, else the graph of ``network.gpkg`` (regional builds).

    Raises
    ------
    DamagedBuildError
        When the file is missing, unreadable or does not hold a graph.
    """
    from parcs.gpkg import GPKG_FILE, read_network_gpkg

    if not (directory / GRAPH_FILE).is_file() and (directory / GPKG_FILE).is_file():
        try:
            return read_network_gpkg(directory / GPKG_FILE)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise damaged(directory / GPKG_FILE, f"illisible, {type(exc).__name__}") from exc
    try:
        with (directory / GRAPH_FILE).open("rb") as fh:
            graph = pickle.load(fh)
    except FileNotFoundError as exc:
        raise damaged(directory / GRAPH_FILE, "fichier absent") from exc
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError) as exc:
        raise damaged(directory / GRAPH_FILE, f"illisible, {type(exc).__name__}") from exc
    if not isinstance(graph, nx.MultiDiGraph):
        raise damaged(directory / GRAPH_FILE, f"un graphe est attendu, pas {type(graph).__name__}")
    return graph


def require_build(directory: Path | None = None, *, source: str = "opendata") -> Path:
    """The build folder (the version it points to now), or a :class:`BuildError` telling how to build it."""
    directory = resolve_dir(directory or paths.build_dir(source))
    if not (directory / META_FILE).is_file():
        raise BuildError(f"no built network in {directory}; run `parcs build` (or `make data`) first")
    return directory


def load_meta(directory: Path | None = None) -> dict[str, Any]:
    """The metadata of a build (:func:`read_meta` of :func:`require_build`)."""
    return read_meta(require_build(directory))


def load_layer(directory: Path, name: str, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """One layer of a build, in ``crs`` (default: the build's projected CRS, EPSG:2154 for the Pôle)."""
    if crs is None:
        crs = str(load_meta(directory).get("crs", CRS))
    path = directory / f"{name}.geojson"
    try:
        return gpd.read_file(path).to_crs(crs)
    except (OSError, ValueError, RuntimeError) as exc:  # pyogrio's errors are RuntimeErrors
        raise damaged(path, f"illisible, {type(exc).__name__}") from exc


def load_network(directory: Path | None = None) -> Network:
    """Load a whole build (graph included; the routing core loads only its compiled arrays)."""
    directory = require_build(directory)
    graph = _read_graph(directory)
    meta = load_meta(directory)
    crs = str(meta.get("crs", graph.graph.get("crs", CRS)))
    return Network(
        graph=graph,
        parks=load_layer(directory, "parks", crs=crs),
        pois=load_layer(directory, "pois", crs=crs),
        communes=load_layer(directory, "communes", crs=crs),
        perimeter=load_layer(directory, "perimeter", crs=crs).geometry.iloc[0],
        meta=meta,
    )


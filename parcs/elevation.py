"""Elevation from SRTM: node elevations and, per edge and per direction, profile, climb and grades.

The source
----------
The elevation model is SRTM 3-arc-second version 2.1 (tiles ``N50E002`` and ``N50E003``, see
:func:`dem_paths`): a C-band *radar surface model* flown in February 2000, heights in metres above
the EGM96 geoid on a 3" grid, that is about 93 m north-south by 59 m east-west at 50.4° N. Being a
surface model it reads the top of what the radar saw: town centres read a few metres high (roofs,
trees), while the steep, narrow summits of the terrils read about 30 m low (a 90 m cell averages
the cone: the twin terrils of Loos-en-Gohelle, 186 m, show about 155 m). On flat ground
neighbouring cells differ by 1-2 m of noise (banks, hedges, speckle). The tiles have void cells (-32768, five inside
the Pôle); :func:`load_dem` fills them from their neighbours (GDAL's inverse-distance
``fillnodata``) so that every point of the covered area has an elevation.

Sampling
--------
Both the nodes and the densified edge geometries are sampled with the same **bilinear**
interpolation between the four surrounding cell centres (the ``.hgt`` grid is pixel-is-point: the
first row and column lie exactly on the tile's integer degrees). Each edge geometry (EPSG:2154,
oriented u -> v) of length ``length`` is cut into ``n = ceil(length / spacing) + 1`` evenly
spaced points (``n >= 2``), so that sample ``i`` lies at the distance ``i * length / (n - 1)``
from ``u`` and consecutive samples are at most ``spacing`` (default 25 m, at most 30 m by the
network contract) apart; no distances are stored. An edge without geometry is the straight segment
between its nodes. Since the geometry starts at
``u`` and ends at ``v``, the first and last samples *are* the node elevations (they are set from
the nodes, which only removes floating-point rounding): a route's profile built by concatenating
``elevations`` is continuous. Every point of every edge is sampled in one vectorised call.

Why not ``osmnx.elevation.add_node_elevations_raster``
-------------------------------------------------------
osmnx's raster function reads ``rasterio``'s ``DatasetReader.sample``, i.e. the value of the cell
that contains the node (nearest cell), from a raster that must already be in the graph's CRS: the
geographic 3" grid would have to be warped to Lambert-93 (a second resampling) and written to a
cache, the two tiles merged through a VRT (which needs the optional ``rio-vrt``), and it leaves
voids as NaN. Nearest-cell values are a staircase of 59 x 93 m steps: two nodes ten metres apart
on either side of a cell boundary differ by the whole step between the cells (over 10 m on a terril
flank), which invents grades on short edges and disagrees with a bilinear edge profile at the edge
ends. So nodes and edges are sampled here with one bilinear interpolation of one filled grid, and
osmnx's conventions are kept for the rest: the node attribute ``elevation``, and ``grade`` /
``grade_abs`` computed with the formula of ``osmnx.elevation.add_edge_grades``,
``(elevation(v) - elevation(u)) / length``. :meth:`Dem.to_geotiff` writes the filled grid as a
GeoTIFF, with which ``add_node_elevations_raster`` can be run on a lon/lat copy of a graph as a
cross-check (the real-data tests do: the two agree within the relief of the surrounding cells).

Climb and descent: the hysteresis filter
----------------------------------------
Summing every positive difference of a noisy profile counts the noise: along the level Deûle
canal between Pont-à-Vendin and Meurchin, the SRTM profile sampled every 25 m rises 10.6 m and
falls 7.0 m in 2.1 km. :func:`hysteresis_climb` uses the
dead-band filter of GPS track tools: a change is counted only once the elevation has moved *more
than* ``threshold`` away from the last retained extremum (the highest point of a rise, the lowest
of a descent); then the whole move from that extremum is counted. The default threshold is 3 m:
above the cell-to-cell noise of SRTM on flat ground (that towpath then reads 3.6 m one way and
nothing the other, the slow drift of the surface model, instead of 10.6 and 7.0 m), and well below
the relief that matters here (a terril, a valley side of 10-40 m). The filter is symmetric: the
climb of an edge is the descent of its reverse edge. It applies per edge, so a climb made of many
short edges each rising less than the threshold is not counted on the edges: route totals should
run :func:`hysteresis_climb` again on the concatenated ``elevations`` of the route.

Grades: the sliding window
--------------------------
A grade between two samples 25 m apart measures the interpolation of one cell pair and its noise,
not a slope a cyclist feels. :func:`max_window_grades` takes the steepest rise and fall over every
window of ``window`` metres (default 100 m, about one SRTM cell diagonal and a typical short climb)
sliding along the profile, ``(elevation(d + window) - elevation(d)) / window``. An edge shorter
than the window has no such window: its grade is its end-to-end change divided by
``max(length, window)``, the window it would take; this keeps tiny edges (a 5 m link between two
nodes) from reporting absurd grades, and is continuous with the sliding window at
``length == window``. A steep stretch split into several short edges is therefore underestimated
edge by edge; as for the climb, route-level figures should run :func:`max_window_grades` on the
route's profile.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import zipfile
import zlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine
from pyproj import CRS, Transformer
from shapely.geometry import LineString

from parcs._errors import DataError, InvalidRequestError, SourceError
from parcs.atomic import atomic_path
from parcs.sources import source_path

logger = logging.getLogger(__name__)

__all__ = [
    "SRTM_TILES",
    "Dem",
    "add_elevation",
    "dem_paths",
    "hysteresis_climb",
    "load_dem",
    "max_window_grades",
]

#: The SRTM tiles of the manifest covering the Pôle, relative to the sources folder.
SRTM_TILES: tuple[str, ...] = ("srtm3/N50E002.hgt", "srtm3/N50E003.hgt")

#: The void value of ``.hgt`` tiles.
HGT_VOID = -32768

#: Samples per side of a ``.hgt`` tile -> its resolution in arc-seconds.
_HGT_SIDES = {1201: 3, 3601: 1}
_HGT_NAME = re.compile(r"^([NS])(\d{2})([EW])(\d{3})\.hgt(\.zip)?$", re.IGNORECASE)
#: Plausible elevations (m); anything else means a byte-swapped or foreign file.
_MIN_ELEV, _MAX_ELEV = -500.0, 9000.0
#: The network contract: samples at most this far apart.
MAX_SPACING = 30.0
#: Points this close (in cells) outside the outermost cell centres still count as inside,
#: so that a point on a tile's edge (lat 51.0) survives floating-point rounding.
_EDGE_EPS = 1e-6
#: Geometry ends farther than this from their nodes are reported (metres, graph CRS).
_END_TOLERANCE = 1.0

FloatArray = npt.NDArray[np.float64]


@functools.lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _crs_key(crs: Any) -> str:
    return str(CRS.from_user_input(crs).to_string())


@dataclass(frozen=True, eq=False)
class Dem:
    """A gridded elevation model: a 2-D array of cell-centre elevations and its affine transform.

    Parameters
    ----------
    data
        Elevations in metres, rows from north to south; NaN where the model has no coverage.
        Stored as a read-only float array.
    transform
        The GDAL-style affine transform of the cell *corners*, without rotation: the centre of cell
        ``(row, col)`` is ``transform @ (col + 0.5, row + 0.5)``.
    crs
        The CRS of ``transform`` (anything :class:`pyproj.CRS` reads); :func:`load_dem` gives
        ``"EPSG:4326"``.

    Examples
    --------
    >>> from affine import Affine
    >>> dem = Dem(np.array([[10.0, 20.0], [30.0, 40.0]]), Affine(1.0, 0, 0.0, 0, -1.0, 2.0))
    >>> dem.sample(np.array([0.5, 1.0, 5.0]), np.array([1.5, 1.0, 1.0])).tolist()
    [10.0, 25.0, nan]
    """

    data: npt.NDArray[np.floating[Any]]
    transform: Affine
    crs: str = "EPSG:4326"

    def __post_init__(self) -> None:
        data = np.asarray(self.data)
        data = np.array(data, dtype=np.float32 if data.dtype == np.float32 else float)
        if data.ndim != 2 or min(data.shape) < 2:
            raise DataError(
                f"a DEM needs a 2-D grid of at least 2 x 2 cells, got shape {data.shape}"
            )
        t = self.transform
        if t.b != 0 or t.d != 0 or t.a == 0 or t.e == 0:
            raise DataError(
                f"a DEM transform must be north-up without rotation, got {tuple(t)[:6]}"
            )
        data.flags.writeable = False
        object.__setattr__(self, "data", data)

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the grid."""
        rows, cols = self.data.shape
        return rows, cols

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of the sampled area: the outermost cell centres."""
        t = self.transform
        rows, cols = self.shape
        x0, y0 = t.c + 0.5 * t.a, t.f + 0.5 * t.e
        x1, y1 = x0 + (cols - 1) * t.a, y0 + (rows - 1) * t.e
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def sample(self, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
        """Bilinear elevations at points given in the DEM's own CRS; NaN outside the coverage.

        Parameters
        ----------
        x, y
            Coordinates (arrays of one shape, or scalars) in :attr:`crs`.

        Returns
        -------
        numpy.ndarray
            Float elevations, of the broadcast shape of ``x`` and ``y``.
        """
        xa, ya = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        t = self.transform
        col = (xa - t.c) / t.a - 0.5
        row = (ya - t.f) / t.e - 0.5
        rows, cols = self.shape
        eps = _EDGE_EPS
        inside = (row >= -eps) & (row <= rows - 1 + eps) & (col >= -eps) & (col <= cols - 1 + eps)
        row = np.clip(np.where(inside, row, 0), 0, rows - 1)
        col = np.clip(np.where(inside, col, 0), 0, cols - 1)
        r0 = np.minimum(np.floor(row).astype(np.intp), rows - 2)
        c0 = np.minimum(np.floor(col).astype(np.intp), cols - 2)
        fr = row - r0
        fc = col - c0
        z = self.data
        top = z[r0, c0] * (1 - fc) + z[r0, c0 + 1] * fc
        bottom = z[r0 + 1, c0] * (1 - fc) + z[r0 + 1, c0 + 1] * fc
        out: FloatArray = np.asarray(top * (1 - fr) + bottom * fr, dtype=float)
        out[~inside] = np.nan
        return out

    def sample_lonlat(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Bilinear elevations at WGS84 longitudes and latitudes (degrees); NaN outside."""
        return self.sample_xy(lon, lat, crs="EPSG:4326")

    def sample_xy(
        self, x: npt.ArrayLike, y: npt.ArrayLike, *, crs: Any = "EPSG:2154"
    ) -> FloatArray:
        """Bilinear elevations at points given in ``crs`` (default Lambert-93); NaN outside.

        Parameters
        ----------
        x, y
            Coordinates in ``crs`` (easting/longitude first).
        crs
            Their CRS, anything :class:`pyproj.CRS` reads.
        """
        src, dst = _crs_key(crs), _crs_key(self.crs)
        if src != dst:
            x, y = _transformer(src, dst).transform(
                np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            )
        return self.sample(x, y)

    def to_geotiff(self, path: str | Path) -> Path:
        """Write the grid as a float32 GeoTIFF (NaN nodata), atomically; return its path.

        For a look in QGIS, or to cross-check with ``osmnx.elevation.add_node_elevations_raster``
        on a graph in the DEM's CRS. Keep such files out of the repository.
        """
        import rasterio

        path = Path(path)
        rows, cols = self.shape
        profile = {
            "driver": "GTiff",
            "width": cols,
            "height": rows,
            "count": 1,
            "dtype": "float32",
            "crs": self.crs,
            "transform": self.transform,
            "nodata": float("nan"),
        }
        with atomic_path(path, suffix=".tif") as tmp, rasterio.open(tmp, "w", **profile) as dst:
            dst.write(self.data.astype(np.float32), 1)
        return path


def dem_paths(sources_dir: Path | None = None) -> list[Path]:
    """The fetched SRTM tiles covering the Pôle (:data:`SRTM_TILES`).

    Parameters
    ----------
    sources_dir
        The sources folder; default ``data/sources/``.

    Raises
    ------
    SourceError
        When a tile has not been fetched, saying to run ``parcs fetch``.
    """
    return [source_path(rel, sources=sources_dir) for rel in SRTM_TILES]


def _tile_origin(path: Path) -> tuple[int, int]:
    """``(lat, lon)`` of the south-west corner of a tile, from its name (``N50E002.hgt``)."""
    m = _HGT_NAME.match(path.name)
    if not m:
        raise DataError(
            f"{path.name}: not an SRTM tile name like N50E002.hgt; cannot tell where it lies"
        )
    ns, lat, ew, lon, _ = m.groups()
    return (
        int(lat) * (1 if ns.upper() == "N" else -1),
        int(lon) * (1 if ew.upper() == "E" else -1),
    )


def _hgt_bytes(path: Path) -> bytes:
    """The bytes of a ``.hgt`` tile, or of the one ``.hgt`` member of a ``.hgt.zip``."""
    if path.name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                members = [n for n in zf.namelist() if n.lower().endswith(".hgt")]
                if len(members) != 1:
                    raise DataError(
                        f"{path.name} : le zip contient {len(members)} tuiles .hgt au lieu d'une "
                        "(expected one .hgt tile)"
                    )
                return zf.read(members[0])
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise DataError(
                f"{path.name} : zip de tuile SRTM illisible ou tronqué (not a readable zip: {exc})"
            ) from exc
    return path.read_bytes()


def _read_hgt(path: Path) -> npt.NDArray[np.float32]:
    """Read one ``.hgt`` tile (or a ``.hgt.zip`` holding one): float32 array, voids as NaN."""
    try:
        raw = _hgt_bytes(path)
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: SRTM tile not found; run `parcs fetch` first") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the SRTM tile: {exc}") from exc
    side = math.isqrt(len(raw) // 2)
    if side not in _HGT_SIDES or 2 * side * side != len(raw):
        raise DataError(
            f"{path.name}: {len(raw):,} bytes is not an SRTM .hgt tile (expected 2,884,802 bytes "
            "for 1201 x 1201 SRTM3 or 25,934,402 for 3601 x 3601 SRTM1); the file is truncated "
            "or not a tile: fetch it again"
        )
    grid = np.frombuffer(raw, dtype=">i2").reshape(side, side)
    void = grid == HGT_VOID
    valid = grid[~void]
    if valid.size == 0:
        raise DataError(f"{path.name}: every cell of the SRTM tile is void")
    lo, hi = float(valid.min()), float(valid.max())
    if lo < _MIN_ELEV or hi > _MAX_ELEV:
        raise DataError(
            f"{path.name}: elevations from {lo:.0f} to {hi:.0f} m are not plausible; "
            "the file is not a big-endian SRTM .hgt tile"
        )
    out = grid.astype(np.float32)
    out[void] = np.nan
    return out


def _fill_voids(grid: npt.NDArray[np.float32], covered: npt.NDArray[np.bool_]) -> int:
    """Fill NaN cells inside ``covered`` in place from their neighbours; return how many."""
    voids = covered & np.isnan(grid)
    n = int(voids.sum())
    if not n:
        return 0
    from rasterio.fill import fillnodata
    from scipy import ndimage

    valid = ~np.isnan(grid)
    # Work on the bounding box of the voids plus a margin: the fill only looks that far.
    margin = 100
    rows, cols = np.nonzero(voids)
    r0, r1 = max(rows.min() - margin, 0), min(rows.max() + margin + 1, grid.shape[0])
    c0, c1 = max(cols.min() - margin, 0), min(cols.max() + margin + 1, grid.shape[1])
    window = grid[r0:r1, c0:c1]
    filled = fillnodata(
        np.where(valid[r0:r1, c0:c1], window, 0).astype(np.float32),
        mask=valid[r0:r1, c0:c1].astype(np.uint8),
        max_search_distance=margin,
        smoothing_iterations=0,
    )
    sub_voids = voids[r0:r1, c0:c1]
    window[sub_voids] = filled[sub_voids]
    # Voids farther than the search distance from any valid cell: the nearest valid cell.
    left = covered & np.isnan(grid)
    if left.any():
        idx = ndimage.distance_transform_edt(
            np.isnan(grid), return_distances=False, return_indices=True
        )
        grid[left] = grid[idx[0][left], idx[1][left]]
    return n


def load_dem(paths: Sequence[Path]) -> Dem:
    """Read SRTM ``.hgt`` tiles, merge them into one grid and fill their voids.

    Parameters
    ----------
    paths
        Tiles named after their south-west corner (``N50E002.hgt``, or ``N42E001.hgt.zip``: a
        zip holding the one tile, read without unpacking it to disk), all of one resolution
        (SRTM3 1201 x 1201 or SRTM1 3601 x 3601 big-endian int16). Adjacent tiles share their
        edge row or column. A rectangle not fully tiled has NaN (no coverage) in the missing tiles.

    Returns
    -------
    Dem
        In EPSG:4326, voids filled (GDAL ``fillnodata``, inverse-distance from the neighbours).

    Raises
    ------
    SourceError
        When a tile is missing or unreadable.
    DataError
        When a tile is malformed: wrong byte count (truncated), implausible values, a name that
        does not say where it lies, mixed resolutions, or the same tile twice.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise DataError("no SRTM tile given")
    tiles: dict[tuple[int, int], npt.NDArray[np.float32]] = {}
    for path in paths:
        origin = _tile_origin(path)
        if origin in tiles:
            raise DataError(f"{path.name}: the same SRTM tile is given twice")
        if not path.is_file():
            raise SourceError(f"{path}: SRTM tile not found; run `parcs fetch` first")
        tiles[origin] = _read_hgt(path)
    sides = {t.shape[0] for t in tiles.values()}
    if len(sides) > 1:
        raise DataError(f"SRTM tiles of different resolutions ({sorted(sides)} cells a side)")
    side = sides.pop()
    step = side - 1
    lats = [lat for lat, _ in tiles]
    lons = [lon for _, lon in tiles]
    north, west = max(lats) + 1, min(lons)
    rows, cols = (north - min(lats)) * step + 1, (max(lons) + 1 - west) * step + 1
    grid = np.full((rows, cols), np.nan, dtype=np.float32)
    covered = np.zeros((rows, cols), dtype=bool)
    for (lat, lon), tile in tiles.items():
        r0, c0 = (north - 1 - lat) * step, (lon - west) * step
        block = grid[r0 : r0 + side, c0 : c0 + side]
        # A shared edge keeps whichever tile has a value there.
        block[...] = np.where(np.isnan(tile), block, tile)
        covered[r0 : r0 + side, c0 : c0 + side] = True
    n_void = _fill_voids(grid, covered)
    res = 1.0 / step
    transform = Affine(res, 0.0, west - res / 2, 0.0, -res, north + res / 2)
    logger.info(
        "loaded %d SRTM tile(s), %d x %d cells, %d void cell(s) filled",
        len(tiles),
        rows,
        cols,
        n_void,
    )
    return Dem(grid, transform, "EPSG:4326")


def hysteresis_climb(elevations: npt.ArrayLike, *, threshold: float) -> tuple[float, float]:
    """Climb and descent of a profile, counting only moves of more than ``threshold``.

    The dead-band filter of GPS track tools: a rise (fall) is counted once the elevation has
    moved more than ``threshold`` above (below) the last retained extremum, and then counted from
    that extremum up to the next retained one. Moves of ``threshold`` or less are noise. The result
    is symmetric: the climb of a profile is the descent of the reversed profile.

    Parameters
    ----------
    elevations
        The profile, in order of travel (metres).
    threshold
        The dead band (metres, >= 0); 0 gives the plain sums of rises and falls.

    Returns
    -------
    tuple of float
        ``(climb, descent)``, both >= 0.

    Examples
    --------
    >>> hysteresis_climb([20.0, 21.0, 19.5, 20.5, 20.0], threshold=3.0)  # noise
    (0.0, 0.0)
    >>> hysteresis_climb([20.0, 25.0, 24.0, 30.0, 28.0], threshold=3.0)  # 28 is within the band
    (10.0, 0.0)
    >>> hysteresis_climb([20.0, 30.0, 22.0, 21.0], threshold=3.0)
    (10.0, 9.0)
    >>> hysteresis_climb([20.0, 30.0, 22.0, 21.0], threshold=0.0)
    (10.0, 9.0)
    """
    z = np.asarray(elevations, dtype=float)
    if z.ndim != 1:
        raise ValueError(f"a profile is one-dimensional, got shape {z.shape}")
    if not (threshold >= 0 and math.isfinite(threshold)):
        raise ValueError(f"the hysteresis threshold must be a finite number >= 0, got {threshold}")
    if z.size < 2:
        return 0.0, 0.0
    if not np.isfinite(z).all():
        raise ValueError("the profile holds NaN or infinite elevations")
    return dead_band(z.tolist(), float(threshold))


def dead_band(z: Any, t: float) -> tuple[float, float]:
    """The loop of :func:`hysteresis_climb`, unchecked: ``z`` a sequence of finite floats (a list
    here; :mod:`routing.kernels` compiles this same function with numba for arrays)."""
    climb = 0.0
    descent = 0.0
    if len(z) < 2:
        return climb, descent
    lo = hi = anchor = cand = z[0]
    trend = 0  # +1 rising, -1 falling, 0 not yet moved out of the band
    for k in range(1, len(z)):
        x = z[k]
        if trend == 0:
            lo = min(lo, x)
            hi = max(hi, x)
            if x - lo > t:
                trend, anchor, cand = 1, lo, x
            elif hi - x > t:
                trend, anchor, cand = -1, hi, x
        elif trend > 0:
            if x > cand:
                cand = x
            elif cand - x > t:
                climb += cand - anchor
                trend, anchor, cand = -1, cand, x
        else:
            if x < cand:
                cand = x
            elif x - cand > t:
                descent += anchor - cand
                trend, anchor, cand = 1, cand, x
    if trend > 0:
        climb += cand - anchor
    elif trend < 0:
        descent += anchor - cand
    return climb, descent


def max_window_grades(
    elevations: npt.ArrayLike, *, spacing: float, window: float
) -> tuple[float, float]:
    """Steepest uphill and downhill grades over a window sliding along an evenly spaced profile.

    Every window of ``window`` metres starting at a sample, and every window ending at a sample,
    is measured (the profile is linear between samples): ``(z(d + window) - z(d)) / window``.
    This set of windows is the same read from either end, so ``grade_up`` of a profile is
    ``grade_down`` of the reversed profile. A profile shorter than the window is measured end to
    end over ``max(length, window)``: a short edge reads its rise spread over the window, never
    the absurd grade of a few metres' run.

    Parameters
    ----------
    elevations
        The profile, sample ``i`` at ``i * spacing`` metres (at least one sample).
    spacing
        The distance between samples (metres, >= 0).
    window
        The window length (metres, > 0).

    Returns
    -------
    tuple of float
        ``(grade_up, grade_down)``, fractions >= 0.

    Examples
    --------
    >>> max_window_grades([10.0, 10.0, 15.0, 20.0, 20.0], spacing=25.0, window=50.0)
    (0.2, 0.0)
    >>> max_window_grades([20.0, 20.0, 15.0, 10.0, 10.0], spacing=25.0, window=100.0)
    (0.0, 0.1)
    >>> max_window_grades([10.0, 12.0], spacing=20.0, window=100.0)  # 2 m over max(20, 100) m
    (0.02, 0.0)
    """
    z = np.asarray(elevations, dtype=float)
    if z.ndim != 1 or z.size < 1:
        raise ValueError(f"a profile is a non-empty one-dimensional array, got shape {z.shape}")
    if not (spacing >= 0 and math.isfinite(spacing)):
        raise ValueError(f"spacing must be a finite number >= 0, got {spacing}")
    if not (window > 0 and math.isfinite(window)):
        raise ValueError(f"window must be a finite number > 0, got {window}")
    length = spacing * (z.size - 1)
    if length <= window:
        g = float((z[-1] - z[0]) / window) if z.size > 1 else 0.0
        return max(g, 0.0), max(-g, 0.0)
    d = np.arange(z.size) * spacing
    free = length - window
    heads = d[d <= free + 1e-9 * length]
    starts = np.concatenate([heads, free - heads])
    starts = np.clip(starts, 0.0, free)
    dz = np.interp(starts + window, d, z) - np.interp(starts, d, z)
    g_up = float(dz.max()) / window
    g_down = float(-dz.min()) / window
    return max(g_up, 0.0), max(g_down, 0.0)


def _check_params(spacing: float, hysteresis: float, window: float) -> None:
    if not (0 < spacing <= MAX_SPACING):
        raise InvalidRequestError(
            f"spacing must be in (0, {MAX_SPACING:g}] m (the network contract), got {spacing}"
        )
    if not (hysteresis >= 0 and math.isfinite(hysteresis)):
        raise InvalidRequestError(f"hysteresis must be a finite number >= 0 m, got {hysteresis}")
    if not (window > 0 and math.isfinite(window)):
        raise InvalidRequestError(f"window must be a finite number > 0 m, got {window}")


def _outside_message(what: str, n: int, total: int, example: str, dem: Dem) -> str:
    w, s, e, n_ = dem.bounds
    return (
        f"{n:,} of {total:,} {what} fall outside the elevation model (e.g. {example}); "
        f"it covers {w:g}..{e:g} x {s:g}..{n_:g} in {dem.crs}: add the SRTM tiles for the "
        "rest of the network"
    )


def add_elevation(
    G: nx.MultiDiGraph,  # noqa: N803 (the networkx/osmnx name)
    *,
    dem: Dem,
    spacing: float = 25.0,
    hysteresis: float = 3.0,
    window: float = 100.0,
) -> nx.MultiDiGraph:
    """Copy of a network with node elevations and per-direction edge profiles, climb and grades.

    Parameters
    ----------
    G
        A network in a projected CRS in metres (``G.graph["crs"]``, EPSG:2154 for the planner):
        nodes with ``x``/``y``, edges with ``length`` and a ``geometry`` oriented u -> v (an edge
        without geometry is the straight segment between its nodes). Not modified.
    dem
        The elevation model (:func:`load_dem`).
    spacing
        Target distance between profile samples (metres, at most 30).
    hysteresis
        Dead band of the climb/descent filter (metres), see :func:`hysteresis_climb`.
    window
        Length of the sliding window of the grades (metres), see :func:`max_window_grades`.

    Returns
    -------
    networkx.MultiDiGraph
        A copy with node ``elevation`` and edge ``elevations`` (tuple of floats u -> v, sample
        ``i`` at ``i * length / (n - 1)`` along the geometry, first and last equal to the node
        elevations), ``climb``, ``descent``, ``grade_up``, ``grade_down`` (u -> v), ``grade``
        (``(elevation(v) - elevation(u)) / length``, as osmnx; 0 for a zero-length edge) and
        ``grade_abs``. ``graph["elevation"]`` records the parameters.

    Raises
    ------
    DataError
        When the graph has no CRS or nodes without coordinates, when nodes or edge geometries fall
        outside the elevation model (saying how many), or when a geometry runs v -> u.
    InvalidRequestError
        For a spacing outside (0, 30] m, a negative hysteresis or a non-positive window.
    """
    _check_params(spacing, hysteresis, window)
    crs = G.graph.get("crs")
    if crs is None:
        raise DataError(
            "the network has no CRS (graph attribute 'crs'); cannot place it on the DEM"
        )
    out = G.copy()
    nodes: list[Hashable] = list(out.nodes)
    try:
        nx_ = np.array([out.nodes[n]["x"] for n in nodes], dtype=float)
        ny_ = np.array([out.nodes[n]["y"] for n in nodes], dtype=float)
    except KeyError as exc:
        raise DataError(f"a node of the network has no {exc} coordinate") from exc
    node_z = dem.sample_xy(nx_, ny_, crs=crs)
    bad = np.flatnonzero(~np.isfinite(node_z))
    if bad.size:
        i = int(bad[0])
        example = f"node {nodes[i]!r} at ({nx_[i]:.0f}, {ny_[i]:.0f})"
        raise DataError(_outside_message("nodes", bad.size, len(nodes), example, dem))
    index = {n: i for i, n in enumerate(nodes)}
    for n, z in zip(nodes, node_z.tolist(), strict=True):
        out.nodes[n]["elevation"] = z

    edges = list(out.edges(keys=True, data=True))
    if not edges:
        out.graph["elevation"] = {"spacing": spacing, "hysteresis": hysteresis, "window": window}
        return out
    iu = np.array([index[u] for u, _, _, _ in edges], dtype=np.intp)
    iv = np.array([index[v] for _, v, _, _ in edges], dtype=np.intp)
    geoms = np.empty(len(edges), dtype=object)
    for i, ((_, _, _, d), a, b) in enumerate(zip(edges, iu.tolist(), iv.tolist(), strict=True)):
        g = d.get("geometry")
        geoms[i] = g if g is not None else LineString([(nx_[a], ny_[a]), (nx_[b], ny_[b])])
    _check_orientation(geoms, edges, nx_[iu], ny_[iu], nx_[iv], ny_[iv])

    geo_len = shapely.length(geoms)
    counts = np.maximum(np.ceil(geo_len / spacing - 1e-9).astype(np.intp), 1) + 1
    steps = geo_len / (counts - 1)
    ends = np.cumsum(counts)
    first = ends - counts
    rank = np.arange(ends[-1]) - np.repeat(first, counts)
    dist = rank * np.repeat(steps, counts)
    pts = shapely.line_interpolate_point(np.repeat(geoms, counts), dist)
    xy = shapely.get_coordinates(pts)
    z_all = dem.sample_xy(xy[:, 0], xy[:, 1], crs=crs)
    z_all[first] = node_z[iu]
    z_all[ends - 1] = node_z[iv]
    bad_pts = ~np.isfinite(z_all)
    if bad_pts.any():
        bad_edges = np.unique(np.searchsorted(ends, np.flatnonzero(bad_pts), side="right"))
        u, v, k, _ = edges[int(bad_edges[0])]
        raise DataError(
            _outside_message("edges", bad_edges.size, len(edges), f"edge {(u, v, k)!r}", dem)
        )

    lengths = np.array(
        [d.get("length", g) for (_, _, _, d), g in zip(edges, geo_len.tolist(), strict=True)],
        dtype=float,
    )
    rise = node_z[iv] - node_z[iu]
    grades = np.where(lengths > 0, rise / np.where(lengths > 0, lengths, 1.0), 0.0)

    profiles = np.split(z_all, ends[:-1])
    for (_, _, _, d), prof, step, grade in zip(
        edges, profiles, steps.tolist(), grades.tolist(), strict=True
    ):
        climb, descent = hysteresis_climb(prof, threshold=hysteresis)
        up, down = max_window_grades(prof, spacing=step, window=window)
        d["elevations"] = tuple(prof.tolist())
        d["climb"] = climb
        d["descent"] = descent
        d["grade_up"] = up
        d["grade_down"] = down
        d["grade"] = grade
        d["grade_abs"] = abs(grade)
    out.graph["elevation"] = {"spacing": spacing, "hysteresis": hysteresis, "window": window}
    logger.info(
        "elevation: %d nodes, %d edges, %d profile samples", len(nodes), len(edges), int(ends[-1])
    )
    return out


def _check_orientation(
    geoms: npt.NDArray[np.object_],
    edges: list[tuple[Any, Any, Any, dict[str, Any]]],
    ux: FloatArray,
    uy: FloatArray,
    vx: FloatArray,
    vy: FloatArray,
) -> None:
    """Refuse geometries running v -> u; log those whose ends are away from their nodes."""
    start = shapely.get_coordinates(shapely.get_point(geoms, 0))
    end = shapely.get_coordinates(shapely.get_point(geoms, -1))
    d_fwd = np.hypot(start[:, 0] - ux, start[:, 1] - uy) + np.hypot(end[:, 0] - vx, end[:, 1] - vy)
    d_rev = np.hypot(start[:, 0] - vx, start[:, 1] - vy) + np.hypot(end[:, 0] - ux, end[:, 1] - uy)
    off = d_fwd > 2 * _END_TOLERANCE
    reversed_ = off & (d_rev < d_fwd)
    if reversed_.any():
        u, v, k, _ = edges[int(np.flatnonzero(reversed_)[0])]
        raise DataError(
            f"{int(reversed_.sum()):,} edge geometries run v -> u instead of u -> v "
            f"(e.g. edge {(u, v, k)!r}); climb and descent would be swapped"
        )
    if off.any():
        logger.warning(
            "%d edge geometries do not start and end at their nodes (within %g m); "
            "their first and last samples are taken at the nodes",
            int(off.sum()),
            _END_TOLERANCE,
        )

"""Small geodesy helpers shared by the routing modules (cached pyproj transformers, bearings)."""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

#: Projected CRS of the network (Lambert-93, metres).
CRS = "EPSG:2154"
#: Geographic CRS of inputs and outputs.
WGS84 = "EPSG:4326"

FloatArray = npt.NDArray[np.float64]


@functools.lru_cache(maxsize=8)
def transformer(src: str, dst: str) -> Transformer:
    """A cached ``always_xy`` transformer (building one costs milliseconds)."""
    return Transformer.from_crs(src, dst, always_xy=True)


def to_wgs84(x: npt.ArrayLike, y: npt.ArrayLike, *, crs: str = CRS) -> tuple[FloatArray, FloatArray]:
    """Longitudes and latitudes of projected coordinates.

    >>> lon, lat = to_wgs84([686000.0], [7036000.0])
    >>> round(float(lon[0]), 3), round(float(lat[0]), 3)
    (2.803, 50.421)
    """
    lon, lat = transformer(crs, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def to_projected(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, crs: str = CRS
) -> tuple[FloatArray, FloatArray]:
    """Projected coordinates of longitudes and latitudes (inverse of :func:`to_wgs84`)."""
    x, y = transformer(WGS84, crs).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def project_point(lon: float, lat: float, *, crs: str = CRS) -> tuple[float, float]:
    """Projected coordinates of one point (as :func:`to_projected`, without the arrays).

    >>> x, y = project_point(2.803, 50.421)
    >>> round(x), round(y)
    (685980, 7035957)
    """
    x, y = transformer(WGS84, crs).transform(float(lon), float(lat))
    return float(x), float(y)


def bearing(dx: float, dy: float) -> float:
    """Compass bearing in degrees (0 = north, 90 = east) of a planar vector.

    >>> bearing(1.0, 0.0), bearing(0.0, -1.0)
    (90.0, 180.0)
    """
    return float(np.degrees(np.arctan2(dx, dy)) % 360.0)


def turn_angle(bearing_in: float, bearing_out: float) -> float:
    """Signed turn in degrees in (-180, 180]: negative to the left, positive to the right.

    >>> turn_angle(0.0, 90.0), turn_angle(350.0, 10.0), turn_angle(90.0, 0.0)
    (90.0, 20.0, -90.0)
    """
    d = (bearing_out - bearing_in + 180.0) % 360.0 - 180.0
    return 180.0 if d == -180.0 else d

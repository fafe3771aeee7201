"""Compiled loops over a route's elevation samples (numba).

A route's profile holds about one sample every 25 m (a 25 km route: 1,100 samples). Gathering it,
filtering its climb (:func:`parcs.elevation.hysteresis_climb`) and sliding the grade window over
it (:func:`routing.itinerary.window_grade`) are three loops over those samples; written with numpy
they cost a dozen array calls each, and the hysteresis filter is sequential by nature. Here they
are plain loops compiled once by numba (``cache=True``: the machine code is kept beside the module
and reloaded by later processes), giving *the same numbers* bit for bit:

- :func:`path_profile`: the route's samples, junctions once, at their distance along the route
  (the sum of the previous edges' lengths, added in travel order); :func:`path_indices` the same
  walk over the geometry vertices;
- :func:`climb_descent`: the dead-band filter, run on every sample (the extrema it retains are the
  same as on the turning points, summed in the same order);
- :func:`window_grade_sorted`: the steepest window of a profile whose distances never decrease,
  interpolating between samples exactly as ``numpy.interp`` does.

Until a process has made :data:`COMPILE_AFTER` calls, numpy versions of the same computations
answer (the climb on the profile's :func:`turning_points`, the window with ``numpy.interp``), so
one-shot commands never pay numba's start-up; :func:`warm` compiles (or loads) the kernels at
once, as the web app does at start-up. ``tests/test_routing_kernels.py`` checks both against
plain reference computations.
"""

from __future__ import annotations

import logging
import math
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt

from parcs.elevation import dead_band, hysteresis_climb

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = ["climb_descent", "path_indices", "path_profile", "turning_points", "warm", "window_grade_sorted"]


# -- the kernels: plain Python bodies, compiled by numba in _jit ----------------------------------


def _path_profile(edges: Any, offsets: Any, prof_d: Any, prof_z: Any, edge_length: Any) -> tuple[Any, Any]:
    n = 1
    for k in range(edges.size):
        e = edges[k]
        n += offsets[e + 1] - offsets[e] - 1
    d = np.empty(n)
    z = np.empty(n)
    i = 0
    base = 0.0
    for k in range(edges.size):
        e = edges[k]
        lo = offsets[e] if k == 0 else offsets[e] + 1
        for j in range(lo, offsets[e + 1]):
            d[i] = prof_d[j] + base
            z[i] = prof_z[j]
            i += 1
        base += edge_length[e]
    return d[:i], z[:i]


def _path_indices(edges: Any, offsets: Any) -> Any:
    n = 1
    for k in range(edges.size):
        e = edges[k]
        n += offsets[e + 1] - offsets[e] - 1
    out = np.empty(n, dtype=np.int64)
    i = 0
    for k in range(edges.size):
        e = edges[k]
        lo = offsets[e] if k == 0 else offsets[e] + 1
        for j in range(lo, offsets[e + 1]):
            out[i] = j
            i += 1
    return out[:i]


def _window_grade_sorted(d: Any, z: Any, window: float) -> float:
    n = d.size
    if n == 0:
        return 0.0
    if d[n - 1] - d[0] <= window:
        return max((z[n - 1] - z[0]) / window, 0.0) if n > 1 else 0.0
    for s in range(1, n):
        if not d[s] >= d[s - 1]:
            return -1.0  # not sorted: not for this kernel
    last_start = d[n - 1] - window
    first_end = d[0] + window
    top = 0.0
    for sign in (1.0, -1.0):  # windows starting at a sample, then windows ending at one
        j = 0
        for s in range(n):
            if sign > 0 and d[s] > last_start:
                break
            if sign < 0 and d[s] < first_end:
                continue
            x = d[s] + sign * window  # numpy.interp(x, d, z), d sorted, x growing:
            if x >= d[n - 1]:
                value = z[n - 1]
            elif x < d[0]:
                value = z[0]
            else:
                while j + 1 < n and d[j + 1] <= x:
                    j += 1
                if d[j] == x:
                    value = z[j]
                else:
                    slope = (z[j + 1] - z[j]) / (d[j + 1] - d[j])
                    value = slope * (x - d[j]) + z[j]
                    if math.isnan(value):
                        value = slope * (x - d[j + 1]) + z[j + 1]
                        if math.isnan(value) and z[j] == z[j + 1]:
                            value = z[j]
            top = max(top, sign * (value - z[s]))  # the rise over the window
    return top / window


#: Calls answered with numpy before the kernels are compiled. Loading numba and its cached machine
#: code costs about 0.4 s and 140 MB once per process, while numpy costs about 0.1 ms more per
#: route (four calls): a one-shot command (``parcs route``) never pays the start-up, a batch or a
#: server pays it once and then runs compiled code (the web app compiles at start).
COMPILE_AFTER = 400

# -- the same with numpy (answering until the kernels are compiled) --------------------------------


def _np_path_indices(edges: IntArray, offsets: IntArray) -> IntArray:
    first = offsets[edges]
    counts = offsets[edges + 1] - first - 1
    first += 1
    first[0] -= 1
    counts[0] += 1
    shift = first + counts
    shift -= counts.cumsum()
    idx = shift.repeat(counts)
    idx += np.arange(idx.size)
    return idx


def _np_path_profile(
    edges: IntArray, offsets: IntArray, prof_d: FloatArray, prof_z: FloatArray, edge_length: FloatArray
) -> tuple[FloatArray, FloatArray]:
    idx = _np_path_indices(edges, offsets)
    counts = offsets[edges + 1] - offsets[edges] - 1
    counts[0] += 1
    lengths = edge_length[edges]
    start = np.zeros(lengths.size)  # route distance at the start of each edge
    lengths[:-1].cumsum(out=start[1:])
    d = prof_d[idx]
    d += start.repeat(counts)
    return d, prof_z[idx]


def turning_points(z: npt.ArrayLike) -> FloatArray:
    """A profile reduced to its ends and local extrema (repeated values dropped).

    The dead-band filter of :func:`parcs.elevation.hysteresis_climb` only reacts to extrema:
    inside a monotone run each sample just moves the running extremum on, so the reduced
    profile gives the same climb and descent, much faster.

    >>> turning_points([1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 1.5]).tolist()
    [1.0, 3.0, 1.0, 1.5]
    """
    a = np.asarray(z, dtype=float)
    if a.size < 3:
        return a
    keep = np.empty(a.size, dtype=bool)
    keep[0] = True
    np.not_equal(a[1:] - a[:-1], 0, out=keep[1:])
    a = a[keep]
    if a.size < 3:
        return a
    s = np.sign(a[1:] - a[:-1])
    keep = np.empty(a.size, dtype=bool)
    keep[0] = keep[-1] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:-1])
    return a[keep]


def _np_climb_descent(z: FloatArray, t: float) -> tuple[float, float]:
    return hysteresis_climb(turning_points(z), threshold=t)


def _np_window_grade_sorted(d: FloatArray, z: FloatArray, window: float) -> float:
    if d.size == 0:
        return 0.0
    if float(d[-1] - d[0]) <= window:
        return max(float(z[-1] - z[0]) / window, 0.0) if d.size > 1 else 0.0
    if not np.logical_and.reduce(d[1:] >= d[:-1]):
        return -1.0
    last_start, first_end = d[-1] - window, d[0] + window
    d_head = d[: d.searchsorted(last_start, side="right")]  # sorted: a prefix and a suffix
    z_head = z[: d_head.size]
    k = int(d.searchsorted(first_end, side="left"))
    rise_head = np.interp(d_head + window, d, z) - z_head
    rise_tail = z[k:] - np.interp(d[k:] - window, d, z)
    top = max(float(np.maximum.reduce(rise_head, initial=0.0)), float(np.maximum.reduce(rise_tail, initial=0.0)))
    return max(top, 0.0) / window


_PLAIN = SimpleNamespace(
    path_profile=_np_path_profile, path_indices=_np_path_indices, climb_descent=_np_climb_descent,
    window_grade_sorted=_np_window_grade_sorted,
)


class _Tier:
    """Which functions answer (numpy, then the compiled kernels for good) and how many calls
    numpy has answered."""

    def __init__(self) -> None:
        self.impl = _PLAIN
        self.calls = 0
        self.failed = False
        self.lock = threading.Lock()

    def current(self) -> SimpleNamespace:
        if self.impl is _PLAIN and not self.failed:
            self.calls += 1
            if self.calls > COMPILE_AFTER:
                return self.compile()
        return self.impl

    def compile(self) -> SimpleNamespace:
        """Switch to the compiled kernels; if numba cannot give them (not installed, a broken
        cache...), numpy keeps answering (same results) and the reason is logged once."""
        with self.lock:
            if self.impl is _PLAIN and not self.failed:
                try:
                    self.impl = _jit()
                except Exception as exc:  # any failure of numba leaves the exact numpy tier
                    self.failed = True
                    logger.warning("compiled routing kernels unavailable, numpy answers: %r", exc)
        return self.impl


_TIER = _Tier()


def _jit() -> SimpleNamespace:
    """The kernels compiled, or loaded from numba's cache (``cache=True``)."""
    import numba  # on first use only

    njit = numba.njit(cache=True, nogil=True)
    out = SimpleNamespace(
        path_profile=njit(_path_profile),
        path_indices=njit(_path_indices),
        climb_descent=njit(dead_band),
        window_grade_sorted=njit(_window_grade_sorted),
    )
    d, z = np.array([0.0, 150.0]), np.array([1.0, 2.0])
    edges, offsets = np.zeros(1, dtype=np.int64), np.array([0, 2], dtype=np.int64)
    out.path_profile(edges, offsets, d, z, d[1:])  # compile (or load) each for its types now
    out.path_indices(edges, offsets)
    out.climb_descent(z, 3.0)
    out.window_grade_sorted(d, z, 100.0)
    return out


# -- public wrappers ------------------------------------------------------------------------------


def path_profile(
    edges: IntArray, *, offsets: IntArray, prof_d: FloatArray, prof_z: FloatArray, edge_length: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance along a path and elevation of its profile samples (junction samples once).

    Parameters
    ----------
    edges
        Consecutive edge indices (``int64``, at least one).
    offsets, prof_d, prof_z, edge_length
        The compiled network's per-edge profile arrays (``prof_offsets``, ``prof_d``, ``prof_z``)
        and edge lengths.

    Examples
    --------
    >>> offsets = np.array([0, 3, 5]); pd = np.array([0.0, 50.0, 100.0, 0.0, 40.0])
    >>> pz = np.array([10.0, 12.0, 15.0, 15.0, 11.0]); length = np.array([100.0, 40.0])
    >>> d, z = path_profile(np.array([0, 1]), offsets=offsets, prof_d=pd, prof_z=pz, edge_length=length)
    >>> d.tolist(), z.tolist()
    ([0.0, 50.0, 100.0, 140.0], [10.0, 12.0, 15.0, 11.0])
    """
    d, z = _TIER.current().path_profile(edges, offsets, prof_d, prof_z, edge_length)
    return d, z


def path_indices(edges: IntArray, *, offsets: IntArray) -> IntArray:
    """Indices into a flat per-edge array (``offsets`` as in ``geom_offsets``) along a path,
    junction items once: all of the first edge's items, then all but the first of each next one.

    >>> path_indices(np.array([1, 0]), offsets=np.array([0, 3, 5])).tolist()
    [3, 4, 1, 2]
    """
    out: IntArray = _TIER.current().path_indices(edges, offsets)
    return out


def climb_descent(z: FloatArray, *, threshold: float) -> tuple[float, float]:
    """:func:`parcs.elevation.hysteresis_climb` of a finite ``float64`` profile, compiled.

    >>> climb_descent(np.array([20.0, 30.0, 22.0, 21.0]), threshold=3.0)
    (10.0, 9.0)
    """
    climb, descent = _TIER.current().climb_descent(z, float(threshold))
    return float(climb), float(descent)


def window_grade_sorted(d: FloatArray, z: FloatArray, *, window: float) -> float:
    """:func:`routing.itinerary.window_grade` of a profile whose distances never decrease
    (``-1.0`` when they do decrease somewhere, or hold NaN).

    >>> window_grade_sorted(np.array([0.0, 25.0, 50.0, 75.0, 100.0]), np.array([10.0, 10.0, 15.0, 20.0, 20.0]), window=50.0)
    0.2
    """
    return float(_TIER.current().window_grade_sorted(d, z, float(window)))


def warm() -> None:
    """Compile (or load from numba's cache) every kernel now, rather than after
    :data:`COMPILE_AFTER` calls."""
    _TIER.compile()

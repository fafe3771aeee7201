"""The compiled kernels of :mod:`routing.astar` (imported on first use: this imports numba)."""

from __future__ import annotations

import heapq
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@numba.njit(cache=True, nogil=True)
def _potential(v: Any, ends: IntArray, end_cost: FloatArray, dist_to: FloatArray, dist_from: FloatArray, sel: IntArray) -> float:  # pragma: no cover - compiled
    best = np.inf
    for e in range(ends.size):
        j = ends[e]
        lb = 0.0
        for i in range(sel.size):
            h = sel[i]
            a = dist_from[j, h] - dist_from[v, h]
            if a == a and a > lb:  # NaN (inf - inf) carries no information
                lb = a
            b = dist_to[v, h] - dist_to[j, h]
            if b == b and b > lb:
                lb = b
        total = lb + end_cost[e]
        if total < best:
            best = total
    return best


@numba.njit(cache=True, nogil=True)
def astar(
    indptr: npt.NDArray[np.int32], indices: npt.NDArray[np.int32], data: FloatArray,
    starts: IntArray, start_cost: FloatArray, ends: IntArray, end_cost: FloatArray,
    dist_to: FloatArray, dist_from: FloatArray, sel: IntArray, limit: float,
    dist: FloatArray, pred: IntArray, pot: FloatArray, touched: IntArray, virtual: int,
) -> tuple[float, int, int]:  # pragma: no cover - compiled
    """Returns ``(best cost, end index, number of touched nodes)``; ``dist``/``pred`` hold the
    tree until the caller resets the touched nodes."""
    n_touched = 0
    heap: list[tuple[float, Any]] = [(0.0, np.int64(0))]
    heap.pop()
    for i in range(starts.size):
        s, c = np.int64(starts[i]), start_cost[i]
        if dist[s] == np.inf:
            touched[n_touched] = s
            n_touched += 1
        if c < dist[s]:
            dist[s] = c
            pred[s] = virtual
            if pot[s] != pot[s]:
                pot[s] = _potential(s, ends, end_cost, dist_to, dist_from, sel)
            heapq.heappush(heap, (c + pot[s], s))
    best, best_end = np.inf, -1
    while heap:
        key, v = heapq.heappop(heap)
        if key >= best or key > limit:
            break
        g = dist[v]
        if key > g + pot[v]:
            continue  # stale entry
        for e in range(ends.size):
            if ends[e] == v and g + end_cost[e] < best:
                best, best_end = g + end_cost[e], e
        for k in range(indptr[v], indptr[v + 1]):
            w = np.int64(indices[k])
            nd = g + data[k]
            if nd < dist[w]:
                if dist[w] == np.inf:
                    touched[n_touched] = w
                    n_touched += 1
                dist[w] = nd
                pred[w] = v
                if pot[w] != pot[w]:
                    pot[w] = _potential(w, ends, end_cost, dist_to, dist_from, sel)
                if pot[w] < np.inf:
                    heapq.heappush(heap, (nd + pot[w], w))
    return best, best_end, n_touched

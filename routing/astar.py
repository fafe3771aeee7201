"""Goal-directed search on the junction graph of large networks (ALT: A*, landmarks, triangles).

On a regional network (hundreds of thousands of junctions) a Dijkstra from the source, even
stopped at the hubs' upper bound, settles most of the network for a long trip. :func:`astar`
runs A* over the junction graph of :mod:`routing.contract` instead, with the lower bounds the
hubs (the landmarks) give by the triangle inequality: for a junction ``v`` and an end junction
``j``, ``d(v, j) >= d(h, j) - d(h, v)`` and ``d(v, j) >= d(v, h) - d(j, h)`` for every hub
``h``; with several ends (a target inside a chain has two), the potential of ``v`` is the least
over the ends of ``bound(v, j) + cost(j -> target)``. This potential is *feasible* (never
overestimates, and an edge ``a -> b`` of cost ``c`` has ``pot(a) <= c + pot(b)``), so the first
time the smallest key in the queue reaches the best cost found, that cost is the shortest
(exact, as a Dijkstra's).

The kernel is compiled with numba on first use (``cache=True``: later processes load the machine
code; numba is not even imported by a process that never searches a large network); the per-thread scratch arrays (distances, predecessors,
potentials) are reset only where a search wrote, so a query costs what it explores, not the
size of the network.
"""

from __future__ import annotations

import functools
import threading
from types import SimpleNamespace

import numpy as np
import numpy.typing as npt

__all__ = ["Scratch", "astar"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_local = threading.local()


class Scratch:
    """Arrays of one thread's searches over a graph of ``n`` nodes (reset after each use)."""

    def __init__(self, n: int) -> None:
        self.dist = np.full(n, np.inf)
        self.pred = np.full(n, -1, dtype=np.int64)
        self.pot = np.full(n, np.nan)
        self.touched = np.empty(max(n, 1), dtype=np.int64)


def scratch_for(key: object, n: int) -> Scratch:
    """The calling thread's :class:`Scratch` for the graph ``key`` (made on first use)."""
    cache = getattr(_local, "cache", None)
    if cache is None or cache[0] is not key:
        cache = (key, Scratch(n))
        _local.cache = cache
    return cache[1]


@functools.cache
def _kernels() -> SimpleNamespace:
    """The compiled kernels (numba imported here only)."""
    from routing import _astar_kernels as k

    return SimpleNamespace(astar=k.astar)


def astar(
    graph: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray],
    scratch: Scratch,
    *,
    starts: dict[int, float],
    ends: list[tuple[int, float]],
    hubs: tuple[FloatArray, FloatArray],
    limit: float = np.inf,
) -> tuple[float, int, list[int]]:
    """The cheapest path from the ``starts`` (junction -> cost already paid) to one of the
    ``ends`` (junction, cost still to pay), over a CSR junction graph.

    Returns ``(cost, end position, junctions of the path from its first junction)``;
    ``(inf, -1, [])`` when no end is reachable within ``limit``.
    """
    indptr, indices, data = graph
    n = indptr.size - 1
    s_nodes = np.fromiter(starts.keys(), dtype=np.int64, count=len(starts))
    s_cost = np.fromiter(starts.values(), dtype=float, count=len(starts))
    e_nodes = np.array([j for j, _ in ends], dtype=np.int64)
    e_cost = np.array([c for _, c in ends], dtype=float)
    sel = np.arange(hubs[0].shape[1], dtype=np.int64)  # every hub: fewer, chosen per query, measured worse
    best, end, n_touched = _kernels().astar(
        indptr, indices, data, s_nodes, s_cost, e_nodes, e_cost, hubs[0], hubs[1], sel, float(limit),
        scratch.dist, scratch.pred, scratch.pot, scratch.touched, n,
    )
    path: list[int] = []
    if end >= 0:
        node = int(e_nodes[end])
        while node != n:
            path.append(node)
            node = int(scratch.pred[node])
        path.reverse()
    t = scratch.touched[:n_touched]
    scratch.dist[t] = np.inf
    scratch.pred[t] = -1
    scratch.pot[t] = np.nan
    return float(best), int(end), path

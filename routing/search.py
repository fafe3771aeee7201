"""Shortest paths on arrays: CSR matrices per cost vector and ``scipy.sparse.csgraph.dijkstra``.

A cost vector gives one cost per *directed edge* (``np.inf``: forbidden). :func:`csr_for` turns
it into a CSR matrix over nodes, keeping for each ``(u, v)`` pair only its cheapest parallel edge
(csgraph would otherwise *sum* duplicate entries) and the map from CSR entry back to that edge,
plus the transposed matrix for reverse searches. Matrices of read-only vectors (those of
:func:`routing.edge_costs`) are cached on the network, keyed by the vector's identity.

:func:`shortest_path_tree` runs one (multi-source) Dijkstra, forward or reverse, optionally
bounded by ``limit``; :func:`path_edges` reads a path out of a tree as edge indices.

Examples
--------
A triangle 0 -> 1 -> 2 with a costlier direct edge 0 -> 2 (edges given as (u, v, cost); the
compiled edges are numbered in graph order: 0 -> 1, 0 -> 2, 1 -> 2):

>>> from routing.search import _toy_network
>>> cn, costs = _toy_network([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 5.0)])
>>> tree = shortest_path_tree(cn, 0, costs)
>>> tree.dist.tolist(), path_edges(cn, tree, 2).tolist()
([0.0, 1.0, 2.0], [0, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from routing.compiled import CompiledNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = ["Csr", "ShortestPathTree", "csr_for", "path_edges", "path_nodes", "shortest_path_tree"]



@dataclass(frozen=True, eq=False)
class Csr:
    """Forward and reverse CSR matrices of one cost vector (cheapest parallel edge kept).

    ``edge[j]`` is the edge of forward entry ``j``; ``key`` (sorted) is ``u * n + v`` of every
    forward entry, for looking pairs up; ``r_*`` are the same for the transposed matrix.
    """

    n: int
    indptr: npt.NDArray[np.int32]
    indices: npt.NDArray[np.int32]
    data: FloatArray
    edge: npt.NDArray[np.int32]
    key: IntArray
    r_indptr: npt.NDArray[np.int32]
    r_indices: npt.NDArray[np.int32]
    r_data: FloatArray
    r_edge: npt.NDArray[np.int32]
    matrix: csr_array = field(repr=False)
    r_matrix: csr_array = field(repr=False)

    def entry_edges(self, u: npt.ArrayLike, v: npt.ArrayLike) -> npt.NDArray[np.int32]:
        """The kept edge of every ``(u[i], v[i])`` pair; ``KeyError`` when a pair has no entry."""
        want = np.asarray(u, dtype=np.int64) * self.n + np.asarray(v, dtype=np.int64)
        pos = np.searchsorted(self.key, want)
        pos = np.minimum(pos, max(self.key.size - 1, 0))
        if self.key.size == 0 or not np.array_equal(self.key[pos], want):
            raise KeyError("no edge between some consecutive nodes of the path")
        return self.edge[pos]


def _group_min(cn: CompiledNetwork, costs: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int32]]:
    """Cheapest cost and edge of every ``(u, v)`` pair (pairs in ``pair_start`` order)."""
    order, start = cn.pair_edge, cn.pair_start
    c = costs[order]
    if c.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int32)
    gmin = np.minimum.reduceat(c, start)
    sizes = np.diff(np.append(start, c.size))
    pos = np.arange(c.size)
    cand = np.where(c == np.repeat(gmin, sizes), pos, c.size)
    first = np.minimum.reduceat(cand, start)
    first = np.minimum(first, c.size - 1)  # groups all-inf: any edge, dropped below
    return gmin, order[first]


def _build(cn: CompiledNetwork, costs: FloatArray) -> Csr:
    n = cn.n_nodes
    costs = np.asarray(costs, dtype=float)
    if costs.shape != (cn.n_edges,):
        raise ValueError(f"expected one cost per edge ({cn.n_edges}), got shape {costs.shape}")
    if np.any(costs < 0):
        raise ValueError("edge costs must be >= 0")
    gmin, best = _group_min(cn, np.where(np.isnan(costs), np.inf, costs))
    keep = np.isfinite(gmin)
    best = best[keep]
    w = gmin[keep]
    u, v = cn.edge_u[best].astype(np.int64), cn.edge_v[best].astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    r_order = np.lexsort((u, v))
    r_indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(v, minlength=n), out=r_indptr[1:])
    indices, r_indices = v.astype(np.int32), u[r_order].astype(np.int32)
    matrix = csr_array((w, indices, indptr), shape=(n, n))
    r_matrix = csr_array((w[r_order], r_indices, r_indptr), shape=(n, n))
    return Csr(
        n=n, indptr=indptr, indices=indices, data=w, edge=best.astype(np.int32), key=u * n + v,
        r_indptr=r_indptr, r_indices=r_indices, r_data=w[r_order],
        r_edge=best[r_order].astype(np.int32), matrix=matrix, r_matrix=r_matrix,
    )


def csr_for(cn: CompiledNetwork, costs: FloatArray) -> Csr:
    """The :class:`Csr` of a cost vector; cached on ``cn`` when ``costs`` is read-only.

    Parameters
    ----------
    cn
        The compiled network.
    costs
        One cost per directed edge, >= 0, ``np.inf`` (or NaN) for forbidden edges.
    """
    if isinstance(costs, np.ndarray) and not costs.flags.writeable:
        hit = cn.cached(("csr", id(costs)), lambda: (costs, _build(cn, costs)))
        if hit[0] is costs:
            return hit[1]
    return _build(cn, costs)


@dataclass(frozen=True, eq=False)
class ShortestPathTree:
    """One Dijkstra: distances and predecessors of every node.

    For a forward tree ``dist[v]`` is the cost from the nearest source to ``v`` and ``pred[v]`` the
    node before ``v``; for a reverse tree (``reverse=True``) ``dist[v]`` is the cost from ``v`` to
    the nearest source and ``pred[v]`` the node after ``v``. ``origin[v]`` is the source that
    reaches ``v`` (-1: unreachable).
    """

    sources: tuple[int, ...]
    reverse: bool
    dist: FloatArray
    pred: npt.NDArray[np.int32]
    origin: npt.NDArray[np.int32]
    csr: Csr = field(repr=False)

    def reachable(self, node: int) -> bool:
        """Whether ``node`` is reached."""
        return bool(np.isfinite(self.dist[node]))


def shortest_path_tree(
    cn: CompiledNetwork,
    source_node: int | Sequence[int],
    costs: FloatArray,
    *,
    reverse: bool = False,
    limit: float | None = None,
) -> ShortestPathTree:
    """Dijkstra from one node index (or the nearest of several) over a cost vector.

    Parameters
    ----------
    cn
        The compiled network.
    source_node
        A node *index* or several (multi-source: each node gets its nearest source).
    costs
        One cost per directed edge (:func:`routing.edge_costs` or your own, ``np.inf`` forbidden).
    reverse
        Search the reversed graph: distances *to* the source(s).
    limit
        Stop at this cost: farther nodes get ``np.inf``.

    Returns
    -------
    ShortestPathTree
    """
    if isinstance(source_node, int | np.integer):
        sources: tuple[int, ...] = (int(source_node),)
    else:
        sources = tuple(int(s) for s in source_node)
    if not sources or min(sources) < 0 or max(sources) >= cn.n_nodes:
        raise IndexError(f"source node index out of range: {source_node!r}")
    csr = csr_for(cn, costs)
    matrix = csr.r_matrix if reverse else csr.matrix
    kw: dict[str, Any] = {"limit": float(limit)} if limit is not None else {}
    dist, pred, origin = dijkstra(
        matrix, directed=True, indices=list(sources), return_predecessors=True, min_only=True, **kw
    )
    return ShortestPathTree(
        sources=sources, reverse=reverse, dist=np.asarray(dist, dtype=float),
        pred=np.asarray(pred, dtype=np.int32), origin=np.asarray(origin, dtype=np.int32), csr=csr,
    )


def path_nodes(tree: ShortestPathTree, node: int) -> list[int]:
    """Node indices of the tree path to ``node`` in travel order (``[]``: unreachable).

    Forward tree: source -> node; reverse tree: node -> source.
    """
    if not np.isfinite(tree.dist[node]):
        return []
    out = [int(node)]
    pred = tree.pred.tolist()
    cur = int(node)
    for _ in range(len(pred)):
        cur = pred[cur]
        if cur < 0:
            break
        out.append(cur)
    return out if tree.reverse else out[::-1]


def path_edges(cn: CompiledNetwork, tree: ShortestPathTree, node: int) -> npt.NDArray[np.int32]:
    """Edge indices of the tree path to ``node`` in travel order (empty: unreachable or source).

    For a forward tree the path runs from its source to ``node``; for a reverse tree from
    ``node`` to its source. The edge between two nodes is the cheapest parallel edge under the
    tree's costs.
    """
    nodes = path_nodes(tree, node)
    if len(nodes) < 2:
        return np.zeros(0, dtype=np.int32)
    arr = np.asarray(nodes, dtype=np.int64)
    return tree.csr.entry_edges(arr[:-1], arr[1:])


def _toy_network(edges: list[tuple[int, int, float]]) -> tuple[CompiledNetwork, FloatArray]:
    """A bare compiled network from ``(u, v, cost)`` triples (doctests and unit tests only)."""
    import networkx as nx
    from shapely.geometry import Point, box

    from parcs.artifact import Network

    graph = nx.MultiDiGraph(crs="EPSG:2154")
    n = 1 + max(max(u, v) for u, v, _ in edges)
    for i in range(n):
        graph.add_node(i, x=700000.0 + 100 * i, y=7000000.0 + 37 * (i % 3), elevation=0.0)
    for u, v, c in edges:
        graph.add_edge(u, v, length=float(c), kind="path")
    import geopandas as gpd

    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:2154")
    net = Network(graph=graph, parks=empty, pois=empty, communes=empty,
                  perimeter=box(0, 0, 1e7, 1e7).difference(Point(0, 0).buffer(1)))
    from routing.compiled import compile_network

    cn = compile_network(net)
    costs = cn.edge_length.copy()
    costs.flags.writeable = False
    return cn, costs

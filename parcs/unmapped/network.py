"""A plain undirected network (node coordinates, edges with lengths) for placing unmapped links.

The placement and calibration code of :mod:`parcs.unmapped` works on this one small structure, so
that exactly the same code runs on the open-data greenway network of the Artois and on real
OpenStreetMap street networks (where it is validated). Coordinates are projected, in metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class PlainNetwork:
    """Nodes (projected metres) and undirected edges.

    Attributes
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` node coordinates.
    u, v : numpy.ndarray
        Edge end node indices.
    length : numpy.ndarray
        Edge lengths in metres (along the way, not straight).
    greenway : numpy.ndarray
        Whether each edge is a greenway-like way (the rest are streets).
    """

    xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    greenway: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.xy)

    def adjacency(self, *, mask: np.ndarray | None = None) -> csr_matrix:
        """The symmetric length-weighted adjacency of the edges selected by ``mask`` (all if None)."""
        sel = np.ones(len(self.u), dtype=bool) if mask is None else mask
        u, v, w = self.u[sel], self.v[sel], np.maximum(self.length[sel], 1e-3)
        n = self.n_nodes
        return coo_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n)).tocsr()

    def greenway_nodes(self) -> np.ndarray:
        """Indices of the nodes touched by a greenway-like edge."""
        g = self.greenway
        return np.unique(np.r_[self.u[g], self.v[g]])

    def greenway_only(self) -> PlainNetwork:
        """The same nodes with the greenway-like edges only."""
        g = self.greenway
        return PlainNetwork(self.xy, self.u[g], self.v[g], self.length[g], self.greenway[g])

    def greenway_km(self) -> float:
        """Kilometres of greenway-like edges."""
        return float(self.length[self.greenway].sum() / 1000.0)


def from_lines(
    lines: Sequence[shapely.LineString] | np.ndarray,
    greenway: Sequence[bool] | np.ndarray,
    *,
    step_m: float = 100.0,
    simplify_m: float = 2.0,
) -> PlainNetwork:
    """A network whose nodes are the vertices of the lines, with a vertex at least every ``step_m``.

    Lines meeting at a vertex (same coordinates to 1 cm) share a node. ``simplify_m`` drops vertices
    that bend less than that (keeps the node count small on finely digitised layers).

    Parameters
    ----------
    lines : sequence of shapely.LineString
        Projected line geometries (metres).
    greenway : sequence of bool
        Per line, whether it is a greenway-like way.
    step_m : float
        Longest edge: longer segments are split.
    simplify_m : float
        Douglas-Peucker tolerance applied to each line first (0 keeps every vertex).
    """
    geoms = np.asarray(lines, dtype=object)
    if simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=False)
    geoms = shapely.segmentize(geoms, step_m)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    keys = np.round(coords, 2)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    same = owner[1:] == owner[:-1]
    u, v = inverse[:-1][same], inverse[1:][same]
    seg = np.hypot(*(coords[1:][same] - coords[:-1][same]).T)
    flags = np.asarray(greenway, dtype=bool)[owner[:-1][same]]
    keep = u != v
    return PlainNetwork(uniq, u[keep], v[keep], seg[keep], flags[keep])


def largest_component(net: PlainNetwork) -> PlainNetwork:
    """The network restricted to its largest connected piece (all edges), nodes renumbered."""
    labels = connected_components(net.adjacency(), directed=False)[1]
    used = np.unique(np.r_[net.u, net.v])
    big = np.bincount(labels[used]).argmax()
    keep_node = labels == big
    keep_edge = keep_node[net.u]
    new_id = np.cumsum(keep_node) - 1
    return PlainNetwork(
        net.xy[keep_node], new_id[net.u[keep_edge]], new_id[net.v[keep_edge]],
        net.length[keep_edge], net.greenway[keep_edge],
    )

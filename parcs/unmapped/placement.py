"""Place unmapped links between network points close in space but far on the network.

The rule (:class:`PlacementRule`, one set of parameters for every network):

1. Candidates are pairs of greenway nodes at most ``radius_m`` apart in a straight line whose
   distance on the network is more than ``max(detour_factor × d, d + min_detour_m)`` (or which are
   not connected at all).
2. They are taken shortest first. Before a candidate becomes a link its network distance is
   measured again on the network *with the links already placed* (each counted at
   ``update_factor`` × its straight length): a candidate the earlier links already serve is
   dropped. Without these updates the count explodes.
3. Each node takes at most one link per direction sector (``sectors`` of 360°/sectors each);
   only the ``per_sector`` nearest candidates of a node in a sector are considered.
4. The links' total straight length stays under ``max_share`` of the greenway length.

The rule only places links; their length estimate and range come from the calibration
(:mod:`parcs.unmapped.calibration`), measured on real street networks for links placed by this
same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from parcs.unmapped.network import PlainNetwork


@dataclass(frozen=True)
class PlacementRule:
    """The parameters of the placement rule (see the module doc)."""

    radius_m: float = 1500.0
    min_link_m: float = 10.0
    detour_factor: float = 3.0
    min_detour_m: float = 500.0
    sectors: int = 8
    max_share: float = 0.25
    update_factor: float = 2.0
    per_sector: int = 4

    def need(self, d: np.ndarray) -> np.ndarray:
        """The network distance above which two points ``d`` apart are far."""
        return np.maximum(self.detour_factor * d, d + self.min_detour_m)


@dataclass(frozen=True)
class Links:
    """Links placed on a network: node indices and straight lengths (metres)."""

    a: np.ndarray
    b: np.ndarray
    straight: np.ndarray
    network_m: np.ndarray

    @property
    def joins(self) -> np.ndarray:
        """Whether each link joins pieces the network did not connect (else it is a shortcut)."""
        return ~np.isfinite(self.network_m)

    def __len__(self) -> int:
        return len(self.a)

    @property
    def total_m(self) -> float:
        """Total straight length."""
        return float(self.straight.sum())


def _far_pairs(net: PlainNetwork, adj: csr_matrix, rule: PlacementRule) -> tuple[np.ndarray, ...]:
    """Candidate pairs (step 1), sorted by straight distance."""
    nodes = net.greenway_nodes()
    pairs = cKDTree(net.xy[nodes]).query_pairs(rule.radius_m, output_type="ndarray")
    a, b = nodes[pairs[:, 0]], nodes[pairs[:, 1]]
    d = np.hypot(*(net.xy[a] - net.xy[b]).T)
    ok = d >= rule.min_link_m
    a, b, d = a[ok], b[ok], d[ok]
    net_d = np.full(len(a), np.inf)
    sources = np.unique(a)
    for chunk in np.array_split(sources, max(1, len(sources) // 256)):
        if len(chunk) == 0:
            continue
        sel = np.flatnonzero(np.isin(a, chunk))
        limit = float(rule.need(d[sel]).max()) + 1.0
        dist = dijkstra(adj, directed=False, indices=chunk, limit=limit)
        row = np.searchsorted(chunk, a[sel])
        net_d[sel] = dist[row, b[sel]]
    far = net_d > rule.need(d)
    a, b, d, net_d = a[far], b[far], d[far], net_d[far]
    order = np.argsort(d, kind="stable")
    a, b, d, net_d = a[order], b[order], d[order], net_d[order]
    keep = _nearest_per_sector(net, a, b, rule) & _nearest_per_sector(net, b, a, rule)
    return a[keep], b[keep], d[keep]


def _nearest_per_sector(net: PlainNetwork, a: np.ndarray, b: np.ndarray, rule: PlacementRule) -> np.ndarray:
    """Mask of the candidates among the ``per_sector`` nearest of their node ``a`` in their sector.

    ``a``/``b`` are sorted by distance; only those can become links once the sector rule applies.
    """
    dx, dy = (net.xy[b] - net.xy[a]).T
    sector = ((np.arctan2(dy, dx) + np.pi) / (2 * np.pi) * rule.sectors).astype(np.int64) % rule.sectors
    key = a * rule.sectors + sector
    order = np.argsort(key, kind="stable")
    sk = key[order]
    start = np.r_[0, np.flatnonzero(sk[1:] != sk[:-1]) + 1]
    rank = np.arange(len(sk)) - np.repeat(start, np.diff(np.r_[start, len(sk)]))
    out = np.empty(len(a), dtype=bool)
    out[order] = rank < rule.per_sector
    return out


def _sector(net: PlainNetwork, a: int, b: int, sectors: int) -> int:
    dx, dy = net.xy[b] - net.xy[a]
    return int((np.arctan2(dy, dx) + np.pi) / (2 * np.pi) * sectors) % sectors


def place_links(net: PlainNetwork, *, rule: PlacementRule | None = None) -> Links:
    """Links between greenway points close in space but far on the network (the module's rule).

    Parameters
    ----------
    net : PlainNetwork
        The greenway network (its non-greenway edges, if any, count as network too).
    rule : PlacementRule, optional
        The parameters; the defaults are the calibrated ones.

    Returns
    -------
    Links
        The links, in the order they were placed (shortest first).
    """
    rule = rule or PlacementRule()
    base = net.adjacency()
    ca, cb, cd = _far_pairs(net, base, rule)
    cap = rule.max_share * net.length[net.greenway].sum()
    used: set[tuple[int, int]] = set()
    la: list[int] = []
    lb: list[int] = []
    ld: list[float] = []
    adj = base
    total = 0.0
    comp = connected_components(base, directed=False)[1]
    for a, b, d in zip(ca.tolist(), cb.tolist(), cd.tolist(), strict=True):
        if total + d > cap:
            break
        sa, sb = (a, _sector(net, a, b, rule.sectors)), (b, _sector(net, b, a, rule.sectors))
        if sa in used or sb in used:
            continue
        need = float(rule.need(np.array([d]))[0])
        if comp[a] == comp[b] and dijkstra(adj, directed=False, indices=a, limit=need + 1.0)[b] <= need:
            continue
        if comp[a] != comp[b]:
            comp[comp == comp[b]] = comp[a]
        used.update((sa, sb))
        la.append(a)
        lb.append(b)
        ld.append(d)
        total += d
        adj = _with_links(base, la, lb, ld, rule.update_factor, net.n_nodes)
    a_arr, b_arr = np.asarray(la, dtype=np.int64), np.asarray(lb, dtype=np.int64)
    return Links(a_arr, b_arr, np.asarray(ld, dtype=float), _network_m(base, a_arr, b_arr))


def _network_m(adj: csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Network distance between the ends of each link before any link (``inf``: not connected)."""
    if len(a) == 0:
        return np.zeros(0)
    src, inv = np.unique(a, return_inverse=True)
    out = np.empty(len(a))
    for chunk in np.array_split(np.arange(len(src)), max(1, len(src) // 128)):
        dist = dijkstra(adj, directed=False, indices=src[chunk])
        sel = np.flatnonzero(np.isin(inv, chunk))
        out[sel] = dist[inv[sel] - chunk[0], b[sel]]
    return out


def _with_links(base: csr_matrix, a: list[int], b: list[int], d: list[float], factor: float, n: int) -> csr_matrix:
    w = np.asarray(d) * factor
    extra = coo_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    return (base + extra).tocsr()

"""Judge greenways + unmapped links against the true shortest paths of a real street network.

On a real OSM network (:mod:`parcs.unmapped.osmfile`) the greenway-like ways stand for the
open-data greenways; links are placed on them by :func:`~parcs.unmapped.placement.place_links`
and given their calibrated estimate and range. For seeded pairs of greenway points, the route on
greenways + links (shortest by estimated length) is compared with the true shortest path on the
full network: the estimate's relative error, whether the stated range holds the true length, the
range's relative width, and the greenway-only baseline (routes without links).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from parcs.unmapped.calibration import Calibration, fit, measure_circuity, with_route_margin
from parcs.unmapped.network import PlainNetwork
from parcs.unmapped.placement import Links, PlacementRule, place_links


@dataclass(frozen=True)
class Validation:
    """Per-pair figures of one network (arrays aligned on the pairs)."""

    true_m: np.ndarray
    estimate_m: np.ndarray
    low_m: np.ndarray
    high_m: np.ndarray
    link_m: np.ndarray
    greenway_only_m: np.ndarray
    links: int
    links_km: float
    greenway_km: float

    @property
    def error(self) -> np.ndarray:
        """Relative error of the estimate (signed)."""
        return self.estimate_m / self.true_m - 1.0

    def summary(self) -> dict[str, float]:
        """The figures the benchmark prints and the tests bound."""
        base = self.greenway_only_m / self.true_m - 1.0
        finite = np.isfinite(base)
        return {
            "pairs": float(len(self.true_m)),
            "links": float(self.links),
            "links_km": self.links_km,
            "links_share": self.links_km / self.greenway_km if self.greenway_km else 0.0,
            "median_abs_error": float(np.median(np.abs(self.error))),
            "p90_abs_error": float(np.percentile(np.abs(self.error), 90)),
            "median_error": float(np.median(self.error)),
            "coverage": float(np.mean((self.low_m <= self.true_m + 1e-6) & (self.true_m <= self.high_m + 1e-6))),
            "median_rel_width": float(np.median((self.high_m - self.low_m) / self.estimate_m)),
            "pairs_on_links": float(np.mean(self.link_m > 0)),
            "baseline_connected": float(finite.mean()),
            "baseline_median_abs_error": float(np.median(np.abs(base[finite]))) if finite.any() else float("nan"),
        }


def _linked(green: PlainNetwork, links: Links, weight: np.ndarray) -> csr_matrix:
    g = green.greenway
    u = np.r_[green.u[g], links.a]
    v = np.r_[green.v[g], links.b]
    w = np.maximum(np.r_[green.length[g], weight], 1e-3)
    n = green.n_nodes
    return coo_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n)).tocsr()


def _pairs(net: PlainNetwork, adj: csr_matrix, *, n: int, min_m: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = connected_components(adj, directed=False)[1]
    nodes = net.greenway_nodes()
    big = np.bincount(labels[nodes]).argmax()
    nodes = nodes[labels[nodes] == big]
    a_out: list[int] = []
    b_out: list[int] = []
    for _ in range(n * 50):
        a, b = rng.choice(nodes, 2, replace=False)
        if np.hypot(*(net.xy[a] - net.xy[b])) >= min_m:
            a_out.append(int(a))
            b_out.append(int(b))
            if len(a_out) == n:
                break
    return np.asarray(a_out), np.asarray(b_out)


def _route_parts(pred: np.ndarray, a: int, b: int, link_of: dict[tuple[int, int], int]) -> list[int]:
    """The links (indices) on the predecessor path from ``a`` to ``b``."""
    out = []
    node = b
    while node != a and node >= 0:
        prev = int(pred[node])
        k = link_of.get((prev, node))
        if k is not None:
            out.append(k)
        node = prev
    return out


def validate(
    net: PlainNetwork, *, calibration: Calibration, rule: PlacementRule | None = None,
    pairs: int = 200, min_pair_m: float = 500.0, seed: int = 0,
) -> Validation:
    """Place links on the greenway-like ways of ``net`` and judge routes against the full network."""
    green = net.greenway_only()
    links = place_links(green, rule=rule)
    lo, mid, hi = calibration.estimate(links.straight, network_m=links.network_m)
    adj = _linked(green, links, mid)
    a, b = _pairs(net, adj, n=pairs, min_m=min_pair_m, seed=seed)
    link_of = {}
    for k, (x, y) in enumerate(zip(links.a.tolist(), links.b.tolist(), strict=True)):
        link_of[(x, y)] = link_of[(y, x)] = k
    dist, pred = dijkstra(adj, directed=False, indices=a, return_predecessors=True)
    true = dijkstra(net.adjacency(), directed=False, indices=a)
    base = dijkstra(green.adjacency(), directed=False, indices=a)
    rows = np.arange(len(a))
    est = dist[rows, b]
    low, high, on_links = est.copy(), est.copy(), np.zeros(len(a))
    for i in range(len(a)):
        ks = _route_parts(pred[i], int(a[i]), int(b[i]), link_of)
        if ks:
            low[i] += float(lo[ks].sum() - mid[ks].sum())
            high[i] += float(hi[ks].sum() - mid[ks].sum())
            on_links[i] = float(links.straight[ks].sum())
            low[i], high[i] = calibration.route_range(est[i], low[i], high[i])
    return Validation(true[rows, b], est, low, high, on_links, base[rows, b], len(links),
                      links.total_m / 1000.0, green.greenway_km())


def calibrate(
    nets: Sequence[PlainNetwork], *, rule: PlacementRule | None = None, pairs: int = 200, seed: int = 1
) -> Calibration:
    """The calibration measured on real networks (see :mod:`parcs.unmapped.calibration`).

    Link circuity per class and band from the links placed on each network's greenway-like ways;
    then the route margin from seeded routes (seed ``seed``, distinct from the validation's).
    """
    placed, circuity = [], []
    for net in nets:
        links = place_links(net.greenway_only(), rule=rule)
        placed.append(links)
        circuity.append(measure_circuity(net, links))
    cal = fit(placed, circuity)
    runs = [validate(net, calibration=cal, rule=rule, pairs=pairs, seed=seed) for net in nets]
    on = [v.link_m > 0 for v in runs]
    return with_route_margin(
        cal,
        true_m=np.concatenate([v.true_m[m] for v, m in zip(runs, on, strict=True)]),
        estimate_m=np.concatenate([v.estimate_m[m] for v, m in zip(runs, on, strict=True)]),
    )

"""Length estimate and range of an unmapped link, from circuity measured on real street networks.

A link is a straight line standing for streets the data does not map; its true length is the
street distance between its ends. :func:`measure_circuity` measures that distance over the straight
one (the *circuity*) on real OpenStreetMap networks, for links placed by the very rule used on the
Artois (:func:`parcs.unmapped.placement.place_links` on the network's greenway-like ways).
:class:`Calibration` keeps, per band of straight length, the quantiles of that circuity:
the estimate is ``p50 × straight`` and the stated range ``p10 × straight`` to ``p90 × straight``.
The table is written to ``data/unmapped.toml`` by ``benchmarks/bench_unmapped.py --write`` and read
by the build; the benchmark recomputes it every run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import dijkstra

from parcs import paths
from parcs._errors import DataError
from parcs.unmapped.network import PlainNetwork
from parcs.unmapped.placement import Links


@dataclass(frozen=True)
class Band:
    """Circuity quantiles of the links of one class whose straight length is under ``upto_m``.

    ``joins`` is the class: links joining pieces the network left apart, or shortcuts between
    points it joins only by a long detour (those cross a barrier more often: a river, a railway).
    """

    joins: bool
    upto_m: float
    p10: float
    p50: float
    p90: float
    n: int = 0


@dataclass(frozen=True)
class Calibration:
    """Circuity bands per class, shortest first; the last band of a class covers longer links."""

    bands: tuple[Band, ...]
    route_low: float = 1.0
    route_high: float = 1.0

    def route_range(self, estimate_m: float, low_m: float, high_m: float) -> tuple[float, float]:
        """The stated range of a route that uses links.

        The links' own ranges (summed into ``low_m``/``high_m``) do not say that the streets may
        also shorten the greenway part of the route: the range is widened to at least
        ``route_low``–``route_high`` × the estimate, ratios of true to estimated length measured
        on the same real networks (p10–p90).
        """
        return min(low_m, self.route_low * estimate_m), max(high_m, self.route_high * estimate_m)

    def factors(self, straight: np.ndarray, *, joins: np.ndarray) -> np.ndarray:
        """``(n, 3)`` circuity factors (p10, p50, p90) of links of these lengths and classes."""
        out = np.empty((len(straight), 3))
        for cls in (False, True):
            bands = [b for b in self.bands if b.joins == cls]
            m = joins == cls
            if not m.any():
                continue
            edges = np.array([b.upto_m for b in bands[:-1]])
            idx = np.searchsorted(edges, straight[m], side="right")
            out[m] = np.array([[b.p10, b.p50, b.p90] for b in bands])[idx]
        return out

    def estimate(
        self, straight: np.ndarray | float, *, network_m: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(low, estimate, high)`` lengths in metres of links.

        ``network_m`` is each link's network distance without links (``inf`` when it joins
        pieces apart): the streets are never longer than the greenway detour, so it caps all three.
        """
        s = np.atleast_1d(np.asarray(straight, dtype=float))
        cap = np.broadcast_to(np.asarray(network_m, dtype=float), s.shape)
        f = self.factors(s, joins=~np.isfinite(cap))
        lo, mid, hi = (np.minimum(f[:, k] * s, cap) for k in range(3))
        return lo, mid, hi


def measure_circuity(full: PlainNetwork, links: Links, /) -> np.ndarray:
    """True street distance over straight length of each link, on the full network.

    Links whose ends the full network does not join get ``inf``.
    """
    if len(links) == 0:
        return np.zeros(0)
    src, inv = np.unique(links.a, return_inverse=True)
    dist = dijkstra(full.adjacency(), directed=False, indices=src)
    return dist[inv, links.b] / links.straight


def fit(
    links: Sequence[Links], circuity: Sequence[np.ndarray], *, bands_m: Sequence[float] = (100.0, 200.0),
    per_network: bool = False,
) -> Calibration:
    """Quantiles of circuity per class and straight-length band (the last band is open-ended).

    With ``per_network`` each network weighs the same whatever its number of links; by default
    every link weighs the same.
    """
    out = []
    for cls in (False, True):
        lo = 0.0
        for hi in [*bands_m, float("inf")]:
            vals, wts = [], []
            for lk, c in zip(links, circuity, strict=True):
                m = (lk.joins == cls) & (lk.straight >= lo) & (lk.straight < hi) & np.isfinite(c)
                if m.any():
                    vals.append(c[m])
                    wts.append(np.full(int(m.sum()), 1.0 / m.sum() if per_network else 1.0))
            n = sum(len(v) for v in vals)
            if n < 5:
                raise DataError(f"calibration: only {n} links between {lo:.0f} and {hi:.0f} m")
            # a street is never shorter than the straight line (ratios a hair under 1 are rounding)
            q = [max(1.0, x) for x in _weighted_quantiles(np.concatenate(vals), np.concatenate(wts), (0.1, 0.5, 0.9))]
            out.append(Band(cls, hi, q[0], q[1], q[2], n))
            lo = hi
    return Calibration(tuple(out))


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list[float]:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, v)) for q in qs]


def calibration_path() -> Path:
    """``data/unmapped.toml``."""
    return paths.data_dir() / "unmapped.toml"


def load_calibration(path: Path | None = None) -> Calibration:
    """The committed calibration table (see the module doc)."""
    p = path or calibration_path()
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
        bands = tuple(
            Band(bool(b["joins"]), float(b["upto_m"]), float(b["p10"]), float(b["p50"]), float(b["p90"]),
                 int(b.get("n", 0)))
            for b in raw["band"]
        )
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{p.name}: calibration des liaisons illisible ({exc})") from exc
    if not bands:
        raise DataError(f"{p.name}: calibration des liaisons vide")
    route = raw.get("route", {})
    return Calibration(bands, float(route.get("low", 1.0)), float(route.get("high", 1.0)))


def to_toml(cal: Calibration, *, header: str) -> str:
    """The calibration as TOML (``inf`` written as a very large number)."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += ["", "[route]", f"low = {cal.route_low:.3f}", f"high = {cal.route_high:.3f}"]
    for b in cal.bands:
        upto = b.upto_m if np.isfinite(b.upto_m) else 1e9
        lines += ["", "[[band]]", f"joins = {'true' if b.joins else 'false'}", f"upto_m = {upto:.1f}", f"p10 = {b.p10:.3f}", f"p50 = {b.p50:.3f}",
                  f"p90 = {b.p90:.3f}", f"n = {b.n}"]
    return "\n".join(lines) + "\n"


def with_route_margin(cal: Calibration, *, true_m: np.ndarray, estimate_m: np.ndarray) -> Calibration:
    """``cal`` with its route margin: p10 and p90 of true / estimated length of routes on links."""
    ratio = true_m / estimate_m
    ratio = ratio[np.isfinite(ratio)]
    lo, hi = np.percentile(ratio, [10, 90])
    return Calibration(cal.bands, float(min(lo, 1.0)), float(max(hi, 1.0)))

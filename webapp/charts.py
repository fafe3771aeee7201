"""The elevation profile as an inline SVG, drawn on the server (no JavaScript library).

The chart is a filled area under the elevation line with a few "nice" ticks on both axes; it carries
a ``<title>`` and a ``<desc>`` (and ``role="img"``) so that screen readers announce the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from webapp.i18n import Translator

#: Drawing size in SVG user units (the SVG scales to its container's width).
WIDTH, HEIGHT = 900.0, 190.0
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48.0, 12.0, 24.0, 34.0
#: At most this many vertices are drawn.
MAX_POINTS = 400


@dataclass(frozen=True)
class Profile:
    """A cleaned elevation profile: distances (m, increasing) and elevations (m)."""

    distances: tuple[float, ...]
    elevations: tuple[float, ...]


def clean_profile(points: Sequence[Sequence[float]], *, max_points: int = MAX_POINTS) -> Profile:
    """Drop non-finite samples, keep distances non-decreasing, thin to ``max_points``.

    >>> clean_profile([(0, 10), (50, float("nan")), (100, 12)]).elevations
    (10.0, 12.0)
    """
    pairs = [
        (float(p[0]), float(p[1]))
        for p in points
        if len(p) >= 2 and math.isfinite(float(p[0])) and math.isfinite(float(p[1]))
    ]
    cleaned: list[tuple[float, float]] = []
    for d, z in pairs:
        if not cleaned or d >= cleaned[-1][0]:
            cleaned.append((d, z))
    if len(cleaned) > max_points:
        step = (len(cleaned) - 1) / (max_points - 1)
        cleaned = [cleaned[round(i * step)] for i in range(max_points)]
    return Profile(tuple(d for d, _ in cleaned), tuple(z for _, z in cleaned))


def nice_step(span: float, *, target: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``target`` ticks.

    >>> nice_step(1000), nice_step(37), nice_step(0)
    (200.0, 10.0, 1.0)
    """
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power  # pragma: no cover


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    return [first + i * step for i in range(max(0, count))]


def elevation_svg(
    points: Sequence[Sequence[float]],
    t: Translator,
    *,
    climb: float = 0.0,
    descent: float = 0.0,
    chart_id: str = "elevation",
) -> Markup:
    """The elevation profile of an itinerary as an SVG element.

    Parameters
    ----------
    points
        ``(distance_m, elevation_m)`` pairs along the itinerary.
    t
        Translations of the page's language.
    climb, descent
        The itinerary's climb and descent (m), quoted in the description.
    chart_id
        Prefix of the element ids (unique within the page).

    Returns
    -------
    Markup
        The ``<svg>`` element, safe to insert as is (every text in it is escaped).
    """
    profile = clean_profile(points)
    if len(profile.distances) < 2:
        return Markup("")
    d0, d1 = profile.distances[0], profile.distances[-1]
    zmin, zmax = min(profile.elevations), max(profile.elevations)
    z_step = nice_step(max(zmax - zmin, 10.0), target=4)
    z_lo = math.floor(zmin / z_step) * z_step
    z_hi = max(math.ceil(zmax / z_step) * z_step, z_lo + z_step)
    dspan = max(d1 - d0, 1.0)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(d: float) -> float:
        return MARGIN_LEFT + (d - d0) / dspan * plot_w

    def y(z: float) -> float:
        return MARGIN_TOP + (z_hi - z) / (z_hi - z_lo) * plot_h

    line = " ".join(
        f"{x(d):.1f},{y(z):.1f}" for d, z in zip(profile.distances, profile.elevations, strict=True)
    )
    base = MARGIN_TOP + plot_h
    area = f"M{x(d0):.1f},{base:.1f} L{line.replace(' ', ' L')} L{x(d1):.1f},{base:.1f} Z"
    title = t("profile.title")
    desc = t(
        "profile.desc",
        zmin=t.number(zmin),
        zmax=t.number(zmax),
        dist=t.distance(d1 - d0),
        climb=t.number(climb),
        descent=t.number(descent),
    )
    parts = [
        f'<svg class="elevation-chart" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMidYMid meet" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for z in _ticks(z_lo, z_hi, z_step):
        parts.append(
            f'<line class="grid" x1="{MARGIN_LEFT:.0f}" x2="{WIDTH - MARGIN_RIGHT:.0f}" '
            f'y1="{y(z):.1f}" y2="{y(z):.1f}"/>'
            f'<text class="tick" x="{MARGIN_LEFT - 6:.0f}" y="{y(z) + 4:.1f}" '
            f'text-anchor="end">{escape(t.number(z))}</text>'
        )
    km_step = nice_step(dspan / 1000.0, target=6)
    for km in _ticks(d0 / 1000.0, d1 / 1000.0, km_step):
        digits = 0 if km_step >= 1 else 1
        parts.append(
            f'<text class="tick" x="{x(km * 1000.0):.1f}" y="{base + 16:.1f}" '
            f'text-anchor="middle">{escape(t.number(km, digits))}</text>'
        )
    parts += [
        f'<path class="area" d="{area}"/>',
        f'<polyline class="line" points="{line}"/>',
        f'<text class="axis" x="{WIDTH - MARGIN_RIGHT:.0f}" y="{HEIGHT - 2:.0f}" '
        f'text-anchor="end">{escape(t("profile.axis_d"))}</text>',
        f'<text class="axis" x="4" y="{MARGIN_TOP - 12:.0f}">{escape(t("profile.axis_z"))}</text>',
        "</svg>",
    ]
    return Markup("".join(parts))

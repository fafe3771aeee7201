"""The elevation profile of a route as an inline SVG: :func:`profile_svg`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from routing.fmt import fr_distance, fr_number

__all__ = ["profile_svg"]


def _nice(span: float, target: int) -> float:
    raw = max(span, 1e-9) / target
    power = 10.0 ** math.floor(math.log10(raw))
    return next(f * power for f in (1.0, 2.0, 5.0, 10.0) if raw <= f * power)


def profile_svg(points: Sequence[tuple[float, float]], *, climb: float, descent: float,
                width: float = 700.0, height: float = 190.0, ids: str = "") -> Markup:
    """The elevation profile as an inline ``<svg>`` (with ``<title>``/``<desc>``), or ``''``.

    Colours are presentation attributes (printed as drawn by engines that ignore CSS in SVG);
    ``ids`` prefixes the element ids (several profiles in one document).

    >>> str(profile_svg([(0.0, 10.0), (1000.0, 20.0)], climb=10, descent=0)).startswith("<svg")
    True
    """
    pts = [(d, z) for d, z in points if math.isfinite(d) and math.isfinite(z)]
    if len(pts) < 2 or pts[-1][0] <= pts[0][0]:
        return Markup("")
    left, right, top, bottom = 46.0, 10.0, 10.0, 30.0
    d0, d1 = pts[0][0], pts[-1][0]
    zmin, zmax = min(z for _, z in pts), max(z for _, z in pts)
    zstep = _nice(max(zmax - zmin, 10.0), 4)
    zlo, zhi = math.floor(zmin / zstep) * zstep, math.ceil(zmax / zstep) * zstep
    zhi = max(zhi, zlo + zstep)
    pw, ph = width - left - right, height - top - bottom

    def x(d: float) -> float:
        return left + (d - d0) / (d1 - d0) * pw

    def y(z: float) -> float:
        return top + (zhi - z) / (zhi - zlo) * ph

    line = " ".join(f"{x(d):.1f},{y(z):.1f}" for d, z in pts)
    parts = [
        f'<svg class="profile" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="{ids}profile-title {ids}profile-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">',
        f'<title id="{ids}profile-title">Profil en long</title>',
        f'<desc id="{ids}profile-desc">{escape(_profile_desc(zmin, zmax, d1 - d0, climb, descent))}</desc>',
    ]
    z = zlo
    while z <= zhi + 1e-9:
        parts.append(f'<line class="grid" stroke="#e9ecef" stroke-width="1" x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(z):.1f}" y2="{y(z):.1f}"/>'
                     f'<text class="tick" font-size="11" fill="#495057" x="{left - 4:.1f}" y="{y(z) + 4:.1f}" text-anchor="end">{fr_number(z, 0)} m</text>')
        z += zstep
    dstep = _nice(d1 - d0, 6)
    d = 0.0
    while d0 + d <= d1 + 1e-9:
        parts.append(f'<text class="tick" font-size="11" fill="#495057" x="{x(d0 + d):.1f}" y="{height - 10:.1f}" text-anchor="middle">{fr_number(d / 1000, 1)} km</text>')
        d += dstep
    base = top + ph
    parts.append(f'<path class="area" fill="#b2f2bb" d="M{x(d0):.1f},{base:.1f} L{line.replace(" ", " L")} L{x(d1):.1f},{base:.1f} Z"/>')
    parts.append(f'<polyline class="line" fill="none" stroke="#1b7f3b" stroke-width="2" points="{line}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _profile_desc(zmin: float, zmax: float, dist: float, climb: float, descent: float) -> str:
    return (f"Altitude de {fr_number(zmin, 0)} à {fr_number(zmax, 0)} m sur {fr_distance(dist)} ; "
            f"dénivelé +{fr_number(climb, 0)} m / -{fr_number(descent, 0)} m")

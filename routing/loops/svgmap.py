"""A map that prints without internet: an SVG drawn from the project's own layers.

:func:`route_map_svg` draws, around one route: the commune limits and names, the park units'
outlines, the greenway network by kind (planned sections dashed, connectors dotted), canals and
towpaths (:func:`routing.loops.rules.water_edges`), the route
itself (white casing, green on greenways, orange elsewhere) with a mark every few kilometres, its
start and finish, the POIs numbered as in the roadbook, a scale bar, a north arrow and a legend.
No tile, font file or script is needed: the SVG is embedded in the HTML roadbook and in its PDF.

Coordinates are projected with a local equirectangular projection around the map's centre
(metres, error under 0.1 % over a few tens of kilometres), which is also what the scale bar reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from markupsafe import Markup, escape

from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance
from routing.itinerary import Itinerary
from routing.loops.rules import water_edges

__all__ = ["MapPoi", "MapStyle", "commune_outlines", "nice_step", "route_map_svg"]

#: Colours of the network's kinds (print-friendly, distinct in grey scale too).
KIND_COLOURS: Mapping[str, str] = {
    "eurovelo": "#1864ab", "veloroute": "#2b8a3e", "voie_verte": "#37b24d", "cavalier": "#8d6e63",
    "towpath": "#1c7ed6", "track": "#a1887f", "path": "#a1887f", "advised_route": "#adb5bd",
    "connector": "#ced4da",
}
KIND_LABELS: Mapping[str, str] = {
    "eurovelo": "EuroVelo", "veloroute": "Véloroute", "voie_verte": "Voie verte",
    "cavalier": "Cavalier minier", "towpath": "Chemin de halage", "track": "Chemin agricole",
    "path": "Sentier", "advised_route": "Itinéraire conseillé (route partagée)",
    "connector": "Liaison non aménagée",
}
WATER = "#1c7ed6"
ROUTE_GREEN, ROUTE_OTHER = "#1b7f3b", "#d9480f"


@dataclass(frozen=True)
class MapPoi:
    """A numbered POI on the map."""

    number: int
    lon: float
    lat: float
    name: str


@dataclass(frozen=True)
class MapStyle:
    """Size of the drawing (SVG user units; printed at the width the page gives it)."""

    width: float = 1000.0
    height: float = 760.0
    margin: float = 0.06


class _Projection:
    """Lon/lat → drawing units, north up, fitting a bounding box into the drawing."""

    def __init__(self, bbox: tuple[float, float, float, float], style: MapStyle) -> None:
        lon0, lat0 = (bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0
        self.lon0, self.lat0 = lon0, lat0
        self.kx = 111_320.0 * math.cos(math.radians(lat0))
        self.ky = 110_574.0
        w_m = max((bbox[2] - bbox[0]) * self.kx, 200.0)
        h_m = max((bbox[3] - bbox[1]) * self.ky, 200.0)
        usable_w = style.width * (1 - 2 * style.margin)
        usable_h = style.height * (1 - 2 * style.margin)
        self.scale = min(usable_w / w_m, usable_h / h_m)  # units per metre
        self.cx, self.cy = style.width / 2.0, style.height / 2.0
        half_w, half_h = style.width / 2.0 / self.scale, style.height / 2.0 / self.scale
        self.view = (lon0 - half_w / self.kx, lat0 - half_h / self.ky,
                     lon0 + half_w / self.kx, lat0 + half_h / self.ky)

    def xy(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        x = self.cx + (np.asarray(lon) - self.lon0) * self.kx * self.scale
        y = self.cy - (np.asarray(lat) - self.lat0) * self.ky * self.scale
        return x, y


def _path(x: Any, y: Any) -> str:
    xs, ys = np.round(np.asarray(x, dtype=float), 1).tolist(), np.round(np.asarray(y, dtype=float), 1).tolist()
    if not xs:
        return ""
    return "M" + " L".join(f"{a:g},{b:g}" for a, b in zip(xs, ys, strict=True))


def nice_step(span_m: float, *, target: int = 8) -> float:
    """A round step (1, 2 or 5 × 10^k metres) cutting ``span_m`` into about ``target`` parts.

    >>> nice_step(10_000), nice_step(35_000), nice_step(900, target=4)
    (2000.0, 5000.0, 500.0)
    """
    raw = max(span_m, 1.0) / target
    power = 10.0 ** math.floor(math.log10(raw))
    return next(f * power for f in (1.0, 2.0, 5.0, 10.0) if raw <= f * power * 1.0001)


def commune_outlines(directory: str | Path | None) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """``(name, polygons)`` of the communes in a build folder's ``communes.geojson`` (lon/lat,
    simplified to ~15 m); empty when the file is missing or unreadable."""
    if directory is None:
        return ()
    try:
        doc = json.loads((Path(directory) / "communes.geojson").read_text(encoding="utf-8"))
        out = []
        for feat in doc.get("features", []):
            geom = shapely.geometry.shape(feat["geometry"]).simplify(0.00015)
            polys = tuple(getattr(geom, "geoms", [geom]))
            out.append((str(feat["properties"].get("nom", "")), polys))
        return tuple(out)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, shapely.errors.GEOSException):
        return ()


def _rings(polys: Sequence[Any], proj: _Projection) -> str:
    parts = []
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            c = np.asarray(ring.coords)
            if len(c) > 2:
                parts.append(_path(*proj.xy(c[:, 0], c[:, 1])) + " Z")
    return " ".join(parts)


def _intersects(bounds: tuple[float, float, float, float], view: tuple[float, float, float, float]) -> bool:
    return not (bounds[2] < view[0] or bounds[0] > view[2] or bounds[3] < view[1] or bounds[1] > view[3])


def _edges_in_view(cn: CompiledNetwork, view: tuple[float, float, float, float]) -> np.ndarray:
    """One direction of every edge with a vertex in the view."""
    inside = ((cn.geom_lon >= view[0]) & (cn.geom_lon <= view[2])
              & (cn.geom_lat >= view[1]) & (cn.geom_lat <= view[3]))
    owner = np.repeat(np.arange(cn.n_edges), np.diff(cn.geom_offsets))
    edges = np.unique(owner[inside])
    return edges[cn.edge_u[edges] <= cn.edge_v[edges]] if edges.size else edges


def _network_layer(cn: CompiledNetwork, proj: _Projection) -> tuple[list[str], set[str], bool]:
    """The network by kind, and water ways; the kinds drawn and whether water was drawn."""
    edges = _edges_in_view(cn, proj.view)
    wet = water_edges(cn)
    by_kind: dict[tuple[str, bool], list[str]] = {}
    water: list[str] = []
    for e in edges.tolist():
        sl = cn.edge_slice(e)
        d = _path(*proj.xy(cn.geom_lon[sl], cn.geom_lat[sl]))
        kind = cn.kinds[int(cn.edge_kind[e])]
        planned = cn.statuses[int(cn.edge_status[e])] == "planned"
        by_kind.setdefault((kind, planned), []).append(d)
        if wet[e]:
            water.append(d)
    out = []
    for (kind, planned), paths in sorted(by_kind.items()):
        dash = ' stroke-dasharray="6 4"' if planned else ' stroke-dasharray="2 3"' if kind == "connector" else ""
        out.append(f'<path class="net net-{kind}" d="{" ".join(paths)}" fill="none" '
                   f'stroke="{KIND_COLOURS.get(kind, "#adb5bd")}" stroke-width="2.2"{dash}/>')
    if water:
        out.append(f'<path class="water" d="{" ".join(water)}" fill="none" stroke="{WATER}" '
                   f'stroke-width="5" stroke-opacity="0.35"/>')
    return out, {k for k, _ in by_kind}, bool(water)


def _route_layer(cn: CompiledNetwork, it: Itinerary, proj: _Projection) -> list[str]:
    lon, lat = it.coords[:, 0], it.coords[:, 1]
    x, y = proj.xy(lon, lat)
    out = [f'<path id="{{ids}}route-casing" d="{_path(x, y)}" fill="none" stroke="#ffffff" stroke-width="11" '
           f'stroke-linejoin="round" stroke-linecap="round"/>']
    for step in it.directions:
        green = step.kind in KIND_COLOURS and step.kind not in ("advised_route", "connector", "track", "path")
        pts_lon: list[float] = []
        pts_lat: list[float] = []
        for e in step.edges:
            sl = cn.edge_slice(int(e))
            pts_lon += cn.geom_lon[sl].tolist()
            pts_lat += cn.geom_lat[sl].tolist()
        colour = ROUTE_GREEN if green else ROUTE_OTHER
        dash = "" if green else ' stroke-dasharray="10 6"'
        out.append(f'<path class="route" d="{_path(*proj.xy(pts_lon, pts_lat))}" fill="none" '
                   f'stroke="{colour}" stroke-width="6" stroke-linejoin="round"{dash}/>')
    out.append(f'<path id="{{ids}}route" class="route-line" d="{_path(x, y)}" fill="none" stroke="none"/>')
    return out


def _km_marks(it: Itinerary, proj: _Projection) -> list[str]:
    """A labelled mark every :func:`nice_step` km along the route (not at the ends)."""
    c = it.coords
    if len(c) < 2:
        return []
    x, y = proj.xy(c[:, 0], c[:, 1])
    seg = np.hypot(np.diff(x), np.diff(y)) / proj.scale
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(cum[-1])
    step = max(nice_step(total, target=10), 1000.0)
    out = []
    k = step
    while k < total - step * 0.4:
        xi, yi = float(np.interp(k, cum, x)), float(np.interp(k, cum, y))
        label = fr_distance(k).replace(" km", "")
        out.append(f'<g class="km-mark"><circle cx="{xi:.1f}" cy="{yi:.1f}" r="9" fill="#ffffff" '
                   f'stroke="#212529" stroke-width="1.5"/><text x="{xi:.1f}" y="{yi + 3.5:.1f}" '
                   f'text-anchor="middle" font-size="10" font-weight="700" fill="#212529">{label}</text></g>')
        k += step
    return out


def _ends(it: Itinerary, proj: _Projection, *, loop: bool) -> list[str]:
    (sx, sy) = (float(v) for v in proj.xy(it.coords[0, 0], it.coords[0, 1]))
    (ex, ey) = (float(v) for v in proj.xy(it.coords[-1, 0], it.coords[-1, 1]))
    out = []
    if not loop:
        out.append(f'<g id="{{ids}}finish"><circle cx="{ex:.1f}" cy="{ey:.1f}" r="13" fill="#212529"/>'
                   f'<text x="{ex:.1f}" y="{ey + 5:.1f}" text-anchor="middle" font-size="14" '
                   f'font-weight="700" fill="#ffffff">A</text></g>')
    label = "D/A" if loop else "D"
    size = 11 if loop else 14
    out.append(f'<g id="{{ids}}start"><circle cx="{sx:.1f}" cy="{sy:.1f}" r="15" fill="#ffd43b" stroke="#212529" '
               f'stroke-width="3"/><text x="{sx:.1f}" y="{sy + size / 2.8:.1f}" text-anchor="middle" '
               f'font-size="{size}" font-weight="700" fill="#212529">{label}</text></g>')
    return out


def _pois_layer(pois: Sequence[MapPoi], proj: _Projection) -> list[str]:
    out = []
    for p in pois:
        x, y = (float(v) for v in proj.xy(p.lon, p.lat))
        out.append(f'<g class="poi" data-number="{p.number}"><title>{escape(f"{p.number}. {p.name}")}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="#5c3d2e" stroke="#ffffff" stroke-width="2"/>'
                   f'<text class="poi-number" x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                   f'font-size="12" font-weight="700" fill="#ffffff">{p.number}</text></g>')
    return out


def _furniture(proj: _Projection, style: MapStyle) -> list[str]:
    """Scale bar (bottom left) and north arrow (top right)."""
    width_m = style.width / proj.scale
    bar_m = nice_step(width_m / 5.0, target=1)
    bar = bar_m * proj.scale
    x0, y0 = 24.0, style.height - 28.0
    label = fr_distance(bar_m)
    nx, ny = style.width - 40.0, 26.0
    return [
        f'<g id="{{ids}}scale-bar"><rect x="{x0 - 8:.0f}" y="{y0 - 26:.0f}" width="{bar + 24:.1f}" height="40" '
        f'fill="#ffffff" fill-opacity="0.85"/>'
        f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{bar / 2:.1f}" height="6" fill="#212529"/>'
        f'<rect x="{x0 + bar / 2:.1f}" y="{y0:.0f}" width="{bar / 2:.1f}" height="6" fill="#ffffff" '
        f'stroke="#212529"/><text x="{x0:.0f}" y="{y0 - 6:.0f}" font-size="13">0</text>'
        f'<text x="{x0 + bar:.1f}" y="{y0 - 6:.0f}" font-size="13" text-anchor="middle">{label}</text></g>',
        f'<g id="{{ids}}north-arrow"><path d="M{nx:.0f},{ny:.0f} l12,34 l-12,-9 l-12,9 Z" fill="#212529"/>'
        f'<text x="{nx:.0f}" y="{ny + 52:.0f}" text-anchor="middle" font-size="15" font-weight="700">N</text></g>',
    ]


def _legend(kinds: set[str], water: bool, style: MapStyle, *, loop: bool) -> tuple[list[str], float]:
    """The legend as a band under the map (three columns); its parts and height."""
    rows = [(ROUTE_GREEN, "Itinéraire (voie verte)", "")]
    rows.append((ROUTE_OTHER, "Itinéraire (hors voie verte)", ' stroke-dasharray="10 6"'))
    rows += [(KIND_COLOURS[k], KIND_LABELS[k], "") for k in KIND_COLOURS if k in kinds]
    if water:
        rows.append((WATER, "Canal, halage, berges", ""))
    rows.append(("#2f9e44", "Unité de la Chaîne des parcs", ""))
    rows.append(("#868e96", "Limite de commune", ' stroke-dasharray="7 3 2 3" stroke-width="2"'))
    cols, line = 3, 20.0
    per_col = -(-len(rows) // cols)
    height = line * per_col + 34.0
    y0, col_w = style.height + 6.0, style.width / cols
    out = [f'<g id="{{ids}}legend"><rect x="0" y="{style.height:.0f}" width="{style.width:.0f}" '
           f'height="{height:.0f}" fill="#ffffff"/>']
    for i, (colour, text, extra) in enumerate(rows):
        x = 10.0 + col_w * (i // per_col)
        y = y0 + 12.0 + line * (i % per_col)
        width = "" if "stroke-width" in extra else ' stroke-width="5"'
        out.append(f'<line x1="{x:.0f}" x2="{x + 30:.0f}" y1="{y:.0f}" y2="{y:.0f}" stroke="{colour}"'
                   f'{width}{extra}/><text x="{x + 38:.0f}" y="{y + 5:.0f}" font-size="14">{escape(text)}</text>')
    marks = "D/A : départ et arrivée" if loop else "D : départ, A : arrivée"
    y = y0 + 12.0 + line * per_col
    out.append(f'<text x="10" y="{y + 5:.0f}" font-size="14">{marks} ; cercles bruns numérotés : lieux à voir ; '
               f'cercles blancs : repères kilométriques.</text></g>')
    return out, height


def route_map_svg(cn: CompiledNetwork, it: Itinerary, *, pois: Sequence[MapPoi] = (),
                  communes: Sequence[tuple[str, Sequence[Any]]] = (), loop: bool = True,
                  title: str = "Carte de l'itinéraire", style: MapStyle | None = None,
                  ids: str = "") -> Markup:
    """The offline map of a route as an inline ``<svg>`` element.

    Parameters
    ----------
    cn
        The compiled network (its ways, park units and communes are drawn around the route).
    it
        The itinerary.
    pois
        Numbered POIs to draw.
    communes
        Commune outlines (:func:`commune_outlines`); their names are drawn in any case.
    loop
        Whether start and finish are the same point (one "D/A" mark).
    title
        The SVG's accessible title.
    style
        Drawing size.
    ids
        Prefix of the element ids (several maps in one document).
    """
    style = style or MapStyle()
    lon, lat = it.coords[:, 0], it.coords[:, 1]
    pad_lon = [p.lon for p in pois]
    pad_lat = [p.lat for p in pois]
    bbox = (float(min(lon.min(), *pad_lon)) if pad_lon else float(lon.min()),
            float(min(lat.min(), *pad_lat)) if pad_lat else float(lat.min()),
            float(max(lon.max(), *pad_lon)) if pad_lon else float(lon.max()),
            float(max(lat.max(), *pad_lat)) if pad_lat else float(lat.max()))
    proj = _Projection(bbox, style)
    net, kinds, water = _network_layer(cn, proj)
    legend, legend_h = _legend(kinds, water, style, loop=loop)
    total_h = style.height + legend_h
    parts = [f'<svg class="route-map" viewBox="0 0 {style.width:.0f} {total_h:.0f}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">',
             f'<title>{escape(title)}</title>',
             f'<rect width="{style.width:.0f}" height="{style.height:.0f}" fill="#f8f9f4"/>',
             f'<clipPath id="{{ids}}frame"><rect width="{style.width:.0f}" height="{style.height:.0f}"/></clipPath>',
             '<g clip-path="url(#{ids}frame)">']
    parts += _background(cn, proj, communes)
    parts += net
    parts += _route_layer(cn, it, proj)
    parts += _km_marks(it, proj)
    parts += _pois_layer(pois, proj)
    parts += _ends(it, proj, loop=loop)
    parts += _commune_names(cn, proj)
    parts.append("</g>")
    parts += _furniture(proj, style)
    parts += legend
    parts.append(f'<rect width="{style.width:.0f}" height="{style.height:.0f}" fill="none" stroke="#495057"/>')
    parts.append("</svg>")
    return Markup("".join(parts).replace("{ids}", ids))


def _background(cn: CompiledNetwork, proj: _Projection,
                communes: Sequence[tuple[str, Sequence[Any]]]) -> list[str]:
    out = []
    limits = [_rings(polys, proj) for _name, polys in communes
              if any(_intersects(p.bounds, proj.view) for p in polys)]
    if limits:
        out.append(f'<path id="{{ids}}communes" d="{" ".join(limits)}" fill="none" stroke="#868e96" '
                   f'stroke-width="1.2" stroke-dasharray="7 3 2 3"/>')
    parks = []
    for park in cn.parks:
        geom = park.geometry
        if not geom or not geom.get("type"):
            continue
        shape = shapely.geometry.shape(geom)
        if shape.is_empty or not _intersects(shape.bounds, proj.view):
            continue
        parks.append(_rings(list(getattr(shape, "geoms", [shape])), proj))
    if parks:
        out.append(f'<path id="{{ids}}parks" d="{" ".join(parks)}" fill="#2f9e44" fill-opacity="0.12" '
                   f'stroke="#2f9e44" stroke-width="2" fill-rule="evenodd"/>')
    return out


def _commune_names(cn: CompiledNetwork, proj: _Projection) -> list[str]:
    out = []
    v = proj.view
    for c in cn.communes:
        if not (v[0] <= c.lon <= v[2] and v[1] <= c.lat <= v[3]):
            continue
        x, y = (float(t) for t in proj.xy(c.lon, c.lat))
        out.append(f'<text class="commune" x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="14" '
                   f'font-style="italic" fill="#495057" stroke="#ffffff" stroke-width="3" '
                   f'paint-order="stroke">{escape(c.nom.upper())}</text>')
    return out

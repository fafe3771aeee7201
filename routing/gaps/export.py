"""Files of the missing-link analysis: GeoJSON, CSV, GeoPackage (QGIS) and a Folium map.

Every writer goes through a temporary file beside the target and a rename (:mod:`parcs.atomic`),
so a reader never sees half a file. The GeoPackage has four layers in EPSG:2154 —
``candidates``, ``components``, ``units``, ``network`` — and opens directly in QGIS.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from markupsafe import Markup, escape
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon
from shapely.geometry.base import BaseGeometry

from parcs.atomic import atomic_path, write_text_atomic
from parcs.safe_maps import GeoJsonScript, add_html, js_json
from routing.gaps.analysis import GapContext
from routing.gaps.inputs import component_id
from routing.gaps.model import CLASS_LABELS_FR, Candidate, GapsReport, UnitPair, geojson_wgs84, num
from routing.geo import CRS, to_wgs84

logger = logging.getLogger(__name__)

#: Map colours of the candidate classes.
CLASS_COLOURS = {"bridge": "#d7301f", "shortcut": "#f28e2b", "planned": "#7b3294"}
#: Colours of the largest greenway components (the others are grey).
COMPONENT_COLOURS = ("#1a9850", "#2c7fb8", "#66a61e", "#1b9e77", "#3182bd", "#8c6bb1", "#41ab5d",
                     "#08519c", "#238b45", "#6baed6")
OTHER_COMPONENT_COLOUR = "#969696"
CANDIDATE_COLUMNS = ("rank", "id", "class", "source", "length_m", "benefit", "benefit_per_m",
                     "unit_gain_m", "population_gain_m", "persons", "units", "links", "works_status",
                     "reason")


def _context(report: GapsReport) -> GapContext:
    ctx = report._context
    if not isinstance(ctx, GapContext):
        raise TypeError("the report carries no analysis context")
    return ctx


def _candidate_rows(report: GapsReport) -> list[dict[str, Any]]:
    rows = []
    for c in report.candidates:
        rows.append({
            "rank": c.rank, "id": c.id, "class": c.link_class, "source": c.source,
            "length_m": num(c.length_m), "benefit": num(c.benefit), "benefit_per_m": num(c.benefit_per_m, 3),
            "unit_gain_m": num(c.unit_gain_m), "population_gain_m": num(c.population_gain_m),
            "persons": c.persons, "units": ";".join(c.units), "links": " / ".join(c.links),
            "works_status": c.works_status, "reason": c.reason,
        })
    return rows


def write_geojson(report: GapsReport, path: str | os.PathLike[str]) -> Path:
    """The shown candidates as a GeoJSON FeatureCollection (WGS84)."""
    write_text_atomic(path, json.dumps(report.to_geojson(), ensure_ascii=False))
    return Path(path)


def _csv_text(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(report: GapsReport, path: str | os.PathLike[str]) -> Path:
    """The shown candidates as CSV (UTF-8, one line each; the reason in French)."""
    write_text_atomic(path, _csv_text(_candidate_rows(report), CANDIDATE_COLUMNS))
    return Path(path)


def unit_rows(pairs: tuple[UnitPair, ...]) -> list[dict[str, Any]]:
    """The unit-to-unit table as plain rows (km, detour factors)."""
    return [
        {"a": p.a_name, "b": p.b_name, "greenway_km": num(p.greenway_m / 1000.0, 2) if p.greenway_m else None,
         "network_km": num(p.network_m / 1000.0, 2) if p.network_m else None,
         "straight_km": num(p.straight_m / 1000.0, 2), "detour_greenway": num(p.detour_greenway, 2),
         "detour_network": num(p.detour_network, 2), "linked": p.linked}
        for p in pairs
    ]


def write_units_csv(report: GapsReport, path: str | os.PathLike[str]) -> Path:
    """The unit-to-unit table as CSV."""
    rows = unit_rows(report.unit_pairs)
    cols = ("a", "b", "greenway_km", "network_km", "straight_km", "detour_greenway", "detour_network", "linked")
    write_text_atomic(path, _csv_text(rows, cols))
    return Path(path)


def _multi_lines(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    out: list[BaseGeometry] = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "LineString"]
        out.append(MultiLineString(parts))
    return out


def _layers(report: GapsReport) -> dict[str, gpd.GeoDataFrame]:
    """The four GeoPackage layers (EPSG:2154)."""
    ctx = _context(report)
    gg = ctx.inputs.gg
    cands = gpd.GeoDataFrame(_candidate_rows(report), columns=list(CANDIDATE_COLUMNS),
                             geometry=_multi_lines([c.geometry for c in report.candidates]), crs=CRS)
    comps = gpd.GeoDataFrame(
        [{"id": c.id, "length_km": num(c.length_m / 1000.0, 3), "n_edges": c.n_edges,
          "units": ";".join(c.units), "names": ";".join(c.names)} for c in report.components],
        columns=["id", "length_km", "n_edges", "units", "names"],
        geometry=_multi_lines([c.geometry for c in report.components]), crs=CRS,
    )
    units = gpd.GeoDataFrame(
        [{"id": u.id, "name": u.name, "access_nodes": len(u.access_nodes), "components": ";".join(u.components),
          "on_greenway": u.on_greenway} for u in report.units],
        columns=["id", "name", "access_nodes", "components", "on_greenway"],
        geometry=_unit_geometries(ctx), crs=CRS,
    )
    network = gpd.GeoDataFrame(
        {"kind": gg.kind.astype(str), "name": gg.name.astype(str), "status": gg.status.astype(str),
         "works_status": gg.works_status.astype(str), "source": gg.source.astype(str),
         "length_m": np.round(gg.length, 1), "greenway": gg.greenway,
         "component": [component_id(int(c)) if g else "" for c, g in zip(gg.component[gg.eu], gg.greenway, strict=True)]},
        geometry=list(gg.geometry), crs=CRS,
    )
    return {"candidates": cands, "components": comps, "units": units, "network": network}


def _unit_geometries(ctx: GapContext) -> list[BaseGeometry]:
    """Park polygons (as MultiPolygons) when every unit has one, else access-node MultiPoints."""
    geoms = ctx.inputs.park_geoms
    if geoms and all(g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms):
        return [MultiPolygon(list(shapely.get_parts(g))) for g in geoms if g is not None]
    return [MultiPoint(ctx.inputs.gg.xy[acc]) for acc in ctx.inputs.units.access]


def write_gpkg(report: GapsReport, path: str | os.PathLike[str]) -> Path:
    """A GeoPackage with the layers ``candidates``, ``components``, ``units``, ``network``."""
    target = Path(path)
    with atomic_path(target, suffix=".gpkg") as tmp:
        tmp.unlink()
        for name, gdf in _layers(report).items():
            gdf.to_file(tmp, layer=name, driver="GPKG")
    logger.info("GeoPackage written to %s", target)
    return target


def _simplified(geom: BaseGeometry, tolerance: float = 5.0) -> dict[str, Any] | None:
    return geojson_wgs84(shapely.simplify(geom, tolerance))


def component_colour(index: int) -> str:
    """The map colour of the ``index``-th greenway component (longest first; the others grey)."""
    return COMPONENT_COLOURS[index] if 0 <= index < len(COMPONENT_COLOURS) else OTHER_COMPONENT_COLOUR


def candidate_midpoint(candidate: Candidate) -> tuple[float, float] | None:
    """WGS84 ``(lon, lat)`` of the middle of a candidate link (where its number is drawn)."""
    geom = candidate.geometry
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("LineString", "MultiLineString"):
        mid = shapely.line_interpolate_point(shapely.line_merge(geom), 0.5, normalized=True)
    else:
        mid = geom.centroid
    if mid.is_empty:
        mid = geom.centroid
    lon, lat = to_wgs84([mid.x], [mid.y])
    return float(lon[0]), float(lat[0])


def _feature(geometry: dict[str, Any] | None, *, style: dict[str, Any], tooltip: str = "",
             popup: str = "") -> dict[str, Any]:
    """A feature for :data:`_REPORT_OPTIONS` (``tooltip``/``popup``: escaped HTML)."""
    props: dict[str, Any] = {"style": style}
    if tooltip:
        props["tooltip"] = tooltip
    if popup:
        props["popup"] = popup
    return {"type": "Feature", "geometry": geometry, "properties": props}


#: ``L.geoJSON`` options of the report's layers: style, tooltip and popup HTML from the properties
#: (escaped by :func:`_feature`'s callers); points are numbered badges whose number is set as text.
_REPORT_OPTIONS = """{
    style: function (f) { return f.properties.style || {}; },
    pointToLayer: function (f, latlng) {
        var s = f.properties.style || {};
        var badge = document.createElement("div");
        badge.textContent = s.label || "";
        badge.style.cssText = "font:bold 11px sans-serif;color:#fff;border-radius:9px;" +
            "padding:1px 5px;white-space:nowrap;text-align:center";
        badge.style.background = s.fill || "#333";
        return L.marker(latlng, {icon: L.divIcon({className: "", html: badge, iconSize: [28, 18],
                                                  iconAnchor: [14, 9]})});
    },
    onEachFeature: function (f, layer) {
        if (f.properties.popup) { layer.bindPopup(f.properties.popup, {maxWidth: 360}); }
        if (f.properties.tooltip) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }
    }
}"""


def _add_layer(fmap: folium.Map, name: str, features: list[dict[str, Any]]) -> None:
    """One untemplated ``L.geoJSON`` layer (see :mod:`parcs.safe_maps`)."""
    data = js_json({"type": "FeatureCollection", "features": [f for f in features if f["geometry"]]})
    GeoJsonScript(data, name=str(escape(name)), options_js=_REPORT_OPTIONS).add_to(fmap)


def _component_features(report: GapsReport) -> list[dict[str, Any]]:
    names = {u.id: u.name for u in report.units}
    out = []
    for i, comp in enumerate(report.components):
        units = ", ".join(names.get(u, u) for u in comp.units)
        tip = f"{comp.id} : {comp.length_m / 1000:.1f} km".replace(".", ",") + (f" — {units}" if units else "")
        out.append(_feature(_simplified(comp.geometry),
                            style={"color": component_colour(i), "weight": 3, "opacity": 0.8},
                            tooltip=str(escape(tip))))
    return out


def _candidate_features(report: GapsReport, *, labelled: int = 30) -> list[dict[str, Any]]:
    lines, badges = [], []
    for c in report.candidates:
        colour = CLASS_COLOURS[c.link_class]
        title = f"#{c.rank} {c.id} — {CLASS_LABELS_FR[c.link_class]}, {c.length_m:.0f} m"
        popup = Markup("<strong>{}</strong><br>{}").format(title, c.reason)
        lines.append(_feature(geojson_wgs84(c.geometry),
                              style={"color": colour, "weight": 6, "opacity": 0.9},
                              tooltip=str(escape(title)), popup=str(popup)))
        mid = candidate_midpoint(c) if c.rank <= labelled else None
        if mid is not None:
            badges.append(_feature({"type": "Point", "coordinates": [round(mid[0], 6), round(mid[1], 6)]},
                                   style={"label": str(c.rank), "fill": colour},
                                   tooltip=str(escape(c.reason)), popup=str(popup)))
    return lines + badges


def _unit_features(report: GapsReport) -> list[dict[str, Any]]:
    ctx = _context(report)
    style = {"color": "#006d2c", "weight": 2, "fillColor": "#74c476", "fillOpacity": 0.35}
    return [
        _feature(_simplified(geom, 10.0), style=style,
                 tooltip=str(escape(f"{info.name} ({', '.join(info.components) or 'hors voie verte'})")))
        for info, geom in zip(report.units, _unit_geometries(ctx), strict=True)
    ]


def _legend(report: GapsReport) -> str:
    """The legend box (HTML; only numbers and fixed labels, escaped all the same)."""
    s = report.summary()
    items = Markup("").join(
        Markup('<div><span style="display:inline-block;width:18px;height:4px;background:{};margin-right:6px;'
               'vertical-align:middle"></span>{}</div>').format(col, CLASS_LABELS_FR[k])
        for k, col in CLASS_COLOURS.items()
    )
    return str(Markup(
        '<div style="position:fixed;top:90px;left:10px;z-index:9999;background:#fff;padding:8px 10px;'
        'border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px sans-serif">'
        "<b>Chaîne des parcs — liaisons manquantes</b><br>{} composantes vertes, "
        "{}/{} paires d'unités reliées par voie verte<br>{}</div>"
    ).format(s["components"], s["pairs_linked"], s["unit_pairs"], items))


def build_map(report: GapsReport) -> folium.Map:
    """The Folium map: greenway components coloured, candidates ranked, park units.

    Every text of the data (unit and way names, reasons) reaches the page escaped, inside
    HTML-safe JSON that is never run through Jinja (:mod:`parcs.safe_maps`): a name such as
    ``{{ 7*7 }}`` or ``<script>…</script>`` shows as typed.
    """
    ctx = _context(report)
    xy = ctx.inputs.gg.xy
    lon, lat = to_wgs84([xy[:, 0].min(), xy[:, 0].max()], [xy[:, 1].min(), xy[:, 1].max()])
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
    fmap.fit_bounds([[float(lat[0]), float(lon[0])], [float(lat[1]), float(lon[1])]])
    if ctx.inputs.perimeter is not None:
        _add_layer(fmap, "Périmètre", [_feature(
            _simplified(ctx.inputs.perimeter, 20.0),
            style={"color": "#555", "weight": 1, "fill": False, "dashArray": "4", "interactive": False},
        )])
    _add_layer(fmap, "Unités de parc", _unit_features(report))
    _add_layer(fmap, "Composantes du réseau vert", _component_features(report))
    _add_layer(fmap, "Liaisons manquantes (classées)", _candidate_features(report))
    folium.LayerControl(collapsed=False).add_to(fmap)
    add_html(fmap, _legend(report))
    return fmap


def _leaflet_dir() -> Path | None:
    """Leaflet's ``dist`` files from the ``js_lib_leaflet`` package, when it is installed."""
    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static" / "js_lib_leaflet"
    return folder if (folder / "leaflet.js").is_file() and (folder / "leaflet.css").is_file() else None


_EXTERNAL = re.compile(r'<script src="(?P<js>[^"]+)"></script>|<link rel="stylesheet" href="(?P<css>[^"]+)"/>')


def self_contained(page: str) -> str:
    """Inline Leaflet (from ``js_lib_leaflet``) and drop the other CDN assets Folium links, which
    this map does not use (jQuery, Bootstrap, Font Awesome, awesome-markers). Without the package
    the page is returned unchanged (Leaflet from its CDN). Background tiles stay online."""
    folder = _leaflet_dir()
    if folder is None:
        logger.info("js_lib_leaflet not installed: the map loads Leaflet from its CDN")
        return page
    js = (folder / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def swap(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css") or ""
        if url.endswith("/leaflet.js"):
            return f"<script>{js}</script>"
        if url.endswith("/leaflet.css"):
            return f"<style>{css}</style>"
        return ""

    return _EXTERNAL.sub(swap, page)


def write_html(report: GapsReport, path: str | os.PathLike[str]) -> Path:
    """The map report as one self-contained HTML file (background tiles need the internet)."""
    write_text_atomic(path, self_contained(build_map(report).get_root().render()))
    return Path(path)

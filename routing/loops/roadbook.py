"""Files of the circuit catalogue: GPX, GeoJSON, printable HTML roadbooks and the index.

For every circuit ``<id>``: ``<id>.gpx`` (tracks with elevation, POIs along as waypoints),
``<id>.geojson`` and ``<id>.html`` (a printable roadbook: Folium map, elevation profile as inline
SVG, practical figures, directions, POIs, warnings; print CSS). Then ``index.json`` and
``index.html`` (list and overview map; unavailable circuits with their reason).

The files are deterministic for a given catalogue: no timestamps, sorted and rounded numbers, and
Folium's random element ids replaced by sequential ones. :func:`write_files` builds the whole
folder in a temporary folder and swaps it in (:func:`parcs.atomic.atomic_dir`).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import jinja2
from branca.element import Element, Figure, MacroElement
from markupsafe import Markup, escape

from parcs.atomic import atomic_dir
from parcs.safe_maps import RawScript, js_json
from parcs.schema import KINDS, SURFACES, is_greenway
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.itinerary import Itinerary
from routing.loops.catalogue import Catalogue, Circuit
from routing.loops.export import loop_geojson, loop_gpx
from routing.loops.planner import LoopResult
from routing.profiles import PROFILES

logger = logging.getLogger(__name__)

__all__ = ["LEAFLET_CSS", "LEAFLET_JS", "circuit_entry", "index_document", "profile_svg",
           "render_index", "render_roadbook", "write_files"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"
#: Folder of the catalogue holding a copy of Leaflet (when the ``js_lib_leaflet`` package is
#: installed: the catalogue then works offline, tiles aside).
LEAFLET_DIR = "leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
GREEN, OTHER, POI_COLOUR = "#1b7f3b", "#d9480f", "#5c3d2e"
#: Colours of the circuits on the index map, by kind.
KIND_COLOURS = {"unit-walk": "#1b7f3b", "unit-bike": "#1971c2", "theme": "#c2255c"}
KIND_LABELS = {"unit-walk": "Boucle à pied", "unit-bike": "Boucle à vélo", "theme": "Circuit thématique"}
#: Most vertices of a line on the index map.
INDEX_POINTS = 250


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


# -- the map ----------------------------------------------------------------------------------


_FEATURES_JS = """var {name} = L.geoJSON({data}, {{
    style: function (f) {{ return f.properties.style || {{}}; }},
    pointToLayer: function (f, latlng) {{ return L.circleMarker(latlng, f.properties.style || {{}}); }},
    onEachFeature: function (f, layer) {{
        if (f.properties.tip) {{ layer.bindTooltip(f.properties.tip, {{sticky: true}}); }}
    }}
}}).addTo({map});
{map}.fitBounds({name}.getBounds(), {{padding: [20, 20]}});
"""


class _Features(MacroElement):
    """A GeoJSON layer whose features carry ``style`` and an escaped ``tip`` (tooltip HTML)."""

    def __init__(self, data_js: str) -> None:
        super().__init__()
        self._name = "Features"
        self.data_js = data_js

    def render(self, **kwargs: Any) -> str:
        """Add the layer's script to the figure (see :class:`parcs.safe_maps.RawScript`)."""
        figure: Any = self.get_root()
        parent: Any = self._parent
        text = _FEATURES_JS.format(name=self.get_name(), data=self.data_js, map=parent.get_name())
        figure.script.add_child(RawScript(text), name=self.get_name())
        return ""


def _walk(el: Element, out: list[Element]) -> list[Element]:
    out.append(el)
    for child in el._children.values():
        _walk(child, out)
    return out


def render_map(features: Sequence[Mapping[str, Any]], *, centre: tuple[float, float]) -> tuple[Markup, Markup]:
    """A Folium map of ``features`` (lon/lat GeoJSON): its ``<div>`` and its script.

    Folium's random element ids are replaced by sequential ones so the output is reproducible.
    """
    fmap = folium.Map(location=[centre[1], centre[0]], zoom_start=12, tiles=None, control_scale=True)
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap", max_zoom=19,
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    ).add_to(fmap)
    _Features(js_json({"type": "FeatureCollection", "features": list(features)})).add_to(fmap)
    root = fmap.get_root()
    for i, el in enumerate(_walk(root, [])):
        el._id = f"{i:04d}"
    if not isinstance(root, Figure):
        raise TypeError("a folium map's root is a Figure")
    root.render()
    return Markup(root.html.render()), Markup(root.script.render())


def _coords(it: Itinerary, limit: int | None = None) -> list[list[float]]:
    pts = it.geometry
    if limit and len(pts) > limit:
        step = (len(pts) - 1) / (limit - 1)
        pts = tuple(pts[round(i * step)] for i in range(limit))
    return [[round(lon, 5), round(lat, 5)] for lon, lat in pts]


def _route_features(it: Itinerary, cn: CompiledNetwork) -> list[dict[str, Any]]:
    """The loop as one line per step (green on greenways, dashed orange elsewhere), its POIs
    and its start."""
    feats: list[dict[str, Any]] = [{
        "type": "Feature", "geometry": {"type": "LineString", "coordinates": _coords(it)},
        "properties": {"style": {"color": "#ffffff", "weight": 8, "opacity": 0.9}},
    }]
    for step in it.directions:
        green = is_greenway(step.kind)
        label = KINDS[step.kind].label_fr if step.kind in KINDS else step.kind
        tip = f"{step.name} ({label})" if step.name else label
        feats.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": _edge_coords(cn, step.edges)},
            "properties": {"style": {"color": GREEN if green else OTHER, "weight": 5,
                                     **({} if green else {"dashArray": "8 6"})},
                           "tip": str(escape(tip))},
        })
    for poi in it.pois_along:
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [poi["lon"], poi["lat"]]},
            "properties": {"style": {"radius": 6, "color": "#ffffff", "weight": 1.5,
                                     "fillColor": POI_COLOUR, "fillOpacity": 0.95},
                           "tip": str(escape(f"{poi['name'] or poi['id']} ({poi['category_label']})"))},
        })
    start = it.geometry[0]
    feats.append({"type": "Feature",
                  "geometry": {"type": "Point", "coordinates": [round(start[0], 5), round(start[1], 5)]},
                  "properties": {"style": {"radius": 9, "color": "#000000", "weight": 3,
                                           "fillColor": "#ffd43b", "fillOpacity": 1.0},
                                 "tip": "Départ et arrivée"}})
    return feats


def _edge_coords(cn: CompiledNetwork, edges: Sequence[int]) -> list[list[float]]:
    """Lon/lat vertices of consecutive edges (junctions once)."""
    out: list[list[float]] = []
    for e in edges:
        sl = cn.edge_slice(int(e))
        pts = [[round(lon, 5), round(lat, 5)] for lon, lat in
               zip(cn.geom_lon[sl].tolist(), cn.geom_lat[sl].tolist(), strict=True)]
        out.extend(pts[1:] if out else pts)
    return out


# -- elevation profile ------------------------------------------------------------------------


def _nice(span: float, target: int) -> float:
    raw = max(span, 1e-9) / target
    power = 10.0 ** math.floor(math.log10(raw))
    return next(f * power for f in (1.0, 2.0, 5.0, 10.0) if raw <= f * power)


def profile_svg(points: Sequence[tuple[float, float]], *, climb: float, descent: float,
                width: float = 700.0, height: float = 190.0) -> Markup:
    """The elevation profile as an inline ``<svg>`` (with ``<title>``/``<desc>``), or ``''``.

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
        f'aria-labelledby="profile-title profile-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="profile-title">Profil en long</title>',
        f'<desc id="profile-desc">{escape(_profile_desc(zmin, zmax, d1 - d0, climb, descent))}</desc>',
    ]
    z = zlo
    while z <= zhi + 1e-9:
        parts.append(f'<line class="grid" x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(z):.1f}" y2="{y(z):.1f}"/>'
                     f'<text class="tick" x="{left - 4:.1f}" y="{y(z) + 4:.1f}" text-anchor="end">{fr_number(z, 0)} m</text>')
        z += zstep
    dstep = _nice(d1 - d0, 6)
    d = 0.0
    while d0 + d <= d1 + 1e-9:
        parts.append(f'<text class="tick" x="{x(d0 + d):.1f}" y="{height - 10:.1f}" text-anchor="middle">{fr_number(d / 1000, 1)} km</text>')
        d += dstep
    base = top + ph
    parts.append(f'<path class="area" d="M{x(d0):.1f},{base:.1f} L{line.replace(" ", " L")} L{x(d1):.1f},{base:.1f} Z"/>')
    parts.append(f'<polyline class="line" points="{line}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _profile_desc(zmin: float, zmax: float, dist: float, climb: float, descent: float) -> str:
    return (f"Altitude de {fr_number(zmin, 0)} à {fr_number(zmax, 0)} m sur {fr_distance(dist)} ; "
            f"dénivelé +{fr_number(climb, 0)} m / -{fr_number(descent, 0)} m")


# -- pages ------------------------------------------------------------------------------------


def _figures(res: LoopResult) -> list[tuple[str, str]]:
    it = res.best.itinerary
    surfaces = sorted(it.km_by_surface.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        ("Départ et arrivée", f"{res.start.label} ({res.start.lat:.5f}, {res.start.lon:.5f})"),
        ("Mode", PROFILES[res.request.profile].label_fr),
        ("Distance", fr_distance(it.distance_m)),
        ("Durée estimée", fr_duration(it.duration_s)),
        ("Dénivelé", f"+{fr_number(it.climb_m, 0)} m / -{fr_number(it.descent_m, 0)} m"),
        ("Pente maximale", f"{fr_number(it.max_grade, 1)} %"),
        ("Part en voie verte", f"{fr_number(100 * it.greenway_share, 0)} %"),
        ("Revêtements", ", ".join(f"{_surface(s)} {fr_distance(km * 1000)}" for s, km in surfaces)),
        ("Aller-retour sur les mêmes voies", f"{fr_number(100 * res.best.overlap_share, 0)} % de la longueur"),
        ("Unités du parc traversées", ", ".join(p["name"] for p in res.best.parks_visited) or "—"),
    ]


def local_leaflet() -> Path | None:
    """The folder of the installed Leaflet copy (``js_lib_leaflet``), or ``None``."""
    import importlib.util

    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "js_lib_leaflet"
    return folder if all((folder / f).is_file() for f in LEAFLET_FILES) else None


def _leaflet(out: Path | None) -> tuple[str, str]:
    """Copy Leaflet into ``out/leaflet`` when available; the (css, js) hrefs to use."""
    src = local_leaflet()
    if out is None or src is None:
        return LEAFLET_CSS, LEAFLET_JS
    (out / LEAFLET_DIR).mkdir(exist_ok=True)
    for name in LEAFLET_FILES:
        (out / LEAFLET_DIR / name).write_bytes((src / name).read_bytes())
    return f"{LEAFLET_DIR}/leaflet.css", f"{LEAFLET_DIR}/leaflet.js"


def _surface(code: str) -> str:
    return "non renseigné" if code == "unknown" else SURFACES.get(code, code)


def render_roadbook(circuit: Circuit, cn: CompiledNetwork, *, network: Mapping[str, Any],
                    leaflet: tuple[str, str] = (LEAFLET_CSS, LEAFLET_JS)) -> str:
    """The printable HTML roadbook of an available circuit (``ValueError`` for another)."""
    res = circuit.result
    if res is None:
        raise ValueError(f"circuit {circuit.id!r} is unavailable: it has no roadbook")
    it = res.best.itinerary
    map_html, map_script = render_map(_route_features(it, cn), centre=(res.start.lon, res.start.lat))
    pois = [{"name": p["name"] or p["id"], "category": p["category_label"],
             "along": fr_distance(p["distance_along_m"]), "off": fr_distance(p["distance_from_route_m"])}
            for p in it.pois_along]
    steps = [{"text": s.instruction, "at": fr_distance(s.start_m)} for s in it.directions]
    return _env().get_template("roadbook.html").render(
        circuit=circuit, figures=_figures(res), map_html=map_html, map_script=map_script,
        leaflet_css=leaflet[0], leaflet_js=leaflet[1],
        profile=profile_svg(it.elevation_profile, climb=it.climb_m, descent=it.descent_m),
        steps=steps, pois=pois, warnings=[*it.warnings, *res.best.warnings],
        network=network, files=_files(circuit.id),
    )


def _files(cid: str) -> dict[str, str]:
    return {"gpx": f"{cid}.gpx", "geojson": f"{cid}.geojson", "html": f"{cid}.html"}


def circuit_entry(circuit: Circuit) -> dict[str, Any]:
    """The index entry of a circuit (figures rounded; files relative to the index)."""
    entry: dict[str, Any] = {
        "id": circuit.id, "status": "ok" if circuit.ok else "unavailable", "kind": circuit.kind,
        "kind_label": KIND_LABELS.get(circuit.kind, circuit.kind), "theme": circuit.theme,
        "profile": circuit.profile, "units": list(circuit.units), "title": circuit.title,
    }
    if circuit.result is None:
        entry["reason"] = circuit.reason
        return entry
    res = circuit.result
    loop = res.best
    it = loop.itinerary
    lons = [p[0] for p in it.geometry]
    lats = [p[1] for p in it.geometry]
    entry.update({
        "description": circuit.description,
        "start": {"label": res.start.label, "lon": round(res.start.lon, 6), "lat": round(res.start.lat, 6)},
        "distance_m": round(it.distance_m, 1), "duration_s": round(it.duration_s),
        "climb_m": round(it.climb_m, 1), "descent_m": round(it.descent_m, 1),
        "max_grade": round(it.max_grade, 1), "greenway_share": round(it.greenway_share, 3),
        "overlap_share": round(loop.overlap_share, 3),
        "parks": [p["id"] for p in loop.parks_visited],
        "pois": len(it.pois_along),
        "bbox": [round(min(lons), 5), round(min(lats), 5), round(max(lons), 5), round(max(lats), 5)],
        "files": _files(circuit.id),
    })
    return entry


def index_document(catalogue: Catalogue) -> dict[str, Any]:
    """The ``index.json`` document."""
    entries = [circuit_entry(c) for c in catalogue.circuits]
    return {
        "title": "Circuits suggérés de la Chaîne des parcs",
        "seed": catalogue.seed,
        "network": catalogue.network,
        "count": len(entries),
        "available": sum(e["status"] == "ok" for e in entries),
        "circuits": entries,
    }


def render_index(catalogue: Catalogue, doc: Mapping[str, Any],
                 leaflet: tuple[str, str] = (LEAFLET_CSS, LEAFLET_JS)) -> str:
    """The ``index.html`` page: overview map, then every circuit (unavailable ones with why)."""
    feats = []
    for c in catalogue.circuits:
        if c.result is None:
            continue
        feats.append({"type": "Feature",
                      "geometry": {"type": "LineString",
                                   "coordinates": _coords(c.result.best.itinerary, INDEX_POINTS)},
                      "properties": {"style": {"color": KIND_COLOURS.get(c.kind, GREEN), "weight": 4,
                                               "opacity": 0.85},
                                     "tip": str(escape(c.title))}})
    centre = (2.75, 50.47)
    map_html, map_script = render_map(feats, centre=centre)
    rows = []
    for entry in doc["circuits"]:
        row = dict(entry)
        if entry["status"] == "ok":
            row["distance"] = fr_distance(entry["distance_m"])
            row["duration"] = fr_duration(entry["duration_s"])
            row["climb"] = f"+{fr_number(entry['climb_m'], 0)} m"
            row["overlap"] = f"{fr_number(100 * entry['overlap_share'], 0)} %"
        rows.append(row)
    return _env().get_template("circuits_index.html").render(
        doc=doc, rows=rows, map_html=map_html, map_script=map_script,
        leaflet_css=leaflet[0], leaflet_js=leaflet[1], colours=KIND_COLOURS, labels=KIND_LABELS,
    )


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def write_files(catalogue: Catalogue, out: Path) -> Path:
    """Write every file of the catalogue into ``out`` (atomically, as a whole folder)."""
    doc = index_document(catalogue)
    cn = catalogue.cn
    if cn is None:
        raise ValueError("the catalogue does not carry its compiled network")
    with atomic_dir(out) as tmp:
        leaflet = _leaflet(tmp)
        for circuit in catalogue.circuits:
            if circuit.result is None:
                continue
            files = _files(circuit.id)
            (tmp / files["gpx"]).write_text(
                loop_gpx(circuit.result, title=circuit.title, description=circuit.description),
                encoding="utf-8")
            geo = loop_geojson(circuit.result, title=circuit.title)
            geo["properties"].update({"id": circuit.id, "description": circuit.description})
            (tmp / files["geojson"]).write_text(_dump(geo), encoding="utf-8")
            html = render_roadbook(circuit, cn, network=catalogue.network, leaflet=leaflet)
            (tmp / files["html"]).write_text(html, encoding="utf-8")
        (tmp / "index.json").write_text(_dump(doc), encoding="utf-8")
        (tmp / "index.html").write_text(render_index(catalogue, doc, leaflet), encoding="utf-8")
    logger.info("catalogue of %d circuits written to %s", len(catalogue.circuits), out)
    return out

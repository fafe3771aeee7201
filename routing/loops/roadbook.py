"""Files of the circuit catalogue: GPX, GeoJSON, printable HTML roadbooks and the index.

For every circuit ``<id>``: ``<id>.gpx`` (tracks with elevation, POIs along as waypoints),
``<id>.geojson``, ``<id>.html`` (the roadbook sheet of :mod:`routing.loops.sheet` — offline SVG
map, elevation profile, practical figures, access, park units, numbered sights and steps, warnings
— plus an interactive Folium map on screen) and ``<id>.pdf`` (the same sheet printed by WeasyPrint,
:mod:`routing.loops.printing`). Then ``catalogue.pdf`` (every roadbook in one document with a
table of contents), ``index.json`` and ``index.html`` (list and overview map; unavailable circuits
with their reason; the theme checks' report).

The files are deterministic for a given catalogue: no timestamps, sorted and rounded numbers, and
Folium's random element ids replaced by sequential ones. :func:`write_files` builds the whole
folder in a temporary folder and swaps it in (:func:`parcs.atomic.atomic_dir`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from markupsafe import Markup, escape

from parcs.atomic import atomic_dir
from parcs.safe_maps import RawScript, js_json
from parcs.schema import KINDS, is_greenway
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.itinerary import Itinerary
from routing.loops.catalogue import Catalogue, Circuit
from routing.loops.export import loop_geojson, loop_gpx
from routing.loops.printing import (
    CATALOGUE_TITLE,
    catalogue_pdf,
    circuit_sheet,
    env,
    network_text,
    sheet_pdf,
)
from routing.loops.profile import profile_svg
from routing.loops.sheet import Sheet

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
#: The whole catalogue as one PDF.
CATALOGUE_PDF = "catalogue.pdf"


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


# -- pages ------------------------------------------------------------------------------------


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


def render_roadbook(circuit: Circuit, cn: CompiledNetwork, *, network: Mapping[str, Any],
                    leaflet: tuple[str, str] = (LEAFLET_CSS, LEAFLET_JS), pdf: bool = False,
                    sheet: Sheet | None = None) -> str:
    """The HTML roadbook of an available circuit (``ValueError`` for another): the printable
    sheet (:mod:`routing.loops.sheet`, offline SVG map) plus an interactive map on screen."""
    res = circuit.result
    if res is None:
        raise ValueError(f"circuit {circuit.id!r} is unavailable: it has no roadbook")
    files = _files(circuit.id, pdf=pdf)
    sheet = sheet or circuit_sheet(circuit, cn, network=network, files=files)
    it = res.best.itinerary
    map_html, map_script = render_map(_route_features(it, cn), centre=(res.start.lon, res.start.lat))
    return env().get_template("roadbook.html").render(
        sheet=sheet, map_html=map_html, map_script=map_script, leaflet_css=leaflet[0],
        leaflet_js=leaflet[1], files=files,
    )


def _files(cid: str, *, pdf: bool = True) -> dict[str, str]:
    out = {"gpx": f"{cid}.gpx", "geojson": f"{cid}.geojson", "html": f"{cid}.html"}
    if pdf:
        out["pdf"] = f"{cid}.pdf"
    return out


def circuit_entry(circuit: Circuit, *, pdf: bool = True) -> dict[str, Any]:
    """The index entry of a circuit (figures rounded; files relative to the index)."""
    entry: dict[str, Any] = {
        "id": circuit.id, "status": "ok" if circuit.ok else "unavailable", "kind": circuit.kind,
        "kind_label": KIND_LABELS.get(circuit.kind, circuit.kind), "theme": circuit.theme,
        "profile": circuit.profile, "units": list(circuit.units), "title": circuit.title,
    }
    if circuit.rule:
        entry["rule"] = circuit.rule
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
        "files": _files(circuit.id, pdf=pdf),
    })
    return entry


def index_document(catalogue: Catalogue, *, pdf: bool = True) -> dict[str, Any]:
    """The ``index.json`` document (``catalogue_pdf``: the whole catalogue as one PDF;
    ``report``: the circuits the theme checks dropped or relabelled, in French)."""
    entries = [circuit_entry(c, pdf=pdf) for c in catalogue.circuits]
    doc: dict[str, Any] = {
        "title": CATALOGUE_TITLE,
        "seed": catalogue.seed,
        "network": catalogue.network,
        "count": len(entries),
        "available": sum(e["status"] == "ok" for e in entries),
        "report": list(catalogue.report),
        "circuits": entries,
    }
    if pdf:
        doc["catalogue_pdf"] = CATALOGUE_PDF
    return doc


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
    return env().get_template("circuits_index.html").render(
        doc=doc, rows=rows, map_html=map_html, map_script=map_script,
        leaflet_css=leaflet[0], leaflet_js=leaflet[1], colours=KIND_COLOURS, labels=KIND_LABELS,
        network_text=network_text(doc.get("network") or {}),
    )


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def write_files(catalogue: Catalogue, out: Path, *, pdf: bool = True) -> Path:
    """Write every file of the catalogue into ``out`` (atomically, as a whole folder): per circuit
    GPX, GeoJSON, HTML roadbook and (``pdf``) its PDF; the index and the catalogue PDF."""
    doc = index_document(catalogue, pdf=pdf)
    cn = catalogue.cn
    if cn is None:
        raise ValueError("the catalogue does not carry its compiled network")
    sheets = []
    with atomic_dir(out) as tmp:
        leaflet = _leaflet(tmp)
        for circuit in catalogue.circuits:
            if circuit.result is None:
                continue
            files = _files(circuit.id, pdf=pdf)
            (tmp / files["gpx"]).write_text(
                loop_gpx(circuit.result, title=circuit.title, description=circuit.description),
                encoding="utf-8")
            geo = loop_geojson(circuit.result, title=circuit.title)
            geo["properties"].update({"id": circuit.id, "description": circuit.description})
            (tmp / files["geojson"]).write_text(_dump(geo), encoding="utf-8")
            sheet = circuit_sheet(circuit, cn, network=catalogue.network, files=files)
            sheets.append(sheet)
            html = render_roadbook(circuit, cn, network=catalogue.network, leaflet=leaflet, pdf=pdf,
                                   sheet=sheet)
            (tmp / files["html"]).write_text(html, encoding="utf-8")
            if pdf:
                (tmp / files["pdf"]).write_bytes(sheet_pdf(sheet))
        if pdf:
            (tmp / CATALOGUE_PDF).write_bytes(
                catalogue_pdf(sheets, network=catalogue.network, report=catalogue.report))
        (tmp / "index.json").write_text(_dump(doc), encoding="utf-8")
        (tmp / "index.html").write_text(render_index(catalogue, doc, leaflet), encoding="utf-8")
    logger.info("catalogue of %d circuits written to %s", len(catalogue.circuits), out)
    return out

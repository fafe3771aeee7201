"""Folium maps of the planner and of the parks page.

Data layers are :class:`GeoJsonLayer` elements: one ``L.geoJSON`` per layer whose features carry
their own style and their popup/tooltip HTML. Those HTML strings are built here from escaped values
(:func:`markupsafe.escape`) and the whole layer is embedded as HTML-safe JSON (``<``, ``>``, ``&``
and quotes as ``\\uXXXX``), so a name such as ``<script>alert(1)</script>`` can neither close the
script element nor run once Leaflet puts the popup into the page: it shows as text. (Folium's own
``Popup``/``Tooltip`` paste their HTML into JavaScript template literals and need jQuery; they are
not used.)

The map is rendered into its three parts (:class:`RenderedMap`): the container ``<div>``, the
inline script (emitted by the page inside ``<script nonce=...>``) and the name of the Leaflet map
variable (for the page's own script, which turns clicks into start/end coordinates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import folium
from branca.element import MacroElement
from markupsafe import Markup, escape

# The untemplated Folium elements (see parcs.safe_maps) are shared with routing.gaps.export;
# RawScript and js_json stay importable from here.
from parcs.safe_maps import GeoJsonScript, js_json
from parcs.safe_maps import RawScript as RawScript
from parcs.safe_maps import add_script as _add_script
from parcs.safe_maps import parent_name as _parent_name
from webapp.i18n import Translator

#: Route colours: greenways green, connectors orange (dashed), alternatives blue-grey.
GREENWAY_COLOUR = "#1b7f3b"
CONNECTOR_COLOUR = "#d9480f"
#: Unmapped links (issue 13): purple, dotted — their way is not mapped.
UNMAPPED_COLOUR = "#7b2d8e"
ALTERNATIVE_COLOUR = "#4c6ef5"
ROAD_COLOUR = "#7048e8"
CASING_COLOUR = "#ffffff"
PARK_STYLE: Mapping[str, Any] = {
    "color": "#2f9e44",
    "weight": 1.5,
    "fillColor": "#69db7c",
    "fillOpacity": 0.25,
}
PERIMETER_STYLE: Mapping[str, Any] = {
    "color": "#495057",
    "weight": 1.5,
    "dashArray": "4 6",
    "fill": False,
    "interactive": False,
}
ACCESS_STYLE: Mapping[str, Any] = {
    "radius": 5,
    "color": "#2b8a3e",
    "weight": 2,
    "fillColor": "#ffffff",
    "fillOpacity": 1.0,
}
#: POI marker colour by category (others: grey).
POI_COLOURS: Mapping[str, str] = {
    "terril": "#5c3d2e",
    "heritage": "#c2255c",
    "mine_shaft": "#343a40",
    "neonatural_park": "#2b8a3e",
    "viewpoint": "#e67700",
    "bike_rental": "#1971c2",
    "bike_parking": "#1c7ed6",
    "drinking_water": "#1098ad",
    "museum": "#9c36b5",
    "station": "#1c3f94",
}
COORD_DIGITS = 5


#: Options of every :class:`GeoJsonLayer`: style, points, popups and tooltips from properties.
_GEOJSON_OPTIONS = """{
    style: function (f) { return f.properties.style || {}; },
    pointToLayer: function (f, latlng) {
        var s = f.properties.style || {};
        if (s.pin) {
            var shape = document.createElement("div");
            var label = document.createElement("span");
            shape.className = "parcs-pin-shape";
            label.textContent = s.label || "";
            if (s.fill) { shape.style.background = s.fill; }
            shape.appendChild(label);
            var round = s.pin === "num" || s.pin === "station";
            return L.marker(latlng, {
                icon: L.divIcon({className: "parcs-pin parcs-pin-" + s.pin, html: shape,
                                 iconSize: round ? [24, 24] : [28, 28],
                                 iconAnchor: round ? [12, 12] : [14, 28],
                                 popupAnchor: round ? [0, -10] : [0, -26]}),
                title: f.properties.title || "", alt: f.properties.title || "",
                keyboard: true, zIndexOffset: round ? 0 : 1000
            });
        }
        return L.circleMarker(latlng, s);
    },
    onEachFeature: function (f, layer) {
        if (f.properties.popup) { layer.bindPopup(f.properties.popup, {maxWidth: 320}); }
        if (f.properties.tooltip) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }
    }
}"""


class GeoJsonLayer(GeoJsonScript):
    """A Leaflet GeoJSON layer whose features carry ``style``, ``popup`` and ``tooltip``.

    Parameters
    ----------
    data_js
        The FeatureCollection, already serialised by :func:`js_json`.
    name
        The (already escaped) name shown in the layer control.
    overlay, control, show
        As :class:`folium.map.Layer`.
    """

    def __init__(self, data_js: str, *, name: str, overlay: bool = True, control: bool = True,
                 show: bool = True) -> None:
        super().__init__(data_js, name=name, options_js=_GEOJSON_OPTIONS, overlay=overlay,
                         control=control, show=show)
        self._name = "GeoJsonLayer"


class FitLayers(MacroElement):
    """Fit the map to fixed bounds ``[[south, west], [north, east]]`` with padding."""

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "FitLayers"
        self.bounds_js = js_json([[float(v) for v in corner] for corner in bounds])

    def render(self, **kwargs: Any) -> str:
        """Add the ``fitBounds`` call to the figure."""
        _add_script(self, f"{_parent_name(self)}.fitBounds({self.bounds_js}, "
                          "{padding: [24, 24]});\n")
        return ""


@dataclass(frozen=True)
class RenderedMap:
    """A map split for embedding in a page."""

    html: Markup
    script: Markup
    var_name: str


def feature(geometry: Mapping[str, Any], *, style: Mapping[str, Any] | None = None,
            popup: str | None = None, tooltip: str | None = None,
            title: str | None = None) -> dict[str, Any]:
    """A GeoJSON feature for :class:`GeoJsonLayer` (``popup``/``tooltip`` must be safe HTML)."""
    props: dict[str, Any] = {}
    if style:
        props["style"] = dict(style)
    if popup:
        props["popup"] = str(popup)
    if tooltip:
        props["tooltip"] = str(tooltip)
    if title:
        props["title"] = str(title)
    return {"type": "Feature", "geometry": dict(geometry), "properties": props}


def collection(features: Iterable[Mapping[str, Any]]) -> str:
    """A FeatureCollection serialised for :class:`GeoJsonLayer`."""
    return js_json({"type": "FeatureCollection", "features": list(features)})


def point(lon: float, lat: float) -> dict[str, Any]:
    """A GeoJSON point, rounded."""
    return {"type": "Point", "coordinates": [round(lon, COORD_DIGITS), round(lat, COORD_DIGITS)]}


def line(coords: Sequence[Sequence[float]]) -> dict[str, Any]:
    """A GeoJSON line string, rounded."""
    return {
        "type": "LineString",
        "coordinates": [[round(c[0], COORD_DIGITS), round(c[1], COORD_DIGITS)] for c in coords],
    }


def popup_html(title: str, *lines: str, link: tuple[str, str] | None = None,
               links: Sequence[tuple[str, str]] = ()) -> Markup:
    """Popup HTML: an escaped bold title, escaped lines, optional links (``(href, label)``)."""
    parts = [Markup("<strong>{}</strong>").format(title)]
    parts += [Markup("<br>{}").format(text) for text in lines if text]
    for href, label in ([link] if link else []) + list(links):
        parts.append(Markup('<br><a href="{}">{}</a>').format(href, label))
    return Markup("").join(parts)


def planner_link(lang: str, **params: str) -> str:
    """A link to the planner with the given query parameters (``from``/``to``...)."""
    query = {k.rstrip("_"): v for k, v in params.items()}
    if lang != "fr":
        query["lang"] = lang
    return "/?" + urlencode(query)


def new_map(bounds: Sequence[Sequence[float]], t: Translator) -> folium.Map:
    """An OpenStreetMap base map fitted to ``bounds`` (``[[s, w], [n, e]]``)."""
    (south, west), (north, east) = bounds
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=11,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,
    )
    # The page loads Leaflet itself (local copy); folium's CDN links are never rendered.
    fmap.default_js = []
    fmap.default_css = []
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        max_zoom=19,
    ).add_to(fmap)
    FitLayers(bounds).add_to(fmap)
    return fmap


def add_layer(fmap: folium.Map, data_js: str, name: str, *, show: bool = True) -> None:
    """Add a :class:`GeoJsonLayer` to ``fmap`` (``name`` is escaped here)."""
    GeoJsonLayer(data_js, name=str(escape(name)), show=show).add_to(fmap)


def render(fmap: folium.Map) -> RenderedMap:
    """Render ``fmap`` with a layer control into its embeddable parts."""
    folium.LayerControl(collapsed=True).add_to(fmap)
    root: Any = fmap.get_root()  # a branca Figure
    root.render()
    return RenderedMap(
        html=Markup(root.html.render()),
        script=Markup(root.script.render()),
        var_name=fmap.get_name(),
    )


def route_features(segments: Sequence[tuple[str, bool, Sequence[Sequence[float]]]],
                   kind_labels: Mapping[str, str], t: Translator) -> list[dict[str, Any]]:
    """Route features: a white casing under every run, then the runs coloured by kind.

    Parameters
    ----------
    segments
        ``(kind, is_greenway, [(lon, lat), ...])`` runs of the itinerary.
    kind_labels
        Display label of each kind, in the page's language.
    t
        Translations.
    """
    casing = [
        feature(line(coords), style={"color": CASING_COLOUR, "weight": 9, "opacity": 0.9,
                                     "interactive": False})
        for _kind, _green, coords in segments if len(coords) >= 2
    ]
    runs = []
    for kind, green, coords in segments:
        if len(coords) < 2:
            continue
        label = kind_labels.get(kind, kind)
        style: dict[str, Any] = {"color": route_colour(kind, green), "weight": 5, "opacity": 0.95}
        if kind == "connector":
            style["dashArray"] = "8 8"
            tooltip = t("map.connector")
        elif kind == "unmapped":  # drawn apart: a straight line standing for unmapped streets
            style.update(dashArray="2 10", weight=4)
            tooltip = t("map.unmapped")
        elif green:
            tooltip = f"{t('map.greenway')} — {label}"
        else:
            tooltip = label
        runs.append(feature(line(coords), style=style, tooltip=str(escape(tooltip))))
    return casing + runs


def route_colour(kind: str, green: bool) -> str:
    """The colour of a run of the route: greenways, connectors, other ways (shared roads)."""
    if green:
        return GREENWAY_COLOUR
    if kind == "unmapped":
        return UNMAPPED_COLOUR
    return CONNECTOR_COLOUR if kind == "connector" else ROAD_COLOUR


def alternative_features(coords: Sequence[Sequence[float]]) -> list[dict[str, Any]]:
    """An alternative itinerary: one blue-grey line with a casing."""
    if len(coords) < 2:
        return []
    geom = line(coords)
    return [
        feature(geom, style={"color": CASING_COLOUR, "weight": 7, "opacity": 0.8,
                             "interactive": False}),
        feature(geom, style={"color": ALTERNATIVE_COLOUR, "weight": 4, "opacity": 0.8,
                             "dashArray": "2 6"}),
    ]


def endpoint_features(start: Sequence[float], end: Sequence[float], *, start_name: str,
                      end_name: str, t: Translator) -> list[dict[str, Any]]:
    """Start and end pins (``A`` and ``B``) with popups."""
    return [
        feature(point(start[0], start[1]), style={"pin": "start", "label": "A"},
                popup=popup_html(t("map.start"), start_name), title=t("map.start")),
        feature(point(end[0], end[1]), style={"pin": "end", "label": "B"},
                popup=popup_html(t("map.end"), end_name), title=t("map.end")),
    ]


#: The symbol of a railway station: a navy badge with a train (drawn by ``style.css``).
STATION_STYLE: Mapping[str, Any] = {"pin": "station", "label": ""}


def poi_style(category: str, colour: str) -> dict[str, Any]:
    """The style of a POI: stations have their own symbol, others a circle of ``colour``."""
    return dict(STATION_STYLE) if category == "station" else poi_style_colour(colour)


def poi_style_colour(colour: str) -> dict[str, Any]:
    """The circle-marker style of a POI of the given fill colour."""
    return {"radius": 7, "color": "#ffffff", "weight": 2, "fillColor": colour,
            "fillOpacity": 0.95}

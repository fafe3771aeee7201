"""The catalogue the pages show: park units, POIs, communes and pre-rendered map layers.

Built once from a :class:`routing.CompiledNetwork` at start-up (:func:`build_catalog`) and frozen:
the park polygons are simplified and serialised into HTML-safe JSON for both languages, and the
searchable list of places (``<datalist>`` options) is rendered once, so a page only pastes them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import shapely
from markupsafe import Markup, escape
from shapely.geometry import mapping, shape

from parcs.schema import KINDS, POI_CATEGORIES
from webapp import maps
from webapp.i18n import LANGUAGES, Translator

logger = logging.getLogger(__name__)

#: Tolerance of the park polygons drawn on the maps (degrees, about 5 m).
SIMPLIFY_DEG = 0.00005
#: Parts of the perimeter smaller than this are not drawn (m², projected).
MIN_PART_M2 = 1_000_000.0
#: POI categories offered in the searchable list of places (the others are too numerous or
#: too small to be destinations: benches, bike parkings...).
LISTED_CATEGORIES: tuple[str, ...] = (
    "terril",
    "heritage",
    "neonatural_park",
    "viewpoint",
    "museum",
    "historic",
    "mine_shaft",
    "bike_rental",
    "station",
)
#: English labels of POI categories (French ones are in :data:`parcs.schema.POI_CATEGORIES`).
CATEGORY_LABELS_EN: Mapping[str, str] = MappingProxyType(
    {
        "terril": "spoil tip",
        "heritage": "UNESCO heritage",
        "mine_shaft": "mine shaft",
        "neonatural_park": "neo-natural area",
        "viewpoint": "viewpoint",
        "bike_rental": "bike sharing",
        "bike_parking": "bike shelter",
        "park_unit": "park unit",
        "station": "railway station",
        "drinking_water": "drinking water",
        "toilets": "toilets",
        "bench": "bench",
        "shelter": "shelter",
        "picnic_site": "picnic site",
        "food": "café / restaurant",
        "bike_repair": "bike repair",
        "museum": "museum",
        "information": "information board",
        "historic": "historic site",
        "playground": "playground",
        "public_transport": "public transport stop",
    }
)


def category_label(lang: str, category: str) -> str:
    """The display label of a POI category."""
    if lang == "en":
        return CATEGORY_LABELS_EN.get(category, category.replace("_", " "))
    return POI_CATEGORIES.get(category, category.replace("_", " "))


def kind_label(lang: str, kind: str) -> str:
    """The display label of a kind of way."""
    k = KINDS.get(kind)
    if k is None:
        return kind.replace("_", " ")
    return k.label_en if lang == "en" else k.label_fr


@dataclass(frozen=True)
class MapLayers:
    """Map layers of one language, serialised once for :class:`webapp.maps.GeoJsonLayer`."""

    parks_js: str
    labels_js: str
    access_js: str
    perimeter_js: str
    stations_js: str = ""


@dataclass(frozen=True)
class Catalog:
    """What the pages list and draw besides the itineraries."""

    parks: tuple[Any, ...]
    pois: tuple[Any, ...]
    communes: tuple[Any, ...]
    access_points: Mapping[str, tuple[tuple[float, float], ...]]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    categories: tuple[str, ...]
    layers: Mapping[str, MapLayers]
    place_options: Mapping[str, Markup]

    def park(self, park_id: str) -> Any | None:
        """The park unit ``park_id``, or ``None``."""
        for park in self.parks:
            if park.id == park_id:
                return park
        return None

    def park_names(self) -> Mapping[str, str]:
        """Park id -> name."""
        return {p.id: p.name for p in self.parks}


def _simplified(geometry: Mapping[str, Any]) -> dict[str, Any] | None:
    if not geometry:
        return None
    geom = shape(geometry)
    if geom.is_empty:
        return None
    geom = shapely.set_precision(geom.simplify(SIMPLIFY_DEG, preserve_topology=True), 1e-5)
    return dict(mapping(geom))


def _perimeter_wgs84(cn: Any) -> dict[str, Any] | None:
    perimeter = getattr(cn, "perimeter", None)
    if perimeter is None or perimeter.is_empty:
        return None
    from routing.geo import to_wgs84

    crs = str(getattr(cn, "info", {}).get("crs", "EPSG:2154"))
    # the outline only: outer rings of the parts bigger than MIN_PART_M2 (the union of the
    # communes leaves slivers and holes that would draw as stray dashes)
    polygons = [g for g in shapely.get_parts(perimeter) if g.geom_type == "Polygon"]
    rings = [shapely.get_exterior_ring(g) for g in polygons if g.area >= MIN_PART_M2]
    if not rings:
        return None
    geom = shapely.transform(
        shapely.multilinestrings(rings),
        lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], crs=crs)),
    )
    geom = shapely.set_precision(geom.simplify(SIMPLIFY_DEG * 4), 1e-5)
    return dict(mapping(geom))


def _access_points(cn: Any, park: Any) -> tuple[tuple[float, float], ...]:
    out = []
    for node in park.access_nodes:
        if 0 <= node < cn.n_nodes:
            out.append((float(cn.node_lon[node]), float(cn.node_lat[node])))
    return tuple(out)


def _bounds(cn: Any, parks: Sequence[Any]) -> tuple[tuple[float, float], tuple[float, float]]:
    lons = np.asarray(cn.node_lon, float)
    lats = np.asarray(cn.node_lat, float)
    if lons.size == 0:
        lons = np.array([p.lon for p in parks] or [2.8])
        lats = np.array([p.lat for p in parks] or [50.45])
    return ((float(np.nanmin(lats)), float(np.nanmin(lons))),
            (float(np.nanmax(lats)), float(np.nanmax(lons))))


def _park_popup(park: Any, t: Translator) -> Markup:
    area = f"{t('parks.area')} : {t.number(park.area_ha)} ha" if t.lang == "fr" else \
        f"{t('parks.area')}: {t.number(park.area_ha)} ha"
    return maps.popup_html(
        park.name,
        park.agglomeration,
        area,
        links=[
            (maps.planner_link(t.lang, from_=park.id), t("parks.go_from")),
            (maps.planner_link(t.lang, to=park.id), t("parks.go_to")),
        ],
    )


def _layers(cn: Any, parks: Sequence[Any], access: Mapping[str, Sequence[tuple[float, float]]],
            lang: str) -> MapLayers:
    t = Translator(lang)
    park_features = []
    for park in parks:
        geom = _simplified(park.geometry)
        if geom is not None:
            park_features.append(maps.feature(geom, style=maps.PARK_STYLE,
                                              popup=_park_popup(park, t),
                                              tooltip=str(escape(park.name))))
    label_features = [
        maps.feature(maps.point(park.lon, park.lat), style={"pin": "num", "label": str(i)},
                     popup=_park_popup(park, t), tooltip=str(escape(park.name)), title=park.name)
        for i, park in enumerate(parks, start=1)
        if math.isfinite(park.lon) and math.isfinite(park.lat)
    ]
    access_features = [
        maps.feature(maps.point(lon, lat), style=maps.ACCESS_STYLE,
                     popup=maps.popup_html(t("map.access"), park.name),
                     tooltip=str(escape(park.name)))
        for park in parks for lon, lat in access.get(park.id, ())
    ]
    perimeter = _perimeter_wgs84(cn)
    perimeter_features = (
        [maps.feature(perimeter, style=maps.PERIMETER_STYLE)] if perimeter else []
    )
    return MapLayers(
        parks_js=maps.collection(park_features),
        labels_js=maps.collection(label_features),
        access_js=maps.collection(access_features),
        perimeter_js=maps.collection(perimeter_features),
        stations_js=maps.collection(stations) if (stations := _station_features(cn, t)) else "",
    )


def _station_features(cn: Any, t: Translator) -> list[dict[str, Any]]:
    """The railway stations, with their own symbol (:data:`webapp.maps.STATION_STYLE`)."""
    return [
        maps.feature(maps.point(p.lon, p.lat), style=dict(maps.STATION_STYLE),
                     popup=maps.popup_html(p.name, category_label(t.lang, p.category), p.commune),
                     tooltip=str(escape(p.name)), title=p.name)
        for p in cn.pois
        if p.category == "station" and math.isfinite(p.lon) and math.isfinite(p.lat)
    ]


def _place_options(cn: Any, lang: str) -> Markup:
    """The ``<option>`` elements of the searchable list of places."""
    t = Translator(lang)
    park_word = "parc" if lang == "fr" else "park"
    commune_word = "commune"
    items: list[tuple[str, str]] = []
    for park in cn.parks:
        items.append((park.id, f"{park.name} ({park_word})"))
    for commune in sorted(cn.communes, key=lambda c: c.nom):
        if commune.nom:
            items.append((commune.nom, f"{commune.nom} ({commune_word})"))
    listed = set(LISTED_CATEGORIES)
    for poi in sorted(cn.pois, key=lambda p: (p.category, p.name)):
        if poi.category in listed and poi.name:
            items.append((poi.id, f"{poi.name} ({category_label(t.lang, poi.category)})"))
    return Markup("").join(
        Markup('<option value="{}">{}</option>').format(value, label) for value, label in items
    )


def build_catalog(cn: Any) -> Catalog:
    """Build the catalogue of a compiled network (once, at start-up)."""
    parks = tuple(cn.parks)
    access = {p.id: _access_points(cn, p) for p in parks}
    present = {p.category for p in cn.pois}
    categories = tuple(c for c in POI_CATEGORIES if c in present) + tuple(
        sorted(present - set(POI_CATEGORIES))
    )
    return Catalog(
        parks=parks,
        pois=tuple(cn.pois),
        communes=tuple(cn.communes),
        access_points=MappingProxyType(access),
        bounds=_bounds(cn, parks),
        categories=categories,
        layers=MappingProxyType({lang: _layers(cn, parks, access, lang) for lang in LANGUAGES}),
        place_options=MappingProxyType({lang: _place_options(cn, lang) for lang in LANGUAGES}),
    )

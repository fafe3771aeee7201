"""The missing-links analysis prepared once for the web: :class:`GapsData` (made by
:func:`webapp.gaps_views.build_gaps_data`, cached per app) holds the report and what every request
reuses — WGS84 geometries, the components' map layer in each language, the JSON pieces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import shapely
from markupsafe import escape

from routing.gaps.analysis import GapsReport, ScenarioResult
from routing.gaps.export import candidate_midpoint, component_colour
from routing.gaps.model import geojson_wgs84
from webapp import maps
from webapp.gaps_text import MESSAGES
from webapp.i18n import LANGUAGES, Translator

#: Simplification of the components drawn on the map (m, EPSG:2154).
COMPONENT_TOLERANCE_M = 5.0


@dataclass(frozen=True)
class GapsData:
    """The analysis and what every request reuses (built once; read-only)."""

    report: GapsReport
    unit_names: Mapping[str, str]
    #: per candidate, in rank order: its WGS84 GeoJSON geometry and the middle of the link
    candidate_geometry: tuple[dict[str, Any] | None, ...]
    candidate_middle: tuple[tuple[float, float] | None, ...]
    #: the components layer of the map, per language (:func:`webapp.maps.collection`)
    components_js: Mapping[str, str]
    #: JSON pieces of ``/api/gaps``
    units_json: tuple[dict[str, Any], ...]
    pairs_json: tuple[dict[str, Any], ...]
    components_json: tuple[dict[str, Any], ...]
    candidate_features: tuple[dict[str, Any], ...]

    def shown(self, top: int) -> GapsReport:
        """The report listing its first ``top`` candidates (ids unchanged)."""
        return replace(self.report, params=replace(self.report.params, top=top),
                       candidates=self.report.candidates[:top])

    def document(self, top: int, result: ScenarioResult | None) -> dict[str, Any]:
        """The answer of ``/api/gaps``."""
        shown = self.shown(top)
        return {
            "summary": shown.summary(),
            "params": shown.params.to_dict(),
            "units": list(self.units_json),
            "unit_pairs": list(self.pairs_json),
            "components": list(self.components_json),
            "candidates": {"type": "FeatureCollection",
                           "features": list(self.candidate_features[:top])},
            "scenario": result.to_dict() if result is not None else None,
        }


def _rounded(coords: Any) -> Any:
    """GeoJSON coordinates rounded to :data:`webapp.maps.COORD_DIGITS` (about 1 m)."""
    if coords and isinstance(coords[0], float | int):
        return [round(float(v), maps.COORD_DIGITS) for v in coords]
    return [_rounded(c) for c in coords]


def _map_geometry(geom: Any, tolerance: float) -> dict[str, Any] | None:
    """A WGS84 GeoJSON geometry for the map: simplified (m, EPSG:2154) and rounded."""
    out = geojson_wgs84(shapely.simplify(geom, tolerance) if tolerance > 0 else geom)
    if out is not None and "coordinates" in out:
        out["coordinates"] = _rounded(out["coordinates"])
    return out


def _component_layer(report: GapsReport, names: Mapping[str, str], lang: str) -> str:
    t = Translator(lang)
    m = MESSAGES[lang]
    features = []
    for i, comp in enumerate(report.components):
        geom = _map_geometry(comp.geometry, COMPONENT_TOLERANCE_M)
        if geom is None:
            continue
        units = ", ".join(names.get(u, u) for u in comp.units)
        tooltip = f"{comp.id} — {t.distance(comp.length_m)}" + (f" — {units}" if units else "")
        popup = maps.popup_html(f"{m['col_component']} {comp.id}", t.distance(comp.length_m),
                                units, ", ".join(comp.names))
        features.append(maps.feature(
            geom, style={"color": component_colour(i), "weight": 3, "opacity": 0.85},
            popup=popup, tooltip=str(escape(tooltip)),
        ))
    return maps.collection(features)


def prepare(report: GapsReport) -> GapsData:
    """The views of an analysis that lists every candidate."""
    names = MappingProxyType({u.id: u.name for u in report.units})
    features = report.to_geojson()["features"]
    return GapsData(
        report=report,
        unit_names=names,
        candidate_geometry=tuple(_map_geometry(c.geometry, 0.0) for c in report.candidates),
        candidate_middle=tuple(candidate_midpoint(c) for c in report.candidates),
        components_js=MappingProxyType(
            {lang: _component_layer(report, names, lang) for lang in LANGUAGES}),
        units_json=tuple(u.to_dict() for u in report.units),
        pairs_json=tuple(p.to_dict() for p in report.unit_pairs),
        components_json=tuple(c.to_dict() for c in report.components),
        candidate_features=tuple(features),
    )

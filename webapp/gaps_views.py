"""The missing links of the greenway network: the page ``/liaisons`` and ``GET /api/gaps``.

Both show what ``parcs gaps`` shows (:mod:`routing.gaps.analysis`): the ranked candidate links (class,
length, benefit, units connected, the French one-line reason), the unit-to-unit table (greenway-only
distance, with connectors, straight line, detour factor, linked or not), the greenway components,
and a map (components coloured, candidates numbered by rank, park units). A scenario — the
candidates ticked in the page's form, sent as ``?scenario=L1&scenario=L3`` — recomputes the table
with those links built and shows the gain (pairs newly linked, distance saved).

The analysis runs once per app, on the first request that needs it (:class:`GapsCache`, kept in
``app.extensions``; the network is read-only), together with everything the pages and the API
reuse: WGS84 geometries, the components' map layer in each language, the JSON pieces. A request
then only slices the ranked list and, for a scenario, runs :func:`routing.gaps.analysis.scenario` (one
multi-source Dijkstra per park unit).

Errors users can cause (a bad ``top``, an unknown candidate id) are
:class:`parcs.InvalidRequestError`: the API answers 400 ``{"error", "detail"}`` through the app's
handlers, the page shows the message above the form with status 400.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import shapely
from flask import Blueprint, Response, current_app, g, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from parcs._errors import InvalidRequestError, ParcsError
from routing.gaps.analysis import GapsReport, ScenarioResult, analyse_gaps, scenario
from routing.gaps.export import CLASS_COLOURS, candidate_midpoint, component_colour
from routing.gaps.model import CLASS_LABELS_FR, Candidate, geojson_wgs84
from webapp import maps
from webapp.catalog import Catalog
from webapp.errors import classify
from webapp.i18n import LANGUAGES, Translator
from webapp.pages import ErrorView
from webapp.state import get_state
from webapp.urls import with_query

logger = logging.getLogger(__name__)

bp = Blueprint("gaps", __name__)

#: Key of the :class:`GapsCache` in ``app.extensions``.
GAPS_KEY = "parcs_gaps"
#: Candidates shown when ``top`` is not given, and the most a request may ask for.
DEFAULT_TOP = 20
MAX_TOP = 200
#: Most candidate ids in one scenario, and the longest id accepted (``L123``...).
MAX_SCENARIO = 20
MAX_ID_LENGTH = 12
#: Simplification of the components drawn on the map (m, EPSG:2154).
COMPONENT_TOLERANCE_M = 5.0

#: Class labels by language (French: the analysis' own labels, as in ``parcs gaps``).
CLASS_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "fr": CLASS_LABELS_FR,
    "en": {"bridge": "bridge between components", "shortcut": "shortcut",
           "planned": "planned section"},
})

#: The page's messages (the site-wide ones are in :mod:`webapp.i18n`).
MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "fr": {
        "title": "Liaisons manquantes",
        "intro": "Où la Chaîne des parcs est interrompue, et quelles liaisons nouvelles la "
        "relieraient le mieux : les liaisons candidates classées par bénéfice par mètre à créer, "
        "les distances entre unités de parc par les seules voies vertes et les composantes du "
        "réseau vert.",
        "sum_greenway": "Réseau vert",
        "sum_components": "Composantes",
        "sum_pairs": "Paires d'unités reliées par voie verte",
        "sum_candidates": "Liaisons candidates",
        "map_components": "Composantes du réseau vert",
        "map_candidates": "Liaisons candidates (classées)",
        "map_perimeter": "Périmètre",
        "legend_components": "composantes du réseau vert",
        "candidates_title": "Liaisons candidates",
        "candidates_caption": "Les {shown} premières sur {total}, par bénéfice par mètre à créer "
        "(gain de distance entre unités et pour les habitants).",
        "col_choose": "Scénario",
        "col_rank": "Rang",
        "col_class": "Classe",
        "col_length": "Longueur",
        "col_benefit": "Bénéfice",
        "col_per_m": "par m",
        "col_units": "Unités rapprochées",
        "col_reason": "Pourquoi",
        "choose": "Ajouter {id} au scénario",
        "scenario_hint": "Cochez des liaisons puis calculez le scénario : les distances entre "
        "unités sont recalculées avec ces liaisons ajoutées au réseau vert.",
        "scenario_submit": "Calculer le scénario",
        "scenario_reset": "Effacer le scénario",
        "scenario_title": "Scénario : {ids}",
        "sc_length": "À créer ou aménager",
        "sc_gain": "Distance gagnée entre unités",
        "sc_linked": "Paires reliées par voie verte",
        "sc_new": "Nouvelles paires reliées",
        "sc_none": "Ces liaisons ne rapprochent aucune paire d'unités.",
        "sc_pairs": "Trajets entre unités améliorés",
        "col_before": "Avant",
        "col_after": "Après",
        "newly_linked": "nouvelle liaison",
        "table_title": "Distances entre unités de parc",
        "table_caption": "{n} paires d'unités : distance par les seules voies vertes, avec les "
        "liaisons non aménagées et les routes conseillées, en ligne droite ; détour = distance "
        "par voie verte ÷ ligne droite.",
        "col_a": "Unité A",
        "col_b": "Unité B",
        "col_greenway": "Voie verte seule",
        "col_network": "Avec liaisons",
        "col_straight": "Ligne droite",
        "col_detour": "Détour",
        "col_linked": "Reliées",
        "yes": "oui",
        "no": "non",
        "components_title": "Composantes du réseau vert",
        "components_caption": "Les morceaux d'un seul tenant du réseau de voies vertes, du plus "
        "long au plus court, et les unités de parc qu'ils desservent.",
        "col_component": "Composante",
        "col_comp_units": "Unités desservies",
        "col_names": "Voies principales",
        "downloads": "Télécharger",
        "download_json": "Le rapport en JSON (API)",
        "reasons_note": "",
    },
    "en": {
        "title": "Missing links",
        "intro": "Where the Chaîne des parcs is broken, and which new links would join it best: "
        "candidate links ranked by benefit per metre built, distances between park units on "
        "greenways alone, and the components of the greenway network.",
        "sum_greenway": "Greenway network",
        "sum_components": "Components",
        "sum_pairs": "Unit pairs linked by greenways",
        "sum_candidates": "Candidate links",
        "map_components": "Greenway components",
        "map_candidates": "Candidate links (ranked)",
        "map_perimeter": "Perimeter",
        "legend_components": "greenway components",
        "candidates_title": "Candidate links",
        "candidates_caption": "The first {shown} of {total}, by benefit per metre built "
        "(distance saved between units and for the inhabitants).",
        "col_choose": "Scenario",
        "col_rank": "Rank",
        "col_class": "Class",
        "col_length": "Length",
        "col_benefit": "Benefit",
        "col_per_m": "per m",
        "col_units": "Units brought closer",
        "col_reason": "Why",
        "choose": "Add {id} to the scenario",
        "scenario_hint": "Tick links, then compute the scenario: the distances between units are "
        "recomputed with these links added to the greenway network.",
        "scenario_submit": "Compute the scenario",
        "scenario_reset": "Clear the scenario",
        "scenario_title": "Scenario: {ids}",
        "sc_length": "To build or improve",
        "sc_gain": "Distance saved between units",
        "sc_linked": "Pairs linked by greenways",
        "sc_new": "Pairs newly linked",
        "sc_none": "These links bring no pair of units closer.",
        "sc_pairs": "Journeys between units improved",
        "col_before": "Before",
        "col_after": "After",
        "newly_linked": "newly linked",
        "table_title": "Distances between park units",
        "table_caption": "{n} pairs of units: distance on greenways alone, with unimproved "
        "connectors and advised roads, as the crow flies; detour = greenway distance ÷ "
        "straight line.",
        "col_a": "Unit A",
        "col_b": "Unit B",
        "col_greenway": "Greenways only",
        "col_network": "With connectors",
        "col_straight": "Straight line",
        "col_detour": "Detour",
        "col_linked": "Linked",
        "yes": "yes",
        "no": "no",
        "components_title": "Greenway components",
        "components_caption": "The connected pieces of the greenway network, longest first, and "
        "the park units they serve.",
        "col_component": "Component",
        "col_comp_units": "Units served",
        "col_names": "Main ways",
        "downloads": "Download",
        "download_json": "The report as JSON (API)",
        "reasons_note": "The reasons are written in French.",
    },
})

#: Hints shown under the title of a page error (the detail comes from the analysis).
ERROR_HINTS: Mapping[str, str] = MappingProxyType({
    "fr": "Vérifiez les liaisons choisies et le nombre de liaisons affichées "
    f"(au plus {MAX_TOP}).",
    "en": f"Check the links chosen and the number of links shown (at most {MAX_TOP}).",
})


# -- the analysis, once per app -----------------------------------------------------------------


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


def build_gaps_data(network: Any) -> GapsData:
    """Run the analysis of ``network`` (every candidate kept) and prepare its views."""
    report = analyse_gaps(network, top=None)
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


class GapsCache:
    """The app's :class:`GapsData`, made on first use (thread-safe; the network never changes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: GapsData | None = None

    def get(self, network: Any) -> GapsData:
        """The analysis of ``network`` (the app's only network), computed once."""
        data = self._data
        if data is None:
            with self._lock:
                data = self._data
                if data is None:
                    data = build_gaps_data(network)
                    self._data = data
                    logger.info("missing links analysed: %d candidates",
                                data.report.n_candidates)
        return data


def _install_cache(state: BlueprintSetupState) -> None:
    """Give the app its (empty) :class:`GapsCache` when the blueprint is registered."""
    state.app.extensions.setdefault(GAPS_KEY, GapsCache())


bp.record_once(_install_cache)


def get_gaps() -> tuple[GapsData, Catalog]:
    """The app's analysis and catalogue (:class:`parcs.BuildError`, i.e. 503, without a network)."""
    network, catalog = get_state().require()
    cache: GapsCache = current_app.extensions[GAPS_KEY]
    return cache.get(network), catalog


# -- parameters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapsQuery:
    """The parameters of the page and of the API."""

    top: int = DEFAULT_TOP
    scenario: tuple[str, ...] = ()


def _scenario_ids(args: MultiDict[str, str]) -> list[str]:
    """The candidate ids of ``scenario`` (repeatable, commas also separate), upper case."""
    return [part.strip().upper() for value in args.getlist("scenario")
            for part in value.split(",") if part.strip()]


def parse_gaps_query(args: MultiDict[str, str]) -> GapsQuery:
    """Check ``top`` (an integer in ``1..MAX_TOP``) and ``scenario`` (at most ``MAX_SCENARIO`` ids).

    Raises
    ------
    InvalidRequestError
        For a malformed or out-of-range value (unknown ids are left to :func:`scenario`).

    >>> parse_gaps_query(MultiDict([("top", "5"), ("scenario", "l1, L3"), ("scenario", "L2")]))
    GapsQuery(top=5, scenario=('L1', 'L3', 'L2'))
    """
    tops = [v.strip() for v in args.getlist("top") if v.strip()]
    top = DEFAULT_TOP
    if len(tops) > 1:
        raise InvalidRequestError("top: give a single value")
    if tops:
        text = tops[0]
        if not (text.isascii() and text.isdigit() and len(text) <= 4
                and 1 <= int(text) <= MAX_TOP):
            raise InvalidRequestError(
                f"top: {text[:20]!r} is not an integer between 1 and {MAX_TOP}")
        top = int(text)
    ids = _scenario_ids(args)
    if len(ids) > MAX_SCENARIO:
        raise InvalidRequestError(f"scenario: at most {MAX_SCENARIO} candidate ids, not {len(ids)}")
    for cid in ids:
        if len(cid) > MAX_ID_LENGTH or not cid.isprintable():
            raise InvalidRequestError(f"scenario: {cid[:MAX_ID_LENGTH]!r}… is not a candidate id")
    return GapsQuery(top=top, scenario=tuple(ids))


def run_query(data: GapsData, query: GapsQuery) -> ScenarioResult | None:
    """The scenario of ``query``, if any (:class:`InvalidRequestError` for an unknown id)."""
    if not query.scenario:
        return None
    return scenario(data.report, candidate_ids=query.scenario)


# -- the API ------------------------------------------------------------------------------------


@bp.get("/api/gaps")
def api_gaps() -> Response:
    """The missing-link report as JSON; the candidates as a GeoJSON FeatureCollection."""
    query = parse_gaps_query(request.args)
    data, _catalog = get_gaps()
    return jsonify(data.document(query.top, run_query(data, query)))


# -- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    """A candidate as listed on the page (texts escaped by the template)."""

    id: str
    rank: int
    link_class: str
    class_label: str
    colour: str
    length: str
    benefit: str
    per_m: str
    units: str
    reason: str
    checked: bool


@dataclass(frozen=True)
class PairRow:
    """A line of the unit-to-unit table (or of the scenario's improved pairs)."""

    a: str
    b: str
    greenway: str
    network: str
    straight: str
    detour: str
    linked: bool


@dataclass(frozen=True)
class ComponentRow:
    """A greenway component as listed."""

    id: str
    colour: str
    length: str
    units: str
    names: str


@dataclass(frozen=True)
class ChangeRow:
    """A pair of units the scenario brings closer."""

    a: str
    b: str
    before: str
    after: str
    gain: str
    newly_linked: bool


@dataclass(frozen=True)
class ScenarioView:
    """The gain of a scenario, formatted."""

    ids: str
    length: str
    gain: str
    linked_before: int
    linked_after: int
    newly_linked: tuple[str, ...]
    changes: tuple[ChangeRow, ...]


@dataclass(frozen=True)
class Headline:
    """A headline figure."""

    label: str
    value: str


def _km(t: Translator, metres: float | None) -> str:
    return "—" if metres is None else t.distance(metres)


def _names(data: GapsData, ids: Sequence[str]) -> str:
    return ", ".join(data.unit_names.get(u, u) for u in ids)


def _candidate_row(data: GapsData, c: Candidate, t: Translator, chosen: set[str]) -> CandidateRow:
    return CandidateRow(
        id=c.id, rank=c.rank, link_class=c.link_class,
        class_label=CLASS_LABELS[t.lang][c.link_class], colour=CLASS_COLOURS[c.link_class],
        length=t.distance(c.length_m), benefit=t.distance(c.benefit),
        per_m=t.number(c.benefit_per_m, 1), units=_names(data, c.units), reason=c.reason,
        checked=c.id in chosen,
    )


def _pair_rows(data: GapsData, t: Translator) -> list[PairRow]:
    return [
        PairRow(a=p.a_name, b=p.b_name, greenway=_km(t, p.greenway_m), network=_km(t, p.network_m),
                straight=t.distance(p.straight_m),
                detour="—" if p.detour_greenway is None else t.number(p.detour_greenway, 2),
                linked=p.linked)
        for p in data.report.unit_pairs
    ]


def _component_rows(data: GapsData, t: Translator) -> list[ComponentRow]:
    return [
        ComponentRow(id=c.id, colour=component_colour(i), length=t.distance(c.length_m),
                     units=_names(data, c.units), names=", ".join(c.names))
        for i, c in enumerate(data.report.components)
    ]


def _scenario_view(result: ScenarioResult, t: Translator) -> ScenarioView:
    improved = sorted((p for p in result.pairs if p.gain_m > 0), key=lambda p: -p.gain_m)
    return ScenarioView(
        ids=" + ".join(result.candidate_ids), length=t.distance(result.length_m),
        gain=t.distance(result.unit_gain_m), linked_before=result.linked_before,
        linked_after=result.linked_after,
        newly_linked=tuple(f"{p.a_name} ↔ {p.b_name}" for p in result.pairs if p.newly_linked),
        changes=tuple(ChangeRow(p.a_name, p.b_name, _km(t, p.before_m), _km(t, p.after_m),
                                t.distance(p.gain_m), p.newly_linked) for p in improved),
    )


def _figures(report: GapsReport, t: Translator) -> list[Headline]:
    m = MESSAGES[t.lang]
    s = report.summary()
    km = sum(c.length_m for c in report.components)
    return [
        Headline(m["sum_greenway"], t.distance(km)),
        Headline(m["sum_components"], t.number(s["components"])),
        Headline(m["sum_pairs"], f"{s['pairs_linked']}/{s['unit_pairs']}"),
        Headline(m["sum_candidates"], t.number(s["candidates"])),
    ]


def _candidate_features(data: GapsData, shown: Sequence[Candidate], t: Translator,
                        chosen: set[str]) -> list[dict[str, Any]]:
    """Lines, then numbered pins, of the listed and the chosen candidates."""
    labels = CLASS_LABELS[t.lang]
    lines, pins = [], []
    for c in shown:
        i = c.rank - 1
        colour = CLASS_COLOURS[c.link_class]
        title = f"{c.rank}. {c.id} — {labels[c.link_class]}, {t.distance(c.length_m)}"
        popup = maps.popup_html(title, c.reason, _names(data, c.units))
        geometry = data.candidate_geometry[i]
        selected = c.id in chosen
        if geometry is not None:
            style = {"color": colour, "weight": 9 if selected else 6,
                     "opacity": 1.0 if selected or not chosen else 0.6}
            lines.append(maps.feature(geometry, style=style, popup=popup,
                                      tooltip=str(escape(title))))
        middle = data.candidate_middle[i]
        if middle is not None:
            pins.append(maps.feature(maps.point(*middle),
                                     style={"pin": "num", "label": str(c.rank), "fill": colour},
                                     popup=popup, tooltip=str(escape(title)), title=title))
    return lines + pins


def _gaps_map(data: GapsData, catalog: Catalog, shown: Sequence[Candidate], t: Translator,
              chosen: set[str]) -> maps.RenderedMap:
    m = MESSAGES[t.lang]
    fmap = maps.new_map(catalog.bounds, t)
    layers = catalog.layers[t.lang]
    maps.add_layer(fmap, layers.perimeter_js, m["map_perimeter"])
    maps.add_layer(fmap, layers.parks_js, t("map.parks"))
    maps.add_layer(fmap, data.components_js[t.lang], m["map_components"])
    maps.add_layer(fmap, maps.collection(_candidate_features(data, shown, t, chosen)),
                   m["map_candidates"])
    return maps.render(fmap)


def _error_view(exc: ParcsError, lang: str) -> tuple[int, ErrorView]:
    kind = classify(exc)
    return kind.status, ErrorView(kind.title_key, ERROR_HINTS.get(lang, ERROR_HINTS["fr"]),
                                  str(exc))


@bp.get("/liaisons")
def page() -> tuple[str, int]:
    """The missing links: map, ranked candidates with the scenario form, tables."""
    data, catalog = get_gaps()
    lang = g.get("lang", "fr")
    t = Translator(lang)
    status, error, result = 200, None, None
    query = GapsQuery()
    try:
        query = parse_gaps_query(request.args)
        result = run_query(data, query)
    except ParcsError as exc:
        status, error = _error_view(exc, lang)
        logger.info("missing links page: %s (%s)", type(exc).__name__, exc)
    chosen = set(query.scenario) if error is None else set(_scenario_ids(request.args))
    report = data.report
    listed = list(report.candidates[:query.top])
    extra = [c for c in report.candidates[query.top:] if c.id in chosen]
    params = [("top", str(query.top))] if query.top != DEFAULT_TOP else []
    params += [("scenario", cid) for cid in query.scenario]
    html = render_template(
        "gaps.html",
        m=MESSAGES[lang],
        figures=_figures(report, t),
        error=error,
        scenario=_scenario_view(result, t) if result is not None else None,
        candidates=[_candidate_row(data, c, t, chosen) for c in listed + extra],
        n_listed=len(listed),
        n_candidates=report.n_candidates,
        top=query.top,
        default_top=DEFAULT_TOP,
        pairs=_pair_rows(data, t),
        components=_component_rows(data, t),
        class_legend=[(CLASS_COLOURS[k], CLASS_LABELS[lang][k]) for k in CLASS_COLOURS],
        api_url=with_query("gaps.api_gaps", params),
        rmap=_gaps_map(data, catalog, listed + extra, t, chosen),
    )
    return html, status


# -- OpenAPI ------------------------------------------------------------------------------------


def openapi_paths(errors: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI path item of ``/api/gaps`` (``errors``: the shared error responses by status)."""
    number_or_null = {"type": ["number", "null"]}
    pair = {
        "type": "object",
        "required": ["a", "b", "a_name", "b_name", "greenway_m", "network_m", "straight_m",
                     "detour_greenway", "detour_network", "linked"],
        "properties": {
            "a": {"type": "string"}, "b": {"type": "string"},
            "a_name": {"type": "string"}, "b_name": {"type": "string"},
            "greenway_m": {**number_or_null, "description": "greenway-only distance (null: the "
                           "greenways do not link the pair)"},
            "network_m": {**number_or_null, "description": "distance on every edge (connectors, "
                          "advised roads, planned sections)"},
            "straight_m": {"type": "number"},
            "detour_greenway": number_or_null, "detour_network": number_or_null,
            "linked": {"type": "boolean"},
        },
    }
    change = {
        "type": "object",
        "required": ["a", "b", "before_m", "after_m", "gain_m", "newly_linked"],
        "properties": {"a": {"type": "string"}, "b": {"type": "string"},
                       "before_m": number_or_null, "after_m": number_or_null,
                       "gain_m": {"type": "number", "minimum": 0},
                       "newly_linked": {"type": "boolean"}},
    }
    result = {
        "type": "object",
        "required": ["candidate_ids", "length_m", "unit_gain_m", "population_gain_m",
                     "linked_before", "linked_after", "newly_linked", "pairs"],
        "properties": {
            "candidate_ids": {"type": "array", "items": {"type": "string"}},
            "length_m": {"type": "number", "minimum": 0},
            "unit_gain_m": {"type": "number", "minimum": 0,
                            "description": "distance saved, summed over the unit pairs"},
            "population_gain_m": {"type": "number", "minimum": 0},
            "linked_before": {"type": "integer"}, "linked_after": {"type": "integer"},
            "newly_linked": {"type": "array", "items": {"type": "array", "items": {"type": "string"},
                                                        "minItems": 2, "maxItems": 2}},
            "pairs": {"type": "array", "items": change},
        },
    }
    report = {
        "type": "object",
        "required": ["summary", "params", "units", "unit_pairs", "components", "candidates",
                     "scenario"],
        "properties": {
            "summary": {"type": "object", "required": ["units", "unit_pairs", "pairs_linked",
                                                       "components", "candidates", "shown"]},
            "params": {"type": "object", "description": "parameters of the analysis"},
            "units": {"type": "array", "items": {"type": "object", "required": ["id", "name"]}},
            "unit_pairs": {"type": "array", "items": pair},
            "components": {"type": "array", "items": {
                "type": "object", "required": ["id", "length_m", "units"],
                "properties": {"id": {"type": "string"}, "length_m": {"type": "number"},
                               "units": {"type": "array", "items": {"type": "string"}}}}},
            "candidates": {
                "description": "The first `top` candidates, best first: LineString features "
                "(WGS84) whose properties hold `id`, `rank`, `class` (`bridge`, `shortcut`, "
                "`planned`), `length_m`, `benefit`, `units`, `reason` (French)...",
                "allOf": [{"$ref": "#/components/schemas/FeatureCollection"}],
            },
            "scenario": {"oneOf": [{"type": "null"}, result]},
        },
    }
    params = [
        {"name": "top", "in": "query", "required": False,
         "description": f"Number of candidates listed (at most {MAX_TOP}).",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": DEFAULT_TOP}},
        {"name": "scenario", "in": "query", "required": False, "style": "form", "explode": True,
         "description": "Candidate ids (`L1`, `L2`...; any rank, not only the listed ones) to add "
         f"to the greenways: the answer's `scenario` gives the gain. At most {MAX_SCENARIO}; "
         "an unknown id answers 400.",
         "schema": {"type": "array", "maxItems": MAX_SCENARIO,
                    "items": {"type": "string", "maxLength": MAX_ID_LENGTH}},
         "example": ["L1", "L3"]},
    ]
    return {
        "/api/gaps": {
            "get": {
                "operationId": "gaps",
                "summary": "Missing links of the greenway network, ranked; scenarios",
                "description": "What `parcs gaps` prints: candidate links (class, length, benefit, "
                "units connected, reason), the unit-to-unit table (greenway-only, all-edges and "
                "straight-line distances, detour factors) and the greenway components.",
                "parameters": params,
                "responses": {
                    "200": {"description": "The report.",
                            "content": {"application/json": {"schema": report}}},
                    "400": errors["400"],
                    "414": errors["414"],
                    "503": errors["503"],
                },
            }
        }
    }

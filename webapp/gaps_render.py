"""What the missing-links page (``/liaisons``) shows: rows of its tables, the scenario's gain,
the headline figures and the map (components, numbered candidates, park units)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from parcs._errors import ParcsError
from routing.gaps.analysis import GapsReport, ScenarioResult
from routing.gaps.export import CLASS_COLOURS, component_colour
from routing.gaps.model import Candidate
from webapp import maps
from webapp.catalog import Catalog
from webapp.errors import classify
from webapp.gaps_data import GapsData
from webapp.gaps_text import CLASS_LABELS, ERROR_HINTS, MESSAGES
from webapp.i18n import Translator
from webapp.pages import ErrorView


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


def candidate_row(data: GapsData, c: Candidate, t: Translator, chosen: set[str]) -> CandidateRow:
    return CandidateRow(
        id=c.id, rank=c.rank, link_class=c.link_class,
        class_label=CLASS_LABELS[t.lang][c.link_class], colour=CLASS_COLOURS[c.link_class],
        length=t.distance(c.length_m), benefit=t.distance(c.benefit),
        per_m=t.number(c.benefit_per_m, 1), units=_names(data, c.units), reason=c.reason,
        checked=c.id in chosen,
    )


def pair_rows(data: GapsData, t: Translator) -> list[PairRow]:
    return [
        PairRow(a=p.a_name, b=p.b_name, greenway=_km(t, p.greenway_m), network=_km(t, p.network_m),
                straight=t.distance(p.straight_m),
                detour="—" if p.detour_greenway is None else t.number(p.detour_greenway, 2),
                linked=p.linked)
        for p in data.report.unit_pairs
    ]


def component_rows(data: GapsData, t: Translator) -> list[ComponentRow]:
    return [
        ComponentRow(id=c.id, colour=component_colour(i), length=t.distance(c.length_m),
                     units=_names(data, c.units), names=", ".join(c.names))
        for i, c in enumerate(data.report.components)
    ]


def scenario_view(result: ScenarioResult, t: Translator) -> ScenarioView:
    improved = sorted((p for p in result.pairs if p.gain_m > 0), key=lambda p: -p.gain_m)
    return ScenarioView(
        ids=" + ".join(result.candidate_ids), length=t.distance(result.length_m),
        gain=t.distance(result.unit_gain_m), linked_before=result.linked_before,
        linked_after=result.linked_after,
        newly_linked=tuple(f"{p.a_name} ↔ {p.b_name}" for p in result.pairs if p.newly_linked),
        changes=tuple(ChangeRow(p.a_name, p.b_name, _km(t, p.before_m), _km(t, p.after_m),
                                t.distance(p.gain_m), p.newly_linked) for p in improved),
    )


def figures(report: GapsReport, t: Translator) -> list[Headline]:
    m = MESSAGES[t.lang]
    s = report.summary()
    return [  # greenway km in the perimeter, as `parcs stats` (issue 13: one figure everywhere)
        Headline(m["sum_greenway"], t.distance(1000.0 * float(s["greenway_km"]))),
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


def gaps_map(data: GapsData, catalog: Catalog, shown: Sequence[Candidate], t: Translator,
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


def error_view(exc: ParcsError, lang: str) -> tuple[int, ErrorView]:
    kind = classify(exc)
    return kind.status, ErrorView(kind.title_key, ERROR_HINTS.get(lang, ERROR_HINTS["fr"]),
                                  str(exc))

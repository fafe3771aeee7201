"""The HTML pages: the planner (``/``) and the park units (``/parcs``).

The planner form uses GET with the API's parameter names, so a planned route has a shareable URL
and its downloads are the same query sent to ``/api/route.gpx`` and ``/api/route``. A planner error
(unknown place, outside the territory, impossible constraint...) is shown beside the form with the
matching 4xx status, never as a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, g, render_template, request

from parcs._errors import ParcsError
from webapp import maps, planning
from webapp.catalog import Catalog, category_label
from webapp.errors import classify
from webapp.i18n import Translator
from webapp.params import (
    PROFILE_ALIASES,
    Limits,
    RouteQuery,
    has_route_params,
    parse_route_query,
)
from webapp.state import get_state

logger = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

#: French hints shown under the title of each planner error (the detail comes from the core).
ERROR_HINTS: dict[str, dict[str, str]] = {
    "fr": {
        "unknown_place": "Ce lieu ne correspond à aucun parc, lieu ou commune connu. Choisissez-le "
        "dans la liste proposée, ou cliquez sur la carte.",
        "out_of_area": "Ce point est en dehors du territoire du Pôle Métropolitain de l'Artois ou "
        "trop loin du réseau d'itinéraires.",
        "constraint_unsatisfiable": "Aucun itinéraire ne respecte toutes les contraintes choisies : "
        "assouplissez la pente ou le dénivelé maximal, ou retirez une exclusion.",
        "no_route": "Aucun itinéraire ne relie ces lieux sur le réseau avec ce mode de déplacement.",
        "invalid_request": "Vérifiez les champs du formulaire.",
    },
    "en": {
        "unknown_place": "This place matches no known park, place or commune. Pick it from the "
        "list, or click on the map.",
        "out_of_area": "This point lies outside the Pôle Métropolitain de l'Artois or too far from "
        "the route network.",
        "constraint_unsatisfiable": "No route meets every constraint: relax the maximum grade or "
        "climb, or remove an exclusion.",
        "no_route": "No route joins these places on the network with this mode.",
        "invalid_request": "Check the fields of the form.",
    },
}


@dataclass(frozen=True)
class ErrorView:
    """An error shown in a page."""

    title_key: str
    hint: str
    detail: str


@dataclass(frozen=True)
class FormState:
    """The planner form's values, as typed (escaped by the templates)."""

    origin: str = ""
    destination: str = ""
    via: str = ""
    profile: str = "walk"
    max_grade: str = ""
    max_climb: str = ""
    avoid_connector: bool = False
    via_category: str = ""
    along: str = ""
    stop_at: str = ""
    prefer: str = ""
    alternatives: str = "1"

    @property
    def advanced_open(self) -> bool:
        """Whether the advanced options hold a value (the section is then shown open)."""
        return bool(self.via or self.along or self.stop_at or self.prefer
                    or self.alternatives not in ("", "1"))


def _arg(name: str, limit: int = 400) -> str:
    return ",".join(v for v in request.args.getlist(name) if v.strip())[:limit]


def form_state() -> FormState:
    """The form's values from the request (only to fill the form back in)."""
    profile = PROFILE_ALIASES.get(request.args.get("profile", "walk").strip().lower(), "walk")
    return FormState(
        origin=_arg("from"),
        destination=_arg("to"),
        via="\n".join(v for v in request.args.getlist("via") if v.strip())[:2000],
        profile=profile,
        max_grade=_arg("max_grade", 20),
        max_climb=_arg("max_climb", 20),
        avoid_connector="connector" in request.args.getlist("avoid"),
        via_category=_arg("via_category", 40),
        along=_arg("along"),
        stop_at=_arg("stop_at"),
        prefer=_arg("prefer", 20),
        alternatives=_arg("alternatives", 2) or "1",
    )


def _error_view(exc: ParcsError, lang: str) -> tuple[int, ErrorView]:
    kind = classify(exc)
    hints = ERROR_HINTS.get(lang, ERROR_HINTS["fr"])
    return kind.status, ErrorView(kind.title_key, hints.get(kind.code, ""), str(exc))


def _planner_map(catalog: Catalog, result: planning.ResultView | None, t: Translator,
                 query: RouteQuery | None) -> maps.RenderedMap:
    bounds = result.bounds if result else catalog.bounds
    fmap = maps.new_map(bounds, t)
    layers = catalog.layers[t.lang]
    maps.add_layer(fmap, layers.perimeter_js, "Périmètre" if t.lang == "fr" else "Perimeter",
                   show=True)
    maps.add_layer(fmap, layers.parks_js, t("map.parks"))
    maps.add_layer(fmap, layers.labels_js, t("map.park_numbers"), show=result is None)
    if result is not None:
        for layer in planning.result_layers(result, t):
            maps.add_layer(fmap, layer.data_js, layer.name, show=layer.show)
    return maps.render(fmap)


@bp.get("/")
def planner() -> tuple[str, int]:
    """The route planner: the form, and the route when ``from``/``to`` are given."""
    network, catalog = get_state().require()
    lang = g.get("lang", "fr")
    t = Translator(lang)
    limits = Limits.from_config(current_app.config)
    status, error, result, query = 200, None, None, None
    if has_route_params(request.args):
        try:
            query = parse_route_query(request.args, limits=limits)
            result = planning.result_view(
                planning.plan(network, query, page=True), network=network, query=query, catalog=catalog, t=t
            )
        except ParcsError as exc:
            status, error = _error_view(exc, lang)
            logger.info("planner: %s (%s)", type(exc).__name__, exc)
    html = render_template(
        "planner.html",
        form=form_state(),
        error=error,
        result=result,
        rmap=_planner_map(catalog, result, t, query),
        place_options=catalog.place_options[lang],
        categories=[(c, category_label(lang, c)) for c in catalog.categories],
        profiles=[(p, t(f"profile.{p}")) for p in planning.PROFILE_IDS],
        limits=limits,
    )
    return html, status


@dataclass(frozen=True)
class ParkCard:
    """A park unit as shown on the parks page."""

    id: str
    name: str
    agglomeration: str
    description: str
    area: str
    communes: str
    activities: str
    access_count: int
    from_url: str
    to_url: str


def _park_cards(catalog: Catalog, t: Translator) -> list[ParkCard]:
    return [
        ParkCard(
            id=p.id,
            name=p.name,
            agglomeration=p.agglomeration,
            description=p.description,
            area=f"{t.number(p.area_ha)}\u00a0ha",
            communes=", ".join(p.communes),
            activities=", ".join(p.activities),
            access_count=len(catalog.access_points.get(p.id, ())),
            from_url=maps.planner_link(t.lang, from_=p.id),
            to_url=maps.planner_link(t.lang, to=p.id),
        )
        for p in catalog.parks
    ]


@bp.get("/parcs")
def parks() -> str:
    """The park units on a map, with their description, area and access points."""
    _network, catalog = get_state().require()
    t = Translator(g.get("lang", "fr"))
    fmap = maps.new_map(catalog.bounds, t)
    layers = catalog.layers[t.lang]
    maps.add_layer(fmap, layers.perimeter_js, "Périmètre" if t.lang == "fr" else "Perimeter")
    maps.add_layer(fmap, layers.parks_js, t("map.parks"))
    maps.add_layer(fmap, layers.access_js, t("map.access"))
    maps.add_layer(fmap, layers.labels_js, t("map.park_numbers"))
    return render_template("parks.html", rmap=maps.render(fmap), parks=_park_cards(catalog, t))


"""The HTML pages: the planner (``/``) and the park units (``/parcs``).

The planner form uses GET with the API's parameter names, so a planned route has a shareable URL
and its downloads are the same query sent to ``/api/route.gpx`` and ``/api/route``. A planner error
(unknown place, outside the territory, impossible constraint...) is shown beside the form with the
matching 4xx status, never as a 500.

The pieces the planner shares with the "Boucles" and "Circuits" pages (:mod:`webapp.loops_views`,
:mod:`webapp.loop_results`, :mod:`webapp.circuits_views`)
are here too: :func:`page_state`, :func:`error_view`, :class:`ConstraintsForm`,
:func:`form_choices`, :func:`base_map` and :func:`add_layers`; their form fields and result blocks
are the macros of ``templates/_macros.html``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import folium
from flask import Blueprint, g, render_template, request

from parcs._errors import ParcsError
from routing.params import PROFILE_ALIASES, has_params, parse_route_params
from webapp import maps, planning
from webapp.catalog import Catalog, category_label
from webapp.errors import classify
from webapp.i18n import Translator
from webapp.state import get_state
from webapp.urls import request_params

logger = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

#: French hints shown under the title of each planner error (the detail comes from the core).
ERROR_HINTS: dict[str, dict[str, str]] = {
    "fr": {
        "unknown_place": "Ce lieu ne correspond à aucun parc, lieu ou commune connu. Choisissez-le "
        "dans la liste proposée, ou cliquez sur la carte.",
        "ambiguous_place": "Plusieurs lieux portent ce nom : ajoutez la commune (« Hôtel de ville "
        "Carvin ») ou choisissez l'un d'eux dans la liste proposée.",
        "out_of_area": "Ce point est en dehors du territoire du Pôle Métropolitain de l'Artois ou "
        "trop loin du réseau d'itinéraires.",
        "constraint_unsatisfiable": "Aucun itinéraire ne respecte toutes les contraintes choisies : "
        "assouplissez la pente ou le dénivelé maximal, ou retirez une exclusion.",
        "no_route": "Aucun itinéraire ne relie ces lieux sur le réseau avec ce mode de déplacement.",
        "invalid_request": "Vérifiez les champs du formulaire.",
        "time_budget_exceeded": "Le calcul a dépassé le temps alloué à une demande : réessayez avec "
        "moins de lieux de passage, une distance plus courte ou une seule variante.",
    },
    "en": {
        "unknown_place": "This place matches no known park, place or commune. Pick it from the "
        "list, or click on the map.",
        "ambiguous_place": "Several places bear this name: add the commune (\"Hôtel de ville "
        "Carvin\") or pick one of them from the list.",
        "out_of_area": "This point lies outside the Pôle Métropolitain de l'Artois or too far from "
        "the route network.",
        "constraint_unsatisfiable": "No route meets every constraint: relax the maximum grade or "
        "climb, or remove an exclusion.",
        "no_route": "No route joins these places on the network with this mode.",
        "invalid_request": "Check the fields of the form.",
        "time_budget_exceeded": "The computation ran over the time allowed per request: try again "
        "with fewer places to pass through, a shorter distance or a single variant.",
    },
}


@dataclass(frozen=True)
class ErrorView:
    """An error shown in a page."""

    title_key: str
    hint: str
    detail: str


@dataclass(frozen=True)
class ConstraintsForm:
    """The fields the planner and the loops form share, as typed (escaped by the templates):
    what ``profile_choices`` and ``constraint_fields`` of ``_macros.html`` show."""

    profile: str = "walk"
    max_grade: str = ""
    max_climb: str = ""
    avoid_connector: bool = False
    via_category: str = ""

    #: The fields of the form's "advanced options", and the one of them that counts the routes
    #: offered (its default "1" is no value).
    advanced_fields: ClassVar[tuple[str, ...]] = ()
    count_field: ClassVar[str] = ""

    @property
    def advanced_open(self) -> bool:
        """Whether the advanced options hold a value (the section is then shown open)."""
        return any(getattr(self, name) not in ("", "1") if name == self.count_field
                   else bool(getattr(self, name)) for name in self.advanced_fields)


@dataclass(frozen=True)
class FormState(ConstraintsForm):
    """The planner form's values, as typed (escaped by the templates)."""

    origin: str = ""
    destination: str = ""
    via: str = ""
    along: str = ""
    stop_at: str = ""
    prefer: str = ""
    alternatives: str = "1"
    streets: str = ""
    max_estimated_m: str = ""

    advanced_fields = ("via", "along", "stop_at", "prefer", "alternatives", "streets", "max_estimated_m")
    count_field = "alternatives"


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
        streets=_arg("streets", 20),
        max_estimated_m=_arg("max_estimated_m", 20),
    )


# -- shared with the "Boucles" and "Circuits" pages (loops_views, circuits_views) ------------


def page_state() -> tuple[Any, Catalog, Translator]:
    """The loaded network, its catalogue and the request's translator (a 503 when not loaded)."""
    network, catalog = get_state().require()
    return network, catalog, Translator(g.get("lang", "fr"))


def error_view(exc: ParcsError, lang: str) -> tuple[int, ErrorView]:
    """The HTTP status of a planning error and its view beside the form."""
    kind = classify(exc)
    hints = ERROR_HINTS.get(lang, ERROR_HINTS["fr"])
    return kind.status, ErrorView(kind.title_key, hints.get(kind.code, ""), str(exc))


def form_choices(catalog: Catalog, t: Translator) -> dict[str, Any]:
    """The template values of the shared form fields: the places datalist, the categories of
    places and the travel profiles (see ``_macros.html``)."""
    return {
        "place_options": catalog.place_options[t.lang],
        "categories": [(c, category_label(t.lang, c)) for c in catalog.categories],
        "profiles": [(p, t(f"profile.{p}")) for p in planning.PROFILE_IDS],
    }


def base_map(catalog: Catalog, t: Translator,
             bounds: Sequence[Sequence[float]] | None = None) -> folium.Map:
    """A map of the territory's perimeter and park units, fitted to ``bounds`` (default: all)."""
    fmap = maps.new_map(catalog.bounds if bounds is None else bounds, t)
    layers = catalog.layers[t.lang]
    maps.add_layer(fmap, layers.perimeter_js, t("map.perimeter"))
    maps.add_layer(fmap, layers.parks_js, t("map.parks"))
    return fmap


def add_stations(fmap: folium.Map, catalog: Catalog, t: Translator) -> None:
    """Add the railway stations layer (when the network has stations)."""
    stations = catalog.layers[t.lang].stations_js
    if stations:
        maps.add_layer(fmap, stations, t("map.stations"))


def add_layers(fmap: folium.Map, layers: Iterable[planning.LayerSpec]) -> None:
    """Add the layers of a result to ``fmap``."""
    for layer in layers:
        maps.add_layer(fmap, layer.data_js, layer.name, show=layer.show)


# -- the planner ------------------------------------------------------------------------------


def _planner_map(catalog: Catalog, result: planning.ResultView | None,
                 t: Translator) -> maps.RenderedMap:
    fmap = base_map(catalog, t, result.bounds if result else None)
    maps.add_layer(fmap, catalog.layers[t.lang].labels_js, t("map.park_numbers"), show=result is None)
    add_stations(fmap, catalog, t)
    if result is not None:
        add_layers(fmap, planning.result_layers(result, t))
    return maps.render(fmap)


@bp.get("/")
def planner() -> tuple[str, int]:
    """The route planner: the form, and the route when ``from``/``to`` are given."""
    network, catalog, t = page_state()
    status, error, result = 200, None, None
    if has_params(request_params(), "from", "to"):
        try:
            query = parse_route_params(request_params())
            result = planning.result_view(
                planning.plan(network, query, page=True), network=network, query=query, catalog=catalog, t=t
            )
        except ParcsError as exc:
            status, error = error_view(exc, t.lang)
            logger.info("planner: %s (%s)", type(exc).__name__, exc)
    html = render_template(
        "planner.html", form=form_state(), error=error, result=result,
        rmap=_planner_map(catalog, result, t), **form_choices(catalog, t),
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
    _network, catalog, t = page_state()
    fmap = base_map(catalog, t)
    layers = catalog.layers[t.lang]
    maps.add_layer(fmap, layers.access_js, t("map.access"))
    maps.add_layer(fmap, layers.labels_js, t("map.park_numbers"))
    add_stations(fmap, catalog, t)
    return render_template("parks.html", rmap=maps.render(fmap), parks=_park_cards(catalog, t))


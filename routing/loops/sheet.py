"""What a printed roadbook says, for any itinerary: a circuit, a loop or a route of the planner.

:func:`roadbook_sheet` gathers, from the itinerary and the project's data only: the practical
figures in French style (1,2 km ; 12 %), the start described by what is there and the nearest
railway station with its walking distance (:mod:`routing.loops.access`), the park units crossed
with their own description and activities (``data/parcs.toml`` through the build), one line on
each sight along the way from the heritage layers, numbered as on the map and in the steps, the
steps with their kilometre (« départ », then « km 1,2 »), the warnings in plain words, the offline
SVG map (:mod:`routing.loops.svgmap`) and the elevation profile. The templates render a
:class:`Sheet` as an HTML page and, through :mod:`routing.loops.pdf`, as a PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from parcs.schema import SURFACES
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.french import de
from routing.itinerary import Itinerary
from routing.loops.access import describe_start, nearest_station
from routing.loops.svgmap import MapPoi, route_map_svg
from routing.places import Place
from routing.profiles import PROFILES

__all__ = ["SIGHT_CATEGORIES", "ParkText", "Sheet", "SheetInput", "Sight", "StepLine", "fr_km", "roadbook_sheet",
           "sights_along", "step_lines"]

#: Categories listed as sights, most telling first; at most :data:`MAX_SIGHTS` are listed.
SIGHT_CATEGORIES: tuple[str, ...] = (
    "heritage", "terril", "viewpoint", "neonatural_park", "museum", "historic", "station",
    "mine_shaft", "picnic_site", "drinking_water", "bike_rental", "bike_parking",
)
MAX_SIGHTS = 18
#: A sight's line is cut at this length (characters).
LINE_CHARS = 170


@dataclass(frozen=True)
class Sight:
    """A numbered sight along the way."""

    number: int
    name: str
    category: str
    along: str
    off: str
    line: str
    lon: float
    lat: float
    along_m: float


@dataclass(frozen=True)
class StepLine:
    """A numbered step: its text, where it starts (« départ », « km 1,2 ») and the sights on it."""

    number: int
    text: str
    at: str
    sights: tuple[int, ...] = ()


@dataclass(frozen=True)
class ParkText:
    """A park unit crossed, in its registry's words."""

    name: str
    description: str
    activities: str


@dataclass(frozen=True)
class Sheet:
    """Everything a printed roadbook shows."""

    id: str
    title: str
    kicker: str
    description: str
    figures: tuple[tuple[str, str], ...]
    start: str
    access: str
    parks: tuple[ParkText, ...]
    sights: tuple[Sight, ...]
    steps: tuple[StepLine, ...]
    warnings: tuple[str, ...]
    map_svg: Markup
    profile_svg: Markup
    footer: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    loop: bool = True
    finish: str = ""


def fr_km(metres: float) -> str:
    """Where a step starts: ``'départ'`` at 0, metres under 1 km, else the kilometre.

    >>> fr_km(0), fr_km(40), fr_km(1234), fr_km(12050)
    ('départ', 'à 40 m', 'km 1,2', 'km 12,1')
    """
    if metres < 1.0:
        return "départ"
    if metres < 995.0:
        return f"à {fr_distance(metres)}"
    return f"km {metres / 1000.0:.1f}".replace(".", ",")


def _sight_line(cn: CompiledNetwork, row: Mapping[str, Any]) -> str:
    """The sight's own line from its layer (its description), cut at :data:`LINE_CHARS`."""
    index = cn.poi_index
    poi = cn.pois[index[row["id"]]] if row.get("id") in index else None
    text = (poi.description if poi is not None else "").strip()
    if len(text) > LINE_CHARS:
        text = text[:LINE_CHARS].rsplit(" ", 1)[0].rstrip(" ;,") + " …"
    return text


def sights_along(cn: CompiledNetwork, it: Itinerary) -> tuple[Sight, ...]:
    """The sights of the itinerary, numbered in travel order: the :data:`MAX_SIGHTS` most telling
    (by :data:`SIGHT_CATEGORIES`), each name once."""
    rank = {c: i for i, c in enumerate(SIGHT_CATEGORIES)}
    rows = [r for r in it.pois_along if r.get("category") in rank]
    seen: set[tuple[str, str]] = set()
    unique = []
    for r in sorted(rows, key=lambda r: (rank[str(r["category"])], float(r["distance_along_m"]), str(r["id"]))):
        key = (str(r.get("name") or r["id"]), str(r["category"]))
        if key not in seen:
            seen.add(key)
            unique.append(r)
    kept = sorted(unique[:MAX_SIGHTS], key=lambda r: (float(r["distance_along_m"]), str(r["id"])))
    return tuple(
        Sight(i + 1, str(r.get("name") or r["id"]), str(r.get("category_label", r["category"])),
              fr_distance(float(r["distance_along_m"])), fr_distance(float(r["distance_from_route_m"])),
              _sight_line(cn, r), float(r["lon"]), float(r["lat"]), float(r["distance_along_m"]))
        for i, r in enumerate(kept)
    )


def step_lines(it: Itinerary, *, sights: Sequence[Sight]) -> tuple[StepLine, ...]:
    """The steps, numbered, each with the sights passed while it lasts."""
    out = []
    for i, s in enumerate(it.directions):
        end = s.start_m + s.distance_m
        last = i == len(it.directions) - 1
        on = tuple(g.number for g in sights if s.start_m <= g.along_m < end or (last and g.along_m >= end))
        out.append(StepLine(i + 1, s.instruction, fr_km(s.start_m), on))
    return tuple(out)


def _figures(it: Itinerary, *, profile: str, overlap: float | None) -> tuple[tuple[str, str], ...]:
    surfaces = sorted(it.km_by_surface.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [
        ("Mode", PROFILES[profile].label_fr if profile in PROFILES else profile),
        ("Distance", fr_distance(it.distance_m)),
        ("Durée estimée", fr_duration(it.duration_s)),
        ("Dénivelé", f"+{fr_number(it.climb_m, 0)} m / −{fr_number(it.descent_m, 0)} m"),
        ("Pente maximale", f"{fr_number(it.max_grade, 1)} %"),
        ("Part en voie verte", f"{fr_number(100 * it.greenway_share, 0)} %"),
        ("Revêtements", ", ".join(
            f"{'non renseigné' if s == 'unknown' else SURFACES.get(s, s)} {fr_distance(km * 1000)}"
            for s, km in surfaces if km > 0.005) or "—"),
    ]
    if overlap is not None:
        rows.append(("Aller-retour sur les mêmes voies", f"{fr_number(100 * overlap, 0)} % de la longueur"))
    return tuple(rows)


def _parks(cn: CompiledNetwork, visited: Sequence[Mapping[str, str]]) -> tuple[ParkText, ...]:
    index = cn.park_index
    out = []
    for row in visited:
        pid = str(row.get("id", ""))
        if pid in index:
            park = cn.parks[index[pid]]
            out.append(ParkText(park.name, park.description, ", ".join(park.activities)))
    return tuple(out)


def _access(cn: CompiledNetwork, node: int) -> str:
    station = nearest_station(cn, node=node)
    if station is None:
        return ""
    name = station.name if station.name.lower().startswith("gare") else f"gare {de(station.name, proper=True)}"
    return f"{name[:1].upper() + name[1:]}, à {fr_distance(station.walk_m)} à pied du départ"


@dataclass(frozen=True)
class SheetInput:
    """What :func:`roadbook_sheet` needs beside the itinerary."""

    id: str
    title: str
    kicker: str
    description: str
    start: Place
    loop: bool
    overlap: float | None = None
    finish: Place | None = None
    parks: tuple[Mapping[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    footer: str = ""
    files: Mapping[str, str] = field(default_factory=dict)


def roadbook_sheet(cn: CompiledNetwork, it: Itinerary, *, what: SheetInput,
                   communes: Sequence[tuple[str, Sequence[Any]]] = (),
                   profile_svg: Callable[..., Markup] | None = None) -> Sheet:
    """The :class:`Sheet` of an itinerary.

    Parameters
    ----------
    cn
        The compiled network.
    it
        The itinerary (a loop's or a route's).
    what
        Title, texts, start, whether it is a loop, its overlap, the parks it visits, warnings.
    communes
        Commune outlines for the map and the start's commune
        (:func:`routing.loops.svgmap.commune_outlines`).
    profile_svg
        The elevation profile renderer (``points, climb=, descent=`` → SVG).
    """
    sights = sights_along(cn, it)
    start = what.start
    first_edge = int(it.edge_ids[0]) if it.edge_ids else None
    label = f"Entrée {de(start.label)}" if start.kind == "park" else start.label
    start_text = describe_start(cn, node=start.node, label=label, first_edge=first_edge, communes=communes)
    start_text += f" ({fr_number(start.lat, 5)} N, {fr_number(start.lon, 5)} E)"
    ids = f"{what.id}-"
    svg = route_map_svg(cn, it, pois=[MapPoi(s.number, s.lon, s.lat, s.name) for s in sights],
                        communes=communes, loop=what.loop, title=f"Carte : {what.title}", ids=ids)
    warnings = [*it.warnings, *what.warnings]
    finish = ""
    if what.finish is not None and not what.loop:
        last = int(it.edge_ids[-1]) if it.edge_ids else None
        finish = describe_start(cn, node=what.finish.node, label=what.finish.label, first_edge=last,
                                communes=communes)
    return Sheet(
        id=what.id, title=what.title, kicker=what.kicker, description=what.description,
        figures=_figures(it, profile=it.profile, overlap=what.overlap), start=start_text,
        access=_access(cn, start.node), parks=_parks(cn, what.parks or it.parks_crossed),
        sights=sights, steps=step_lines(it, sights=sights),
        warnings=tuple(w[:1].upper() + w[1:] for w in dict.fromkeys(warnings)),
        map_svg=svg,
        profile_svg=profile_svg(it.elevation_profile, climb=it.climb_m, descent=it.descent_m, ids=ids)
        if profile_svg else Markup(""),
        footer=what.footer, files=dict(what.files), loop=what.loop, finish=finish,
    )

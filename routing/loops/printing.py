"""Printable roadbooks of circuits, loops and routes: :class:`routing.loops.sheet.Sheet` builders,
the print templates and their PDFs.

- :func:`circuit_sheet`, :func:`loop_sheet`, :func:`route_sheet` make the sheet of a catalogue
  circuit, of a loop planned on demand and of a planner route;
- :func:`render_print` renders one sheet as a standalone print document (A4, page numbers) and
  :func:`sheet_pdf` its PDF;
- :func:`catalogue_pdf` makes the whole catalogue one PDF: cover, table of contents with page
  numbers, the circuits dropped or relabelled by the theme checks, then every roadbook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from parcs import paths
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.french import de
from routing.loops.catalogue import Circuit
from routing.loops.pdf import html_to_pdf
from routing.loops.planner import LoopResult
from routing.loops.profile import profile_svg
from routing.loops.sheet import Sheet, SheetInput, roadbook_sheet
from routing.loops.svgmap import commune_outlines
from routing.places import Place
from routing.profiles import PROFILES
from routing.request import RouteResult

__all__ = ["catalogue_pdf", "circuit_sheet", "loop_sheet", "map_communes", "render_catalogue_print",
           "render_print", "route_sheet", "sheet_pdf"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
CATALOGUE_TITLE = "Circuits suggérés de la Chaîne des parcs"


def env() -> jinja2.Environment:
    """The Jinja environment of the roadbook templates (autoescaped)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def map_communes(cn: CompiledNetwork, directory: str | Path | None = None) -> tuple[Any, ...]:
    """The commune outlines of the network's build folder (cached on the network)."""

    def make() -> tuple[Any, ...]:
        folder = directory or paths.build_dir(str(cn.meta.get("source", "opendata")))
        return commune_outlines(folder)

    return cn.cached(("map_communes",), make)


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre")


def network_text(network: Mapping[str, Any]) -> str:
    """« opendata construit le 2 décembre 2026 à 06:16 (UTC) » (or what is known of it).

    >>> network_text({"source": "opendata", "built_at": "2026-12-02T06:16:49+0000"})
    'opendata construit le 2 décembre 2026 à 06:16 (UTC)'
    """
    text = str(network.get("source") or "")
    stamp = str(network.get("built_at") or "")
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
        text += f" construit le {when.day} {_MONTHS[when.month - 1]} {when.year} à {when:%H:%M} (UTC)"
    except ValueError:
        text += f" construit le {stamp}" if stamp else ""
    return text.strip()


def circuit_sheet(circuit: Circuit, cn: CompiledNetwork, *, network: Mapping[str, Any],
                  files: Mapping[str, str] | None = None) -> Sheet:
    """The sheet of an available circuit (``ValueError`` for another)."""
    res = circuit.result
    if res is None:
        raise ValueError(f"circuit {circuit.id!r} is unavailable: it has no roadbook")
    footer = f"Circuit « {circuit.id} » calculé sur le réseau {network_text(network)}."
    what = SheetInput(
        id=circuit.id, title=circuit.title, kicker="Chaîne des parcs — circuit suggéré",
        description=circuit.description, start=res.start, loop=True, overlap=res.best.overlap_share,
        parks=tuple(res.best.parks_visited), warnings=(*res.best.warnings, *res.warnings),
        footer=footer, files=dict(files or {}),
    )
    return roadbook_sheet(cn, res.best.itinerary, what=what, communes=map_communes(cn),
                          profile_svg=profile_svg)


def loop_sheet(cn: CompiledNetwork, result: LoopResult, *, rank: int = 0) -> Sheet:
    """The sheet of a loop planned on demand (variant ``rank``)."""
    loop = result.loops[rank]
    it = loop.itinerary
    mode = PROFILES[result.request.profile].label_fr
    title = f"Boucle {mode} de {fr_distance(it.distance_m)} au départ {de(result.start.label)}"
    description = (f"Boucle {mode} de {fr_distance(it.distance_m)} (environ {fr_duration(it.duration_s)}), "
                   f"{fr_number(100 * it.greenway_share, 0)} % en voie verte, dénivelé positif "
                   f"{fr_number(it.climb_m, 0)} m.")
    what = SheetInput(id=f"boucle-{rank + 1}", title=title, kicker="Chaîne des parcs — boucle",
                      description=description, start=result.start, loop=True,
                      overlap=loop.overlap_share, parks=tuple(loop.parks_visited),
                      warnings=(*loop.warnings, *result.warnings))
    return roadbook_sheet(cn, it, what=what, communes=map_communes(cn), profile_svg=profile_svg)


def _end_place(cn: CompiledNetwork, row: Mapping[str, Any], node: int) -> Place:
    return Place(str(row.get("kind", "point")), str(row.get("id", "")), str(row.get("label", "")),
                 float(row.get("lon", cn.node_lon[node])), float(row.get("lat", cn.node_lat[node])),
                 node, (node,))


def route_sheet(cn: CompiledNetwork, result: RouteResult, *, rank: int = 0) -> Sheet:
    """The sheet of a planner route (itinerary ``rank`` of the result)."""
    it = result.itineraries[rank]
    start = _end_place(cn, result.places.get("origin", {}), int(cn.edge_u[it.edge_ids[0]]))
    finish = _end_place(cn, result.places.get("destination", {}), int(cn.edge_v[it.edge_ids[-1]]))
    mode = PROFILES[it.profile].label_fr if it.profile in PROFILES else it.profile
    title = f"{start.label} → {finish.label}"
    description = (f"Itinéraire {mode} de {fr_distance(it.distance_m)} (environ {fr_duration(it.duration_s)}), "
                   f"{fr_number(100 * it.greenway_share, 0)} % en voie verte, dénivelé positif "
                   f"{fr_number(it.climb_m, 0)} m.")
    what = SheetInput(id="itineraire", title=title, kicker="Chaîne des parcs — itinéraire",
                      description=description, start=start, finish=finish, loop=False)
    return roadbook_sheet(cn, it, what=what, communes=map_communes(cn), profile_svg=profile_svg)


def render_print(sheet: Sheet) -> str:
    """A standalone print document of one sheet (A4, page numbers, no script)."""
    return env().get_template("print.html").render(sheet=sheet)


def sheet_pdf(sheet: Sheet) -> bytes:
    """The PDF of one sheet."""
    return html_to_pdf(render_print(sheet))


def _summary(sheet: Sheet) -> str:
    figures = dict(sheet.figures)
    return " · ".join(v for v in (figures.get("Mode", ""), figures.get("Distance", ""),
                                  figures.get("Durée estimée", ""), figures.get("Dénivelé", "")) if v)


def render_catalogue_print(sheets: Sequence[Sheet], *, network: Mapping[str, Any],
                           report: Sequence[str] = ()) -> str:
    """The catalogue as one print document: cover, contents with page numbers, report, roadbooks."""
    return env().get_template("catalogue_print.html").render(
        title=CATALOGUE_TITLE, sheets=list(sheets), summaries=[_summary(s) for s in sheets],
        network_text=network_text(network), report=list(report),
    )


def catalogue_pdf(sheets: Sequence[Sheet], *, network: Mapping[str, Any], report: Sequence[str] = ()) -> bytes:
    """The PDF of :func:`render_catalogue_print`."""
    return html_to_pdf(render_catalogue_print(sheets, network=network, report=report))

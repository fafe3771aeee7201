"""Loops and suggested circuits on the web: the "Boucles" and "Circuits" pages, ``/api/loop``.

- ``GET /boucles``: plan a loop (start from a park, a POI, a commune or a map click; a distance or
  a duration; profile and constraints). The form uses GET with the API's parameter names, so a
  loop has a shareable URL and its downloads (``/api/loop.gpx``, ``/api/loop``) are the same query;
  the seed defaults to 1 so that the page and its downloads show the same loop.
- ``GET /api/loop`` (GeoJSON, one feature per loop) and ``GET /api/loop.gpx``.
- ``GET /circuits``: the catalogue built by ``parcs circuits build`` (``CIRCUITS_DIR``, default
  ``data/circuits``): list, map, links to the printable roadbooks and the GPX/GeoJSON files.
- ``GET /circuits/<id>.<html|gpx|geojson>``: a file of the catalogue. The request's name is only a
  key looked up among the ids of the catalogue's ``index.json``; the path read is the one the index
  records for that id (validated when the index is loaded), so no path from a request reaches the
  filesystem.

Errors follow :mod:`webapp.errors`: the API answers ``{"error", "detail"}`` with a 4xx status, the
page shows the message beside the form with the same status.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from parcs import paths
from parcs._errors import InvalidRequestError, ParcsError
from parcs.schema import KINDS
from webapp import maps, planning
from webapp.catalog import Catalog, category_label, kind_label
from webapp.i18n import Translator
from webapp.pages import (
    ConstraintsForm,
    add_layers,
    base_map,
    error_view,
    form_choices,
    page_state,
)
from webapp.params import parse_profile
from webapp.security import TILE_ORIGINS
from webapp.state import get_state
from webapp.urls import leaflet_url, with_query

logger = logging.getLogger(__name__)

bp = Blueprint("loops", __name__)

#: Parameters of the loop endpoints (those of ``parcs loop``).
LOOP_PARAMS: tuple[str, ...] = (
    "start", "distance", "duration", "profile", "through", "via_category", "max_climb",
    "max_grade", "avoid", "prefer", "variants", "seed",
)
MAX_VARIANTS = 3
MAX_THROUGH = 6
DEFAULT_SEED = 1
#: Catalogue file kinds served, with their media types.
FILE_TYPES: Mapping[str, str] = {
    "html": "text/html",
    "gpx": "application/gpx+xml",
    "geojson": "application/geo+json",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
#: Vertices of a circuit drawn on the catalogue map.
LINE_POINTS = 200

# -- query ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoopQuery:
    """A parsed, bounded loop request."""

    start: str
    distance_km: float | None = None
    duration_min: float | None = None
    profile: str = "walk"
    through: tuple[str, ...] = ()
    via_category: str | None = None
    max_climb: float | None = None
    max_grade: float | None = None
    avoid: tuple[str, ...] = ()
    prefer: float | None = None
    variants: int = 1
    seed: int = DEFAULT_SEED

    def to_params(self, **override: Any) -> list[tuple[str, str]]:
        """The canonical query parameters (for links and downloads)."""
        values = {**self.__dict__, **override}
        out = [("start", str(values["start"]))]
        for key, name in (("distance_km", "distance"), ("duration_min", "duration")):
            if values[key] is not None:
                out.append((name, _num(values[key])))
        out.append(("profile", str(values["profile"])))
        out += [("through", t) for t in values["through"]]
        if values["via_category"]:
            out.append(("via_category", str(values["via_category"])))
        for key in ("max_climb", "max_grade", "prefer"):
            if values[key] is not None:
                out.append((key, _num(values[key])))
        out += [("avoid", a) for a in values["avoid"]]
        if values["variants"] != 1:
            out.append(("variants", str(values["variants"])))
        out.append(("seed", str(values["seed"])))
        return out

    def loop_request(self) -> Any:
        """The :class:`routing.loops.planner.LoopRequest` of this query."""
        from routing.loops.planner import LoopRequest

        kwargs: dict[str, Any] = {
            "start": self.start, "distance_km": self.distance_km, "duration_min": self.duration_min,
            "profile": self.profile, "through": self.through, "via_category": self.via_category,
            "max_climb": self.max_climb, "max_grade": self.max_grade, "avoid": self.avoid,
            "variants": self.variants, "seed": self.seed,
        }
        if self.prefer is not None:
            kwargs["prefer"] = self.prefer
        return LoopRequest(**kwargs)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _text(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise InvalidRequestError(f"{name}: longer than {limit} characters")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise InvalidRequestError(f"{name}: control characters are not allowed")
    return text


def _one(args: MultiDict[str, str], name: str) -> str | None:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > 1:
        raise InvalidRequestError(f"{name}: give it once (got {len(values)} values)")
    return values[0] if values else None


def _number(args: MultiDict[str, str], name: str, low: float, high: float) -> float | None:
    text = _one(args, name)
    if text is None:
        return None
    try:
        value = float(text.replace(",", ".").replace("%", ""))
    except ValueError:
        raise InvalidRequestError(f"{name}: {text[:40]!r} is not a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise InvalidRequestError(f"{name}: must be between {_num(low)} and {_num(high)}")
    return value


def _many(args: MultiDict[str, str], name: str, limit: int, size: int) -> tuple[str, ...]:
    values = [_text(p, name, size) for raw in args.getlist(name) for p in raw.split(",") if p.strip()]
    values = list(dict.fromkeys(values))
    if len(values) > limit:
        raise InvalidRequestError(f"{name}: at most {limit} values (got {len(values)})")
    return tuple(values)


def has_loop_params(args: MultiDict[str, str]) -> bool:
    """Whether a page request asks for a loop (``start`` given)."""
    return any(v.strip() for v in args.getlist("start"))


def parse_loop_query(args: MultiDict[str, str], config: Mapping[str, Any]) -> LoopQuery:
    """Parse and bound the query parameters of a loop request.

    Raises
    ------
    InvalidRequestError
        A parameter is missing, malformed or beyond the limits.
    """
    size = int(config.get("MAX_PLACE_LENGTH", 200))
    start = _one(args, "start")
    if start is None:
        raise InvalidRequestError("start: required (a park, place, commune or 'lat,lon')")
    distance = _number(args, "distance", 0.5, 200.0)
    duration = _number(args, "duration", 5.0, 1440.0)
    if (distance is None) == (duration is None):
        raise InvalidRequestError("give exactly one of distance (km) and duration (min)")
    variants = _number(args, "variants", 1, int(config.get("MAX_LOOP_VARIANTS", MAX_VARIANTS)))
    seed = _number(args, "seed", 0, 2**31 - 1)
    if (variants is not None and not variants.is_integer()) or (seed is not None and not seed.is_integer()):
        raise InvalidRequestError("variants and seed must be whole numbers")
    return LoopQuery(
        start=_text(start, "start", size), distance_km=distance, duration_min=duration,
        profile=parse_profile(_one(args, "profile")),
        through=_many(args, "through", MAX_THROUGH, size),
        via_category=_one(args, "via_category"),
        max_climb=_number(args, "max_climb", 0.0, 10000.0),
        max_grade=_number(args, "max_grade", 0.5, 100.0),
        avoid=_many(args, "avoid", int(config.get("MAX_AVOID", 8)), 40),
        prefer=_number(args, "prefer", 0.0, 10.0),
        variants=int(variants or 1), seed=int(seed if seed is not None else DEFAULT_SEED),
    )


def plan(network: Any, query: LoopQuery) -> Any:
    """Run :func:`routing.loops.planner.plan_loop` on a query."""
    from routing.loops.planner import plan_loop

    return plan_loop(network, query.loop_request())


# -- API --------------------------------------------------------------------------------------


def loop_geojson_document(result: Any) -> dict[str, Any]:
    """The GeoJSON answer: one feature per loop (``rank`` from 0), the start and the request."""
    from routing.loops.export import loop_geojson

    doc = loop_geojson(result)
    for rank, feature in enumerate(doc["features"]):
        feature["properties"] = {"rank": rank, **feature["properties"]}
    doc["start"] = result.start.to_dict()
    doc["request"] = result.request.to_dict()
    doc["overlap_floor"] = round(float(result.overlap_floor), 4)
    doc.pop("properties", None)
    return doc


def _query() -> tuple[Any, LoopQuery]:
    network, _catalog = get_state().require()
    return network, parse_loop_query(request.args, current_app.config)


@bp.get("/api/loop")
def api_loop() -> Response:
    """Loops as a GeoJSON FeatureCollection (one LineString feature per loop, best first)."""
    network, query = _query()
    body = json.dumps(loop_geojson_document(plan(network, query)), ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)
    return Response(body, mimetype=FILE_TYPES["geojson"])


@bp.get("/api/loop.gpx")
def api_loop_gpx() -> Response:
    """Loops as a GPX 1.1 document (a download)."""
    from routing.loops.export import loop_gpx

    network, query = _query()
    response = Response(loop_gpx(plan(network, query)), mimetype=FILE_TYPES["gpx"])
    response.headers["Content-Disposition"] = 'attachment; filename="boucle.gpx"'
    return response


# -- the "Boucles" page -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoopForm(ConstraintsForm):
    """The form's values as typed (escaped by the template)."""

    start: str = ""
    distance: str = ""
    duration: str = ""
    through: str = ""
    variants: str = "1"
    seed: str = ""

    advanced_fields = ("through", "variants", "seed")
    count_field = "variants"


def _arg(name: str, limit: int = 400) -> str:
    return ",".join(v.strip() for v in request.args.getlist(name) if v.strip())[:limit]


def loop_form() -> LoopForm:
    """The form's values from the request (only to fill the form back in)."""
    profile = _arg("profile", 20)
    return LoopForm(
        start=_arg("start"), distance=_arg("distance", 20), duration=_arg("duration", 20),
        profile=profile if profile in planning.PROFILE_IDS else "walk", through=_arg("through"),
        via_category=_arg("via_category", 40), max_climb=_arg("max_climb", 20),
        max_grade=_arg("max_grade", 20), avoid_connector="connector" in request.args.getlist("avoid"),
        variants=_arg("variants", 2) or "1", seed=_arg("seed", 12),
    )


@dataclass(frozen=True)
class LoopView:
    """One loop as shown: the planner's itinerary view plus the loop's own figures."""

    it: planning.ItineraryView
    error: str
    overlap: str
    visited: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class LoopResultView:
    """What the page shows of a loop result."""

    loops: tuple[LoopView, ...]
    start_name: str
    start: tuple[float, float]
    profile_label: str
    floor_note: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    gpx_url: str
    geojson_url: str
    page_url: str
    other_url: str


def _signed_percent(t: Translator, value: float) -> str:
    text = t.percent(abs(value), 1)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def loop_view(network: Any, loop: Any, *, rank: int, t: Translator) -> LoopView:
    """The view of one :class:`routing.loops.planner.Loop`."""
    it = planning.itinerary_view(network, loop.itinerary, rank=rank, t=t)
    label = t("loops.result") if rank == 0 else t("loops.variant", n=rank + 1)
    visited = tuple(f"{p['name'] or p['id']} ({category_label(t.lang, p['category'])})"
                    for p in loop.pois_visited)
    return LoopView(
        it=replace(it, label=label),
        error=_signed_percent(t, float(loop.length_error)),
        overlap=t.percent(float(loop.overlap_share)),
        visited=visited,
        warnings=tuple(w[:1].upper() + w[1:] for w in loop.warnings),
    )


Bounds = tuple[tuple[float, float], tuple[float, float]]


def _bounds(views: Sequence[LoopView], fallback: Bounds) -> Bounds:
    pts = [p for v in views for p in v.it.geometry]
    if not pts:
        return fallback
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    return (min(lats), min(lons)), (max(lats), max(lons))


def result_view(result: Any, *, network: Any, query: LoopQuery, catalog: Catalog,
                t: Translator) -> LoopResultView:
    """The page's view of a :class:`routing.loops.planner.LoopResult`."""
    views = tuple(loop_view(network, loop, rank=i, t=t) for i, loop in enumerate(result.loops))
    params = query.to_params()
    lang = [("lang", t.lang)] if t.lang != "fr" else []
    floor = float(result.overlap_floor)
    return LoopResultView(
        loops=views, start_name=result.start.label,
        start=(float(result.start.lon), float(result.start.lat)),
        profile_label=t(f"profile.{query.profile}"),
        floor_note=t("loops.floor", pct=t.percent(floor)) if floor > 0.1 else "",
        bounds=_bounds(views, catalog.bounds),
        gpx_url=with_query("loops.api_loop_gpx", params),
        geojson_url=with_query("loops.api_loop", params),
        page_url=with_query("loops.loops_page", params + lang),
        other_url=with_query("loops.loops_page", query.to_params(seed=query.seed + 1) + lang),
    )


def _loop_layers(view: LoopResultView, t: Translator) -> list[planning.LayerSpec]:
    layers = []
    for rank, loop in enumerate(view.loops[1:], start=1):
        layers.append(planning.LayerSpec(t("loops.variant", n=rank + 1),
                                         maps.collection(maps.alternative_features(loop.it.geometry))))
    main = view.loops[0].it
    runs = [(s.kind, s.green, s.coords) for s in main.segments] or [("voie_verte", True, main.geometry)]
    labels = {k: kind_label(t.lang, k) for k in KINDS}
    layers.append(planning.LayerSpec(t("loops.map_loop"),
                                     maps.collection(maps.route_features(runs, labels, t))))
    pois = [maps.feature(maps.point(p.lon, p.lat), style=maps.poi_style_colour(p.colour),
                         popup=maps.popup_html(p.name, p.category, p.where), tooltip=str(escape(p.name)))
            for p in main.pois if math.isfinite(p.lon) and math.isfinite(p.lat)]
    if pois:
        layers.append(planning.LayerSpec(t("map.pois"), maps.collection(pois)))
    start = maps.feature(maps.point(*view.start), style={"pin": "start", "label": "A"},
                         popup=maps.popup_html(t("loops.map_start"), view.start_name),
                         title=t("loops.map_start"))
    layers.append(planning.LayerSpec(t("loops.map_start"), maps.collection([start])))
    return layers


def _page_map(catalog: Catalog, view: LoopResultView | None, t: Translator) -> maps.RenderedMap:
    fmap = base_map(catalog, t, view.bounds if view else None)
    if view is not None:
        add_layers(fmap, _loop_layers(view, t))
    return maps.render(fmap)


@bp.get("/boucles")
def loops_page() -> tuple[str, int]:
    """The loop planner: the form, and the loops when ``start`` is given."""
    network, catalog, t = page_state()
    status, error, view = 200, None, None
    if has_loop_params(request.args):
        try:
            query = parse_loop_query(request.args, current_app.config)
            view = result_view(plan(network, query), network=network, query=query,
                               catalog=catalog, t=t)
        except ParcsError as exc:
            status, error = error_view(exc, t.lang)
            logger.info("loops page: %s (%s)", type(exc).__name__, exc)
    html = render_template(
        "loops.html", form=loop_form(), error=error, result=view, rmap=_page_map(catalog, view, t),
        max_variants=int(current_app.config.get("MAX_LOOP_VARIANTS", MAX_VARIANTS)),
        max_place_length=int(current_app.config.get("MAX_PLACE_LENGTH", 200)),
        **form_choices(catalog, t),
    )
    return html, status


# -- the circuit catalogue --------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueFiles:
    """A built catalogue as read from its ``index.json`` (cached until the index changes)."""

    folder: Path
    doc: Mapping[str, Any]
    entries: Mapping[str, Mapping[str, Any]]
    lines: Mapping[str, tuple[tuple[float, float], ...]]
    stamp: tuple[int, int]


_CACHE: dict[Path, CatalogueFiles] = {}
_LOCK = threading.Lock()


def catalogue_dir() -> Path:
    """The catalogue folder (``CIRCUITS_DIR``, default ``data/circuits``)."""
    configured = current_app.config.get("CIRCUITS_DIR")
    return Path(configured) if configured else paths.data_dir() / "circuits"


def _valid(entry: Any) -> bool:
    """Whether an index entry is safe to serve: a plain id, and files named after it."""
    if not isinstance(entry, Mapping) or not _ID.match(str(entry.get("id", ""))):
        return False
    if entry.get("status") != "ok":
        return True
    files = entry.get("files")
    return isinstance(files, Mapping) and all(files.get(k) == f"{entry['id']}.{k}" for k in FILE_TYPES)


def _line(folder: Path, entry: Mapping[str, Any]) -> tuple[tuple[float, float], ...]:
    try:
        doc = json.loads((folder / f"{entry['id']}.geojson").read_text(encoding="utf-8"))
        coords = doc["features"][0]["geometry"]["coordinates"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return ()
    if len(coords) > LINE_POINTS:
        step = (len(coords) - 1) / (LINE_POINTS - 1)
        coords = [coords[round(i * step)] for i in range(LINE_POINTS)]
    return tuple((float(c[0]), float(c[1])) for c in coords)


def load_catalogue_files(folder: Path) -> CatalogueFiles | None:
    """The catalogue in ``folder``, or ``None`` when it has not been built (or is unreadable)."""
    index = folder / "index.json"
    try:
        st = index.stat()
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    with _LOCK:
        cached = _CACHE.get(folder)
    if cached is not None and cached.stamp == stamp:
        return cached
    try:
        doc = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning("unreadable circuit catalogue %s: %s", index, exc)
        return None
    entries = {str(e["id"]): e for e in doc.get("circuits", []) if _valid(e)}
    lines = {cid: _line(folder, e) for cid, e in entries.items() if e.get("status") == "ok"}
    files = CatalogueFiles(folder, doc, entries, lines, stamp)
    with _LOCK:
        _CACHE[folder] = files
    return files


def _circuit_features(files: CatalogueFiles, t: Translator) -> list[dict[str, Any]]:
    from routing.loops.roadbook import KIND_COLOURS

    out = []
    for cid, entry in files.entries.items():
        coords = files.lines.get(cid, ())
        if len(coords) < 2:
            continue
        link = (url_for("loops.circuit_file", name=f"{cid}.html"), t("circuits.roadbook"))
        out.append(maps.feature(
            maps.line(coords), style={"color": KIND_COLOURS.get(str(entry.get("kind")), "#1b7f3b"),
                                      "weight": 4, "opacity": 0.85},
            popup=maps.popup_html(str(entry.get("title", cid)), link=link),
            tooltip=str(escape(str(entry.get("title", cid)))),
        ))
    return out


@dataclass(frozen=True)
class CircuitCard:
    """A circuit as listed on the page."""

    id: str
    ok: bool
    title: str
    kind: str
    description: str
    figures: str
    reason: str


def _cards(files: CatalogueFiles, t: Translator) -> list[CircuitCard]:
    out = []
    for cid, e in files.entries.items():
        ok = e.get("status") == "ok"
        figures = ""
        if ok:
            figures = (f"{t.distance(float(e['distance_m']))} · {t.duration(float(e['duration_s']))} · "
                       f"+{t.number(float(e['climb_m']))}\u00a0m")
        out.append(CircuitCard(cid, ok, str(e.get("title", cid)), t(f"kind.{e.get('kind')}"),
                               str(e.get("description", "")), figures, str(e.get("reason", ""))))
    return out


@bp.get("/circuits")
def circuits_page() -> str:
    """The catalogue: a map of every circuit and the list with links to their files."""
    _network, catalog, t = page_state()
    files = load_catalogue_files(catalogue_dir())
    fmap = base_map(catalog, t)
    if files is not None:
        maps.add_layer(fmap, maps.collection(_circuit_features(files, t)), t("circuits.title"))
    cards = _cards(files, t) if files is not None else []
    return render_template(
        "circuits.html", rmap=maps.render(fmap), cards=cards, built=files is not None,
        count=len(cards), ok=sum(c.ok for c in cards),
    )


def _script_hashes(html: str) -> str:
    """CSP sources allowing the inline scripts of a generated page."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    digests = (base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii")
               for s in scripts)
    return " ".join(f"'sha256-{d}'" for d in digests)


def _roadbook_policy(html: str) -> str:
    cdn = "https://cdn.jsdelivr.net"
    tiles = " ".join(TILE_ORIGINS)
    return "; ".join((
        "default-src 'self'", f"script-src 'self' {_script_hashes(html)} {cdn}",
        f"style-src 'self' 'unsafe-inline' {cdn}", f"img-src 'self' data: {tiles} {cdn}",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ))


@bp.get("/circuits/<name>")
def circuit_file(name: str) -> BaseResponse:
    """A file of the catalogue (``<id>.html|gpx|geojson``), only for ids of its index."""
    if name in ("index.html", "index.json"):
        return redirect(with_query("loops.circuits_page", []))
    cid, _, ext = name.rpartition(".")
    files = load_catalogue_files(catalogue_dir())
    entry = files.entries.get(cid) if files is not None else None
    if files is None or entry is None or entry.get("status") != "ok" or ext not in FILE_TYPES:
        abort(404)
    try:
        data = (files.folder / str(entry["files"][ext])).read_bytes()
    except OSError:
        abort(404)
    response = Response(data, mimetype=FILE_TYPES[ext])
    if ext == "html":
        response.headers["Content-Security-Policy"] = _roadbook_policy(data.decode("utf-8"))
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="{cid}.{ext}"'
    return response


@bp.get("/circuits/leaflet/<name>")
def circuit_leaflet(name: str) -> BaseResponse:
    """Leaflet for the roadbooks (they link ``leaflet/leaflet.js`` next to them)."""
    from routing.loops.roadbook import LEAFLET_FILES

    if name not in LEAFLET_FILES:
        abort(404)
    return redirect(leaflet_url(name))


# -- OpenAPI ----------------------------------------------------------------------------------


def openapi_paths(config: Mapping[str, Any], errors: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI path items of ``/api/loop`` and ``/api/loop.gpx``."""
    from routing import AVOIDABLE

    place = {"type": "string", "minLength": 1, "maxLength": int(config.get("MAX_PLACE_LENGTH", 200))}

    def param(name: str, text: str, schema: dict[str, Any], *, repeat: bool = False,
              required: bool = False, example: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "in": "query", "required": required, "description": text,
                               "schema": {"type": "array", "items": schema} if repeat else schema}
        if repeat:
            out.update(style="form", explode=True)
        if example is not None:
            out["example"] = example
        return out

    params = [
        param("start", "Start and finish: a park-unit id, a POI id, a commune name or `lat,lon`.",
              place, required=True, example="louvre-lens"),
        param("distance", "Target length in km (give it or `duration`).",
              {"type": "number", "minimum": 0.5, "maximum": 200}, example=10),
        param("duration", "Target duration in minutes (give it or `distance`).",
              {"type": "number", "minimum": 5, "maximum": 1440}),
        param("profile", "Travel profile.", {"type": "string", "enum": ["walk", "bike", "family"],
                                             "default": "walk"}),
        param("through", f"Park or POI to pass through, in any order (at most {MAX_THROUGH}).",
              place, repeat=True),
        param("via_category", "Pass by one POI of this category.", {"type": "string"}),
        param("max_climb", "Total climb allowed (m).", {"type": "number", "minimum": 0, "maximum": 10000}),
        param("max_grade", "Steepest grade allowed (%).", {"type": "number", "minimum": 0.5, "maximum": 100}),
        param("avoid", "Kinds of way, `unpaved` or `planned` to avoid.",
              {"type": "string", "enum": list(AVOIDABLE)}, repeat=True),
        param("prefer", "Greenway preference strength.", {"type": "number", "minimum": 0, "maximum": 10}),
        param("variants", "How many different loops.",
              {"type": "integer", "minimum": 1, "maximum": int(config.get("MAX_LOOP_VARIANTS", MAX_VARIANTS))}),
        param("seed", "Seed of the tie-breaking draw (default 1): same seed, same loops.",
              {"type": "integer", "minimum": 0}),
    ]
    feature = {"type": "object", "required": ["type", "geometry", "properties"],
               "properties": {"type": {"const": "Feature"}, "geometry": {"type": "object"},
                              "properties": {"type": "object", "required": ["rank", "quality"]}}}
    collection = {"type": "object", "required": ["type", "features", "start", "request"],
                  "properties": {"type": {"const": "FeatureCollection"},
                                 "features": {"type": "array", "items": feature, "minItems": 1},
                                 "start": {"type": "object"}, "request": {"type": "object"},
                                 "overlap_floor": {"type": "number"}}}

    def operation(op_id: str, summary: str, content: dict[str, Any]) -> dict[str, Any]:
        return {"get": {"operationId": op_id, "summary": summary, "parameters": params,
                        "responses": {"200": {"description": summary, "content": content},
                                      **dict(errors)}}}

    return {
        "/api/loop": operation("loop", "Plan loops (GeoJSON, one feature per loop, best first; "
                               "`properties.quality` holds the length error and overlap share)",
                               {FILE_TYPES["geojson"]: {"schema": collection}}),
        "/api/loop.gpx": operation("loopGpx", "Plan loops (GPX 1.1, one track per loop)",
                                   {FILE_TYPES["gpx"]: {"schema": {"type": "string"}}}),
    }

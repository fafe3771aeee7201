"""The circuit catalogue on the web: ``GET /circuits`` and its files.

- ``GET /circuits``: the catalogue built by ``parcs circuits build`` (``CIRCUITS_DIR``, default
  ``data/circuits``): list, map, links to the printable roadbooks and the GPX/GeoJSON files.
- ``GET /circuits/<id>.<html|gpx|geojson|pdf>``: a file of the catalogue. The request's name is only a
  key looked up among the ids of the catalogue's ``index.json``; the path read is the one the index
  records for that id (validated when the index is loaded), so no path from a request reaches the
  filesystem.

A catalogue computed on another build of the network than the one served (``network.built_at``
of its index) is never shown as current: the page says to rebuild it and its files answer 409.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from markupsafe import escape
from werkzeug.wrappers import Response as BaseResponse

from parcs import paths
from webapp import maps
from webapp.i18n import Translator
from webapp.pages import base_map, page_state
from webapp.security import TILE_ORIGINS
from webapp.state import get_state
from webapp.urls import leaflet_url, with_query

logger = logging.getLogger(__name__)

bp = Blueprint("circuits", __name__)

#: Catalogue file kinds served, with their media types.
FILE_TYPES: Mapping[str, str] = {
    "html": "text/html",
    "gpx": "application/gpx+xml",
    "geojson": "application/geo+json",
    "pdf": "application/pdf",
}
#: Files every available circuit has (the PDF is optional: ``parcs circuits build --no-pdf``).
REQUIRED_FILES = ("html", "gpx", "geojson")
STALE = ("Le catalogue des circuits a été calculé sur une autre version du réseau que celle "
         "servie : ses chiffres ne sont plus à jour. Reconstruisez-le avec « parcs circuits build » "
         "(ou « make data »).")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
#: Vertices of a circuit drawn on the catalogue map.
LINE_POINTS = 200


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
    return (isinstance(files, Mapping) and all(files.get(k) == f"{entry['id']}.{k}" for k in REQUIRED_FILES)
            and files.get("pdf", f"{entry['id']}.pdf") == f"{entry['id']}.pdf")


def stale_response() -> BaseResponse:
    """409 for a file or figure of a stale catalogue (French JSON under /api, a page elsewhere)."""
    from webapp.errors import json_error, wants_json

    if wants_json():
        return json_error(409, "stale_catalogue", STALE)
    html = render_template("error.html", status=409, title_key="error.http", detail=STALE)
    return Response(html, status=409, mimetype="text/html")


def catalogue_status(files: CatalogueFiles | None) -> str:
    """``missing``; ``stale`` when the catalogue was computed on another build of the network than
    the one served (its ``network.built_at`` differs); else ``ok``."""
    if files is None:
        return "missing"
    network = get_state().network
    served = getattr(network, "meta", {}).get("built_at") if network is not None else None
    built = (files.doc.get("network") or {}).get("built_at")
    return "stale" if served and built != served else "ok"


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
        link = (url_for("circuits.circuit_file", name=f"{cid}.html"), t("circuits.roadbook"))
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
    pdf: bool = False
    rule: str = ""


def _cards(files: CatalogueFiles, t: Translator) -> list[CircuitCard]:
    out = []
    for cid, e in files.entries.items():
        ok = e.get("status") == "ok"
        figures = ""
        if ok:
            figures = (f"{t.distance(float(e['distance_m']))} · {t.duration(float(e['duration_s']))} · "
                       f"+{t.number(float(e['climb_m']))}\u00a0m")
        out.append(CircuitCard(cid, ok, str(e.get("title", cid)), t(f"kind.{e.get('kind')}"),
                               str(e.get("description", "")), figures, str(e.get("reason", "")),
                               pdf=ok and "pdf" in (e.get("files") or {}), rule=str(e.get("rule", ""))))
    return out


@bp.get("/circuits")
def circuits_page() -> str:
    """The catalogue: a map of every circuit and the list with links to their files (nothing of
    a catalogue computed on another build of the network: a message says to rebuild it)."""
    _network, catalog, t = page_state()
    files = load_catalogue_files(catalogue_dir())
    stale = catalogue_status(files) == "stale"
    if stale:
        files = None
    fmap = base_map(catalog, t)
    if files is not None:
        maps.add_layer(fmap, maps.collection(_circuit_features(files, t)), t("circuits.title"))
    cards = _cards(files, t) if files is not None else []
    # circuits chosen by the tourism offices (webapp/editors/public.py)
    from webapp.editors.public import office_cards

    return render_template(
        "circuits.html", rmap=maps.render(fmap), cards=cards, built=files is not None,
        count=len(cards), ok=sum(c.ok for c in cards), stale=stale,
        catalogue_pdf=bool(files is not None and files.doc.get("catalogue_pdf")),
        report=list(files.doc.get("report", [])) if files is not None else [],
        office=office_cards(t),
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
    """A file of the catalogue (``<id>.html|gpx|geojson|pdf``), only for ids of its index."""
    if name in ("index.html", "index.json"):
        return redirect(with_query("circuits.circuits_page", []))
    cid, _, ext = name.rpartition(".")
    files = load_catalogue_files(catalogue_dir())
    entry = files.entries.get(cid) if files is not None else None
    if (files is None or entry is None or entry.get("status") != "ok" or ext not in FILE_TYPES
            or ext not in entry.get("files", {})):
        abort(404, description=f"circuit inconnu : {cid[:80]!r}")
    if catalogue_status(files) == "stale":
        return stale_response()
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

"""Static assets served from memory: the app's own CSS/JS and a local copy of Leaflet.

Every asset is read once at start-up into an :class:`AssetStore` keyed by its public name; a request
only looks its name up in that mapping, so no path from a request ever reaches the filesystem.

Leaflet comes from the ``django-js-lib-leaflet`` wheel (a plain repackaging of Leaflet's ``dist/``
folder, BSD-2-Clause, importable as ``js_lib_leaflet`` without Django). Serving it locally keeps the
map working without third-party CDNs (privacy, offline demos, tests); when the package is missing
the map falls back to Leaflet on a public CDN.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.wrappers import Response as BaseResponse

logger = logging.getLogger(__name__)

#: The app's own static folder.
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Leaflet files taken from the ``js_lib_leaflet`` package (relative to its static folder).
LEAFLET_FILES: tuple[str, ...] = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)
LEAFLET_PREFIX = "vendor/leaflet/"
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/"
_SUFFIXES = (".css", ".js", ".png", ".svg", ".ico", ".txt", ".webp")


@dataclass(frozen=True)
class Asset:
    """One static file held in memory."""

    content: bytes
    mimetype: str  # the full Content-Type, charset included for text
    etag: str


@dataclass(frozen=True)
class AssetStore:
    """Every static file the app serves, by public name (e.g. ``'style.css'``)."""

    assets: Mapping[str, Asset]
    leaflet_local: bool

    def get(self, name: str) -> Asset | None:
        """The asset called ``name``, or ``None``."""
        return self.assets.get(name)


def _asset(path: Path) -> Asset:
    content = path.read_bytes()
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype.endswith("javascript"):
        mimetype += "; charset=utf-8"
    return Asset(content, mimetype, hashlib.sha256(content).hexdigest()[:16])


def _leaflet_dir() -> Path | None:
    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static" / "js_lib_leaflet"
    return folder if (folder / "leaflet.js").is_file() else None


def load_assets(static_dir: Path = STATIC_DIR) -> AssetStore:
    """Read the app's static files and Leaflet's into memory.

    Parameters
    ----------
    static_dir
        The folder of the app's own files (sub-folders included; only known suffixes).
    """
    assets: dict[str, Asset] = {}
    if static_dir.is_dir():
        for path in sorted(static_dir.rglob("*")):
            if path.is_file() and path.suffix in _SUFFIXES:
                assets[path.relative_to(static_dir).as_posix()] = _asset(path)
    leaflet = _leaflet_dir()
    if leaflet is not None:
        for name in LEAFLET_FILES:
            if (leaflet / name).is_file():
                assets[LEAFLET_PREFIX + name] = _asset(leaflet / name)
    else:
        logger.warning("js_lib_leaflet is not installed: the map loads Leaflet from %s", LEAFLET_CDN)
    return AssetStore(MappingProxyType(assets), leaflet_local=leaflet is not None)


def get_store() -> AssetStore:
    """The asset store of the current app."""
    store: AssetStore = current_app.extensions["parcs_assets"]
    return store


bp = Blueprint("assets", __name__)


@bp.route("/static/<path:name>")
def asset(name: str) -> BaseResponse:
    """Serve one in-memory asset (404 for any name not in the store).

    The Content-Type is set whole (``mimetype=`` would append a second charset), and the ``Date``
    header that :meth:`~werkzeug.wrappers.Response.make_conditional` adds is dropped: the server
    (gunicorn, werkzeug) always sends its own, and two ``Date`` headers are invalid.
    """
    item = get_store().get(name)
    if item is None:
        abort(404)
    response = Response(item.content, content_type=item.mimetype)
    response.set_etag(item.etag)
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["ASSET_MAX_AGE"])
    conditional = response.make_conditional(request)
    conditional.headers.pop("Date", None)
    return conditional

"""Light helpers on a build folder's files, importable without geopandas (the routing core uses them).

:func:`damaged` makes the error of a damaged file (French, with the way to rebuild);
:func:`read_meta` reads ``meta.json`` and checks it is a JSON object.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parcs._errors import DamagedBuildError

META_FILE = "meta.json"
#: How a damaged build is repaired (said in every message).
REBUILD_HINT = "reconstruisez-le avec `parcs build` (ou `make data`)"


def damaged(path: Path, reason: str) -> DamagedBuildError:
    """The error of a damaged build file.

    >>> str(damaged(Path("b/meta.json"), "vide"))
    'le réseau construit est endommagé (b/meta.json : vide) ; reconstruisez-le avec `parcs build` (ou `make data`)'
    """
    return DamagedBuildError(f"le réseau construit est endommagé ({path} : {reason}) ; {REBUILD_HINT}")


def read_meta(directory: Path) -> dict[str, Any]:
    """The ``meta.json`` of a build folder, checked to be a JSON object.

    Raises
    ------
    DamagedBuildError
        The file is unreadable, truncated, empty or not a JSON object.
    """
    path = directory / META_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise damaged(path, f"illisible, {type(exc).__name__}") from exc
    if not isinstance(doc, dict):
        raise damaged(path, f"un objet JSON est attendu, pas {type(doc).__name__}")
    return doc

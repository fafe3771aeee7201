"""Where things live on disk: the repository's data folder, the source mirror, the build folder.

Functions, not module-level globals, so that tests and callers can pass their own folders and the
environment is read when it is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder that holds ``parcs/`` and ``data/``).
REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The ``data/`` folder of the repository (manifest, park registry, sources, builds).

    ``PARCS_DATA_DIR`` overrides it.
    """
    override = os.environ.get("PARCS_DATA_DIR")
    return Path(override) if override else REPO_ROOT / "data"


def sources_dir() -> Path:
    """Where fetched source files are kept (``data/sources/``, gitignored)."""
    return data_dir() / "sources"


def build_dir(source: str = "opendata") -> Path:
    """Where the built network of a source is written (``data/build/<source>/``)."""
    override = os.environ.get("PARCS_BUILD_DIR")
    return Path(override) if override else data_dir() / "build" / source


def mirror_dir() -> Path | None:
    """The local mirror of the source files, or ``None`` when there is none.

    ``PARCS_MIRROR`` when set (an empty value disables the mirror); otherwise ``../shared/data``
    beside the repository when that folder exists.
    """
    env = os.environ.get("PARCS_MIRROR")
    if env is not None:
        return Path(env) if env.strip() else None
    default = REPO_ROOT.parent / "shared" / "data"
    return default if default.is_dir() else None

"""Output paths given on the command line: checked before any work, written atomically.

Every output of the ``parcs`` command (``route --gpx/--geojson``, ``loop --gpx/--geojson``,
``circuits build --out``, ``gaps --geojson/--gpkg/--csv/--units-csv/--html``) goes through
:func:`check_output` before the computation starts and is written under :func:`output_errors`, so
a bad path (a folder, ``/proc/x.gpx``, a missing parent folder, a read-only place) is one French
line and exit code 2, and nothing but the file asked for is ever created: missing folders are
*not* created.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from parcs._errors import OutputPathError
from parcs.atomic import write_text_atomic

__all__ = ["check_output", "output_errors", "write_output"]


def _probe(folder: Path, shown: Path) -> None:
    """Create and remove a temporary file in ``folder``: the only sure test of writability."""
    try:
        fd, name = tempfile.mkstemp(prefix=".parcs-probe.", dir=folder)
    except OSError as exc:
        raise OutputPathError(
            f"{shown} : impossible d'écrire dans le dossier {folder} ({exc.strerror or exc})"
        ) from None
    os.close(fd)
    os.unlink(name)


def check_output(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """Check that ``path`` can be written (a file, or a folder when ``folder``) and return it.

    Parameters
    ----------
    path
        Where the user asked for the output.
    folder
        The output is a folder (replaced as a whole, see :func:`parcs.atomic.atomic_dir`).

    Raises
    ------
    OutputPathError
        ``path`` is a folder (for a file) or not a folder (for a folder), is not a regular file,
        its parent folder does not exist, or nothing can be written there.
    """
    path = Path(path)
    if str(path).strip() == "":
        raise OutputPathError("chemin de sortie vide")
    if folder:
        if path.exists() and not path.is_dir():
            raise OutputPathError(f"{path} : ce n'est pas un dossier")
    elif path.is_dir():
        raise OutputPathError(f"{path} : c'est un dossier ; donnez un nom de fichier")
    elif path.exists() and not path.is_file():
        raise OutputPathError(f"{path} : ce n'est pas un fichier ordinaire")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise OutputPathError(f"{path} : le dossier {parent} n'existe pas (créez-le d'abord)")
    _probe(parent, path)
    return path


@contextlib.contextmanager
def output_errors(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn an ``OSError`` raised while writing ``path`` into one :class:`OutputPathError`."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, OutputPathError):
            raise
        raise OutputPathError(f"{path} : écriture impossible ({exc.strerror or exc})") from exc


def write_output(path: str | os.PathLike[str], text: str) -> Path:
    """Check ``path`` and write UTF-8 ``text`` to it atomically; returns the path."""
    target = check_output(path)
    with output_errors(target):
        write_text_atomic(target, text)
    return target

"""Write a built network and the routing core's compiled arrays as one build folder, atomically.

The territory layer (:mod:`parcs`) builds a :class:`parcs.artifact.Network`; this module adds the
arrays :func:`routing.compiled.compile_network` makes of it and writes both with
:func:`parcs.artifact.save_network`, so a reader never sees one without the other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parcs.artifact import Network, save_array_network, save_network
from routing.arrays import compile_arrays
from routing.compiled import compile_network, save_compiled

__all__ = ["write_array_build", "write_build"]

logger = logging.getLogger(__name__)


def _compile_into(net: Network) -> Callable[[Path], None]:
    """The step that writes the routing core's arrays into the build folder."""
    def write(tmpdir: Path) -> None:
        save_compiled(compile_network(net), tmpdir)

    return write


def write_build(net: Network, directory: Path | None = None, *, wait: bool = True,
                locked: bool = False) -> Path:
    """Write a network and its compiled arrays atomically; returns the folder.

    The folder becomes a link to a new version (:func:`parcs.atomic.atomic_dir`); ``wait`` and
    ``locked`` say what to do about another build of the same folder (see
    :func:`parcs.artifact.save_network`).
    """
    t0 = time.perf_counter()
    out = save_network(net, directory, extra=_compile_into(net), wait=wait, locked=locked)
    logger.info("build written in %.1f s", time.perf_counter() - t0)
    return out


def write_array_build(net: Any, directory: Path | None = None, *, wait: bool = True,
                      locked: bool = False) -> Path:
    """Write a regional build held as arrays (:class:`parcs.osm.streamed.ArrayNetwork`) and its
    compiled arrays atomically (no pickled graph: ``network.gpkg``); returns the folder.

    ``wait`` and ``locked`` are those of :func:`write_build`.
    """
    t0 = time.perf_counter()

    def write(tmpdir: Path) -> None:
        save_compiled(compile_arrays(net), tmpdir)

    out = save_array_network(net, directory, extra=write, wait=wait, locked=locked)
    logger.info("build written in %.1f s", time.perf_counter() - t0)
    return out

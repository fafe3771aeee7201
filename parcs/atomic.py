"""Write-then-rename helpers: no reader ever sees a half-written file or folder.

Files (:func:`atomic_path`) are written beside their target and renamed onto it. Folders
(:func:`atomic_dir`) are published as *versions*: the new content is written in a temporary
folder ``.<name>.<random>``, renamed to ``<name>.<stamp>``, and ``<name>`` itself is a symbolic
link to the current version, replaced by one atomic ``rename`` of a temporary link. A reader that
opens ``<name>/file`` therefore always finds a complete version, old or new, never a missing or
half-written one; a reader that must read several files of one version resolves the link once
(:func:`resolve_dir`).

Writers of one folder are serialised by an exclusive lock (:func:`lock_dir`, ``fcntl.flock`` on
``.<name>.lock`` beside it). Under the lock a writer removes what killed writers left behind
(temporary folders and links) and the versions older than the current and the previous one
(after a grace period, so that a slow reader of the previous-but-one version can finish).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import itertools
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from parcs._errors import BuildBusyError

logger = logging.getLogger(__name__)

#: Versions older than the previous one are removed this long after they were replaced (s).
GRACE_SECONDS = 30.0
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_STAMP_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z$")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` if the block succeeds.

    On any exception the temporary file is removed and ``target`` is left untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; published files are world-readable
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` through a temporary file and a rename."""
    write_bytes_atomic(target, text.encode("utf-8"))


def _lock_file(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def lock_dir(target: str | os.PathLike[str], *, wait: bool = True) -> Iterator[Path]:
    """Hold the exclusive lock of the folder ``target`` (a file ``.<name>.lock`` beside it).

    Parameters
    ----------
    target
        The published folder (its parent is created when missing).
    wait
        Wait for another writer to finish (default); otherwise raise at once.

    Raises
    ------
    BuildBusyError
        ``wait`` is false and another process holds the lock.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_file(target)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BuildBusyError(
                f"une autre construction de {target} est en cours ; "
                "attendez qu'elle se termine puis relancez la commande"
            ) from None
        yield lock
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _versions(target: Path) -> list[Path]:
    """The versions of ``target`` (``<name>.<stamp>`` folders), oldest first."""
    prefix = f"{target.name}."
    found = [p for p in target.parent.iterdir()
             if p.name.startswith(prefix) and _STAMP_RE.match(p.name[len(prefix):])]
    return sorted(found, key=lambda p: p.name)


def _stamp_time(version: Path) -> dt.datetime:
    stamp = ".".join(version.name.rsplit(".", 2)[-2:])
    return dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=dt.UTC)


def _new_version(target: Path) -> Path:
    now = dt.datetime.now(dt.UTC)
    while True:
        version = target.with_name(f"{target.name}.{now.strftime(_STAMP)}")
        if not os.path.lexists(version):
            return version
        now += dt.timedelta(microseconds=1)


def clean_dir(target: str | os.PathLike[str], *, grace: float = GRACE_SECONDS) -> list[Path]:
    """Remove what writers of ``target`` left: temporary folders and links, old versions.

    Call it with the lock held (:func:`lock_dir`). Kept: the version ``target`` points to and the
    one before it; older versions go once their successor is ``grace`` seconds old.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    target = Path(target)
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    lock = _lock_file(target).name
    for entry in target.parent.iterdir():
        if entry.name.startswith(f".{target.name}.") and entry.name != lock:
            _remove(entry)
            removed.append(entry)
    versions = _versions(target)
    current = target.resolve() if target.is_symlink() else None
    last = versions.index(current) if current in versions else len(versions) - 1
    for never_published in versions[last + 1:]:  # a writer killed between its two renames
        _remove(never_published)
        removed.append(never_published)
    now = dt.datetime.now(dt.UTC)
    for older, successor in itertools.pairwise(versions[:max(last, 0)]):
        if (now - _stamp_time(successor)).total_seconds() >= grace:
            _remove(older)
            removed.append(older)
    if removed:
        logger.info("removed %d leftovers of %s", len(removed), target)
    return removed


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _swap_link(target: Path, version: Path) -> None:
    """Point ``target`` at ``version`` with one atomic rename of a temporary link."""
    if target.exists() and not target.is_symlink():  # a folder of the older layout: one-off move
        before = _stamp_time(version) - dt.timedelta(microseconds=1)
        os.replace(target, target.with_name(f"{target.name}.{before.strftime(_STAMP)}"))
    link = target.with_name(f".{target.name}.link.{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)
    os.replace(link, target)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str], *, wait: bool = True, locked: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; publish it as the new version of ``target`` on success.

    Parameters
    ----------
    target
        The published folder: a symbolic link to its current version (see the module docstring).
    wait
        When another writer holds the lock: wait (default) or raise :class:`BuildBusyError`.
    locked
        The caller already holds :func:`lock_dir` of ``target`` (no second lock is taken).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_dir(d / "out") as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (d / "out" / "a.txt").read_text(), (d / "out").is_symlink()
    ('done', True)
    """
    target = Path(target)
    with contextlib.ExitStack() as stack:
        if not locked:
            stack.enter_context(lock_dir(target, wait=wait))
        clean_dir(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        os.chmod(tmp, 0o755)  # mkdtemp creates 0700
        try:
            yield tmp
            version = _new_version(target)
            os.rename(tmp, version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_link(target, version)
        clean_dir(target)


def resolve_dir(directory: str | os.PathLike[str]) -> Path:
    """The folder a published ``directory`` points to now (itself when it is not a link).

    Read every file of one build through the returned path, so that a swap in between cannot mix
    two versions.
    """
    directory = Path(directory)
    try:
        return directory.resolve(strict=True) if directory.is_symlink() else directory
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP):
            return directory
        raise

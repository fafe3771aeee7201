"""The source manifest and the fetch step: mirror or pinned URL, always checked by sha256.

The manifest (``data/sources.toml``) lists every file the build reads with its public URL, sha256,
licence and attribution. :func:`fetch` brings each into ``data/sources/``: copied from the local
mirror when there is one, downloaded otherwise, verified either way, written atomically. A file
already present with the right checksum is not fetched again.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from parcs import paths
from parcs._errors import ChecksumError, DataError, SourceError
from parcs.atomic import atomic_path

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16


@dataclass(frozen=True)
class SourceFile:
    """One entry of the manifest."""

    path: str
    url: str
    sha256: str
    bytes: int
    licence: str
    attribution: str
    unwrap: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did for one file: ``"present"``, ``"mirror"`` or ``"download"``."""

    path: Path
    how: str


def load_manifest(path: str | Path | None = None) -> list[SourceFile]:
    """Read the manifest and return its entries.

    Raises
    ------
    DataError
        When the manifest is missing, not TOML, or an entry lacks a field.
    """
    path = Path(path) if path else paths.data_dir() / "sources.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"source manifest not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"source manifest {path} is not valid TOML: {exc}") from exc
    entries = []
    for i, item in enumerate(raw.get("file", [])):
        try:
            entries.append(SourceFile(**item))
        except TypeError as exc:
            raise DataError(f"source manifest {path}, entry {i + 1}: {exc}") from exc
    if not entries:
        raise DataError(f"source manifest {path} lists no [[file]]")
    return entries


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def unwrap_js(data: bytes) -> bytes:
    """Keep the bytes from the first ``{`` to the last ``}`` (GeoJSON published as ``var x = {...};``).

    >>> unwrap_js(b'var layer = {"type": "FeatureCollection"};')
    b'{"type": "FeatureCollection"}'
    """
    start, end = data.find(b"{"), data.rfind(b"}")
    if start < 0 or end < start:
        raise DataError("published file holds no JSON object to unwrap")
    return data[start : end + 1]


def _download(entry: SourceFile, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(entry.url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            chunks = []
            with tqdm(total=total, unit="B", unit_scale=True, desc=entry.path, leave=False) as bar:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    chunks.append(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SourceError(
            f"{entry.path}: not in the mirror and the download from {entry.url} failed ({exc}); "
            "set PARCS_MIRROR to a folder holding the source files, or connect to the internet"
        ) from exc
    data = b"".join(chunks)
    return unwrap_js(data) if entry.unwrap == "js" else data


def _check(entry: SourceFile, path: Path, origin: str) -> None:
    got = sha256_of(path)
    if got != entry.sha256:
        raise ChecksumError(
            f"{entry.path}: sha256 mismatch from {origin} (expected {entry.sha256[:12]}…, "
            f"got {got[:12]}…); the file is corrupt or not the pinned version — replace it"
        )


def fetch_one(
    entry: SourceFile,
    *,
    dest_dir: Path,
    mirror: Path | None,
    allow_download: bool = True,
    timeout: float = 60.0,
) -> FetchResult:
    """Bring one manifest file into ``dest_dir``; see :func:`fetch`."""
    target = dest_dir / entry.path
    if target.is_file() and sha256_of(target) == entry.sha256:
        return FetchResult(target, "present")
    src = mirror / entry.path if mirror else None
    with atomic_path(target) as tmp:
        if src is not None and src.is_file():
            try:
                shutil.copyfile(src, tmp)
            except OSError as exc:
                raise SourceError(f"{entry.path}: cannot read it from the mirror {src}: {exc}") from exc
            _check(entry, tmp, f"the mirror {src}")
            how = "mirror"
        elif allow_download:
            tmp.write_bytes(_download(entry, timeout))
            _check(entry, tmp, entry.url)
            how = "download"
        else:
            where = f"the mirror {mirror}" if mirror else "no mirror (PARCS_MIRROR unset)"
            raise SourceError(f"{entry.path}: missing from {where} and downloads are disabled")
    logger.info("fetched %s from %s", entry.path, how)
    return FetchResult(target, how)


def fetch(
    entries: Iterable[SourceFile] | None = None,
    *,
    dest_dir: Path | None = None,
    mirror: Path | str | None = "default",
    allow_download: bool = True,
    progress: bool = True,
) -> list[FetchResult]:
    """Fetch every manifest file into ``dest_dir`` (default ``data/sources/``).

    Parameters
    ----------
    entries
        Manifest entries; default the whole manifest.
    dest_dir
        Destination folder.
    mirror
        Local mirror folder; ``"default"`` resolves ``PARCS_MIRROR`` / ``../shared/data``.
    allow_download
        Whether files absent from the mirror may be downloaded from their URL.
    progress
        Show a progress bar over the files.

    Raises
    ------
    SourceError, ChecksumError
        Naming the file and what to do.
    """
    entries = list(entries) if entries is not None else load_manifest()
    dest_dir = dest_dir or paths.sources_dir()
    mirror_path = paths.mirror_dir() if mirror == "default" else (Path(mirror) if mirror else None)
    results = []
    for entry in tqdm(entries, desc="sources", unit="file", disable=not progress, leave=False):
        results.append(
            fetch_one(entry, dest_dir=dest_dir, mirror=mirror_path, allow_download=allow_download)
        )
    return results


def source_path(relpath: str, *, sources: Path | None = None) -> Path:
    """The path of a fetched source file, or a :class:`SourceError` saying to run ``parcs fetch``."""
    path = (sources or paths.sources_dir()) / relpath
    if not path.is_file():
        raise SourceError(f"{relpath}: not fetched yet in {path.parent}; run `parcs fetch` first")
    return path

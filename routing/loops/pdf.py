"""PDF roadbooks: HTML rendered by WeasyPrint, offline.

WeasyPrint lays out HTML and CSS for print (``@page`` size and margins, page counters, a table of
contents with ``target-counter``) and draws inline SVG, so the roadbook's own HTML is the PDF's
source: what is printed from a browser and what is downloaded are the same document. No network
is used: the URL fetcher serves only ``data:`` URLs and files under the folder given, and every
other URL (a CDN stylesheet, map tiles) is refused, so the result never depends on the internet.

WeasyPrint needs Pango (Debian ``libpango-1.0-0``); without it :func:`html_to_pdf` raises
:class:`PdfUnavailableError` with a French message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parcs._errors import ParcsError

__all__ = ["PdfUnavailableError", "html_to_pdf"]


class PdfUnavailableError(ParcsError):
    """The PDF engine cannot run on this machine."""


def _fetcher(root: Path | None) -> Any:
    """A WeasyPrint URL fetcher for ``data:`` URLs and files under ``root`` only."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://") and root is not None:
                path = Path(url[len("file://"):].split("?")[0]).resolve()
                if not (path.is_relative_to(root.resolve()) and path.is_file()):
                    raise ValueError(f"fichier refusé : {path.name}")
            elif not url.startswith("data:"):
                raise ValueError(f"URL refusée hors ligne : {url[:80]}")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"data", "file"}, fail_on_errors=False)


def html_to_pdf(html: str, *, base: Path | None = None) -> bytes:
    """The PDF of an HTML document (A4 by its own ``@page`` rules).

    Parameters
    ----------
    html
        The document.
    base
        Folder that relative URLs resolve against; only files inside it may be read.

    Raises
    ------
    PdfUnavailableError
        WeasyPrint or its system libraries are missing.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailableError(
            f"génération PDF indisponible : WeasyPrint ou Pango manquant ({exc.__class__.__name__})"
        ) from exc
    doc = weasyprint.HTML(string=html, base_url=str(base) + "/" if base else None,
                          url_fetcher=_fetcher(base))
    data: bytes = doc.write_pdf()
    return data

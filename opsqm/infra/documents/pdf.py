"""HTML → PDF with WeasyPrint, offline.

Why WeasyPrint: it lays out a Django template with print CSS (A4 pages, page
numbers, tables that split across pages with repeated headers), and it embeds
the fonts it uses as subsets — including the CFF-outline Noto Serif/Sans CJK of
Debian's fonts-noto-cjk, which reportlab cannot embed.  It needs Pango from
Debian (libpango-1.0-0, libpangoft2-1.0-0).

No network: the URL fetcher answers `data:` URLs and the project's static files
(found by the staticfiles finders, so no collectstatic is needed), and refuses
everything else — http(s), ftp, file — so a template, or text that slipped into
one, cannot make the server fetch a URL or read a file.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

from opsqm.infra.documents.fontsubset import compact_cid_fonts

logger = logging.getLogger(__name__)

# The base URL documents are rendered against: relative and /static/ links
# resolve under it, and only it (plus data:) is served.
BASE_URL = "https://opsqm.infra.documents.invalid/"
PDF_CONTENT_TYPE = "application/pdf"


class RefusedURL(ValueError):
    """A document asked for a resource outside the static files."""


def _static_path(url: str) -> Path | None:
    """The file of a static URL under BASE_URL, or None."""
    from django.contrib.staticfiles import finders

    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    static_url = settings.STATIC_URL or "/static/"
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    if not parts.path.startswith(static_url):
        return None
    relative = unquote(parts.path[len(static_url) :])
    if not relative or ".." in Path(relative).parts or relative.startswith("/"):
        return None
    found = finders.find(relative)
    if found:
        return Path(found if isinstance(found, str) else found[0])
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def static_fetcher() -> Any:
    """WeasyPrint's URL fetcher for every document OpsQM prints: data: URLs and the
    app's static files only (no network, no file system)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """data: URLs and static files; everything else is refused."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                logger.warning("document asked for %s: refused (static files only)", url[:200])
                raise RefusedURL(f"refused: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher(allowed_protocols=("data", "https"), allow_redirects=False)


_local = threading.local()


def font_config() -> Any:
    """The thread's WeasyPrint font configuration, made once: the fonts Pango has
    opened stay open from one document to the next instead of being found and loaded
    again for every request."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def html_document(html: str) -> Any:
    """A laid-out WeasyPrint document of an HTML string (static files only, no network)."""
    from weasyprint import HTML

    source = HTML(string=html, base_url=BASE_URL, url_fetcher=static_fetcher())
    return source.render(font_config=font_config())


def write(document: Any) -> bytes:
    """PDF bytes of a laid-out document, its CJK fonts without empty glyphs."""
    pdf: bytes = document.write_pdf(finisher=compact_cid_fonts)
    return pdf


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document (A4 unless its CSS says otherwise)."""
    return write(html_document(html))


def render_pdf(template_name: str, context: Mapping[str, Any] | None = None) -> bytes:
    """Render a Django template (usually extending `documents/base_print.html`) to PDF."""
    html = render_to_string(template_name, dict(context or {}))
    return html_to_pdf(html)

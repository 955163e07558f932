"""PDF from the report's HTML, with WeasyPrint (tagged, PDF/UA-1).

The PDF is the same document as the HTML: the print rules of the stylesheet give it
A4 pages, running headers, page numbers, a table of contents with page references, and
table headers repeated on every page a table runs onto. The PDF/UA-1 variant tags the
structure (headings, tables, lists) and records the document title and language.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PDF_VARIANT = "pdf/ua-1"

#: The process's font configuration (fontconfig and the Pango font map, with its cache of
#: loaded fonts), made on the first PDF and kept for every later one: WeasyPrint would make
#: a new one per document. Keyed by process: a forked renderer makes its own.
_FONTS: dict[int, Any] = {}


def _font_config() -> Any:  # noqa: ANN401 - weasyprint.text.fonts.FontConfiguration
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - heavy import

    pid = os.getpid()
    if pid not in _FONTS:
        _FONTS.clear()
        _FONTS[pid] = FontConfiguration()
    return _FONTS[pid]


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """Render an HTML report to PDF.

    Args:
        html: The complete HTML document (styles inline).
        base_url: Folder that relative links in the HTML are resolved against.

    Returns:
        The PDF file content.
    """
    from weasyprint import HTML  # heavy import (Pango, fonts): only when a PDF is wanted

    document = HTML(string=html, base_url=str(base_url))
    return document.write_pdf(pdf_variant=PDF_VARIANT, font_config=_font_config())

"""PDF from the report's HTML, with WeasyPrint (tagged, PDF/UA-1).

The PDF is the same document as the HTML: the print rules of the stylesheet give it
A4 pages, running headers, page numbers, a table of contents with page references, and
table headers repeated on every page a table runs onto. The PDF/UA-1 variant tags the
structure (headings, tables, lists) and records the document title and language.
"""

from __future__ import annotations

from pathlib import Path

PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """Render an HTML report to PDF.

    Args:
        html: The complete HTML document (styles inline).
        base_url: Folder that relative links in the HTML are resolved against.

    Returns:
        The PDF file content.
    """
    from weasyprint import HTML  # heavy import (Pango, fonts): only when a PDF is wanted

    return HTML(string=html, base_url=str(base_url)).write_pdf(pdf_variant=PDF_VARIANT)

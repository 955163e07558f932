"""The PDF reports: tagged, titled, several pages, and no table cut from its header."""

from __future__ import annotations

import re
import subprocess
import zlib
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from report_support import GENERATED_ON, parse_tables, require_binary, with_long_tables

from oneitu_etl.report import render_html_report
from oneitu_etl.report.pdf import html_to_pdf


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (``pdftotext -layout``), white space collapsed."""
    pdftotext = require_binary("pdftotext")
    count = page_count(pdf)
    texts = []
    for page in range(1, count + 1):
        out = subprocess.run(
            [pdftotext, "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        texts.append(" ".join(out.replace("\u00a0", " ").split()))
    return texts


def page_count(pdf: Path) -> int:
    """Number of pages, as ``pdftoppm`` renders them (one PNG per page)."""
    pdftoppm = require_binary("pdftoppm")
    target = pdf.parent / f"{pdf.stem}-pages"
    target.mkdir(exist_ok=True)
    subprocess.run([pdftoppm, "-r", "20", "-png", str(pdf), str(target / "p")], check=True)
    return len(list(target.glob("p-*.png")))


def decompressed(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated, to look for catalogue entries."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)


@pytest.mark.parametrize(
    "lang, title",
    [
        ("en", "Strategic Plan implementation report 2024"),
        ("fr", "Rapport sur la mise en œuvre du Plan stratégique 2024"),
    ],
)
def test_pdf_is_tagged_with_title_and_language(
    rendered: dict[str, Path], lang: str, title: str
) -> None:
    pdf = rendered[f"strategic_plan_report_2024_{lang}.pdf"]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    info = subprocess.run(
        [require_binary("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(title)}$", info, re.M)
    assert f"/Lang ({lang})".encode() in decompressed(data)
    assert b'pdfuaid:part="1"' in decompressed(data)
    assert page_count(pdf) > 10


def test_pdf_pages_show_the_report(rendered: dict[str, Path]) -> None:
    pages = page_texts(rendered["strategic_plan_report_2024_en.pdf"])
    assert "Strategic Plan implementation report 2024" in pages[0]
    assert "Contents" in pages[1] and "Annex C Methodology" in pages[1]
    assert any("Table 6.2 Budget execution by unit (CHF)" in text for text in pages)
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages[1:], start=2))


def table_markers(html: str) -> dict[str, tuple[list[str], list[str]]]:
    """For each table: its header words, and cell texts found nowhere else in the page."""
    tables = parse_tables(html)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ").split())
    markers = {}
    for key, table in tables.items():
        words = sorted(
            {w for header in table["head"][0] for w in re.findall(r"[A-Za-z]{4,}", header)}
        )
        cells = {
            cell for row in table["body"] if len(row) > 1 for cell in row if 6 <= len(cell) < 40
        }
        unique = sorted(cell for cell in cells if text.count(cell) == 1)
        markers[key] = (words, unique)
    return markers


def test_no_table_runs_onto_a_page_without_its_header(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    html = render_html_report(with_long_tables(report), "en", generated_on=GENERATED_ON)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(html_to_pdf(html, tmp_path))
    pages = page_texts(pdf)
    markers = table_markers(html)
    quarantine_pages = [n for n, text in enumerate(pages) if "QROW-" in text]
    assert len(quarantine_pages) >= 2, "the test needs a table that runs over pages"
    checked = 0
    for key, (words, labels) in markers.items():
        for n, text in enumerate(pages):
            if any(label in text for label in labels):
                missing = [w for w in words if w not in text]
                assert not missing, f"page {n + 1} has rows of {key} but not its header {missing}"
                checked += 1
    assert checked >= len(quarantine_pages)


def test_the_pdf_lists_the_first_quarantined_rows_and_says_where_the_rest_are(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    longer = with_long_tables(report)
    html = render_html_report(longer, "en", generated_on=GENERATED_ON)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(html_to_pdf(html, tmp_path))
    text = " ".join(" ".join(page_texts(pdf)).split())
    count = len(longer["data_quality"]["quarantined"])
    shown = [i for i in range(1, 71) if f"QUARANTINED-{i:03d}" in text]
    assert len(shown) == 20 - (count - 70), "the PDF lists the first 20 quarantined rows"
    assert f"The first 20 of {count} quarantined rows" in text
    assert all(f"QUARANTINED-{i:03d}" in html for i in range(1, 71)), "the HTML lists all"


def test_the_pdf_is_made_from_a_print_copy_that_prints_the_same_pages(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    """The PDF's own HTML leaves out what the print stylesheet hides (the full long
    tables, which cost layout time) and takes the charts' SVG as images (which WeasyPrint
    draws alike, without styling each of their elements): printed, both copies give the
    very same text."""
    longer = with_long_tables(report)
    screen = render_html_report(longer, "en", generated_on=GENERATED_ON)
    printed = render_html_report(longer, "en", generated_on=GENERATED_ON, medium="print")
    assert 'class="screen-only"' in screen
    assert 'class="screen-only"' not in printed
    charts = screen.count('<figure class="chart"')
    assert charts >= 4
    assert screen.count("<svg") == charts
    assert "<svg" not in printed
    images = re.findall(
        r'<img class="chart-image" src="data:image/svg\+xml;base64,[^"]+" alt="', printed
    )
    assert len(images) == charts
    without_charts = (
        re.sub(r"<svg\b.*?</svg>", "", screen, flags=re.S),
        re.sub(r"<img [^>]*>", "", printed),
    )
    assert len(without_charts[1]) < len(without_charts[0])
    pages = {}
    for name, html in (("screen", screen), ("print", printed)):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(html_to_pdf(html, tmp_path))
        pages[name] = page_texts(pdf)
    assert pages["print"] == pages["screen"]
    with pytest.raises(ValueError, match="medium"):
        render_html_report(longer, "en", generated_on=GENERATED_ON, medium="paper")


def test_fonts_are_loaded_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One font configuration (fontconfig, Pango's font map and its loaded fonts) serves
    every PDF a process renders, whatever its language; WeasyPrint's default is one per
    document. The same HTML still gives the very same bytes."""
    from weasyprint.text import fonts  # noqa: PLC0415 - heavy import

    from oneitu_etl.report import pdf

    made = []

    class Counted(fonts.FontConfiguration):
        def __init__(self) -> None:
            made.append(self)
            super().__init__()

    monkeypatch.setattr(fonts, "FontConfiguration", Counted)
    monkeypatch.setattr(pdf, "_FONTS", {})
    pages = [
        f'<html lang="{code}"><body><p>{text}</p></body></html>'
        for code, text in (("en", "Report"), ("ar", "تقرير"), ("zh", "报告"), ("en", "Report"))
    ]
    rendered = [html_to_pdf(page, tmp_path) for page in pages]
    assert len(made) == 1
    assert rendered[0] == rendered[3]

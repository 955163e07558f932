"""The six official languages: each PDF in its script, tagged with its language, its fonts
embedded as subsets; Arabic right to left; the reference names in each language.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from report_support import ARTIFACTS, require_binary
from test_report_pdf import decompressed

from oneitu_etl.report.names import names_for
from oneitu_etl.settings import LANGUAGES, parse_languages

#: Letters of each script, as ``pdftotext`` gives them back.
SCRIPTS = {
    "ar": re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "ru": re.compile("[\u0400-\u04ff]"),
    "zh": re.compile("[\u4e00-\u9fff]"),
}


def pdf_text(pdf: Path) -> str:
    pdftotext = require_binary("pdftotext")
    return subprocess.run(
        [pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_each_pdf_holds_its_script(rendered: dict[str, Path], lang: str) -> None:
    text = pdf_text(rendered[f"strategic_plan_report_2024_{lang}.pdf"])
    assert len(SCRIPTS[lang].findall(text)) >= 300
    assert "\ufffd" not in text  # no glyph without its character (a box, .notdef)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_pdf_is_tagged_with_its_language_and_embeds_font_subsets(
    rendered: dict[str, Path], lang: str
) -> None:
    pdf = rendered[f"strategic_plan_report_2024_{lang}.pdf"]
    assert f"/Lang ({lang})".encode() in decompressed(pdf.read_bytes())
    pdffonts = require_binary("pdffonts")
    listing = subprocess.run(
        [pdffonts, str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert listing
    for line in listing:
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line
    if lang == "ar":
        assert any("Arabic" in line or "Amiri" in line for line in listing)
    if lang == "zh":
        assert any("CJK" in line for line in listing)


def test_pages_of_the_arabic_and_chinese_pdfs_are_kept_as_pictures(
    rendered: dict[str, Path],
) -> None:
    pdftoppm = require_binary("pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang in ("ar", "zh"):
        pdf = rendered[f"strategic_plan_report_2024_{lang}.pdf"]
        subprocess.run(
            [pdftoppm, "-r", "40", "-png", "-f", "1", "-l", "6", str(pdf), str(ARTIFACTS / lang)],
            check=True,
        )
        assert len(list(ARTIFACTS.glob(f"{lang}-*.png"))) >= 6


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reference_name_is_given_in_each_language(lang: str) -> None:
    names = names_for(lang, "SP2024-2027")
    english = names_for("en", "SP2024-2027")
    assert len(names.elements) == 16
    same = {"fr": {"Inclusion"}}.get(lang, set())  # the same word in both languages
    if lang != "en":  # a name left in English is a missing translation
        assert all(
            n.name != e.name or n.name in same
            for n, e in zip(names.elements, english.elements, strict=True)
        )
        assert all(names.unit(c) != english.unit(c) for c in english.org_units)
        assert all(names.line(c) != english.line(c) for c in english.lines)


def test_the_languages_option_reads_like_the_contract() -> None:
    assert parse_languages("fr,en") == ("en", "fr")
    assert parse_languages(" zh , ar ,zh") == ("ar", "zh")
    with pytest.raises(ValueError, match="'de' is not a language of the report"):
        parse_languages("en,de")
    with pytest.raises(ValueError, match="no language given"):
        parse_languages(",")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_workbook_per_language(rendered: dict[str, Path], lang: str) -> None:
    import openpyxl

    name = "annex_2024.xlsx" if lang == "en" else f"annex_2024_{lang}.xlsx"
    book = openpyxl.load_workbook(rendered[name])
    english = openpyxl.load_workbook(rendered["annex_2024.xlsx"])
    assert len(book.sheetnames) == len(english.sheetnames)
    assert book.properties.language == lang
    if lang != "en":
        assert book.sheetnames[0] != english.sheetnames[0]  # "About", translated
    assert all(bool(s.sheet_view.rightToLeft) == (lang == "ar") for s in book.worksheets)
    about = book.worksheets[0]
    links = [c.hyperlink.location for row in about.iter_rows() for c in row if c.hyperlink]
    assert links and all(link.split("!")[0].strip("'") in book.sheetnames for link in links)


def _images(pdf: Path) -> list[str]:
    """``pdfimages -list``'s rows: one per picture (and its transparency mask)."""
    pdfimages = require_binary("pdfimages")
    listing = subprocess.run(
        [pdfimages, "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    return [line for line in listing if line.split()[2] == "image"]


def test_the_arabic_pdf_draws_its_charts_as_print_images_with_their_alternative_text(
    rendered: dict[str, Path],
) -> None:
    """Outlined Arabic glyphs cost WeasyPrint a quarter of the PDF's time: the right-to-left
    PDF takes each chart as a 200 dpi picture, with the chart's description as ``/Alt``;
    the other languages keep vector charts with their text as text."""
    html = rendered["strategic_plan_report_2024_ar.html"].read_text(encoding="utf-8")
    charts = html.count('<figure class="chart"')
    assert charts >= 4
    images = _images(rendered["strategic_plan_report_2024_ar.pdf"])
    assert len(images) == charts
    assert all(int(line.split()[3]) == 1340 for line in images)  # 6.7 in at 200 dpi
    pdf = decompressed(rendered["strategic_plan_report_2024_ar.pdf"].read_bytes())
    assert len(re.findall(rb"/Alt [<(]", pdf)) >= charts  # UTF-16 hex, or literal
    # in English only the heat map's colour bar is a picture (matplotlib embeds it in the SVG)
    english = _images(rendered["strategic_plan_report_2024_en.pdf"])
    assert not [line for line in english if int(line.split()[3]) == 1340]

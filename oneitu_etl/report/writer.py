"""The one writer of the report: renders every output and saves it atomically.

For each language it builds the content (:mod:`.context`), draws the charts as SVG
(:mod:`.charts`), renders the HTML (:mod:`.html`) and the PDF (:mod:`.pdf`); then it
writes the annex workbook (:mod:`.workbook`). Every file is written with
:func:`oneitu_etl.fileio.atomic_write_bytes`, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from oneitu_etl.fileio import atomic_write_bytes
from oneitu_etl.report.charts import svg_markup
from oneitu_etl.report.context import build_context
from oneitu_etl.report.html import render_html
from oneitu_etl.report.i18n import Language, language
from oneitu_etl.report.names import names_for
from oneitu_etl.report.pdf import html_to_pdf
from oneitu_etl.report.workbook import build_workbook
from oneitu_etl.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

#: Templates (``templates/``) and message catalogues (``locale/``) of the report.
REPORTS_DIR = PROJECT_ROOT / "reports"


def html_name(year: int, lang: str) -> str:
    """File name of the HTML report (contract section 5)."""
    return f"strategic_plan_report_{year}_{lang}.html"


def pdf_name(year: int, lang: str) -> str:
    """File name of the PDF report (contract section 5)."""
    return f"strategic_plan_report_{year}_{lang}.pdf"


def workbook_name(year: int) -> str:
    """File name of the annex workbook (contract section 5)."""
    return f"annex_{year}.xlsx"


def _render_language(
    report: Mapping[str, Any], code: str, generated_on: dt.date, reports_dir: Path
) -> tuple[str, Language, dict[str, Any]]:
    lang = language(code, reports_dir / "locale", names_for(code, report.get("plan", "")))
    context = build_context(report, lang, generated_on)
    svgs = {
        key: svg_markup(spec.figure(), key, spec.title, spec.description)
        for key, spec in context["charts"].items()
    }
    return render_html(reports_dir / "templates", lang, context, svgs), lang, context


def render_html_report(
    report: Mapping[str, Any],
    lang_code: str,
    *,
    generated_on: dt.date,
    reports_dir: Path = REPORTS_DIR,
) -> str:
    """The HTML report in one language, as text (nothing is written).

    Args:
        report: ``report_<Y>.json`` as a dict.
        lang_code: ``en`` or ``fr``.
        generated_on: The date printed on the report.
        reports_dir: Folder with ``templates/`` and ``locale/``.

    Returns:
        The HTML document.
    """
    return _render_language(report, lang_code, generated_on, reports_dir)[0]


def render_report(
    report: Mapping[str, Any],
    out_dir: Path,
    *,
    generated_on: dt.date,
    languages: Iterable[str] = ("en", "fr"),
    pdf: bool = True,
    reports_dir: Path = REPORTS_DIR,
) -> list[Path]:
    """Render the published report of one year: HTML and PDF per language, and the workbook.

    Args:
        report: ``report_<Y>.json`` as a dict, with status ``published`` (a blocked year
            is not rendered).
        out_dir: The year's output folder (``<out>/<Y>/``); created if missing.
        generated_on: The one date the outputs carry.
        languages: Report languages, ``en`` and/or ``fr``; the workbook uses the first.
        pdf: Whether to produce the PDFs (the slowest part).
        reports_dir: Folder with ``templates/`` and ``locale/``.

    Returns:
        The paths written: HTML and PDF of each language in turn, then the workbook.

    Raises:
        ValueError: If the report is not published or a language is not supported.
    """
    if report.get("status") != "published":
        raise ValueError(
            f"only a published report is rendered, not status {report.get('status')!r}"
        )
    languages = list(languages)
    if not languages:
        raise ValueError("at least one report language is needed")
    out_dir = Path(out_dir)
    year = int(report["year"])
    # Everything is rendered before anything is written: a failure leaves the files of an
    # earlier run as they were, never a mix of old and new.
    outputs: list[tuple[Path, bytes]] = []
    first: tuple[Language, dict[str, Any]] | None = None
    for code in languages:
        html, lang, context = _render_language(report, code, generated_on, reports_dir)
        first = first or (lang, context)
        outputs.append((out_dir / html_name(year, code), html.encode("utf-8")))
        if pdf:
            outputs.append((out_dir / pdf_name(year, code), html_to_pdf(html, out_dir)))
    assert first is not None  # languages is not empty
    lang, context = first
    workbook = build_workbook(
        context["tables"].values(),
        lang,
        title=context["title"],
        year=year,
        plan=report.get("plan", ""),
        generated_on=generated_on,
    )
    outputs.append((out_dir / workbook_name(year), workbook))
    paths = []
    for path, content in outputs:
        paths.append(atomic_write_bytes(path, content))
        log.info("wrote %s (%d bytes)", path, len(content))
    return paths

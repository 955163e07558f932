"""The one writer of the report: renders every output and saves it atomically.

For each language it builds the content (:mod:`.context`), draws the charts as SVG
(:mod:`.charts`), renders the HTML (:mod:`.html`), the PDF (:mod:`.pdf`) and the annex
workbook (:mod:`.workbook`); the languages are rendered in parallel processes. Every file is written with
:func:`oneitu_etl.fileio.atomic_write_bytes`, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oneitu_etl.collector import collector_paused
from oneitu_etl.fileio import atomic_write_bytes
from oneitu_etl.outcome import html_name, pdf_name, workbook_name
from oneitu_etl.report.charts import mirrored, png_markup, svg_image_markup, svg_markup
from oneitu_etl.report.context import build_context
from oneitu_etl.report.html import render_html
from oneitu_etl.report.i18n import Language, language
from oneitu_etl.report.names import LANGUAGES, names_for
from oneitu_etl.report.pdf import html_to_pdf
from oneitu_etl.report.workbook import build_workbook
from oneitu_etl.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

#: Templates (``templates/``) and message catalogues (``locale/``) of the report.
REPORTS_DIR = PROJECT_ROOT / "reports"


@dataclass(frozen=True)
class _Rendered:
    """One language's HTML documents: the published one and the PDF's own copy."""

    html: str
    lang: Language
    context: dict[str, Any]
    #: What the PDF is made from: the print medium (``None`` when no PDF is wanted).
    print_html: str | None


def _render_language(
    report: Mapping[str, Any],
    code: str,
    generated_on: dt.date,
    reports_dir: Path,
    *,
    pdf: bool = False,
) -> _Rendered:
    lang = language(code, reports_dir / "locale", names_for(code, report.get("plan", "")))
    context = build_context(report, lang, generated_on)
    rtl = lang.direction == "rtl"
    svgs, images = {}, {}
    for key, spec in context["charts"].items():
        figure = mirrored(spec.figure()) if rtl else spec.figure()
        svgs[key] = svg_markup(figure, key, spec.title, spec.description, text_as_paths=rtl)
        if pdf:  # the PDF takes each chart as an image (png_markup, svg_image_markup)
            images[key] = (
                png_markup(figure, spec.title, spec.description)
                if rtl
                else svg_image_markup(svgs[key], spec.title, spec.description)
            )
    templates = reports_dir / "templates"
    html = render_html(templates, lang, context, svgs)
    print_html = (
        render_html(templates, lang, context, {**svgs, **images}, medium="print") if pdf else None
    )
    return _Rendered(html, lang, context, print_html)


def render_html_report(
    report: Mapping[str, Any],
    lang_code: str,
    *,
    generated_on: dt.date,
    reports_dir: Path = REPORTS_DIR,
    medium: str = "screen",
) -> str:
    """The HTML report in one language, as text (nothing is written).

    Args:
        report: ``report_<Y>.json`` as a dict.
        lang_code: One of the six languages (:data:`.names.LANGUAGES`).
        generated_on: The date printed on the report.
        reports_dir: Folder with ``templates/`` and ``locale/``.
        medium: ``"screen"`` (the published HTML) or ``"print"`` (the copy the PDF is
            made from: :func:`.html.render_html`).

    Returns:
        The HTML document.
    """
    if medium not in ("screen", "print"):
        raise ValueError(f"medium must be 'screen' or 'print', not {medium!r}")
    rendered = _render_language(report, lang_code, generated_on, reports_dir, pdf=medium == "print")
    return rendered.html if rendered.print_html is None else rendered.print_html


def render_language(
    report: Mapping[str, Any],
    code: str,
    base_url: Path,
    *,
    generated_on: dt.date,
    pdf: bool = True,
    reports_dir: Path = REPORTS_DIR,
) -> list[tuple[str, bytes]]:
    """One language of the report, rendered in memory: HTML, PDF and workbook.

    Args:
        report: ``report_<Y>.json`` as a dict, published.
        code: The language.
        base_url: The folder the report will be published in (relative links).
        generated_on: The one date the outputs carry.
        pdf: Whether to produce the PDF (the slowest part).
        reports_dir: Folder with ``templates/`` and ``locale/``.

    Returns:
        ``(file name, content)`` of each output, as :func:`output_names` orders them.
    """
    year = int(report["year"])
    with collector_paused():
        rendered = _render_language(report, code, generated_on, reports_dir, pdf=pdf)
        lang, context = rendered.lang, rendered.context
        outputs = [(html_name(year, code), rendered.html.encode("utf-8"))]
        if rendered.print_html is not None:
            outputs.append((pdf_name(year, code), html_to_pdf(rendered.print_html, base_url)))
        workbook = build_workbook(
            context["workbook_tables"],
            lang,
            title=context["title"],
            year=year,
            plan=report.get("plan", ""),
            generated_on=generated_on,
        )
    outputs.append((workbook_name(year, code), workbook))
    return outputs


#: The languages by the time their report takes to render, longest first (measured on the
#: v2 example: the Arabic PDF about 1.6x the English one, the Chinese 1.25x).
RENDER_ORDER = ("ar", "zh", "ru", "es", "fr", "en")


def _render_in_process(args: tuple) -> list[tuple[str, bytes]]:  # noqa: ANN001 - picklable
    report, code, base_url, generated_on, pdf, reports_dir = args
    return render_language(
        report, code, base_url, generated_on=generated_on, pdf=pdf, reports_dir=reports_dir
    )


def render_report(
    report: Mapping[str, Any],
    out_dir: Path,
    *,
    generated_on: dt.date,
    languages: Iterable[str] = LANGUAGES,
    pdf: bool = True,
    reports_dir: Path = REPORTS_DIR,
    workers: int | None = None,
) -> list[Path]:
    """Render the published report of one year: HTML, PDF and workbook per language.

    The languages are rendered in parallel processes (one per core, at most one per
    language): each loads its fonts once and renders its languages in turn; the figures
    are the one ``report`` for all.

    Args:
        report: ``report_<Y>.json`` as a dict, with status ``published`` (a blocked year
            is not rendered).
        out_dir: The year's output folder (``<out>/<Y>/``); created if missing.
        generated_on: The one date the outputs carry.
        languages: Report languages (:data:`.names.LANGUAGES`, all six by default).
        pdf: Whether to produce the PDFs (the slowest part).
        reports_dir: Folder with ``templates/`` and ``locale/``.
        workers: Processes to render in (default: the cores, at most one per language);
            1 renders in this process.

    Returns:
        The paths written: each language's HTML, PDF and workbook in turn.

    Raises:
        ValueError: If the report is not published or a language is not supported.
    """
    if report.get("status") != "published":
        raise ValueError(
            f"only a published report is rendered, not status {report.get('status')!r}"
        )
    languages = list(dict.fromkeys(languages))
    if not languages:
        raise ValueError("at least one report language is needed")
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown:
        raise ValueError(f"unsupported report language {unknown[0]!r}: expected one of {LANGUAGES}")
    out_dir = Path(out_dir)
    workers = workers or min(len(languages), os.cpu_count() or 1)
    # the longest first (the PDF's layout costs most in Arabic, then Chinese and Russian):
    # with fewer cores than languages, the last round is then a short one
    heaviest = sorted(languages, key=lambda code: (RENDER_ORDER.index(code), code))
    jobs = [(dict(report), code, out_dir, generated_on, pdf, reports_dir) for code in heaviest]
    # Everything is rendered before anything is written: a failure leaves the files of an
    # earlier run as they were, never a mix of old and new.
    if workers > 1:
        # fork: the workers start from this process's modules (never re-running the
        # caller's script, which a script without a __main__ guard would not survive);
        # by the time the report is rendered no thread of the run is left
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            rendered = list(pool.map(_render_in_process, jobs))
    else:
        rendered = [_render_in_process(job) for job in jobs]
    by_language = dict(zip(heaviest, rendered, strict=True))
    paths = []
    for outputs in (by_language[code] for code in languages):
        for name, content in outputs:
            paths.append(atomic_write_bytes(out_dir / name, content))
            log.info("wrote %s (%d bytes)", out_dir / name, len(content))
    return paths

"""The report's content for one language: sections, tables, charts and sentences (pure).

:func:`build_context` turns ``report_<Y>.json`` into everything the HTML template shows
and the workbook writes, in the order of the document. It does no I/O and draws nothing:
each chart is a :class:`ChartSpec` naming its builder (in :mod:`.charts`) and the data to
give it; the writer builds and serialises the figures.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from oneitu_etl.report import (
    analyst,
    annexes,
    elements,
    figures,
    finance,
    indicators,
    one_itu,
    summary,
    tables,
    years,
)
from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import Table, tolerance


@dataclass(frozen=True)
class Section:
    """A numbered section of the document (``1``...``8``, annexes ``A`` and ``B``)."""

    key: str
    number: str
    title: str
    annex: bool = False

    @property
    def heading(self) -> str:
        """The heading as printed: ``3. Budget execution by unit``."""
        return f"{self.number}. {self.title}"


_SAFE_LINK = re.compile(r"^(https?://[^\s\"'<>]+|[A-Za-z0-9_./-]+)$")


def safe_link(target: str | None) -> str | None:
    """A link the report may print as ``href``: a relative path or an http(s) URL.

    Anything else (``javascript:``, a path climbing out of the report folder) gives
    ``None``, and the report prints no link.
    """
    if not target or not _SAFE_LINK.match(target):
        return None
    if not target.startswith(("http://", "https://")):
        normal = posixpath.normpath(target)
        if normal.startswith(("../", "/")) or normal == "..":
            return None
    return target


def _council_document(report: Mapping[str, Any], lang: Language) -> dict[str, Any]:
    """The Council document's cover facts (``report["document"]``), formatted for ``lang``.

    Without a document number the report is a draft (contract 3.6): ``number`` is empty.
    """
    document = report.get("document") or {}
    number = None if document.get("draft", True) else document.get("number")
    try:
        when = dt.date.fromisoformat(str(document.get("date")))
    except ValueError:
        when = None
    original = document.get("original_language")
    return {
        "number": number,
        "session": document.get("session"),
        "agenda_item": document.get("agenda_item"),
        "date": lang.fmt.date(when) if when else None,
        "date_iso": when.isoformat() if when else None,
        "original_language": elements.language_name(original, lang) if original else None,
        "references": list(document.get("references") or []),
    }


def _numbered(
    section: str, builders: list[Any], report: Mapping[str, Any], lang: Language
) -> list[Table]:
    """The tables of one section, numbered in order (``5.1``, ``5.2``...): a builder that
    has nothing to show (``None``) takes no number, so numbers never jump."""
    found: list[Table] = []
    for builder in builders:
        table = builder(report, lang, f"{section}.{len(found) + 1}")
        if table is not None:
            found.append(table)
    return found


#: How many possible overlaps the PDF shows (the strongest); the HTML and workbook list all.
OVERLAPS_IN_PRINT = 5
#: How many quarantined rows the PDF lists; the HTML and workbook list all.
QUARANTINE_IN_PRINT = 20


def _first(table: Table, count: int, note: str) -> Table:
    """``table`` cut to its first ``count`` rows for print, with a note saying so."""
    if len(table.rows) <= count:
        return table
    return replace(table, key=f"{table.key}-print", rows=table.rows[:count], notes=(note,))


def build_context(
    report: Mapping[str, Any], lang: Language, generated_on: dt.date
) -> dict[str, Any]:
    """Everything the report shows, in one language, in document order.

    The layout is data: the sections in order, each with its tables' builders; numbers
    (sections, tables, figures) follow from that order, never typed by hand.

    Args:
        report: ``report_<Y>.json`` as a dict (status ``published``).
        lang: The language bundle (catalogue, formats, reference names).
        generated_on: The one date the report prints.

    Returns:
        The template context: ``sections``, ``tables`` (by key, in document order),
        ``parts`` (a section per goal and the enablers), ``charts`` (:class:`ChartSpec`
        by key), ``key_figures``, ``summary``, and the document's title and metadata.
    """
    _ = lang.gettext
    year = report.get("year")
    plan = report.get("plan", "")
    has_previous = bool(report.get("previous_year"))
    goal_parts = elements.parts(report, lang, first=2)
    after = 2 + len(goal_parts)
    sections = [
        Section("summary", "1", _("Executive summary")),
        *(Section(part.key, number, title) for number, title, part in goal_parts),
        Section("one-itu", str(after), _("One ITU: working across sectors")),
        Section("finance", str(after + 1), _("Finance: the statements and the budget")),
        Section("data-quality", "A", _("Data quality"), annex=True),
        Section("indicators-annex", "B", _("Indicators of the Strategic Plan"), annex=True),
        Section("methodology", "C", _("Methodology"), annex=True),
    ]
    by_key = {s.key: s for s in sections}
    layout = {
        "summary": [tables.key_figures_table],
        "one-itu": [one_itu.joint_table, one_itu.matrix_table, one_itu.overlaps_table],
        "finance": [
            tables.financial_table,
            finance.budget_units_table,
            finance.budget_sectors_table,
            finance.plan_by_goal_table,
            finance.ipsas_table,
            finance.reconciliation_table,
            years.comparison_table,
            years.trends_table,
        ],
        "data-quality": [
            annexes.quality_summary_table,
            annexes.deliveries_table,
            annexes.rejected_files_table,
            annexes.quarantined_table,
            annexes.unexplained_table,
            annexes.warnings_table,
            annexes.validation_table,
        ],
        "indicators-annex": [indicators.indicators_table, tables.resources_table,
                             tables.goals_table, tables.sectors_table,
                             tables.output_types_table],
    }  # fmt: skip
    found: dict[str, Table] = {}
    for key, builders in layout.items():
        if key == "one-itu":  # the goal parts' tables come before, in document order
            for _number, _title, part in goal_parts:
                found[part.table.key] = part.table
        for table in _numbered(by_key[key].number, builders, report, lang):
            found[table.key] = table
    for _number, _title, part in goal_parts:
        for table in (t for el in part.elements for t in el.evidence):
            found[table.key] = table
    found["status-rules"] = annexes.status_rules_table(lang, "C.1")
    if not found["warnings"].rows:
        del found["warnings"]
    key_figures, in_brief = summary.key_figures(report, lang, by_key["finance"].number)
    previous = report.get("previous_year") or {}
    title = _("Strategic Plan implementation report %(year)s") % {"year": year}
    dq = report.get("data_quality") or {}
    overlaps = found["one-itu-overlaps"]
    print_overlaps = _first(
        overlaps,
        OVERLAPS_IN_PRINT,
        _(
            "The %(shown)s strongest of %(count)s possible overlaps; the HTML report and the "
            "workbook (table %(number)s) list them all."
        )
        % {
            "shown": lang.fmt.count(OVERLAPS_IN_PRINT),
            "count": lang.fmt.count(len(overlaps.rows)),
            "number": overlaps.number,
        },
    )
    quarantined = found["quarantined"]
    print_quarantined = _first(
        quarantined,
        QUARANTINE_IN_PRINT,
        _(
            "The first %(shown)s of %(count)s quarantined rows; the HTML report and the "
            "workbook (table %(number)s) list them all."
        )
        % {
            "shown": lang.fmt.count(QUARANTINE_IN_PRINT),
            "count": lang.fmt.count(len(quarantined.rows)),
            "number": quarantined.number,
        },
    )
    return {
        "lang": lang.code,
        "dir": lang.direction,
        "year": year,
        "plan": plan,
        "plan_years": plan.removeprefix("SP").replace("-", "\u2013"),
        "currency": report.get("currency", "CHF"),
        "title": title,
        "generated_on": lang.fmt.date(generated_on),
        "generated_on_iso": generated_on.isoformat(),
        "sections": sections,
        "section": by_key,
        "parts": [part for _number, _title, part in goal_parts],
        "tables": found,
        "workbook_tables": [
            *found.values(),
            *(
                t
                for t in (
                    analyst.unit_elements_table(report, lang, ""),
                    analyst.activities_table(report, lang, ""),
                )
                if t is not None
            ),
        ],  # fmt: skip
        "print_tables": {"one-itu-overlaps": print_overlaps, "quarantined": print_quarantined},
        "charts": figures.chart_specs(report, lang, found, by_key, goal_parts),
        "key_figures": key_figures,
        "summary": in_brief,
        "moves": summary.moves(report, lang),
        "highlights": summary.highlights(report, lang),
        "variances": summary.variances(report, lang),
        "cover": summary.cover(report, lang, by_key),
        "status_counts": [
            (tables.status_badge(code, lang), lang.fmt.count(n))
            for code, n in tables.status_counts(report).items()
        ],
        "has_previous": has_previous,
        "previous_year": previous.get("year"),
        "previous_plan": previous.get("plan"),
        "same_plan": previous.get("plan") == plan,
        "multi_sector": [
            (c, lang.names.element(c))
            for c in (report.get("one_itu") or {}).get("multi_sector_priorities") or []
        ],
        "without_narratives": [
            (c, lang.names.element(c)) for c in dq.get("elements_without_narratives") or []
        ],
        "without_indicators": annexes.elements_without_indicators(report, lang),
        "data_docs": safe_link(dq.get("data_docs")),
        "tolerance": tolerance(report, lang),
        "document": _council_document(report, lang),
        "data_docs_text": dq.get("data_docs"),
        "page_label": _("Page %(page)s of %(pages)s"),
    }

"""The annexes' tables: what was delivered and set aside, the checks, the methodology.

Annex A says, in the report's language, what the pipeline received for the year, what it
set aside and why (rejected files, quarantined rows, warnings) and which checks it ran;
annex B how an indicator's status is decided. Built from ``report_<Y>.json`` like the
tables of :mod:`.tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oneitu_etl.issue_text import translate
from oneitu_etl.issues import located
from oneitu_etl.report.i18n import Language
from oneitu_etl.report.indicators import indicator_name
from oneitu_etl.report.tables import STATUS_ORDER, Column, Row, Table, check_badge, status_badge

# --- Annex A: data quality -----------------------------------------------------------


def delivery_kind(kind: str, lang: Language) -> str:
    """The name of a kind of delivered file."""
    _ = lang.gettext
    kinds = {
        "financial_statements": _("Financial statements (workbook)"),
        "financial_performance": _("Statement of financial performance"),
        "budget_comparison": _("Budget comparison"),
        "expense_allocation": _("Expense allocation"),
        "expense_ledger": _("Expense ledger"),
        "activities": _("Sector activities"),
        "indicator_values": _("Indicator values"),
        "indicator_definitions": _("Indicator definitions"),
        # (v2)
        "budget_allocation": _("Budget allocation"),
        "budget_reconciliation": _("Budget reconciliation"),
        "narratives": _("Narratives"),
        "staff": _("Staff figures"),
        "membership": _("Membership figures"),
        "council_document": _("Council document"),
    }
    return kinds.get(kind, kind)


def delivery_status(status: str, lang: Language) -> str:
    """The name of a delivery's status."""
    _ = lang.gettext
    statuses = {"current": _("Current"), "superseded": _("Superseded"), "rejected": _("Rejected")}
    return statuses.get(status, status)


def quality_summary_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Counts of files, rows and checks for the year."""
    _ = lang.gettext
    dq = report.get("data_quality") or {}
    expectations = len(dq.get("validation") or [])
    rules = len(report.get("reconciliation") or [])
    rows = (
        Row((_("Files read"), dq.get("files"))),
        Row((_("Files rejected whole"), len(dq.get("rejected_files") or []))),
        Row((_("Rows loaded"), dq.get("rows_loaded"))),
        Row((_("Rows quarantined"), dq.get("rows_quarantined"))),
        Row((_("Validation checks run"), dq.get("checks_run"))),
        Row((_("of which expectations on the delivered data"), expectations)),
        Row((_("of which reconciliation rules"), rules)),
        Row((_("Validation checks failed"), dq.get("checks_failed"))),
    )
    return Table(
        "quality-summary",
        number,
        _("Data quality in figures"),
        (Column(_("Figure"), "label"), Column(_("Count"), "count")),
        rows,
    )


def delivered_by(kind: str, lang: Language) -> str:
    """Who delivers a kind of file, as the contract assigns it."""
    _ = lang.gettext
    finance = _("Finance")
    sources = {
        "activities": _("The Bureaux and the General Secretariat"),
        "indicator_values": _("Strategic planning"),
        "indicator_definitions": _("Strategic planning"),
        "narratives": _("The units"),
        "staff": _("Human resources"),
        "membership": _("The Bureaux (membership)"),
        "council_document": _("Council secretariat"),
    }
    return sources.get(kind, finance)


def deliveries_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Every delivered file: what it is, who delivered it, when, and its rows.

    The technical detail (encoding, size, SHA-256 hash) is in the workbook only.
    """
    _ = lang.gettext
    deliveries = (report.get("data_quality") or {}).get("deliveries") or []
    rows = tuple(
        Row(
            (
                d.get("file", ""),
                delivery_kind(d.get("kind", ""), lang),
                delivered_by(d.get("kind", ""), lang),
                delivery_status(d.get("status", ""), lang),
                d.get("encoding") or "",
                d.get("size_bytes"),
                d.get("rows_loaded"),
                d.get("rows_quarantined"),
                d.get("arrived_at"),
                d.get("sha256", ""),
            )
        )
        for d in deliveries
    )
    return Table(
        "deliveries",
        number,
        _("Deliveries used for this report"),
        (
            Column(_("File"), "path"),
            Column(_("Kind"), "text"),
            Column(_("Delivered by"), "text"),
            Column(_("Status"), "text", html=False),
            Column(_("Encoding"), "code", html=False),
            Column(_("Size (bytes)"), "count", html=False),
            Column(_("Rows loaded"), "count"),
            Column(_("Rows quarantined"), "count"),
            Column(_("Arrived"), "timestamp"),
            Column(_("SHA-256"), "mono", html=False),
        ),
        rows,
        note=_(
            "Every file is archived unchanged; the workbook gives its encoding, size and "
            "SHA-256 hash, which identifies the exact content this report was produced from."
        ),
    )


def _place(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    """Where in a delivered file a quarantined row or a warning is: file, sheet, row, column."""
    return (
        entry.get("file", ""),
        entry.get("sheet") or "",
        entry.get("row"),
        entry.get("column") or "",
    )


def _place_columns(lang: Language) -> tuple[Column, ...]:
    """The columns of :func:`_place`."""
    _ = lang.gettext
    return (
        Column(_("File"), "path"),
        Column(_("Sheet"), "text"),
        Column(_("Row"), "count"),
        Column(_("Column"), "code"),
    )


def quarantined_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Rows set aside because they broke a rule, with the reason."""
    _ = lang.gettext
    rows = tuple(
        Row(
            (
                *_place(q),
                "" if q.get("value") is None else str(q.get("value")),
                said(q, lang),
            )
        )
        for q in (report.get("data_quality") or {}).get("quarantined") or []
    )
    return Table(
        "quarantined",
        number,
        _("Quarantined rows"),
        (
            *_place_columns(lang),
            Column(_("Rejected value"), "code"),
            Column(_("Reason"), "text"),
        ),
        rows,
        note=_(
            "Row 1 is the header row of the file. Reasons are given as the validation reported them."
        ),
    )


def said(entry: Mapping[str, Any], lang: Language) -> str:
    """A stored message of the validator in the report's language (its English message
    when it was stored without a code, before revision 0007)."""
    return translate(entry, lang.code)


def _reason(rejected: Mapping[str, Any], lang: Language) -> str:
    """Why a file was rejected, each of its errors in the report's language after its place."""
    _ = lang.gettext
    words = {"sheet": _("sheet"), "row": _("row"), "column": _("column")}
    issues = rejected.get("issues")
    if not issues:  # a report written before the errors were listed one by one
        return str(rejected.get("message", ""))
    return "; ".join(
        located(
            {**i, "message": said(i, lang)},
            words,
            "\u00a0: " if lang.code == "fr" else ": ",
        )
        for i in issues
    )


def rejected_files_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Files set aside whole (not read at all), with the reason."""
    _ = lang.gettext
    rows = tuple(
        Row((r.get("file", ""), _reason(r, lang)))
        for r in (report.get("data_quality") or {}).get("rejected_files") or []
    )
    return Table(
        "rejected-files",
        number,
        _("Rejected files"),
        (Column(_("File"), "path"), Column(_("Reason"), "text")),
        rows,
        note=_(
            "A rejected file is kept in the archive but none of its rows counts in this "
            "report; the reason is given as the validation reported it."
        ),
    )


def validation_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Results of the validation suites: one row per expectation and column."""
    _ = lang.gettext
    rows = tuple(
        Row(
            (
                v.get("suite", ""),
                v.get("expectation", ""),
                v.get("column") or "",
                check_badge(v.get("success"), lang),
                v.get("evaluated"),
                v.get("unexpected"),
            )
        )
        for v in (report.get("data_quality") or {}).get("validation") or []
    )
    return Table(
        "validation",
        number,
        _("Validation results"),
        (
            Column(_("Suite"), "label"),
            Column(_("Expectation"), "code"),
            Column(_("Column"), "code"),
            Column(_("Result"), "badge"),
            Column(_("Values evaluated"), "count"),
            Column(_("Unexpected values"), "count"),
        ),
        rows,
    )


def warnings_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Warnings of the run (an extra column, say): they did not stop the report. The
    indicators without a note have their own table (:func:`unexplained_table`)."""
    _ = lang.gettext
    found = [
        w
        for w in (report.get("data_quality") or {}).get("warnings") or []
        if w.get("code") != "indicator_unexplained"
    ]
    rows = tuple(Row((*_place(w), said(w, lang))) for w in found)
    return Table(
        "warnings",
        number,
        _("Warnings"),
        (*_place_columns(lang), Column(_("Message"), "text")),
        rows,
    )


def unexplained_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Indicators at risk or off track whose value came without a note explaining it."""
    _ = lang.gettext
    rows = tuple(
        Row(
            (
                indicator_name(ind, code, lang),
                code,
                lang.names.element(str(ind.get("strategic_code", ""))),
                status_badge(ind.get("status", "no_data"), lang),
            )
        )
        for code, ind in (report.get("indicators") or {}).items()
        if ind.get("status") in ("at_risk", "off_track") and not ind.get("note")
    )
    return Table(
        "unexplained-indicators",
        number,
        _("Indicators at risk or off track without an explanation"),
        (
            Column(_("Indicator"), "label"),
            Column(_("Code"), "code"),
            Column(_("Element"), "text"),
            Column(_("Status"), "badge"),
        ),
        rows,
        note=_(
            "Strategic planning is asked to give a note with the value of each indicator at "
            "risk or off track (indicator_values.csv, column note)."
        ),
    )


def elements_without_indicators(report: Mapping[str, Any], lang: Language) -> list[tuple]:
    """Thematic priorities and enablers of the plan that no indicator measures."""
    measured = {ind.get("strategic_code") for ind in (report.get("indicators") or {}).values()}
    return [
        (e.code, e.name)
        for e in lang.names.elements
        if e.kind in ("thematic_priority", "enabler") and e.code not in measured
    ]


# --- Annex C: methodology ------------------------------------------------------------


def status_rules_table(lang: Language, number: str) -> Table:
    """How an indicator's status is decided (the legend of the badges)."""
    _ = lang.gettext
    rules = {
        "achieved": _(
            "The value has reached the target (at or above it, or at or below it for an indicator meant to decrease)."
        ),
        "on_track": _("Progress against trajectory is at least 95%."),
        "at_risk": _("Progress against trajectory is at least 75% and below 95%."),
        "off_track": _(
            "Progress against trajectory is below 75%, or the target year has passed without the target being reached."
        ),
        "no_data": _("No value was delivered for the year."),
    }
    rows = tuple(Row((status_badge(code, lang), rules[code])) for code in STATUS_ORDER)
    return Table(
        "status-rules",
        number,
        _("Status of an indicator"),
        (Column(_("Status"), "badge"), Column(_("Rule"), "text")),
        rows,
    )

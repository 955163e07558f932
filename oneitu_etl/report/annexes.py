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
    rows = (
        Row((_("Files read"), dq.get("files"))),
        Row((_("Rows loaded"), dq.get("rows_loaded"))),
        Row((_("Rows quarantined"), dq.get("rows_quarantined"))),
        Row((_("Validation checks run"), dq.get("checks_run"))),
        Row((_("Validation checks failed"), dq.get("checks_failed"))),
    )
    return Table(
        "quality-summary",
        number,
        _("Data quality in figures"),
        (Column(_("Figure"), "label"), Column(_("Count"), "count")),
        rows,
    )


def deliveries_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Every delivered file with its hash, encoding, time of arrival and row counts."""
    _ = lang.gettext
    deliveries = (report.get("data_quality") or {}).get("deliveries") or []
    rows = tuple(
        Row(
            (
                d.get("file", ""),
                delivery_kind(d.get("kind", ""), lang),
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
            Column(_("Status"), "text"),
            Column(_("Encoding"), "code"),
            Column(_("Size (bytes)"), "count", html=False),
            Column(_("Rows loaded"), "count"),
            Column(_("Rows quarantined"), "count"),
            Column(_("Arrived"), "timestamp"),
            Column(_("SHA-256"), "mono"),
        ),
        rows,
        note=_(
            "The SHA-256 hash identifies the exact content of each file; the archived copy "
            "with that hash is the one this report was produced from."
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
    """Warnings of the run (an extra column, say): they did not stop the report."""
    _ = lang.gettext
    found = (report.get("data_quality") or {}).get("warnings") or []
    rows = tuple(Row((*_place(w), said(w, lang))) for w in found)
    return Table(
        "warnings",
        number,
        _("Warnings"),
        (*_place_columns(lang), Column(_("Message"), "text")),
        rows,
    )


# --- Annex B: methodology ------------------------------------------------------------


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

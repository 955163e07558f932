"""The annex workbook: every table of the report, one sheet each (openpyxl).

Numbers are written as numbers, with a display format (``#,##0.00`` for amounts, ``0.0%``
for shares), so that an analyst can compute with them. Every text is written as a
string cell, explicitly: a title beginning with ``=``, ``+``, ``-`` or ``@`` stays text
and is never a formula (it also gets Excel's quote prefix, so that editing the cell does
not turn it into one). The file is reproducible: its document dates are the generation
date and the zip entries carry that date too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import Badge, Cell, Column, Measure, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER_FORMATS = {
    "amount": "#,##0.00",
    "signed": "+#,##0.00;-#,##0.00;0.00",
    "count": "#,##0",
    "percent": "0.0%",
    "signed_percent": "+0.0%;-0.0%;0.0%",
    "score": "0.0",
    "measure": "#,##0.00",
    "year": "0",
    "date": "yyyy-mm-dd",
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="E4F3FA")
GROUP_FILL = PatternFill("solid", fgColor="F1F6F9")
BOLD = Font(bold=True)


def write_text(cell: XlCell, text: str) -> None:
    """Put ``text`` in ``cell`` as a string, never as a formula."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def write_value(cell: XlCell, value: Any, kind: str) -> None:
    """Write one table value: a number with its format, a text as a string, or nothing."""
    if isinstance(value, Cell):
        write_value(cell, value.value, value.kind)
        return
    if isinstance(value, Measure):
        value = value.value
    if isinstance(value, Badge):
        write_text(cell, value.label)
    elif value is None or value == "":
        cell.value = None
    elif isinstance(value, bool):
        write_text(cell, str(value).lower())
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = NUMBER_FORMATS["date"]
    elif isinstance(value, int | float) and kind in NUMBER_FORMATS:
        cell.value = value
        cell.number_format = NUMBER_FORMATS[kind]
    else:
        write_text(cell, str(value))


def sheet_titles(lang: Language) -> dict[str, str]:
    """Short names of the tables, whole words that fit a sheet's 31 characters."""
    _ = lang.gettext
    return {
        "key-figures": _("Key figures"),
        "one-itu-joint": _("Joint activities"),
        "one-itu-matrix": _("Priorities by sector"),
        "one-itu-overlaps": _("Possible overlaps"),
        "financial-performance": _("Financial performance"),
        "budget-units": _("Budget by unit"),
        "budget-sectors": _("Budget by sector"),
        "plan-by-goal": _("Plan and actual by goal"),
        "budget-reconciliation": _("IPSAS 24 reconciliation"),
        "reconciliation": _("Reconciliation rules"),
        "comparison": _("Previous year"),
        "trends": _("All years"),
        "quality-summary": _("Data quality"),
        "deliveries": _("Deliveries"),
        "rejected-files": _("Rejected files"),
        "quarantined": _("Quarantined rows"),
        "unexplained-indicators": _("Unexplained indicators"),
        "warnings": _("Warnings"),
        "validation": _("Validation results"),
        "indicators": _("Indicators"),
        "resources": _("Expenses and outputs"),
        "output-types": _("Outputs by type"),
        "expenses-goals": _("Expenses by goal"),
        "expenses-sectors": _("Expenses by sector"),
        "staff-gender": _("Staff by gender"),
        "staff-regions": _("Staff by region"),
        "staff-offices": _("Regional office staff"),
        "membership": _("Membership"),
        "status-rules": _("Indicator status"),
        "unit-elements": _("Units by element"),
        "activities": _("Activities"),
    }


def sheet_name(table: Table, taken: set[str], short: str | None = None) -> str:
    """A unique, legal sheet name of at most 31 characters: the table's number and its
    short name (:func:`sheet_titles`), else its title cut between words.

    ``3.1`` with ``Budget by unit`` gives ``3.1 Budget by unit``.
    """
    title = short or table.title
    base = _BAD_SHEET_CHARS.sub(" ", f"{table.number} {title}").replace("(CHF)", "")
    base = re.sub(r"\s+", " ", base).strip()
    if len(base) > 31:
        base = base[:32].rsplit(" ", 1)[0]
    base = base.rstrip(" ,;:-(")
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)].rstrip() + suffix, n + 1
    taken.add(name.lower())
    return name


def _write_table(ws: Any, table: Table) -> None:
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=col)
        write_text(cell, column.header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    for r, row in enumerate(table.rows, start=2):
        if row.kind == "group":
            cell = ws.cell(row=r, column=1)
            write_text(cell, str(row.cells[0]))
            for col in range(1, len(table.columns) + 1):
                ws.cell(row=r, column=col).fill = GROUP_FILL
                ws.cell(row=r, column=col).font = BOLD
            continue
        for col, (value, column) in enumerate(zip(row.cells, table.columns, strict=True), start=1):
            cell = ws.cell(row=r, column=col)
            write_value(cell, value, column.kind)
            if row.kind in ("subtotal", "total"):
                cell.font = BOLD
    for col, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = _width(column, table)
    ws.freeze_panes = "B2"


def _width(column: Column, table: Table) -> float:
    if column.kind == "mono":
        return 66
    if column.numeric:
        return 16
    longest = max((len(str(r.cells[0])) for r in table.rows if r.cells), default=10)
    if column.kind == "label":
        return min(max(longest, 14), 60)
    return 32 if column.kind == "text" else 16


def _reproducible_zip(data: bytes, when: dt.date) -> bytes:
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def build_workbook(
    tables: Iterable[Table],
    lang: Language,
    *,
    title: str,
    year: int,
    plan: str,
    generated_on: dt.date,
) -> bytes:
    """The annex workbook as bytes: an "About" sheet, then one sheet per table.

    Args:
        tables: The report's tables, in document order.
        lang: The language of headers and labels.
        title: The report's title.
        year: The financial year.
        plan: The Strategic Plan cycle.
        generated_on: The generation date (the workbook's only date).

    Returns:
        The ``.xlsx`` file content.
    """
    _ = lang.gettext
    tables = list(tables)
    wb = Workbook()
    about = wb.active
    about.title = _("About")
    taken = {about.title.lower()}
    shorts = sheet_titles(lang)
    for table in tables:  # a goal's resources: "2.1 Resources, goal 1"
        if table.key.startswith("plan-") and table.key != "plan-by-goal":
            code = table.key.removeprefix("plan-").upper()
            shorts[table.key] = (
                _("Resources of the enablers")
                if code == "ENABLERS"
                else _("Resources, goal %(code)s") % {"code": code.removeprefix("G")}
            )
    names = [sheet_name(t, taken, shorts.get(t.key)) for t in tables]
    info = [
        (title, None),
        (_("International Telecommunication Union"), None),
        (_("Financial year"), year),
        (_("Strategic Plan"), plan),
        (_("Currency"), _("Swiss francs (%(code)s)") % {"code": "CHF"}),
        (_("Generated on"), generated_on),
        (
            _("Amounts are numbers in CHF; shares and rates are fractions shown as percentages."),
            None,
        ),
    ]
    for r, (label, value) in enumerate(info, start=1):
        write_text(about.cell(row=r, column=1), label)
        if value is not None:
            kind = "year" if isinstance(value, int) else "date"
            write_value(about.cell(row=r, column=2), value, kind if value != plan else "text")
    about.cell(row=1, column=1).font = Font(bold=True, size=14)
    start = len(info) + 2
    for col, header in enumerate((_("Sheet"), _("Table"), _("Title")), start=1):
        cell = about.cell(row=start, column=col)
        write_text(cell, header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for r, (table, name) in enumerate(zip(tables, names, strict=True), start=start + 1):
        write_text(about.cell(row=r, column=1), name)
        link = about.cell(row=r, column=1)  # to the table's own sheet
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")
        write_text(about.cell(row=r, column=2), table.number)
        write_text(about.cell(row=r, column=3), table.title)
    about.column_dimensions["A"].width = 40
    about.column_dimensions["B"].width = 12
    about.column_dimensions["C"].width = 70
    for table, name in zip(tables, names, strict=True):
        _write_table(wb.create_sheet(name), table)
    for sheet in wb.worksheets:  # Arabic: columns from right to left, as on the page
        sheet.sheet_view.rightToLeft = lang.direction == "rtl"

    moment = dt.datetime(generated_on.year, generated_on.month, generated_on.day)
    wb.properties.creator = _("International Telecommunication Union")
    wb.properties.title = title
    wb.properties.language = lang.code
    wb.properties.created = moment
    wb.properties.modified = moment
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return _reproducible_zip(buffer.getvalue(), generated_on)

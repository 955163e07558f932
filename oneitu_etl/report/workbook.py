"""The annex workbook: every table of the report, one sheet each (XlsxWriter).

Numbers are written as numbers, with a display format (``#,##0.00`` for amounts, ``0.0%``
for shares), dates as dates, so that an analyst can compute with them. Every text is
written as a string cell, explicitly: a title beginning with ``=``, ``+``, ``-`` or ``@``
stays text and is never a formula (it also gets Excel's quote prefix, so that editing the
cell does not turn it into one). XlsxWriter streams each sheet in row order
(``constant_memory``), so that a sheet of twenty thousand activities costs seconds, not
minutes. The file is reproducible: its document dates are the generation date and the
zip entries carry that date too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

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
HEADER_FILL = "#E4F3FA"
GROUP_FILL = "#F1F6F9"


class Formats:
    """The workbook's cell formats, each made once: plain or bold, by kind of value."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._made: dict[tuple[str, bool, bool], Any] = {}
        self.header = book.add_format(
            {"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "bottom"}
        )
        self.group = book.add_format({"bold": True, "bg_color": GROUP_FILL})
        self.title = book.add_format({"bold": True, "font_size": 14})

    def get(self, kind: str, bold: bool = False, quoted: bool = False) -> Any:
        """The format of a value of ``kind`` (``text`` for strings)."""
        key = (kind, bold, quoted)
        if key not in self._made:
            spec: dict[str, Any] = {"bold": True} if bold else {}
            if kind in NUMBER_FORMATS:
                spec["num_format"] = NUMBER_FORMATS[kind]
            if quoted:
                spec["quote_prefix"] = True
            self._made[key] = self._book.add_format(spec) if spec else None
        return self._made[key]


def write_text(ws: Worksheet, row: int, col: int, text: str, formats: Formats,
               bold: bool = False) -> None:  # fmt: skip
    """Put ``text`` at (row, col) as a string, never as a formula (quote-prefixed where
    it starts as one would)."""
    quoted = text.startswith(FORMULA_STARTS)
    ws.write_string(row, col, text, formats.get("text", bold, quoted))


def write_value(
    ws: Worksheet, row: int, col: int, value: Any, kind: str, formats: Formats, bold: bool = False
) -> None:
    """Write one table value: a number or date with its format, a text as a string, or
    nothing."""
    if isinstance(value, Cell):
        write_value(ws, row, col, value.value, value.kind, formats, bold)
        return
    if isinstance(value, Measure):
        value = value.value
    if isinstance(value, Badge):
        write_text(ws, row, col, value.label, formats, bold)
    elif value is None or value == "":
        if bold:
            ws.write_blank(row, col, None, formats.get("text", bold))
    elif isinstance(value, bool):
        write_text(ws, row, col, str(value).lower(), formats, bold)
    elif isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        ws.write_datetime(row, col, moment, formats.get("date", bold))
    elif isinstance(value, int | float) and kind in NUMBER_FORMATS:
        ws.write_number(row, col, value, formats.get(kind, bold))
    else:
        write_text(ws, row, col, str(value), formats, bold)


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


def _write_table(ws: Worksheet, table: Table, formats: Formats) -> None:
    for col, column in enumerate(table.columns):
        ws.set_column(col, col, _width(column, table))
    ws.freeze_panes(1, 1)
    for col, column in enumerate(table.columns):
        ws.write_string(0, col, column.header, formats.header)
    kinds = [column.kind for column in table.columns]
    numeric = [kind in NUMBER_FORMATS for kind in kinds]
    plain = [formats.get(kind) for kind in kinds]
    text = formats.get("text")
    for r, row in enumerate(table.rows, start=1):
        if row.kind == "group":
            ws.write_string(r, 0, str(row.cells[0]), formats.group)
            for col in range(1, len(table.columns)):
                ws.write_blank(r, col, None, formats.group)
            continue
        if row.kind in ("subtotal", "total"):
            for col, (value, kind) in enumerate(zip(row.cells, kinds, strict=True)):
                write_value(ws, r, col, value, kind, formats, bold=True)
            continue
        for col, value in enumerate(row.cells):  # the common cases first: a long sheet
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str and not value.startswith(FORMULA_STARTS):
                ws.write_string(r, col, value, text)
            elif (kind is float or kind is int) and numeric[col]:
                ws.write_number(r, col, value, plain[col])
            else:
                write_value(ws, r, col, value, kinds[col], formats)


def _width(column: Column, table: Table) -> float:
    if column.kind == "mono":
        return 66
    if column.numeric:
        return 16
    longest = max((len(str(r.cells[0])) for r in table.rows if r.cells), default=10)
    if column.kind == "label":
        return min(max(longest, 14), 60)
    return 32 if column.kind == "text" else 16


def _reproducible_zip(data: bytes, when: dt.date, lang: str) -> bytes:
    """The workbook with every zip entry dated ``when`` and its language in the document
    properties (``dc:language``, which XlsxWriter does not write)."""
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml" and b"<dc:language>" not in content:
                content = content.replace(
                    b"</cp:coreProperties>",
                    f"<dc:language>{lang}</dc:language></cp:coreProperties>".encode(),
                )
            target.writestr(entry, content)
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
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = Formats(book)
    about_name = _("About")
    taken = {about_name.lower()}
    shorts = sheet_titles(lang)
    names = [sheet_name(t, taken, t.sheet or shorts.get(t.key)) for t in tables]
    about = book.add_worksheet(about_name)
    info: list[tuple[str, Any, str]] = [
        (title, None, ""),
        (_("International Telecommunication Union"), None, ""),
        (_("Financial year"), year, "year"),
        (_("Strategic Plan"), plan, "text"),
        (_("Currency"), _("Swiss francs (%(code)s)") % {"code": "CHF"}, "text"),
        (_("Generated on"), generated_on, "date"),
        (
            _("Amounts are numbers in CHF; shares and rates are fractions shown as percentages."),
            None,
            "",
        ),
    ]
    about.set_column(0, 0, 40)
    about.set_column(1, 1, 12)
    about.set_column(2, 2, 70)
    for r, (label, value, kind) in enumerate(info):
        if r == 0:
            about.write_string(r, 0, label, formats.title)
        else:
            write_text(about, r, 0, label, formats)
        if value is not None:
            write_value(about, r, 1, value, kind, formats)
    start = len(info) + 1
    for col, header in enumerate((_("Sheet"), _("Table"), _("Title"))):
        about.write_string(start, col, header, formats.header)
    for r, (table, name) in enumerate(zip(tables, names, strict=True), start=start + 1):
        # a link to the table's own sheet
        about.write_url(r, 0, f"internal:'{name}'!A1", formats.get("text"), string=name)
        write_text(about, r, 1, table.number, formats)
        write_text(about, r, 2, table.title, formats)
    sheets = [about]
    for table, name in zip(tables, names, strict=True):
        ws = book.add_worksheet(name)
        _write_table(ws, table, formats)
        sheets.append(ws)
    for sheet in sheets:  # Arabic: columns from right to left, as on the page
        if lang.direction == "rtl":
            sheet.right_to_left()
    moment = dt.datetime(generated_on.year, generated_on.month, generated_on.day)
    book.set_properties(
        {"title": title, "author": _("International Telecommunication Union"), "created": moment}
    )
    book.close()
    return _reproducible_zip(buffer.getvalue(), generated_on, lang.code)

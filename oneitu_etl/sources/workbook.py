"""Reading a delivered workbook's sheets into raw tables, exactly as a person sees them.

:func:`open_workbook` refuses, before parsing, what is not a safe ``.xlsx`` (and says what
it is instead); :func:`read_workbook_sheet` reads one sheet into a
:class:`~oneitu_etl.sources.files.RawTable`, cells laid out by the header as the CSV
reader lays them out (:class:`~oneitu_etl.sources.files.Header`).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from oneitu_etl.contract import TableSpec
from oneitu_etl.issue_text import say
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.sources import content
from oneitu_etl.sources.files import (
    _XLSX_MAGIC,
    HEADER_SEARCH_ROWS,
    Header,
    RawTable,
    _check_header,
    _drop_blank_rows,
    _frame,
)

#: Why a workbook with XML entity declarations is refused (defusedxml's refusal).
_DTD_MESSAGE = say("workbook_dtd")


def _cell_text(value: object) -> str:
    """A workbook cell as the text a person would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        rounded = round(value, 2)
        if abs(value - rounded) < 1e-6:
            return (
                f"{rounded:.2f}".rstrip("0").rstrip(".")
                if rounded != int(rounded)
                else str(int(rounded))
            )
        return repr(value)
    return str(value).strip()


def open_workbook(data: bytes, file: str, max_unzipped_bytes: int):  # noqa: ANN201 - openpyxl types
    """Open a workbook's bytes safely (openpyxl ``read_only``, values of formulas).

    Refuses, before parsing, what is not an xlsx, a workbook whose parts would
    decompress beyond ``max_unzipped_bytes`` (the sizes its zip directory declares;
    inflating stops there), macros (a VBA project, Excel 4.0 macro or dialog sheets) and
    external links; while parsing (defusedxml), XML entity declarations.

    Returns:
        ``(values_workbook, formulas_workbook)``.
    """
    import openpyxl  # noqa: PLC0415 - keeps the module light for the DAG processor

    if not data:
        raise DeliveryRejected([Issue(file, say("workbook_empty"))])
    if data.startswith(content.OLE2):
        raise DeliveryRejected([Issue(file, _OLE2_MESSAGES[content.ole2_kind(data)])])
    if not data.startswith(_XLSX_MAGIC):
        hint = (
            say("workbook_renamed_csv")
            if data[:1].isascii() and b"," in data[:200] and b"\x00" not in data[:200]
            else say("workbook_not_xlsx", what=content.describe(data))
        )
        raise DeliveryRejected([Issue(file, hint)])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DeliveryRejected([Issue(file, say("workbook_damaged", reason=exc))]) from None
    if total > max_unzipped_bytes:
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    say("workbook_too_large", size=f"{total:,}", limit=f"{max_unzipped_bytes:,}"),
                )
            ]
        )
    macros = ("xl/macrosheets/", "xl/dialogsheets/")  # Excel 4.0 (XLM) macros need no VBA
    if any(n.lower().endswith("vbaproject.bin") or n.startswith(macros) for n in names):
        raise DeliveryRejected([Issue(file, say("workbook_macros"))])
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise DeliveryRejected([Issue(file, say("workbook_links"))])
    if "xl/workbook.xml" not in names:
        what = content.describe(data)
        raise DeliveryRejected([Issue(file, say("workbook_no_xml", what=what))])
    if content.is_strict_workbook(data):
        raise DeliveryRejected([Issue(file, say("workbook_strict"))])
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        if _refused_xml(exc):
            raise DeliveryRejected([Issue(file, _DTD_MESSAGE)]) from None
        raise DeliveryRejected(
            [Issue(file, say("workbook_unreadable", reason=f"{type(exc).__name__}: {exc}"))]
        ) from None
    return values, formulas


#: Why an OLE2 file is not read as a workbook, by what it holds (:func:`.content.ole2_kind`).
_OLE2_MESSAGES = {
    "password": say("workbook_password"),
    "xls": say("workbook_xls"),
    "other": say("workbook_old_office"),
}


def _refused_xml(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML behind ``exc`` (openpyxl wraps its errors)."""
    from defusedxml import DefusedXmlException  # noqa: PLC0415

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _sheet_rows(workbook, file: str, sheet: str) -> list[tuple]:  # noqa: ANN001
    """Every row of a read-only sheet; the sheet's XML is parsed (lazily) here."""
    try:
        return list(workbook[sheet].iter_rows(values_only=True))
    except Exception as exc:  # noqa: BLE001 - XML, zip and inflate errors of a damaged part
        if _refused_xml(exc):
            raise DeliveryRejected([Issue(file, _DTD_MESSAGE, sheet=sheet)]) from None
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise DeliveryRejected(
            [Issue(file, say("workbook_unreadable", reason=reason), sheet=sheet)]
        ) from None


def read_workbook_sheet(values_wb, formulas_wb, file: str, spec: TableSpec) -> RawTable:  # noqa: ANN001
    """Read one sheet of an opened workbook into a :class:`RawTable`.

    A formula cell counts as its last computed value; a formula with no stored value is
    an error of that cell (the rest of the sheet is read).

    Raises:
        DeliveryRejected: the sheet is missing, empty, or lacks a required column.
    """
    sheet = spec.sheet
    assert sheet is not None
    if sheet not in values_wb.sheetnames:
        names = ", ".join(f'"{n}"' for n in values_wb.sheetnames) or say("no_sheet")
        near = [n for n in values_wb.sheetnames if n.strip().casefold() == sheet.casefold()]
        code = "sheet_missing"
        if near:
            code = (
                "sheet_missing_spaces" if near[0].strip() != near[0] else "sheet_missing_capitals"
            )
        message = say(code, sheet=sheet, sheets=names, **({"near": near[0]} if near else {}))
        raise DeliveryRejected([Issue(file, message, sheet=sheet)])
    value_rows = _sheet_rows(values_wb, file, sheet)
    formula_rows = _sheet_rows(formulas_wb, file, sheet)
    if not value_rows or not any(v is not None for v in value_rows[0]):
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    say("sheet_no_header"),
                    sheet=sheet,
                    row=1,
                )
            ]
        )
    header = Header.of([_cell_text(v) for v in value_rows[0]])
    issues: list[Issue] = []
    rows: list[list[str]] = []
    for r, (vals, forms) in enumerate(zip(value_rows[1:], formula_rows[1:], strict=False), start=2):
        texts = [_cell_text(v) for v in vals]
        cells, wrong = header.fit(texts, r, file, sheet)
        issues += wrong
        for c, name in zip(header.positions, header.names, strict=True):
            value = vals[c] if c < len(vals) else None
            formula = forms[c] if c < len(forms) else None
            if value is None and isinstance(formula, str) and formula.startswith("="):
                issues.append(
                    Issue(
                        file,
                        say("formula_no_value", formula=formula),
                        sheet=sheet,
                        row=r,
                        column=name,
                        value=formula,
                    )
                )
        rows.append(cells)
    frame = _drop_blank_rows(_frame(list(header.names), rows), issues)
    raw = RawTable(file=file, sheet=sheet, frame=frame, header=list(header.names), issues=issues)
    first = [[_cell_text(v) for v in r] for r in value_rows[: HEADER_SEARCH_ROWS + 1]]
    return _check_header(raw, spec, first)

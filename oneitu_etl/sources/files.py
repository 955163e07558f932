"""Reading delivered files into raw tables of text, exactly as a person sees them.

A :class:`RawTable` holds every cell as stripped text (empty string for an empty cell),
indexed by the row number a person sees in the file (the header is row 1). Nothing is
typed here: parsing numbers, dates and codes is validation's job, so that every bad cell
can be reported in place. Files that cannot be read at all raise
:class:`~oneitu_etl.issues.DeliveryRejected` with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from oneitu_etl.contract import TableSpec
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.sources import content

log = logging.getLogger(__name__)

#: Byte order marks of encodings the contract does not accept, longest first.
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_XLSX_MAGIC = b"PK\x03\x04"
#: Extra columns warned about one by one; beyond, one warning names the first ones.
_MAX_EXTRA_WARNINGS = 10
#: Excel's own limit on the length of a cell: a longer cell is an error of its row.
MAX_CELL_CHARS = 32_767
#: The ``csv`` module's field limit, raised far above :data:`MAX_CELL_CHARS` so that an
#: over-long cell is an error of its row, not an unreadable file.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(CSV_FIELD_LIMIT)
#: Rule ids of the reader's own row errors (the row's other messages are left out).
ROW_SHAPE = "row_shape"
CELL_LENGTH = "cell_length"
#: Why a workbook with XML entity declarations is refused (defusedxml's refusal).
_DTD_MESSAGE = (
    "workbook contains XML entity declarations (a DTD), which Excel never writes; refused "
    'as a possible entity-expansion attack ("billion laughs"): save it again from Excel'
)


@dataclass
class RawTable:
    """A table as delivered: text cells, rows numbered as in the file.

    Attributes:
        file: Path of the file relative to the landing root.
        sheet: Sheet name for a workbook, ``None`` for a CSV.
        frame: One text column per header name (stripped), index = file row number.
        header: Column names in file order, as delivered (stripped).
        encoding: Detected encoding of a CSV; ``None`` for a workbook.
        issues: Warnings found while reading (extra columns...).
    """

    file: str
    sheet: str | None
    frame: pd.DataFrame
    header: list[str]
    encoding: str | None = None
    issues: list[Issue] = field(default_factory=list)
    #: Where the named columns are in the file's rows (``None``: the header's order).
    layout: Header | None = None

    def issue(self, message: str, **place: object) -> Issue:
        """An issue located in this table."""
        return Issue(file=self.file, sheet=self.sheet, message=message, **place)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Header:
    """Where a header's named columns are (contract section 2, v2).

    A column whose header cell is empty is kept out of the table: what spreadsheets leave
    behind (a spacer column, trailing ``,,``) is not an error as long as its cells are
    empty too; a row with a value in such a column, or beyond the header, is an error of
    that row (:meth:`fit`).

    Attributes:
        names: The named columns, stripped, in file order.
        positions: Their cell positions (0-based).
        width: The header's cells up to its last named one.
    """

    names: tuple[str, ...]
    positions: tuple[int, ...]
    width: int

    @classmethod
    def of(cls, cells: list[str]) -> Header:
        """The layout of a header row's cells."""
        stripped = [c.strip() for c in cells]
        positions = tuple(i for i, c in enumerate(stripped) if c)
        return cls(
            tuple(stripped[i] for i in positions), positions, positions[-1] + 1 if positions else 0
        )

    @property
    def simple(self) -> bool:
        """Whether every header cell up to the last is named (the usual case)."""
        return len(self.positions) == self.width

    def fit(
        self, cells: list[str], row: int, file: str, sheet: str | None = None
    ) -> tuple[list[str], list[Issue]]:
        """A row's cells under the named columns, and what is wrong with its shape.

        Args:
            cells: The row's cells as read (not stripped).
            row: Its row number as a person sees it.
            file: The file, for messages.
            sheet: The sheet of a workbook (``None``: a CSV).

        Returns:
            ``(cells, issues)``: one cell per named column (missing cells are empty), and
            an error of the row when a value lies outside the named columns (an unquoted
            comma split a cell, or a value under an empty header cell) or a cell is longer
            than :data:`MAX_CELL_CHARS`.
        """
        width = self.width
        issues: list[Issue] = []
        if len(cells) > width or not self.simple:
            issues += self._outside(cells, row, file, sheet)
        if self.simple:
            kept = cells[:width] if len(cells) >= width else cells + [""] * (width - len(cells))
            kept = kept if kept is not cells else list(kept)
        else:
            kept = [cells[i] if i < len(cells) else "" for i in self.positions]
        for at, (name, cell) in enumerate(zip(self.names, kept, strict=True)):
            if len(cell) > MAX_CELL_CHARS:
                kept[at] = ""  # never read further: the row is in error
                issues.append(
                    Issue(
                        file,
                        f"the cell holds {len(cell):,} characters, above the limit of "
                        f"{MAX_CELL_CHARS:,} (Excel's own limit for a cell); "
                        + (
                            'an unmatched double quote (") makes the lines after it one '
                            "cell: remove it"
                            if cell.count("\n") > 1
                            else "shorten it"
                        ),
                        sheet=sheet,
                        row=row,
                        column=name,
                        value=cell[:60] + "…",
                        rule=CELL_LENGTH,
                    )
                )
        return kept, issues

    def _outside(self, cells: list[str], row: int, file: str, sheet: str | None) -> list[Issue]:
        """The error of a row with a value beyond the header, if it has one.

        Raises:
            DeliveryRejected: a value under an empty header cell (a merged or missing
                column name): the file's header is wrong, not the row.
        """
        named = set(self.positions)
        outside = [i for i, c in enumerate(cells) if i not in named and c.strip()]
        if not outside:
            return []
        if outside[0] < self.width:
            raise DeliveryRejected(
                [
                    Issue(
                        file,
                        f"header cell {outside[0] + 1} of row 1 is empty (merged or missing "
                        "header?)",
                        sheet=sheet,
                        row=1,
                    )
                ]
            )
        last = max(outside) + 1
        value = cells[outside[0]].strip()
        if sheet is None:
            shown = ",".join(c.strip() for c in cells[:last])
            message = (
                f"the row has {last} cells but the header has {self.width}: a comma inside a "
                "value (a thousands separator, a decimal comma, a comma in a text) splits it "
                "in two; remove the comma or put the value in double quotes"
            )
            value = shown if len(shown) <= 200 else shown[:199] + "…"
        else:
            message = (
                f'cell {column_letter(outside[0])}{row} holds "{value}" but its column has no '
                "name in row 1; name the column or clear the cell"
            )
        return [Issue(file, message, sheet=sheet, row=row, value=value, rule=ROW_SHAPE)]


def column_letter(index: int) -> str:
    """A 0-based column position as Excel names it: 0 -> ``A``, 27 -> ``AB``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def detect_encoding(data: bytes, file: str) -> tuple[str, str]:
    """Decode a CSV per the contract: strict UTF-8 (with or without BOM), else Windows-1252.

    Args:
        data: The file's bytes.
        file: Its name, for messages.

    Returns:
        ``(text, encoding)`` where encoding is ``utf-8``, ``utf-8-sig`` or ``cp1252``.

    Raises:
        DeliveryRejected: UTF-16/32, binary content, or bytes that no accepted encoding
            defines (Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined); the
            message names the byte offset.
    """
    for bom, name in _OTHER_BOMS:
        if data.startswith(bom):
            raise DeliveryRejected(
                [
                    Issue(
                        file,
                        f"the file is encoded as {name} (byte order mark at byte offset 0); "
                        "save it as CSV UTF-8",
                    )
                ]
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DeliveryRejected([Issue(file, nul_message(data, nul))])
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    else:
        encoding, body = "utf-8", data
    try:
        return body.decode("utf-8"), encoding
    except UnicodeDecodeError as exc:
        if encoding == "utf-8-sig":
            offset = exc.start + 3
            raise DeliveryRejected(
                [Issue(file, f"invalid UTF-8 at byte offset {offset} after a UTF-8 BOM")]
            ) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    f"unreadable text: byte 0x{byte:02X} at byte offset {exc.start} is neither "
                    "UTF-8 nor Windows-1252; save the file as CSV UTF-8",
                )
            ]
        ) from None


def nul_message(head: bytes, offset: int) -> str:
    """Why a CSV with a NUL byte at ``offset`` is refused, saying what it looks like."""
    if encoding := content.utf16_without_bom(head):
        return (
            f"the file is encoded as {encoding} without a byte order mark (a NUL byte in every "
            "other position); save it as CSV UTF-8"
        )
    if not head.startswith(content.ZIP) and any(head.startswith(m) for m, _ in content.MAGIC):
        return f"not a text CSV file: this is {content.describe(head)}; save the table as CSV"
    return f"not a text CSV file: NUL byte at byte offset {offset}"


def _simplified(name: str) -> str:
    """A column name without case, spaces, dashes and underscores, to find near matches."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _near_name(name: str, header: list[str]) -> str:
    """``(found "Line_Code": ...)`` when the header has the column under a near name."""
    for given in header:
        if given != name and _simplified(given) == _simplified(name):
            return (
                f' (found "{given}": column names are written exactly as in the contract, '
                "in lower case with underscores; rename it)"
            )
    return ""


#: How far below row 1 a header is looked for, when row 1 is not one.
HEADER_SEARCH_ROWS = 10


def _header_below(raw: RawTable, spec: TableSpec, first_rows: list[list[str]]) -> int | None:
    """The row that looks like the header when row 1 does not (a title row above it).

    Args:
        raw: The table as read.
        spec: Its contract table.
        first_rows: The file's first rows, whole (the header's row 1 included).
    """
    wanted = {c.name for c in spec.columns if c.required}
    for row, cells in enumerate(first_rows[1 : HEADER_SEARCH_ROWS + 1], start=2):
        found = {str(c).strip() for c in cells} & wanted
        if len(found) >= max(2, len(wanted) // 2) and len(found) > len(set(raw.header) & wanted):
            return row
    return None


def _check_header(
    raw: RawTable, spec: TableSpec, first_rows: list[list[str]] | None = None
) -> RawTable:
    """Reject a table missing a required column; warn about extra ones."""
    present = set(raw.header)
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    if missing:
        expected = ", ".join(spec.column_names)
        below = _header_below(raw, spec, first_rows or [])
        if below:
            raise DeliveryRejected(
                [
                    raw.issue(
                        f"row 1 is not the header row (no {', '.join(missing)}): the header "
                        f"seems to be in row {below}; delete the rows above it, so that the "
                        "header is row 1",
                        row=1,
                    )
                ]
            )
        raise DeliveryRejected(
            [
                raw.issue(
                    f'missing required column "{name}"'
                    + _near_name(name, raw.header)
                    + f"; the columns are: {expected}",
                    row=1,
                    column=name,
                )
                for name in missing
            ]
        )
    seen: set[str] = set()
    extra: list[str] = []
    for name in raw.header:
        if name in seen:
            raise DeliveryRejected(
                [raw.issue(f'column "{name}" appears twice', row=1, column=name)]
            )
        seen.add(name)
        if name not in spec.column_names:
            extra.append(name)
    if len(extra) > _MAX_EXTRA_WARNINGS:  # one warning, not thousands (a 10,000-column file)
        shown = ", ".join(f'"{name}"' for name in extra[:_MAX_EXTRA_WARNINGS])
        raw.issues.append(
            raw.issue(
                f"{len(extra):,} extra columns are ignored: {shown} "
                f"and {len(extra) - _MAX_EXTRA_WARNINGS:,} more",
                row=1,
                severity="warning",
            )
        )
        extra = []
    for name in extra:
        raw.issues.append(
            raw.issue(f'extra column "{name}" is ignored', row=1, column=name, severity="warning")
        )
    for col in spec.columns:
        if col.name not in present:
            raw.frame[col.name] = ""
    return raw


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """Rows already fitted to the header (:meth:`Header.fit`), numbered from row 2."""
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    if not rows:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in header})
    frame.index = pd.RangeIndex(2, 2 + len(rows), name="row")
    return frame


def _drop_blank_rows(frame: pd.DataFrame, issues: list[Issue] = ()) -> pd.DataFrame:  # type: ignore[assignment]
    """The rows with a cell, and those with an issue (a value outside the columns)."""
    if frame.empty:
        return frame
    blank = (frame == "").all(axis=1)
    if issues:
        blank &= ~frame.index.isin([i.row for i in issues])
    return frame[~blank]


def csv_header(first_row: list[str], file: str) -> Header:
    """The layout of a CSV's first row (names stripped; empty cells are not columns).

    Raises:
        DeliveryRejected: the first row is empty, or the file is not comma-separated.
    """
    for at, cell in enumerate(first_row):
        if "\n" in cell or "\r" in cell:
            raise DeliveryRejected(
                [
                    Issue(
                        file,
                        f"header cell {at + 1} runs over several lines: an unmatched double "
                        'quote (") makes the rest of the file one cell; remove it',
                        row=1,
                    )
                ]
            )
    header = Header.of(first_row)
    if not header.names:
        raise DeliveryRejected(
            [Issue(file, "the first row is empty; expected the header row", row=1)]
        )
    if len(header.names) == 1 and (";" in header.names[0] or "\t" in header.names[0]):
        sep = "semicolons" if ";" in header.names[0] else "tabs"
        raise DeliveryRejected(
            [Issue(file, f"columns are separated by {sep}; the contract requires commas", row=1)]
        )
    return header


def read_csv_table(data: bytes, file: str, spec: TableSpec) -> RawTable:
    """Read a CSV delivery into a :class:`RawTable` and check its header.

    Args:
        data: The file's bytes.
        file: Its path relative to the landing root.
        spec: The contract table it should hold.

    Raises:
        DeliveryRejected: empty file, not CSV, missing required column.
    """
    if not data.strip():
        raise DeliveryRejected(
            [Issue(file, "the file is empty; expected a header row and data rows")]
        )
    if data.startswith(_XLSX_MAGIC):
        raise DeliveryRejected(
            [Issue(file, "this is an Excel workbook saved with a .csv name; save it as CSV")]
        )
    text, encoding = detect_encoding(data, file)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DeliveryRejected([Issue(file, f"not a readable CSV file: {exc}")]) from None
    header = csv_header(records[0] if records else [], file)
    rows: list[list[str]] = []
    issues: list[Issue] = []
    for number, record in enumerate(records[1:], start=2):
        cells, wrong = header.fit(record, number, file)
        rows.append([cell.strip() for cell in cells])
        issues += wrong
    frame = _drop_blank_rows(_frame(list(header.names), rows), issues)
    raw = RawTable(
        file=file,
        sheet=None,
        frame=frame,
        header=list(header.names),
        encoding=encoding,
        issues=issues,
        layout=header,
    )
    log.debug("read %s: %d rows, encoding %s", file, len(frame), encoding)
    return _check_header(raw, spec, records[: HEADER_SEARCH_ROWS + 1])


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
        raise DeliveryRejected(
            [Issue(file, "the file is empty (0 bytes); expected an Excel workbook")]
        )
    if data.startswith(content.OLE2):
        raise DeliveryRejected([Issue(file, _OLE2_MESSAGES[content.ole2_kind(data)])])
    if not data.startswith(_XLSX_MAGIC):
        hint = (
            "a CSV file renamed .xlsx"
            if data[:1].isascii() and b"," in data[:200] and b"\x00" not in data[:200]
            else f"{content.describe(data)}, not an Excel workbook"
        )
        raise DeliveryRejected([Issue(file, f"{hint}; expected an .xlsx workbook")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DeliveryRejected([Issue(file, f"damaged or truncated workbook: {exc}")]) from None
    if total > max_unzipped_bytes:
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    f"workbook expands to {total:,} bytes, above the limit of {max_unzipped_bytes:,}",
                )
            ]
        )
    macros = ("xl/macrosheets/", "xl/dialogsheets/")  # Excel 4.0 (XLM) macros need no VBA
    if any(n.lower().endswith("vbaproject.bin") or n.startswith(macros) for n in names):
        raise DeliveryRejected([Issue(file, "workbook contains macros; save it as a plain .xlsx")])
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise DeliveryRejected(
            [Issue(file, "workbook has links to external workbooks; paste the values instead")]
        )
    if "xl/workbook.xml" not in names:
        what = content.describe(data)
        raise DeliveryRejected([Issue(file, f"{what}, not an Excel workbook (no xl/workbook.xml)")])
    if content.is_strict_workbook(data):
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    'the workbook is saved as "Strict Open XML Spreadsheet", which cannot be '
                    'read; save it again as "Excel Workbook (.xlsx)"',
                )
            ]
        )
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        if _refused_xml(exc):
            raise DeliveryRejected([Issue(file, _DTD_MESSAGE)]) from None
        raise DeliveryRejected(
            [Issue(file, f"damaged workbook: {type(exc).__name__}: {exc}")]
        ) from None
    return values, formulas


#: Why an OLE2 file is not read as a workbook, by what it holds (:func:`.content.ole2_kind`).
_OLE2_MESSAGES = {
    "password": (
        "the workbook is protected by a password to open it (encrypted), so it cannot be "
        "read; save a copy without the password (File > Info > Protect Workbook > Encrypt "
        "with Password, clear it), or deliver the CSVs"
    ),
    "xls": (
        "this is an Excel 97-2003 workbook (.xls); open it in Excel and save it as "
        '"Excel Workbook (.xlsx)"'
    ),
    "other": (
        "this is an old Office binary file, not an Excel workbook; save the statements as "
        '"Excel Workbook (.xlsx)"'
    ),
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
        raise DeliveryRejected([Issue(file, f"damaged workbook: {reason}", sheet=sheet)]) from None


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
        names = ", ".join(f'"{n}"' for n in values_wb.sheetnames)
        near = [n for n in values_wb.sheetnames if n.strip().casefold() == sheet.casefold()]
        hint = (
            f'; sheet "{near[0]}" has '
            + ("spaces around its name" if near[0].strip() != near[0] else "other capitals")
            + f': rename it "{sheet}"'
            if near
            else ""
        )
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    f'missing sheet "{sheet}"; the workbook has: {names or "no sheet"}{hint}',
                    sheet=sheet,
                )
            ]
        )
    value_rows = _sheet_rows(values_wb, file, sheet)
    formula_rows = _sheet_rows(formulas_wb, file, sheet)
    if not value_rows or not any(v is not None for v in value_rows[0]):
        raise DeliveryRejected(
            [
                Issue(
                    file,
                    "the sheet is empty or row 1 is empty; expected the header row in row 1",
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
                        f"formula {formula} has no computed value; open and save the workbook in Excel",
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

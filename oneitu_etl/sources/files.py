"""Reading delivered files into raw tables of text, exactly as a person sees them.

A :class:`RawTable` holds every cell as stripped text (empty string for an empty cell),
indexed by the row number a person sees in the file (the header is row 1). Nothing is
typed here: parsing numbers, dates and codes is validation's job, so that every bad cell
can be reported in place. Files that cannot be read at all raise
:class:`~oneitu_etl.issues.DeliveryRejected` with the reason.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from oneitu_etl.contract import TableSpec
from oneitu_etl.issue_text import Message, say
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

    def issue(self, message: Message, **place: object) -> Issue:
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
                        say(
                            "cell_too_long_quote" if cell.count("\n") > 1 else "cell_too_long",
                            length=f"{len(cell):,}",
                            limit=f"{MAX_CELL_CHARS:,}",
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
                        say("header_cell_empty", cell=outside[0] + 1),
                        sheet=sheet,
                        row=1,
                    )
                ]
            )
        last = max(outside) + 1
        value = cells[outside[0]].strip()
        if sheet is None:
            shown = ",".join(c.strip() for c in cells[:last])
            message = say("row_too_many_cells", cells=last, width=self.width)
            value = shown if len(shown) <= 200 else shown[:199] + "…"
        else:
            message = say(
                "cell_without_column", cell=f"{column_letter(outside[0])}{row}", value=value
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
            raise DeliveryRejected([Issue(file, say("csv_bom", encoding=name))])
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
            raise DeliveryRejected([Issue(file, say("csv_bad_utf8", offset=offset))]) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise DeliveryRejected(
            [Issue(file, say("csv_unreadable", byte=f"{byte:02X}", offset=exc.start))]
        ) from None


def nul_message(head: bytes, offset: int) -> Message:
    """Why a CSV with a NUL byte at ``offset`` is refused, saying what it looks like."""
    if encoding := content.utf16_without_bom(head):
        return say("csv_utf16_no_bom", encoding=encoding)
    if not head.startswith(content.ZIP) and any(head.startswith(m) for m, _ in content.MAGIC):
        return say("csv_binary", what=content.describe(head))
    return say("csv_nul", offset=offset)


def _simplified(name: str) -> str:
    """A column name without case, spaces, dashes and underscores, to find near matches."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _missing_column(name: str, header: list[str], expected: str) -> Message:
    """A required column missing, with the near name the header has it under, if any."""
    for given in header:
        if given != name and _simplified(given) == _simplified(name):
            return say("column_missing_near", column=name, found=given, columns=expected)
    return say("column_missing", column=name, columns=expected)


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
                        say("header_not_row_1", missing=", ".join(missing), row=below),
                        row=1,
                    )
                ]
            )
        raise DeliveryRejected(
            [
                raw.issue(
                    _missing_column(name, raw.header, expected),
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
                [raw.issue(say("column_twice", column=name), row=1, column=name)]
            )
        seen.add(name)
        if name not in spec.column_names:
            extra.append(name)
    if len(extra) > _MAX_EXTRA_WARNINGS:  # one warning, not thousands (a 10,000-column file)
        shown = ", ".join(f'"{name}"' for name in extra[:_MAX_EXTRA_WARNINGS])
        raw.issues.append(
            raw.issue(
                say(
                    "columns_extra",
                    count=f"{len(extra):,}",
                    columns=shown,
                    more=f"{len(extra) - _MAX_EXTRA_WARNINGS:,}",
                ),
                row=1,
                severity="warning",
            )
        )
        extra = []
    for name in extra:
        raw.issues.append(
            raw.issue(say("column_extra", column=name), row=1, column=name, severity="warning")
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


def _drop_blank_rows(frame: pd.DataFrame, issues: Sequence[Issue] = ()) -> pd.DataFrame:
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
                        say("header_multiline", cell=at + 1),
                        row=1,
                    )
                ]
            )
    header = Header.of(first_row)
    if not header.names:
        raise DeliveryRejected([Issue(file, say("csv_first_row_empty"), row=1)])
    if len(header.names) == 1 and (";" in header.names[0] or "\t" in header.names[0]):
        sep = "semicolons" if ";" in header.names[0] else "tabs"
        raise DeliveryRejected([Issue(file, say(f"csv_separator_{sep}"), row=1)])
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
        raise DeliveryRejected([Issue(file, say("csv_empty"))])
    if data.startswith(_XLSX_MAGIC):
        raise DeliveryRejected([Issue(file, say("csv_is_workbook"))])
    text, encoding = detect_encoding(data, file)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DeliveryRejected([Issue(file, say("csv_not_readable", reason=exc))]) from None
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

"""Reading a large CSV delivery in chunks, with the verdicts of the whole-file reader.

:func:`~oneitu_etl.sources.files.read_csv_table` holds a file, its text and every cell
in memory: right for the statements and activity files, not for a ledger of millions
of lines. This module reads the same files in slices of rows so that memory stays flat,
and reaches exactly the same verdicts: the same encoding, the same rejections with the
same messages, the same cells (stripped) under the same row numbers.

- :class:`CsvScan` looks at the bytes once, as they stream past (while they are hashed
  and spooled): encoding per the contract (:func:`.files.detect_encoding`), and whether
  the file is *plain*: no quote character, no carriage return outside CRLF, no line
  longer than the ``csv`` module's field limit.
- :func:`iter_chunks` yields the rows as text frames, unstripped, indexed by row number.
  A plain file is tokenised by pandas' C parser (a quote-free line is a record, split
  on commas, exactly as the ``csv`` module splits it; short rows padded, long rows cut);
  any other file by the ``csv`` module itself, record by record.
- :func:`feed_cells` puts those rows, trimmed, in a DuckDB table, where the row engine
  judges a table too large to hold (:mod:`oneitu_etl.intake.large`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

import numpy as np
import pandas as pd

from oneitu_etl.contract import TableSpec
from oneitu_etl.issue_text import say
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.sources.files import (
    _OTHER_BOMS,
    _XLSX_MAGIC,
    HEADER_SEARCH_ROWS,
    MAX_CELL_CHARS,
    Header,
    RawTable,
    _check_header,
    csv_header,
    nul_message,
)

#: Rows per slice fed from the chunk reader: about 60 MB of text at the ledger's width.
CHUNK_ROWS = 100_000
#: Bytes that Windows-1252 leaves undefined (Python's ``cp1252`` codec refuses them).
_UNDEFINED_BYTES = b"\x81\x8d\x8f\x90\x9d"
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_LONE_CR = re.compile(rb"\r(?!\n)")
#: A longer line may hold an over-long cell (an error of its row): the ``csv`` module
#: reads it, record by record, and the row's cells are checked.
FIELD_LIMIT = MAX_CELL_CHARS

#: Opens the delivered bytes from the start, as many times as needed.
Opener = Callable[[], BinaryIO]


@dataclass
class CsvScan:
    """What one pass over a CSV file's bytes tells: its encoding, and whether it is plain.

    Feed every block in order (:meth:`feed`), then read :meth:`verdict`.
    """

    size: int = 0
    head: bytes = b""
    nonblank: bool = False
    nul: int | None = None
    utf8_error: int | None = None
    cp1252_error: int | None = None
    cp1252_byte: int = 0
    quote: bool = False
    lone_cr: bool = False
    long_line: bool = False
    #: Line feeds and carriage returns: a bound on the number of rows.
    line_ends: int = 0
    #: Line feeds alone, whether the last byte is one, and whether every byte is ASCII:
    #: what the columnar judge needs to know that a line is a row.
    newlines: int = 0
    ends_with_newline: bool = False
    ascii: bool = True
    _line: int = 0
    _cr_pending: bool = False
    _utf8: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("strict"), repr=False
    )

    def feed(self, block: bytes) -> None:
        """Look at the next ``block`` of the file."""
        if not block:
            return
        if len(self.head) < 512:  # enough to tell UTF-16 without a BOM, or a PDF
            self.head = (self.head + block)[:512]
        if not self.nonblank and block.strip():
            self.nonblank = True
        if self.nul is None and (at := block.find(b"\x00")) >= 0:
            self.nul = self.size + at
        if self.utf8_error is None:
            pending = len(self._utf8.getstate()[0])
            try:
                self._utf8.decode(block)
            except UnicodeDecodeError as exc:
                self.utf8_error = self.size - pending + exc.start
        ascii_block = block.isascii()  # the usual case, and fast: no byte to look for
        self.ascii = self.ascii and ascii_block
        undefined = not ascii_block and len(block.translate(None, _UNDEFINED_BYTES)) != len(block)
        if self.cp1252_error is None and undefined:
            m = _CP1252_UNDEFINED.search(block)
            self.cp1252_error, self.cp1252_byte = self.size + m.start(), block[m.start()]
        self.quote = self.quote or b'"' in block
        newlines = block.count(b"\n")
        self.newlines += newlines
        self.line_ends += newlines + block.count(b"\r")
        self.ends_with_newline = block.endswith(b"\n")
        self._lines(block)
        self.size += len(block)

    def _lines(self, block: bytes) -> None:
        if self._cr_pending and not block.startswith(b"\n"):
            self.lone_cr = True
        self._cr_pending = False
        if not self.lone_cr and b"\r" in block:
            m = _LONE_CR.search(block)
            if m and m.start() == len(block) - 1:
                self._cr_pending = True  # the next block may start with its "\n"
            elif m:
                self.lone_cr = True
        if self.long_line:
            return
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
        if not len(ends):
            self._line += len(block)
            longest = self._line
        else:  # the line carried over, the lines inside the block, the line left open
            inside = int(np.diff(ends).max(initial=1)) - 1
            longest = max(self._line + int(ends[0]), inside)
            self._line = len(block) - int(ends[-1]) - 1
            longest = max(longest, self._line)
        self.long_line = longest > FIELD_LIMIT

    def finish(self) -> None:
        """Close the scan (a truncated UTF-8 sequence at the end is an error)."""
        if self.utf8_error is None:
            pending = len(self._utf8.getstate()[0])
            try:
                self._utf8.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                self.utf8_error = self.size - pending + exc.start
        if self._cr_pending:
            self.lone_cr = True
            self._cr_pending = False

    @property
    def lines(self) -> int:
        """Lines in the file (a last line without its line feed counts)."""
        return self.newlines + (0 if self.ends_with_newline or not self.size else 1)

    @property
    def plain(self) -> bool:
        """Whether pandas' C parser splits the file exactly as the ``csv`` module does."""
        return not (self.quote or self.lone_cr or self.long_line)

    def straight(self, file: str) -> bool:
        """Whether DuckDB's CSV reader reads these bytes line by line as the ``csv`` module
        reads rows (plain UTF-8 ASCII with a header and a line)."""
        if not (self.plain and self.ascii and self.lines > 1):
            return False
        try:
            return self.verdict(file) == "utf-8"
        except DeliveryRejected:
            return False

    def verdict(self, file: str) -> str:
        """The encoding, as :func:`.files.read_csv_table` decides it.

        Raises:
            DeliveryRejected: with the very message the whole-file reader gives (empty
                file, a workbook named .csv, UTF-16/32, NUL byte, bad UTF-8 after a BOM,
                bytes neither UTF-8 nor Windows-1252).
        """
        if not self.nonblank:
            raise DeliveryRejected([Issue(file, say("csv_empty"))])
        if self.head.startswith(_XLSX_MAGIC):
            raise DeliveryRejected([Issue(file, say("csv_is_workbook"))])
        for bom, name in _OTHER_BOMS:
            if self.head.startswith(bom):
                raise DeliveryRejected([Issue(file, say("csv_bom", encoding=name))])
        if self.nul is not None:
            raise DeliveryRejected([Issue(file, nul_message(self.head, self.nul))])
        if self.head.startswith(b"\xef\xbb\xbf"):
            if self.utf8_error is not None:
                raise DeliveryRejected([Issue(file, say("csv_bad_utf8", offset=self.utf8_error))])
            return "utf-8-sig"
        if self.utf8_error is None:
            return "utf-8"
        if self.cp1252_error is not None:
            byte = self.cp1252_byte
            raise DeliveryRejected(
                [
                    Issue(
                        file,
                        say("csv_unreadable", byte=f"{byte:02X}", offset=self.cp1252_error),
                    )
                ]
            )
        return "cp1252"


def scan_bytes(data: bytes) -> CsvScan:
    """A finished :class:`CsvScan` of bytes held in memory."""
    scan = CsvScan()
    scan.feed(data)
    scan.finish()
    return scan


# -- the header ---------------------------------------------------------------------------
def _text(source: BinaryIO, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(source, encoding=encoding, errors="strict", newline="")


def read_header(opener: Opener, file: str, spec: TableSpec, encoding: str) -> RawTable:
    """The header row, checked as the whole-file reader checks it.

    Returns:
        A :class:`RawTable` with no rows: the header, the encoding and its warnings
        (extra columns).

    Raises:
        DeliveryRejected: first row empty, semicolons or tabs, missing or repeated column.
    """
    with opener() as source:
        text = _text(source, encoding)
        try:  # the first rows: where the header seems to be, if row 1 is not it
            rows = list(islice(csv.reader(text), HEADER_SEARCH_ROWS + 1))
        except csv.Error as exc:
            raise DeliveryRejected([Issue(file, say("csv_not_readable", reason=exc))]) from None
        text.detach()
    first = rows[0] if rows else []
    header = csv_header(first, file)
    names = list(header.names)
    frame = pd.DataFrame({name: pd.Series(dtype="str") for name in names})
    frame.index.name = "row"
    raw = RawTable(
        file=file, sheet=None, frame=frame, header=names, encoding=encoding, layout=header
    )
    return _check_header(raw, spec, rows)


class NotPlain(Exception):
    """A row of a file read the plain way does not fit its header: read it record by record."""


# -- the rows -----------------------------------------------------------------------------
def _plain_chunks(
    opener: Opener, header: Header, encoding: str, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """Rows of a plain file (one line, one record) through pandas' C parser.

    Raises:
        NotPlain: a row has more cells than the header, or a value under an empty header
            cell: the ``csv`` module's way says which (:func:`_csv_chunks`).
    """
    width = header.width
    unnamed = [i for i in range(width) if i not in set(header.positions)]
    with opener() as source, warnings.catch_warnings():
        # a first row longer than the header: pandas warns (and would cut it)
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            reader = pd.read_csv(
                source,
                header=None,
                names=list(range(width)),
                index_col=False,
                skiprows=1,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                encoding=encoding,
                engine="c",
                chunksize=chunk_rows,
            )
            start = 2
            for chunk in reader:
                if unnamed and (chunk[unnamed].apply(lambda c: c.str.strip()) != "").any().any():
                    raise NotPlain  # the csv module's way rejects it, with the same message
                chunk = chunk[list(header.positions)] if unnamed else chunk
                chunk.index = pd.RangeIndex(start, start + len(chunk), name="row")
                start += len(chunk)
                yield chunk
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            raise NotPlain from None


def _csv_chunks(
    opener: Opener, file: str, header: Header, encoding: str, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """Rows of any other file, record by record through the ``csv`` module.

    The errors of rows that do not fit the header (:meth:`.files.Header.fit`) are in
    each slice's ``attrs["issues"]``.
    """
    columns = list(range(len(header.names)))
    with opener() as source:
        reader = csv.reader(_text(source, encoding))
        try:
            next(reader, None)
            row = 2
            while True:
                records = list(islice(reader, chunk_rows))
                if not records:
                    return
                cells: list[list[str]] = []
                issues: list[Issue] = []
                for number, record in enumerate(records, start=row):
                    fitted, wrong = header.fit(record, number, file)
                    cells.append(fitted)
                    issues += wrong
                frame = pd.DataFrame(cells, columns=columns, dtype=str)
                frame.index = pd.RangeIndex(row, row + len(cells), name="row")
                frame.attrs["issues"] = issues
                row += len(cells)
                yield frame
        except csv.Error as exc:
            raise DeliveryRejected([Issue(file, say("csv_not_readable", reason=exc))]) from None


def iter_chunks(
    opener: Opener, raw: RawTable, *, plain: bool, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """The file's rows in slices of ``chunk_rows``, as text, *not* stripped.

    Columns are named by the header (duplicates were refused); the index is the row
    number as a person sees it (the header is row 1); blank rows are still there.

    Raises:
        DeliveryRejected: the ``csv`` module cannot read a record (as the whole file
            would be rejected).
        NotPlain: ``plain`` was asked for, and a row does not fit the header.
    """
    header = raw.layout or Header.of(raw.header)
    encoding = raw.encoding or "utf-8"
    chunks = (
        _plain_chunks(opener, header, encoding, chunk_rows)
        if plain
        else _csv_chunks(opener, raw.file, header, encoding, chunk_rows)
    )
    for chunk in chunks:
        chunk.columns = list(header.names)
        yield chunk


# -- into DuckDB (a large table judged there: :mod:`oneitu_etl.intake.large`) ------------
def feed_cells(
    con: object, opener: Opener, raw: RawTable, names: list[str], plain: bool, chunk_rows: int
) -> list[Issue]:
    """Fill the DuckDB table ``cells_`` (``row`` and the trimmed text of ``names``) from the
    chunk reader, dropping what ``con`` held; the issues of the rows that do not fit."""
    misfit: list[Issue] = []
    for name, kind in con.execute(
        "SELECT table_name, table_type FROM information_schema.tables ORDER BY table_type DESC"
    ).fetchall():  # a straight reading given up, or a first try of the plain way (views first)
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {name}")
    text = ", ".join('"' + n.replace('"', '""') + '" VARCHAR' for n in names)
    con.execute(f"CREATE TABLE cells_ (row BIGINT, {text})")
    for chunk in iter_chunks(opener, raw, plain=plain, chunk_rows=chunk_rows):
        wrong = chunk.attrs.get("issues") or []
        misfit += wrong
        cells = chunk.apply(lambda column: column.str.strip())
        blank = (cells == "").all(axis=1) & ~cells.index.isin([w.row for w in wrong])
        cells = cells[~blank]
        frame = pd.DataFrame({n: cells[n] if n in cells else "" for n in names}, index=cells.index)
        con.register("slice_", frame.astype(object).reset_index(names="row"))
        con.execute("INSERT INTO cells_ SELECT * FROM slice_")
        con.unregister("slice_")
    return misfit


def check_readable(opener: Opener, file: str, encoding: str) -> None:
    """Raise the ``csv`` module's rejection if some record of the file cannot be read."""
    header = RawTable(file, None, pd.DataFrame(), [""], encoding)
    for _ in iter_chunks(opener, header, plain=False, chunk_rows=CHUNK_ROWS):
        pass

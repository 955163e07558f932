"""A table too large to hold (Finance's ledger: millions of lines), judged inside DuckDB.

:func:`check_large` runs the same compiled query as
:func:`oneitu_etl.validate.rows.check_table` over the file's cells in DuckDB; only the
failing rows come back, for the messages of :func:`oneitu_etl.validate.rows.judge_rows`;
the verdicts are the same (``tests/validate/test_columnar.py``). The cells come
straight from DuckDB's CSV reader for a plain file (UTF-8 ASCII, no quote, each line a
row: a row's number is its position), otherwise from the chunk reader
(:func:`oneitu_etl.sources.chunks.feed_cells`), with its messages for the rows that do not
fit. A clean table's typed lines go to Parquet for the ledger store in the same pass, and
its sums by the reconciliation keys (L1/L2) are computed there. DuckDB keeps its memory
under :data:`oneitu_etl.warehouse.ledger_store.MEMORY_LIMIT` and spills beyond it.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oneitu_etl.contract import TableSpec
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.sources.chunks import (
    CHUNK_ROWS,
    CsvScan,
    NotPlain,
    Opener,
    check_readable,
    feed_cells,
    read_header,
)
from oneitu_etl.sources.files import RawTable
from oneitu_etl.validate.engine import _UNIQUE, Compiled, literal, quoted
from oneitu_etl.validate.rows import CheckedTable, Context, finish, judge_rows
from oneitu_etl.validate.suites import TABLE_LEVEL, Declaration, cents_column, resolve_rules
from oneitu_etl.warehouse import ledger_store

log = logging.getLogger(__name__)

#: What the log says when DuckDB read the file itself.
STRAIGHT = "judged and typed by DuckDB"


@dataclass
class LargeTable(CheckedTable):
    """A table judged in DuckDB: ``frame`` holds its sums by the reconciliation keys (with
    ``postings``, the rows of each key), not its rows; a clean table's typed lines are in
    the Parquet file ``parquet`` (store columns, :data:`.ledger_store.COLUMNS`).

    Attributes:
        rows: Rows judged (blank rows left out).
    """

    rows: int = 0
    parquet: Path | None = None
    #: Lines DuckDB's CSV reader read (``None``: fed by the chunk reader).
    lines: int | None = None

    @property
    def row_count(self) -> int:
        """Rows judged, as ``len(raw.frame)`` would be for the whole file."""
        return self.rows

    @property
    def good(self) -> pd.DataFrame:
        """Not available: the typed lines are in ``parquet``."""
        raise TypeError("a large table's rows are in its Parquet file")


def _straight(
    con: object, source: Path, raw: RawTable, spec: TableSpec, compiled: Compiled, typed0: Path
) -> tuple[int | None, bool]:
    """Type a plain file read by DuckDB's CSV reader into ``typed_``: its lines (``None``:
    not read so), and whether ``typed0`` holds the store's columns, in order (a clean
    table's lines, ready for the ledger store).

    One pass: the cells are trimmed and typed as they are read, and a row's number is its
    position (insertion order is kept). When the declared columns are the store's, that
    pass writes the store's columns only; if no typed value is NULL (no empty cell, none
    that does not parse: no format flag, no blank row), the rules run over that file and it
    is the lines stored. Otherwise the typed values and format flags are written. The
    text itself is read again (``cells_``) only if a row fails.
    """
    import duckdb  # noqa: PLC0415

    if raw.issues or raw.header != list(spec.column_names):
        return None, False
    names = spec.column_names
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    reader = (
        f"read_csv({literal(str(source))}, header = true, auto_detect = false, "
        f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
        "strict_mode = true, null_padding = false)"
    )
    cells = ", ".join(f"{_trimmed(quoted(n))} AS {quoted(n)}" for n in names)
    blank = " AND ".join(f"{quoted(n)} = ''" for n in names)
    compiled.ascii = True  # DuckDB reads ASCII files only (accept() checks it of a guess)
    trimmed = f"(SELECT {cells} FROM {reader})"  # noqa: S608 - literals, quoted names
    parquet = literal(str(typed0))
    store = _store_columns(compiled)
    try:  # streamed to Parquet, in order: memory stays that of DuckDB's buffers
        if store is not None and _store_typed(con, compiled, reader, store, parquet):
            con.execute(f"CREATE VIEW lines_ AS SELECT * FROM {reader}")  # noqa: S608
            count = f"SELECT count(*) FROM read_parquet({parquet})"  # noqa: S608 - a literal
            return con.execute(count).fetchone()[0], True
        typed = compiled.typed_query(trimmed, extra=f"({blank}) AS blank_")
        con.execute(f"COPY ({typed}) TO {parquet} (FORMAT parquet)")
    except duckdb.Error as exc:  # a line DuckDB cannot read as a row: the chunk reader says why
        log.info("%s: read by the chunk reader (%s)", raw.file, str(exc).splitlines()[0])
        return None, False
    positions = f"read_parquet({parquet}, file_row_number = true)"
    con.execute(
        f"CREATE VIEW typed_ AS SELECT file_row_number + 2 AS row, "  # noqa: S608 - a literal path
        f"* EXCLUDE (blank_, file_row_number) FROM {positions} WHERE NOT blank_"
    )
    con.execute(f"CREATE VIEW lines_ AS SELECT * FROM {reader}")  # noqa: S608 - read if a row fails
    return con.execute(f"SELECT count(*) FROM read_parquet({parquet})").fetchone()[0], False  # noqa: S608


def _store_typed(
    con: object, compiled: Compiled, reader: str, store: dict[str, str], parquet: str
) -> bool:
    """Write the store's columns of ``reader``'s cells to ``parquet``, untrimmed; if no
    value is NULL (the footer's statistics) and no code starts or ends with a space or a
    control character, every cell was as ``str.strip()`` leaves it: ``typed_`` reads them
    as :meth:`.Compiled.typed_query` types them, every format flag false, and ``True``.

    Not trimming is most of the pass's saving: a text cell that starts or ends with a
    character up to 32 is NULL here (the first and last characters of each cell of a
    code column, of few values, are checked among its distinct values instead); an
    amount or a date with one does not match its pattern (ASCII digits only).
    """
    guarded = []
    for column in compiled.declaration.columns:
        c = quoted(column.name)
        if column.type == "text":
            c = f"CASE WHEN ascii({c}) > 32 AND ascii({c}[-1:]) > 32 THEN {c} END AS {c}"
        guarded.append(c)
    cells = f"(SELECT {', '.join(guarded)} FROM {reader})"  # noqa: S608 - quoted names
    typed = compiled.typed_query(cells, extra="0 AS row")
    columns = ", ".join(f"{value} AS {n}" for n, value in store.items())
    con.execute(f"COPY (SELECT {columns} FROM ({typed})) TO {parquet} (FORMAT parquet)")  # noqa: S608
    footer = f"parquet_metadata({parquet})"
    nulls = f"SELECT count(*) FROM {footer} WHERE stats_null_count IS DISTINCT FROM 0"  # noqa: S608
    if con.execute(nulls).fetchone()[0]:  # an empty cell, one that does not parse, padded
        return False
    codes = [c.name for c in compiled.declaration.columns if c.type == "code"]
    if codes:
        present = ", ".join(f"list(DISTINCT {quoted(n)})" for n in codes)
        found = con.execute(f"SELECT {present} FROM read_parquet({parquet})").fetchone()  # noqa: S608
        if any(ord(v[0]) <= 32 or ord(v[-1]) <= 32 for values in found for v in values or []):
            return False
        _holding(con, compiled, dict(zip(codes, found, strict=True)))
    named = {value: n for n, value in store.items()}
    as_typed = ["file_row_number + 2 AS row"]
    for i in range(len(compiled.declaration.columns)):
        if f"c{i}" in named:  # an amount, as typed_query types it
            as_typed += [f"{named[f'c{i}']} AS c{i}", f"CAST(c{i} AS DOUBLE) / 100 AS v{i}"]
        else:
            as_typed.append(f"{named[f'v{i}']} AS v{i}")
    as_typed += [f"false AS fmt{i}" for i in compiled.formatted()]
    positions = f"read_parquet({parquet}, file_row_number = true)"
    con.execute(f"CREATE VIEW typed_ AS SELECT {', '.join(as_typed)} FROM {positions}")  # noqa: S608
    return True


def _holding(con: object, compiled: Compiled, present: dict[str, list[str]]) -> None:
    """Rules of one code column (no row condition) that hold on each of its distinct
    values (``present``) hold on every row: :attr:`.Compiled.holds`, not flagged."""
    for j, rule in enumerate(compiled.rules):
        column = rule.kwargs.get("column")
        if column not in present or rule.kwargs.get("row_condition") or rule.type in _UNIQUE:
            continue
        values = f"(SELECT unnest(?::VARCHAR[]) AS {compiled.value(column)})"
        failing = f"SELECT count(*) FROM {values} WHERE coalesce({compiled.failing(j)}, false)"  # noqa: S608
        if con.execute(failing, [present[column] or []]).fetchone()[0] == 0:
            compiled.holds.add(j)


def _store_columns(compiled: Compiled) -> dict[str, str] | None:
    """The ledger store's columns as typed values, if the declared columns are those."""
    typed = {}
    for i, column in enumerate(compiled.declaration.columns):
        if column.type in ("amount", "signed_amount"):
            typed[cents_column(column.name)] = f"c{i}"
        elif column.type in ("text", "code", "date"):
            typed[column.name] = f"v{i}"
        else:
            return None
    return ledger_store.store_columns(typed)


def _trimmed(cell: str) -> str:
    """SQL: an ASCII cell without what ``str.strip()`` removes (trimmed only if it must be)."""
    space = "'" + "".join(map(chr, (32, 9, 10, 11, 12, 13, 28, 29, 30, 31))) + "'"
    edge = f"ascii({cell}) <= 32 OR ascii({cell}[-1:]) <= 32"
    return f"coalesce(CASE WHEN {edge} THEN trim({cell}, {space}) ELSE {cell} END, '')"


def _cells(con: object, names: list[str]) -> None:
    """``cells_``: the trimmed text of a straight reading's failing rows (read again)."""
    cells = ", ".join(f"{_trimmed(quoted(n))} AS {quoted(n)}" for n in names)
    if con.execute("SELECT count(*) FROM failing_").fetchone()[0]:
        con.execute("CREATE TABLE text_ AS FROM lines_")  # in order: rowid is the position
        numbered = f"SELECT rowid + 2 AS row, {cells} FROM text_"  # noqa: S608 - quoted names
        con.execute(f"CREATE TABLE cells_ AS FROM ({numbered}) SEMI JOIN failing_ USING (row)")  # noqa: S608
    else:
        empty = f"SELECT 0::BIGINT AS row, {cells} FROM lines_ WHERE false"  # noqa: S608
        con.execute(f"CREATE TABLE cells_ AS {empty}")


def _sum_keys(declaration: Declaration) -> tuple[list[str], list[str]]:
    """The columns the declared table-level rules group by, and the amounts they sum."""
    keys: list[str] = []
    values: list[str] = []
    for e in declaration.expectations:
        if e.type in TABLE_LEVEL:
            keys += [k for k in e.meta.get("for_each", []) if k not in keys]
            column = cents_column(e.kwargs["column"])
            values += [column] if column not in values else []
    return keys, values


def check_large(
    opener: Opener,
    file: str,
    spec: TableSpec,
    ctx: Context,
    scan: CsvScan | None,
    *,
    source: Path | None = None,
    work_dir: Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> LargeTable | None:
    """Judge a CSV delivery in DuckDB, as :func:`oneitu_etl.validate.rows.check_table` judges it whole.

    Args:
        opener: Opens the file's bytes from the start.
        file: Path relative to the landing root, for messages.
        spec: Its contract table.
        ctx: Reference data, the year and the declarations.
        scan: The finished scan of the same bytes (encoding, plain or not); ``None``
            for a judgement made while the file is still being scanned: it reads the
            file straight or answers ``None`` (:func:`accept` confirms it afterwards).
        source: The file on disk, if it is (DuckDB's CSV reader reads it straight).
        work_dir: Where DuckDB spills and the typed lines are written.
        chunk_rows: Rows per slice fed from the chunk reader.

    Raises:
        DeliveryRejected: the file cannot be read at all (same reasons and messages as
            :func:`.files.read_csv_table`).
    """
    encoding = scan.verdict(file) if scan is not None else "utf-8"
    try:
        raw = read_header(opener, file, spec, encoding)
    except (DeliveryRejected, UnicodeDecodeError):
        if scan is None:
            return None
        if not scan.plain:  # the whole-file reader meets a record it cannot read first
            check_readable(opener, file, encoding)
        raise
    declaration = ctx.declaration(spec.kind)
    rules = resolve_rules(declaration, ctx.scope)
    compiled = Compiled(declaration, rules)
    work = work_dir or Path(tempfile.mkdtemp(prefix="oneitu-judge-"))
    con = ledger_store.duckdb_connection(work / "duckdb")
    try:
        misfit: list[Issue] = []
        names = [*raw.header, *(c.name for c in spec.columns if c.name not in raw.header)]
        lines, ready = None, False
        if source is not None and (scan is None or scan.straight(file)):
            lines, ready = _straight(
                con, source, raw, spec, compiled, work / f"{source.name}.typed"
            )
            if lines is not None and scan is not None and lines != scan.lines - 1:
                lines = None  # a blank line DuckDB skipped: row numbers would shift
        if lines is None and scan is None:
            return None
        if lines is None:
            compiled.ascii = False
            try:
                misfit = feed_cells(con, opener, raw, names, scan.plain, chunk_rows)
            except NotPlain:  # a row does not fit the header: record by record, to say which
                misfit = feed_cells(con, opener, raw, names, False, chunk_rows)
            con.execute(f"CREATE TABLE typed_ AS {compiled.typed_query('cells_')}")  # noqa: S608
        elif scan is not None:
            log.info("%s: %s", file, STRAIGHT)
        out = work / f"{source.name if source else 'table'}.lines.parquet"
        stored = work / f"{source.name}.typed" if ready and lines is not None else None
        table = _judged(con, compiled, raw, names, spec, ctx, misfit, out, stored)
        table.lines = lines
        return table
    finally:
        con.close()
        if source is not None:
            (work / f"{source.name}.typed").unlink(missing_ok=True)


def _judged(
    con: object,
    compiled: Compiled,
    raw: RawTable,
    names: list[str],
    spec: TableSpec,
    ctx: Context,
    misfit: list[Issue],
    out: Path,
    stored: Path | None = None,
) -> LargeTable:
    """The flags over ``typed_``: the failing rows' messages, the sums, the typed lines
    (``stored``: a file of them already written, in the store's columns)."""
    screen, unique = compiled.screen("typed_")
    rows, last, flagged, *repeated = con.execute(screen).fetchone()
    compiled.unique_holds = {j for j, count in zip(unique, repeated, strict=True) if count == 0}
    flags = compiled.flags_query("typed_", failing_only=True)
    if not flagged and len(compiled.unique_holds) == len(unique):  # clean: no other pass
        flags = f"SELECT * FROM ({flags}) WHERE false"  # noqa: S608 - its columns only
    text = ", ".join(f"c.{quoted(n)}" for n in names)
    con.execute(f"CREATE TABLE failing_ AS {flags}")  # few rows: their text is joined
    if con.execute("SELECT count(*) FROM failing_").fetchone()[0] and not _exists(con, "cells_"):
        _cells(con, names)
    if not _exists(con, "cells_"):
        con.execute(
            f"CREATE TABLE cells_ AS SELECT 0::BIGINT AS row, {', '.join(f'{literal(chr(32))} AS {quoted(n)}' for n in names)} WHERE false"
        )  # noqa: S608
    found = con.execute(
        f"SELECT f.*, {text} FROM failing_ f JOIN cells_ c USING (row) ORDER BY row"  # noqa: S608
    ).df()
    found = found.set_index(pd.Index(found["row"].to_numpy(dtype="int64"), name="row"))
    text = found[names]
    failing = RawTable(raw.file, None, text, raw.header, raw.encoding, list(raw.issues) + misfit)
    issues, results, _ = judge_rows(failing, ctx, found, compiled)
    keys, values = _sum_keys(compiled.declaration)
    named = {c.name: f"v{i}" for i, c in enumerate(compiled.declaration.columns)}
    named |= {cents_column(c.name): f"c{i}" for i, c in enumerate(compiled.declaration.columns)}
    sums = pd.DataFrame()
    if keys:
        present = " AND ".join(f"{named[k]} IS NOT NULL" for k in keys)
        sums = con.execute(
            f"SELECT {', '.join(f'{named[k]} AS {k}' for k in keys)}, "  # noqa: S608
            f"{', '.join(f'coalesce(sum({named[v]}), 0)::BIGINT AS {v}' for v in values)}, "
            f"count(*) AS postings FROM typed_ WHERE {present} GROUP BY ALL ORDER BY ALL"
        ).df()
        sums = sums.astype({v: "int64" for v in [*values, "postings"]})
    results = {k: sorted(v) for k, v in results.items()}
    table = finish(failing, spec, issues, results, sums, compiled, rows=rows)
    table = LargeTable(**vars(table), rows=rows)
    if not table.bad_rows and rows:
        contiguous = rows == last - 1
        if stored is not None and contiguous:
            stored.replace(out)
        else:
            columns = [f"{named[n]} AS {n}" for n in ledger_store.COLUMNS if n in named]
            if not contiguous:
                columns.insert(0, "row AS row_number")
            con.execute(
                f"COPY (SELECT {', '.join(columns)} FROM typed_) "  # noqa: S608
                f"TO {literal(str(out))} (FORMAT parquet)"
            )
        table.parquet = out
    log.info("%s: %d rows, %d failing", raw.file, rows, len(found))
    return table


def _exists(con: object, name: str) -> bool:
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return bool(con.execute(query, [name]).fetchone()[0])


def accept(table: LargeTable | None, scan: CsvScan, file: str) -> LargeTable | None:
    """A judgement made before the scan (``scan=None``), if the scan confirms every line a
    row of plain text; otherwise ``None`` (its typed lines removed)."""
    if table is None:
        return None
    if scan.straight(file) and table.lines == scan.lines - 1:
        log.info("%s: %s", file, STRAIGHT)
        return table
    log.info("%s: judged again from the spool (a line is not a row)", file)
    if table.parquet is not None:
        table.parquet.unlink(missing_ok=True)
    return None


__all__ = ["LargeTable", "accept", "check_large"]

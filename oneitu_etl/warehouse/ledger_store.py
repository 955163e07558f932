"""The ledger store: Finance's detailed expense lines, columnar, beside the warehouse.

A ledger runs to millions of lines a year, and the report needs only their sums (rules
L1/L2, ``ledger_totals``). Loading every line as a row of the warehouse database costs
more than all the rest of a run (inserting a million rows into SQLite through its
driver alone is about twice pandas reading and summing the whole file), so the typed
lines are kept in Parquet, written by an embedded columnar engine (DuckDB), and the
warehouse database holds what the report and the audit need: the delivery, its sums,
and where its lines are (``ledger_files``).

- One file per delivered content: ``<store>/<sha256[:2]>/<sha256>.parquet``, named by
  the SHA-256 of the delivered CSV (the archive's address), so that a file is written
  once whatever the number of times its content is delivered, and a crash after the
  file is written but before the warehouse commits leaves a file the next run reuses.
- Written to a temporary name, flushed, then renamed: never half a file.
- Columns: ``posting_id``, ``posting_date`` (DATE), ``org_unit``, ``strategic_code``,
  ``line_code``, ``amount_cents`` (BIGINT), in file order, and ``row_number`` (the
  line's row in the delivered file, header = row 1) *only when some line of the file is
  not a row* (a blank line, a record over several lines). Without it, the n-th stored
  line (from 0) is row n + 2: numbering a million lines costs DuckDB more than typing
  them. :func:`lines_sql` gives the lines with their row numbers either way.
- Never deleted: a superseded delivery keeps its lines (contract section 4), as its
  rows in the database are kept.

Lines loaded before the store existed (migration 0005) are still rows of the
``expense_ledger`` table; :func:`current_lines` reads either.

Query the lines of a year with DuckDB, for example::

    SELECT * FROM read_parquet('<store>/*/*.parquet')   -- every delivery ever

and join ``ledger_files`` (``path``, ``delivery_id``, ``year``) for the current ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from oneitu_etl.fileio import atomic_move
from oneitu_etl.warehouse import schema as s

if TYPE_CHECKING:  # pandas and DuckDB load with the first ledger, not with this module
    import duckdb
    import pandas as pd

#: The stored columns, in order, with their DuckDB types.
COLUMNS: dict[str, str] = {
    "row_number": "BIGINT",
    "posting_id": "VARCHAR",
    "posting_date": "DATE",
    "org_unit": "VARCHAR",
    "strategic_code": "VARCHAR",
    "line_code": "VARCHAR",
    "amount_cents": "BIGINT",
}
#: DuckDB's memory for one ledger: above it, DuckDB spills to the spool folder, so that
#: a ledger five times larger does not take five times the memory.
MEMORY_LIMIT = "256MB"


class LedgerStoreError(RuntimeError):
    """The ledger store does not hold the lines the warehouse says it holds."""


def duckdb_connection(spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for one ledger: bounded memory, spilling to ``spill_dir``."""
    import duckdb  # noqa: PLC0415 - loaded with the first ledger

    spill_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill_dir)})
    # rows in file order: row numbers follow from positions, and "the first occurrence"
    # means the same as for the row checker
    con.execute("SET preserve_insertion_order = true")
    return con


def relative_path(sha256: str) -> str:
    """Where a delivered content's lines are, relative to the store."""
    return f"{sha256[:2]}/{sha256}.parquet"


def literal(value: str) -> str:
    """A SQL string literal (DuckDB takes file paths as literals in ``COPY``)."""
    return "'" + str(value).replace("'", "''") + "'"


def store_columns(typed: dict[str, str]) -> dict[str, str] | None:
    """:data:`COLUMNS` (in order, no ``row_number``) from ``typed`` (a column's name ->
    its SQL expression), if ``typed`` has exactly those columns; otherwise ``None``."""
    wanted = [n for n in COLUMNS if n != "row_number"]
    return {n: typed[n] for n in wanted} if sorted(typed) == sorted(wanted) else None


def adopt(store: Path, sha256: str, written: Path) -> str:
    """Move a written Parquet file of a delivered content into the store, atomically.

    A reader sees the whole file or none (:func:`~oneitu_etl.fileio.atomic_move`). The
    same content always gives the same lines, so an existing file is replaced by its equal.

    Returns:
        The path relative to the store, as ``ledger_files.path`` records it.
    """
    relative = relative_path(sha256)
    atomic_move(written, store / relative)
    return relative


def write_frames(con: duckdb.DuckDBPyConnection, frames: Iterable[pd.DataFrame], out: Path) -> int:
    """Write typed slices (index = row number) as one Parquet file of the store's columns.

    Each slice is written to a part file as it comes (memory stays that of a slice), then
    the parts are copied into one file by DuckDB, streaming. ``row_number`` is kept only
    if the rows are not the lines 2, 3, 4... of the file.

    Returns:
        The number of lines written.
    """
    parts: list[Path] = []
    rows = 0
    contiguous = True
    select_list = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in COLUMNS.items())
    try:
        for i, frame in enumerate(frames):
            part = out.with_name(f"{out.name}.part{i:05d}")
            slice_ = frame.reset_index(names="row_number")[list(COLUMNS)]
            expected = range(rows + 2, rows + 2 + len(slice_))
            contiguous = contiguous and slice_["row_number"].tolist() == list(expected)
            con.register("slice_", slice_)
            con.execute(
                f"COPY (SELECT {select_list} FROM slice_) TO {literal(part)} (FORMAT parquet)"  # noqa: S608 - names of COLUMNS
            )
            con.unregister("slice_")
            parts.append(part)
            rows += len(slice_)
        if parts:
            files = "[" + ", ".join(literal(p) for p in parts) + "]"
            source = f"read_parquet({files})"
        else:
            source = "(SELECT " + ", ".join(f"NULL::{k} AS {n}" for n, k in COLUMNS.items())
            source += " WHERE false)"
        names = ", ".join(n for n in COLUMNS if n != "row_number" or not contiguous)
        con.execute(
            f"COPY (SELECT {names} FROM {source} ORDER BY row_number) "  # noqa: S608 - literal paths
            f"TO {literal(out)} (FORMAT parquet)"
        )
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return rows


def lines_sql(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """A DuckDB ``SELECT`` of a stored file's lines, every column, row numbers included."""
    source = f"read_parquet({literal(path)}, file_row_number = true)"
    describe = f"DESCRIBE SELECT * FROM read_parquet({literal(path)})"  # noqa: S608 - literal path
    names = {r[0] for r in con.execute(describe).fetchall()}
    number = "row_number" if "row_number" in names else "file_row_number + 2"
    others = ", ".join(n for n in COLUMNS if n != "row_number")
    return f"SELECT {number} AS row_number, {others} FROM {source}"  # noqa: S608 - literal path


def current_lines(
    conn: Connection, store: Path, year: int, columns: Iterable[str] = COLUMNS
) -> pd.DataFrame:
    """The lines of the year's current ledger deliveries, with their delivery's ``_path``.

    In file (byte-wise path) then row order, as ingestion judged them. Lines of a
    delivery loaded before the store existed come from the ``expense_ledger`` table.

    Raises:
        LedgerStoreError: the warehouse names a file the store does not have (another
            ``ONEITU_LEDGER_STORE``, a store deleted by hand).
    """
    import pandas as pd  # noqa: PLC0415

    from oneitu_etl.warehouse.queries import bytewise, current  # noqa: PLC0415

    d, f, legacy = s.deliveries, s.ledger_files, s.expense_ledger
    wanted = list(columns)
    frames = []
    query = (
        current(f, year)
        .with_only_columns(d.c.path, f.c.path.label("file"))
        .order_by(bytewise(d.c.path))
    )
    stored = conn.execute(query).all()
    if stored:
        missing = [str(store / r.file) for r in stored if not (store / r.file).exists()]
        if missing:
            raise LedgerStoreError(
                f"the ledger store {store} does not have {', '.join(missing)}, which the "
                "warehouse lists; set ONEITU_LEDGER_STORE to the store this warehouse "
                "was loaded with"
            )
        spill = tempfile.TemporaryDirectory(prefix="oneitu-duckdb-")  # this reader's own
        con = duckdb_connection(Path(spill.name))
        try:
            for r in stored:
                lines = con.execute(
                    f"SELECT {', '.join(wanted)} FROM ({lines_sql(con, store / r.file)}) "  # noqa: S608 - names of COLUMNS
                    "ORDER BY row_number"
                ).df()
                frames.append(lines.assign(_path=r.path))
        finally:
            con.close()
            spill.cleanup()
    old = (
        conn.execute(
            current(legacy, year)
            .with_only_columns(*(legacy.c[c] for c in wanted), d.c.path.label("_path"))
            .order_by(bytewise(d.c.path), legacy.c.row_number)
        )
        .mappings()
        .all()
    )
    if old:
        frames.append(pd.DataFrame(old))
    if not frames:
        return pd.DataFrame(columns=[*wanted, "_path"])
    lines = pd.concat(frames, ignore_index=True)
    if "posting_date" in lines:  # DuckDB gives datetime64, the table gives dates
        lines["posting_date"] = pd.to_datetime(lines["posting_date"]).dt.date
    return lines.sort_values("_path", kind="stable", key=_bytewise_key).reset_index(drop=True)


def _bytewise_key(paths: pd.Series) -> pd.Series:
    return paths.map(lambda p: p.encode())

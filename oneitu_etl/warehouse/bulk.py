"""Bulk loading: many rows into one table, by the fastest path each database offers.

- **PostgreSQL**: ``COPY ... FROM STDIN`` through psycopg, on the connection of the
  current transaction (so a failure rolls it back like any insert).
- **SQLite**: one prepared ``INSERT`` run with ``executemany`` on the driver's cursor,
  tuples straight from the caller, none of SQLAlchemy's per-row processing.
- anything else: SQLAlchemy's ``executemany``.

Rows come either as dictionaries (small tables: issues, results) or as :class:`Rows`:
tuples in a given column order, values ready for the database (``str``, ``int``,
``float``, ``None``; dates as ISO text), which is what a ledger of millions of lines
needs: no dictionary per row. A :class:`RowStream` is many batches of such tuples, read
as they are loaded: one ``COPY`` for all of them on PostgreSQL (the server works on one
batch while the next is prepared), one ``executemany`` per batch on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert


class Rows(list):
    """Rows as tuples of values in the order of ``columns`` (a ``list`` of tuples)."""

    def __init__(self, columns: Sequence[str], rows: Iterable[tuple] = ()):
        super().__init__(rows)
        self.columns = tuple(columns)


class RowStream:
    """Batches of rows in the order of ``columns``, produced while they are loaded.

    Attributes:
        columns: The column of each value.
        rows: Rows loaded so far (all of them once :func:`insert_rows` returns).
    """

    def __init__(self, columns: Sequence[str], batches: Iterable[Iterable[tuple]]):
        self.columns = tuple(columns)
        self.rows = 0
        self._batches = batches

    def __bool__(self) -> bool:
        return True

    def batches(self) -> Iterator[list[tuple]]:
        """Each batch as a list, counted."""
        for batch in self._batches:
            rows = batch if isinstance(batch, list) else list(batch)
            self.rows += len(rows)
            yield rows


def _tuples(table: Table, records: list) -> tuple[tuple[str, ...], list[tuple]]:
    if isinstance(records, Rows):
        return records.columns, records
    present = [c for c in table.columns if any(c.name in r for r in records)]
    defaults = {
        c.name: c.default.arg
        for c in present
        if c.default is not None and getattr(c.default, "is_scalar", False)
    }
    columns = tuple(c.name for c in present)
    return columns, [tuple(r.get(c, defaults.get(c)) for c in columns) for r in records]


def _plain(value: Any) -> Any:  # noqa: ANN401 - any value psycopg adapts
    """A numpy scalar as the Python value it holds (psycopg adapts Python types only)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _copy(conn: Connection, table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    from psycopg import sql  # noqa: PLC0415 - PostgreSQL only
    from psycopg.types.json import Json  # noqa: PLC0415

    json = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if json:
            for row in rows:
                values = [_plain(v) for v in row]
                for i in json:
                    values[i] = None if values[i] is None else Json(values[i])
                copy.write_row(values)
        elif isinstance(rows, Rows | RowStream):
            for batch in rows.batches() if isinstance(rows, RowStream) else [rows]:
                for row in batch:
                    copy.write_row(row)
        else:
            for row in rows:
                copy.write_row([_plain(v) for v in row])


def _executemany(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple]
) -> None:
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    order = list(compiled.positiontup or [])
    if order != list(columns):
        where = [columns.index(c) for c in order]
        rows = [tuple(r[i] for i in where) for r in rows]
    conn.exec_driver_sql(str(compiled), rows)


def insert_rows(conn: Connection, table: Table, records: list) -> None:
    """Insert ``records`` (:class:`Rows`, or dictionaries) into ``table``, in bulk.

    Args:
        conn: A connection inside the caller's transaction.
        table: The target table.
        records: The rows; dictionaries go through SQLAlchemy's types on SQLite (dates,
            JSON, booleans), :class:`Rows` and :class:`RowStream` must hold values ready
            for the database.
    """
    if not records:
        return
    dialect = conn.dialect.name
    if isinstance(records, RowStream):
        if dialect == "postgresql":
            _copy(conn, table, records.columns, records)
            return
        for batch in records.batches():
            insert_rows(conn, table, Rows(records.columns, batch))
    elif dialect == "postgresql":
        _copy(conn, table, *_tuples(table, records))
    elif dialect == "sqlite" and isinstance(records, Rows):
        _executemany(conn, table, records.columns, records)
    else:
        conn.execute(insert(table), list(records))

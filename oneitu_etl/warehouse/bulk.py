"""Bulk loading: many rows into one table, by the fastest path each database offers.

- **PostgreSQL**: ``COPY ... FROM STDIN`` through psycopg, on the connection of the
  current transaction (so a failure rolls it back like any insert).
- **SQLite**: one prepared ``INSERT`` run with ``executemany`` on the driver's cursor,
  tuples straight from the caller, none of SQLAlchemy's per-row processing.
- anything else: SQLAlchemy's ``executemany``.

Rows come either as dictionaries (small tables: issues, results) or as :class:`Rows`:
tuples in a given column order, values ready for the database (``str``, ``int``,
``float``, ``None``; dates as ISO text), which is what a ledger of millions of lines
needs: no dictionary per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert


class Rows(list):
    """Rows as tuples of values in the order of ``columns`` (a ``list`` of tuples)."""

    def __init__(self, columns: Sequence[str], rows: Iterable[tuple] = ()):
        super().__init__(rows)
        self.columns = tuple(columns)


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


def _copy(conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
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
        elif isinstance(rows, Rows):
            for row in rows:
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
            JSON, booleans), :class:`Rows` must hold values ready for the database.
    """
    if not records:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        _copy(conn, table, *_tuples(table, records))
    elif dialect == "sqlite" and isinstance(records, Rows):
        _executemany(conn, table, records.columns, records)
    else:
        conn.execute(insert(table), list(records))

"""Bulk loading: many rows into one table, by the fastest path each database offers.

- **PostgreSQL**: ``COPY ... FROM STDIN`` through psycopg, on the connection of the
  current transaction (so a failure rolls it back like any insert).
- anything else (SQLite): SQLAlchemy's ``executemany``, through the column types.

Rows come as dictionaries, one per row (for ``COPY``, tuples in the table's order).
(The ledger's millions of lines are not rows of the warehouse database: they go to the
ledger store, :mod:`oneitu_etl.warehouse.ledger_store`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert


def _tuples(table: Table, records: list) -> tuple[tuple[str, ...], list[tuple]]:
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
        else:
            for row in rows:
                copy.write_row([_plain(v) for v in row])


def insert_rows(conn: Connection, table: Table, records: list[dict]) -> None:
    """Insert ``records`` (dictionaries) into ``table``, in bulk.

    Args:
        conn: A connection inside the caller's transaction.
        table: The target table.
        records: The rows; they go through SQLAlchemy's types on SQLite (dates, JSON,
            booleans) and are adapted by psycopg on PostgreSQL.
    """
    if not records:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, *_tuples(table, records))
    else:
        conn.execute(insert(table), list(records))

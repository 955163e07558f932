"""Queries every reader of the warehouse shares: current data, byte-wise text ordering.

Every figure reads only *current* data: rows whose delivery is loaded and not superseded
(contract section 4). Text is ordered by code point on SQLite and PostgreSQL alike. The
marts, the ledger store and stage 2 of validation read through these.
"""

from __future__ import annotations

from sqlalchemy import Select, Table, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from oneitu_etl.warehouse import schema as s


def current(table: Table, year: int | None = None) -> Select:
    """``SELECT`` of ``table`` joined to its delivery, restricted to current data.

    Args:
        table: A data table with a ``delivery_id`` column.
        year: When given and the table has a ``year`` column, only that year's rows.

    Returns:
        A select of every column of ``table``; narrow it with ``with_only_columns``.
    """
    d = s.deliveries
    query = (
        select(table)
        .join(d, d.c.id == table.c.delivery_id)
        .where(d.c.superseded_at.is_(None), d.c.outcome == "loaded")
    )
    if year is not None and "year" in table.c:
        query = query.where(table.c.year == year)
    return query


class bytewise(FunctionElement):  # noqa: N801 - used like a SQL function
    """A text expression compared byte by byte (code-point order), on every backend.

    SQLite compares text as bytes already; PostgreSQL follows the database's collation
    (``en_US`` puts ``RO-AFR`` after ``ROB``), so it gets ``COLLATE "C"``. Every ``ORDER
    BY`` on text in the marts goes through this, so both give rows in the same order.
    """

    inherit_cache = True
    name = "bytewise"


@compiles(bytewise)
def _bytewise_default(element: bytewise, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(element.clauses, **kw)


@compiles(bytewise, "postgresql")
def _bytewise_postgresql(element: bytewise, compiler, **kw) -> str:  # noqa: ANN001
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'

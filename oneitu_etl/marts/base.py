"""Building blocks shared by the marts: current data, byte-wise ordering, cents and rates.

Every mart reads only *current* data: rows whose delivery is loaded and not superseded
(contract section 4). Amounts are summed as integer cents in SQL and turned into CHF only
at the edge, by :func:`chf`, so that SQLite and PostgreSQL give the same figures.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, Select, Table, select
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


def cents(value: int | Decimal | None) -> int:
    """An integer amount in cents from a SQL sum (``None`` for no rows is 0).

    PostgreSQL returns ``SUM(bigint)`` as ``numeric`` (a ``Decimal``), SQLite as ``int``.
    """
    return int(value or 0)


def chf(amount_cents: int | Decimal | None) -> float:
    """CHF rounded to 2 decimals from an amount in cents."""
    return round(cents(amount_cents) / 100, 2)


def rate(actual_cents: int, final_cents: int) -> float | None:
    """Budget execution rate: actual / final, ``None`` when the final budget is 0."""
    return actual_cents / final_cents if final_cents else None


def plan_of(conn: Connection, year: int) -> str | None:
    """The Strategic Plan cycle containing ``year``, from the warehouse's reference tables."""
    p = s.plan_cycles
    query = (
        select(p.c.plan)
        .where(p.c.first_year <= year, p.c.last_year >= year)
        .order_by(p.c.first_year, bytewise(p.c.plan))
        .limit(1)
    )
    return conn.execute(query).scalar()

"""Building blocks shared by the marts: current data, byte-wise ordering, cents and rates.

Every mart reads only *current* data: rows whose delivery is loaded and not superseded
(contract section 4). Amounts are summed as integer cents in SQL and turned into CHF only
at the edge, by :func:`chf`, so that SQLite and PostgreSQL give the same figures.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, select

from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.queries import bytewise, current

__all__ = ["bytewise", "cents", "chf", "current", "plan_of", "rate"]


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

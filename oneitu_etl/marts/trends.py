"""Years side by side: the previous year's figures and any figure across every loaded year.

A year counts when its financial statements are loaded and current (a blocked year
loads nothing). Each year is read with its own plan cycle, so a year of SP2020-2023
shows that plan's goals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from oneitu_etl.marts import finance
from oneitu_etl.marts.base import plan_of

#: The figures a year is summed up by, for comparisons (``previous_year``, ``trends``).
YEAR_FIGURES: dict[str, Callable[[Connection, int, Sequence[str]], object]] = {
    "totals": lambda conn, year, _sectors: finance.totals(conn, year),
    "expenses_by_sector": finance.expenses_by_sector,
    "expenses_by_goal": lambda conn, year, _sectors: finance.expenses_by_goal(conn, year),
    "budget_execution": lambda conn, year, _sectors: finance.budget_execution(conn, year),
    "budget_execution_by_sector": finance.budget_execution_by_sector,
    "expenses_by_strategic_code": (
        lambda conn, year, _sectors: finance.expenses_by_strategic_code(conn, year)
    ),
}


def year_summary(conn: Connection, year: int, sectors: Sequence[str]) -> dict[str, object]:
    """``year``, ``plan`` and every figure of :data:`YEAR_FIGURES` for one year."""
    summary: dict[str, object] = {"year": year, "plan": plan_of(conn, year)}
    summary.update({name: figure(conn, year, sectors) for name, figure in YEAR_FIGURES.items()})
    return summary


def previous_year(conn: Connection, year: int, sectors: Sequence[str]) -> dict[str, object] | None:
    """The summary of ``year - 1`` when its statements are loaded and current, else ``None``.

    Args:
        conn: Warehouse connection.
        year: The report's year.
        sectors: Sector codes in reading order.
    """
    if not finance.statements_loaded(conn, year - 1):
        return None
    return year_summary(conn, year - 1, sectors)


def trends(
    conn: Connection, figure: str, sectors: Sequence[str], *, until: int | None = None
) -> dict[int, object]:
    """One figure for every loaded year (up to ``until`` when given), by year ascending.

    Args:
        conn: Warehouse connection.
        figure: A name of :data:`YEAR_FIGURES` (``"totals"``, ``"expenses_by_sector"``...).
        sectors: Sector codes in reading order.
        until: Last year to include.

    Raises:
        KeyError: ``figure`` is not one of :data:`YEAR_FIGURES`.
    """
    compute = YEAR_FIGURES[figure]
    return {
        year: compute(conn, year, sectors)
        for year in finance.loaded_years(conn)
        if until is None or year <= until
    }

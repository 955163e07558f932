"""Money: the statements' totals, budget execution and expenses by strategic framework.

Everything here comes from the year's current financial statements (contract 3.1):
totals and lines from ``performance``, budget execution from ``budget_comparison``,
expenses by org unit, strategic code, goal, sector and the One ITU matrix from
``expense_allocation``. The sector of an org unit and the goal of a thematic priority
come from the warehouse's reference tables, for the plan cycle that contains the year.
Each function is one grouped SQL query; Python only turns cents into CHF and rows into
the JSON's dicts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, case, distinct, func, literal, select

from oneitu_etl.marts.base import bytewise, cents, chf, current, plan_of, rate
from oneitu_etl.warehouse import schema as s

#: Key of ``expenses_by_goal`` for allocations to enablers (contract section 5).
ENABLERS = "enablers"
#: Key for allocations to a code the year's plan does not know (validation prevents it).
OTHER = "other"


def statement_lines(conn: Connection, year: int) -> dict[str, tuple[str, int]]:
    """``{line_code: (line_type, cents)}`` of the year's performance statement."""
    p = s.fs_performance
    query = (
        current(p, year)
        .with_only_columns(p.c.line_code, p.c.line_type, func.sum(p.c.amount_cents))
        .group_by(p.c.line_code, p.c.line_type)
        .order_by(bytewise(p.c.line_code), bytewise(p.c.line_type))
    )
    return {code: (kind, cents(amount)) for code, kind, amount in conn.execute(query)}


def totals(conn: Connection, year: int) -> dict[str, float]:
    """Revenue, expenses and surplus from the ``TOTAL_REVENUE`` and ``TOTAL_EXPENSES`` lines."""
    lines = statement_lines(conn, year)
    revenue = lines.get("TOTAL_REVENUE", ("total", 0))[1]
    expenses = lines.get("TOTAL_EXPENSES", ("total", 0))[1]
    return {"revenue": chf(revenue), "expenses": chf(expenses), "surplus": chf(revenue - expenses)}


def amounts_by_line(conn: Connection, year: int, line_type: str) -> dict[str, float]:
    """CHF of each performance line of one type (``revenue`` or ``expense``)."""
    return {
        code: chf(amount)
        for code, (kind, amount) in statement_lines(conn, year).items()
        if kind == line_type
    }


def _execution(approved: int, final: int, actual: int) -> dict[str, float | None]:
    return {
        "approved": chf(approved),
        "final": chf(final),
        "actual": chf(actual),
        "rate": rate(actual, final),
    }


def _budget_sums(
    conn: Connection, year: int, by_sector: bool
) -> dict[str, dict[str, float | None]]:
    """Budget execution grouped by org unit, or by the sector of the org unit."""
    b, o = s.fs_budget, s.org_units
    key = o.c.sector if by_sector else b.c.org_unit
    query = current(b, year)
    if by_sector:
        query = query.join(o, o.c.code == b.c.org_unit)
    query = (
        query.with_only_columns(
            key,
            func.sum(b.c.approved_budget_cents),
            func.sum(b.c.final_budget_cents),
            func.sum(b.c.actual_cents),
        )
        .group_by(key)
        .order_by(bytewise(key))
    )
    return {
        group: _execution(cents(approved), cents(final), cents(actual))
        for group, approved, final, actual in conn.execute(query)
    }


def budget_execution(conn: Connection, year: int) -> dict[str, dict[str, float | None]]:
    """Approved, final and actual CHF and execution rate per org unit.

    ``rate`` is actual / final, ``None`` where the final budget is 0 (such units are
    listed by :func:`zero_budget_units`).
    """
    return _budget_sums(conn, year, by_sector=False)


def budget_execution_by_sector(
    conn: Connection, year: int, sectors: Sequence[str] = ()
) -> dict[str, dict[str, float | None]]:
    """Budget execution summed over the org units of each sector; ``rate`` as per unit.

    Sectors with a budget are listed in the order of ``sectors``, any other after them.
    """
    return _in_order(_budget_sums(conn, year, by_sector=True), sectors)


def _in_order(found: dict[str, object], order: Sequence[str]) -> dict:
    """``found`` with the keys of ``order`` first (those present), in that order."""
    first = {key: found[key] for key in order if key in found}
    return first | {key: value for key, value in found.items() if key not in first}


def zero_budget(execution: dict[str, dict[str, float | None]]) -> list[str]:
    """Keys of a budget execution mart whose final budget is 0 (their rate is ``None``)."""
    return [key for key, row in execution.items() if row["final"] == 0]


def expenses_by_org_unit_and_code(conn: Connection, year: int) -> list[tuple[str, str, str, int]]:
    """``(org unit, its sector, strategic code, cents)`` of the year's allocation."""
    a, o = s.fs_allocation, s.org_units
    query = (
        current(a, year)
        .join(o, o.c.code == a.c.org_unit)
        .with_only_columns(
            a.c.org_unit, o.c.sector, a.c.strategic_code, func.sum(a.c.expense_cents)
        )
        .group_by(a.c.org_unit, o.c.sector, a.c.strategic_code)
        .order_by(bytewise(a.c.org_unit), bytewise(a.c.strategic_code))
    )
    return [
        (unit, sector, code, cents(amount)) for unit, sector, code, amount in conn.execute(query)
    ]


def expenses_by_org_unit(conn: Connection, year: int) -> dict[str, dict[str, float]]:
    """``{org unit: {strategic code: CHF}}`` of the year's allocation."""
    out: dict[str, dict[str, float]] = {}
    for unit, _sector, code, amount in expenses_by_org_unit_and_code(conn, year):
        out.setdefault(unit, {})[code] = chf(amount)
    return out


def expenses_by_strategic_code(conn: Connection, year: int) -> dict[str, float]:
    """CHF allocated to each strategic code (thematic priorities and enablers)."""
    a = s.fs_allocation
    query = (
        current(a, year)
        .with_only_columns(a.c.strategic_code, func.sum(a.c.expense_cents))
        .group_by(a.c.strategic_code)
        .order_by(bytewise(a.c.strategic_code))
    )
    return {code: chf(amount) for code, amount in conn.execute(query)}


def goal_codes(conn: Connection, plan: str | None) -> list[str]:
    e = s.strategic_elements
    query = (
        select(e.c.code).where(e.c.plan == plan, e.c.kind == "goal").order_by(bytewise(e.c.code))
    )
    return list(conn.execute(query).scalars())


def expenses_by_goal(conn: Connection, year: int) -> dict[str, float]:
    """CHF per goal of the year's plan (thematic priorities through their goal), and enablers.

    Every goal of the plan is listed (0 without expenses), then ``enablers``; a code the
    plan does not know would go to ``other`` (listed only then), so the lines always sum
    to the allocation's total.
    """
    a, e = s.fs_allocation, s.strategic_elements
    plan = plan_of(conn, year)
    goal = case(
        (e.c.kind == "thematic_priority", func.coalesce(e.c.goal, literal(OTHER))),
        (e.c.kind == "enabler", literal(ENABLERS)),
        else_=literal(OTHER),
    )
    rows = (
        current(a, year)
        .outerjoin(e, and_(e.c.code == a.c.strategic_code, e.c.plan == plan))
        .with_only_columns(goal.label("goal"), a.c.expense_cents.label("expense_cents"))
        .subquery()
    )
    query = (
        select(rows.c.goal, func.sum(rows.c.expense_cents))
        .group_by(rows.c.goal)
        .order_by(bytewise(rows.c.goal))
    )
    found = {key: cents(amount) for key, amount in conn.execute(query)}
    keys = [*goal_codes(conn, plan), ENABLERS]
    out = {key: chf(found.get(key, 0)) for key in keys}
    out.update({key: chf(amount) for key, amount in found.items() if key not in out})
    return out


def expenses_by_sector(conn: Connection, year: int, sectors: Sequence[str]) -> dict[str, float]:
    """CHF per sector (the sector of the org unit), every sector of ``sectors`` listed."""
    a, o = s.fs_allocation, s.org_units
    query = (
        current(a, year)
        .join(o, o.c.code == a.c.org_unit)
        .with_only_columns(o.c.sector, func.sum(a.c.expense_cents))
        .group_by(o.c.sector)
        .order_by(bytewise(o.c.sector))
    )
    found = {sector: cents(amount) for sector, amount in conn.execute(query)}
    out = {sector: chf(found.get(sector, 0)) for sector in sectors}
    out.update({sector: chf(amount) for sector, amount in found.items() if sector not in out})
    return out


def _priorities(conn: Connection, plan: str | None) -> list[str]:
    e = s.strategic_elements
    query = (
        select(e.c.code)
        .where(e.c.plan == plan, e.c.kind == "thematic_priority")
        .order_by(bytewise(e.c.code))
    )
    return list(conn.execute(query).scalars())


def priority_sector_matrix(
    conn: Connection, year: int, sectors: Sequence[str]
) -> dict[str, dict[str, float]]:
    """One ITU: CHF per thematic priority of the year's plan and sector (0 where none)."""
    a, o, e = s.fs_allocation, s.org_units, s.strategic_elements
    plan = plan_of(conn, year)
    query = (
        current(a, year)
        .join(o, o.c.code == a.c.org_unit)
        .join(e, and_(e.c.code == a.c.strategic_code, e.c.plan == plan))
        .where(e.c.kind == "thematic_priority")
        .with_only_columns(a.c.strategic_code, o.c.sector, func.sum(a.c.expense_cents))
        .group_by(a.c.strategic_code, o.c.sector)
        .order_by(bytewise(a.c.strategic_code), bytewise(o.c.sector))
    )
    matrix = {code: {sector: 0.0 for sector in sectors} for code in _priorities(conn, plan)}
    for code, sector, amount in conn.execute(query):
        matrix.setdefault(code, {sct: 0.0 for sct in sectors})[sector] = chf(amount)
    return matrix


def multi_sector_priorities(conn: Connection, year: int) -> list[str]:
    """Thematic priorities with ``expense_chf > 0`` allocations from units of >= 2 sectors."""
    a, o, e = s.fs_allocation, s.org_units, s.strategic_elements
    plan = plan_of(conn, year)
    query = (
        current(a, year)
        .join(o, o.c.code == a.c.org_unit)
        .join(e, and_(e.c.code == a.c.strategic_code, e.c.plan == plan))
        .where(e.c.kind == "thematic_priority", a.c.expense_cents > 0)
        .with_only_columns(a.c.strategic_code)
        .group_by(a.c.strategic_code)
        .having(func.count(distinct(o.c.sector)) >= 2)
        .order_by(bytewise(a.c.strategic_code))
    )
    return list(conn.execute(query).scalars())


def statements_loaded(conn: Connection, year: int) -> bool:
    """Whether the year's financial statements are loaded and current."""
    p = s.fs_performance
    query = current(p, year).with_only_columns(func.count())
    return bool(conn.execute(query).scalar())


def loaded_years(conn: Connection) -> list[int]:
    """Every year whose financial statements are loaded and current, ascending."""
    p = s.fs_performance
    query = current(p).with_only_columns(p.c.year).distinct().order_by(p.c.year)
    return [int(y) for y in conn.execute(query).scalars()]


def financial_figures(conn: Connection, year: int, sectors: Sequence[str]) -> dict[str, object]:
    """Every figure of ``report_<Y>.json`` that comes from the financial statements.

    Args:
        conn: Warehouse connection.
        year: Financial year.
        sectors: Sector codes in reading order (every one is listed in ``expenses_by_sector``).

    Returns:
        ``totals``, the lines, budget execution (per unit and sector, with the units and
        sectors whose final budget is 0) and the expenses by org unit, code, goal, sector.
    """
    by_unit = budget_execution(conn, year)
    by_sector = budget_execution_by_sector(conn, year, sectors)
    return {
        "totals": totals(conn, year),
        "revenue_by_line": amounts_by_line(conn, year, "revenue"),
        "expenses_by_line": amounts_by_line(conn, year, "expense"),
        "budget_execution": by_unit,
        "budget_execution_by_sector": by_sector,
        "zero_budget_units": zero_budget(by_unit),
        "zero_budget_sectors": zero_budget(by_sector),
        "expenses_by_strategic_code": expenses_by_strategic_code(conn, year),
        "expenses_by_goal": expenses_by_goal(conn, year),
        "expenses_by_sector": expenses_by_sector(conn, year, sectors),
        "expenses_by_org_unit": expenses_by_org_unit(conn, year),
    }

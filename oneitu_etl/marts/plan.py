"""Plan and actual (contract v2): planned resources beside expenses, and the IPSAS 24 bridge.

``plan_vs_actual`` sets the planned resources of each thematic priority and enabler
(``budget_allocation``: approved and final budget) beside its actual expenses
(``expense_allocation``, on the budget basis), and groups them by goal as
``expenses_by_goal`` does. ``budget_reconciliation`` bridges the budget-basis actuals
(``budget_comparison``) to the statement's ``TOTAL_EXPENSES`` through the reconciling
items. One grouped SQL query each, over current data, integer cents; Python only turns
cents into CHF.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, case, func, literal, select, union_all

from oneitu_etl.marts.base import bytewise, cents, chf, current, plan_of, rate
from oneitu_etl.marts.finance import ENABLERS, OTHER, goal_codes, statement_lines
from oneitu_etl.warehouse import schema as s


def _plan_and_actual_rows(year: int):  # noqa: ANN202 - a SQL subquery
    """One row per allocation row of either table: code, approved, final, actual (cents)."""
    p, a = s.fs_budget_allocation, s.fs_allocation
    zero = literal(0).cast(s.fs_allocation.c.expense_cents.type)
    planned = current(p, year).with_only_columns(
        p.c.strategic_code.label("strategic_code"),
        p.c.approved_budget_cents.label("approved"),
        p.c.final_budget_cents.label("final"),
        zero.label("actual"),
    )
    spent = current(a, year).with_only_columns(
        a.c.strategic_code.label("strategic_code"),
        zero.label("approved"),
        zero.label("final"),
        a.c.expense_cents.label("actual"),
    )
    return union_all(planned, spent).subquery()


def _execution(approved: int, final: int, actual: int) -> dict[str, float | None]:
    return {
        "approved": chf(approved),
        "final": chf(final),
        "actual": chf(actual),
        "rate": rate(actual, final),
    }


def has_plan(conn: Connection, year: int) -> bool:
    """Whether the year's current statements include ``budget_allocation`` rows."""
    p = s.fs_budget_allocation
    return bool(conn.execute(current(p, year).with_only_columns(func.count())).scalar())


def plan_vs_actual(conn: Connection, year: int) -> dict[str, dict[str, float | None]] | None:
    """Approved, final, actual CHF and rate per strategic code; ``None`` without a plan.

    One entry per code with a ``budget_allocation`` row or an expense (0 for the side it
    lacks); ``rate`` is actual / final, ``None`` where final is 0.
    """
    if not has_plan(conn, year):
        return None
    rows = _plan_and_actual_rows(year)
    query = (
        select(
            rows.c.strategic_code,
            func.sum(rows.c.approved),
            func.sum(rows.c.final),
            func.sum(rows.c.actual),
        )
        .group_by(rows.c.strategic_code)
        .order_by(bytewise(rows.c.strategic_code))
    )
    return {
        code: _execution(cents(approved), cents(final), cents(actual))
        for code, approved, final, actual in conn.execute(query)
    }


def plan_vs_actual_by_goal(
    conn: Connection, year: int
) -> dict[str, dict[str, float | None]] | None:
    """:func:`plan_vs_actual` grouped by goal, then ``enablers`` (as ``expenses_by_goal``).

    Every goal of the year's plan is listed (zeros without rows); a code the plan does not
    know would go to ``other``. ``None`` without a plan.
    """
    if not has_plan(conn, year):
        return None
    e = s.strategic_elements
    plan = plan_of(conn, year)
    rows = _plan_and_actual_rows(year)
    goal = case(
        (e.c.kind == "thematic_priority", func.coalesce(e.c.goal, literal(OTHER))),
        (e.c.kind == "enabler", literal(ENABLERS)),
        else_=literal(OTHER),
    )
    grouped = (
        select(rows, goal.label("goal"))
        .outerjoin(e, and_(e.c.code == rows.c.strategic_code, e.c.plan == plan))
        .subquery()
    )
    query = (
        select(
            grouped.c.goal,
            func.sum(grouped.c.approved),
            func.sum(grouped.c.final),
            func.sum(grouped.c.actual),
        )
        .group_by(grouped.c.goal)
        .order_by(bytewise(grouped.c.goal))
    )
    found = {
        key: (cents(approved), cents(final), cents(actual))
        for key, approved, final, actual in conn.execute(query)
    }
    keys = [*goal_codes(conn, plan), ENABLERS]
    out = {key: _execution(*found.get(key, (0, 0, 0))) for key in keys}
    out.update({key: _execution(*sums) for key, sums in found.items() if key not in out})
    return out


def budget_reconciliation(conn: Connection, year: int) -> dict[str, object]:
    """The IPSAS 24 bridge: budget-basis actuals, the items, the statement's expenses.

    ``budget_actual`` sums the ``actual_chf`` of ``budget_comparison``;
    ``statement_expenses`` is the ``TOTAL_EXPENSES`` line; ``items`` lists the reconciling
    items sorted by ``item_code`` in code-point order (empty where none was delivered).
    """
    b, r = s.fs_budget, s.fs_budget_reconciliation
    actual = conn.execute(current(b, year).with_only_columns(func.sum(b.c.actual_cents))).scalar()
    query = (
        current(r, year)
        .with_only_columns(r.c.item_code, r.c.kind, r.c.line_code, r.c.description,
                           r.c.amount_cents)
        .order_by(bytewise(r.c.item_code))
    )  # fmt: skip
    items = [
        {
            "item_code": code,
            "kind": kind,
            "line_code": line,
            "description": description,
            "amount": chf(amount),
        }
        for code, kind, line, description, amount in conn.execute(query)
    ]
    expenses = statement_lines(conn, year).get("TOTAL_EXPENSES", ("total", 0))[1]
    return {"budget_actual": chf(actual), "items": items, "statement_expenses": chf(expenses)}


def plan_by_org_unit(conn: Connection, year: int) -> dict[str, dict[str, dict]] | None:
    """Planned resources of each unit by element: ``{unit: {code: {approved, final}}}``.

    Units and codes in code-point order; ``None`` without a plan.
    """
    if not has_plan(conn, year):
        return None
    p = s.fs_budget_allocation
    query = (
        current(p, year)
        .with_only_columns(
            p.c.org_unit, p.c.strategic_code, p.c.approved_budget_cents, p.c.final_budget_cents
        )
        .order_by(bytewise(p.c.org_unit), bytewise(p.c.strategic_code))
    )
    out: dict[str, dict[str, dict]] = {}
    for unit, code, approved, final in conn.execute(query):
        out.setdefault(unit, {})[code] = {"approved": chf(approved), "final": chf(final)}
    return out

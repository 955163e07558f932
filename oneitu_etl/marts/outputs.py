"""Results: the Sectors' outputs per strategic code, their cost, and joint activities.

Counts follow contract section 5: quarantined rows never reach the warehouse, and
``cancelled`` activities are left out (``planned``, ``ongoing`` and ``completed`` count).
Cost per output divides the expenses allocated to a strategic code (from the audited
statements) by the code's *completed* activities; by output type, it uses the direct
costs (``cost_chf``) the activity files give.
"""

from __future__ import annotations

from sqlalchemy import Connection, Integer, case, cast, func, literal, select, union_all

from oneitu_etl.marts.base import bytewise, cents, chf, current
from oneitu_etl.warehouse import schema as s


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def outputs_by_strategic_code(conn: Connection, year: int) -> dict[str, dict[str, object]]:
    """Activities (not cancelled), participants and women share per strategic code.

    ``participants`` sums the participants the activities give; ``women_share`` is the
    sum of ``women_participants`` over the sum of ``participants`` of the rows that give
    both, ``None`` where none do (or where those rows have no participants).
    """
    a = s.activities
    both = a.c.participants.is_not(None) & a.c.women_participants.is_not(None)
    query = (
        current(a, year)
        .where(a.c.status != "cancelled")
        .with_only_columns(
            a.c.strategic_code,
            func.count(),
            func.sum(a.c.participants),
            func.sum(case((both, a.c.women_participants), else_=literal(0))),
            func.sum(case((both, a.c.participants), else_=literal(0))),
        )
        .group_by(a.c.strategic_code)
        .order_by(bytewise(a.c.strategic_code))
    )
    return {
        code: {
            "activities": int(count),
            "participants": cents(people),
            "women_share": _share(cents(women), cents(base)),
        }
        for code, count, people, women, base in conn.execute(query)
    }


def outputs_by_type(conn: Connection, year: int) -> dict[str, dict[str, dict[str, int]]]:
    """Activities (not cancelled) and completed ones per strategic code and output type.

    ``{code: {output_type: {"activities", "completed"}}}``, codes and types in code-point
    order: the products and services each element delivered.
    """
    a = s.activities
    query = (
        current(a, year)
        .where(a.c.status != "cancelled")
        .with_only_columns(
            a.c.strategic_code,
            a.c.output_type,
            func.count(),
            func.sum(case((a.c.status == "completed", 1), else_=0)),
        )
        .group_by(a.c.strategic_code, a.c.output_type)
        .order_by(bytewise(a.c.strategic_code), bytewise(a.c.output_type))
    )
    out: dict[str, dict[str, dict[str, int]]] = {}
    for code, output_type, count, done in conn.execute(query):
        out.setdefault(code, {})[output_type] = {
            "activities": int(count),
            "completed": int(done or 0),
        }
    return out


def cost_per_output(conn: Connection, year: int) -> dict[str, dict[str, object]]:
    """Expenses of each strategic code per completed activity, and direct costs by type.

    Every code with expenses or completed activities is listed. ``cost_per_output`` is
    ``None`` for a code without completed activities. ``by_output_type`` lists, for the
    output types whose completed activities give a ``cost_chf`` (at least one), the
    number of completed activities, how many give a cost (``costed_activities``), the
    sum of those costs, and the direct cost per output where every one gives a cost.

    Returns:
        ``{code: {"expenses", "completed_activities", "cost_per_output", "by_output_type"}}``.
    """
    al, ac = s.fs_allocation, s.activities
    completed = current(ac, year).where(ac.c.status == "completed")
    money = current(al, year).with_only_columns(
        al.c.strategic_code.label("code"),
        al.c.expense_cents.label("expense_cents"),
        cast(literal(0), Integer).label("done"),
    )
    work = completed.with_only_columns(
        ac.c.strategic_code.label("code"),
        cast(literal(0), s.fs_allocation.c.expense_cents.type).label("expense_cents"),
        cast(literal(1), Integer).label("done"),
    )
    both = union_all(money, work).subquery()
    per_code = (
        select(both.c.code, func.sum(both.c.expense_cents), func.sum(both.c.done))
        .group_by(both.c.code)
        .order_by(bytewise(both.c.code))
    )
    out: dict[str, dict[str, object]] = {}
    for code, expense, done in conn.execute(per_code):
        n = int(done or 0)
        out[code] = {
            "expenses": chf(expense),
            "completed_activities": n,
            "cost_per_output": round(cents(expense) / n / 100, 2) if n else None,
            "by_output_type": {},
        }
    by_type = (
        completed.with_only_columns(
            ac.c.strategic_code,
            ac.c.output_type,
            func.count(),
            func.count(ac.c.cost_cents),
            func.sum(ac.c.cost_cents),
        )
        .group_by(ac.c.strategic_code, ac.c.output_type)
        .having(func.count(ac.c.cost_cents) > 0)
        .order_by(bytewise(ac.c.strategic_code), bytewise(ac.c.output_type))
    )
    for code, output_type, n, costed, cost in conn.execute(by_type):
        total = cents(cost)
        out[code]["by_output_type"][output_type] = {  # type: ignore[index]
            "completed_activities": int(n),
            "costed_activities": int(costed),
            "cost_chf": chf(total),
            "cost_per_output": round(total / int(n) / 100, 2) if costed == n else None,
        }
    return out


def activity_list(conn: Connection, year: int) -> list[dict[str, object]]:
    """Every current activity of the year (cancelled ones too, with their status), for the
    workbook's activity-level sheet: in file then row order, dates as ISO text, cost in
    CHF."""
    a, d = s.activities, s.deliveries
    query = (
        current(a, year)
        .with_only_columns(
            a.c.activity_id, a.c.org_unit, a.c.partner_org_units, a.c.strategic_code,
            a.c.output_type, a.c.title, a.c.start_date, a.c.end_date, a.c.status,
            a.c.participants, a.c.women_participants, a.c.countries, a.c.cost_cents,
        )
        .order_by(bytewise(d.c.path), a.c.row_number)
    )  # fmt: skip
    out = []
    for row in conn.execute(query).mappings():
        entry = dict(row)
        entry["start_date"] = row["start_date"].isoformat() if row["start_date"] else None
        entry["end_date"] = row["end_date"].isoformat() if row["end_date"] else None
        cost = entry.pop("cost_cents")
        entry["cost_chf"] = None if cost is None else chf(cost)
        out.append(entry)
    return out


def joint_activities(conn: Connection, year: int) -> tuple[int, int]:
    """``(activities not cancelled, those with a partner unit of another sector)``."""
    a, p = s.activities, s.activity_partners
    lead, partner = s.org_units.alias("lead"), s.org_units.alias("partner")
    other_sector = (
        select(p.c.activity_id)
        .join(partner, partner.c.code == p.c.org_unit)
        .where(
            p.c.delivery_id == a.c.delivery_id,
            p.c.activity_id == a.c.activity_id,
            partner.c.sector != lead.c.sector,
        )
        .exists()
    )
    query = (
        current(a, year)
        .join(lead, lead.c.code == a.c.org_unit)
        .where(a.c.status != "cancelled")
        .with_only_columns(func.count(), func.sum(case((other_sector, 1), else_=0)))
    )
    total, joint = conn.execute(query).one()
    return int(total or 0), int(joint or 0)

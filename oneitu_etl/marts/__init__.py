"""The marts: SQL that aligns money, outputs and indicators for one year.

Every query reads only *current* data: rows whose delivery is loaded and not superseded.
Queries are SQLAlchemy Core and run unchanged on SQLite and PostgreSQL; amounts are
summed as integer cents and turned into CHF only at the edge, in :func:`figures`.
"""

from __future__ import annotations

from sqlalchemy import Connection, Select, Table, func, select

from oneitu_etl.reference import Reference
from oneitu_etl.warehouse import schema as s


def current(table: Table, year: int | None = None) -> Select:
    """``SELECT`` of ``table`` joined to its delivery, restricted to current data."""
    d = s.deliveries
    query = (
        select(table)
        .join(d, d.c.id == table.c.delivery_id)
        .where(d.c.superseded_at.is_(None), d.c.outcome == "loaded")
    )
    if year is not None and "year" in table.c:
        query = query.where(table.c.year == year)
    return query


def _chf(cents: int | None) -> float:
    return round((cents or 0) / 100, 2)


def statement_lines(conn: Connection, year: int) -> dict[str, int]:
    """Amount in cents of each performance line of the year."""
    q = current(s.fs_performance, year).with_only_columns(
        s.fs_performance.c.line_code, s.fs_performance.c.amount_cents)
    return {code: cents for code, cents in conn.execute(q)}


def budget_execution(conn: Connection, year: int) -> dict[str, dict[str, int]]:
    """Approved, final and actual budget in cents per org unit."""
    b = s.fs_budget
    q = current(b, year).with_only_columns(
        b.c.org_unit, b.c.approved_budget_cents, b.c.final_budget_cents, b.c.actual_cents
    ).order_by(b.c.org_unit)
    return {r[0]: {"approved": r[1], "final": r[2], "actual": r[3]} for r in conn.execute(q)}


def expenses_by_org_unit_and_code(conn: Connection, year: int) -> list[tuple[str, str, str, int]]:
    """(org unit, its sector, strategic code, cents) of the year's allocation."""
    a, o = s.fs_allocation, s.org_units
    q = (
        current(a, year)
        .join(o, o.c.code == a.c.org_unit)
        .with_only_columns(a.c.org_unit, o.c.sector, a.c.strategic_code,
                           func.sum(a.c.expense_cents))
        .group_by(a.c.org_unit, o.c.sector, a.c.strategic_code)
        .order_by(a.c.org_unit, a.c.strategic_code)
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in conn.execute(q)]


def _rate(actual: int, final: int) -> float | None:
    return actual / final if final else None


def figures(conn: Connection, year: int, reference: Reference) -> dict[str, object]:
    """The figures of ``report_<Y>.json`` that come from the financial statements.

    Args:
        conn: Warehouse connection.
        year: Financial year.
        reference: Reference codes (goals of thematic priorities, sectors).
    """
    cycle = reference.cycle_for(year)
    lines = statement_lines(conn, year)
    revenue, expenses = lines.get("TOTAL_REVENUE", 0), lines.get("TOTAL_EXPENSES", 0)
    budget = budget_execution(conn, year)
    alloc = expenses_by_org_unit_and_code(conn, year)
    kinds = {e.code: e for e in cycle.elements} if cycle else {}
    by_code: dict[str, int] = {}
    by_goal: dict[str, int] = {g: 0 for g in sorted(cycle.codes("goal"))} if cycle else {}
    by_goal["enablers"] = 0
    by_sector = {code: 0 for code in reference.sectors}
    by_unit: dict[str, dict[str, float]] = {}
    for unit, sector, code, cents in alloc:
        by_code[code] = by_code.get(code, 0) + cents
        element = kinds.get(code)
        goal = element.goal if element and element.kind == "thematic_priority" else "enablers"
        by_goal[goal or "enablers"] = by_goal.get(goal or "enablers", 0) + cents
        by_sector[sector] = by_sector.get(sector, 0) + cents
        by_unit.setdefault(unit, {})[code] = _chf(cents)
    line_types = {c: v["line_type"] for c, v in reference.statement_lines.items()}
    return {
        "totals": {"revenue": _chf(revenue), "expenses": _chf(expenses),
                   "surplus": _chf(revenue - expenses)},
        "revenue_by_line": {c: _chf(v) for c, v in lines.items() if line_types.get(c) == "revenue"},
        "expenses_by_line": {c: _chf(v) for c, v in lines.items() if line_types.get(c) == "expense"},
        "budget_execution": {
            unit: {"approved": _chf(b["approved"]), "final": _chf(b["final"]),
                   "actual": _chf(b["actual"]), "rate": _rate(b["actual"], b["final"])}
            for unit, b in budget.items()
        },
        "expenses_by_strategic_code": {c: _chf(v) for c, v in sorted(by_code.items())},
        "expenses_by_goal": {g: _chf(v) for g, v in by_goal.items()},
        "expenses_by_sector": {sct: _chf(v) for sct, v in by_sector.items()},
        "expenses_by_org_unit": by_unit,
    }


def outputs_by_strategic_code(conn: Connection, year: int) -> dict[str, dict[str, object]]:
    """Activities (not cancelled), participants and women share per strategic code."""
    a = s.activities
    both = a.c.participants.is_not(None) & a.c.women_participants.is_not(None)
    from sqlalchemy import case  # noqa: PLC0415

    q = (
        current(a, year)
        .where(a.c.status != "cancelled")
        .with_only_columns(
            a.c.strategic_code,
            func.count(),
            func.coalesce(func.sum(a.c.participants), 0),
            func.sum(case((both, a.c.women_participants), else_=None)),
            func.sum(case((both, a.c.participants), else_=None)),
        )
        .group_by(a.c.strategic_code)
        .order_by(a.c.strategic_code)
    )
    return {
        code: {"activities": int(n), "participants": int(people),
               "women_share": (int(women) / int(base)) if base else None}
        for code, n, people, women, base in conn.execute(q)
    }


def joint_activities(conn: Connection, year: int) -> tuple[int, int]:
    """(activities not cancelled, those with a partner unit of another sector)."""
    a, p, lead, partner = s.activities, s.activity_partners, s.org_units.alias("lead"), s.org_units.alias("partner")
    other_sector = (
        select(p.c.activity_id)
        .join(partner, partner.c.code == p.c.org_unit)
        .where(p.c.delivery_id == a.c.delivery_id, p.c.activity_id == a.c.activity_id,
               partner.c.sector != lead.c.sector)
        .exists()
    )
    from sqlalchemy import case  # noqa: PLC0415

    q = (
        current(a, year)
        .join(lead, lead.c.code == a.c.org_unit)
        .where(a.c.status != "cancelled")
        .with_only_columns(func.count(), func.coalesce(func.sum(case((other_sector, 1), else_=0)), 0))
    )
    total, joint = conn.execute(q).one()
    return int(total), int(joint)


def multi_sector_priorities(alloc: list[tuple[str, str, str, int]], reference: Reference,
                            year: int) -> list[str]:
    """Thematic priorities with positive allocations from units of at least two sectors."""
    cycle = reference.cycle_for(year)
    priorities = cycle.codes("thematic_priority") if cycle else frozenset()
    sectors: dict[str, set[str]] = {}
    for _unit, sector, code, cents in alloc:
        if code in priorities and cents > 0:
            sectors.setdefault(code, set()).add(sector)
    return sorted(code for code, found in sectors.items() if len(found) >= 2)


def indicator_status(value: float | None, *, year: int, baseline: float, baseline_year: int,
                     target: float, target_year: int, direction: str) -> dict[str, object]:
    """Status of an indicator in ``year`` by the contract's trajectory rule (section 3.3).

    Returns:
        ``{"status", "expected", "progress"}``; expected and progress are ``None`` where
        they do not apply.
    """
    up = direction == "increase"
    if value is None:
        return {"status": "no_data", "expected": None, "progress": None}
    if (value >= target) if up else (value <= target):
        status, expected, progress = "achieved", None, None
        if baseline_year < year <= target_year:
            expected = baseline + (target - baseline) * (year - baseline_year) / (target_year - baseline_year)
        elif year > target_year:
            expected = target
        else:
            expected = baseline
        return {"status": status, "expected": expected, "progress": progress}
    if year <= baseline_year:
        good = value >= baseline if up else value <= baseline
        return {"status": "on_track" if good else "off_track", "expected": baseline, "progress": None}
    if year > target_year:
        return {"status": "off_track", "expected": target, "progress": None}
    expected = baseline + (target - baseline) * (year - baseline_year) / (target_year - baseline_year)
    progress = (value - baseline) / (expected - baseline) if expected != baseline else None
    if progress is None:
        status = "on_track"
    elif progress >= 0.95:
        status = "on_track"
    elif progress >= 0.75:
        status = "at_risk"
    else:
        status = "off_track"
    return {"status": status, "expected": expected, "progress": progress}


def indicators(conn: Connection, year: int) -> dict[str, dict[str, object]]:
    """Every current indicator definition with its value and status for ``year``."""
    d, v = s.indicator_definitions, s.indicator_values
    defs = conn.execute(current(d).order_by(d.c.indicator_code)).mappings().all()
    values = {
        r.indicator_code: r.value
        for r in conn.execute(current(v, year).with_only_columns(v.c.indicator_code, v.c.value))
    }
    out = {}
    for row in defs:
        value = values.get(row["indicator_code"])
        status = indicator_status(
            value, year=year, baseline=row["baseline_value"], baseline_year=row["baseline_year"],
            target=row["target_value"], target_year=row["target_year"], direction=row["direction"])
        out[row["indicator_code"]] = {
            "value": value, "expected": status["expected"], "target": row["target_value"],
            "status": status["status"], "progress": status["progress"],
            "baseline": row["baseline_value"], "baseline_year": row["baseline_year"],
            "target_year": row["target_year"], "unit": row["unit"], "direction": row["direction"],
            "strategic_code": row["strategic_code"], "name_en": row["name_en"], "name_fr": row["name_fr"],
        }
    return out


def reconciliation(conn: Connection, year: int, reference: Reference,
                   tolerance_chf: float) -> list[dict[str, object]]:
    """Rules R1-R3 (and L1/L2 with a ledger) recomputed on the year's current data."""
    import pandas as pd  # noqa: PLC0415

    from oneitu_etl.contract import Kind  # noqa: PLC0415
    from oneitu_etl.ingest import reconcile_statements  # noqa: PLC0415
    from oneitu_etl.validate.reconcile import Place  # noqa: PLC0415

    def frame(table: Table, *cols: str) -> pd.DataFrame:
        q = current(table, year).with_only_columns(*(table.c[c] for c in cols))
        return pd.DataFrame(conn.execute(q).all(), columns=list(cols))

    tables = {
        Kind.PERFORMANCE: frame(s.fs_performance, "line_code", "amount_cents"),
        Kind.BUDGET: frame(s.fs_budget, "org_unit", "actual_cents"),
        Kind.ALLOCATION: frame(s.fs_allocation, "org_unit", "strategic_code", "expense_cents"),
    }
    ledger = frame(s.expense_ledger, "org_unit", "strategic_code", "line_code", "amount_cents")
    places = {k: Place("") for k in (*tables, Kind.LEDGER)}
    checks = reconcile_statements(tables, places, reference, round(tolerance_chf * 100),
                                  ledger if len(ledger) else None)
    return [c.as_json() for c in checks]


def data_quality(conn: Connection, year: int) -> dict[str, object]:
    """Files, rows loaded and quarantined for the year, with the deliveries and quarantine."""
    d, i = s.deliveries, s.delivery_issues
    scope = d.c.superseded_at.is_(None) & ((d.c.year == year) | d.c.year.is_(None))
    rows = conn.execute(select(d).where(scope).order_by(d.c.path)).mappings().all()
    quarantined = conn.execute(
        select(i).join(d, d.c.id == i.c.delivery_id).where(scope, i.c.quarantined.is_(True))
        .order_by(i.c.file, i.c.row_number, i.c.id)
    ).mappings().all()
    return {
        "files": len(rows),
        "rows_loaded": sum(r["rows_loaded"] for r in rows),
        "rows_quarantined": sum(r["rows_quarantined"] for r in rows),
        "checks_run": 0,
        "checks_failed": 0,
        "deliveries": [
            {"file": r["path"], "kind": r["kind"], "sha256": r["sha256"], "size_bytes": r["size_bytes"],
             "encoding": r["encoding"], "arrived_at": _iso(r["arrived_at"]), "status": "current",
             "outcome": r["outcome"], "rows_loaded": r["rows_loaded"],
             "rows_quarantined": r["rows_quarantined"]}
            for r in rows
        ],
        "quarantined": [
            {"file": q["file"], "sheet": q["sheet"], "row": q["row_number"], "column": q["column_name"],
             "value": q["value"], "message": q["message"]}
            for q in quarantined
        ],
        "data_docs": None,
    }


def _iso(value: object) -> str | None:
    if value is None:
        return None
    text = value.isoformat()  # type: ignore[attr-defined]
    return text if "+" in text or text.endswith("Z") else text + "+00:00"


def report_figures(conn: Connection, year: int, reference: Reference,
                   tolerance_chf: float) -> dict[str, object]:
    """Every figure of ``report_<Y>.json`` for a year that can be published."""
    data = figures(conn, year, reference)
    data["outputs_by_strategic_code"] = outputs_by_strategic_code(conn, year)
    data["indicators"] = indicators(conn, year)
    data["reconciliation"] = reconciliation(conn, year, reference, tolerance_chf)
    alloc = expenses_by_org_unit_and_code(conn, year)
    total, joint = joint_activities(conn, year)
    matrix: dict[str, dict[str, float]] = {}
    cycle = reference.cycle_for(year)
    priorities = cycle.codes("thematic_priority") if cycle else frozenset()
    for _unit, sector, code, cents in alloc:
        if code in priorities:
            row = matrix.setdefault(code, {sct: 0.0 for sct in reference.sectors})
            row[sector] = round(row[sector] + cents / 100, 2)
    data["one_itu"] = {
        "joint_activity_share": joint / total if total else None,
        "multi_sector_priorities": multi_sector_priorities(alloc, reference, year),
        "activities": total,
        "joint_activities": joint,
        "matrix": dict(sorted(matrix.items())),
        "possible_overlaps": [],
    }
    data["previous_year"] = None
    data["data_quality"] = data_quality(conn, year)
    return data

"""Trust: the reconciliation rules recomputed on current data, and the data quality annex.

``reconciliation`` recomputes the declared rules on what the warehouse holds;
``check_counts`` counts the year's expectations (stage 2's results and ingestion's) and
``blocking_failures`` says which failures in the loaded statements block the year.
``data_quality`` counts, for the year, the current deliveries (the year's files and the
indicator definitions), the rows they loaded and quarantined, and lists them with the
quarantined rows. ``checks_run`` and ``checks_failed`` start at 0 here: the pipeline adds
the expectation results and the reconciliation rules (``pipeline.build_report_data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Connection, Table, func, select

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import EXPECTATIONS_DIR, say
from oneitu_etl.issues import Issue, located
from oneitu_etl.marts.base import bytewise, cents, current
from oneitu_etl.reference import Reference
from oneitu_etl.validate.reconcile import Place, reconcile
from oneitu_etl.validate.suites import Declaration, Scope, load_declarations
from oneitu_etl.warehouse import schema as s


def reconciliation(
    conn: Connection,
    year: int,
    reference: Reference,
    tolerance_cents: int,
    declarations: Mapping[Kind, Declaration] | None = None,
) -> list[dict[str, object]]:
    """Rules R1-R4 (and L1/L2 with a ledger) recomputed on the year's current data.

    The rules themselves are the ones ingestion applies (the declarations of
    ``expectations/``, the package's by default, computed by
    :func:`oneitu_etl.validate.reconcile.reconcile`), run here on what the warehouse
    holds, so the report shows the checks of its figures.
    """

    def frame(table: Table, *cols: str) -> pd.DataFrame:
        query = (
            current(table, year)
            .with_only_columns(*(table.c[c] for c in cols))
            .order_by(table.c.delivery_id, table.c.row_number)
        )
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=list(cols))

    tables = {
        Kind.PERFORMANCE: frame(s.fs_performance, "line_code", "amount_cents"),
        Kind.BUDGET: frame(
            s.fs_budget, "org_unit", "approved_budget_cents", "final_budget_cents", "actual_cents"
        ),
        Kind.ALLOCATION: frame(s.fs_allocation, "org_unit", "strategic_code", "expense_cents"),
    }
    # (v2) the optional tables take part where they were delivered
    optional = {
        Kind.BUDGET_ALLOCATION: frame(
            s.fs_budget_allocation, "org_unit", "approved_budget_cents", "final_budget_cents"
        ),
        Kind.BUDGET_RECONCILIATION: frame(s.fs_budget_reconciliation, "line_code", "amount_cents"),
    }
    tables.update({kind: rows for kind, rows in optional.items() if len(rows)})
    ledger = _ledger_sums(conn, year)
    if len(ledger):
        tables[Kind.LEDGER] = ledger
    places = {k: Place("") for k in tables}
    declarations = declarations or load_declarations(EXPECTATIONS_DIR)
    scope = Scope(reference, year, tolerance_cents=tolerance_cents)
    return [c.as_json() for c in reconcile(declarations, tables, places, scope)]


def _ledger_sums(conn: Connection, year: int) -> pd.DataFrame:
    """The year's current ledger summed by unit, strategic code and line.

    The ledger has millions of lines; L1 and L2 need only these sums, which ingestion
    stores with the rows (``ledger_totals``, a few hundred per delivery).
    """
    t = s.ledger_totals
    keys = (t.c.org_unit, t.c.strategic_code, t.c.line_code)
    total = func.sum(t.c.amount_cents)
    query = current(t, year).with_only_columns(*keys, total).group_by(*keys)
    rows = [(unit, code, line, cents(amount)) for unit, code, line, amount in conn.execute(query)]
    return pd.DataFrame(rows, columns=["org_unit", "strategic_code", "line_code", "amount_cents"])


def _iso_utc(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC: SQLite gives naive datetimes (stored in UTC), PostgreSQL aware ones
    in the session's time zone; both come out the same."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def data_quality(conn: Connection, year: int) -> dict[str, object]:
    """Files, rows loaded and quarantined for the year, with the deliveries and quarantine.

    Returns:
        The ``data_quality`` block of docs/report-json.md, ``checks_*`` at 0 and
        ``data_docs`` ``None`` (the pipeline fills them in).
    """
    d, i = s.deliveries, s.delivery_issues
    scope = d.c.superseded_at.is_(None) & ((d.c.year == year) | d.c.year.is_(None))
    files, loaded, quarantined_rows = conn.execute(
        select(func.count(), func.sum(d.c.rows_loaded), func.sum(d.c.rows_quarantined)).where(scope)
    ).one()
    query = select(d).where(scope).order_by(bytewise(d.c.path), d.c.id)
    rows = conn.execute(query).mappings().all()
    quarantined = (
        conn.execute(
            select(i)
            .join(d, d.c.id == i.c.delivery_id)
            .where(scope, i.c.quarantined.is_(True))
            .order_by(bytewise(i.c.file), func.coalesce(i.c.row_number, 0), i.c.id)
        )
        .mappings()
        .all()
    )
    problems = (
        conn.execute(
            select(
                d.c.path,
                i.c.sheet,
                i.c.row_number,
                i.c.column_name,
                i.c.message,
                i.c.severity,
                i.c.code,
                i.c.params,
            )
            .join(d, d.c.id == i.c.delivery_id)
            .where(
                scope,
                ((d.c.outcome == "rejected") & (i.c.severity == "error"))
                | (i.c.severity == "warning"),
            )
            .order_by(bytewise(d.c.path), func.coalesce(i.c.row_number, 0), i.c.id)
        )
        .mappings()
        .all()
    )
    reasons: dict[str, list[dict[str, object]]] = {}
    for p in problems:
        if p["severity"] == "error":
            reasons.setdefault(p["path"], []).append(
                {
                    "sheet": p["sheet"],
                    "row": p["row_number"],
                    "column": p["column_name"],
                    "message": p["message"],
                    "code": p["code"],
                    "params": p["params"],
                }
            )
    return {
        "files": int(files),
        "rows_loaded": cents(loaded),
        "rows_quarantined": cents(quarantined_rows),
        "checks_run": 0,
        "checks_failed": 0,
        "deliveries": [
            {
                "file": r["path"],
                "kind": r["kind"],
                "sha256": r["sha256"],
                "size_bytes": r["size_bytes"],
                "encoding": r["encoding"],
                "arrived_at": _iso_utc(r["arrived_at"]),
                "status": "current",
                "outcome": r["outcome"],
                "rows_loaded": r["rows_loaded"],
                "rows_quarantined": r["rows_quarantined"],
            }
            for r in rows
        ],
        "quarantined": [
            {
                "file": q["file"],
                "sheet": q["sheet"],
                "row": q["row_number"],
                "column": q["column_name"],
                "value": q["value"],
                "message": q["message"],
                "code": q["code"],
                "params": q["params"],
            }
            for q in quarantined
        ],
        "rejected_files": [
            {"file": path, "message": "; ".join(map(located, issues)), "issues": issues}
            for path, issues in reasons.items()
        ],
        "warnings": [
            {
                "file": w["path"],
                "sheet": w["sheet"],
                "row": w["row_number"],
                "column": w["column_name"],
                "message": w["message"],
                "code": w["code"],
                "params": w["params"],
            }
            for w in problems
            if w["severity"] == "warning"
        ],
        "data_docs": None,
    }


#: Statement tables whose loaded rows GX must find clean (else the year is blocked).
_BLOCKING = {
    Kind.PERFORMANCE.value,
    Kind.BUDGET.value,
    Kind.ALLOCATION.value,
    Kind.LEDGER.value,
    Kind.BUDGET_ALLOCATION.value,
    Kind.BUDGET_RECONCILIATION.value,
}


def _scope(year: int):  # noqa: ANN202 - a SQL condition
    d = s.deliveries
    return d.c.superseded_at.is_(None) & ((d.c.year == year) | d.c.year.is_(None))


def _warning_rules(declarations: Mapping[Kind, Declaration]) -> set[str]:
    return {
        str(e.meta.get("rule"))
        for d in declarations.values()
        for e in d.expectations
        if e.meta.get("severity") == "warning"
    }


def check_counts(
    conn: Connection, year: int, declarations: Mapping[Kind, Declaration] | None = None
) -> dict[str, object]:
    """The year's expectations, each counted once, and those that failed.

    An expectation is one (suite, rule, column). It failed when stage 2 found failing
    rows in the loaded data or when ingestion found them in a current delivery (rows
    that were quarantined, or that blocked the statements). Reconciliation entries and
    warning-only rules are left out (the report counts the reconciliation rules).

    Returns:
        ``checks_run``, ``checks_failed`` and ``validation``: one entry per expectation
        (suite, expectation, column, success, evaluated, unexpected).
    """
    v, d = s.validation_results, s.deliveries
    warnings = _warning_rules(declarations) if declarations else {"year_matches_folder"}
    checks: dict[tuple[str, str, str | None], dict[str, object]] = {}
    staged = (
        conn.execute(select(v).where(v.c.year == year, v.c.delivery_id.is_(None)).order_by(v.c.id))
        .mappings()
        .all()
    )
    for r in staged:
        details = r["details"] or {}
        if details.get("table_level") or details.get("severity") == "warning":
            continue
        checks[(r["suite"], details.get("rule", r["expectation"]), r["column_name"])] = {
            "suite": r["suite"],
            "expectation": r["expectation"],
            "rule": details.get("rule"),
            "column": r["column_name"],
            "success": bool(r["success"]),
            "evaluated": r["element_count"],
            "unexpected": r["unexpected_count"],
        }
    ingested = (
        conn.execute(
            select(v).join(d, d.c.id == v.c.delivery_id).where(_scope(year)).order_by(v.c.id)
        )
        .mappings()
        .all()
    )
    for r in ingested:
        if r["expectation"] in warnings:
            continue
        key = (r["suite"], r["expectation"], r["column_name"])
        entry = checks.setdefault(
            key,
            {
                "suite": r["suite"],
                "expectation": None,
                "rule": r["expectation"],
                "column": r["column_name"],
                "success": True,
                "evaluated": 0,
                "unexpected": 0,
            },
        )
        if not r["success"]:
            entry["success"] = False
            entry["unexpected"] = int(entry["unexpected"] or 0) + int(r["unexpected_count"] or 0)
    listing = sorted(
        checks.values(), key=lambda c: (c["suite"], c["rule"] or "", c["column"] or "")
    )
    return {
        "checks_run": len(listing),
        "checks_failed": sum(not c["success"] for c in listing),
        "validation": listing,
    }


def blocking_failures(conn: Connection, year: int) -> list[Issue]:
    """Failures GX found in the year's *loaded* financial statements (none expected).

    Ingestion loads statements only when every rule passed; a failure here means the
    warehouse and the rules disagree (a changed suite, a defect), and the year is blocked.
    """
    v = s.validation_results
    rows = (
        conn.execute(
            select(v)
            .where(
                v.c.year == year,
                v.c.delivery_id.is_(None),
                v.c.success.is_(False),
                v.c.suite.in_(_BLOCKING),
            )
            .order_by(v.c.id)
        )
        .mappings()
        .all()
    )
    issues = []
    for r in rows:
        details = r["details"] or {}
        if details.get("table_level") or details.get("severity") == "warning":
            continue  # the reconciliation rules block through the report's own checks
        places = r["unexpected_rows"] or [[r["suite"], None]]
        for file, row in places[:20]:
            issues.append(
                Issue(
                    file,
                    say(
                        "stage2_failed",
                        expectation=r["expectation"],
                        rule=details.get("rule"),
                        suite=r["suite"],
                    ),
                    row=row,
                    column=r["column_name"],
                    rule=details.get("rule"),
                )
            )
    return issues

"""Pipeline stage 2: the expectation suites run with Great Expectations on the warehouse.

For one year, every table's *current loaded* rows (the year's statements, ledger,
activities and indicator values, and the indicator definitions) become batch frames
(:func:`.suites.batch_frame`, each row named by its delivered file and row number), the
suites generated from ``expectations/`` run on them with GX (:func:`.gx.run_suites`),
and every expectation's result is stored in ``validation_results`` (``delivery_id``
null: the result is the table's, across its deliveries), replacing the previous run's.
The GX Data Docs site is rendered beside them.

A ledger of more than :data:`MAX_GX_ROWS` lines is not handed to GX row by row (a
pandas frame of millions of rows, and minutes per expectation): its row expectations
were evaluated at ingestion by the streamed row checker against the same suite (their
results are stored with the delivery and counted below), and GX evaluates its
reconciliation entries (L1/L2) on the ledger's stored sums (``ledger_totals``), which
sum to exactly the same totals.

The checks of a year (``checks_run`` / ``checks_failed`` of the report) are the
expectations evaluated, each counted once: failed if GX found failing rows in the loaded
data or if the row checker found them at ingestion in a current delivery (those rows were
quarantined, so they never reached the warehouse). The reconciliation entries GX also
evaluates are not counted here: the report counts the reconciliation rules themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference
from oneitu_etl.validate.suites import (
    Declaration,
    Scope,
    batch_frame,
    load_declarations,
    suite_rules,
)
from oneitu_etl.warehouse import ledger_store as store
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.queries import bytewise, current

log = logging.getLogger(__name__)
ENGINE = "great_expectations"
#: Failing rows kept per result (the count is always complete).
MAX_STORED_ROWS = 200
_BLOCKING = {
    Kind.PERFORMANCE.value,
    Kind.BUDGET.value,
    Kind.ALLOCATION.value,
    Kind.LEDGER.value,
    Kind.BUDGET_ALLOCATION.value,
    Kind.BUDGET_RECONCILIATION.value,
}
#: Ledger lines above which GX checks the ledger's sums only (see the module's docstring).
MAX_GX_ROWS = 200_000


@dataclass(frozen=True)
class StageResult:
    """What stage 2 did for a year."""

    year: int
    suites_run: int
    expectations: int
    failed: int
    data_docs: Path | None


def current_batches(
    conn: Connection, year: int, declarations: Mapping[Kind, Declaration], ledger: Path
) -> dict[Kind, pd.DataFrame]:
    """The batch frame of every table with current loaded rows for ``year``.

    Rows come in file (byte-wise path) then row order, the order ingestion judged them
    in, so that "the first occurrence" means the same for GX as for the row checker.
    The ledger's lines come from the ledger store at ``ledger``.
    """
    d = s.deliveries
    batches: dict[Kind, pd.DataFrame] = {}
    for kind, declaration in declarations.items():
        if kind is Kind.LEDGER:
            frame = store.current_lines(conn, ledger, year)
        else:
            table = s.DATA_TABLES[kind.value]
            query = current(table, None if kind is Kind.INDICATOR_DEFINITIONS else year)
            if kind is not Kind.INDICATOR_DEFINITIONS:
                query = query.where(d.c.year == year)
            query = query.add_columns(d.c.path.label("_path")).order_by(
                bytewise(d.c.path), table.c.row_number
            )
            frame = pd.DataFrame(conn.execute(query).mappings().all())
        if frame.empty:
            continue
        typed = frame.set_index("row_number")
        batches[kind] = batch_frame(typed, declaration, typed["_path"])
    return batches


def _ledger_lines(conn: Connection, year: int) -> int:
    t = s.ledger_totals
    query = current(t, year).with_only_columns(func.coalesce(func.sum(t.c.postings), 0))
    return int(conn.execute(query).scalar() or 0)


def summed_ledger(conn: Connection, year: int, declaration: Declaration) -> pd.DataFrame | None:
    """The batch of a ledger too large for GX: its stored sums, one row per sum.

    ``None`` when the year's ledger has at most :data:`MAX_GX_ROWS` lines (GX gets its
    rows). Only the ledger's table-level rules are run on this batch.
    """
    if _ledger_lines(conn, year) <= MAX_GX_ROWS:
        return None
    t, d = s.ledger_totals, s.deliveries
    query = (
        current(t, year)
        .with_only_columns(d.c.path.label("_path"), t.c.org_unit, t.c.strategic_code,
                           t.c.line_code, t.c.amount_cents)
        .order_by(bytewise(d.c.path), t.c.org_unit, t.c.strategic_code, t.c.line_code)
    )  # fmt: skip
    frame = pd.DataFrame(conn.execute(query).mappings().all())
    typed = frame.assign(posting_id=None, posting_date=None)
    typed.index = pd.RangeIndex(1, len(typed) + 1, name="row_number")
    return batch_frame(typed, declaration, typed["_path"])


def _defined(conn: Connection) -> frozenset[str]:
    rows = conn.execute(
        current(s.indicator_definitions).with_only_columns(s.indicator_definitions.c.indicator_code)
    )
    return frozenset(r[0] for r in rows)


def _json_value(value: object) -> object:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, int | str | bool) or value is None:
        return value
    try:
        return round(float(value), 2)  # numpy scalars
    except (TypeError, ValueError):
        return str(value)


def validate_year(
    engine: Engine,
    year: int,
    reference: Reference,
    *,
    expectations_dir: Path,
    tolerance_cents: int,
    data_docs: Path | None,
    ledger_store: Path,
    now: dt.datetime | None = None,
) -> StageResult:
    """Run every suite with GX on the year's current data; store results; render Data Docs.

    Args:
        engine: The warehouse.
        year: Financial year.
        reference: Reference codes (the suites' allowed values).
        expectations_dir: The declarations (``expectations/``).
        tolerance_cents: Reconciliation tolerance, in cents.
        data_docs: Folder for the Data Docs site (replaced), or ``None``.
        ledger_store: The ledger store (the ledger's lines, for GX).
        now: Time of the run (stored with the results).

    Returns:
        Counts of what ran.
    """
    from oneitu_etl.validate.gx import run_suites  # noqa: PLC0415 - imports GX (seconds)

    now = now or dt.datetime.now(dt.UTC)
    declarations = load_declarations(Path(expectations_dir))
    with engine.connect() as conn:
        summed = summed_ledger(conn, year, declarations[Kind.LEDGER])
        rowwise = {k: d for k, d in declarations.items() if summed is None or k is not Kind.LEDGER}
        batches = current_batches(conn, year, rowwise, ledger_store)
        if summed is not None:
            batches[Kind.LEDGER] = summed
        scope = Scope(reference, year, _defined(conn), tolerance_cents)
    rules = suite_rules(declarations, batches, scope)
    if summed is not None:  # its rows were judged at ingestion: GX checks its sums
        rules[Kind.LEDGER] = [r for r in rules[Kind.LEDGER] if r.table_level]
    outcomes = run_suites(declarations, rules, batches, data_docs=data_docs)
    records = [
        {
            "run_id": None,
            "delivery_id": None,
            "year": year,
            "suite": o.suite,
            "expectation": o.expectation,
            "column_name": o.column,
            "success": o.success,
            "element_count": o.element_count,
            "unexpected_count": o.unexpected_count,
            "unexpected_rows": [[f, r] for f, r in o.failing[:MAX_STORED_ROWS]],
            "details": {
                "engine": ENGINE,
                "rule": o.rule,
                "rule_id": o.rule_id,
                "severity": o.severity,
                "table_level": o.reconciliation,
                "observed": _json_value(o.observed),
                "exception": o.exception,
                "validated_at": now.isoformat(),
            },
        }
        for o in outcomes
    ]
    v = s.validation_results
    with engine.begin() as conn:
        conn.execute(delete(v).where(v.c.year == year, v.c.delivery_id.is_(None)))
        if records:
            conn.execute(insert(v), records)
    failed = [o for o in outcomes if not o.success and o.severity == "error"]
    log.info(  # the summary first, then each failure
        "validation %s: %d suites, %d expectations, %d failed",
        year,
        len(batches),
        len(outcomes),
        len(failed),
    )
    for o in failed:
        where = ", ".join(f"{f} row {r}" for f, r in o.failing[:5])
        log.error(
            "validation %s: %s %s failed%s",
            o.suite,
            o.rule,
            o.column or "",
            f" ({where})" if where else f" (observed {_json_value(o.observed)})",
        )
    rendered = data_docs if data_docs is not None and (data_docs / "index.html").exists() else None
    return StageResult(year, len(batches), len(outcomes), len(failed), rendered)


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

"""Pipeline stage 2: the expectation suites run with Great Expectations on the warehouse.

For one year, every table's *current loaded* rows (the year's statements, ledger,
activities and indicator values, and the indicator definitions) become batch frames
(:func:`batch_frame`, each row named by its delivered file and row number), the
suites generated from ``expectations/`` run on them with GX (:func:`.validate.gx.run_suites`),
and every expectation's result is stored in ``validation_results`` (``delivery_id``
null: the result is the table's, across its deliveries), replacing the previous run's.
The GX Data Docs site is rendered beside them.

A ledger of more than :data:`MAX_GX_ROWS` lines is not handed to GX row by row (a
pandas frame of millions of rows, and minutes per expectation): its row expectations
were evaluated at ingestion by the row engine against the same suite (:mod:`.large`; their
results are stored with the delivery and counted with the year's), and GX evaluates its
reconciliation entries (L1/L2) on the ledger's stored sums (``ledger_totals``), which
sum to exactly the same totals.

The warehouse gives the rows and stores the results
(:mod:`oneitu_etl.warehouse.stage_results`); the report counts them
(:func:`oneitu_etl.marts.quality.check_counts`).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine

from oneitu_etl.contract import Kind
from oneitu_etl.fileio import replace_folder, temporary_folder
from oneitu_etl.reference import Reference
from oneitu_etl.validate.reconcile import suite_rules
from oneitu_etl.validate.suites import (
    Declaration,
    Scope,
    cents_column,
    load_declarations,
)
from oneitu_etl.warehouse import stage_results as results
from oneitu_etl.warehouse.loads import defined_indicators

if TYPE_CHECKING:
    from oneitu_etl.validate.gx import Outcome

log = logging.getLogger(__name__)
ENGINE = "great_expectations"
#: Failing rows kept per result (the count is always complete).
MAX_STORED_ROWS = 200
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


def batch_frame(
    typed: pd.DataFrame, declaration: Declaration, files: str | pd.Series
) -> pd.DataFrame:
    """The frame both evaluators judge: contract names, natural units, ``file`` and ``row``.

    Args:
        typed: Typed rows as produced by the row checker or read from the warehouse
            (amounts in ``*_cents``, dates as ``datetime.date``), indexed by row number.
        declaration: The table's declaration (column names and types).
        files: The file of every row (one name, or a series aligned with ``typed``).

    Returns:
        One column per declared column (amounts as float CHF, integers ``Int64``, dates
        ``datetime64``, text ``str``), plus ``file`` and ``row``; a fresh 0..n-1 index.
    """
    out: dict[str, Any] = {
        "file": pd.Series(files, index=typed.index, dtype="str")
        if not isinstance(files, pd.Series)
        else files.astype("str"),
        "row": pd.Series(typed.index, index=typed.index, dtype="int64"),
    }
    for col in declaration.columns:
        if col.type in ("amount", "signed_amount"):
            cents = typed[cents_column(col.name)]
            out[col.name] = pd.to_numeric(cents, errors="coerce").astype("float64") / 100
        elif col.type == "integer":
            out[col.name] = pd.to_numeric(typed[col.name], errors="coerce").astype("Int64")
        elif col.type == "number":
            out[col.name] = pd.to_numeric(typed[col.name], errors="coerce").astype("float64")
        elif col.type == "date":
            out[col.name] = pd.to_datetime(typed[col.name], errors="coerce").astype(
                "datetime64[ns]"
            )
        else:
            out[col.name] = (
                typed[col.name].astype("object").where(typed[col.name].notna(), None).astype("str")
            )
    return pd.DataFrame(out).reset_index(drop=True)


def current_batches(
    conn: Connection, year: int, declarations: Mapping[Kind, Declaration], ledger: Path
) -> dict[Kind, pd.DataFrame]:
    """The batch frame of every table with current loaded rows for ``year`` (the ledger's
    lines from the ledger store at ``ledger``), each row named by its file and row."""
    rows = results.current_rows(conn, year, declarations, ledger)
    return {k: batch_frame(f, declarations[k], f["_path"]) for k, f in rows.items()}


def summed_ledger(conn: Connection, year: int, declaration: Declaration) -> pd.DataFrame | None:
    """The batch of a ledger too large for GX: its stored sums, one row per sum.

    ``None`` when the year's ledger has at most :data:`MAX_GX_ROWS` lines (GX gets its
    rows). Only the ledger's table-level rules are run on this batch.
    """
    if results.ledger_lines(conn, year) <= MAX_GX_ROWS:
        return None
    sums = results.ledger_sums(conn, year)
    return batch_frame(sums, declaration, sums["_path"])


def _json_value(value: object) -> object:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, int | str | bool) or value is None:
        return value
    try:
        return round(float(value), 2)  # numpy scalars
    except (TypeError, ValueError):
        return str(value)


def _run_with_docs(
    declarations: Mapping[Kind, Declaration],
    rules: Mapping[Kind, list],
    batches: Mapping[Kind, pd.DataFrame],
    data_docs: Path | None,
) -> list[Outcome]:
    """GX's outcomes, its Data Docs rendered beside ``data_docs`` and put in its place
    whole (with the listing of every suite on top of the index), or none."""
    from oneitu_etl.validate.gx import run_suites  # noqa: PLC0415 - imports GX (seconds)

    if data_docs is None:
        return run_suites(declarations, rules, batches)
    # absolute: GX refuses a relative base_directory (``oneitu run --out out``); readable
    # by all (not mkdtemp's 0700): it becomes the published ``data_docs``
    staging: Path | None = temporary_folder(data_docs.parent, ".data_docs.")
    try:
        outcomes = run_suites(declarations, rules, batches, data_docs=staging)
        _add_static_listing(staging, declarations, outcomes)
        replace_folder(staging, data_docs)
        staging = None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return outcomes


def _add_static_listing(
    site: Path, declarations: Mapping[Kind, Declaration], outcomes: list[Outcome]
) -> None:
    """Put a plain HTML table of every suite at the top of the Data Docs index.

    GX's own index lists suites and results with JavaScript loaded from public CDNs; this
    table needs neither, so the page lists every suite offline and behind a proxy too.
    """
    index = site / "index.html"
    page = index.read_text(encoding="utf-8")
    rows = []
    for declaration in declarations.values():
        name = declaration.name
        ran = [o for o in outcomes if o.suite == name]
        runs = sorted((site / "validations" / name).rglob("*.html"))
        failed = sum(not o.success for o in ran)
        if runs:
            verdict = "passed" if not failed else f"{failed} failed"
            latest = f'<a href="{runs[-1].relative_to(site).as_posix()}">{verdict}</a>'
        else:
            latest = "not run: no data"
        rows.append(
            f'<tr><td><a href="expectations/{html.escape(name)}.html">{html.escape(name)}</a></td>'
            f"<td>{html.escape(str(declaration.meta.get('contract', '')))}</td>"
            f"<td>{len(ran) if runs else ''}</td><td>{latest}</td></tr>"
        )
    listing = (
        '<section id="oneitu-suites" style="font-family: sans-serif; margin: 1em">'
        "<h2>One ITU expectation suites</h2>"
        "<table><thead><tr><th>Suite</th><th>Contract section</th><th>Expectations</th>"
        "<th>Latest validation</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        "</section>"
    )
    page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + listing, page, count=1)
    index.write_text(page, encoding="utf-8")


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
    now = now or dt.datetime.now(dt.UTC)
    declarations = load_declarations(Path(expectations_dir))
    with engine.connect() as conn:
        summed = summed_ledger(conn, year, declarations[Kind.LEDGER])
        rowwise = {k: d for k, d in declarations.items() if summed is None or k is not Kind.LEDGER}
        batches = current_batches(conn, year, rowwise, ledger_store)
        if summed is not None:
            batches[Kind.LEDGER] = summed
        scope = Scope(reference, year, defined_indicators(conn), tolerance_cents)
    rules = suite_rules(declarations, batches, scope)
    if summed is not None:  # its rows were judged at ingestion: GX checks its sums
        rules[Kind.LEDGER] = [r for r in rules[Kind.LEDGER] if r.table_level]
    outcomes = _run_with_docs(declarations, rules, batches, data_docs)
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
    results.replace_results(engine, year, records)
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

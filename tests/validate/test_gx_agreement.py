"""Great Expectations and the row engine find the same rows, case by case.

The row engine (DuckDB, with the messages) runs in ``oneitu validate`` and at ingestion;
GX runs the suites generated from the same declarations in pipeline stage 2. Here both
judge every readable case of the bad-input corpus and the demo landing zone: for every
expectation, GX's failing rows (its ``unexpected_index_list``, by file and row) must be
exactly the rows the row checker failed, and for the statements every reconciliation
entry must pass or fail alike in GX and in :mod:`oneitu_etl.validate.reconcile`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oneitu_etl.checkfiles import CheckedFiles, NamedFile, judge_files
from oneitu_etl.contract import STATEMENT_KINDS, Kind, year_of_path
from oneitu_etl.demo import generate_landing
from oneitu_etl.reference import load_reference
from oneitu_etl.settings import Settings
from oneitu_etl.stage2 import batch_frame
from oneitu_etl.validate import engine
from oneitu_etl.validate.engine import Compiled
from oneitu_etl.validate.gx import Outcome, run_suites
from oneitu_etl.validate.reconcile import Place, reconcile, suite_rules
from oneitu_etl.validate.rows import CheckedTable
from oneitu_etl.validate.suites import Declaration, Scope, load_declarations

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
SETTINGS = Settings(landing="", out=Path("unused"))


def judge_folder(folder: Path) -> CheckedFiles:
    """The folder's files judged together, named relative to it (as the corpus test does)."""
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    files = [NamedFile(p.relative_to(folder).as_posix(), p.read_bytes()) for p in paths]
    return judge_files(files, SETTINGS)


def readable_cases() -> list[str]:
    """Corpus cases with at least one table the checker could read (others have no rows)."""
    return sorted(
        p.name
        for p in BAD.iterdir()
        if p.is_dir() and any(item.tables for item in judge_folder(p).items)
    )


def checker_rows(checked: CheckedFiles) -> dict[tuple[str, str, str | None], set]:
    """The row checker's failing rows per (suite, rule, column), across the files."""
    found: dict[tuple[str, str, str | None], set] = {}
    for item in checked.items:
        for table in item.tables:
            for (rule, column), rows in table.results.items():
                key = (table.spec.kind.value, rule, column)
                found.setdefault(key, set()).update((item.path, row) for row in rows)
    return found


def batch(table: CheckedTable, declaration: Declaration) -> pd.DataFrame:
    """Every row of a checked table typed by the engine (rows the checker leaves out
    included), as stage 2 gives it to GX."""
    compiled = Compiled(declaration, [])
    found = engine.run(compiled, table.raw.frame, list(table.raw.frame.columns))
    return batch_frame(compiled.typed_frame(found), declaration, table.raw.file)


def gx_outcomes(checked: CheckedFiles, year: int | None) -> list[Outcome]:
    """GX on the same batches, with the rules resolved as the checker resolved them."""
    declarations = load_declarations(SETTINGS.expectations_dir)
    batches: dict[Kind, list[pd.DataFrame]] = {}
    for item in checked.items:
        for table in item.tables:
            kind = table.spec.kind
            batches.setdefault(kind, []).append(batch(table, declarations[kind]))
    frames = {k: pd.concat(v, ignore_index=True) for k, v in batches.items()}
    scope = Scope(load_reference(), year, checked.defined, SETTINGS.tolerance_cents)
    return run_suites(declarations, suite_rules(declarations, frames, scope), frames)


def reconciliation_verdicts(checked: CheckedFiles) -> dict[str, bool] | None:
    """R1-R3 (L1/L2) by :mod:`.reconcile` when the statements are complete and clean."""
    tables = {t.spec.kind: t for i in checked.items for t in i.tables}
    owners = [i for i in checked.items if any(t.spec.kind in tables for t in i.tables)]
    if not set(STATEMENT_KINDS) <= set(tables) or any(o.errors for o in owners):
        return None
    places = {k: Place(t.raw.file, t.raw.sheet) for k, t in tables.items()}
    frames = {k: t.frame for k, t in tables.items()}
    scope = Scope(load_reference(), None, tolerance_cents=100)
    checks = reconcile(load_declarations(SETTINGS.expectations_dir), frames, places, scope)
    return {c.rule: c.passed for c in checks}


def assert_agree(checked: CheckedFiles, year: int | None) -> list[Outcome]:
    outcomes = gx_outcomes(checked, year)
    assert outcomes, "GX evaluated nothing"
    assert not [o for o in outcomes if o.exception], "GX could not evaluate an expectation"
    by_gx = {(o.suite, o.rule, o.column): set(o.failing) for o in outcomes if not o.reconciliation}
    assert by_gx == checker_rows(checked)
    verdicts = reconciliation_verdicts(checked)
    if verdicts is not None:
        assert {o.rule: o.success for o in outcomes if o.reconciliation} == verdicts
    return outcomes


@pytest.mark.parametrize("case", readable_cases())
def test_gx_and_the_row_checker_fail_the_same_rows(case: str) -> None:
    checked = judge_folder(BAD / case)
    years = {year_of_path(i.path) for i in checked.items} - {None}
    assert_agree(checked, years.pop() if years else None)


def test_they_agree_on_the_demo_landing_zone(tmp_path: Path) -> None:
    generate_landing(tmp_path, [2024])
    checked = judge_folder(tmp_path)
    outcomes = assert_agree(checked, 2024)
    assert all(o.success for o in outcomes)
    assert {o.rule for o in outcomes if o.reconciliation} >= {
        "R1-revenue",
        "R1-expenses",
        "R2",
        "R3-total",
    }


def test_gx_names_the_rows_of_a_small_frame_as_the_checker_does() -> None:
    """A tiny inline table: the failing rows are written here, not recomputed."""
    header = (
        "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,"
        "start_date,end_date,status,participants,women_participants,countries,cost_chf"
    )
    rows = [
        "A-1,BR,,TP-RAD,workshop,One,2024-01-10,2024-01-12,completed,10,4,3,100.00",
        "A-2,BR,,TP-RAD,workshop,Two,2024-02-10,2024-02-01,completed,10,12,3,100.00",
        "A-1,XX,,TP-RAD,workshop,Three,2024-03-10,,planned,,,,-5.00",
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    checked = judge_files([NamedFile("2024/activities/a.csv", data)], SETTINGS)
    outcomes = {(o.rule, o.column): o for o in assert_agree(checked, 2024)}
    file = "2024/activities/a.csv"
    assert outcomes[("end_after_start", "end_date")].failing == [(file, 3)]
    assert outcomes[("women_within_participants", "women_participants")].failing == [(file, 3)]
    assert outcomes[("unique", "activity_id")].failing == [(file, 4)]
    assert outcomes[("allowed_codes", "org_unit")].failing == [(file, 4)]
    assert outcomes[("range", "cost_chf")].failing == [(file, 4)]
    assert outcomes[("range", "cost_chf")].element_count == 3
    assert outcomes[("not_null", "title")].success


@pytest.mark.parametrize(
    ("total_revenue", "passed"),
    [
        pytest.param("101.00", True, id="1.00-apart-passes"),
        pytest.param("101.01", False, id="1.01-apart-fails"),
        pytest.param("98.99", False, id="1.01-under-fails"),
    ],
)
def test_gx_applies_the_one_franc_tolerance_like_reconcile(
    total_revenue: str, passed: bool
) -> None:
    files = [
        NamedFile(
            "2024/financial_performance.csv",
            (
                "line_code,line_label,line_type,amount_chf\n"
                "REV_ASSESSED,,revenue,100.00\nEXP_STAFF,,expense,50.00\n"
                f"TOTAL_REVENUE,,total,{total_revenue}\nTOTAL_EXPENSES,,total,50.00\n"
            ).encode(),
        ),
        NamedFile(
            "2024/budget_comparison.csv",
            (b"org_unit,approved_budget_chf,final_budget_chf,actual_chf\nGS,50.00,50.00,50.00\n"),
        ),
        NamedFile(
            "2024/expense_allocation.csv", b"org_unit,strategic_code,expense_chf\nGS,EN-HRI,50.00\n"
        ),
    ]
    outcomes = assert_agree(judge_files(files, SETTINGS), 2024)
    assert {o.rule: o.success for o in outcomes if o.reconciliation} == {
        "R1-revenue": passed,
        "R1-expenses": True,
        "R2": True,
        "R3-GS": True,
        "R3-total": True,
    }

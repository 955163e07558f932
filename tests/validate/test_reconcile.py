"""The reconciliation rules R1-R3 and L1/L2, passing and failing, on tiny inline tables.

The rules are the project's declarations (``expectations/``) computed by
:func:`oneitu_etl.validate.reconcile.reconcile`. Amounts are integer cents, as the typed
tables hold them. The expected sums, differences and messages are written here, not
recomputed by the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import EXPECTATIONS_DIR
from oneitu_etl.reference import load_reference
from oneitu_etl.validate.reconcile import Check, Place, reconcile
from oneitu_etl.validate.suites import Scope, load_declarations

WB = Place("2024/financial_statements.xlsx", "performance")
DECLARATIONS = load_declarations(EXPECTATIONS_DIR)
#: The reference's statement lines (REV_* revenue, EXP_* expense) and one franc of tolerance.
SCOPE = Scope(load_reference(), 2024, tolerance_cents=100)


def reconciled(place: Place = WB, **tables: pd.DataFrame) -> list[Check]:
    """The declared rules whose tables are given (by name), each delivered at ``place``."""
    kinds = {Kind(name): frame for name, frame in tables.items()}
    return reconcile(DECLARATIONS, kinds, {kind: place for kind in kinds}, SCOPE)


def rules(prefix: str, checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.rule.startswith(prefix)]


def performance(**cents: int) -> pd.DataFrame:
    """A performance table from line code -> amount in cents."""
    return pd.DataFrame({"line_code": list(cents), "amount_cents": list(cents.values())})


def budget(**actual: int) -> pd.DataFrame:
    units = [u.replace("_", "-") for u in actual]
    return pd.DataFrame({"org_unit": units, "actual_cents": list(actual.values())})


def allocation(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["org_unit", "strategic_code", "expense_cents"])


def by_rule(checks: list[Check]) -> dict[str, Check]:
    return {c.rule: c for c in checks}


PERF = performance(
    REV_ASSESSED=100_000_00,
    REV_OTHER=20_000_00,
    EXP_STAFF=70_000_00,
    EXP_TRAVEL=30_000_00,
    TOTAL_REVENUE=120_000_00,
    TOTAL_EXPENSES=100_000_00,
)


# -- R1 ---------------------------------------------------------------------------------------
def test_r1_passes_when_the_lines_sum_to_their_totals() -> None:
    checks = by_rule(reconciled(financial_performance=PERF))
    assert [c.as_json() for c in checks.values()] == [
        {
            "rule": "R1-revenue",
            "left": 120000.0,
            "right": 120000.0,
            "difference": 0.0,
            "passed": True,
        },
        {
            "rule": "R1-expenses",
            "left": 100000.0,
            "right": 100000.0,
            "difference": 0.0,
            "passed": True,
        },
    ]
    assert all(c.issue is None for c in checks.values())


def test_r1_fails_with_both_sides_and_the_difference() -> None:
    perf = performance(
        REV_ASSESSED=100_000_00,
        REV_OTHER=20_000_00,
        EXP_STAFF=70_000_00,
        EXP_TRAVEL=30_000_00,
        TOTAL_REVENUE=112_000_00,
        TOTAL_EXPENSES=100_000_00,
    )
    checks = by_rule(reconciled(financial_performance=perf))
    revenue = checks["R1-revenue"]
    assert (revenue.passed, revenue.difference_cents) == (False, 8_000_00)
    assert revenue.issue is not None
    assert revenue.issue.line() == (
        "2024/financial_statements.xlsx:performance: R1-revenue failed: the revenue lines sum "
        "to 120,000.00 but TOTAL_REVENUE is 112,000.00 (difference 8,000.00)"
    )
    assert checks["R1-expenses"].passed


def test_r1_fails_when_a_total_line_is_missing() -> None:
    perf = PERF[PERF["line_code"] != "TOTAL_EXPENSES"]
    checks = by_rule(reconciled(financial_performance=perf))
    assert checks["R1-revenue"].passed
    expenses = checks["R1-expenses"]
    assert (expenses.passed, expenses.left_cents, expenses.right_cents) == (False, 100_000_00, 0)
    assert expenses.issue is not None
    assert expenses.issue.message == (
        "R1-expenses failed: the TOTAL_EXPENSES line is missing; both total lines must be present"
    )


@pytest.mark.parametrize(
    ("total_cents", "passed"),
    [
        pytest.param(120_000_00 + 100, True, id="1.00-over-passes"),
        pytest.param(120_000_00 - 100, True, id="1.00-under-passes"),
        pytest.param(120_000_00 + 101, False, id="1.01-over-fails"),
        pytest.param(120_000_00 - 101, False, id="1.01-under-fails"),
    ],
)
def test_r1_tolerance_is_one_franc(total_cents: int, passed: bool) -> None:
    perf = PERF.assign(
        amount_cents=PERF["amount_cents"].where(PERF["line_code"] != "TOTAL_REVENUE", total_cents)
    )
    assert by_rule(reconciled(financial_performance=perf))["R1-revenue"].passed is passed


# -- R2 ---------------------------------------------------------------------------------------
def test_r2_passes_when_the_actuals_sum_to_total_expenses() -> None:
    checks = reconciled(
        budget_comparison=budget(GS=60_000_00, BR=40_000_00), financial_performance=PERF
    )
    check = by_rule(checks)["R2"]
    assert (check.rule, check.left_cents, check.right_cents, check.passed) == (
        "R2",
        100_000_00,
        100_000_00,
        True,
    )


def test_r2_fails_with_the_difference() -> None:
    place = Place("2024/financial_statements.xlsx", "budget_comparison")
    both = {"budget_comparison": budget(GS=60_000_00, BR=42_500_50), "financial_performance": PERF}
    check = by_rule(reconciled(place, **both))["R2"]
    assert (check.passed, check.difference_cents) == (False, 2_500_50)
    assert check.issue is not None
    assert check.issue.line() == (
        "2024/financial_statements.xlsx:budget_comparison: R2 failed: the actual_chf of "
        "budget_comparison sum to 102,500.50 but TOTAL_EXPENSES is 100,000.00 "
        "(difference 2,500.50)"
    )


# -- R3 ---------------------------------------------------------------------------------------
ALLOC_PLACE = Place("2024/financial_statements.xlsx", "expense_allocation")


def r3(alloc: pd.DataFrame, actuals: pd.DataFrame) -> list[Check]:
    """R3's entries, the allocations given with the budget and the statement (``PERF``)."""
    tables = {"expense_allocation": alloc, "budget_comparison": actuals}
    return rules("R3", reconciled(ALLOC_PLACE, **tables, financial_performance=PERF))


def test_r3_passes_per_unit_and_in_total() -> None:
    alloc = allocation(
        ("GS", "EN-HRI", 35_000_00), ("GS", "EN-RMO", 25_000_00), ("BR", "TP-RAD", 40_000_00)
    )
    checks = r3(alloc, budget(GS=60_000_00, BR=40_000_00))
    assert [(c.rule, c.left_cents, c.right_cents, c.passed) for c in checks] == [
        ("R3-BR", 40_000_00, 40_000_00, True),
        ("R3-GS", 60_000_00, 60_000_00, True),
        ("R3-total", 100_000_00, 100_000_00, True),
    ]


def test_r3_fails_for_the_unit_whose_allocations_differ() -> None:
    alloc = allocation(("GS", "EN-HRI", 60_000_00), ("BR", "TP-RAD", 65_000_00))
    checks = by_rule(r3(alloc, budget(GS=60_000_00, BR=40_000_00)))
    assert checks["R3-GS"].passed
    assert checks["R3-BR"].issue is not None
    assert checks["R3-BR"].issue.line() == (
        "2024/financial_statements.xlsx:expense_allocation: R3 failed for BR: allocations sum "
        "to 65,000.00 but actual_chf is 40,000.00 (difference 25,000.00)"
    )
    assert checks["R3-total"].issue is not None
    assert checks["R3-total"].issue.message == (
        "R3 failed: all allocations sum to 125,000.00 but TOTAL_EXPENSES is 100,000.00 "
        "(difference 25,000.00)"
    )


def test_r3_fails_for_a_unit_without_a_budget_row_even_at_zero() -> None:
    alloc = allocation(
        ("GS", "EN-HRI", 60_000_00), ("BR", "TP-RAD", 40_000_00), ("RO-EUR", "EN-REG", 0)
    )
    checks = by_rule(r3(alloc, budget(GS=60_000_00, BR=40_000_00)))
    assert not checks["R3-RO-EUR"].passed
    assert checks["R3-RO-EUR"].issue is not None
    assert checks["R3-RO-EUR"].issue.message == (
        "R3 failed for RO-EUR: it has allocations (0.00) but no row in budget_comparison"
    )
    assert checks["R3-total"].passed


def test_r3_fails_for_a_budget_unit_without_allocations() -> None:
    alloc = allocation(("GS", "EN-HRI", 60_000_00))
    checks = by_rule(r3(alloc, budget(GS=60_000_00, BR=40_000_00)))
    assert (checks["R3-BR"].left_cents, checks["R3-BR"].right_cents) == (0, 40_000_00)
    assert not checks["R3-BR"].passed
    assert not checks["R3-total"].passed


# -- L1 and L2 --------------------------------------------------------------------------------
LEDGER_PLACE = Place("2024/expense_ledger.csv")
ALLOC = allocation(("GS", "EN-HRI", 60_000_00), ("BR", "TP-RAD", 40_000_00))


def ledger(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    """Ledger lines (or sums): unit, strategic code, statement line, cents."""
    return pd.DataFrame(rows, columns=["org_unit", "strategic_code", "line_code", "amount_cents"])


def l1_l2(lines: pd.DataFrame) -> list[Check]:
    """L1 and L2 of ``lines`` against ``ALLOC`` and the statement (``PERF``)."""
    tables = {"expense_ledger": lines, "expense_allocation": ALLOC, "financial_performance": PERF}
    return rules("L", reconciled(LEDGER_PLACE, **tables))


def test_l1_and_l2_pass_when_the_ledger_aggregates_to_both() -> None:
    checks = l1_l2(
        ledger(
            ("BR", "TP-RAD", "EXP_TRAVEL", 30_000_00),
            ("BR", "TP-RAD", "EXP_STAFF", 10_000_00),
            ("GS", "EN-HRI", "EXP_STAFF", 60_000_00),
        )
    )
    assert [(c.rule, c.passed) for c in checks] == [
        ("L1-BR-TP-RAD", True),
        ("L1-GS-EN-HRI", True),
        ("L2-EXP_STAFF", True),
        ("L2-EXP_TRAVEL", True),
    ]


def test_l1_fails_for_the_key_that_does_not_aggregate() -> None:
    checks = by_rule(
        l1_l2(
            ledger(
                ("BR", "TP-RAD", "EXP_TRAVEL", 30_000_00),
                ("BR", "TP-RAD", "EXP_STAFF", 10_000_00),
                ("GS", "EN-HRI", "EXP_STAFF", 59_998_50),
            )
        )
    )
    failed = checks["L1-GS-EN-HRI"]
    assert (failed.passed, failed.difference_cents) == (False, -1_50)
    assert failed.issue is not None
    assert failed.issue.line() == (
        "2024/expense_ledger.csv: L1 failed for GS EN-HRI: ledger postings sum to 59,998.50 "
        "but expense_allocation gives 60,000.00 (difference 1.50)"
    )
    assert checks["L1-BR-TP-RAD"].passed


def test_l1_fails_for_postings_to_a_key_without_allocation() -> None:
    checks = by_rule(
        l1_l2(
            ledger(
                ("BR", "TP-RAD", "EXP_TRAVEL", 30_000_00),
                ("BR", "TP-RAD", "EXP_STAFF", 10_000_00),
                ("GS", "EN-HRI", "EXP_STAFF", 60_000_00),
                ("TSB", "TP-STD", "EXP_STAFF", 5_000_00),
            )
        )
    )
    assert (checks["L1-TSB-TP-STD"].left_cents, checks["L1-TSB-TP-STD"].right_cents) == (
        5_000_00,
        0,
    )
    assert not checks["L1-TSB-TP-STD"].passed


def test_l2_fails_for_the_line_that_does_not_aggregate() -> None:
    checks = by_rule(
        l1_l2(
            ledger(
                ("BR", "TP-RAD", "EXP_TRAVEL", 5_000_00),
                ("BR", "TP-RAD", "EXP_STAFF", 35_000_00),
                ("GS", "EN-HRI", "EXP_STAFF", 60_000_00),
            )
        )
    )
    assert checks["L2-EXP_STAFF"].issue is not None
    assert checks["L2-EXP_STAFF"].issue.message == (
        "L2 failed for EXP_STAFF: ledger postings sum to 95,000.00 but the statement gives "
        "70,000.00 (difference 25,000.00)"
    )
    assert (checks["L2-EXP_TRAVEL"].left_cents, checks["L2-EXP_TRAVEL"].passed) == (5_000_00, False)


def test_l2_takes_the_expense_lines_of_the_reference_not_a_prefix() -> None:
    """A statement line is an expense line by its type in the reference data, as the
    declaration says (``statement_lines``, ``line_type: expense``), not by its name: the
    totals are never an L2 entry, whatever they are called."""
    checks = l1_l2(
        ledger(
            ("BR", "TP-RAD", "EXP_TRAVEL", 30_000_00),
            ("BR", "TP-RAD", "EXP_STAFF", 10_000_00),
            ("GS", "EN-HRI", "EXP_STAFF", 60_000_00),
        )
    )
    expense_lines = {
        c for c, v in SCOPE.reference.statement_lines.items() if v["line_type"] == "expense"
    }
    assert {c.rule.removeprefix("L2-") for c in rules("L2", checks)} <= expense_lines
    assert "L2-TOTAL_EXPENSES" not in by_rule(checks)

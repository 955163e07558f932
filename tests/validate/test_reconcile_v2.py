"""(v2) R2, R3-total and L2 with the reconciling items, and R4, on tiny inline tables.

The rules are the project's declarations (``expectations/``) computed by
:func:`oneitu_etl.validate.reconcile.reconcile`. Amounts are integer cents, as the typed tables hold them. The expected sums, differences
and messages are written here, not recomputed by the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import EXPECTATIONS_DIR
from oneitu_etl.reference import load_reference
from oneitu_etl.validate.reconcile import Check, Place, reconcile
from oneitu_etl.validate.suites import Scope, load_declarations

BUDGET = Place("2024/budget_comparison.csv")
ALLOC = Place("2024/expense_allocation.csv")
PLAN = Place("2024/financial_statements.xlsx", "budget_allocation")
LEDGER = Place("2024/expense_ledger.csv")
#: The statement: staff 700,000.00 + depreciation 40,000.00 = 740,000.00.
PERF = pd.DataFrame(
    {
        "line_code": ["EXP_STAFF", "EXP_DEPRECIATION", "TOTAL_EXPENSES"],
        "amount_cents": [700_000_00, 40_000_00, 740_000_00],
    }
)
#: Budget-basis actuals 720,000.00: 740,000.00 less the items 20,000.00.
ACTUALS = pd.DataFrame(
    {
        "org_unit": ["GS", "BR"],
        "approved_budget_cents": [500_000_00, 250_000_00],
        "final_budget_cents": [480_000_00, 260_000_00],
        "actual_cents": [470_000_00, 250_000_00],
    }
)
ALLOCATION = pd.DataFrame(
    [("GS", "EN-HRI", 470_000_00), ("BR", "TP-RAD", 250_000_00)],
    columns=["org_unit", "strategic_code", "expense_cents"],
)
#: Depreciation +40,000.00 (not in the budget), an accrual released -20,000.00 on staff.
ITEMS = pd.DataFrame(
    {"line_code": ["EXP_DEPRECIATION", "EXP_STAFF"], "amount_cents": [40_000_00, -20_000_00]}
)
PLACES = {
    Kind.BUDGET: BUDGET,
    Kind.ALLOCATION: ALLOC,
    Kind.BUDGET_ALLOCATION: PLAN,
    Kind.LEDGER: LEDGER,
    Kind.PERFORMANCE: Place("2024/financial_performance.csv"),
    Kind.BUDGET_RECONCILIATION: Place("2024/budget_reconciliation.csv"),
}
DECLARATIONS = load_declarations(EXPECTATIONS_DIR)
SCOPE = Scope(load_reference(), 2024, tolerance_cents=100)


def reconciled(prefix: str, **tables: pd.DataFrame) -> list[Check]:
    """The entries of the declared rules named ``prefix...`` over the given tables (by name)."""
    kinds = {Kind(name): frame for name, frame in tables.items()}
    return [c for c in reconcile(DECLARATIONS, kinds, PLACES, SCOPE) if c.rule.startswith(prefix)]


def items(*rows: tuple[str, int]) -> pd.DataFrame:
    """Reconciling items: statement line, cents."""
    return pd.DataFrame(rows, columns=["line_code", "amount_cents"])


def r2(bridge: pd.DataFrame | None = None) -> Check:
    """R2 of ``ACTUALS`` and ``PERF``, with the items ``bridge`` if given."""
    given = {} if bridge is None else {"budget_reconciliation": bridge}
    (check,) = reconciled("R2", budget_comparison=ACTUALS, financial_performance=PERF, **given)
    return check


def r3(bridge: pd.DataFrame) -> dict[str, Check]:
    tables = {"expense_allocation": ALLOCATION, "budget_comparison": ACTUALS}
    return by_rule(
        reconciled("R3", **tables, financial_performance=PERF, budget_reconciliation=bridge)
    )


def r4(rows: pd.DataFrame) -> list[Check]:
    return reconciled("R4", budget_allocation=rows, budget_comparison=ACTUALS)


def by_rule(checks: list[Check]) -> dict[str, Check]:
    return {c.rule: c for c in checks}


def plan(*rows: tuple[str, str, int, int]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["org_unit", "strategic_code", "approved_budget_cents", "final_budget_cents"],
    )


def test_r2_holds_with_the_items_and_not_without() -> None:
    check = r2(ITEMS)
    assert (check.left_cents, check.right_cents, check.passed) == (740_000_00, 740_000_00, True)
    v1 = r2()
    assert not v1.passed
    assert v1.issue.message == (
        "R2 failed: the actual_chf of budget_comparison sum to 720,000.00 but "
        "TOTAL_EXPENSES is 740,000.00 (difference 20,000.00)"
    )


def test_r2_with_items_that_do_not_bridge_says_so() -> None:
    check = r2(items(("EXP_DEPRECIATION", 40_000_00), ("EXP_STAFF", -30_000_00)))
    assert check.issue.message == (
        "R2 failed: the actual_chf of budget_comparison plus the reconciling items sum to "
        "730,000.00 but TOTAL_EXPENSES is 740,000.00 (difference 10,000.00)"
    )


def test_r3_total_holds_with_the_items_and_per_unit_ignores_them() -> None:
    checks = r3(ITEMS)
    assert (checks["R3-total"].left_cents, checks["R3-total"].passed) == (740_000_00, True)
    assert (checks["R3-GS"].left_cents, checks["R3-GS"].right_cents) == (470_000_00, 470_000_00)
    wrong = r3(items(("EXP_OTHER", 1_00)))
    assert wrong["R3-total"].issue.message == (
        "R3 failed: all allocations plus the reconciling items sum to 720,001.00 but "
        "TOTAL_EXPENSES is 740,000.00 (difference 19,999.00)"
    )


def test_l2_adds_the_items_of_its_line() -> None:
    lines = pd.DataFrame(
        [("GS", "EN-HRI", "EXP_STAFF", 470_000_00), ("BR", "TP-RAD", "EXP_STAFF", 250_000_00)],
        columns=["org_unit", "strategic_code", "line_code", "amount_cents"],
    )
    tables = {"expense_ledger": lines, "expense_allocation": ALLOCATION}
    checks = by_rule(
        reconciled("L2", **tables, financial_performance=PERF, budget_reconciliation=ITEMS)
    )
    assert (checks["L2-EXP_STAFF"].left_cents, checks["L2-EXP_STAFF"].passed) == (700_000_00, True)
    assert (checks["L2-EXP_DEPRECIATION"].left_cents, checks["L2-EXP_DEPRECIATION"].passed) == (
        40_000_00,
        True,
    )
    staff_only = items(("EXP_STAFF", -20_000_00))
    short = by_rule(
        reconciled("L2", **tables, financial_performance=PERF, budget_reconciliation=staff_only)
    )
    assert short["L2-EXP_DEPRECIATION"].issue.message == (
        "L2 failed for EXP_DEPRECIATION: ledger postings plus its items sum to 0.00 but "
        "the statement gives 40,000.00 (difference 40,000.00)"
    )


def test_r4_passes_per_unit_for_approved_and_final() -> None:
    rows = plan(
        ("GS", "EN-HRI", 300_000_00, 290_000_00),
        ("GS", "TP-INC", 200_000_00, 190_000_00),
        ("BR", "TP-RAD", 250_000_00, 260_000_00),
    )
    checks = r4(rows)
    assert [c.rule for c in checks] == [
        "R4-BR-approved",
        "R4-BR-final",
        "R4-GS-approved",
        "R4-GS-final",
    ]
    assert all(c.passed for c in checks)
    assert (checks[3].left_cents, checks[3].right_cents) == (480_000_00, 480_000_00)


def test_r4_that_misses_by_ten_thousand_francs_fails_with_both_sides() -> None:
    rows = plan(
        ("GS", "EN-HRI", 290_000_00, 290_000_00),
        ("GS", "TP-INC", 200_000_00, 190_000_00),
        ("BR", "TP-RAD", 250_000_00, 260_000_00),
    )
    checks = by_rule(r4(rows))
    failed = [rule for rule, c in checks.items() if not c.passed]
    assert failed == ["R4-GS-approved"]
    issue = checks["R4-GS-approved"].issue
    assert (issue.file, issue.sheet, issue.rule) == (
        "2024/financial_statements.xlsx",
        "budget_allocation",
        "R4-GS-approved",
    )
    assert issue.message == (
        "R4 failed for GS: its budget_allocation rows sum to 490,000.00 but its "
        "approved_budget_chf in budget_comparison is 500,000.00 (difference 10,000.00)"
    )


@pytest.mark.parametrize(
    ("rows", "failed"),
    [
        pytest.param(
            [("GS", "EN-HRI", 500_000_00, 480_000_00)],
            ["R4-BR-approved", "R4-BR-final"],
            id="a-unit-without-rows-sums-to-0",
        ),
        pytest.param(
            [
                ("GS", "EN-HRI", 500_000_00, 480_000_00),
                ("BR", "TP-RAD", 250_000_00, 260_000_00),
                ("TSB", "TP-STD", 1_00, 0),
            ],
            ["R4-TSB-approved", "R4-TSB-final"],
            id="a-unit-not-in-budget-comparison",
        ),
    ],
)
def test_r4_fails_for_units_on_one_side_only(rows: list, failed: list[str]) -> None:
    checks = r4(plan(*rows))
    assert [c.rule for c in checks if not c.passed] == failed
    if failed[0].startswith("R4-TSB"):
        assert checks[-2].issue.message == (
            "R4 failed for TSB: it has budget_allocation rows (1.00 approved) but no row "
            "in budget_comparison"
        )

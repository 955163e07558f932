"""The reconciliation rules that make the report "aligned with the financial statements".

Contract section 3.1: R1 (revenue and expense lines sum to their totals), R2 (budget
actuals, plus the reconciling items, sum to total expenses), R3 (each unit's allocations
sum to its actual, and all allocations plus the items to total expenses), (v2) R4 (each
unit's planned resources sum to its approved and final budget) and, where a ledger is
given, L1 and L2 (with the items of each line). Each rule gives
one :class:`Check` per entry, with both sides and the difference, and an
:class:`~oneitu_etl.issues.Issue` when it fails. Amounts are integer cents throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue, format_chf
from oneitu_etl.reference import Reference
from oneitu_etl.settings import TOLERANCE_CENTS


@dataclass(frozen=True)
class Place:
    """Where the left-hand side of a rule was delivered (for messages)."""

    file: str
    sheet: str | None = None


@dataclass(frozen=True)
class Check:
    """One reconciliation entry (contract section 5, ``reconciliation``)."""

    rule: str
    left_cents: int
    right_cents: int
    passed: bool
    issue: Issue | None = None

    @property
    def difference_cents(self) -> int:
        """Left minus right."""
        return self.left_cents - self.right_cents

    def as_json(self) -> dict[str, object]:
        """The contract's entry: rule, left, right, difference (CHF), passed."""
        return {
            "rule": self.rule,
            "left": self.left_cents / 100,
            "right": self.right_cents / 100,
            "difference": self.difference_cents / 100,
            "passed": self.passed,
        }


def _check(
    rule: str,
    left: int,
    right: int,
    tolerance_cents: int,
    place: Place,
    code: str,
    /,
    **params: object,
) -> Check:
    """The rule's entry; when it fails, its issue: the message ``code`` with ``params``."""
    passed = abs(left - right) <= tolerance_cents
    issue = None
    if not passed:
        message = say(
            code,
            **params,
            left=format_chf(left / 100),
            right=format_chf(right / 100),
            difference=format_chf(abs(left - right) / 100),
        )
        issue = Issue(place.file, message, sheet=place.sheet, rule=rule)
    return Check(rule, int(left), int(right), passed, issue)


def _total(performance: pd.DataFrame, code: str) -> int | None:
    rows = performance.loc[performance["line_code"] == code, "amount_cents"]
    return int(rows.iloc[0]) if len(rows) else None


def reconcile_performance(
    performance: pd.DataFrame,
    line_types: dict[str, str],
    place: Place,
    tolerance_cents: int = TOLERANCE_CENTS,
) -> list[Check]:
    """R1: revenue lines sum to ``TOTAL_REVENUE``, expense lines to ``TOTAL_EXPENSES``.

    Args:
        performance: Typed performance rows (``line_code``, ``amount_cents``).
        line_types: Line code -> ``revenue`` / ``expense`` / ``total`` (reference data).
        place: Where the statement was delivered.
        tolerance_cents: Allowed absolute difference.
    """
    checks = []
    for rule, line_type, total_code in (
        ("R1-revenue", "revenue", "TOTAL_REVENUE"),
        ("R1-expenses", "expense", "TOTAL_EXPENSES"),
    ):
        lines = performance[performance["line_code"].map(line_types).eq(line_type)]
        left = int(lines["amount_cents"].sum())
        total = _total(performance, total_code)
        if total is None:
            issue = Issue(
                place.file,
                say("r1_missing_total", rule=rule, line=total_code),
                sheet=place.sheet,
                column="line_code",
                rule=rule,
            )
            checks.append(Check(rule, left, 0, False, issue))
            continue
        checks.append(
            _check(
                rule,
                left,
                total,
                tolerance_cents,
                place,
                f"r1_{line_type}",
                rule=rule,
                line=total_code,
            )
        )
    return checks


def reconcile_budget(
    budget: pd.DataFrame,
    performance: pd.DataFrame,
    place: Place,
    tolerance_cents: int = TOLERANCE_CENTS,
    items: int | None = None,
) -> Check:
    """R2: the ``actual_chf`` of ``budget_comparison`` (plus the items) sum to ``TOTAL_EXPENSES``.

    Args:
        items: (v2) The sum of the reconciling items, ``None`` where none were delivered.
    """
    total = _total(performance, "TOTAL_EXPENSES") or 0
    return _check(
        "R2",
        int(budget["actual_cents"].sum()) + (items or 0),
        total,
        tolerance_cents,
        place,
        "r2" if items is None else "r2_items",
    )


def reconcile_allocation(
    allocation: pd.DataFrame,
    budget: pd.DataFrame,
    performance: pd.DataFrame,
    place: Place,
    tolerance_cents: int = TOLERANCE_CENTS,
    items: int | None = None,
) -> list[Check]:
    """R3: per unit, allocations sum to its ``actual_chf``; all of them to ``TOTAL_EXPENSES``.

    Args:
        items: (v2) The sum of the reconciling items, added to all allocations for
            ``R3-total``; ``None`` where none were delivered.
    """
    allocated = allocation.groupby("org_unit")["expense_cents"].sum()
    actual = budget.set_index("org_unit")["actual_cents"]
    checks = []
    for unit in sorted(set(allocated.index) | set(actual.index)):
        left = int(allocated.get(unit, 0))
        if unit not in actual.index:
            issue = Issue(
                place.file,
                say("r3_no_budget_row", unit=unit, left=format_chf(left / 100)),
                sheet=place.sheet,
                rule=f"R3-{unit}",
            )
            checks.append(Check(f"R3-{unit}", left, 0, False, issue))
            continue
        checks.append(
            _check(
                f"R3-{unit}",
                left,
                int(actual[unit]),
                tolerance_cents,
                place,
                "r3_unit",
                unit=unit,
            )
        )
    total = _total(performance, "TOTAL_EXPENSES") or 0
    checks.append(
        _check(
            "R3-total",
            int(allocated.sum()) + (items or 0),
            total,
            tolerance_cents,
            place,
            "r3_total" if items is None else "r3_total_items",
        )
    )
    return checks


def reconcile_ledger(
    ledger_sums: pd.DataFrame,
    line_sums: pd.DataFrame,
    allocation: pd.DataFrame,
    performance: pd.DataFrame,
    place: Place,
    tolerance_cents: int = TOLERANCE_CENTS,
    items_by_line: dict[str, int] | None = None,
) -> list[Check]:
    """L1 and L2: the ledger aggregates to ``expense_allocation`` and to the expense lines.

    Args:
        ledger_sums: Ledger totals per (``org_unit``, ``strategic_code``), column ``cents``.
        line_sums: Ledger totals per ``line_code``, column ``cents``.
        allocation: Typed allocation rows.
        performance: Typed performance rows.
        items_by_line: (v2) The reconciling items summed by expense line, added to the
            ledger's lines of that code for L2; ``None`` where none were delivered.
    """
    checks = []
    alloc = allocation.set_index(["org_unit", "strategic_code"])["expense_cents"]
    ledger = ledger_sums.set_index(["org_unit", "strategic_code"])["cents"]
    for key in sorted(set(alloc.index) | set(ledger.index)):
        unit, code = key
        checks.append(
            _check(
                f"L1-{unit}-{code}",
                int(ledger.get(key, 0)),
                int(alloc.get(key, 0)),
                tolerance_cents,
                place,
                "l1",
                unit=unit,
                code=code,
            )
        )
    lines = line_sums.set_index("line_code")["cents"]
    stated = performance.set_index("line_code")["amount_cents"]
    items = items_by_line or {}
    expense_codes = sorted(
        set(lines.index) | set(items) | {c for c in stated.index if c.startswith("EXP_")}
    )
    for code in expense_codes:
        checks.append(
            _check(
                f"L2-{code}",
                int(lines.get(code, 0)) + int(items.get(code, 0)),
                int(stated.get(code, 0)),
                tolerance_cents,
                place,
                "l2" if items_by_line is None else "l2_items",
                code=code,
            )
        )
    return checks


def reconcile_plan(
    plan: pd.DataFrame, budget: pd.DataFrame, place: Place, tolerance_cents: int = TOLERANCE_CENTS
) -> list[Check]:
    """R4 (v2): per unit, ``budget_allocation`` sums to its approved and final budget.

    Every unit of ``budget_comparison`` gets ``R4-<unit>-approved`` and ``R4-<unit>-final``
    (a unit without allocation rows sums to 0); a unit with allocation rows but no row in
    ``budget_comparison`` fails both.

    Args:
        plan: Typed ``budget_allocation`` rows (``org_unit``, ``approved_budget_cents``,
            ``final_budget_cents``).
        budget: Typed ``budget_comparison`` rows.
        place: Where ``budget_allocation`` was delivered.
        tolerance_cents: Allowed absolute difference.
    """
    planned = plan.groupby("org_unit")[["approved_budget_cents", "final_budget_cents"]].sum()
    stated = budget.set_index("org_unit")
    checks = []
    for unit in sorted(set(planned.index) | set(stated.index)):
        for which in ("approved", "final"):
            column = f"{which}_budget_cents"
            rule = f"R4-{unit}-{which}"
            left = int(planned[column].get(unit, 0))
            if unit not in stated.index:
                issue = Issue(
                    place.file,
                    say("r4_no_budget_row", unit=unit, left=format_chf(left / 100), which=which),
                    sheet=place.sheet,
                    rule=rule,
                )
                checks.append(Check(rule, left, 0, False, issue))
                continue
            checks.append(
                _check(
                    rule,
                    left,
                    int(stated.at[unit, column]),
                    tolerance_cents,
                    place,
                    "r4",
                    unit=unit,
                    column=f"{which}_budget_chf",
                )
            )
    return checks


def reconcile_statements(
    tables: dict[Kind, pd.DataFrame],
    places: dict[Kind, Place],
    reference: Reference,
    tolerance_cents: int,
    ledger: pd.DataFrame | None = None,
) -> list[Check]:
    """R1-R3 (and L1/L2 with a ledger; v2: R4 and the reconciling items) on typed tables.

    ``budget_allocation`` and ``budget_reconciliation`` are optional: without them R4 is
    not checked and R2, R3-total and L2 hold without items, as in version 1.
    """
    line_types = {c: v["line_type"] for c, v in reference.statement_lines.items()}
    perf, budget, alloc = tables[Kind.PERFORMANCE], tables[Kind.BUDGET], tables[Kind.ALLOCATION]
    bridge = tables.get(Kind.BUDGET_RECONCILIATION)
    items = None if bridge is None else int(bridge["amount_cents"].sum())
    items_by_line = (
        None
        if bridge is None
        else {str(k): int(v) for k, v in bridge.groupby("line_code")["amount_cents"].sum().items()}
    )
    checks = reconcile_performance(perf, line_types, places[Kind.PERFORMANCE], tolerance_cents)
    checks.append(reconcile_budget(budget, perf, places[Kind.BUDGET], tolerance_cents, items))
    checks += reconcile_allocation(
        alloc, budget, perf, places[Kind.ALLOCATION], tolerance_cents, items
    )
    if Kind.BUDGET_ALLOCATION in tables:
        checks += reconcile_plan(
            tables[Kind.BUDGET_ALLOCATION], budget, places[Kind.BUDGET_ALLOCATION], tolerance_cents
        )
    if ledger is not None:
        by_key = ledger.groupby(["org_unit", "strategic_code"], as_index=False)[
            "amount_cents"
        ].sum()
        by_line = ledger.groupby("line_code", as_index=False)["amount_cents"].sum()
        checks += reconcile_ledger(
            by_key.rename(columns={"amount_cents": "cents"}),
            by_line.rename(columns={"amount_cents": "cents"}),
            alloc,
            perf,
            places[Kind.LEDGER],
            tolerance_cents,
            items_by_line,
        )
    return checks

"""(v2) Plan beside actual, by code and by goal, and the IPSAS 24 bridge, on both backends.

The figures are those of ``data/landing_v2/2024``, added up by hand in integer cents:

- ``budget_allocation``: GS EN-HRI 300.00 / 290.00, GS TP-INC 200.00 / 190.00, BR TP-RAD
  150.00 / 160.00, BR TP-STD 50.00 / 50.00, TSB TP-STD 100.00 / 0.00 (approved / final);
- ``expense_allocation``: GS EN-HRI 300.00, GS TP-INC 100.00, BR TP-RAD 150.25, TSB
  TP-STD 30.00, TSB EN-REG 20.00 (unplanned work: no allocation row);
- ``budget_reconciliation``: ASHI 0.75, CAP -20.50, DEP 120.00 (items 100.25); the actuals
  of ``budget_comparison`` sum to 600.25 and ``TOTAL_EXPENSES`` is 700.50.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Connection, Engine

from oneitu_etl.marts import budget_reconciliation, plan_vs_actual, plan_vs_actual_by_goal
from oneitu_etl.marts.quality import reconciliation
from oneitu_etl.reference import Reference

#: (approved, final, actual) in cents, per strategic code.
PLAN_CENTS = {
    "EN-HRI": (30000, 29000, 30000),
    "EN-REG": (0, 0, 2000),
    "TP-INC": (20000, 19000, 10000),
    "TP-RAD": (15000, 16000, 15025),
    "TP-STD": (15000, 5000, 3000),
}
#: The same by goal: TP-RAD and TP-STD serve G1, TP-INC G2; EN-* are enablers.
GOAL_CENTS = {
    "G1": (30000, 21000, 18025),
    "G2": (20000, 19000, 10000),
    "enablers": (30000, 29000, 32000),
}


def cents_of(entry: dict[str, float | None]) -> tuple[int, int, int]:
    return tuple(round(entry[k] * 100) for k in ("approved", "final", "actual"))  # type: ignore[return-value]


def test_plan_vs_actual_per_code(conn_v2: Connection) -> None:
    figures = plan_vs_actual(conn_v2, 2024)
    assert list(figures) == sorted(PLAN_CENTS)  # code-point order
    assert {code: cents_of(entry) for code, entry in figures.items()} == PLAN_CENTS
    assert figures["TP-STD"]["rate"] == pytest.approx(3000 / 5000)
    assert figures["EN-HRI"]["rate"] == pytest.approx(30000 / 29000)
    assert figures["EN-REG"]["rate"] is None  # final budget 0


def test_plan_vs_actual_by_goal(conn_v2: Connection) -> None:
    figures = plan_vs_actual_by_goal(conn_v2, 2024)
    assert list(figures) == ["G1", "G2", "enablers"]
    assert {key: cents_of(entry) for key, entry in figures.items()} == GOAL_CENTS
    assert figures["G1"]["rate"] == pytest.approx(18025 / 21000)


def test_budget_reconciliation_bridges_the_actuals_to_the_statement(conn_v2: Connection) -> None:
    bridge = budget_reconciliation(conn_v2, 2024)
    assert bridge == {
        "budget_actual": 600.25,
        "items": [
            {
                "item_code": "ASHI",
                "kind": "timing",
                "line_code": "EXP_STAFF",
                "description": "After-service health insurance accrued",
                "amount": 0.75,
            },
            {
                "item_code": "CAP",
                "kind": "basis",
                "line_code": "EXP_SUPPLIES",
                "description": "Equipment bought from the budget and capitalised",
                "amount": -20.5,
            },
            {
                "item_code": "DEP",
                "kind": "basis",
                "line_code": "EXP_DEPRECIATION",
                "description": "Depreciation and amortization, not in the budget",
                "amount": 120.0,
            },
        ],
        "statement_expenses": 700.5,
    }
    items = sum(round(i["amount"] * 100) for i in bridge["items"])
    assert round(bridge["budget_actual"] * 100) + items == round(bridge["statement_expenses"] * 100)


def test_r2_r3_and_r4_hold_with_the_items(conn_v2: Connection, reference: Reference) -> None:
    checks = {c["rule"]: c for c in reconciliation(conn_v2, 2024, reference, 1.0)}
    assert (checks["R2"]["left"], checks["R2"]["right"]) == (700.5, 700.5)  # 600.25 + 100.25
    assert (checks["R3-total"]["left"], checks["R3-total"]["right"]) == (700.5, 700.5)
    r4 = {rule: (c["left"], c["right"]) for rule, c in checks.items() if rule.startswith("R4")}
    assert r4 == {
        "R4-BR-approved": (200.0, 200.0),
        "R4-BR-final": (210.0, 210.0),
        "R4-GS-approved": (500.0, 500.0),
        "R4-GS-final": (480.0, 480.0),
        "R4-TSB-approved": (100.0, 100.0),
        "R4-TSB-final": (0.0, 0.0),
    }
    assert all(c["passed"] for c in checks.values())


def test_a_version_1_year_has_no_plan_and_an_empty_bridge(conn: Connection) -> None:
    assert plan_vs_actual(conn, 2024) is None
    assert plan_vs_actual_by_goal(conn, 2024) is None
    assert budget_reconciliation(conn, 2024) == {
        "budget_actual": 1000.25,
        "items": [],
        "statement_expenses": 1000.25,
    }


@pytest.mark.postgres
def test_the_v2_marts_are_identical_on_sqlite_and_postgresql(
    loaded_v2_sqlite: Engine, loaded_v2_postgresql: Engine
) -> None:
    texts = []
    for engine in (loaded_v2_sqlite, loaded_v2_postgresql):
        with engine.connect() as conn:
            figures = {
                "plan_vs_actual": plan_vs_actual(conn, 2024),
                "plan_vs_actual_by_goal": plan_vs_actual_by_goal(conn, 2024),
                "budget_reconciliation": budget_reconciliation(conn, 2024),
            }
            texts.append(json.dumps(figures, ensure_ascii=False))
    assert texts[0] == texts[1]

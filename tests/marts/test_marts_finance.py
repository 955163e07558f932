"""Money marts on the hand-made data set, SQLite and PostgreSQL.

2024 (SP2024-2027), from tests/marts/data/landing/2024:

    budget     approved   final   actual      allocation
    GS           400.00  420.00   400.00      EN-HRI 300.00, TP-INC 100.00
    BR           200.00  200.00   150.25      TP-RAD 150.25, TP-NET 0.00
    TSB          100.00    0.00    50.00      TP-STD 30.00, TP-INC 20.00
    BDT          250.00  250.00   150.00      TP-INC 100.00, TP-NET 50.00, EN-REG 0.00
    RO-AFR       300.00  250.00   250.00      TP-NET 200.00, TP-RES 50.00

TOTAL_EXPENSES 1000.25, TOTAL_REVENUE 1200.50. Goals: G1 = TP-RAD, TP-STD, TP-NET;
G2 = TP-INC, TP-RES. 2023 (SP2020-2023): GS E.1 300.00, BDT D.3 (G1) 200.00 and I.4 (G2)
100.00.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from oneitu_etl.marts import finance

SECTORS = ("SG", "R", "T", "D")


def test_totals_come_from_the_total_lines(conn: Connection) -> None:
    assert finance.totals(conn, 2024) == {"revenue": 1200.5, "expenses": 1000.25, "surplus": 200.25}


def test_lines_by_type(conn: Connection) -> None:
    assert finance.amounts_by_line(conn, 2024, "revenue") == {
        "REV_ASSESSED": 1000.0,
        "REV_COST_RECOVERY": 200.5,
    }
    assert finance.amounts_by_line(conn, 2024, "expense") == {
        "EXP_STAFF": 700.0,
        "EXP_TRAVEL": 300.25,
    }


def test_budget_execution_per_unit_rate_null_on_zero_final_budget(conn: Connection) -> None:
    execution = finance.budget_execution(conn, 2024)
    assert execution == {
        "BDT": {"approved": 250.0, "final": 250.0, "actual": 150.0, "rate": 0.6},
        "BR": {"approved": 200.0, "final": 200.0, "actual": 150.25, "rate": 0.75125},
        "GS": {
            "approved": 400.0,
            "final": 420.0,
            "actual": 400.0,
            "rate": pytest.approx(400 / 420),
        },
        "RO-AFR": {"approved": 300.0, "final": 250.0, "actual": 250.0, "rate": 1.0},
        "TSB": {"approved": 100.0, "final": 0.0, "actual": 50.0, "rate": None},
    }
    assert list(execution) == ["BDT", "BR", "GS", "RO-AFR", "TSB"]
    assert finance.zero_budget(execution) == ["TSB"]


def test_budget_execution_per_sector(conn: Connection) -> None:
    execution = finance.budget_execution_by_sector(conn, 2024, SECTORS)
    assert execution == {
        "SG": {
            "approved": 400.0,
            "final": 420.0,
            "actual": 400.0,
            "rate": pytest.approx(400 / 420),
        },
        "R": {"approved": 200.0, "final": 200.0, "actual": 150.25, "rate": 0.75125},
        "T": {"approved": 100.0, "final": 0.0, "actual": 50.0, "rate": None},
        "D": {"approved": 550.0, "final": 500.0, "actual": 400.0, "rate": 0.8},
    }
    assert list(execution) == ["SG", "R", "T", "D"]
    assert finance.zero_budget(execution) == ["T"]


def test_expenses_by_org_unit_and_code(conn: Connection) -> None:
    assert finance.expenses_by_org_unit(conn, 2024) == {
        "BDT": {"EN-REG": 0.0, "TP-INC": 100.0, "TP-NET": 50.0},
        "BR": {"TP-NET": 0.0, "TP-RAD": 150.25},
        "GS": {"EN-HRI": 300.0, "TP-INC": 100.0},
        "RO-AFR": {"TP-NET": 200.0, "TP-RES": 50.0},
        "TSB": {"TP-INC": 20.0, "TP-STD": 30.0},
    }
    rows = finance.expenses_by_org_unit_and_code(conn, 2024)
    assert rows[:3] == [
        ("BDT", "D", "EN-REG", 0),
        ("BDT", "D", "TP-INC", 10000),
        ("BDT", "D", "TP-NET", 5000),
    ]
    assert sum(cents for *_, cents in rows) == 100025


def test_expenses_by_strategic_code(conn: Connection) -> None:
    by_code = finance.expenses_by_strategic_code(conn, 2024)
    assert by_code == {
        "EN-HRI": 300.0,
        "EN-REG": 0.0,
        "TP-INC": 220.0,
        "TP-NET": 250.0,
        "TP-RAD": 150.25,
        "TP-RES": 50.0,
        "TP-STD": 30.0,
    }
    assert list(by_code) == sorted(by_code)


def test_expenses_by_goal_priorities_through_their_goal_enablers_apart(conn: Connection) -> None:
    assert finance.expenses_by_goal(conn, 2024) == {"G1": 430.25, "G2": 270.0, "enablers": 300.0}


def test_a_year_of_the_previous_plan_uses_that_plans_goals(conn: Connection) -> None:
    by_goal = finance.expenses_by_goal(conn, 2023)
    assert by_goal == {"G1": 200.0, "G2": 100.0, "G3": 0.0, "G4": 0.0, "G5": 0.0, "enablers": 300.0}
    assert list(by_goal) == ["G1", "G2", "G3", "G4", "G5", "enablers"]


def test_expenses_by_sector_lists_every_sector(conn: Connection) -> None:
    by_sector = finance.expenses_by_sector(conn, 2024, SECTORS)
    assert by_sector == {"SG": 400.0, "R": 150.25, "T": 50.0, "D": 400.0}
    assert list(by_sector) == ["SG", "R", "T", "D"]
    assert finance.expenses_by_sector(conn, 2023, SECTORS) == {
        "SG": 300.0,
        "R": 0.0,
        "T": 0.0,
        "D": 300.0,
    }


def test_priority_sector_matrix_lists_every_priority_of_the_plan(conn: Connection) -> None:
    zero = {"SG": 0.0, "R": 0.0, "T": 0.0, "D": 0.0}
    assert finance.priority_sector_matrix(conn, 2024, SECTORS) == {
        "TP-APP": zero,
        "TP-ENV": zero,
        "TP-INC": {"SG": 100.0, "R": 0.0, "T": 20.0, "D": 100.0},
        "TP-NET": {"SG": 0.0, "R": 0.0, "T": 0.0, "D": 250.0},
        "TP-RAD": {"SG": 0.0, "R": 150.25, "T": 0.0, "D": 0.0},
        "TP-RES": {"SG": 0.0, "R": 0.0, "T": 0.0, "D": 50.0},
        "TP-STD": {"SG": 0.0, "R": 0.0, "T": 30.0, "D": 0.0},
    }


def test_multi_sector_priorities_count_only_positive_allocations(conn: Connection) -> None:
    # TP-INC: GS (SG), TSB (T), BDT (D). TP-NET: BDT and RO-AFR (both D) and BR (R) with 0.00.
    assert finance.multi_sector_priorities(conn, 2024) == ["TP-INC"]
    # 2023 priorities each come from a single sector; E.1 is an enabler
    assert finance.multi_sector_priorities(conn, 2023) == []


def test_loaded_years_and_statements_loaded(conn: Connection) -> None:
    assert finance.loaded_years(conn) == [2023, 2024]
    assert finance.statements_loaded(conn, 2024)
    assert not finance.statements_loaded(conn, 2022)


def test_a_year_without_statements_has_empty_figures(conn: Connection) -> None:
    assert finance.totals(conn, 2025) == {"revenue": 0.0, "expenses": 0.0, "surplus": 0.0}
    assert finance.budget_execution(conn, 2025) == {}
    assert finance.expenses_by_goal(conn, 2025) == {"G1": 0.0, "G2": 0.0, "enablers": 0.0}

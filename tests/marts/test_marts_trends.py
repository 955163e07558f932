"""The previous year and figures across years.

2023 in tests/marts/data/landing (SP2020-2023): revenue 800.00, expenses 600.00;
budget GS 300.00 / 320.00 / 300.00, BDT 280.00 / 300.00 / 300.00; allocation GS E.1
300.00, BDT D.3 (G1) 200.00, BDT I.4 (G2) 100.00.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from oneitu_etl.marts import previous_year, trends

SECTORS = ("SG", "R", "T", "D")
PREVIOUS_2023 = {
    "year": 2023,
    "plan": "SP2020-2023",
    "totals": {"revenue": 800.0, "expenses": 600.0, "surplus": 200.0},
    "expenses_by_sector": {"SG": 300.0, "R": 0.0, "T": 0.0, "D": 300.0},
    "expenses_by_goal": {
        "G1": 200.0,
        "G2": 100.0,
        "G3": 0.0,
        "G4": 0.0,
        "G5": 0.0,
        "enablers": 300.0,
    },
    "budget_execution": {
        "BDT": {"approved": 280.0, "final": 300.0, "actual": 300.0, "rate": 1.0},
        "GS": {"approved": 300.0, "final": 320.0, "actual": 300.0, "rate": 0.9375},
    },
    "budget_execution_by_sector": {
        "SG": {"approved": 300.0, "final": 320.0, "actual": 300.0, "rate": 0.9375},
        "D": {"approved": 280.0, "final": 300.0, "actual": 300.0, "rate": 1.0},
    },
    "expenses_by_strategic_code": {"D.3": 200.0, "E.1": 300.0, "I.4": 100.0},
}


def test_previous_year_of_2024_is_2023_with_its_own_plan(conn: Connection) -> None:
    assert previous_year(conn, 2024, SECTORS) == PREVIOUS_2023


def test_no_previous_year_when_it_is_not_loaded(conn: Connection) -> None:
    assert previous_year(conn, 2023, SECTORS) is None


def test_trends_give_a_figure_for_every_loaded_year(conn: Connection) -> None:
    assert trends(conn, "totals", SECTORS) == {
        2023: {"revenue": 800.0, "expenses": 600.0, "surplus": 200.0},
        2024: {"revenue": 1200.5, "expenses": 1000.25, "surplus": 200.25},
    }
    assert trends(conn, "expenses_by_sector", SECTORS, until=2023) == {
        2023: {"SG": 300.0, "R": 0.0, "T": 0.0, "D": 300.0},
    }
    assert trends(conn, "budget_execution", SECTORS)[2024]["TSB"]["rate"] is None
    with pytest.raises(KeyError):
        trends(conn, "no_such_figure", SECTORS)


def test_a_corrected_previous_year_counts_once(
    landing_copy: Path, db_url: str, tmp_path: Path, ingest: Callable[..., Engine]
) -> None:
    ingest(landing_copy, tmp_path / "out", db_url).dispose()
    (landing_copy / "2023" / "financial_performance.csv").write_text(
        "line_code,line_label,line_type,amount_chf\n"
        "REV_ASSESSED,Assessed contributions,revenue,900.00\n"
        "TOTAL_REVENUE,Total revenue,total,900.00\n"
        "EXP_STAFF,Employee salaries and benefits,expense,600.00\n"
        "TOTAL_EXPENSES,Total expenses,total,600.00\n",
        encoding="utf-8",
    )
    engine = ingest(landing_copy, tmp_path / "out", db_url, years=(2023,))
    with engine.connect() as conn:
        previous = previous_year(conn, 2024, SECTORS)
        assert previous is not None
        assert previous["totals"] == {"revenue": 900.0, "expenses": 600.0, "surplus": 300.0}
        assert previous["expenses_by_strategic_code"] == PREVIOUS_2023["expenses_by_strategic_code"]
    engine.dispose()


def test_a_blocked_previous_year_is_left_out(
    landing_copy: Path, db_url: str, tmp_path: Path, ingest: Callable[..., Engine]
) -> None:
    ingest(landing_copy, tmp_path / "out", db_url).dispose()
    # GS actual 310.00: R2 and R3-GS fail, the year's statements are blocked
    (landing_copy / "2023" / "budget_comparison.csv").write_text(
        "org_unit,approved_budget_chf,final_budget_chf,actual_chf\n"
        "GS,300.00,320.00,310.00\n"
        "BDT,280.00,300.00,300.00\n",
        encoding="utf-8",
    )
    engine = ingest(landing_copy, tmp_path / "out", db_url, years=(2024,))
    with pytest.raises(AssertionError, match="R2"):
        ingest(landing_copy, tmp_path / "out", db_url, years=(2023,))
    with engine.connect() as conn:
        assert previous_year(conn, 2024, SECTORS) is None
        assert list(trends(conn, "totals", SECTORS)) == [2024]
    engine.dispose()

"""Properties of the money marts for any valid delivery (Hypothesis).

Each example is a year's three statement CSVs, reconciled to the cent by construction:
every unit's ``actual_chf`` is the sum of its allocations, ``TOTAL_EXPENSES`` the sum of
the actuals, split over expense lines. It is written to a landing zone and loaded by the
pipeline's stage 1 into the same warehouse as the previous example, so that each
example is a corrected delivery superseding the last: the marts must count it alone.

Properties:

- expenses by strategic code, by goal, by sector and by org unit (allocation and budget
  actuals) each sum to ``TOTAL_EXPENSES`` within CHF 0.01;
- no execution rate is computed from a zero final budget, and every unit or sector
  whose final budget is zero is listed as such (``zero_budget_units``/``_sectors``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from oneitu_etl.marts import financial_figures

YEAR = 2024
SECTORS = ("SG", "R", "T", "D")
UNITS = ("GS", "BR", "TSB", "BDT", "RO-AFR", "RO-AMS", "RO-ARB", "RO-ASP", "RO-CIS", "RO-EUR")
CODES = (
    "TP-RAD", "TP-STD", "TP-NET", "TP-APP", "TP-ENV", "TP-INC", "TP-RES",
    "EN-HRI", "EN-RMO", "EN-PIC", "EN-ENV", "EN-DNI", "EN-REG", "EN-MEM",
)  # fmt: skip
EXPENSE_LINES = ("EXP_STAFF", "EXP_TRAVEL", "EXP_CONTRACTUAL", "EXP_OTHER")
cents = st.integers(min_value=0, max_value=50_000_000_000)  # up to CHF 500 million


@st.composite
def deliveries(draw: st.DrawFn) -> dict[str, object]:
    """A valid year of statements: ``budget`` rows, ``allocation`` rows, ``lines``."""
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=6, unique=True))
    budget, allocation = [], []
    for i, unit in enumerate(units):
        codes = draw(
            st.lists(st.sampled_from(CODES), min_size=int(i == 0), max_size=4, unique=True)
        )
        amounts = [draw(cents) for _ in codes]
        allocation += [(unit, code, amount) for code, amount in zip(codes, amounts, strict=True)]
        final = draw(st.one_of(st.just(0), cents))
        budget.append((unit, draw(cents), final, sum(amounts)))
    total = sum(row[3] for row in budget)
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=3, max_size=3)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    lines = list(zip(EXPENSE_LINES, parts, strict=True))
    return {"budget": budget, "allocation": allocation, "lines": lines, "total": total}


def _chf(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def _write(landing: Path, delivery: dict[str, object]) -> None:
    folder = landing / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    total, revenue = delivery["total"], 12_345_678
    performance = [
        "line_code,line_label,line_type,amount_chf",
        f"REV_ASSESSED,Assessed contributions,revenue,{_chf(revenue)}",
        f"TOTAL_REVENUE,Total revenue,total,{_chf(revenue)}",
        *(f"{code},{code},expense,{_chf(amount)}" for code, amount in delivery["lines"]),
        f"TOTAL_EXPENSES,Total expenses,total,{_chf(total)}",
    ]
    budget = ["org_unit,approved_budget_chf,final_budget_chf,actual_chf"] + [
        f"{unit},{_chf(approved)},{_chf(final)},{_chf(actual)}"
        for unit, approved, final, actual in delivery["budget"]
    ]
    allocation = ["org_unit,strategic_code,expense_chf"] + [
        f"{unit},{code},{_chf(amount)}" for unit, code, amount in delivery["allocation"]
    ]
    for name, rows in (
        ("financial_performance.csv", performance),
        ("budget_comparison.csv", budget),
        ("expense_allocation.csv", allocation),
    ):
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


@settings(
    max_examples=25,
    deadline=None,
    # one warehouse for all examples on purpose: each example supersedes the previous one
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(delivery=deliveries())
def test_every_breakdown_sums_to_total_expenses_and_zero_budgets_are_reported(
    delivery: dict[str, object], db_url: str, tmp_path: Path, ingest: Callable[..., Engine]
) -> None:
    _write(tmp_path / "landing", delivery)
    engine = ingest(tmp_path / "landing", tmp_path / "out", db_url, years=(YEAR,))
    try:
        with engine.connect() as conn:
            figures = financial_figures(conn, YEAR, SECTORS)
    finally:
        engine.dispose()

    total = figures["totals"]["expenses"]
    assert total == delivery["total"] / 100  # the test's own arithmetic, in cents
    breakdowns = {
        "strategic code": figures["expenses_by_strategic_code"].values(),
        "goal": figures["expenses_by_goal"].values(),
        "sector": figures["expenses_by_sector"].values(),
        "org unit": [
            v for codes in figures["expenses_by_org_unit"].values() for v in codes.values()
        ],
        "org unit actual": [row["actual"] for row in figures["budget_execution"].values()],
    }
    for name, values in breakdowns.items():
        assert abs(sum(values) - total) <= 0.01, name

    for key, listed in (
        ("budget_execution", "zero_budget_units"),
        ("budget_execution_by_sector", "zero_budget_sectors"),
    ):
        zero = [k for k, row in figures[key].items() if row["final"] == 0]
        assert figures[listed] == zero
        for row in figures[key].values():
            if row["final"] == 0:
                assert row["rate"] is None
            else:
                assert row["rate"] == pytest.approx(row["actual"] / row["final"], rel=1e-9)
    assert sorted(figures["zero_budget_units"]) == sorted(
        unit for unit, _approved, final, _actual in delivery["budget"] if final == 0
    )

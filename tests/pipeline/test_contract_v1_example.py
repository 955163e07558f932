"""Version 1 keeps working: the contract's version 1 example publishes with its figures.

``tests/fixtures/landing_v1`` is the project's copy of the contract's version 1 example
(no v2 input). Its figures are computed here, in integer cents, from its workbook; the v2
keys are null where their inputs were not delivered, and the bridge has no items.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from oneitu_etl import pipeline
from oneitu_etl.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "landing_v1"
YEAR = 2024


def cents(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def sheet(name: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(EXAMPLE / str(YEAR) / "financial_statements.xlsx")
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(row)]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("v1_example")
    shutil.copytree(EXAMPLE, root / "landing")
    settings = Settings(landing=str(root / "landing"), out=root / "out")
    pipeline.run_year(settings, YEAR, generated_on=dt.date(2025, 4, 30), json_only=True)
    return json.loads((root / "out" / str(YEAR) / f"report_{YEAR}.json").read_text("utf-8"))


def test_the_v1_example_publishes_with_its_figures(report: dict) -> None:
    assert report["status"] == "published", report["errors"]
    lines = {r["line_code"]: cents(r["amount_chf"]) for r in sheet("performance")}
    assert round(report["totals"]["expenses"] * 100) == lines["TOTAL_EXPENSES"]
    assert round(report["totals"]["revenue"] * 100) == lines["TOTAL_REVENUE"]
    by_code: dict[str, int] = defaultdict(int)
    for row in sheet("expense_allocation"):
        by_code[str(row["strategic_code"])] += cents(row["expense_chf"])
    assert {c: round(v * 100) for c, v in report["expenses_by_strategic_code"].items()} == dict(
        by_code
    )
    rules = {c["rule"]: c for c in report["reconciliation"]}
    assert not [r for r in rules if r.startswith("R4")]  # no budget_allocation: no R4
    assert rules["R2"]["passed"] and rules["R2"]["left"] == rules["R2"]["right"]


def test_the_v2_keys_are_null_or_empty_without_their_inputs(report: dict) -> None:
    assert report["plan_vs_actual"] is None
    assert report["plan_vs_actual_by_goal"] is None
    bridge = report["budget_reconciliation"]
    assert bridge["items"] == []
    assert bridge["budget_actual"] == bridge["statement_expenses"]
    assert report["narratives"] is None
    assert report["staff"] is None
    assert report["membership"] is None
    assert report["document"]["number"] is None and report["document"]["draft"] is True

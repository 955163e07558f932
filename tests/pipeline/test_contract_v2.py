"""(v2) The contract's version 2 example publishes, with every v2 figure it delivers.

``tests/fixtures/landing_v2`` is the project's copy of the contract's example: a year
with every input of version 2. The expected figures are computed here, in integer cents,
straight from the delivered files (the workbook read with openpyxl, the CSVs with the
standard library), never by the pipeline's code.
"""

from __future__ import annotations

import csv
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

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "landing_v2"
YEAR = 2024
#: The goal each thematic priority serves (contract 1.2); enablers are grouped together.
GOALS = {
    "TP-RAD": "G1",
    "TP-STD": "G1",
    "TP-NET": "G1",
    "TP-APP": "G2",
    "TP-ENV": "G2",
    "TP-INC": "G2",
    "TP-RES": "G2",
}


def cents(value: object) -> int:
    """Integer cents of a delivered amount (a workbook number or a CSV text)."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def sheet(name: str) -> list[dict[str, object]]:
    """The rows of one sheet of the example's workbook, as dictionaries."""
    book = openpyxl.load_workbook(EXAMPLE / str(YEAR) / "financial_statements.xlsx")
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(row)]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The example run end to end (GX included, no PDF) on SQLite: its report JSON."""
    root = tmp_path_factory.mktemp("v2_example")
    landing = root / "landing"
    shutil.copytree(EXAMPLE, landing)
    settings = Settings(landing=str(landing), out=root / "out")
    result = pipeline.run_year(settings, YEAR, generated_on=dt.date(2025, 4, 30), pdf=False)
    data = json.loads((root / "out" / str(YEAR) / f"report_{YEAR}.json").read_text("utf-8"))
    assert result.status == "published", data["errors"]
    return data


def as_cents(entry: dict[str, float | None]) -> tuple[int, int, int]:
    return tuple(round(entry[k] * 100) for k in ("approved", "final", "actual"))  # type: ignore[return-value]


def test_the_example_publishes_with_every_rule_passing(report: dict) -> None:
    assert report["status"] == "published"
    assert report["errors"] == []
    rules = {c["rule"]: c["passed"] for c in report["reconciliation"]}
    assert all(rules.values())
    units = {row["org_unit"] for row in sheet("budget_comparison")}
    assert {r for r in rules if r.startswith("R4-")} == {
        f"R4-{unit}-{which}" for unit in units for which in ("approved", "final")
    }


def test_plan_vs_actual_sums_the_plan_and_the_expenses_per_code(report: dict) -> None:
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in sheet("budget_allocation"):
        expected[row["strategic_code"]][0] += cents(row["approved_budget_chf"])
        expected[row["strategic_code"]][1] += cents(row["final_budget_chf"])
    for row in sheet("expense_allocation"):
        expected[row["strategic_code"]][2] += cents(row["expense_chf"])
    figures = report["plan_vs_actual"]
    assert {code: as_cents(e) for code, e in figures.items()} == {
        code: tuple(sums) for code, sums in expected.items()
    }
    for code, (_, final, actual) in expected.items():
        assert figures[code]["rate"] == pytest.approx(actual / final)

    by_goal: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for code, sums in expected.items():
        for i, amount in enumerate(sums):
            by_goal[GOALS.get(code, "enablers")][i] += amount
    goals = report["plan_vs_actual_by_goal"]
    assert list(goals) == ["G1", "G2", "enablers"]
    assert {key: as_cents(e) for key, e in goals.items()} == {
        key: tuple(sums) for key, sums in by_goal.items()
    }


def test_budget_reconciliation_bridges_to_the_statement(report: dict) -> None:
    items = sheet("budget_reconciliation")
    bridge = report["budget_reconciliation"]
    assert [i["item_code"] for i in bridge["items"]] == sorted(r["item_code"] for r in items)
    assert {i["item_code"]: round(i["amount"] * 100) for i in bridge["items"]} == {
        r["item_code"]: cents(r["amount_chf"]) for r in items
    }
    actual = sum(cents(r["actual_chf"]) for r in sheet("budget_comparison"))
    total = next(
        cents(r["amount_chf"]) for r in sheet("performance") if r["line_code"] == "TOTAL_EXPENSES"
    )
    assert round(bridge["budget_actual"] * 100) == actual
    assert round(bridge["statement_expenses"] * 100) == total
    assert actual + sum(cents(r["amount_chf"]) for r in items) == total  # R2, with the items


def csv_rows(name: str) -> list[dict[str, str]]:
    """The rows of one of the example's CSVs."""
    with (EXAMPLE / str(YEAR) / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_staff_figures_from_the_delivered_rows(report: dict) -> None:
    rows = csv_rows("staff.csv")
    headcount = sum(int(r["headcount"]) for r in rows)
    women = sum(int(r["headcount"]) for r in rows if r["gender"] == "female")
    senior = [r for r in rows if r["category"] in ("P", "D", "elected")]
    senior_count = sum(int(r["headcount"]) for r in senior)
    senior_women = sum(int(r["headcount"]) for r in senior if r["gender"] == "female")
    offices = sum(int(r["headcount"]) for r in rows if r["org_unit"].startswith("RO-"))
    by_region = {region: 0 for region in "ABCDE"}
    for r in senior:
        by_region[r["region"]] += int(r["headcount"])
    figures = report["staff"]
    assert figures["headcount"] == headcount
    assert figures["women_share"] == pytest.approx(women / headcount)
    assert figures["women_share_p_and_above"] == pytest.approx(senior_women / senior_count)
    assert figures["regional_office_share"] == pytest.approx(offices / headcount)
    assert figures["p_and_above_by_region"] == by_region


def test_membership_repeats_the_delivered_rows(report: dict) -> None:
    expected: dict[str, dict[str, dict]] = {}
    for r in csv_rows("membership.csv"):
        part = int(r["participating"]) if r["participating"] else None
        expected.setdefault(r["sector"], {})[r["category"]] = {
            "members": int(r["members"]),
            "participating": part,
        }
    assert report["membership"] == expected


def test_the_document_number_makes_it_final(report: dict) -> None:
    fields = {r["field"]: r["value"] for r in csv_rows("council_document.csv")}
    assert report["document"]["number"] == fields["document"]
    assert report["document"]["draft"] is False
    assert report["document"]["references"] == [
        ref.strip() for ref in fields["references"].split(";")
    ]


def test_narratives_count_the_loaded_narratives_by_code_and_kind(report: dict) -> None:
    expected: dict[str, dict[str, set[str]]] = {}
    for path in sorted((EXAMPLE / str(YEAR) / "narratives").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                where = r["strategic_code"] or r["org_unit"]
                expected.setdefault(where, {}).setdefault(r["kind"], set()).add(r["narrative_id"])
    counts = {k: {kind: len(ids) for kind, ids in kinds.items()} for k, kinds in expected.items()}
    assert report["narratives"] == counts
    assert report["data_quality"]["rows_quarantined"] == 0  # the example's rows all agree

"""(v2) The demo's contract version 2 inputs read like the real thing.

Read back with ``csv`` and ``openpyxl`` and checked with the test's own arithmetic: R4 to
the cent, a bridge with depreciation, capital acquisitions and employee-benefit accruals,
figures of the Union's size, and narratives for every thematic priority and enabler in
English and French (some in the other official languages), with a variance explanation
from every unit that under-spends by more than 10 %, no two texts alike.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from test_demo import allocatable, cents, sheet_rows

from oneitu_etl.demo import generate_landing

YEARS = (2023, 2024)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo_v2") / "landing"
    generate_landing(root, YEARS, seed=2024)
    return root


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def narratives(root: Path, year: int) -> list[dict[str, str]]:
    rows = []
    for path in sorted((root / str(year) / "narratives").glob("*.csv")):
        rows += csv_rows(path)
    return rows


@pytest.mark.parametrize("year", YEARS)
def test_r4_the_plan_sums_to_each_units_budget(landing: Path, year: int) -> None:
    planned: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in sheet_rows(landing, year, "budget_allocation"):
        planned[str(row["org_unit"])][0] += cents(row["approved_budget_chf"])
        planned[str(row["org_unit"])][1] += cents(row["final_budget_chf"])
    budget = {
        r["org_unit"]: [cents(r["approved_budget_chf"]), cents(r["final_budget_chf"])]
        for r in sheet_rows(landing, year, "budget_comparison")
    }
    assert dict(planned) == budget


@pytest.mark.parametrize("year", YEARS)
def test_the_bridge_has_depreciation_capital_acquisitions_and_accruals(
    landing: Path, year: int
) -> None:
    items = {r["item_code"]: r for r in sheet_rows(landing, year, "budget_reconciliation")}
    assert items["DEP"]["line_code"] == "EXP_DEPRECIATION" and cents(items["DEP"]["amount_chf"]) > 0
    assert items["CAPEX"]["line_code"] == "EXP_SUPPLIES"
    assert cents(items["CAPEX"]["amount_chf"]) < 0  # capitalised: less in the statement
    assert items["ASHI"]["line_code"] == "EXP_STAFF" and items["ASHI"]["kind"] == "timing"
    assert all(cents(r["amount_chf"]) != 0 for r in items.values())
    lines = {
        r["line_code"]: cents(r["amount_chf"]) for r in sheet_rows(landing, year, "performance")
    }
    assert all(lines[code] > 0 for code in lines)


@pytest.mark.parametrize("year", YEARS)
def test_staff_and_membership_are_of_the_unions_size(landing: Path, year: int) -> None:
    staff = csv_rows(landing / str(year) / "staff.csv")
    headcount = sum(int(r["headcount"]) for r in staff)
    assert 950 <= headcount <= 1_050
    assert all(r["region"] or r["category"] == "G" for r in staff)
    keys = [(r["org_unit"], r["category"], r["gender"], r["region"]) for r in staff]
    assert len(keys) == len(set(keys))
    members = csv_rows(landing / str(year) / "membership.csv")
    states = {r["sector"]: int(r["members"]) for r in members if r["category"] == "member_state"}
    assert states == {"R": 193, "T": 193, "D": 193}
    others = sum(int(r["members"]) for r in members if r["category"] != "member_state")
    assert 900 <= others <= 1_300
    for r in members:
        assert r["participating"] == "" or 0 <= int(r["participating"]) <= int(r["members"])


@pytest.mark.parametrize("year", YEARS)
def test_every_priority_and_enabler_has_an_achievement_and_a_challenge_in_en_and_fr(
    landing: Path, year: int
) -> None:
    found = {(r["strategic_code"], r["kind"], r["language"]) for r in narratives(landing, year)}
    for code in allocatable(year):
        for kind in ("achievement", "challenge"):
            assert {(code, kind, "en"), (code, kind, "fr")} <= found, (code, kind)
    assert {r["language"] for r in narratives(landing, year)} == {
        "ar",
        "en",
        "es",
        "fr",
        "ru",
        "zh",
    }


@pytest.mark.parametrize("year", YEARS)
def test_units_that_under_spend_by_more_than_10_percent_explain_it(
    landing: Path, year: int
) -> None:
    under = {
        r["org_unit"]
        for r in sheet_rows(landing, year, "budget_comparison")
        if cents(r["actual_chf"]) * 10 < cents(r["final_budget_chf"]) * 9
    }
    assert under, "the demo should have at least one such unit"
    variances = [r for r in narratives(landing, year) if r["kind"] == "variance"]
    assert {r["org_unit"] for r in variances} == under
    assert {(r["org_unit"], r["language"]) for r in variances} == {
        (u, lang) for u in under for lang in ("en", "fr")
    }
    assert all(r["strategic_code"] == "" for r in variances)


@pytest.mark.parametrize("year", YEARS)
def test_the_texts_are_specific_not_templates(landing: Path, year: int) -> None:
    rows = narratives(landing, year)
    texts = [r["text"] for r in rows]
    assert len(texts) == len(set(texts))  # no sentence is used twice
    english = [r["text"] for r in rows if r["language"] == "en"]
    openings = [" ".join(t.split()[:4]) for t in english]
    assert len(set(openings)) >= 0.9 * len(openings)  # not one sentence with a number swapped
    assert all(20 <= len(t) <= 4_000 for t in texts)
    ids = defaultdict(set)
    for r in rows:
        ids[r["narrative_id"]].add((r["org_unit"], r["strategic_code"], r["kind"]))
    assert all(len(v) == 1 for v in ids.values())  # translations agree


@pytest.mark.parametrize("year", YEARS)
def test_the_council_document_is_numbered(landing: Path, year: int) -> None:
    fields = {
        r["field"]: r["value"] for r in csv_rows(landing / str(year) / "council_document.csv")
    }
    assert fields["document"] == f"C{(year + 1) % 100:02d}/35"
    assert fields["session"] == f"Council {year + 1}"
    assert fields["original_language"] == "en"

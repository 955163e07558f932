"""The demo landing zone: valid against the contract, reconciled to the cent, deterministic.

The files are read back with ``csv`` and ``openpyxl`` and checked with the test's own
arithmetic, never through the pipeline, so that the demo can serve as an independent
fixture for the pipeline's tests.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from tests_support import ACTIVITY_HEADER, SECTOR_OF_UNIT

from oneitu_etl import cli
from oneitu_etl.demo import generate_landing, plan_of_year
from oneitu_etl.demo.finance import split_cents

REFERENCE = Path(__file__).resolve().parent.parent / "oneitu_etl" / "reference" / "data"
YEARS = (2023, 2024)
ORG_UNITS = SECTOR_OF_UNIT  # the contract's section 1.1
OUTPUT_TYPES = {
    "meeting",
    "conference",
    "workshop",
    "training",
    "publication",
    "recommendation",
    "project",
    "filing",
    "other",
}
STATUSES = {"planned", "ongoing", "completed", "cancelled"}
REVENUE = ["REV_ASSESSED", "REV_COST_RECOVERY", "REV_VOLUNTARY", "REV_INVESTMENT", "REV_OTHER"]
EXPENSES = [
    "EXP_STAFF",
    "EXP_TRAVEL",
    "EXP_CONTRACTUAL",
    "EXP_PREMISES",
    "EXP_SUPPLIES",
    "EXP_DEPRECIATION",
    "EXP_OTHER",
]
SHEETS = {
    "performance": ["line_code", "line_label", "line_type", "amount_chf"],
    "budget_comparison": ["org_unit", "approved_budget_chf", "final_budget_chf", "actual_chf"],
    "expense_allocation": ["org_unit", "strategic_code", "expense_chf"],
    # (v2) the planned resources and the IPSAS 24 items
    "budget_allocation": ["org_unit", "strategic_code", "approved_budget_chf", "final_budget_chf"],
    "budget_reconciliation": ["item_code", "kind", "line_code", "description", "amount_chf"],
}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "landing"
    generate_landing(root, YEARS, seed=2024)
    return root


def cents(value: object) -> int:
    """An amount read from the workbook, in cents; fails if it has more than 2 decimals."""
    assert isinstance(value, int | float), value
    exact = Decimal(repr(value))  # the shortest text that reads back as this number
    assert exact == exact.quantize(Decimal("0.01")), f"{value} has more than 2 decimals"
    return int(exact * 100)


def sheet_rows(root: Path, year: int, sheet: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(root / str(year) / "financial_statements.xlsx", read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def framework(plan_file: str) -> list[dict[str, str]]:
    with (REFERENCE / plan_file).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def names(lang: str, list_name: str) -> dict[str, str]:
    """Code -> name of one list in ``names_<lang>.csv``."""
    with (REFERENCE / f"names_{lang}.csv").open(encoding="utf-8", newline="") as handle:
        return {r["code"]: r["name"] for r in csv.DictReader(handle) if r["list"] == list_name}


def allocatable(year: int) -> set[str]:
    """Thematic priorities and enablers of the cycle that contains ``year`` (by file name)."""
    name = (
        "strategic_framework_2020_2023.csv" if year <= 2023 else "strategic_framework_2024_2027.csv"
    )
    return {r["code"] for r in framework(name) if r["kind"] in ("thematic_priority", "enabler")}


def activities(root: Path, year: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((root / str(year) / "activities").glob("*.csv")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        reader = csv.DictReader(text.splitlines())
        assert reader.fieldnames == ACTIVITY_HEADER
        rows.extend(reader)
    return rows


def all_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_layout(landing: Path) -> None:
    expected = {"indicator_definitions.csv"}
    for y in YEARS:
        expected |= {
            f"{y}/financial_statements.xlsx",
            f"{y}/indicator_values.csv",
            *(f"{y}/activities/activities_{s}_{y}.csv" for s in ("SG", "R", "T", "D")),
            # (v2) one file per unit that writes narratives, and three GS files
            f"{y}/staff.csv",
            f"{y}/membership.csv",
            f"{y}/council_document.csv",
        }
    files = set(all_files(landing))
    narratives = {f for f in files if "/narratives/narratives_" in f}
    assert files - narratives == expected
    assert {f.split("/")[0] for f in narratives} == {str(y) for y in YEARS}


def test_returns_the_paths_it_wrote(tmp_path: Path) -> None:
    written = generate_landing(tmp_path, [2024])
    assert sorted(written) == sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert written[0] == tmp_path / "indicator_definitions.csv"


def test_existing_files_are_kept_and_only_missing_ones_written(tmp_path: Path) -> None:
    delivered = tmp_path / "2024" / "financial_statements.xlsx"
    delivered.parent.mkdir(parents=True)
    delivered.write_bytes(b"the workbook Finance delivered")
    (tmp_path / "2024" / "indicator_values.csv").write_text("kept\n")

    written = generate_landing(tmp_path, [2024])

    assert delivered.read_bytes() == b"the workbook Finance delivered"
    assert (tmp_path / "2024" / "indicator_values.csv").read_text() == "kept\n"
    assert delivered not in written
    kept = {delivered, tmp_path / "2024" / "indicator_values.csv"}
    every = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert set(written) == every - kept  # definitions, activities, the v2 files
    assert len(written) == len(every) - 2
    assert (tmp_path / "2024" / "activities" / "activities_SG_2024.csv").is_file()
    assert generate_landing(tmp_path, [2024]) == []  # a second run writes nothing


def test_overwrite_resets_every_demo_file(tmp_path: Path) -> None:
    generate_landing(tmp_path / "fresh", [2024])
    delivered = tmp_path / "reset" / "2024" / "financial_statements.xlsx"
    delivered.parent.mkdir(parents=True)
    delivered.write_bytes(b"the workbook Finance delivered")

    written = generate_landing(tmp_path / "reset", [2024], overwrite=True)

    assert len(written) == len(all_files(tmp_path / "fresh"))  # every file, the delivery too
    assert all_files(tmp_path / "reset") == all_files(tmp_path / "fresh")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param([], b"the workbook Finance delivered", id="make-demo-keeps"),
        pytest.param(["--overwrite"], None, id="make-demo-reset-replaces"),
    ],
)
def test_the_demo_command_keeps_or_resets(
    tmp_path: Path, extra: list[str], expected: bytes | None
) -> None:
    delivered = tmp_path / "2024" / "financial_statements.xlsx"
    delivered.parent.mkdir(parents=True)
    delivered.write_bytes(b"the workbook Finance delivered")
    argv = ["demo", "--landing", str(tmp_path), "--years", "2024", *extra]
    assert cli.main(argv) == cli.EXIT_OK
    if expected is None:
        assert delivered.read_bytes()[:2] == b"PK"  # the demo's workbook
    else:
        assert delivered.read_bytes() == expected


@pytest.mark.parametrize("year", YEARS)
def test_workbook_has_exactly_the_contract_sheets_and_columns(landing: Path, year: int) -> None:
    wb = openpyxl.load_workbook(landing / str(year) / "financial_statements.xlsx")
    assert wb.sheetnames == list(SHEETS)
    for sheet, header in SHEETS.items():
        assert [c.value for c in wb[sheet][1]] == header


@pytest.mark.parametrize("year", YEARS)
def test_r1_statement_lines_sum_to_totals_exactly(landing: Path, year: int) -> None:
    lines = {r["line_code"]: r for r in sheet_rows(landing, year, "performance")}
    assert set(lines) == {*REVENUE, *EXPENSES, "TOTAL_REVENUE", "TOTAL_EXPENSES"}
    for code in REVENUE:
        assert lines[code]["line_type"] == "revenue"
    for code in EXPENSES:
        assert lines[code]["line_type"] == "expense"
    assert sum(cents(lines[c]["amount_chf"]) for c in REVENUE) == cents(
        lines["TOTAL_REVENUE"]["amount_chf"]
    )
    assert sum(cents(lines[c]["amount_chf"]) for c in EXPENSES) == cents(
        lines["TOTAL_EXPENSES"]["amount_chf"]
    )


@pytest.mark.parametrize("year", YEARS)
def test_r2_actuals_and_items_sum_to_total_expenses_exactly(landing: Path, year: int) -> None:
    lines = {r["line_code"]: r for r in sheet_rows(landing, year, "performance")}
    budget = sheet_rows(landing, year, "budget_comparison")
    items = sheet_rows(landing, year, "budget_reconciliation")
    assert sum(cents(r["actual_chf"]) for r in budget) + sum(
        cents(r["amount_chf"]) for r in items
    ) == cents(lines["TOTAL_EXPENSES"]["amount_chf"])


@pytest.mark.parametrize("year", YEARS)
def test_r3_allocations_sum_to_each_unit_actual_exactly(landing: Path, year: int) -> None:
    budget = {
        r["org_unit"]: cents(r["actual_chf"])
        for r in sheet_rows(landing, year, "budget_comparison")
    }
    allocated: dict[str, int] = defaultdict(int)
    codes_per_unit: dict[str, set[str]] = defaultdict(set)
    pairs = []
    for row in sheet_rows(landing, year, "expense_allocation"):
        allocated[str(row["org_unit"])] += cents(row["expense_chf"])
        codes_per_unit[str(row["org_unit"])].add(str(row["strategic_code"]))
        pairs.append((row["org_unit"], row["strategic_code"]))
    assert dict(allocated) == budget
    assert len(pairs) == len(set(pairs)), "(org_unit, strategic_code) must be unique"
    assert all(len(codes) >= 3 for codes in codes_per_unit.values())


@pytest.mark.parametrize("year", YEARS)
def test_budget_comparison_is_realistic(landing: Path, year: int) -> None:
    budget = sheet_rows(landing, year, "budget_comparison")
    assert [r["org_unit"] for r in budget] == list(ORG_UNITS)
    for row in budget:
        rate = cents(row["actual_chf"]) / cents(row["final_budget_chf"])
        assert 0.85 <= rate <= 0.98, (row["org_unit"], rate)
        assert cents(row["approved_budget_chf"]) > 0
    total_final = sum(cents(r["final_budget_chf"]) for r in budget) / 100
    assert 170e6 <= total_final <= 180e6


@pytest.mark.parametrize("year", YEARS)
def test_statement_lines_have_plausible_proportions(landing: Path, year: int) -> None:
    lines = {
        r["line_code"]: cents(r["amount_chf"]) / 100
        for r in sheet_rows(landing, year, "performance")
    }
    assert 0.55 <= lines["EXP_STAFF"] / lines["TOTAL_EXPENSES"] <= 0.65
    assert 125e6 <= lines["REV_ASSESSED"] <= 135e6
    assert all(lines[c] > 0 for c in REVENUE + EXPENSES)


@pytest.mark.parametrize("year", YEARS)
def test_allocation_codes_belong_to_the_years_plan(landing: Path, year: int) -> None:
    codes = {str(r["strategic_code"]) for r in sheet_rows(landing, year, "expense_allocation")}
    assert codes <= allocatable(year)
    units = {str(r["org_unit"]) for r in sheet_rows(landing, year, "expense_allocation")}
    assert units == set(ORG_UNITS)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2023, {"I.1", "I.2", "T.2"}, id="SP2020-2023"),
        pytest.param(2024, {"TP-APP", "TP-INC", "TP-RAD", "TP-RES"}, id="SP2024-2027"),
    ],
)
def test_multi_sector_priorities(landing: Path, year: int, expected: set[str]) -> None:
    framework_name = (
        "strategic_framework_2020_2023.csv" if year <= 2023 else "strategic_framework_2024_2027.csv"
    )
    priorities = {r["code"] for r in framework(framework_name) if r["kind"] == "thematic_priority"}
    sectors: dict[str, set[str]] = defaultdict(set)
    for row in sheet_rows(landing, year, "expense_allocation"):
        if row["strategic_code"] in priorities and cents(row["expense_chf"]) > 0:
            sectors[str(row["strategic_code"])].add(ORG_UNITS[str(row["org_unit"])])
    assert {code for code, s in sectors.items() if len(s) >= 2} == expected


def test_sectors_lead_their_own_priorities(landing: Path) -> None:
    def top(unit: str) -> str:
        rows = [r for r in sheet_rows(landing, 2024, "expense_allocation") if r["org_unit"] == unit]
        return str(max(rows, key=lambda r: cents(r["expense_chf"]))["strategic_code"])

    assert top("BR") == "TP-RAD"
    assert top("TSB") == "TP-STD"
    assert top("GS").startswith("EN-")


def test_d_file_is_windows_1252(landing: Path) -> None:
    data = (landing / "2024" / "activities" / "activities_D_2024.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert "Atelier régional — Afrique" in text
    assert "Réunion de la Commission d'études 1" in text


def test_sg_file_is_utf8_with_bom(landing: Path) -> None:
    data = (landing / "2024" / "activities" / "activities_SG_2024.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "États Membres" in data.decode("utf-8-sig")


@pytest.mark.parametrize("sector", ["R", "T"])
def test_r_and_t_files_are_plain_utf8(landing: Path, sector: str) -> None:
    data = (landing / "2024" / "activities" / f"activities_{sector}_2024.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Réunion de la Commission d'études" in data.decode("utf-8")


@pytest.mark.parametrize("year", YEARS)
def test_activities_follow_the_contract(landing: Path, year: int) -> None:
    rows = activities(landing, year)
    assert 40 <= len(rows) <= 80
    ids = [r["activity_id"] for r in rows]
    assert len(ids) == len(set(ids))
    codes = allocatable(year)
    for r in rows:
        assert r["org_unit"] in ORG_UNITS
        assert all(p in ORG_UNITS for p in r["partner_org_units"].split(";") if p)
        assert r["strategic_code"] in codes, r
        assert r["output_type"] in OUTPUT_TYPES
        assert r["status"] in STATUSES
        assert r["title"].strip()
        assert r["start_date"] <= f"{year}-12-31"
        assert not r["end_date"] or r["end_date"] >= r["start_date"]
        if r["participants"]:
            assert int(r["participants"]) >= 0
        if r["women_participants"]:
            assert 0 <= int(r["women_participants"]) <= int(r["participants"])
        if r["countries"]:
            assert 0 <= int(r["countries"]) <= 194
        if r["cost_chf"]:
            assert float(r["cost_chf"]) >= 0 and len(r["cost_chf"].split(".")[1]) == 2
    assert {r["status"] for r in rows} == STATUSES
    assert {r["output_type"] for r in rows} == OUTPUT_TYPES


@pytest.mark.parametrize("year", YEARS)
def test_some_activities_are_joint_across_sectors(landing: Path, year: int) -> None:
    rows = activities(landing, year)
    joint = [
        r
        for r in rows
        if any(
            ORG_UNITS[p] != ORG_UNITS[r["org_unit"]] for p in r["partner_org_units"].split(";") if p
        )
    ]
    assert 0.1 <= len(joint) / len(rows) <= 0.5


def test_near_duplicate_titles_across_sectors(landing: Path) -> None:
    rows = {r["title"]: r for r in activities(landing, 2024)}
    br = rows["Regional workshop on spectrum management for Africa"]
    bdt = rows["Regional Workshop on Spectrum Management in Africa"]
    assert (br["org_unit"], bdt["org_unit"]) == ("BR", "BDT")
    assert br["strategic_code"] == bdt["strategic_code"] == "TP-RAD"
    assert br["status"] == bdt["status"] == "completed"


def indicator_status(
    v: float | None, b: float, y0: int, t: float, y1: int, up: bool, y: int
) -> str:
    """Contract 3.3, written out again for the test."""
    if v is None:
        return "no_data"
    if (v >= t) if up else (v <= t):
        return "achieved"
    if y <= y0:
        return "on_track" if ((v >= b) if up else (v <= b)) else "off_track"
    if y > y1:
        return "off_track"
    e = b + (t - b) * (y - y0) / (y1 - y0)
    p = (v - b) / (e - b)
    return "on_track" if p >= 0.95 else "at_risk" if p >= 0.75 else "off_track"


def test_indicators_span_every_status(landing: Path) -> None:
    with (landing / "indicator_definitions.csv").open(encoding="utf-8", newline="") as handle:
        definitions = {r["indicator_code"]: r for r in csv.DictReader(handle)}
    with (landing / "2024" / "indicator_values.csv").open(encoding="utf-8", newline="") as handle:
        values = {r["indicator_code"]: r for r in csv.DictReader(handle)}
    assert set(values) == set(definitions)
    statuses = {}
    for code, d in definitions.items():
        raw = values[code]["value"]
        statuses[code] = indicator_status(
            float(raw) if raw else None,
            float(d["baseline_value"]),
            int(d["baseline_year"]),
            float(d["target_value"]),
            int(d["target_year"]),
            d["direction"] == "increase",
            2024,
        )
    assert statuses == {
        "NET-USE": "at_risk",
        "WOMEN-EVENTS": "on_track",
        "ITUT-RECS": "achieved",
        "SAT-FILING-DAYS": "off_track",
        "CIRT-COUNTRIES": "no_data",
        "EWASTE-POLICY": "at_risk",
    }


def test_net_use_is_itu_facts_and_figures(landing: Path) -> None:
    with (landing / "indicator_definitions.csv").open(encoding="utf-8", newline="") as handle:
        definition = next(r for r in csv.DictReader(handle) if r["indicator_code"] == "NET-USE")
    assert (definition["strategic_code"], definition["unit"], definition["direction"]) == (
        "G1",
        "percent",
        "increase",
    )
    assert (definition["baseline_value"], definition["target_value"]) == ("67.0", "72.0")
    for year, value in [(2023, "67.0"), (2024, "68.0")]:
        with (landing / str(year) / "indicator_values.csv").open(encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["indicator_code"] == "NET-USE")
        assert (row["year"], row["value"]) == (str(year), value)


def test_indicator_definitions_follow_the_contract(landing: Path) -> None:
    codes = {r["code"] for r in framework("strategic_framework_2024_2027.csv")}
    with (landing / "indicator_definitions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert 5 <= len(rows) <= 8
    for r in rows:
        assert r["strategic_code"] in codes
        assert r["unit"] in {"percent", "count", "chf", "index", "ratio"}
        assert r["direction"] in {"increase", "decrease"}
        assert int(r["target_year"]) > int(r["baseline_year"])
        assert r["name_en"] and r["name_fr"]


def test_two_runs_give_identical_bytes(tmp_path: Path) -> None:
    generate_landing(tmp_path / "a", YEARS, seed=7)
    generate_landing(tmp_path / "b", YEARS, seed=7)
    first, second = all_files(tmp_path / "a"), all_files(tmp_path / "b")
    assert first.keys() == second.keys()
    for name in first:
        assert hashlib.sha256(first[name]).digest() == hashlib.sha256(second[name]).digest(), name


def test_another_seed_gives_other_figures(tmp_path: Path) -> None:
    generate_landing(tmp_path / "a", [2024], seed=1)
    generate_landing(tmp_path / "b", [2024], seed=2)
    assert sheet_rows(tmp_path / "a", 2024, "performance") != sheet_rows(
        tmp_path / "b", 2024, "performance"
    )


@pytest.mark.parametrize(
    ("year", "plan"),
    [
        pytest.param(2020, "SP2020-2023", id="first-year-of-cycle"),
        pytest.param(2023, "SP2020-2023", id="last-year-of-cycle"),
        pytest.param(2024, "SP2024-2027", id="new-cycle"),
    ],
)
def test_plan_of_year(year: int, plan: str) -> None:
    assert plan_of_year(year) == plan


def test_year_outside_every_cycle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2019"):
        generate_landing(tmp_path, [2019])


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        pytest.param(100, [1, 1, 1], [34, 33, 33], id="remainder-to-first"),
        pytest.param(10, [0.6, 0.4], [6, 4], id="exact"),
        pytest.param(1, [1, 3], [0, 1], id="one-cent"),
        pytest.param(0, [1, 2], [0, 0], id="zero"),
    ],
)
def test_split_cents(total: int, weights: list[float], expected: list[int]) -> None:
    assert split_cents(total, weights) == expected


def test_framework_2020_2023_matches_resolution_71_dubai() -> None:
    old = framework("strategic_framework_2020_2023.csv")
    new = framework("strategic_framework_2024_2027.csv")
    assert list(old[0]) == list(new[0]) == ["code", "kind", "goal"]
    english, french = names("en", "framework_2020_2023"), names("fr", "framework_2020_2023")
    goals = {r["code"]: english[r["code"]] for r in old if r["kind"] == "goal"}
    assert goals == {
        "G1": "Growth",
        "G2": "Inclusiveness",
        "G3": "Sustainability",
        "G4": "Innovation",
        "G5": "Partnership",
    }
    kinds = Counter(r["kind"] for r in old)
    assert kinds["thematic_priority"] >= 15 and kinds["enabler"] >= 3
    for r in old:
        assert english[r["code"]] and french[r["code"]]
        assert (r["goal"] in goals) == (r["kind"] == "thematic_priority")
    assert len({r["code"] for r in old}) == len(old)

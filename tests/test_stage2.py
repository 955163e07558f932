"""Pipeline stage 2: the suites run with GX on the warehouse, results stored, Data Docs.

A small landing zone (the corpus's valid statements, an activity file with one bad row,
the indicator files) is ingested, then ``pipeline.validate`` runs. Expected counts are
those of the files, written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from oneitu_etl import pipeline, warehouse
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
EXPECTATIONS = Path(__file__).resolve().parents[1] / "expectations"
#: Suites of contract version 2 that the v1 landing zone of these tests does not deliver.
V2_SUITES = {
    "budget_allocation",
    "budget_reconciliation",
    "staff",
    "membership",
    "council_document",
    "narratives",
}
SUITES = {
    *V2_SUITES,
    "financial_performance",
    "budget_comparison",
    "expense_allocation",
    "expense_ledger",
    "activities",
    "indicator_definitions",
    "indicator_values",
}
HEADER = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf\n"
)
ACTIVITIES = HEADER + (
    "BR-1,BR,BDT,TP-RAD,workshop,Spectrum workshop,2024-03-04,2024-03-06,completed,120,45,38,"
    "25000.00\n"
    "BR-2,BR,,TP-RAD,publication,Radio Regulations,2024-06-01,,ongoing,,,,12000.00\n"
    "BR-3,BR,TSB,TP-NET,meeting,Working Party 5D,2024-09-10,2024-09-20,completed,300,90,60,\n"
    "BR-4,BR,,TP-RAD,workshop,Too many women,2024-10-01,,completed,20,25,3,100.00\n"
)
VALUES = (
    "indicator_code,year,value,source,note\n"
    "NET-USE,2024,68.0,ITU Facts and Figures 2024,\n"
    "FILING-COST,2024,,BR,not yet measured\n"
)


def make_landing(root: Path, *, statements_case: str = "ledger_not_aggregating") -> Path:
    """The landing zone: a corpus workbook, one activity file, the indicator files."""
    landing = root / "landing"
    (landing / "2024" / "activities").mkdir(parents=True)
    shutil.copy(BAD / statements_case / "2024" / "financial_statements.xlsx", landing / "2024")
    shutil.copy(BAD / "indicator_values_rows" / "indicator_definitions.csv", landing)
    (landing / "2024" / "activities" / "activities_R_2024.csv").write_text(ACTIVITIES)
    (landing / "2024" / "indicator_values.csv").write_text(VALUES)
    return landing


def stored(settings: Settings) -> list[dict]:
    engine = warehouse.connect(settings.db_url)
    try:
        with engine.connect() as conn:
            v = s.validation_results
            rows = (
                conn.execute(
                    select(v).where(v.c.delivery_id.is_(None), v.c.year == 2024).order_by(v.c.id)
                )
                .mappings()
                .all()
            )
            return [dict(r) for r in rows]
    finally:
        engine.dispose()


@pytest.fixture
def validated(tmp_path: Path, db_url: str) -> tuple[Settings, dict[str, int]]:
    settings = Settings(landing=str(make_landing(tmp_path)), out=tmp_path / "out", db_url=db_url)
    pipeline.ingest(settings, 2024)
    return settings, pipeline.validate(settings, 2024)


def test_every_expectation_result_is_stored_with_its_counts(validated: tuple) -> None:
    settings, counts = validated
    rows = stored(settings)
    suites = {r["suite"] for r in rows}
    assert suites == SUITES - {"expense_ledger"} - V2_SUITES  # not delivered: nothing to validate
    by_key = {(r["suite"], r["details"]["rule"], r["column_name"]): r for r in rows}
    cost = by_key[("activities", "range", "cost_chf")]
    assert (
        cost["expectation"],
        cost["success"],
        cost["element_count"],
        cost["unexpected_count"],
        cost["unexpected_rows"],
    ) == ("expect_column_values_to_be_between", True, 3, 0, [])
    amounts = by_key[("financial_performance", "range", "amount_chf")]
    assert (amounts["element_count"], amounts["success"]) == (14, True)
    assert by_key[("budget_comparison", "unique", "org_unit")]["element_count"] == 6
    recon = {r["details"]["rule"]: r["success"] for r in rows if r["details"]["table_level"]}
    assert recon == {
        "R1-revenue": True,
        "R1-expenses": True,
        "R2": True,
        "R3-BDT": True,
        "R3-BR": True,
        "R3-GS": True,
        "R3-RO-AFR": True,
        "R3-RO-AMS": True,
        "R3-TSB": True,
        "R3-total": True,
    }
    assert by_key[("expense_allocation", "R3-BR", None)]["details"]["observed"] == 250000.0
    assert all(r["details"]["engine"] == "great_expectations" for r in rows)
    # the loaded data passes; the row quarantined at ingestion counts as a failed check
    assert all(r["success"] for r in rows)
    row_rules = [
        r for r in rows if not r["details"]["table_level"] and r["details"]["severity"] == "error"
    ]
    assert counts == {"checks_run": len(row_rules), "checks_failed": 1}


def test_the_data_docs_list_every_suite_and_are_published_with_the_report(validated: tuple) -> None:
    settings, _ = validated
    staged = pipeline.staged_data_docs(settings, 2024) / "index.html"
    index = staged.read_text(encoding="utf-8")
    for suite in SUITES:
        assert f"expectations/{suite}.html" in index
        assert (staged.parent / "expectations" / f"{suite}.html").exists()
    # listed in plain HTML too (GX's own lists need JavaScript from public CDNs)
    listing = index[index.index('<section id="oneitu-suites"') : index.index("</section>")]
    for suite in SUITES:
        assert f'<a href="expectations/{suite}.html">{suite}</a>' in listing
    # the ledger and the optional tables of version 2: none delivered
    undelivered = {"expense_ledger", *V2_SUITES}
    assert listing.count("not run: no data") == len(undelivered)
    validations = list((staged.parent / "validations").rglob("*.html"))
    assert {p.parts[-4] for p in validations} == SUITES - undelivered

    pipeline.build_report_data(settings, 2024, generated_on=dt.date(2025, 1, 31))
    data = json.loads(pipeline.staged_json(settings, 2024).read_text())
    quality = data["data_quality"]
    assert quality["data_docs"] == "data_docs/index.html"
    assert quality["rows_quarantined"] == 1
    assert quality["checks_run"] == len(quality["validation"]) + len(data["reconciliation"])
    assert quality["checks_failed"] == 1
    failed = [v for v in quality["validation"] if not v["success"]]
    assert [(v["suite"], v["rule"], v["column"]) for v in failed] == [
        ("activities", "women_within_participants", "women_participants")
    ]

    pipeline.publish(settings, 2024, pdf=False)
    published = settings.out / "2024" / "data_docs" / "index.html"
    assert published.exists()
    umask = os.umask(0)
    os.umask(umask)
    for folder in (published.parent, published.parent / "expectations"):  # not mkdtemp's 0700
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder
    assert not pipeline.staged_data_docs(settings, 2024).exists()


def test_gx_names_the_failing_rows_of_the_loaded_data_by_file_and_row(tmp_path: Path) -> None:
    """A stricter suite on data already loaded: GX finds the rows, the year is blocked."""
    strict = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS, strict)
    spec = json.loads((strict / "budget_comparison.json").read_text())
    for e in spec["expectations"]:
        if e["kwargs"].get("column") == "actual_chf":
            e["kwargs"]["max_value"] = 200000
    (strict / "budget_comparison.json").write_text(json.dumps(spec))
    spec = json.loads((strict / "activities.json").read_text())
    for e in spec["expectations"]:
        if e["kwargs"].get("column") == "countries":
            e["kwargs"]["max_value"] = 50
    (strict / "activities.json").write_text(json.dumps(spec))

    settings = Settings(landing=str(make_landing(tmp_path)), out=tmp_path / "out")
    pipeline.ingest(settings, 2024)
    pipeline.validate(settings.with_(expectations_dir=strict), 2024)
    by_key = {(r["suite"], r["details"]["rule"], r["column_name"]): r for r in stored(settings)}
    countries = by_key[("activities", "range", "countries")]
    assert (countries["success"], countries["unexpected_count"], countries["unexpected_rows"]) == (
        False,
        1,
        [["2024/activities/activities_R_2024.csv", 4]],
    )
    actual = by_key[("budget_comparison", "range", "actual_chf")]
    assert actual["unexpected_rows"] == [
        ["2024/financial_statements.xlsx", 2],
        ["2024/financial_statements.xlsx", 3],
    ]

    path = pipeline.build_report_data(settings, 2024, generated_on=dt.date(2025, 1, 31))
    data = json.loads(path.read_text())
    assert data["status"] == "blocked"
    assert [(e["file"], e["row"], e["column"]) for e in data["errors"]] == [
        ("2024/financial_statements.xlsx", 2, "actual_chf"),
        ("2024/financial_statements.xlsx", 3, "actual_chf"),
    ]


def test_a_blocked_year_publishes_no_data_docs(tmp_path: Path) -> None:
    settings = Settings(
        landing=str(make_landing(tmp_path, statements_case="r3_mismatch")), out=tmp_path / "out"
    )
    result = pipeline.run_year(settings, 2024, pdf=False)
    assert result.status == "blocked"
    assert not (settings.out / "2024" / "data_docs").exists()
    assert not pipeline.staged_data_docs(settings, 2024).exists()
    assert {r["suite"] for r in stored(settings)} == {
        "activities",
        "indicator_definitions",
        "indicator_values",
    }

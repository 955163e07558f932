"""(v2) Finance's optional tables: as sheets or CSVs, with lineage, archive and supersession.

``budget_allocation`` and ``budget_reconciliation`` follow the form of the statements: sheets
of the workbook, or CSVs beside the three CSVs (``tests/fixtures/finance_v2``); they load
into ``fs_budget_allocation`` and ``fs_budget_reconciliation`` with the delivery and row of
every row, and a corrected file supersedes the earlier one, whose rows stay.
"""

from __future__ import annotations

from pathlib import Path

from ingest_support import T0, YEAR, Zone
from sqlalchemy import select

from oneitu_etl import pipeline
from oneitu_etl.warehouse import schema as s

V2_CSVS = (
    "financial_performance.csv",
    "budget_comparison.csv",
    "expense_allocation.csv",
    "budget_allocation.csv",
    "budget_reconciliation.csv",
)


def deliver_csvs(zone: Zone) -> None:
    for name in V2_CSVS:
        zone.put_fixture(f"{YEAR}/{name}", f"finance_v2/{YEAR}/{name}")


def test_the_optional_csvs_load_with_their_lineage(zone: Zone) -> None:
    deliver_csvs(zone)
    result = zone.ingest()
    assert result.blocking == []
    plan = zone.current(s.fs_budget_allocation, "row_number", "org_unit", "strategic_code",
                        "approved_budget_cents", "final_budget_cents")  # fmt: skip
    assert plan == [
        (2, "GS", "EN-HRI", 30000, 29000),
        (3, "GS", "TP-INC", 20000, 19000),
        (4, "BR", "TP-RAD", 15000, 16000),
        (5, "BR", "TP-STD", 5000, 5000),
        (6, "TSB", "TP-STD", 10000, 0),
    ]
    items = zone.current(s.fs_budget_reconciliation, "item_code", "kind", "line_code",
                         "amount_cents")  # fmt: skip
    assert items == [
        ("ASHI", "timing", "EXP_STAFF", 75),
        ("CAP", "basis", "EXP_SUPPLIES", -2050),
        ("DEP", "basis", "EXP_DEPRECIATION", 12000),
    ]
    delivery = zone.delivery(f"{YEAR}/budget_reconciliation.csv")
    assert (delivery["kind"], delivery["outcome"], delivery["rows_loaded"]) == (
        "budget_reconciliation",
        "loaded",
        3,
    )
    assert (
        Path(delivery["archive_path"]).read_bytes()
        == (zone.root / f"{YEAR}/budget_reconciliation.csv").read_bytes()
    )


def test_a_corrected_reconciliation_supersedes_the_earlier_one(zone: Zone) -> None:
    deliver_csvs(zone)
    zone.ingest()
    path = f"{YEAR}/budget_reconciliation.csv"
    first = zone.delivery(path)
    text = (zone.root / path).read_text("utf-8").replace("After-service", "Post-employment")
    zone.put(path, text)
    later = T0.replace(hour=10)
    assert zone.ingest(now=later).blocking == []
    second = zone.delivery(path)
    assert second["id"] != first["id"]
    superseded = [d for d in zone.deliveries() if d["id"] == first["id"]][0]
    assert (superseded["superseded_at"], superseded["superseded_by"]) == (later, second["id"])
    descriptions = zone.current(s.fs_budget_reconciliation, "item_code", "description")
    assert ("ASHI", "Post-employment health insurance accrued") in descriptions
    kept = zone.all(s.fs_budget_reconciliation, "delivery_id", "item_code")
    assert sorted(d for d, code in kept if code == "ASHI") == [first["id"], second["id"]]


def test_r2_without_the_items_blocks_the_year(zone: Zone) -> None:
    deliver_csvs(zone)
    zone.remove(f"{YEAR}/budget_reconciliation.csv")
    messages = [i.message for i in zone.ingest().blocking]
    assert (
        "R2 failed: the actual_chf of budget_comparison sum to 600.25 but TOTAL_EXPENSES is "
        "700.50 (difference 100.25)"
    ) in messages


def test_an_optional_csv_beside_the_workbook_blocks_the_year(zone: Zone) -> None:
    zone.put_fixture(
        f"{YEAR}/financial_statements.xlsx", f"landing_v2/{YEAR}/financial_statements.xlsx"
    )
    zone.put_fixture(f"{YEAR}/budget_allocation.csv", f"finance_v2/{YEAR}/budget_allocation.csv")
    blocking = zone.ingest().blocking
    assert [(i.file, i.message) for i in blocking] == [
        (
            f"{YEAR}/budget_allocation.csv",
            "budget_allocation.csv delivered beside the workbook; deliver it as the sheet "
            "budget_allocation of financial_statements.xlsx, or deliver the three CSVs",
        )
    ]


def test_the_workbook_sheets_load(zone: Zone) -> None:
    zone.put_fixture(
        f"{YEAR}/financial_statements.xlsx", f"landing_v2/{YEAR}/financial_statements.xlsx"
    )
    assert zone.ingest().blocking == []
    assert len(zone.current(s.fs_budget_allocation, "org_unit")) == 40
    assert [r[0] for r in zone.current(s.fs_budget_reconciliation, "item_code")] == [
        "ASHI",
        "DEP",
        "EQUIP",
    ]


#: A ledger of the v2 year: per line, the statement less the items of the line
#: (staff 400.75 - 0.75, supplies 179.50 + 20.50, depreciation 120.25 - 120.00).
LEDGER = (
    "posting_id,posting_date,org_unit,strategic_code,line_code,amount_chf\n"
    "P1,2024-01-31,GS,EN-HRI,EXP_STAFF,300.00\n"
    "P2,2024-01-31,GS,TP-INC,EXP_STAFF,100.00\n"
    "P3,2024-03-15,BR,TP-RAD,EXP_SUPPLIES,150.25\n"
    "P4,2024-04-15,TSB,TP-STD,EXP_SUPPLIES,29.75\n"
    "P5,2024-12-31,TSB,TP-STD,EXP_DEPRECIATION,0.25\n"
    "P6,2024-06-30,TSB,EN-REG,EXP_SUPPLIES,20.00\n"
)


def test_l2_holds_with_the_items_of_each_line_at_ingestion_and_in_gx(zone: Zone) -> None:
    deliver_csvs(zone)
    zone.put(f"{YEAR}/expense_ledger.csv", LEDGER)
    assert zone.ingest().blocking == []

    counts = pipeline.validate(zone.settings(), YEAR)
    v = s.validation_results
    with zone.engine.connect() as conn:
        rows = conn.execute(
            select(v.c.suite, v.c.success, v.c.details).where(
                v.c.year == YEAR, v.c.delivery_id.is_(None)
            )
        ).all()
    gx = {d["rule"]: ok for suite, ok, d in rows if d.get("table_level")}
    assert {rule: gx[rule] for rule in gx if rule.startswith("L2-")} == {
        "L2-EXP_DEPRECIATION": True,
        "L2-EXP_STAFF": True,
        "L2-EXP_SUPPLIES": True,
    }
    assert gx["R2"] and gx["R3-total"] and gx["R4-TSB-final"]
    assert counts["checks_failed"] == 0

    zone.put(
        f"{YEAR}/expense_ledger.csv",
        LEDGER.replace(
            "P6,2024-06-30,TSB,EN-REG,EXP_SUPPLIES", "P6,2024-06-30,TSB,EN-REG,EXP_STAFF"
        ),
    )
    messages = [i.message for i in zone.ingest(now=T0.replace(hour=13)).blocking]
    assert (
        "L2 failed for EXP_STAFF: ledger postings plus its items sum to 420.75 but the "
        "statement gives 400.75 (difference 20.00)"
    ) in messages

"""Stage 2 on a ledger above ``MAX_GX_ROWS``: GX checks its sums, the row checker its rows.

A ledger of millions of lines is not handed to Great Expectations row by row. Here the
threshold is lowered to 100 lines and the benchmark's generator writes a 300-line ledger
whose statements are its exact sums: GX evaluates every L1/L2 entry on the stored sums
(all pass), no row expectation of the ledger, and the report still counts the ledger's
row expectations, from ingestion.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.ledger import write_landing
from oneitu_etl import pipeline, warehouse
from oneitu_etl import stage2 as stage
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s


def test_a_large_ledger_has_its_sums_checked_by_gx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "MAX_GX_ROWS", 100)
    write_landing(tmp_path / "landing", 300, year=2024, seed=11)
    settings = Settings(landing=str(tmp_path / "landing"), out=tmp_path / "out")
    pipeline.ingest(settings, 2024)

    counts = pipeline.validate(settings, 2024)

    engine = warehouse.connect(settings.db_url)
    v = s.validation_results
    with engine.connect() as conn:
        gx = conn.execute(
            select(v.c.expectation, v.c.success, v.c.details).where(
                v.c.suite == "expense_ledger", v.c.delivery_id.is_(None)
            )
        ).all()
    engine.dispose()
    rules = sorted(d["rule"] for _, _, d in gx)
    assert len([r for r in rules if r.startswith("L1-")]) == 53
    assert [r for r in rules if r.startswith("L2-")] == [
        "L2-EXP_CONTRACTUAL", "L2-EXP_DEPRECIATION", "L2-EXP_OTHER", "L2-EXP_PREMISES",
        "L2-EXP_STAFF", "L2-EXP_SUPPLIES", "L2-EXP_TRAVEL",
    ]  # fmt: skip
    assert len(rules) == 60  # no row expectation of the ledger went to GX
    assert all(success for _, success, _ in gx)
    assert counts["checks_failed"] == 0
    report = pipeline.build_report_data(settings, 2024, generated_on=dt.date(2025, 1, 31))
    data = json.loads(report.read_text())
    ledger_checks = [
        c for c in data["data_quality"]["validation"] if c["suite"] == "expense_ledger"
    ]
    assert {c["rule"] for c in ledger_checks} >= {"unique", "date_in_year", "expense_line"}
    assert data["status"] == "published"

"""The data quality block and the reconciliation rules, on current data only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine

from oneitu_etl.marts import data_quality, outputs_by_strategic_code, reconciliation
from oneitu_etl.reference import Reference

ARRIVED = "2025-01-31T12:00:00+00:00"


def test_data_quality_of_2024(conn: Connection) -> None:
    quality = data_quality(conn, 2024)
    # rows: activities 10 + 1, budget 5, allocation 11, performance 6, values 4, definitions 5
    assert {k: quality[k] for k in ("files", "rows_loaded", "rows_quarantined")} == {
        "files": 7,
        "rows_loaded": 42,
        "rows_quarantined": 3,
    }
    assert quality["checks_run"] == 0 and quality["checks_failed"] == 0  # added by the pipeline
    assert [
        (d["file"], d["kind"], d["rows_loaded"], d["rows_quarantined"])
        for d in quality["deliveries"]
    ] == [
        ("2024/activities/bureaux.csv", "activities", 10, 1),
        ("2024/activities/gs.csv", "activities", 1, 1),
        ("2024/budget_comparison.csv", "budget_comparison", 5, 0),
        ("2024/expense_allocation.csv", "expense_allocation", 11, 0),
        ("2024/financial_performance.csv", "financial_performance", 6, 0),
        ("2024/indicator_values.csv", "indicator_values", 4, 1),
        ("indicator_definitions.csv", "indicator_definitions", 5, 0),
    ]
    first = quality["deliveries"][0]
    assert first["arrived_at"] == ARRIVED
    assert first["status"] == "current"
    assert first["encoding"] == "utf-8"
    assert len(first["sha256"]) == 64
    assert [
        (q["file"], q["sheet"], q["row"], q["column"], q["value"]) for q in quality["quarantined"]
    ] == [
        ("2024/activities/bureaux.csv", None, 11, "org_unit", "XYZ"),
        ("2024/activities/gs.csv", None, 2, "activity_id", "A1"),
        ("2024/indicator_values.csv", None, 6, "indicator_code", "I-GHOST"),
    ]
    assert all(q["message"] for q in quality["quarantined"])


def test_data_quality_of_2023(conn: Connection) -> None:
    quality = data_quality(conn, 2023)
    # performance 4, budget 2, allocation 3, definitions 5
    assert (quality["files"], quality["rows_loaded"], quality["rows_quarantined"]) == (4, 14, 0)
    assert quality["quarantined"] == []


def test_reconciliation_on_current_data(conn: Connection, reference: Reference) -> None:
    checks = reconciliation(conn, 2024, reference, 1.0)
    assert [c["rule"] for c in checks] == [
        "R1-revenue",
        "R1-expenses",
        "R2",
        "R3-BDT",
        "R3-BR",
        "R3-GS",
        "R3-RO-AFR",
        "R3-TSB",
        "R3-total",
    ]
    assert all(c["passed"] for c in checks)
    assert checks[2] == {
        "rule": "R2",
        "left": 1000.25,
        "right": 1000.25,
        "difference": 0.0,
        "passed": True,
    }


def test_a_file_that_disappears_no_longer_counts(
    landing_copy: Path, db_url: str, tmp_path: Path, ingest: Callable[..., Engine]
) -> None:
    ingest(landing_copy, tmp_path / "out", db_url, years=(2024,)).dispose()
    (landing_copy / "2024" / "activities" / "gs.csv").unlink()
    engine = ingest(landing_copy, tmp_path / "out", db_url, years=(2024,))
    with engine.connect() as conn:
        quality = data_quality(conn, 2024)
        assert (quality["files"], quality["rows_loaded"], quality["rows_quarantined"]) == (6, 41, 2)
        assert "2024/activities/gs.csv" not in [d["file"] for d in quality["deliveries"]]
        # A12 (EN-HRI) was in gs.csv; A6 remains
        assert outputs_by_strategic_code(conn, 2024)["EN-HRI"]["activities"] == 1
    engine.dispose()

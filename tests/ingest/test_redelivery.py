"""Contract section 4 on SQLite and PostgreSQL: same content changes nothing, a corrected
file supersedes the earlier one, a removed file no longer counts, superseded rows stay."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from ingest_support import T0, YEAR, Zone, deliver_all

from oneitu_etl.warehouse import schema as s

T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)
BR = f"{YEAR}/activities/activities_BR.csv"
TSB = f"{YEAR}/activities/activities_TSB.csv"
PERFORMANCE = f"{YEAR}/financial_performance.csv"


def _snapshot(zone: Zone) -> dict[str, object]:
    """Everything ingestion writes, to compare two runs."""
    tables = {
        "deliveries": zone.deliveries(),
        "activities": zone.all(
            s.activities, "delivery_id", "row_number", "activity_id", "participants"
        ),
        "partners": zone.all(s.activity_partners, "delivery_id", "activity_id", "org_unit"),
        "performance": zone.all(s.fs_performance, "delivery_id", "line_code", "amount_cents"),
        "issues": zone.all(s.delivery_issues, "id", "delivery_id", "message"),
        "groups": zone.all(s.load_groups, "name", "signature", "processed_at"),
    }
    return tables


def test_same_content_delivered_again_changes_nothing(
    any_zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    deliver_all(any_zone)
    first = any_zone.ingest(now=T0)
    assert first.changed and first.blocking == []
    before = _snapshot(any_zone)
    # the same bytes written again (a new modification time) are the same delivery
    any_zone.put_fixture(BR, f"sectors/{YEAR}/activities/activities_BR.csv")

    with caplog.at_level(logging.INFO, logger="oneitu_etl.ingest"):
        again = any_zone.ingest(now=T1)

    assert not again.changed
    # (v2) the narratives and the three tables of General Secretariat services too
    assert [g.skipped for g in again.groups] == [True] * 8
    assert f"activities/{YEAR} unchanged (2 files): skipped" in caplog.messages
    assert f"statements/{YEAR} unchanged (3 files): skipped" in caplog.messages
    assert _snapshot(any_zone) == before
    assert again.blocking == []


def test_corrected_activity_file_supersedes_the_earlier_one(any_zone: Zone) -> None:
    deliver_all(any_zone)
    any_zone.ingest(now=T0)
    assert any_zone.current(s.activities, "activity_id", "participants", "women_participants") == [
        ("BR-001", 120, 50),
        ("BR-002", None, None),
        ("BR-003", 80, 30),
        ("TSB-001", None, None),
        ("TSB-002", 200, 70),
    ]
    old = any_zone.delivery(BR)

    any_zone.put_fixture(BR, f"sectors/corrected/{YEAR}/activities/activities_BR.csv")
    any_zone.ingest(now=T1)

    # the correction counts once: BR-001 150/60 instead of 120/50, BR-003 gone, BR-004 new
    assert any_zone.current(s.activities, "activity_id", "participants", "women_participants") == [
        ("BR-001", 150, 60),
        ("BR-002", None, None),
        ("BR-004", 300, 100),
        ("TSB-001", None, None),
        ("TSB-002", 200, 70),
    ]
    assert (
        sum(p for _, p in any_zone.current(s.activities, "activity_id", "participants") if p) == 650
    )
    assert any_zone.current(s.activity_partners, "activity_id", "org_unit") == [
        ("BR-001", "RO-AFR"),
        ("BR-001", "TSB"),
        ("BR-004", "GS"),
        ("TSB-001", "BR"),
    ]
    new = any_zone.delivery(BR)
    superseded = next(d for d in any_zone.deliveries() if d["id"] == old["id"])
    assert superseded["superseded_at"] == T1 and superseded["superseded_by"] == new["id"]
    assert new["arrived_at"] == T1 and new["sha256"] != old["sha256"]
    # the earlier rows stay in the warehouse, on the superseded delivery, for audit
    assert [
        r
        for r in any_zone.all(s.activities, "delivery_id", "activity_id", "participants")
        if r[0] == old["id"]
    ] == [
        (old["id"], "BR-001", 120),
        (old["id"], "BR-002", None),
        (old["id"], "BR-003", 80),
    ]
    # the unchanged file keeps its delivery and its time of arrival
    tsb = any_zone.delivery(TSB)
    assert tsb["arrived_at"] == T0 and tsb["loaded_at"] == T1


def test_corrected_financial_statements_change_exactly_the_corrected_lines(any_zone: Zone) -> None:
    deliver_all(any_zone)
    any_zone.ingest(now=T0)
    before = dict(any_zone.current(s.fs_performance, "line_code", "amount_cents"))
    assert before["EXP_STAFF"] == 60000 and before["EXP_TRAVEL"] == 10000

    any_zone.put_fixture(PERFORMANCE, f"finance/corrected/{YEAR}/financial_performance.csv")
    result = any_zone.ingest(now=T1)

    after = dict(any_zone.current(s.fs_performance, "line_code", "amount_cents"))
    assert result.blocking == []
    assert after == {**before, "EXP_STAFF": 65000, "EXP_TRAVEL": 5000}
    assert len(any_zone.current(s.fs_performance, "line_code")) == 14
    assert sorted(d["path"] for d in any_zone.deliveries() if d["superseded_at"] is not None) == [
        PERFORMANCE,
    ]


def test_a_removed_file_no_longer_counts_and_counts_again_when_back(any_zone: Zone) -> None:
    deliver_all(any_zone)
    any_zone.ingest(now=T0)
    any_zone.remove(TSB)

    any_zone.ingest(now=T1)

    assert [r[0] for r in any_zone.current(s.activities, "activity_id")] == [
        "BR-001",
        "BR-002",
        "BR-003",
    ]
    gone = any_zone.delivery(TSB, current=False)
    assert gone["superseded_at"] == T1 and gone["superseded_by"] is None
    assert ("TSB-002",) in any_zone.all(s.activities, "activity_id")  # kept for audit

    any_zone.put_fixture(TSB, f"sectors/{YEAR}/activities/activities_TSB.csv")
    any_zone.ingest(now=T2)

    assert [r[0] for r in any_zone.current(s.activities, "activity_id")] == [
        "BR-001",
        "BR-002",
        "BR-003",
        "TSB-001",
        "TSB-002",
    ]
    assert any_zone.delivery(TSB)["arrived_at"] == T2


def test_removing_every_file_of_a_group_leaves_nothing_counting(zone: Zone) -> None:
    deliver_all(zone)
    zone.ingest(now=T0)
    zone.remove(BR)
    zone.remove(TSB)
    zone.remove(PERFORMANCE)

    result = zone.ingest(now=T1)

    assert zone.current(s.activities, "activity_id") == []
    assert zone.current(s.fs_performance, "line_code") == []
    # two of the three statement CSVs: the year is blocked, the remaining two not loaded
    assert [i.message for i in result.blocking] == [
        "incomplete financial statements: financial_performance.csv missing; the three CSVs "
        "come together (or deliver the workbook)"
    ]
    assert zone.current(s.fs_budget, "org_unit") == []


def test_no_financial_statements_blocks_the_year(zone: Zone) -> None:
    zone.put_fixture(BR, f"sectors/{YEAR}/activities/activities_BR.csv")

    result = zone.ingest(now=T0)
    again = zone.ingest(now=T1)

    expected = [(f"{YEAR}/", f"no financial statements for {YEAR}")]
    assert [(i.file, i.message) for i in result.blocking] == expected
    assert [(i.file, i.message) for i in again.blocking] == expected
    assert len(zone.current(s.activities, "activity_id")) == 3


def test_workbook_and_csvs_together_are_archived_and_block_the_year(zone: Zone) -> None:
    deliver_all(zone)
    zone.ingest(now=T0)
    zone.put(f"{YEAR}/financial_statements.xlsx", b"PK\x03\x04 not really a workbook")

    result = zone.ingest(now=T1)

    assert result.blocking[0].message == (
        "financial statements delivered twice: both the workbook and financial_performance.csv, "
        "budget_comparison.csv, expense_allocation.csv; deliver either the workbook or the three "
        "CSVs"
    )
    assert result.blocking[0].file == f"{YEAR}/financial_statements.xlsx"
    # every file is recorded and archived, none of them counts
    workbook = zone.delivery(f"{YEAR}/financial_statements.xlsx")
    assert workbook["outcome"] == "rejected" and workbook["arrived_at"] == T1
    assert zone.current(s.fs_performance, "line_code") == []
    statements = {
        "financial_statements",
        "financial_performance",
        "budget_comparison",
        "expense_allocation",
    }
    assert sorted(
        (d["path"], d["outcome"])
        for d in zone.deliveries()
        if d["kind"] in statements and d["superseded_at"] is None
    ) == [
        (f"{YEAR}/budget_comparison.csv", "rejected"),
        (f"{YEAR}/expense_allocation.csv", "rejected"),
        (f"{YEAR}/financial_performance.csv", "rejected"),
        (f"{YEAR}/financial_statements.xlsx", "rejected"),
    ]

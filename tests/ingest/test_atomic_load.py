"""Loading a group is one transaction: a load that fails or is killed part-way leaves the
warehouse as it was, and the next run loads correctly. A file that changes while a run
is in progress is loaded by the next run (the signature is that of the bytes loaded)."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from ingest_support import T0, YEAR, Zone, deliver_all, fixture
from sqlalchemy import Table

from oneitu_etl import ingest
from oneitu_etl.warehouse import loads, locks
from oneitu_etl.warehouse import schema as s

T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)
BR = f"{YEAR}/activities/activities_BR.csv"
CORRECTED_BR = f"sectors/corrected/{BR}"
ORIGINAL = [("BR-001", 120), ("BR-002", None), ("BR-003", 80), ("TSB-001", None), ("TSB-002", 200)]
CORRECTED = [
    ("BR-001", 150),
    ("BR-002", None),
    ("BR-004", 300),
    ("TSB-001", None),
    ("TSB-002", 200),
]


def _fail_after_half_the_activities(
    monkeypatch: pytest.MonkeyPatch, total: int, fail: object
) -> list[int]:
    """Insert activities one row at a time; call ``fail()`` once half of them are in."""
    monkeypatch.setattr(loads, "_CHUNK_ROWS", 1)
    real = loads._insert_records
    inserted: list[int] = []

    def insert_records(conn: object, table: Table, records: list[dict]) -> None:
        if table is s.activities and len(inserted) >= total // 2:
            fail()
        real(conn, table, records)
        if table is s.activities:
            inserted.extend(r["row_number"] for r in records)

    monkeypatch.setattr(loads, "_insert_records", insert_records)
    return inserted


def _raise() -> None:
    raise RuntimeError("disk full")


def _everything(zone: Zone) -> dict[str, list[tuple]]:
    return {
        "deliveries": zone.all(
            s.deliveries, "id", "path", "sha256", "superseded_at", "outcome", "rows_loaded"
        ),
        "activities": zone.all(s.activities, "delivery_id", "activity_id", "participants"),
        "partners": zone.all(s.activity_partners, "delivery_id", "activity_id", "org_unit"),
        "issues": zone.all(s.delivery_issues, "delivery_id", "message"),
        "results": zone.all(s.validation_results, "delivery_id", "expectation", "success"),
        "groups": zone.all(s.load_groups, "name", "signature"),
    }


def test_a_first_load_failing_half_way_leaves_no_partial_rows(
    any_zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_all(any_zone)
    with monkeypatch.context() as patch:
        inserted = _fail_after_half_the_activities(patch, 5, _raise)
        with pytest.raises(RuntimeError, match="disk full"):
            any_zone.ingest(now=T0)
        assert len(inserted) == 2  # two rows were inserted before the failure

    assert any_zone.all(s.activities, "activity_id") == []
    assert any_zone.all(s.activity_partners, "activity_id") == []
    assert [d["kind"] for d in any_zone.deliveries() if d["kind"] == "activities"] == []
    assert ("activities/2024",) not in any_zone.all(s.load_groups, "name")
    assert any_zone.all(s.lock, "year") == []  # the run's lock was released

    any_zone.ingest(now=T1)

    assert any_zone.current(s.activities, "activity_id", "participants") == ORIGINAL
    assert {d["arrived_at"] for d in any_zone.deliveries() if d["kind"] == "activities"} == {T1}


def test_a_correction_failing_half_way_leaves_the_warehouse_as_it_was(
    any_zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_all(any_zone)
    any_zone.ingest(now=T0)
    before = _everything(any_zone)
    any_zone.put_fixture(BR, CORRECTED_BR)

    with monkeypatch.context() as patch:
        _fail_after_half_the_activities(patch, 5, _raise)
        with pytest.raises(RuntimeError, match="disk full"):
            any_zone.ingest(now=T1)

    assert _everything(any_zone) == before
    assert any_zone.current(s.activities, "activity_id", "participants") == ORIGINAL

    any_zone.ingest(now=T2)

    assert any_zone.current(s.activities, "activity_id", "participants") == CORRECTED
    assert any_zone.delivery(BR)["arrived_at"] == T2


def _killed_run(settings: object) -> None:
    """A run whose process dies (SIGKILL) after half the activity rows were inserted."""
    patch = pytest.MonkeyPatch()
    _fail_after_half_the_activities(patch, 5, lambda: os.kill(os.getpid(), signal.SIGKILL))
    from oneitu_etl import pipeline  # noqa: PLC0415

    pipeline.ingest(settings, YEAR, now=T0)


def test_a_killed_run_leaves_no_partial_rows_and_its_lock_is_taken_over(any_zone: Zone) -> None:
    deliver_all(any_zone)
    any_zone.engine.dispose()
    run = multiprocessing.get_context("fork").Process(
        target=_killed_run, args=(any_zone.settings(),)
    )
    run.start()
    run.join(timeout=300)
    assert run.exitcode == -signal.SIGKILL

    assert any_zone.all(s.activities, "activity_id") == []
    assert [d["path"] for d in any_zone.deliveries() if d["kind"] == "activities"] == []
    [(year, holder)] = any_zone.all(s.lock, "year", "holder")  # left by the dead run
    assert year == YEAR and locks.holder_is_dead(holder)

    # its process is gone from this host: the lock is taken over at once, not after the
    # stale timeout (an hour by default)
    any_zone.ingest(now=T1, lock_wait_seconds=0)

    assert any_zone.current(s.activities, "activity_id", "participants") == ORIGINAL
    assert any_zone.all(s.lock, "year") == []


def test_a_file_changed_during_a_run_is_loaded_by_the_next_run(
    any_zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver_all(any_zone)
    original, corrected = fixture(f"sectors/{BR}"), fixture(CORRECTED_BR)
    real = ingest.load_group

    def load_group(conn: object, group: str, *args: object, **kwargs: object) -> object:
        if group == f"activities/{YEAR}":  # the file was read; the correction arrives now
            (any_zone.root / BR).write_bytes(corrected)
        return real(conn, group, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ingest, "load_group", load_group)
        any_zone.ingest(now=T0)

    first = any_zone.delivery(BR)
    assert first["sha256"] == hashlib.sha256(original).hexdigest()
    assert Path(first["archive_path"]).read_bytes() == original
    assert any_zone.current(s.activities, "activity_id", "participants") == ORIGINAL

    again = any_zone.ingest(now=T1)

    assert any_zone.current(s.activities, "activity_id", "participants") == CORRECTED
    second = any_zone.delivery(BR)
    assert second["sha256"] == hashlib.sha256(corrected).hexdigest()
    assert second["arrived_at"] == T1
    assert [g.name for g in again.groups if not g.skipped] == [f"activities/{YEAR}"]
    assert not any_zone.ingest(now=T2).changed

"""One run at a time per year (``year_locks``), on SQLite and PostgreSQL: a second run
waits, then refuses with a clear message; an abandoned lock is taken over."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from ingest_support import YEAR, Zone, deliver_all, make_zone
from sqlalchemy import Engine, select

from oneitu_etl import cli, pipeline, warehouse
from oneitu_etl.warehouse import locks
from oneitu_etl.warehouse import schema as s


@pytest.fixture
def engine(db_url: str) -> Engine:
    engine = warehouse.connect(db_url)
    yield engine
    engine.dispose()


def _holders(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(s.lock.c.year, s.lock.c.holder)))


def test_a_held_year_refuses_a_second_run_after_waiting(engine: Engine) -> None:
    held = locks.acquire(engine, YEAR, holder="host-a:101:run1")
    started = time.monotonic()

    with pytest.raises(locks.YearLocked) as refused:
        locks.acquire(engine, YEAR, wait_seconds=0.6, poll_seconds=0.1)

    assert time.monotonic() - started >= 0.6
    message = str(refused.value)
    assert message.startswith(
        f"year {YEAR} is being processed by another run (host-a:101:run1, since "
    )
    assert "waited 0.6 s" in message and "taken over as abandoned" in message
    other = locks.acquire(engine, YEAR - 1, wait_seconds=0)  # other years are free
    assert locks.release(engine, other)
    assert locks.release(engine, held)
    assert _holders(engine) == []
    assert locks.release(engine, locks.acquire(engine, YEAR, wait_seconds=0))


def test_a_waiting_run_gets_the_lock_when_it_is_released(engine: Engine) -> None:
    held = locks.acquire(engine, YEAR)
    timer = threading.Timer(0.5, locks.release, (engine, held))
    timer.start()
    try:
        started = time.monotonic()
        second = locks.acquire(engine, YEAR, wait_seconds=10, poll_seconds=0.05)
        assert 0.4 <= time.monotonic() - started < 10
        assert _holders(engine) == [(YEAR, second.holder)]
    finally:
        timer.join()
    locks.release(engine, second)


def test_an_abandoned_lock_is_taken_over_after_the_stale_timeout(engine: Engine) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    dead = locks.acquire(engine, YEAR, holder="crashed:1:x", clock=lambda: long_ago)

    with pytest.raises(locks.YearLocked):  # not stale yet under a 3-hour timeout
        locks.acquire(engine, YEAR, wait_seconds=0, stale_after_seconds=3 * 3600)
    taken = locks.acquire(engine, YEAR, wait_seconds=0, stale_after_seconds=3600)

    assert _holders(engine) == [(YEAR, taken.holder)]
    assert not locks.release(engine, dead)  # the dead run cannot free the new holder's lock
    assert _holders(engine) == [(YEAR, taken.holder)]
    assert locks.release(engine, taken)


def test_only_one_of_many_simultaneous_runs_gets_the_lock(engine: Engine) -> None:
    barrier = threading.Barrier(6)
    won: list[locks.Lock] = []
    refused: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            won.append(locks.acquire(engine, YEAR, wait_seconds=0))
        except locks.YearLocked as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(won) == 1 and len(refused) == 5
    assert _holders(engine) == [(YEAR, won[0].holder)]


def test_run_year_refuses_while_another_run_holds_the_year(zone: Zone) -> None:
    deliver_all(zone)
    held = locks.acquire(zone.engine, YEAR, holder="scheduler:7:abc")
    try:
        with pytest.raises(locks.YearLocked, match=r"scheduler:7:abc"):
            pipeline.run_year(zone.settings(lock_wait_seconds=0.2), YEAR, pdf=False)
        with pytest.raises(locks.YearLocked):
            pipeline.ingest(zone.settings(lock_wait_seconds=0.2), YEAR)
        # nothing was loaded by the refused runs
        assert zone.deliveries() == []
    finally:
        locks.release(zone.engine, held)


def test_the_command_line_says_why_it_refuses(
    zone: Zone, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEITU_LOCK_WAIT_SECONDS", "0.3")
    deliver_all(zone)
    held = locks.acquire(zone.engine, YEAR, holder="scheduler:7:abc")
    try:
        code = cli.main(
            [
                "run",
                "--landing",
                str(zone.root),
                "--year",
                str(YEAR),
                "--out",
                str(zone.out),
                "--no-pdf",
                "--db",
                zone.db_url,
            ]
        )
    finally:
        locks.release(zone.engine, held)
    assert code == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert err.startswith(
        f"oneitu run: year {YEAR} is being processed by another run (scheduler:7:abc, since "
    )


def test_the_lock_is_released_when_a_run_fails(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    deliver_all(zone)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pipeline, "publish", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        pipeline.run_year(zone.settings(), YEAR, pdf=False)

    assert _holders(zone.engine) == []
    assert len(zone.current(s.activities, "activity_id")) == 5  # ingestion itself committed


def _ingest_three_times(settings: object, year: int) -> None:
    for _ in range(3):
        pipeline.ingest(settings, year)


def test_runs_of_two_years_at_once_share_the_reference_and_definitions(
    db_url: str, tmp_path: Path
) -> None:
    """Both runs refresh the reference tables and the definitions group: no collision."""
    zone = make_zone(tmp_path, db_url)
    zone.engine.dispose()  # the warehouse exists and is migrated, as after deployment
    deliver_all(zone)
    for name in ("financial_performance.csv", "budget_comparison.csv", "expense_allocation.csv"):
        zone.put_fixture(f"{YEAR + 1}/{name}", f"finance/{YEAR}/{name}")
    fork = multiprocessing.get_context("fork")  # separate processes, as two schedulers' tasks
    runs = [
        fork.Process(target=_ingest_three_times, args=(zone.settings(), y))
        for y in (YEAR, YEAR + 1)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=300)

    assert [run.exitcode for run in runs] == [0, 0]
    assert len(zone.current(s.indicator_definitions, "indicator_code")) == 2
    assert [d["path"] for d in zone.deliveries()].count("indicator_definitions.csv") == 1
    assert len(zone.current(s.fs_performance, "line_code")) == 28
    assert _holders(zone.engine) == []

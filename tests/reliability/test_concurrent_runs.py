"""Concurrency: runs started at the same moment on one output folder and warehouse.

Three ``oneitu run`` processes start together on the same ``--out`` (so the same SQLite
warehouse): two for 2024, from two different landing zones (the first delivery and the
corrected one), and one for 2025. The two 2024 runs must serialise on the year's lock
(the second waits, then runs; neither interleaves with the other) and the report left in
place must be the last run's, whole: the JSON, both HTML reports and the workbook list
exactly the files that run saw. The 2025 run goes on beside them. No row is duplicated.

That a run which cannot wait refuses with a clear message (``oneitu run`` exit 3, "year
2024 is being processed by another run (host:pid:..., since ...)") is shown by
``tests/ingest/test_year_lock.py::test_the_command_line_says_why_it_refuses``, and
that only one of many simultaneous takers gets a lock by
``test_only_one_of_many_simultaneous_runs_gets_the_lock`` there.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_support import (
    CORRECTIONS,
    FIRST_DELIVERY,
    ONEITU,
    YEAR,
    current_hashes,
    make_landing,
    oneitu_env,
    run_args,
)
from sqlalchemy import create_engine, func, select

from oneitu_etl import warehouse
from oneitu_etl.settings import default_db_url
from oneitu_etl.warehouse import runs
from oneitu_etl.warehouse import schema as s

NEXT = YEAR + 1


def _open_warehouse(url: str, results: multiprocessing.Queue) -> None:
    try:
        warehouse.connect(url).dispose()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(f"{type(exc).__name__}: {exc}".splitlines()[0])


def test_processes_creating_the_first_schema_at_once_all_succeed(tmp_path: Path) -> None:
    """Six processes open a new SQLite warehouse at the same moment: each either creates
    the schema or waits and finds it created (before the fix: "table alembic_version
    already exists" in all but one)."""
    url = default_db_url(tmp_path)
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    workers = [fork.Process(target=_open_warehouse, args=(url, results)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(results.get(timeout=5) for _ in workers) == ["ok"] * 6


@dataclass
class Launch:
    """The three runs and their outcome."""

    out: Path
    landings: dict[str, Path]
    results: dict[str, subprocess.CompletedProcess[str]]


def _hashes(landing: Path) -> set[str]:
    return {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in landing.rglob("*")
        if p.is_file() and (p.parent == landing or str(YEAR) in p.relative_to(landing).parts[:1])
    }


@pytest.fixture(scope="module")
def launch(tmp_path_factory: pytest.TempPathFactory) -> Launch:
    base = tmp_path_factory.mktemp("concurrent")
    first = make_landing(base / "first", FIRST_DELIVERY)
    corrected = make_landing(base / "corrected", {**FIRST_DELIVERY, **CORRECTIONS})
    # the 2025 run reads the same statements from a 2025 folder of the first landing zone
    for name in ("financial_performance.csv", "budget_comparison.csv", "expense_allocation.csv"):
        (first / str(NEXT)).mkdir(exist_ok=True)
        (first / str(NEXT) / name).write_bytes((first / str(YEAR) / name).read_bytes())
    out = base / "out"
    commands = {
        "first": run_args(first, out),
        "corrected": run_args(corrected, out),
        "next year": run_args(first, out, year=NEXT),
    }
    procs = {
        name: subprocess.Popen(
            [str(ONEITU), *args],
            env=oneitu_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    # every pipe read at once: a run whose output is not read while another is awaited
    # would block on a full pipe (matplotlib's font warnings on a machine without the
    # fonts are enough) while holding the year's lock
    with ThreadPoolExecutor(max_workers=len(procs)) as pool:
        outputs = {name: pool.submit(proc.communicate, timeout=600) for name, proc in procs.items()}
        done = {name: output.result() for name, output in outputs.items()}
    results = {
        name: subprocess.CompletedProcess(proc.args, proc.returncode, *done[name])
        for name, proc in procs.items()
    }
    return Launch(out, {"first": first, "corrected": corrected}, results)


def _runs(out: Path, year: int) -> list[dict]:
    engine = create_engine(default_db_url(out))
    try:
        with engine.connect() as conn:
            return list(reversed(runs.latest(conn, year)))
    finally:
        engine.dispose()


def test_every_run_succeeds(launch: Launch) -> None:
    for name, result in launch.results.items():
        assert result.returncode == 0, f"{name}: {result.stderr}"


def test_the_two_runs_of_one_year_ran_one_after_the_other(launch: Launch) -> None:
    first, second = _runs(launch.out, YEAR)
    assert (first["status"], second["status"]) == ("published", "published")
    assert second["started_at"] >= first["finished_at"]  # the second waited for the first


def test_the_published_report_is_the_last_runs_alone(launch: Launch) -> None:
    """JSON, both HTML reports and the workbook list the files of the run that came last,
    and only those."""
    last = _runs(launch.out, YEAR)[-1]
    by_inputs = {}
    for name, landing in launch.landings.items():
        text = "".join(
            f"{p.relative_to(landing).as_posix()}\t{hashlib.sha256(p.read_bytes()).hexdigest()}\n"
            for p in sorted(landing.rglob("*"), key=lambda p: p.relative_to(landing).as_posix())
            if p.is_file() and p.relative_to(landing).parts[0] in (str(YEAR), p.name)
        )
        by_inputs[hashlib.sha256(text.encode()).hexdigest()] = name
    winner = by_inputs[last["inputs_sha256"]]  # the landing zone the last run saw
    expected = _hashes(launch.landings[winner])
    for output, hashes in current_hashes(launch.out / str(YEAR)).items():
        assert hashes == expected, output


def test_no_row_is_duplicated(launch: Launch) -> None:
    engine = create_engine(default_db_url(launch.out))
    d = s.deliveries
    try:
        with engine.connect() as conn:
            current = conn.execute(
                select(d.c.path, func.count()).where(d.c.superseded_at.is_(None)).group_by(d.c.path)
            ).all()
            loaded = dict(
                conn.execute(
                    select(d.c.id, d.c.rows_loaded).where(
                        d.c.superseded_at.is_(None), d.c.outcome == "loaded"
                    )
                ).all()
            )
            activities = conn.execute(
                select(s.activities.c.delivery_id, s.activities.c.activity_id).where(
                    s.activities.c.delivery_id.in_(loaded)
                )
            ).all()
            per_delivery = {}
            for table in s.DATA_TABLES.values():
                for delivery_id, count in conn.execute(
                    select(table.c.delivery_id, func.count()).group_by(table.c.delivery_id)
                ):
                    per_delivery[delivery_id] = per_delivery.get(delivery_id, 0) + count
            locks = conn.execute(select(s.lock)).all()
    finally:
        engine.dispose()
    assert all(count == 1 for _path, count in current)  # one current delivery per path
    assert ("indicator_definitions.csv", 1) in current  # shared by both years, loaded once
    ids = [(delivery, activity) for delivery, activity in activities]
    assert len(ids) == len(set(ids))
    for delivery_id, rows_loaded in loaded.items():
        assert per_delivery.get(delivery_id, 0) == rows_loaded
    assert locks == []


def test_the_other_year_is_published_beside_them(launch: Launch) -> None:
    [run] = _runs(launch.out, NEXT)
    assert run["status"] == "published"
    reports = {
        y: json.loads((launch.out / str(y) / f"report_{y}.json").read_text()) for y in (YEAR, NEXT)
    }
    # the same statements in both years' folders (a correction moves CHF 50 between two
    # expense lines, the totals stay): the same totals
    assert reports[NEXT]["status"] == "published"
    assert reports[NEXT]["totals"] == reports[YEAR]["totals"]
    assert reports[NEXT]["totals"]["expenses"] == 1000.25

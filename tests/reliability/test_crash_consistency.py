"""Crash consistency: ``oneitu run`` killed with SIGKILL at several points, then re-run.

The world: a year published from a first delivery (the template), then a second delivery
in which Finance and BR each correct a file. The uninterrupted run of the second delivery
is the baseline. Each scenario copies the template, runs ``oneitu run`` on the second
delivery and kills it:

- ``load``: inside the transaction loading the activity files (the statements group,
  whose ledger DuckDB judges meanwhile, is processed after the others: not yet loaded);
- ``before-marts``: after ingestion and validation committed, before the figures;
- ``mid-write``: while writing the second report file (half of it in its temporary);
- ``external``: from outside, with ``Popen.kill()`` (SIGKILL), as soon as the staged
  ``report_<Y>.json`` appears, that is during rendering; no wrapping at all.

The first three are killed by ``crash_harness.py`` (exact points); the last one shows the
real command killed from outside. Then the plain ``oneitu run`` is run again and must give
a warehouse identical to the baseline's (row counts and checksum of every table, see
``reliability_support.fingerprint``), the same ``report_<Y>.json`` (arrival times aside)
and the same HTML; in between, every published file is whole (the previous version or
the new one), and the interrupted attempt is listed as failed.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_support import (
    CORRECTIONS,
    FIRST_DELIVERY,
    FIXTURES,
    ONEITU,
    YEAR,
    comparable_html,
    comparable_report,
    fingerprint,
    hidden_files,
    is_whole,
    make_landing,
    oneitu,
    oneitu_env,
    published_files,
    run_args,
)
from sqlalchemy import create_engine, select

from oneitu_etl import cli
from oneitu_etl.settings import default_db_url
from oneitu_etl.warehouse import runs
from oneitu_etl.warehouse import schema as s

HARNESS = Path(__file__).with_name("crash_harness.py")
KILL_POINTS = ("load", "before-marts", "mid-write", "external")


@dataclass
class Scenario:
    """One interrupted run and its re-run."""

    point: str
    out: Path
    killed: int | None = None
    after_kill: dict[str, bytes] | None = None
    hidden_after_kill: list[str] | None = None
    deliveries_after_kill: set[tuple[str, str]] | None = None
    rerun: subprocess.CompletedProcess[str] | None = None

    @property
    def year_dir(self) -> Path:
        return self.out / str(YEAR)


@dataclass
class World:
    """The template (first delivery published), the baseline and the scenarios."""

    template: Path
    baseline: Path
    scenarios: dict[str, Scenario]


def _kill_when_staged(proc: subprocess.Popen, marker: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if marker.exists():
            proc.kill()  # SIGKILL
            return
        time.sleep(0.01)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("crash")
    first = make_landing(base / "landing_first", FIRST_DELIVERY)
    second = make_landing(base / "landing_second", {**FIRST_DELIVERY, **CORRECTIONS})
    template = base / "template"
    done = oneitu(run_args(first, template))
    assert done.returncode == 0, done.stderr

    baseline = base / "baseline"
    shutil.copytree(template, baseline)
    # relative --landing and --out, as a person types them (Data Docs needed absolute paths)
    done = oneitu(run_args("landing_second", "baseline"), cwd=base)
    assert done.returncode == 0, done.stderr

    scenarios = {p: Scenario(p, base / f"killed_{p}") for p in KILL_POINTS}
    procs = {}
    for point, scenario in scenarios.items():
        shutil.copytree(template, scenario.out)
        args = run_args(second, scenario.out)
        command = [str(ONEITU), *args]
        if point != "external":
            command = [sys.executable, str(HARNESS), point, *args]
        procs[point] = subprocess.Popen(
            command, env=oneitu_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    _kill_when_staged(
        procs["external"], scenarios["external"].out / ".staging" / f"report_{YEAR}.json"
    )
    for point, proc in procs.items():
        proc.communicate(timeout=300)
        scenario = scenarios[point]
        scenario.killed = proc.returncode
        scenario.after_kill = published_files(scenario.year_dir)
        scenario.hidden_after_kill = hidden_files(scenario.year_dir)
        scenario.deliveries_after_kill = _current_deliveries(scenario.out)

    # the plain command again; it must not wait for the dead run's lock
    reruns = {
        point: subprocess.Popen(
            [str(ONEITU), *run_args(second, scenario.out)],
            env=oneitu_env(ONEITU_LOCK_WAIT_SECONDS="20"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for point, scenario in scenarios.items()
    }
    for point, proc in reruns.items():
        stdout, stderr = proc.communicate(timeout=300)
        scenarios[point].rerun = subprocess.CompletedProcess(
            proc.args, proc.returncode, stdout, stderr
        )
    return World(template, baseline, scenarios)


def _sha(fixture: str) -> str:
    return hashlib.sha256((FIXTURES / fixture).read_bytes()).hexdigest()


def _current_deliveries(out: Path) -> set[tuple[str, str]]:
    """(path, sha256) of the current deliveries in the warehouse of ``out``."""
    engine = create_engine(default_db_url(out))
    try:
        with engine.connect() as conn:
            d = s.deliveries
            query = select(d.c.path, d.c.sha256).where(d.c.superseded_at.is_(None))
            return {(r.path, r.sha256) for r in conn.execute(query)}
    finally:
        engine.dispose()


def _year(out: Path) -> Path:
    return out / str(YEAR)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_the_run_was_killed(world: World, point: str) -> None:
    assert world.scenarios[point].killed == -signal.SIGKILL


def test_a_load_killed_mid_transaction_left_no_row_of_it(world: World) -> None:
    """Killed inside the activities' transaction: no trace of the corrected BR file, the
    old one still current; the statements, processed after the activities, untouched."""
    current = world.scenarios["load"].deliveries_after_kill
    br, perf = f"{YEAR}/activities/activities_BR.csv", f"{YEAR}/financial_performance.csv"
    assert (br, _sha(FIRST_DELIVERY[br])) in current
    assert _sha(CORRECTIONS[br]) not in {sha for _path, sha in current}
    assert (perf, _sha(FIRST_DELIVERY[perf])) in current
    assert _sha(CORRECTIONS[perf]) not in {sha for _path, sha in current}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_no_half_written_file_where_reports_are_published(world: World, point: str) -> None:
    """After the kill, every published file is whole: the previous version or the new one."""
    scenario = world.scenarios[point]
    before = published_files(_year(world.template))
    after = published_files(_year(world.baseline))
    assert set(scenario.after_kill) == set(before)
    for name, data in scenario.after_kill.items():
        assert is_whole(name, data), f"{name} is not whole"
        if name.endswith(".html"):
            versions = (comparable_html(before[name]), comparable_html(after[name]))
            assert comparable_html(data) in versions, f"{name} is neither version"
    # the JSON is written last: a killed run never replaces it
    assert scenario.after_kill[f"report_{YEAR}.json"] == before[f"report_{YEAR}.json"]
    if point == "mid-write":  # the half-written temporary stayed hidden, under another name
        [temporary] = scenario.hidden_after_kill
        assert temporary.startswith(".") and temporary.endswith(".tmp")


@pytest.mark.parametrize("point", KILL_POINTS)
def test_rerun_gives_the_same_warehouse_and_report(world: World, point: str) -> None:
    scenario = world.scenarios[point]
    rerun = scenario.rerun
    assert rerun.returncode == 0, rerun.stderr
    assert "no longer exists on this host" in rerun.stderr  # the dead run's lock, taken over
    assert fingerprint(default_db_url(scenario.out)) == fingerprint(default_db_url(world.baseline))
    name = f"report_{YEAR}.json"
    assert comparable_report(scenario.year_dir / name) == comparable_report(
        _year(world.baseline) / name
    )
    published = published_files(scenario.year_dir)
    baseline = published_files(_year(world.baseline))
    assert set(published) == set(baseline)
    for html in (n for n in published if n.endswith(".html")):
        assert comparable_html(published[html]) == comparable_html(baseline[html]), html
    assert all(is_whole(n, data) for n, data in published.items())
    assert hidden_files(scenario.year_dir) == []  # the killed writer's temporary is gone


@pytest.mark.parametrize("point", KILL_POINTS)
def test_the_interrupted_attempt_is_listed_as_failed(
    world: World, point: str, capsys: pytest.CaptureFixture
) -> None:
    out = world.scenarios[point].out
    engine = create_engine(default_db_url(out))
    try:
        with engine.connect() as conn:
            attempts = [(r["status"], r["message"]) for r in reversed(runs.latest(conn, YEAR))]
    finally:
        engine.dispose()
    assert attempts == [("published", None), ("failed", runs.INTERRUPTED), ("published", None)]

    assert cli.main(["status", "--out", str(out), "--year", str(YEAR)]) == cli.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{YEAR}: published"
    assert [line.split(": ", 1)[1] for line in lines if line.startswith("  run ")] == [
        "published",
        f"failed  {runs.INTERRUPTED}",
        "published",
    ]

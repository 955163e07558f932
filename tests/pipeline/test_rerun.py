"""Re-runs are free: on unchanged inputs ``oneitu run`` writes nothing and exits as before.

A year's published ``report_<Y>.json`` carries the signature of what its figures are
made of (the current deliveries of the year and the years before it, the reference
data, the suites, the tolerance, the warehouse); a run whose landing zone matches the
warehouse and whose signature matches the report's leaves every file as it was. Any
change that could move a figure (a file of the year, an earlier year's data the
previous-year and trend figures read, the date asked for, an output not there yet)
makes it run. ``--json-only`` keeps the tests fast (no Great Expectations, no PDF).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from oneitu_etl import cli, rerun
from oneitu_etl.demo import generate_landing
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s

YEAR = 2024


def run(landing: Path, out: Path, year: int = YEAR, *more: str) -> int:
    args = ["run", "--landing", str(landing), "--year", str(year), "--out", str(out)]
    return cli.main([*args, "--json-only", *more])


def snapshot(out: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``out`` but SQLite's own journal files: content hash and mtime."""
    return {
        p.relative_to(out).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def runs_count(out: Path) -> int:
    engine = create_engine(f"sqlite:///{out / 'warehouse.sqlite'}")
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(s.runs)).scalar()
    engine.dispose()
    return count


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    generate_landing(root, [2023, YEAR])
    return root


def test_an_unchanged_rerun_writes_nothing_and_says_the_same(
    landing: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    assert run(landing, out) == 0
    first = capsys.readouterr().out
    report = json.loads((out / str(YEAR) / f"report_{YEAR}.json").read_text(encoding="utf-8"))
    assert report["status"] == "published" and len(report["inputs_signature"]) == 64
    assert not (out / str(YEAR) / f"annex_{YEAR}.xlsx").exists()  # JSON only
    before, attempts = snapshot(out), runs_count(out)

    assert run(landing, out) == 0

    assert capsys.readouterr().out == first
    assert snapshot(out) == before
    assert runs_count(out) == attempts  # not even a row of runs


def test_a_changed_file_of_the_year_is_run(landing: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(landing, out)
    signature = json.loads((out / str(YEAR) / f"report_{YEAR}.json").read_text())[
        "inputs_signature"
    ]
    values = landing / str(YEAR) / "indicator_values.csv"
    values.write_text(values.read_text().replace("33.4", "34.5"))

    assert (
        rerun.unchanged_report(Settings(landing=str(landing), out=out), YEAR, json_only=True)
        is None
    )
    assert run(landing, out) == 0

    report = json.loads((out / str(YEAR) / f"report_{YEAR}.json").read_text())
    assert report["inputs_signature"] != signature
    assert report["indicators"]["WOMEN-EVENTS"]["value"] == 34.5


def test_new_data_of_an_earlier_year_reruns_the_later_report(landing: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(landing, out, 2023)
    run(landing, out, YEAR)
    settings = Settings(landing=str(landing), out=out)
    assert rerun.unchanged_report(settings, YEAR, json_only=True) is not None
    values = landing / "2023" / "indicator_values.csv"
    values.write_text(values.read_text().replace("31.0", "31.5"))
    run(landing, out, 2023)  # the warehouse now holds 2023's correction

    assert rerun.unchanged_report(settings, YEAR, json_only=True) is None


def test_another_date_or_a_missing_output_is_run(landing: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(landing, out, YEAR, "--generated-on", "2025-01-31")
    settings = Settings(landing=str(landing), out=out)
    asked = dt.date(2025, 1, 31)

    assert rerun.unchanged_report(settings, YEAR, generated_on=asked, json_only=True)
    assert rerun.unchanged_report(settings, YEAR, json_only=True)  # no date asked: kept
    assert (
        rerun.unchanged_report(settings, YEAR, generated_on=asked + dt.timedelta(1), json_only=True)
        is None
    )
    assert rerun.unchanged_report(settings, YEAR, generated_on=asked) is None  # HTML asked for


def test_an_unchanged_blocked_year_exits_1_with_its_errors_and_writes_nothing(
    landing: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (landing / str(YEAR) / "financial_statements.xlsx").unlink()
    out = tmp_path / "out"
    assert run(landing, out) == 1
    first = capsys.readouterr()
    before = snapshot(out)

    assert run(landing, out) == 1

    again = capsys.readouterr()
    assert (again.out, again.err) == (first.out, first.err)
    assert f"no financial statements for {YEAR}" in again.err
    assert snapshot(out) == before


def test_run_year_itself_skips_stages_2_to_4_when_nothing_changed(
    landing: Path, tmp_path: Path
) -> None:
    from oneitu_etl.pipeline import run_year  # noqa: PLC0415

    settings = Settings(landing=str(landing), out=tmp_path / "out")
    first = run_year(settings, YEAR, json_only=True)
    before = snapshot(settings.out)

    again = run_year(settings, YEAR, json_only=True)

    assert (again.status, again.published) == (first.status, first.published)
    assert {k: v for k, v in snapshot(settings.out).items() if k != "warehouse.sqlite"} == {
        k: v for k, v in before.items() if k != "warehouse.sqlite"
    }


def test_a_server_warehouse_rerun_is_free_too(
    landing: Path, tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture
) -> None:
    """The embedded warehouse is read with ``sqlite3``; a server one through SQLAlchemy."""
    out = tmp_path / "out"
    assert run(landing, out, YEAR, "--db", pg_url) == 0
    first = capsys.readouterr().out
    before = snapshot(out)
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        attempts = conn.execute(select(func.count()).select_from(s.runs)).scalar()

    assert run(landing, out, YEAR, "--db", pg_url) == 0

    assert capsys.readouterr().out == first
    assert snapshot(out) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.runs)).scalar() == attempts
    engine.dispose()

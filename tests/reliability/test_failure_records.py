"""Observability of failure: every failure a user can cause ends in one log line and one
stored record that name the file, the place and the reason; a blocked year keeps the
report published before and the attempt is listed as such.

The user-caused failures are those of the bad-input corpus (``tests/fixtures/bad/``: 40
deliveries, each a landing zone, from a missing column to a failed reconciliation), each
loaded by stage 1 as ``oneitu run`` does.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections import Counter
from pathlib import Path

import pytest
from reliability_support import FIRST_DELIVERY, FIXTURES, YEAR, make_landing, published_files
from sqlalchemy import create_engine, select

from oneitu_etl import cli, pipeline
from oneitu_etl.issues import Issue
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import runs
from oneitu_etl.warehouse import schema as s

BAD = FIXTURES / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
T0 = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)


def _stored_errors(db_url: str) -> list[dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            query = select(s.delivery_issues).where(s.delivery_issues.c.severity == "error")
            return [dict(r._mapping) for r in conn.execute(query)]
    finally:
        engine.dispose()


@pytest.mark.parametrize("case", CASES)
def test_every_error_is_one_stored_record_and_one_log_line(
    case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(BAD / case, landing)
    settings = Settings(landing=str(landing), out=tmp_path / "out")
    with caplog.at_level(logging.WARNING, logger="oneitu_etl"):
        pipeline.ingest(settings, YEAR, now=T0)

    stored = _stored_errors(settings.db_url)
    for record in stored:
        assert record["file"] and record["message"], record  # the file and the reason
        assert (landing / record["file"]).is_file(), record["file"]  # a real delivered file
    lines = Counter(
        Issue(r["file"], r["message"], r["sheet"], r["row_number"], r["column_name"]).line()
        for r in stored
    )
    logged = Counter(
        r.getMessage()
        for r in caplog.records
        if r.name == "oneitu_etl.ingest" and r.getMessage() in lines
    )
    assert logged == lines


def test_the_corpus_has_errors_of_every_kind(tmp_path: Path) -> None:
    """The test above is not vacuous: the corpus stores row-, column-, sheet- and
    file-level errors."""
    places = set()
    for case in ("activity_rows", "missing_sheet", "r2_mismatch", "missing_column_csv"):
        landing = tmp_path / case
        shutil.copytree(BAD / case, landing)
        settings = Settings(landing=str(landing), out=tmp_path / f"{case}_out")
        pipeline.ingest(settings, YEAR, now=T0)
        for r in _stored_errors(settings.db_url):
            places.add(
                (r["sheet"] is not None, r["row_number"] is not None, r["column_name"] is not None)
            )
    assert {(False, True, True), (True, False, False)} <= places


def test_a_blocked_year_keeps_the_published_report_and_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    landing = make_landing(tmp_path / "landing", FIRST_DELIVERY)
    out = tmp_path / "out"
    settings = Settings(landing=str(landing), out=out)
    first = pipeline.run_year(settings, YEAR, generated_on=dt.date(2025, 3, 1), pdf=False)
    assert first.status == "published"
    before = published_files(out / str(YEAR))

    # Finance delivers a budget whose actuals no longer match the statements (R2, R3)
    budget = landing / f"{YEAR}/budget_comparison.csv"
    budget.write_text(budget.read_text().replace("400.00\n", "350.00\n"), encoding="utf-8")
    second = pipeline.run_year(settings, YEAR, generated_on=dt.date(2025, 3, 2), pdf=False)

    assert second.status == "blocked" and second.exit_code == 1
    after = published_files(out / str(YEAR))
    assert set(after) == set(before)
    for name in after:
        if name != f"report_{YEAR}.json":
            assert after[name] == before[name], f"{name} changed"  # the earlier report stays
    assert b'"status": "blocked"' in after[f"report_{YEAR}.json"]

    engine = create_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            attempts = list(reversed(runs.latest(conn, YEAR)))
    finally:
        engine.dispose()
    assert [a["status"] for a in attempts] == ["published", "blocked"]
    message = attempts[1]["message"]
    assert message.startswith(f"{YEAR}/budget_comparison.csv") and "R2" in message, message

    assert cli.main(["status", "--out", str(out), "--year", str(YEAR)]) == cli.EXIT_BLOCKED
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == f"{YEAR}: blocked"
    assert any(line.startswith(f"  error: {YEAR}/budget_comparison.csv") for line in shown)
    assert [
        line.split(": ", 1)[1].split("  ")[0] for line in shown if line.startswith("  run ")
    ] == [
        "blocked",
        "published",
    ]
    # the HTML still on disk is the earlier, published one; the listing says what happened
    assert any(line.endswith(f"strategic_plan_report_{YEAR}_en.html") for line in shown)

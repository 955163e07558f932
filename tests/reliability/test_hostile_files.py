"""Hostile and malformed files: each refused or quarantined with a clear message that names
the file (and the place, where there is one), stored with the delivery, and nothing else
affected.

Every case delivers the valid fixture set plus one bad file, then runs stage 1
(``pipeline.ingest``) as ``oneitu run`` does. A bad statements workbook replaces the
three statement CSVs (it is then the year's statements: the year is blocked, as the
contract wants for any error in the statements); a bad activity file sits beside the
good ones. "Nothing else affected": every other file's rows are loaded exactly as without
the bad file, and the run does not crash.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import hostile_files as h
import pytest
from reliability_support import FIRST_DELIVERY, YEAR, make_landing
from sqlalchemy import select

from oneitu_etl import pipeline, warehouse
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s

T0 = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)
STATEMENT_CSVS = [
    p
    for p in FIRST_DELIVERY
    if "/activities/" not in p and p.startswith(f"{YEAR}/") and "indicator" not in p
]
WORKBOOK = f"{YEAR}/financial_statements.xlsx"
BAD_ACTIVITIES = f"{YEAR}/activities/activities_X.csv"


@dataclass
class Outcome:
    """What stage 1 did with the landing zone holding the bad file."""

    settings: Settings
    blocking: list[str]
    deliveries: dict[str, dict]
    issues: dict[str, list[dict]]
    rows: dict[str, list[tuple]]
    log: list[str]
    seconds: float


def _ingest(
    landing: Path, out: Path, caplog: pytest.LogCaptureFixture, **changes: object
) -> Outcome:
    settings = Settings(landing=str(landing), out=out, **changes)  # type: ignore[arg-type]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="oneitu_etl"):
        started = time.monotonic()
        result = pipeline.ingest(settings, YEAR, now=T0)
        seconds = time.monotonic() - started
    engine = warehouse.connect(settings.db_url)
    d, i = s.deliveries, s.delivery_issues
    try:
        with engine.connect() as conn:
            deliveries = {
                r.path: dict(r._mapping)
                for r in conn.execute(select(d).where(d.c.superseded_at.is_(None)))
            }
            issues: dict[str, list[dict]] = {}
            for r in conn.execute(select(i).order_by(i.c.id)):
                issues.setdefault(r.file, []).append(dict(r._mapping))
            rows = {}
            for name in (
                "fs_performance",
                "fs_budget",
                "fs_allocation",
                "activities",
                "indicator_values",
            ):
                table = s.DATA_TABLES[
                    {
                        "fs_performance": "financial_performance",
                        "fs_budget": "budget_comparison",
                        "fs_allocation": "expense_allocation",
                    }.get(name, name)
                ]
                columns = [c for c in table.c if c.name not in ("delivery_id",)]
                query = (
                    select(d.c.path, *columns)
                    .join(d, d.c.id == table.c.delivery_id)
                    .where(d.c.superseded_at.is_(None))
                )
                rows[name] = sorted(tuple(r) for r in conn.execute(query))
    finally:
        engine.dispose()
    return Outcome(
        settings,
        [issue.line() for issue in result.blocking],
        deliveries,
        issues,
        rows,
        [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING],
        seconds,
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """Rows of every table after loading the valid set alone (the statements as CSVs)."""
    base = tmp_path_factory.mktemp("clean")
    landing = make_landing(base / "landing", FIRST_DELIVERY)
    settings = Settings(landing=str(landing), out=base / "out")
    assert pipeline.ingest(settings, YEAR, now=T0).blocking == []
    engine = warehouse.connect(settings.db_url)
    d = s.deliveries
    rows = {}
    try:
        with engine.connect() as conn:
            for name in ("activities", "indicator_values"):
                table = s.DATA_TABLES[name]
                columns = [c for c in table.c if c.name != "delivery_id"]
                query = (
                    select(d.c.path, *columns)
                    .join(d, d.c.id == table.c.delivery_id)
                    .where(d.c.superseded_at.is_(None))
                )
                rows[name] = sorted(tuple(r) for r in conn.execute(query))
    finally:
        engine.dispose()
    return rows


def _landing(tmp_path: Path, bad: dict[str, bytes], *, statements_as_workbook: bool) -> Path:
    landing = make_landing(tmp_path / "landing", FIRST_DELIVERY)
    if statements_as_workbook:
        for rel in STATEMENT_CSVS:
            (landing / rel).unlink()
    for rel, data in bad.items():
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_bytes(data)
    return landing


def _assert_refused(outcome: Outcome, path: str, message: str, **place: object) -> dict:
    """The file is recorded as rejected with one stored error matching ``message``."""
    delivery = outcome.deliveries[path]
    assert delivery["outcome"] == "rejected", delivery
    assert delivery["rows_loaded"] == 0
    errors = [i for i in outcome.issues.get(path, []) if i["severity"] == "error"]
    assert len(errors) == 1, errors
    [error] = errors
    assert re.search(message, error["message"]), error["message"]
    for key, value in place.items():
        assert error[key] == value, (key, error)
    # one log line names the file and says why
    unanchored = message.removeprefix("^").removesuffix("$")
    assert [line for line in outcome.log if path in line and re.search(unanchored, line)], (
        outcome.log
    )
    return error


WORKBOOK_CASES = [
    pytest.param(
        lambda: h.zip_bomb(300 * 1024 * 1024),
        r"^workbook expands to 31[0-9],[0-9,]+ bytes, above the limit of 268,435,456$",
        id="zip-bomb",
    ),
    pytest.param(
        lambda: h.lying_zip_bomb(real=20 * 1024 * 1024, declared=1000),
        r"^damaged (or truncated )?workbook",
        id="zip-bomb-lying-about-its-size",
    ),
    pytest.param(
        h.with_external_link,
        r"^workbook has links to external workbooks; paste the values instead$",
        id="external-links",
    ),
    pytest.param(
        h.with_vba_macros,
        r"^workbook contains macros; save it as a plain \.xlsx$",
        id="xlsm-content",
    ),
    pytest.param(
        h.with_excel4_macro_sheet,
        r"^workbook contains macros; save it as a plain \.xlsx$",
        id="excel4-macro-sheet",
    ),
    pytest.param(
        h.billion_laughs,
        r"^workbook contains XML entity declarations \(a DTD\), which Excel never writes",
        id="billion-laughs-in-a-sheet",
    ),
    pytest.param(
        lambda: h.billion_laughs("xl/workbook.xml"),
        r"^workbook contains XML entity declarations \(a DTD\), which Excel never writes",
        id="billion-laughs-in-the-workbook-part",
    ),
]


@pytest.mark.parametrize(("build", "message"), WORKBOOK_CASES)
def test_a_hostile_workbook_is_refused_and_nothing_else_is_affected(
    build: Callable[[], bytes],
    message: str,
    tmp_path: Path,
    clean: dict[str, list[tuple]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    landing = _landing(tmp_path, {WORKBOOK: build()}, statements_as_workbook=True)
    outcome = _ingest(landing, tmp_path / "out", caplog)

    error = _assert_refused(outcome, WORKBOOK, message)
    assert error["row_number"] is None
    [blocking] = outcome.blocking  # the statements block the year
    assert blocking.startswith(WORKBOOK) and blocking.endswith(error["message"])
    assert outcome.rows["fs_performance"] == []
    assert outcome.rows["activities"] == clean["activities"]
    assert outcome.rows["indicator_values"] == clean["indicator_values"]
    assert outcome.seconds < 30


CSV_CASES = [
    pytest.param(
        h.nul_byte_csv, r"^not a text CSV file: NUL byte at byte offset \d+$", {}, id="nul-byte"
    ),
]


@pytest.mark.parametrize(("build", "message", "place"), CSV_CASES)
def test_a_malformed_activity_file_is_refused_and_nothing_else_is_affected(
    build: Callable[[], bytes],
    message: str,
    place: dict[str, object],
    tmp_path: Path,
    clean: dict[str, list[tuple]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    landing = _landing(tmp_path, {BAD_ACTIVITIES: build()}, statements_as_workbook=False)
    outcome = _ingest(landing, tmp_path / "out", caplog)

    _assert_refused(outcome, BAD_ACTIVITIES, message, **place)
    assert outcome.blocking == []
    assert outcome.rows["activities"] == clean["activities"]
    assert outcome.rows["indicator_values"] == clean["indicator_values"]


def test_a_2_gb_csv_is_refused_by_size_without_being_copied(
    tmp_path: Path, clean: dict[str, list[tuple]], caplog: pytest.LogCaptureFixture
) -> None:
    """A sparse 2 GiB file (no disk space used): refused by the size limit (default
    512 MiB), neither held in memory, spooled nor archived."""
    landing = _landing(tmp_path, {}, statements_as_workbook=False)
    h.sparse_file(landing / BAD_ACTIVITIES, 2 * 1024**3)
    outcome = _ingest(landing, tmp_path / "out", caplog)

    _assert_refused(
        outcome,
        BAD_ACTIVITIES,
        r"^the file is 2,147,483,648 bytes, above the limit of 536,870,912 bytes$",
    )
    assert outcome.deliveries[BAD_ACTIVITIES]["size_bytes"] == 2 * 1024**3
    assert outcome.deliveries[BAD_ACTIVITIES]["archive_path"] is None  # not copied
    archived = sum(
        p.stat().st_size for p in (tmp_path / "out" / "archive").rglob("*") if p.is_file()
    )
    assert archived < 1024 * 1024
    assert outcome.rows["activities"] == clean["activities"]


def test_the_size_limit_is_a_setting(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``ONEITU_MAX_FILE_BYTES`` lowers the limit: a 3 KB activity file is refused."""
    landing = _landing(
        tmp_path, {BAD_ACTIVITIES: h.long_cell_csv(3000)}, statements_as_workbook=False
    )
    settings = Settings.from_env({"ONEITU_MAX_FILE_BYTES": "2048", "ONEITU_LANDING": str(landing)})
    outcome = _ingest(landing, tmp_path / "out", caplog, max_file_bytes=settings.max_file_bytes)
    _assert_refused(
        outcome, BAD_ACTIVITIES, r"^the file is 3,\d{3} bytes, above the limit of 2,048 bytes$"
    )


def test_a_cell_within_the_limit_is_loaded_whole(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """32,767 characters in a title (Excel's own limit for a cell): kept as delivered."""
    landing = _landing(
        tmp_path, {BAD_ACTIVITIES: h.long_cell_csv(32_767)}, statements_as_workbook=False
    )
    outcome = _ingest(landing, tmp_path / "out", caplog)
    [row] = [r for r in outcome.rows["activities"] if r[0] == BAD_ACTIVITIES]
    assert "x" * 32_767 in row


@pytest.mark.parametrize("length", [32_768, 2_000_000])
def test_an_over_long_cell_is_an_error_of_its_row_not_of_the_file(
    length: int,
    tmp_path: Path,
    clean: dict[str, list[tuple]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    landing = _landing(
        tmp_path, {BAD_ACTIVITIES: h.long_cell_csv(length)}, statements_as_workbook=False
    )
    outcome = _ingest(landing, tmp_path / "out", caplog)
    delivery = outcome.deliveries[BAD_ACTIVITIES]
    assert delivery["outcome"] == "loaded"
    assert delivery["rows_quarantined"] == 1
    [error] = [i for i in outcome.issues[BAD_ACTIVITIES] if i["severity"] == "error"]
    assert (error["row_number"], error["column_name"]) == (2, "title")
    assert error["message"] == (
        f"the cell holds {length:,} characters, above the limit of 32,767 (Excel's own "
        "limit for a cell); shorten it"
    )
    assert len(error["value"]) <= 61  # a glimpse, never the whole cell
    assert outcome.blocking == []
    assert outcome.rows["indicator_values"] == clean["indicator_values"]


def test_10000_columns_load_the_known_ones_with_one_warning(
    tmp_path: Path, clean: dict[str, list[tuple]], caplog: pytest.LogCaptureFixture
) -> None:
    landing = _landing(tmp_path, {BAD_ACTIVITIES: h.wide_csv(10_000)}, statements_as_workbook=False)
    outcome = _ingest(landing, tmp_path / "out", caplog)

    assert outcome.deliveries[BAD_ACTIVITIES]["outcome"] == "loaded"
    assert outcome.deliveries[BAD_ACTIVITIES]["rows_loaded"] == 1
    warnings = [i for i in outcome.issues[BAD_ACTIVITIES] if i["severity"] == "warning"]
    assert len(warnings) == 1, len(warnings)
    assert re.match(
        r'^9,987 extra columns are ignored: "extra_0", "extra_1", .* and 9,977 more$',
        warnings[0]["message"],
    )
    assert outcome.seconds < 30


def test_a_link_out_of_the_landing_zone_is_not_followed(
    tmp_path: Path, clean: dict[str, list[tuple]], caplog: pytest.LogCaptureFixture
) -> None:
    """A symbolic link (``2024/activities/x.csv -> ../../../secret.csv``) would let whoever
    can write to the landing zone publish any file the pipeline can read."""
    secret = tmp_path / "secret.csv"
    secret.write_bytes(h.activities_csv(h.GOOD_ROW.format(title="TOP SECRET")))
    landing = _landing(tmp_path, {}, statements_as_workbook=False)
    os.symlink(os.path.relpath(secret, (landing / BAD_ACTIVITIES).parent), landing / BAD_ACTIVITIES)
    outcome = _ingest(landing, tmp_path / "out", caplog)

    _assert_refused(
        outcome,
        BAD_ACTIVITIES,
        r"^a link to a file outside the landing zone; links out of it are not followed$",
    )
    assert outcome.rows["activities"] == clean["activities"]
    archived = [p.read_bytes() for p in (tmp_path / "out" / "archive").rglob("*") if p.is_file()]
    assert not any(b"TOP SECRET" in data for data in archived)

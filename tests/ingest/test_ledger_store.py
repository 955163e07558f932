"""Ingestion keeps a clean ledger's lines in the ledger store, and only a clean ledger's.

The lines of a loaded ledger are one Parquet file ``<out>/ledger/<sha[:2]>/<sha>.parquet``
named by the SHA-256 of the delivered file, recorded in ``ledger_files``, whether the
ledger was judged by the columnar fast path, by the exact streamed checker (quotes, a
blank line) or whole (a small file): :func:`ledger_store.current_lines` gives back
exactly the delivered lines under their row numbers in the file. A corrected delivery
supersedes the earlier one and both files stay; the same content again writes nothing;
a blocked year stores nothing; a store that lost its files says so rather than giving
no lines. The expected lines are read from the delivered file with the ``csv`` module.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from ingest_support import T0, YEAR, Zone
from sqlalchemy import func, select

from benchmarks.ledger import write_landing
from oneitu_etl import ingest
from oneitu_etl import intake as judging
from oneitu_etl.sources.deliveries import Delivered
from oneitu_etl.warehouse import ledger_store
from oneitu_etl.warehouse import schema as s

LEDGER = f"{YEAR}/expense_ledger.csv"
STREAMED = {"stream_bytes": 0, "stream_chunk_rows": 37}
FAST = "judged and typed by DuckDB"
PERFORMANCE = f"{YEAR}/financial_performance.csv"
T1 = T0 + dt.timedelta(days=1)
T2 = T0 + dt.timedelta(days=2)


def _expected(path: Path) -> list[tuple]:
    """(row, posting_id, date, unit, code, line, cents) of every line; blank lines skipped."""
    records = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    out = []
    for number, record in enumerate(records, start=1):
        if number == 1 or not record:
            continue
        pid, date, unit, code, line, amount = record
        out.append((number, pid, date, unit, code, line, int(Decimal(amount) * 100)))
    return out


def _lines(zone: Zone) -> list[tuple]:
    """The year's current ledger lines, as the ledger store gives them, in order."""
    with zone.engine.connect() as conn:
        lines = ledger_store.current_lines(conn, zone.settings().ledger_store, YEAR)
    assert set(lines["_path"]) <= {LEDGER}
    return [
        (r.row_number, r.posting_id, r.posting_date.isoformat(), *r[3:7])
        for r in lines.itertuples(index=False)
    ]


def _files(zone: Zone) -> list[tuple]:
    """Every ``ledger_files`` row: (delivery_id, year, path, lines)."""
    return zone.all(s.ledger_files, "delivery_id", "year", "path", "lines")


def _stored(zone: Zone) -> dict[Path, int]:
    """Every Parquet file under the output folder (store, spool, work) -> its mtime."""
    return {p: p.stat().st_mtime_ns for p in zone.out.rglob("*.parquet")}


def _address(zone: Zone) -> tuple[str, Path]:
    """The SHA-256 of the delivered ledger and where the store must keep its lines."""
    sha = hashlib.sha256((zone.root / LEDGER).read_bytes()).hexdigest()
    return sha, zone.out / "ledger" / sha[:2] / f"{sha}.parquet"


def _columns(path: Path, tmp_path: Path) -> list[str]:
    con = ledger_store.duckdb_connection(tmp_path / "describe")
    try:
        describe = f"DESCRIBE SELECT * FROM read_parquet({ledger_store.literal(path)})"  # noqa: S608 - literal path
        rows = con.execute(describe).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _rewrite(zone: Zone, change: Callable[[list[str]], list[str]]) -> None:
    """Deliver the ledger again with its lines (header first, no line ends) changed."""
    path = zone.root / LEDGER
    lines = change(path.read_text(encoding="utf-8").splitlines())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _quote_all(lines: list[str]) -> list[str]:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(csv.reader(lines))
    return out.getvalue().splitlines()


def _with_blank_line(lines: list[str]) -> list[str]:
    return [*lines[:100], "", *lines[100:]]


def _ingest(zone: Zone, caplog: pytest.LogCaptureFixture, **changes: object) -> bool:
    """Ingest; whether the columnar fast path judged the ledger."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="oneitu_etl.intake.large"):
        result = zone.ingest(**changes)
    assert result.blocking == []
    return any(FAST in m for m in caplog.messages)


def test_a_clean_ledger_is_one_parquet_file_named_by_its_content(
    any_zone: Zone, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    write_landing(any_zone.root, 300, year=YEAR, seed=11)
    assert _ingest(any_zone, caplog, now=T0, **STREAMED)

    sha, path = _address(any_zone)
    delivery = any_zone.delivery(LEDGER)
    assert delivery["sha256"] == sha
    assert (delivery["outcome"], delivery["rows_loaded"]) == ("loaded", 300)
    assert _files(any_zone) == [(delivery["id"], YEAR, f"{sha[:2]}/{sha}.parquet", 300)]
    assert list(_stored(any_zone)) == [path]
    assert _lines(any_zone) == _expected(any_zone.root / LEDGER)
    assert "row_number" not in _columns(path, tmp_path)  # every line a row: numbered by place
    assert any_zone.current(s.expense_ledger, "row_number") == []


@pytest.mark.parametrize(
    "change", [pytest.param(_quote_all, id="quoted"), pytest.param(_with_blank_line, id="blank")]
)
def test_a_ledger_the_fast_path_declines_is_stored_the_exact_way(
    zone: Zone,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    change: Callable[[list[str]], list[str]],
) -> None:
    write_landing(zone.root, 300, year=YEAR, seed=12)
    _rewrite(zone, change)
    assert not _ingest(zone, caplog, **STREAMED)

    sha, path = _address(zone)
    expected = _expected(zone.root / LEDGER)
    assert len(expected) == 300
    assert _lines(zone) == expected
    assert _files(zone) == [(zone.delivery(LEDGER)["id"], YEAR, f"{sha[:2]}/{sha}.parquet", 300)]
    numbers = [line[0] for line in expected]
    blank = change is _with_blank_line
    assert numbers == (
        [*range(2, 101), *range(102, 303)] if blank else list(range(2, 302))
    )  # the blank line is row 101: the rows after it keep their numbers in the file
    assert ("row_number" in _columns(path, tmp_path)) is blank


def test_a_small_ledger_judged_whole_is_in_the_store_too(zone: Zone) -> None:
    write_landing(zone.root, 200, year=YEAR, seed=13)
    assert (zone.root / LEDGER).stat().st_size < zone.settings().stream_bytes
    assert zone.ingest().blocking == []

    sha, path = _address(zone)
    assert list(_stored(zone)) == [path]
    assert _files(zone) == [(zone.delivery(LEDGER)["id"], YEAR, f"{sha[:2]}/{sha}.parquet", 200)]
    assert _lines(zone) == _expected(zone.root / LEDGER)
    with zone.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.expense_ledger)).scalar() == 0


def test_a_corrected_ledger_supersedes_and_both_files_stay(
    any_zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    write_landing(any_zone.root, 250, year=YEAR, seed=14)
    _ingest(any_zone, caplog, now=T0, **STREAMED)
    _, first = _address(any_zone)
    earlier = any_zone.delivery(LEDGER)["id"]
    # ids corrected on ten lines: the sums, hence the statements, still agree
    _rewrite(any_zone, lambda ls: [ls[0], *(x.replace("JE", "JX", 1) for x in ls[1:11]), *ls[11:]])
    _, second = _address(any_zone)
    assert first != second

    assert _ingest(any_zone, caplog, now=T1, **STREAMED)

    assert set(_stored(any_zone)) == {first, second}
    assert _lines(any_zone) == _expected(any_zone.root / LEDGER)
    assert [line[1][:2] for line in _lines(any_zone)[:12]] == ["JX"] * 10 + ["JE"] * 2
    later = any_zone.delivery(LEDGER)["id"]
    assert any_zone.delivery(LEDGER, current=False)["id"] == later != earlier
    store = any_zone.out / "ledger"
    assert _files(any_zone) == [
        (earlier, YEAR, first.relative_to(store).as_posix(), 250),
        (later, YEAR, second.relative_to(store).as_posix(), 250),
    ]  # the superseded delivery keeps its lines, as its rows would be kept
    before, files = _stored(any_zone), _files(any_zone)

    again = any_zone.ingest(now=T2, **STREAMED)

    assert not again.changed
    assert _stored(any_zone) == before  # not even rewritten with its equal
    assert _files(any_zone) == files
    assert _lines(any_zone) == _expected(any_zone.root / LEDGER)


@pytest.mark.parametrize(
    ("blocker", "changes"),
    [
        pytest.param(LEDGER, {}, id="ledger-whole"),
        pytest.param(LEDGER, STREAMED, id="ledger-streamed"),
        pytest.param(PERFORMANCE, STREAMED, id="statement-with-a-clean-fast-ledger"),
    ],
)
def test_a_blocked_year_stores_no_lines(
    zone: Zone, caplog: pytest.LogCaptureFixture, blocker: str, changes: dict
) -> None:
    write_landing(zone.root, 200, year=YEAR, seed=15)
    if blocker == LEDGER:  # an unknown line code on row 51
        _rewrite(zone, lambda ls: [*ls[:50], ls[50].replace(",EXP_", ",EXP_NOPE_", 1), *ls[51:]])
    else:  # an amount that is not a number on row 2 of the statement
        path = zone.root / PERFORMANCE
        path.write_text(re.sub(r",[-0-9.]+\n", ",abc\n", path.read_text(), count=1))

    with caplog.at_level(logging.INFO, logger="oneitu_etl.intake.large"):
        result = zone.ingest(**changes)

    rule = "allowed_codes" if blocker == LEDGER else "amount_format"
    assert [(i.file, i.row, i.rule) for i in result.blocking] == [
        (blocker, 51 if blocker == LEDGER else 2, rule)
    ]
    assert any(FAST in m for m in caplog.messages) is bool(changes)  # a plain ledger, bad or not
    assert zone.delivery(LEDGER)["outcome"] == "rejected"
    assert _stored(zone) == {}  # nothing in the store, the spool or its work folder
    assert _files(zone) == []
    assert _lines(zone) == []


def test_a_date_in_year_zero_blocks_the_year(zone: Zone) -> None:
    write_landing(zone.root, 100, year=YEAR, seed=17)
    _rewrite(zone, lambda ls: [*ls[:50], ls[50].replace(f",{YEAR}-", ",0000-", 1), *ls[51:]])

    result = zone.ingest()

    assert [(i.file, i.row, i.column) for i in result.blocking] == [(LEDGER, 51, "posting_date")]
    assert _stored(zone) == {}
    assert _files(zone) == []


def test_a_lost_store_is_an_error_naming_the_file_and_the_setting(any_zone: Zone) -> None:
    write_landing(any_zone.root, 100, year=YEAR, seed=16)
    assert any_zone.ingest(**STREAMED).blocking == []
    _, path = _address(any_zone)
    store = any_zone.settings().ledger_store
    shutil.rmtree(store)

    with any_zone.engine.connect() as conn, pytest.raises(ledger_store.LedgerStoreError) as err:
        ledger_store.current_lines(conn, store, YEAR)

    assert str(path) in str(err.value)
    assert "ONEITU_LEDGER_STORE" in str(err.value)


def _count_spool_judgements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ledgers judged from their spool (not by the early pass), as they are judged."""
    judged: list[str] = []
    original = judging._judge_columnar

    def counting(item: Delivered, *args: object) -> object:
        if item.columnar is None:  # else: the early pass's verdict, handed over
            judged.append(item.path)
        return original(item, *args)

    monkeypatch.setattr(judging, "_judge_columnar", counting)
    return judged


def test_a_local_ledger_is_judged_while_it_is_read(
    zone: Zone, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The early pass reads the landing zone's file while it is hashed and spooled; its
    verdict stands (no second judgement of the spool) when the file did not change."""
    write_landing(zone.root, 300, year=YEAR, seed=18)
    judged = _count_spool_judgements(monkeypatch)

    assert _ingest(zone, caplog, **STREAMED)

    assert judged == []
    assert _lines(zone) == _expected(zone.root / LEDGER)
    assert [p.parent.name for p in _stored(zone)] == [_address(zone)[0][:2]]  # no early copy


def test_a_ledger_changed_while_it_is_read_is_judged_on_the_bytes_hashed(
    zone: Zone, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finance saves the file again while the run reads it: the early verdict is dropped,
    and what is judged, archived and stored is what was hashed, not the new file."""
    write_landing(zone.root, 300, year=YEAR, seed=19)
    ledger = zone.root / LEDGER
    delivered = ledger.read_bytes()
    judged = _count_spool_judgements(monkeypatch)
    read_delivery = ingest.read_delivery

    def read_then_change(landing: object, path: str, *args: object) -> Delivered:
        item = read_delivery(landing, path, *args)
        if path == LEDGER:  # a line fewer: the early pass may have seen either version
            ledger.write_bytes(delivered.rsplit(b"\n", 2)[0] + b"\n")
        return item

    monkeypatch.setattr(ingest, "read_delivery", read_then_change)

    assert _ingest(zone, caplog, **STREAMED)

    assert judged == [LEDGER]  # the spool, judged afterwards
    assert zone.delivery(LEDGER)["sha256"] == hashlib.sha256(delivered).hexdigest()
    ledger.write_bytes(delivered)
    assert _lines(zone) == _expected(ledger)  # all 300 lines of the bytes hashed
    assert len(_stored(zone)) == 1

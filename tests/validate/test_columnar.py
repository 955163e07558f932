"""A ledger on disk is judged by DuckDB's own CSV reader, with the whole-file verdicts.

:func:`oneitu_etl.intake.large.check_large`, given the file on disk, reads a plain
file (ASCII UTF-8, no quote, each line a row, the contract's header) with DuckDB's CSV
reader and any other through the chunk reader. On every file of ``test_stream.py`` and
on awkward ones added here, its issues, failing rows per rule, row count, L1/L2 sums and
postings are those of :func:`oneitu_etl.validate.rows.check_table` on the whole file,
and a clean file's lines read back from its Parquet file are the rows the whole-file
checker loads. The straight way is taken where it should be (a plain file), never on
one that needs the ``csv`` module (quotes, padding, a BOM, non-ASCII bytes), and a
table with an error leaves no Parquet file behind.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest
from validate.test_stream import CASES, GOOD, HEADER, _csv, whole

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.intake.large import STRAIGHT, LargeTable, check_large
from oneitu_etl.issues import DeliveryRejected
from oneitu_etl.reference import load_reference
from oneitu_etl.sources.chunks import scan_bytes
from oneitu_etl.validate.rows import Context
from oneitu_etl.warehouse import ledger_store

SPEC = TABLES[Kind.LEDGER]
FILE = "2024/expense_ledger.csv"
KEYS = ("org_unit", "strategic_code", "line_code")
STORED = ("posting_id", "posting_date", "org_unit", "strategic_code", "line_code", "amount_cents")
ROW = "P-6,2024-05-05,GS,EN-HRI,EXP_STAFF,{}"


def _many(count: int) -> list[str]:
    """``count`` clean lines, distinct ids, the codes of ``GOOD`` in turn."""
    return [f"Q-{i:06d}," + GOOD[i % len(GOOD)].split(",", 1)[1] for i in range(count)]


def _reordered(line: str) -> str:
    return ",".join(reversed(line.split(",")))


EXTRA = [
    pytest.param(_csv(HEADER, *_many(3000)), id="clean-many"),
    pytest.param(_csv(HEADER, *GOOD)[:-1], id="no-final-newline"),
    pytest.param(_csv(HEADER, *GOOD, end="\r\n")[:-2], id="crlf-no-final-newline"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("+5")), id="plus-amount"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("-999999999999.99")), id="largest-amount"),
    pytest.param(_csv(HEADER, *GOOD, '"P-6",2024-05-05,GS,EN-HRI,EXP_STAFF,1'), id="quoted-field"),
    pytest.param(_csv(HEADER, *GOOD, "P-6\t,2024-05-05,GS,EN-HRI,EXP_STAFF,1"), id="tab-padded"),
    pytest.param(_csv(HEADER, *GOOD, "\x0bP-6,2024-05-05,GS,EN-HRI,EXP_STAFF,1"), id="vt-padded"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("1\t")), id="tab-padded-amount"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,GS ,EN-HRI,EXP_STAFF,1"), id="padded-code"),
    pytest.param(_csv(HEADER, *GOOD, "P 6,2024-05-05,GS,EN-HRI,EXP_STAFF,1"), id="inner-space"),
    pytest.param(_csv(HEADER, *GOOD, ""), id="trailing-blank-line"),
    pytest.param(_csv(HEADER, *GOOD[:2], "", *GOOD[2:]), id="blank-line-inside"),
    pytest.param(_csv(HEADER, *GOOD) + b"   ", id="spaces-after-last-line"),
    pytest.param(
        _csv(HEADER, *GOOD[:3], end="\r\n") + _csv(*GOOD[3:]), id="mixed-line-ends"
    ),
    pytest.param(_csv(HEADER, *GOOD, "P-\u00e9,2024-05-05,GS,EN-HRI,EXP_STAFF,1"), id="non-ascii-id"),
    pytest.param(
        _csv(HEADER, *GOOD, "P-\xe9,2024-05-05,GS,EN-HRI,EXP_STAFF,1").decode().encode("cp1252"),
        id="windows-1252-byte",
    ),
    pytest.param(_csv(_reordered(HEADER), *map(_reordered, GOOD)), id="reordered-header"),
    pytest.param(_csv(" " + HEADER.replace(",", " , "), *GOOD), id="padded-header"),
    pytest.param(_csv(HEADER.upper(), *GOOD), id="upper-case-header"),
    pytest.param(_csv(HEADER + ",", *(g + "," for g in GOOD)), id="empty-extra-column"),
    pytest.param(_csv(HEADER + ",note", *GOOD), id="extra-column-header-only"),
    pytest.param(
        _csv(HEADER.rsplit(",", 1)[0], *(g.rsplit(",", 1)[0] for g in GOOD)), id="missing-column"
    ),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,GS,EN-HRI,EXP_STAFF"), id="short-row"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("1,extra")), id="long-row"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("1,5")), id="decimal-comma"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("1.005")), id="three-decimals"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("1234567890123")), id="thirteen-digits"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("1.")), id="trailing-point"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format(".5")), id="leading-point"),
    pytest.param(_csv(HEADER, *GOOD, ROW.format("")), id="empty-amount"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,,GS,EN-HRI,EXP_STAFF,1"), id="empty-date"),
    pytest.param(_csv(HEADER, *GOOD, ",2024-05-05,GS,EN-HRI,EXP_STAFF,1"), id="empty-id"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,,EN-HRI,EXP_STAFF,1"), id="empty-unit"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-02-30,GS,EN-HRI,EXP_STAFF,1"), id="2024-02-30"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-13-01,GS,EN-HRI,EXP_STAFF,1"), id="month-13"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,0000-01-01,GS,EN-HRI,EXP_STAFF,1"), id="year-zero"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2023-12-31,GS,EN-HRI,EXP_STAFF,1"), id="date-before"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2025-01-01,GS,EN-HRI,EXP_STAFF,1"), id="date-after"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,XX,EN-HRI,EXP_STAFF,1"), id="unknown-unit"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,gs,EN-HRI,EXP_STAFF,1"), id="unit-case"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,GS,EN-HRI,REV_OTHER,1"), id="income-line"),
    pytest.param(_csv(HEADER, *GOOD, "P-6,2024-05-05,GS,EN-HRI,EXP_NOPE,1"), id="unknown-line"),
    pytest.param(_csv(HEADER, *_many(2000), "Q-000001,2024-06-06,GS,EN-HRI,EXP_STAFF,1"), id="dup-2000-apart"),
    pytest.param(_csv(HEADER, *_many(50), "q-000001,2024-06-06,GS,EN-HRI,EXP_STAFF,1"), id="id-case-differs"),
    pytest.param(b"", id="empty-file"),
    pytest.param(HEADER.encode(), id="header-only-no-newline"),
    pytest.param(b"\xef\xbb\xbf" + _csv(HEADER), id="header-only-bom"),
]  # fmt: skip

#: Plain files, clean or padded: DuckDB's CSV reader must read them itself.
FAST = {"tab-padded", "vt-padded", "tab-padded-amount", "padded-code", "spaces-around-cells"}
FAST |= {"clean", "crlf", "clean-many", "no-final-newline", "crlf-no-final-newline"}
FAST |= {"plus-amount", "largest-amount", "inner-space", "id-case-differs"}
#: Files the ``csv`` module must read (quotes, padding, a BOM, bytes beyond ASCII), even clean.
HARD = {"bom", "quoted", "quoted-field", "non-ascii-id", "windows-1252-byte"}
HARD |= {"unicode-digits-and-spaces", "header-only-bom", "multi-line-record"}

ALL = CASES + EXTRA


def _columnar(data: bytes, tmp_path: Path) -> tuple[LargeTable | None, Path]:
    """The judgement of ``data`` written to a file (``None``: rejected), and its work folder."""
    source = tmp_path / "expense_ledger.csv"
    source.write_bytes(data)
    work = tmp_path / "work"
    work.mkdir()
    try:
        table = check_large(
            lambda: source.open("rb"),
            FILE,
            SPEC,
            Context(load_reference(), 2024),
            scan_bytes(data),
            source=source,
            work_dir=work,
        )
    except DeliveryRejected:
        table = None
    return table, work


def _stored_lines(parquet: Path, tmp_path: Path) -> dict[int, dict]:
    """Row number -> stored values of the lines of a store file, dates in ISO."""
    con = ledger_store.duckdb_connection(tmp_path / "read")
    try:
        frame = con.execute(ledger_store.lines_sql(con, parquet)).df()
    finally:
        con.close()
    lines = {}
    for row in frame.astype(object).to_dict("records"):
        values = {c: row[c] for c in STORED}
        values["posting_date"] = values["posting_date"].date().isoformat()
        values["amount_cents"] = int(values["amount_cents"])
        lines[int(row["row_number"])] = values
    return lines


def _postings(loaded: dict[int, dict]) -> dict[tuple, int]:
    return dict(Counter(tuple(r[k] for k in KEYS) for r in loaded.values()))


@pytest.mark.parametrize("data", ALL)
def test_a_straight_verdict_is_the_whole_file_verdict(
    data: bytes, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    case = request.node.callspec.id
    with caplog.at_level(logging.INFO, logger="oneitu_etl.intake.large"):
        table, work = _columnar(data, tmp_path)
    verdict, loaded = whole(data)
    straight = any(STRAIGHT in m for m in caplog.messages)

    if case in HARD:
        assert not straight, "DuckDB's CSV reader read a file for the csv module"
    if case in FAST:
        assert straight, "a plain clean file no longer takes DuckDB's reader"
    if verdict[0] == "rejected":
        assert table is None
        return
    assert table is not None
    issues, results, bad_rows, rows = verdict[1]
    assert table.issues == issues
    assert table.bad_rows == bad_rows
    assert dict(sorted(table.results.items())) == results
    assert set(table.rules) == set(results)
    assert table.rows == table.row_count == rows
    assert verdict[3] == table.raw.encoding
    if bad_rows or not rows:
        assert list(work.rglob("*.parquet")) == []
        return
    frame = table.frame.set_index(list(KEYS))
    assert frame["amount_cents"].to_dict() == verdict[2]
    assert frame["postings"].to_dict() == _postings(loaded)
    assert table.parquet is not None and table.parquet.parent == work
    assert _stored_lines(table.parquet, tmp_path) == {
        row: {c: values[c] for c in STORED} for row, values in loaded.items()
    }


def test_the_expected_cases_are_all_there() -> None:
    ids = {p.id for p in ALL}
    assert len(ids) == len(ALL)
    assert FAST <= ids and HARD <= ids
    assert not FAST & HARD


#: More lines than DuckDB's CSV buffer holds (32 MB): read in parts, by several threads.
BIG = 800_000


@pytest.fixture(scope="module")
def big() -> bytes:
    return _csv(HEADER, *_many(BIG))


def test_a_ledger_beyond_one_csv_buffer_keeps_every_line_in_its_place(
    big: bytes, tmp_path: Path
) -> None:
    table, _ = _columnar(big, tmp_path)

    assert table is not None and table.rows == BIG
    con = ledger_store.duckdb_connection(tmp_path / "read")
    try:
        lines, misplaced = con.execute(
            "SELECT count(*), count(*) FILTER "  # noqa: S608 - a literal path
            "(row_number <> CAST(substr(posting_id, 3) AS BIGINT) + 2) "
            f"FROM ({ledger_store.lines_sql(con, table.parquet)})"
        ).fetchone()
    finally:
        con.close()
    assert (lines, misplaced) == (BIG, 0)  # Q-<n> is the n-th line, row n + 2
    (_, _, sums, _), _ = whole(_csv(HEADER, *GOOD))
    share = BIG // len(GOOD)
    frame = table.frame.set_index(list(KEYS))
    assert frame["amount_cents"].to_dict() == {k: v * share for k, v in sums.items()}
    assert frame["postings"].to_dict() == dict.fromkeys(sums, share)


@pytest.mark.parametrize(
    "last",
    [
        pytest.param("Q-000000,2024-06-06,GS,EN-HRI,EXP_STAFF,1", id="first-id-again"),
        pytest.param("Q-999999,2025-01-01,GS,EN-HRI,EXP_STAFF,1", id="date-out-of-year"),
    ],
)
def test_an_error_on_the_last_line_of_a_large_ledger_is_seen(
    big: bytes, last: str, tmp_path: Path
) -> None:
    table, work = _columnar(big + _csv(last), tmp_path)

    assert table is not None
    assert [(i.row, i.rule) for i in table.issues] == [
        (BIG + 2, "unique" if "Q-000000" in last else "date_in_year")
    ]
    assert list(work.rglob("*.parquet")) == []

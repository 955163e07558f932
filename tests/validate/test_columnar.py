"""The columnar judge of a ledger only ever says "clean" when the whole-file checker does.

:func:`oneitu_etl.validate.columnar.judge_columnar` judges a ledger in DuckDB and writes
its typed lines to Parquet, or answers ``None`` and leaves the file to the exact row
checker. On every file of ``test_stream.py`` and on awkward ones added here, when it
answers a table, :func:`oneitu_etl.validate.rows.check_table` finds no issue at all in
the file, and the table's row count, L1/L2 sums and postings, rule results and the
lines read back from its Parquet file are those of the whole-file checker. The fast
path is still taken where it should be (a plain, clean file), never on a file with an
error or one that needs the exact reader (quotes, padding, a BOM, non-ASCII bytes), and
it leaves no Parquet file behind when it declines.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from validate.test_stream import CASES, GOOD, HEADER, _csv, whole

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.reference import load_reference
from oneitu_etl.sources.chunks import scan_bytes
from oneitu_etl.validate.columnar import judge_columnar
from oneitu_etl.validate.rows import Context
from oneitu_etl.validate.stream import StreamedTable
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

#: Plain, clean files: the columnar judge must answer them itself.
FAST = {"clean", "crlf", "clean-many", "no-final-newline", "crlf-no-final-newline"}
FAST |= {"plus-amount", "largest-amount", "inner-space", "id-case-differs"}
#: Files the exact reader must read (quotes, padding, a BOM, bytes beyond ASCII), even clean.
HARD = {"bom", "quoted", "quoted-field", "tab-padded", "vt-padded", "tab-padded-amount"}
HARD |= {"padded-code", "spaces-around-cells", "non-ascii-id", "windows-1252-byte"}
HARD |= {"unicode-digits-and-spaces", "header-only-bom", "multi-line-record"}

ALL = CASES + EXTRA


def _columnar(data: bytes, tmp_path: Path) -> tuple[StreamedTable | None, Path]:
    """The columnar judgement of ``data`` written to a file, and its work folder."""
    source = tmp_path / "expense_ledger.csv"
    source.write_bytes(data)
    work = tmp_path / "work"
    work.mkdir()
    table = judge_columnar(
        source,
        lambda: source.open("rb"),
        FILE,
        SPEC,
        Context(load_reference(), 2024),
        scan_bytes(data),
        work,
    )
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
def test_a_columnar_verdict_is_the_whole_file_verdict(
    data: bytes, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    case = request.node.callspec.id
    table, work = _columnar(data, tmp_path)
    verdict, loaded = whole(data)
    flawed = verdict[0] == "rejected" or bool(verdict[1][0])

    if flawed or case in HARD:
        assert table is None, "declined: an error, or a file for the exact reader"
    if table is None:
        assert case not in FAST, "a plain clean file no longer takes the columnar way"
        assert list(work.rglob("*.parquet")) == []
        return
    issues, results, bad_rows, rows = verdict[1]
    assert issues == table.issues == []
    assert bad_rows == table.bad_rows == set()
    assert verdict[3] == table.raw.encoding == "utf-8"
    assert table.rows == table.row_count == rows == len(loaded)
    assert dict(sorted(table.results.items())) == results
    assert set(table.rules) == set(results)
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

    assert table is None
    assert list(work.rglob("*.parquet")) == []

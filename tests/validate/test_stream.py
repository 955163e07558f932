"""A large file fed to DuckDB by the chunk reader reaches the whole-file verdicts.

:func:`oneitu_etl.intake.large.check_large` judges Finance's ledger inside DuckDB
(memory stays flat on millions of lines), here fed slice by slice by the chunk reader;
:func:`oneitu_etl.validate.rows.check_table` judges a file held whole. On every file
here, for every slice size, both give the same issues in the same order, the same
failing rows per rule, the same sums and, when the file is clean, the same rows to load.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.intake.large import check_large
from oneitu_etl.issues import DeliveryRejected
from oneitu_etl.reference import load_reference
from oneitu_etl.sources.chunks import CsvScan, scan_bytes
from oneitu_etl.sources.files import read_csv_table
from oneitu_etl.validate.rows import Context, check_table
from oneitu_etl.warehouse import ledger_store

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
SPEC = TABLES[Kind.LEDGER]
FILE = "2024/expense_ledger.csv"
HEADER = "posting_id,posting_date,org_unit,strategic_code,line_code,amount_chf"
GOOD = [
    "P-1,2024-01-31,GS,EN-HRI,EXP_STAFF,150000.00",
    "P-2,2024-02-15,GS,EN-HRI,EXP_PREMISES,50000.5",
    "P-3,2024-03-01,BR,TP-RAD,EXP_STAFF,-5000",
    "P-4,2024-12-31,TSB,TP-STD,EXP_TRAVEL,+20.10",
    "P-5,2024-01-01,BDT,TP-INC,EXP_OTHER,0.01",
]


def _csv(*lines: str, end: str = "\n") -> bytes:
    return end.join(lines).encode() + end.encode()


def whole(data: bytes) -> tuple:
    try:
        raw = read_csv_table(data, FILE, SPEC)
    except DeliveryRejected as exc:
        return ("rejected", exc.issues), None
    table = check_table(raw, SPEC, Context(load_reference(), 2024))
    frame = table.frame
    sums = (
        frame.groupby(["org_unit", "strategic_code", "line_code"])["amount_cents"]
        .sum()
        .astype("int64")
        .to_dict()
    )
    verdict = (table.issues, dict(sorted(table.results.items())), table.bad_rows, len(raw.frame))
    loaded = None
    if not table.bad_rows:
        good = table.good.copy()
        good["posting_date"] = good["posting_date"].map(lambda d: d.isoformat())
        loaded = good.astype(object).to_dict("index")
    return ("judged", verdict, sums, raw.encoding), loaded


def streamed(data: bytes, chunk_rows: int) -> tuple:
    scan = CsvScan()
    for start in range(0, len(data), 7):  # blocks split anywhere, even inside a character
        scan.feed(data[start : start + 7])
    scan.finish()
    with tempfile.TemporaryDirectory() as work:
        try:
            table = check_large(
                lambda: io.BytesIO(data),
                FILE,
                SPEC,
                Context(load_reference(), 2024),
                scan,
                work_dir=Path(work),
                chunk_rows=chunk_rows,
            )
        except DeliveryRejected as exc:
            return ("rejected", exc.issues), None
        assert table is not None
        sums = (
            table.frame.set_index(["org_unit", "strategic_code", "line_code"])["amount_cents"]
            .astype("int64")
            .to_dict()
            if len(table.frame)
            else {}
        )
        verdict = (table.issues, dict(sorted(table.results.items())), table.bad_rows, table.rows)
        loaded = None
        if not table.bad_rows:
            loaded = _stored(table.parquet, Path(work)) if table.parquet else {}
    return ("judged", verdict, sums, table.raw.encoding), loaded


def _stored(parquet: Path, work: Path) -> dict[int, dict]:
    """Row number -> the typed values of a stored line, dates in ISO, as the store has them."""
    con = ledger_store.duckdb_connection(work / "read")
    try:
        frame = con.execute(ledger_store.lines_sql(con, parquet)).df()
    finally:
        con.close()
    frame["posting_date"] = frame["posting_date"].map(lambda d: d.date().isoformat())
    frame = frame.set_index(frame.pop("row_number").astype("int64").rename("row"))
    return frame.astype(object).to_dict("index")


CASES = [
    pytest.param(_csv(HEADER, *GOOD), id="clean"),
    pytest.param(_csv(HEADER, *GOOD, end="\r\n"), id="crlf"),
    pytest.param(b"\xef\xbb\xbf" + _csv(HEADER, *GOOD), id="bom"),
    pytest.param(
        _csv(HEADER, *GOOD, "P-6,2024-05-05,RO-EUR,EN-REG,EXP_OTHER,1.00 ").replace(
            b"RO-EUR", b" RO-EUR"
        ),
        id="spaces-around-cells",
    ),
    pytest.param(_csv(HEADER, GOOD[0], "", " , ,,", GOOD[1], "", ""), id="blank-rows"),
    pytest.param(_csv(HEADER, *GOOD, "P-1,2024-04-04,GS,EN-HRI,EXP_STAFF,1"), id="dup-far"),
    pytest.param(
        _csv(
            HEADER,
            *GOOD,
            "P-2,2024-04-04,GS,EN-HRI,EXP_STAFF,1",
            "P-2,2024-04-05,GS,EN-HRI,EXP_STAFF,1",
        ),
        id="dup-twice",
    ),
    pytest.param(_csv(HEADER, GOOD[0], GOOD[0], GOOD[0]), id="dup-adjacent"),
    pytest.param(
        _csv(
            HEADER,
            "P-1,2025-01-01,GS,EN-HRI,EXP_STAFF,1",
            "P-2,2024-02-30,GS,EN-HRI,EXP_STAFF,1",
            "P-3,45292,GS,EN-HRI,EXP_STAFF,1",
            "P-4,2024-1-5,XX,G1,REV_OTHER,1.234",
            ",2024-01-05,GS,EN-HRI,EXP_STAFF,abc",
            "P-6,,GS,TP-XYZ,EXP_STAFF,",
            "P-7,2024-03-03,GS,D.1,EXP_STAFF,1e3",
        ),
        id="bad-cells",
    ),
    pytest.param(
        _csv(
            HEADER,
            *GOOD,
            "P-7,2024-03-03,GS,EN-HRI,EXP_STAFF,\u0661\u0662.50",
            "\u00a0P-8,\u0662024-03-03,GS,EN-HRI,EXP_STAFF,1",
            "P-9\u2003,2024-03-03,GS,EN-HRI,EXP_STAFF,1",
        ),
        id="unicode-digits-and-spaces",
    ),
    pytest.param(
        _csv(HEADER, *GOOD, "P-8,2024-03-03,GS,EN-HRI,EXP_STAFF,-9007199254740993.07"),
        id="amount-beyond-float-precision",
    ),
    pytest.param(
        _csv(HEADER, *GOOD, '"P-9","2024-06-06","GS","EN-HRI","EXP_STAFF","1,234.50"'),
        id="quoted",
    ),
    pytest.param(
        _csv(HEADER, GOOD[0], '"P-9\nwith a line break",2024-06-06,GS,EN-HRI,EXP_STAFF,2', GOOD[1]),
        id="multi-line-record",
    ),
    pytest.param(_csv(HEADER, GOOD[0] + ",extra,cells", "P-2,2024-02-02,GS", GOOD[2]), id="ragged"),
    pytest.param(_csv(HEADER + ",comment", *(g + ",note" for g in GOOD)), id="extra-column"),
    pytest.param(
        _csv(
            "amount_chf,line_code,strategic_code,org_unit,posting_date,posting_id",
            "1,EXP_STAFF,EN-HRI,GS,2024-01-01,P-1",
        ),
        id="columns-reordered",
    ),
    pytest.param(_csv(HEADER), id="header-only"),
    pytest.param(_csv(HEADER, "", ""), id="header-and-blank-rows"),
    pytest.param(
        _csv("posting_id,posting_date,org_unit", "P-1,2024-01-01,GS"), id="missing-columns"
    ),
    pytest.param(_csv("", HEADER, *GOOD), id="first-row-empty"),
    pytest.param(_csv(HEADER.replace(",", ";"), "a;b"), id="semicolons"),
    pytest.param(b"  \n\n ", id="empty"),
    pytest.param(b"PK\x03\x04rest", id="workbook-named-csv"),
    pytest.param("posting_id\n".encode("utf-16"), id="utf16"),
    pytest.param(_csv(HEADER, GOOD[0]) + b"\x00", id="nul"),
    pytest.param(b"\xef\xbb\xbf" + _csv(HEADER, GOOD[0]) + b"\xff", id="bad-utf8-after-bom"),
    pytest.param(
        _csv(HEADER, "P-\xe9,2024-01-01,GS,EN-HRI,EXP_STAFF,1").decode().encode("cp1252"),
        id="windows-1252",
    ),
    pytest.param(_csv(HEADER, GOOD[0]) + b"\x81", id="undefined-1252-byte"),
    pytest.param(_csv(HEADER, *GOOD, end="\r"), id="lone-carriage-returns"),
    pytest.param(
        _csv(HEADER, GOOD[0], "P-2,2024-01-01,GS,EN-HRI,EXP_STAFF," + "9" * 140_000),
        id="field-over-the-csv-limit",
    ),
    # what spreadsheets and people leave (contract section 2, v2)
    pytest.param(
        _csv(HEADER, *GOOD, "P-9,2024-01-01,GS,EN-HRI,EXP_STAFF,1,234.00"),
        id="row-split-by-a-comma",
    ),
    pytest.param(
        _csv(HEADER, "P-9,2024-01-01,GS,EN-HRI,EXP_STAFF,1,234.00", *GOOD),
        id="first-row-split-by-a-comma",
    ),
    pytest.param(_csv(HEADER + ",,", *(g + ",," for g in GOOD)), id="trailing-empty-columns"),
    pytest.param(_csv(HEADER, *(g + ", ," for g in GOOD)), id="empty-cells-beyond-the-header"),
    pytest.param(
        _csv(HEADER.replace(",org_unit", ",,org_unit"), "P-1,2024-01-31,x,GS,EN-HRI,EXP_STAFF,1"),
        id="value-under-an-empty-header-cell",
    ),
    pytest.param(
        _csv(HEADER.replace(",org_unit", ",,org_unit"), "P-1,2024-01-31,,GS,EN-HRI,EXP_STAFF,1"),
        id="empty-spacer-column",
    ),
    pytest.param(
        _csv(HEADER, GOOD[0], "P-2" + "x" * 40_000 + ",2024-01-01,GS,EN-HRI,EXP_STAFF,1"),
        id="over-long-cell",
    ),
]


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 1000])
@pytest.mark.parametrize("data", CASES)
def test_streamed_and_whole_file_verdicts_are_the_same(data: bytes, chunk_rows: int) -> None:
    assert streamed(data, chunk_rows) == whole(data)


@pytest.mark.parametrize("case", ["ledger_bad_rows", "ledger_not_aggregating"])
@pytest.mark.parametrize("chunk_rows", [1, 4, 1000])
def test_the_corpus_ledgers(case: str, chunk_rows: int) -> None:
    data = (BAD / case / "2024" / "expense_ledger.csv").read_bytes()
    assert streamed(data, chunk_rows) == whole(data)


def test_a_duplicate_names_its_first_occurrence_in_an_earlier_slice() -> None:
    data = _csv(
        HEADER,
        *GOOD,
        "P-3,2024-04-04,GS,EN-HRI,EXP_STAFF,1",
        "P-3,2024-04-05,GS,EN-HRI,EXP_STAFF,1",
    )
    (_, (issues, results, bad, rows), _, _), _ = streamed(data, 2)
    assert [(i.row, i.message) for i in issues] == [
        (7, "duplicate posting_id P-3; first given at row 4"),
        (8, "duplicate posting_id P-3; first given at row 4"),
    ]
    assert results[("unique", "posting_id")] == [7, 8]
    assert bad == {7, 8}
    assert rows == 7


def test_the_scan_of_a_plain_file() -> None:
    assert scan_bytes(_csv(HEADER, *GOOD)).plain
    assert not scan_bytes(_csv(HEADER, '"a",b')).plain
    assert not scan_bytes(b"a,b\r1,2\r\n").plain
    assert scan_bytes(b"a,b\r\n1,2\r\n").plain


def test_an_unreadable_record_is_the_reason_even_with_a_bad_header() -> None:
    data = _csv('posting_id,"posting', "P-1," + "9" * 140_000)
    assert streamed(data, 10) == whole(data)
    assert whole(data)[0][1][0].message == (
        'header cell 2 runs over several lines: an unmatched double quote (") makes the rest '
        "of the file one cell; remove it"
    )


@pytest.mark.parametrize("chunk_rows", [2, 1000])
def test_keys_are_told_apart_by_their_text(chunk_rows: int) -> None:
    data = _csv(
        HEADER,
        *GOOD,
        "P-4,2024-04-04,GS,EN-HRI,EXP_STAFF,1",
        "P-1,2024-04-05,GS,EN-HRI,EXP_STAFF,1",
    )
    assert streamed(data, chunk_rows) == whole(data)
    (_, (issues, *_), _, _), _ = streamed(data, chunk_rows)
    assert [(i.row, i.message) for i in issues] == [
        (7, "duplicate posting_id P-4; first given at row 5"),
        (8, "duplicate posting_id P-1; first given at row 2"),
    ]

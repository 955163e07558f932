"""A row's cells are where the header says, or the row is in error (contract section 2, v2).

An unquoted comma (a thousands separator, a decimal comma, a comma in a text) splits a
cell in two: such a row is never cut short nor loaded shifted, by the whole-file reader
and the streamed one alike. What spreadsheets leave behind (empty columns, trailing
``,,``) never changes a figure.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_stream import FILE, HEADER, streamed, whole

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.issues import DeliveryRejected
from oneitu_etl.reference import load_reference
from oneitu_etl.sources.files import ROW_SHAPE, read_csv_table
from oneitu_etl.validate.rows import Context, check_table

UNITS = ["GS", "BR", "TSB", "BDT", "RO-AFR"]
CODES = ["EN-HRI", "TP-RAD", "TP-STD", "TP-INC"]
LINES = ["EXP_STAFF", "EXP_TRAVEL", "EXP_OTHER"]


@st.composite
def ledgers(draw: st.DrawFn) -> list[str]:
    """A valid ledger's data lines (every amount given: the last column is never empty)."""
    n = draw(st.integers(min_value=1, max_value=8))
    rows = []
    for i in range(n):
        cents = draw(st.integers(min_value=-(10**9), max_value=10**9))
        amount = f"{cents // 100 if cents >= 0 else -(-cents // 100)}.{abs(cents) % 100:02d}"
        if cents < 0 and not amount.startswith("-"):
            amount = "-" + amount
        rows.append(
            ",".join(
                [
                    f"P-{i}",
                    f"2024-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}",
                    draw(st.sampled_from(UNITS)),
                    draw(st.sampled_from(CODES)),
                    draw(st.sampled_from(LINES)),
                    amount,
                ]
            )
        )
    return rows


def _data(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=ledgers(), data=st.data())
def test_a_row_split_by_an_unquoted_comma_is_never_loaded(
    lines: list[str], data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, len(lines) - 1), label="row")
    line = lines[k]
    at = data.draw(st.integers(1, len(line) - 1), label="comma at")
    lines = [*lines[:k], line[:at] + "," + line[at:], *lines[k + 1 :]]
    row = k + 2

    (state, *verdict), loaded = whole(_data(lines))
    assert state == "judged"
    issues, _, bad, _ = verdict[0]
    assert row in bad
    assert loaded is None  # a ledger with an error is never loaded, not even in part
    shape = [i for i in issues if i.row == row and i.rule == ROW_SHAPE]
    assert len(shape) == 1 and shape[0].message.startswith(
        "the row has 7 cells but the header has 6"
    )
    assert [i for i in issues if i.row == row] == shape  # one message for the row
    for chunk_rows in (1, 3, 1000):
        assert streamed(_data(lines), chunk_rows) == whole(_data(lines))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=ledgers(),
    width=st.integers(1, 4),
    header_too=st.booleans(),
    spaces=st.booleans(),
)
def test_empty_trailing_columns_never_change_a_figure(
    lines: list[str], width: int, header_too: bool, spaces: bool
) -> None:
    empty = ("," + (" " if spaces else "")) * width
    header = HEADER + (empty if header_too else "")
    padded = ("\n".join([header, *(line + empty for line in lines)]) + "\n").encode()

    assert whole(padded) == whole(_data(lines))
    for chunk_rows in (2, 1000):
        assert streamed(padded, chunk_rows) == whole(_data(lines))


def test_a_spacer_column_with_empty_cells_is_ignored_and_one_with_values_is_named() -> None:
    spec = TABLES[Kind.LEDGER]
    header = "posting_id,posting_date,,org_unit,strategic_code,line_code,amount_chf"
    good = "P-1,2024-01-31,,GS,EN-HRI,EXP_STAFF,150000.00"
    raw = read_csv_table(f"{header}\n{good}\n".encode(), FILE, spec)
    table = check_table(raw, spec, Context(load_reference(), 2024))
    assert table.issues == [] and table.good["amount_cents"].tolist() == [15_000_000]

    with pytest.raises(DeliveryRejected) as caught:
        read_csv_table(
            f"{header}\n{good}\nP-2,2024-01-31,x,GS,EN-HRI,EXP_STAFF,1\n".encode(), FILE, spec
        )
    assert [i.line() for i in caught.value.issues] == [
        f"{FILE}:1: header cell 3 of row 1 is empty (merged or missing header?)"
    ]


def test_an_activity_cost_with_a_thousands_separator_is_quarantined_with_its_counts() -> None:
    spec = TABLES[Kind.ACTIVITIES]
    header = (
        "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
        "end_date,status,participants,women_participants,countries,cost_chf"
    )
    rows = [
        "A-1,BR,,TP-RAD,workshop,Spectrum workshop,2024-03-04,,completed,10,5,3,47,057.21",
        "A-2,BR,,TP-RAD,workshop,Another workshop,2024-03-04,,completed,10,5,3,1000.00",
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    raw = read_csv_table(data, "2024/activities/a.csv", spec)
    table = check_table(raw, spec, Context(load_reference(), 2024))
    assert [(i.row, i.column, i.message) for i in table.issues] == [
        (
            2,
            None,
            "the row has 14 cells but the header has 13: a comma inside a value (a thousands "
            "separator, a decimal comma, a comma in a text) splits it in two; remove the comma "
            "or put the value in double quotes",
        )
    ]
    assert table.good["activity_id"].tolist() == ["A-2"]
    assert table.good["cost_cents"].tolist() == [100_000]


def test_a_value_beyond_a_sheets_header_is_an_error_of_its_row() -> None:
    import io

    import openpyxl

    from oneitu_etl.sources.workbook import open_workbook, read_workbook_sheet

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "budget_comparison"
    sheet.append(["org_unit", "approved_budget_chf", "final_budget_chf", "actual_chf", None])
    sheet.append(["BR", 10, 10, 10])
    sheet.append(["GS", 20, 20, 20, None, "checked by Jane"])
    buffer = io.BytesIO()
    book.save(buffer)
    values, formulas = open_workbook(buffer.getvalue(), "2024/financial_statements.xlsx", 10**8)
    spec = TABLES[Kind.BUDGET]
    raw = read_workbook_sheet(values, formulas, "2024/financial_statements.xlsx", spec)
    assert [i.line() for i in raw.issues] == [
        '2024/financial_statements.xlsx:budget_comparison:3: cell F3 holds "checked by Jane" but '
        "its column has no name in row 1; name the column or clear the cell"
    ]
    table = check_table(raw, spec, Context(load_reference(), 2024))
    assert table.bad_rows == {3}
    assert table.good["org_unit"].tolist() == ["BR"]

"""The annex workbook: one sheet per table, numbers as numbers, every text as text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from openpyxl import load_workbook
from report_support import GENERATED_ON

from oneitu_etl.report import render_report
from oneitu_etl.report.tables import Column, Row, Table
from oneitu_etl.report.workbook import Formats, sheet_name, write_text


@pytest.fixture(scope="module")
def workbook(rendered: dict[str, Path]) -> Any:
    return load_workbook(rendered["annex_2024.xlsx"])


def rows_of(sheet: Any) -> dict[str, list[Any]]:
    """Data rows of a sheet by their first cell."""
    return {row[0].value: [c for c in row] for row in sheet.iter_rows(min_row=2) if row[0].value}


def test_one_sheet_per_table(workbook: Any) -> None:
    assert workbook.sheetnames == [
        "About",
        "1.1 Key figures",
        "2.1 Resources, goal 1",
        "3.1 Resources, goal 2",
        "4.1 Resources of the enablers",
        "5.1 Joint activities",
        "5.2 Priorities by sector",
        "5.3 Possible overlaps",
        "6.1 Financial performance",
        "6.2 Budget by unit",
        "6.3 Budget by sector",
        "6.4 Reconciliation rules",
        "6.5 Previous year",
        "6.6 All years",
        "A.1 Data quality",
        "A.2 Deliveries",
        "A.3 Rejected files",
        "A.4 Quarantined rows",
        "A.5 Unexplained indicators",
        "A.6 Warnings",
        "A.7 Validation results",
        "B.1 Indicators",
        "B.2 Expenses and outputs",
        "B.3 Expenses by goal",
        "B.4 Expenses by sector",
        "B.5 Outputs by type",
        "C.1 Indicator status",
        "Units by element",
    ]
    # every sheet name is whole words, never a title cut short
    assert all(len(name) <= 31 and not name.endswith((" the", " and", " of")) for name in
               workbook.sheetnames)  # fmt: skip


def test_budget_figures_are_the_json_numbers(workbook: Any, report: dict[str, Any]) -> None:
    sheet = workbook["6.2 Budget by unit"]
    assert [c.value for c in sheet[1]] == [
        "Unit",
        "Sector",
        "Approved budget",
        "Final budget",
        "Actual expenses",
        "Unspent (final - actual)",
        "Execution rate",
    ]
    rows = rows_of(sheet)
    for code, name in {
        "BR": "Radiocommunication Bureau",
        "RO-CIS": "Regional Office for the CIS region",
    }.items():
        figures = report["budget_execution"][code]
        approved, final, actual, rate = (c for c in rows[name][2:5] + [rows[name][6]])
        assert (approved.value, final.value, actual.value) == (
            figures["approved"],
            figures["final"],
            figures["actual"],
        )
        assert rate.value == figures["rate"]
        assert actual.data_type == "n" and actual.number_format == "#,##0.00"
        assert rate.number_format == "0.0%"
    assert rows["Total, all units"][4].value == 155576008.94


def test_reconciliation_and_indicators_as_numbers(workbook: Any) -> None:
    recon = rows_of(workbook["6.4 Reconciliation rules"])
    assert [c.value for c in recon["R1-revenue"][2:5]] == [173995546.14, 173995546.49, -0.35]
    assert recon["R1-revenue"][5].value == "Passed"
    indicators = rows_of(workbook["B.1 Indicators"])
    net_use = [c.value for c in indicators["Individuals using the Internet"]]
    assert net_use == [
        "Individuals using the Internet",
        "NET-USE",
        "G1",
        "Percent",
        67.0,
        68.25,
        68.0,
        72.0,
        2023,
        2027,
        0.2,  # way from baseline to target: (68 - 67) / (72 - 67)
        0.8,
        "At risk",
    ]


def test_hostile_texts_are_strings_never_formulas(workbook: Any, rendered: dict[str, Path]) -> None:
    indicators = workbook["B.1 Indicators"]
    hostile = [
        c for row in indicators.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")
    ]
    assert len(hostile) == 1
    assert hostile[0].data_type == "s"
    assert hostile[0].quotePrefix is True
    quarantined = rows_of(workbook["A.4 Quarantined rows"])
    value = [c for row in quarantined.values() for c in row if c.value == "=cmd|' /C calc'!A0"]
    assert value and value[0].data_type == "s"
    overlaps = workbook["5.3 Possible overlaps"]
    titles = [
        c.value for row in overlaps.iter_rows(min_row=2) for c in row if isinstance(c.value, str)
    ]
    assert "<script>alert(1)</script> Digital inclusion workshop" in titles
    with zipfile.ZipFile(rendered["annex_2024.xlsx"]) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), f"formula in {name}"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("=1+1", id="equals"),
        pytest.param("+41 22 730 51 11", id="plus"),
        pytest.param("-2", id="minus"),
        pytest.param("@SUM(A1)", id="at"),
        pytest.param("plain title", id="plain"),
    ],
)
def test_write_text_keeps_a_string(tmp_path: Path, text: str) -> None:
    path = tmp_path / "one.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    write_text(book.add_worksheet("s"), 0, 0, text, Formats(book))
    book.close()
    cell = load_workbook(path)["s"]["A1"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix is (text[0] in "=+-@")


def test_sheet_names_are_short_unique_and_legal() -> None:
    table = Table(
        "t",
        "9.9",
        "A title: with [bad] chars/and a very long tail",
        (Column("x", "label"),),
        (Row(("a",)),),
    )
    taken: set[str] = set()
    first, second = sheet_name(table, taken), sheet_name(table, taken)
    assert first == "9.9 A title with bad chars and"
    assert second == "9.9 A title with bad chars (2)"
    assert max(len(first), len(second)) <= 31


def test_workbook_is_reproducible(tmp_path: Path, report: dict[str, Any]) -> None:
    one = render_report(
        report, tmp_path / "one", generated_on=GENERATED_ON, languages=("fr",), pdf=False
    )
    two = render_report(
        report, tmp_path / "two", generated_on=GENERATED_ON, languages=("fr",), pdf=False
    )
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]
    book = load_workbook(io.BytesIO(one[-1].read_bytes()))
    assert book.sheetnames[0] == "À propos"
    assert book.properties.created == dt.datetime(2026, 11, 28)

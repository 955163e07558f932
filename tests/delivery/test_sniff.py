"""What a file is by its content, which contract table a CSV holds, where it lands."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from oneitu_etl.delivery.sniff import (
    Refused,
    activity_stem,
    detect_kind,
    file_type,
    landing_path,
)


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(_zip(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx", id="workbook"),
        pytest.param(b"org_unit,actual_chf\nBR,1\n", "csv", id="utf8-csv"),
        pytest.param("org_unit,title\nBR,Télécom\n".encode("cp1252"), "csv", id="cp1252-csv"),
        pytest.param(b"\xef\xbb\xbforg_unit\nBR\n", "csv", id="utf8-bom-csv"),
    ],
)
def test_accepted_content(data: bytes, expected: str) -> None:
    assert file_type(data) == expected


@pytest.mark.parametrize(
    ("data", "key"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b" \n\n", "empty", id="blank"),
        pytest.param(_zip(["word/document.xml"]), "not_workbook", id="docx"),
        pytest.param(b"PK\x03\x04garbage", "damaged_zip", id="truncated-zip"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old_excel", id="xls"),
        pytest.param(b"%PDF-1.4\n...", "binary", id="pdf"),
        pytest.param(b"\x7fELF\x02\x01\x01", "binary", id="elf"),
        pytest.param(b"org_unit,x\nBR,\x00\x01\n", "binary", id="nul-byte"),
        pytest.param(bytes(range(1, 32)) * 40, "binary", id="control-characters"),
        pytest.param(b"\x81\x8d\x8f\x90\x9d" * 10, "binary", id="neither-utf8-nor-1252"),
        pytest.param("a,b\n1,2\n".encode("utf-16"), "encoding", id="utf-16"),
    ],
)
def test_refused_content(data: bytes, key: str) -> None:
    with pytest.raises(Refused) as refused:
        file_type(data)
    assert refused.value.key == key


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        pytest.param(
            "line_code,line_label,line_type,amount_chf", "financial_performance", id="performance"
        ),
        pytest.param(
            "org_unit,approved_budget_chf,final_budget_chf,actual_chf",
            "budget_comparison",
            id="budget",
        ),
        pytest.param("org_unit,strategic_code,expense_chf", "expense_allocation", id="allocation"),
        pytest.param("org_unit,expense_chf", "expense_allocation", id="allocation-missing-column"),
        pytest.param(
            "posting_id,posting_date,org_unit,strategic_code,line_code,amount_chf",
            "expense_ledger",
            id="ledger",
        ),
        pytest.param(
            "activity_id,org_unit,strategic_code,output_type,title,start_date,status",
            "activities",
            id="activities-required-columns-only",
        ),
        pytest.param("Indicator_Code , Year,Value", "indicator_values", id="values-odd-case"),
        pytest.param(
            "indicator_code,strategic_code,name_en,name_fr,unit,direction,"
            "baseline_year,baseline_value,target_year,target_value",
            "indicator_definitions",
            id="definitions",
        ),
    ],
)
def test_csv_kind_from_its_header(header: str, kind: str) -> None:
    assert detect_kind(f"{header}\n".encode(), "csv") == kind


def test_workbook_kind() -> None:
    assert detect_kind(b"PK...", "xlsx") == "financial_statements"


@pytest.mark.parametrize("header", ["name,email", "a", "title"])
def test_header_of_no_contract_table_is_refused(header: str) -> None:
    with pytest.raises(Refused) as refused:
        detect_kind(f"{header}\n1\n".encode(), "csv")
    assert refused.value.key in ("unknown_table", "ambiguous_table")


def test_demo_files_are_recognised(demo_files: Path) -> None:
    kinds = {
        p.relative_to(demo_files).as_posix(): detect_kind(p.read_bytes(), file_type(p.read_bytes()))
        for p in demo_files.rglob("*")
        if p.is_file() and not p.relative_to(demo_files).as_posix().startswith("2023/")
    }
    narratives = {path for path in kinds if path.startswith("2024/narratives/")}
    assert narratives and {kinds.pop(path) for path in narratives} == {"narratives"}
    assert kinds == {
        "2024/financial_statements.xlsx": "financial_statements",
        "2024/activities/activities_D_2024.csv": "activities",
        "2024/activities/activities_R_2024.csv": "activities",
        "2024/activities/activities_SG_2024.csv": "activities",
        "2024/activities/activities_T_2024.csv": "activities",
        "2024/indicator_values.csv": "indicator_values",
        "indicator_definitions.csv": "indicator_definitions",
        # (v2) General Secretariat services
        "2024/staff.csv": "staff",
        "2024/membership.csv": "membership",
        "2024/council_document.csv": "council_document",
    }


@pytest.mark.parametrize(
    ("kind", "stem", "path"),
    [
        pytest.param("financial_statements", "", "2024/financial_statements.xlsx", id="workbook"),
        pytest.param("budget_comparison", "", "2024/budget_comparison.csv", id="csv"),
        pytest.param("expense_ledger", "", "2024/expense_ledger.csv", id="ledger"),
        pytest.param("indicator_definitions", "", "indicator_definitions.csv", id="definitions"),
        pytest.param("activities", "RO-AFR", "2024/activities/activities_RO-AFR.csv", id="unit"),
        pytest.param("activities", "../../x", "2024/activities/activities_x.csv", id="hostile"),
        pytest.param("activities", "", "2024/activities/activities_unassigned.csv", id="none"),
    ],
)
def test_landing_path(kind: str, stem: str, path: str) -> None:
    assert landing_path(kind, 2024, activity_stem=stem) == path


SECTORS = {"BR": "R", "BDT": "D", "RO-AFR": "D", "GS": "SG", "TSB": "T"}


@pytest.mark.parametrize(
    ("units", "stem"),
    [
        pytest.param(["BR", "BR"], "BR", id="one-unit"),
        pytest.param(["BDT", "RO-AFR"], "D", id="one-sector"),
        pytest.param(["GS", "TSB", "BR"], "R-SG-T", id="several-sectors"),
        pytest.param(["../etc", "XX"], "unassigned", id="unknown-units"),
    ],
)
def test_activity_stem(units: list[str], stem: str) -> None:
    rows = "".join(f"A{i},{u}\n" for i, u in enumerate(units))
    assert activity_stem(f"activity_id,org_unit\n{rows}".encode(), SECTORS) == stem

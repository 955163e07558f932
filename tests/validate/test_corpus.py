"""The bad-input corpus: each bad delivery makes ``oneitu validate`` print exactly these lines.

Every case is a folder of ``tests/fixtures/bad/`` (built by ``make_corpus.py``, committed,
so that anyone can open the files), checked the way Finance checks a delivery: all the
files of the folder given to ``oneitu validate`` at once, named relative to the folder,
so the year comes from the ``2024/`` folder. An error exits 1; warnings alone exit 0.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from oneitu_etl import cli
from oneitu_etl.demo import generate_landing

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
ONEITU = Path(sys.executable).with_name("oneitu")


def case_files(case: str) -> list[str]:
    """The files of a case, relative to its folder, in name order."""
    folder = BAD / case
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


CASES = [
    # (v2) an activity that ended before the year is quarantined; one ending on its first day is not
    pytest.param(
        "activity_ended_before_year",
        1,
        [
            "2024/activities/activities_R_2024.csv:2:end_date: end_date 2023-12-31: the activity ended before 2024; it belongs to an earlier year",
        ],
        id="activity_ended_before_year",
    ),
    # (v2) narratives: bad rows, and translations that disagree across files
    pytest.param(
        "narrative_rows",
        1,
        [
            '2024/narratives/narratives_BR.csv:4:language: "de" is not one of the six languages of the Union; expected one of ar, en, es, fr, ru, zh',
            "2024/narratives/narratives_BR.csv:5:text: the text has 4,399 characters; a narrative has at most 4,000",
            '2024/narratives/narratives_BR.csv:6:org_unit: "ITU-R" is not a known org unit; expected one of BDT, BR, GS, RO-AFR, RO-AMS, RO-ARB, RO-ASP, RO-CIS, RO-EUR, TSB',
            '2024/narratives/narratives_BR.csv:6:strategic_code: "TP-XYZ" is not a known strategic code; expected one of 40 codes',
            '2024/narratives/narratives_BR.csv:6:kind: "lesson" is not a known narrative kind; expected one of achievement, challenge, highlight, next_step, variance',
            "2024/narratives/narratives_BR.csv:7:narrative_id: duplicate narrative_id and language BR-1, en; first given at row 2",
            '2024/narratives/narratives_TSB.csv:2:kind: this translation of BR-1 has kind "challenge" but its first row (2024/narratives/narratives_BR.csv row 2) has "achievement"; the translations of a narrative share org_unit, strategic_code and kind',
            "2024/narratives/narratives_TSB.csv:3:narrative_id: duplicate narrative_id and language BR-1, fr; first given in 2024/narratives/narratives_BR.csv row 3",
        ],
        id="narrative_rows",
    ),
    # (v2) staff, membership and the Council document: bad rows are quarantined
    pytest.param(
        "staff_rows",
        1,
        [
            "2024/staff.csv:4:headcount: -3 is below the minimum of 0",
            '2024/staff.csv:5:category: "P5" is not a known staff category; expected one of D, G, P, elected',
            '2024/staff.csv:6:gender: "woman" is not a known gender; expected one of female, male, other',
            '2024/staff.csv:6:region: "F" is not a known region; expected one of A, B, C, D, E',
            "2024/staff.csv:7:region: region is missing; the region of nationality is required for category P (it may be empty for G only)",
            "2024/staff.csv:8:org_unit: duplicate org_unit and category and gender and region GS, G, male, ; first given at row 3",
        ],
        id="staff_rows",
    ),
    pytest.param(
        "membership_rows",
        1,
        [
            "2024/membership.csv:3:members: members 195 is above 194; the Union has at most 194 Member States",
            "2024/membership.csv:4:participating: participating 121 exceeds members 120",
            '2024/membership.csv:5:sector: "SG" is not a known sector (R, T or D); expected one of D, R, T',
            '2024/membership.csv:6:category: "observer" is not a known membership category; expected one of academia, associate, member_state, sector_member',
            "2024/membership.csv:7:sector: duplicate sector and category R, member_state; first given at row 2",
        ],
        id="membership_rows",
    ),
    pytest.param(
        "council_document_rows",
        1,
        [
            '2024/council_document.csv:3:value: "30/04/2025" is not a date; expected YYYY-MM-DD',
            '2024/council_document.csv:4:value: "de" is not one of the six languages; expected one of ar, en, es, fr, ru, zh',
            '2024/council_document.csv:5:field: warning: unknown field "prepared_by"; the row is ignored (fields: agenda_item, date, document, original_language, references, session)',
            "2024/council_document.csv:6:field: duplicate field document; first given at row 2",
        ],
        id="council_document_rows",
    ),
    # (v2) Finance's optional tables
    pytest.param(
        "r4_mismatch",
        1,
        [
            "2024/financial_statements.xlsx:budget_allocation: R4 failed for GS: its budget_allocation rows sum to 350,000.00 but its approved_budget_chf in budget_comparison is 360,000.00 (difference 10,000.00)",
        ],
        id="r4_mismatch",
    ),
    pytest.param(
        "budget_allocation_rows",
        1,
        [
            '2024/financial_statements.xlsx:budget_allocation:10:org_unit: "ITU-D" is not a known org unit; expected one of BDT, BR, GS, RO-AFR, RO-AMS, RO-ARB, RO-ASP, RO-CIS, RO-EUR, TSB',
            '2024/financial_statements.xlsx:budget_allocation:11:strategic_code: "G1" is a goal; allocate to one of its thematic priorities or to an enabler; expected one of EN-DNI, EN-ENV, EN-HRI, EN-MEM, EN-PIC, EN-REG, EN-RMO, TP-APP, TP-ENV, TP-INC, TP-NET, TP-RAD, TP-RES, TP-STD',
            "2024/financial_statements.xlsx:budget_allocation:12:org_unit: duplicate org_unit and strategic_code BR, TP-RAD; first given at row 4",
            "2024/financial_statements.xlsx:budget_allocation:12:final_budget_chf: -10.00 is negative; amounts must be >= 0",
        ],
        id="budget_allocation_rows",
    ),
    pytest.param(
        "budget_reconciliation_rows",
        1,
        [
            "2024/budget_reconciliation.csv:4:line_code: REV_OTHER is not an expense line; each reconciling item adjusts one expense line of the statement",
            '2024/budget_reconciliation.csv:5:kind: "rounding" is not a known reconciliation kind; expected one of basis, entity, presentation, timing',
            "2024/budget_reconciliation.csv:6:amount_chf: the amount is 0; a reconciling item has an amount other than 0",
            "2024/budget_reconciliation.csv:7:item_code: duplicate item_code DEP; first given at row 2",
            "2024/budget_reconciliation.csv:7:description: value is missing; a description is required",
        ],
        id="budget_reconciliation_rows",
    ),
    pytest.param(
        "activity_rows",
        1,
        [
            "2024/activities/activities_R_2024.csv:2:women_participants: women_participants 130 exceeds participants 120",
            "2024/activities/activities_R_2024.csv:3:end_date: end_date 2024-05-01 is before start_date 2024-06-01",
            '2024/activities/activities_R_2024.csv:4:partner_org_units: "ITU-T" in "TSB;ITU-T" is not a known org unit',
            "2024/activities/activities_R_2024.csv:4:countries: 195 is above the maximum of 194",
            '2024/activities/activities_R_2024.csv:5:output_type: "webinar" is not a known output type; expected one of conference, filing, meeting, other, project, publication, recommendation, training, workshop',
            "2024/activities/activities_R_2024.csv:5:title: value is missing; a title is required",
            "2024/activities/activities_R_2024.csv:5:start_date: start_date 2025-02-01 is after the financial year 2024",
            '2024/activities/activities_R_2024.csv:5:status: "done" is not a known activity status; expected one of cancelled, completed, ongoing, planned',
            "2024/activities/activities_R_2024.csv:5:participants: -3 is below the minimum of 0",
            "2024/activities/activities_R_2024.csv:5:cost_chf: -10.00 is negative; amounts must be >= 0",
        ],
        id="activity_rows",
    ),
    pytest.param(
        "binary_named_csv",
        1,
        [
            "2024/activities/activities_D_2024.csv: not a text CSV file: this is a PNG image; "
            "save the table as CSV",
        ],
        id="binary_named_csv",
    ),
    pytest.param(
        "decimal_comma_csv",
        1,
        [
            '2024/budget_comparison.csv:3:actual_chf: "1 234,56" is not a number; write amounts with a decimal point and no thousands separator (e.g. 1234.56)',
            '2024/budget_comparison.csv:4:approved_budget_chf: "150000,00" is not a number; write amounts with a decimal point and no thousands separator (e.g. 1234.56)',
            '2024/budget_comparison.csv:5:final_budget_chf: "1,234.56" is not a number; write amounts with a decimal point and no thousands separator (e.g. 1234.56)',
            '2024/budget_comparison.csv:6:actual_chf: "1\'234.56" is not a number; write amounts with a decimal point and no thousands separator (e.g. 1234.56)',
        ],
        id="decimal_comma_csv",
    ),
    pytest.param(
        "duplicate_activity_ids_across_files",
        1,
        [
            "2024/activities/activities_T_2024.csv:3:activity_id: duplicate activity_id BR-2024-002; first given in 2024/activities/activities_R_2024.csv row 3",
        ],
        id="duplicate_activity_ids_across_files",
    ),
    pytest.param(
        "duplicate_allocation_keys",
        1,
        [
            "2024/financial_statements.xlsx:expense_allocation:10:org_unit: duplicate org_unit and strategic_code BR, TP-RAD; first given at row 4",
        ],
        id="duplicate_allocation_keys",
    ),
    pytest.param(
        "duplicate_line_codes",
        1,
        [
            "2024/financial_statements.xlsx:performance:8:line_code: duplicate line_code EXP_STAFF; first given at row 7",
        ],
        id="duplicate_line_codes",
    ),
    pytest.param(
        "empty_csv",
        1,
        [
            "2024/budget_comparison.csv: the file is empty; expected a header row and data rows",
        ],
        id="empty_csv",
    ),
    pytest.param(
        "excel_date_serials",
        1,
        [
            "2024/activities/activities_R_2024.csv:2:start_date: 45355 looks like an Excel date serial number (2024-03-04); enter the date as YYYY-MM-DD",
            "2024/activities/activities_R_2024.csv:3:start_date: 45444.0 looks like an Excel date serial number (2024-06-01); enter the date as YYYY-MM-DD",
            '2024/activities/activities_R_2024.csv:4:end_date: "20/09/2024" is not a date; expected YYYY-MM-DD',
        ],
        id="excel_date_serials",
    ),
    pytest.param(
        "extra_column_warning",
        0,
        [
            '2024/financial_statements.xlsx:performance:1:comment: warning: extra column "comment" is ignored',
        ],
        id="extra_column_warning",
    ),
    pytest.param(
        "formula_without_value",
        1,
        [
            "2024/financial_statements.xlsx:performance:15:amount_chf: formula =SUM(D7:D13) has no computed value; open and save the workbook in Excel",
        ],
        id="formula_without_value",
    ),
    pytest.param(
        "header_only_csv",
        1,
        [
            "2024/activities/activities_R_2024.csv: the file has only its header row; expected data rows from row 2",
        ],
        id="header_only_csv",
    ),
    pytest.param(
        "header_only_sheet",
        1,
        [
            "2024/financial_statements.xlsx:budget_comparison: the sheet has only its header row; expected data rows from row 2",
        ],
        id="header_only_sheet",
    ),
    pytest.param(
        "indicator_definitions_rows",
        1,
        [
            "indicator_definitions.csv:2:target_year: target_year 2022 must be after baseline_year 2023",
            'indicator_definitions.csv:3:unit: "USD" is not a known indicator unit; expected one of chf, count, index, percent, ratio',
            "indicator_definitions.csv:4:indicator_code: duplicate indicator_code NET-USE; first given at row 2",
        ],
        id="indicator_definitions_rows",
    ),
    pytest.param(
        "indicator_values_rows",
        1,
        [
            '2024/indicator_values.csv:4:indicator_code: indicator "NET-USX" is not defined (or its definition was quarantined) in indicator_definitions.csv',
            "2024/indicator_values.csv:5:year: warning: year 2023 is not the folder's year 2024; the row is ignored",
            "2024/indicator_values.csv:6:indicator_code: duplicate indicator_code and year NET-USE, 2024; first given at row 2",
            '2024/indicator_values.csv:6:value: "68,5" is not a number; use a decimal point (e.g. 67.5)',
        ],
        id="indicator_values_rows",
    ),
    pytest.param(
        "ledger_bad_rows",
        1,
        [
            "2024/expense_ledger.csv:4:line_code: REV_OTHER is not an expense line; the ledger posts expenses only",
            "2024/expense_ledger.csv:10:posting_date: 2025-01-02 is outside the financial year 2024",
            "2024/expense_ledger.csv:13:posting_id: duplicate posting_id P-010; first given at row 11",
        ],
        id="ledger_bad_rows",
    ),
    pytest.param(
        "ledger_not_aggregating",
        1,
        [
            "2024/expense_ledger.csv: L1 failed for BR TP-RAD: ledger postings sum to 500,000.00 but expense_allocation gives 250,000.00 (difference 250,000.00)",
            "2024/expense_ledger.csv: L2 failed for EXP_CONTRACTUAL: ledger postings sum to 350,000.00 but the statement gives 100,000.00 (difference 250,000.00)",
        ],
        id="ledger_not_aggregating",
    ),
    pytest.param(
        "line_type_mismatch",
        1,
        [
            '2024/financial_statements.xlsx:performance:6:line_type: line_type "expense" does not match line_code REV_OTHER, which is a revenue line',
        ],
        id="line_type_mismatch",
    ),
    pytest.param(
        "merged_header_cells",
        1,
        [
            "2024/financial_statements.xlsx:performance:1: header cell 2 of row 1 is empty (merged or missing header?)",
        ],
        id="merged_header_cells",
    ),
    pytest.param(
        "missing_column_csv",
        1,
        [
            '2024/activities/activities_R_2024.csv:1:status: missing required column "status"; the columns are: activity_id, org_unit, partner_org_units, strategic_code, output_type, title, start_date, end_date, status, participants, women_participants, countries, cost_chf',
        ],
        id="missing_column_csv",
    ),
    pytest.param(
        "missing_sheet",
        1,
        [
            '2024/financial_statements.xlsx:budget_comparison: missing sheet "budget_comparison"; the workbook has: "performance", "expense_allocation"',
        ],
        id="missing_sheet",
    ),
    pytest.param(
        "misspelled_column",
        1,
        [
            '2024/financial_statements.xlsx:performance:1:amount_chf: missing required column "amount_chf"; the columns are: line_code, line_label, line_type, amount_chf',
        ],
        id="misspelled_column",
    ),
    pytest.param(
        "negative_amount",
        1,
        [
            "2024/financial_statements.xlsx:budget_comparison:7:actual_chf: -1200.50 is negative; amounts must be >= 0",
        ],
        id="negative_amount",
    ),
    pytest.param(
        "r1_mismatch",
        1,
        [
            "2024/financial_statements.xlsx:performance: R1-revenue failed: the revenue lines sum to 1,265,000.00 but TOTAL_REVENUE is 1,256,000.00 (difference 9,000.00)",
        ],
        id="r1_mismatch",
    ),
    pytest.param(
        "r1_missing_total",
        1,
        [
            "2024/financial_statements.xlsx:performance:line_code: R1-revenue failed: the TOTAL_REVENUE line is missing; both total lines must be present",
        ],
        id="r1_missing_total",
    ),
    pytest.param(
        "r2_mismatch",
        1,
        [
            "2024/financial_statements.xlsx:budget_comparison: R2 failed: the actual_chf of budget_comparison sum to 1,025,000.00 but TOTAL_EXPENSES is 1,000,000.00 (difference 25,000.00)",
            "2024/financial_statements.xlsx:expense_allocation: R3 failed for RO-ARB: allocations sum to 0.00 but actual_chf is 25,000.00 (difference 25,000.00)",
        ],
        id="r2_mismatch",
    ),
    pytest.param(
        "r2_r3_across_csvs",
        1,
        [
            "2024/budget_comparison.csv: R2 failed: the actual_chf of budget_comparison sum to 990,000.00 but TOTAL_EXPENSES is 1,000,000.00 (difference 10,000.00)",
            "2024/expense_allocation.csv: R3 failed for GS: allocations sum to 350,000.00 but actual_chf is 340,000.00 (difference 10,000.00)",
        ],
        id="r2_r3_across_csvs",
    ),
    pytest.param(
        "r3_mismatch",
        1,
        [
            "2024/financial_statements.xlsx:expense_allocation: R3 failed for BR: allocations sum to 500,000.00 but actual_chf is 250,000.00 (difference 250,000.00)",
            "2024/financial_statements.xlsx:expense_allocation: R3 failed: all allocations sum to 1,250,000.00 but TOTAL_EXPENSES is 1,000,000.00 (difference 250,000.00)",
        ],
        id="r3_mismatch",
    ),
    pytest.param(
        "r3_unit_without_budget",
        1,
        [
            "2024/financial_statements.xlsx:expense_allocation: R3 failed for RO-EUR: it has allocations (0.00) but no row in budget_comparison",
        ],
        id="r3_unit_without_budget",
    ),
    pytest.param(
        "renamed_csv_workbook",
        1,
        [
            "2024/financial_statements.xlsx: a CSV file renamed .xlsx; expected an .xlsx workbook",
        ],
        id="renamed_csv_workbook",
    ),
    pytest.param(
        "semicolon_csv",
        1,
        [
            "2024/budget_comparison.csv:1: columns are separated by semicolons; the contract requires commas",
        ],
        id="semicolon_csv",
    ),
    pytest.param(
        "text_in_amount",
        1,
        [
            '2024/financial_statements.xlsx:performance:3:amount_chf: "n/a" is not a number; expected an amount in CHF such as 1234.56',
            '2024/financial_statements.xlsx:performance:9:amount_chf: "see note" is not a number; expected an amount in CHF such as 1234.56',
            "2024/financial_statements.xlsx:performance:10:amount_chf: 12.345 has more than 2 decimals; amounts are CHF with at most 2 decimals",
        ],
        id="text_in_amount",
    ),
    pytest.param(
        "truncated_xlsx",
        1,
        [
            "2024/financial_statements.xlsx: damaged or truncated workbook: File is not a zip file",
        ],
        id="truncated_xlsx",
    ),
    pytest.param(
        "unknown_codes",
        1,
        [
            '2024/financial_statements.xlsx:budget_comparison:4:org_unit: "tsb" is not a known org unit; expected one of BDT, BR, GS, RO-AFR, RO-AMS, RO-ARB, RO-ASP, RO-CIS, RO-EUR, TSB',
            '2024/financial_statements.xlsx:expense_allocation:4:org_unit: "ITU-R" is not a known org unit; expected one of BDT, BR, GS, RO-AFR, RO-AMS, RO-ARB, RO-ASP, RO-CIS, RO-EUR, TSB',
            '2024/financial_statements.xlsx:expense_allocation:5:strategic_code: "TP-XYZ" is not a known strategic code; expected one of EN-DNI, EN-ENV, EN-HRI, EN-MEM, EN-PIC, EN-REG, EN-RMO, TP-APP, TP-ENV, TP-INC, TP-NET, TP-RAD, TP-RES, TP-STD',
            '2024/financial_statements.xlsx:expense_allocation:6:strategic_code: "G1" is a goal; allocate to one of its thematic priorities or to an enabler; expected one of EN-DNI, EN-ENV, EN-HRI, EN-MEM, EN-PIC, EN-REG, EN-RMO, TP-APP, TP-ENV, TP-INC, TP-NET, TP-RAD, TP-RES, TP-STD',
        ],
        id="unknown_codes",
    ),
    pytest.param(
        "unknown_file_name",
        1,
        [
            "2024/budget.csv: unknown file name: expected financial_statements.xlsx, financial_performance.csv, budget_comparison.csv, expense_allocation.csv, budget_allocation.csv, budget_reconciliation.csv, expense_ledger.csv, indicator_definitions.csv, indicator_values.csv, staff.csv, membership.csv, council_document.csv or a .csv under an activities/ or narratives/ folder",
        ],
        id="unknown_file_name",
    ),
    pytest.param(
        "utf16_csv",
        1,
        [
            "2024/budget_comparison.csv: the file is encoded as UTF-16 (byte order mark at byte offset 0); save it as CSV UTF-8",
        ],
        id="utf16_csv",
    ),
    pytest.param(
        "windows_1252_valid",
        0,
        [],
        id="windows_1252_valid",
    ),
    pytest.param(
        "zero_byte_csv",
        1,
        [
            "2024/activities/activities_T_2024.csv: the file is empty; expected a header row and data rows",
        ],
        id="zero_byte_csv",
    ),
    pytest.param(
        "zero_byte_xlsx",
        1,
        [
            "2024/financial_statements.xlsx: the file is empty (0 bytes); expected an Excel workbook",
        ],
        id="zero_byte_xlsx",
    ),
    # what Excel and people really deliver (issue 15)
    pytest.param(
        "unquoted_thousands_separator",
        1,
        [
            "2024/activities/activities_R_2024.csv:2: the row has 14 cells but the header has 13: a comma inside a value (a thousands separator, a decimal comma, a comma in a text) splits it in two; remove the comma or put the value in double quotes",
        ],
        id="unquoted_thousands_separator",
    ),
    pytest.param(
        "unquoted_decimal_comma",
        1,
        [
            "2024/indicator_values.csv:2: the row has 6 cells but the header has 5: a comma inside a value (a thousands separator, a decimal comma, a comma in a text) splits it in two; remove the comma or put the value in double quotes",
        ],
        id="unquoted_decimal_comma",
    ),
    pytest.param(
        "unquoted_comma_in_statements",
        1,
        [
            "2024/budget_comparison.csv:4: the row has 5 cells but the header has 4: a comma inside a value (a thousands separator, a decimal comma, a comma in a text) splits it in two; remove the comma or put the value in double quotes",
        ],
        id="unquoted_comma_in_statements",
    ),
    pytest.param(
        "trailing_empty_columns",
        0,
        [],
        id="trailing_empty_columns",
    ),
    pytest.param(
        "spacer_column_in_sheet",
        0,
        [],
        id="spacer_column_in_sheet",
    ),
    pytest.param(
        "over_long_cell",
        1,
        [
            "2024/activities/activities_R_2024.csv:3:title: the cell holds 200,016 characters, above the limit of 32,767 (Excel's own limit for a cell); shorten it",
        ],
        id="over_long_cell",
    ),
    pytest.param(
        "title_row_above_header",
        1,
        [
            "2024/budget_comparison.csv:1: row 1 is not the header row (no org_unit, approved_budget_chf, final_budget_chf, actual_chf): the header seems to be in row 2; delete the rows above it, so that the header is row 1",
        ],
        id="title_row_above_header",
    ),
    pytest.param(
        "near_column_name",
        1,
        [
            '2024/financial_statements.xlsx:performance:1:line_code: missing required column "line_code" (found "Line_Code": column names are written exactly as in the contract, in lower case with underscores; rename it); the columns are: line_code, line_label, line_type, amount_chf',
        ],
        id="near_column_name",
    ),
    pytest.param(
        "sheet_name_with_a_space",
        1,
        [
            '2024/financial_statements.xlsx:performance: missing sheet "performance"; the workbook has: "performance ", "budget_comparison", "expense_allocation"; sheet "performance " has spaces around its name: rename it "performance"',
        ],
        id="sheet_name_with_a_space",
    ),
    pytest.param(
        "password_protected_xlsx",
        1,
        [
            "2024/financial_statements.xlsx: the workbook is protected by a password to open it (encrypted), so it cannot be read; save a copy without the password (File > Info > Protect Workbook > Encrypt with Password, clear it), or deliver the CSVs",
        ],
        id="password_protected_xlsx",
    ),
    pytest.param(
        "excel_97_2003_xls",
        1,
        [
            '2024/financial_statements.xlsx: this is an Excel 97-2003 workbook (.xls); open it in Excel and save it as "Excel Workbook (.xlsx)"',
        ],
        id="excel_97_2003_xls",
    ),
    pytest.param(
        "strict_open_xml",
        1,
        [
            '2024/financial_statements.xlsx: the workbook is saved as "Strict Open XML Spreadsheet", which cannot be read; save it again as "Excel Workbook (.xlsx)"',
        ],
        id="strict_open_xml",
    ),
    pytest.param(
        "utf16_without_bom",
        1,
        [
            "2024/budget_comparison.csv: the file is encoded as UTF-16LE without a byte order mark (a NUL byte in every other position); save it as CSV UTF-8",
        ],
        id="utf16_without_bom",
    ),
    pytest.param(
        "pdf_named_xlsx",
        1,
        [
            "2024/financial_statements.xlsx: a PDF document, not an Excel workbook; expected an .xlsx workbook",
        ],
        id="pdf_named_xlsx",
    ),
    pytest.param(
        "scientific_notation",
        1,
        [
            '2024/budget_comparison.csv:2:actual_chf: "2.0450374053E+08" is in scientific notation (204503740.53); format the cells as Number with 2 decimals before saving, so that the file holds the amount itself',
        ],
        id="scientific_notation",
    ),
    pytest.param(
        "lock_file_beside_csv",
        0,
        [
            "2024/activities/~$activities_R_2024.csv: warning: an Excel lock file (Excel writes it while the file is open, and removes it when the file is closed); ignored",
        ],
        id="lock_file_beside_csv",
    ),
]


@pytest.mark.parametrize(("case", "exit_code", "lines"), CASES)
def test_validate_prints_exactly(
    case: str,
    exit_code: int,
    lines: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(BAD / case)
    assert cli.main(["validate", *case_files(case)]) == exit_code
    printed = capsys.readouterr()
    assert printed.out.splitlines() == lines
    assert printed.err == ""


def test_every_case_folder_is_asserted_and_the_corpus_is_big_enough() -> None:
    folders = {p.name for p in BAD.iterdir() if p.is_dir() and not p.name.startswith("_")}
    asserted = {p.values[0] for p in CASES}
    assert folders == asserted
    assert sum(p.values[1] == 1 for p in CASES) >= 25


def test_the_committed_files_are_what_make_corpus_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write(tmp_path)
    assert written
    for path in written:
        relative = path.relative_to(tmp_path)
        assert (BAD / relative).read_bytes() == path.read_bytes(), relative


def test_the_command_on_a_bad_workbook_prints_the_line_and_no_traceback() -> None:
    case = "negative_amount"
    done = subprocess.run(
        [str(ONEITU), "validate", *case_files(case)],
        cwd=BAD / case,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == (
        "2024/financial_statements.xlsx:budget_comparison:7:actual_chf: "
        "-1200.50 is negative; amounts must be >= 0\n"
    )
    assert done.stderr == ""


def test_the_demo_landing_zone_is_valid(tmp_path: Path) -> None:
    generate_landing(tmp_path, [2023, 2024])
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert any(f.endswith("financial_statements.xlsx") for f in files)
    done = subprocess.run(
        [str(ONEITU), "validate", *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")

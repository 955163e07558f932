"""Quarantine (contract 3.2, 3.3): a row that breaks a rule is stored in delivery_issues
with file, sheet, row (header = 1), column, value and reason; the rest of the file loads.

tests/fixtures/sectors/2024/activities/activities_bad_rows.csv holds one bad row of each
kind between two valid rows (Q-01 on row 2, Q-16 on row 18).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import T0, YEAR, Zone, make_zone

from oneitu_etl import cli
from oneitu_etl.warehouse import schema as s

BAD = f"{YEAR}/activities/activities_bad_rows.csv"
UNITS = "BDT, BR, GS, RO-AFR, RO-AMS, RO-ARB, RO-ASP, RO-CIS, RO-EUR, TSB"
CODES = (
    "EN-DNI, EN-ENV, EN-HRI, EN-MEM, EN-PIC, EN-REG, EN-RMO, TP-APP, TP-ENV, TP-INC, "
    "TP-NET, TP-RAD, TP-RES, TP-STD"
)

BAD_ROWS = [
    pytest.param(
        3,
        "org_unit",
        "XYZ",
        f'"XYZ" is not a known org unit; expected one of {UNITS}',
        id="unknown-org-unit",
    ),
    pytest.param(
        4,
        "strategic_code",
        "TP-XXX",
        f'"TP-XXX" is not a known strategic code; expected one of {CODES}',
        id="unknown-strategic-code",
    ),
    pytest.param(
        5,
        "women_participants",
        "12",
        "women_participants 12 exceeds participants 10",
        id="women-above-participants",
    ),
    pytest.param(
        6,
        "activity_id",
        "Q-01",
        "duplicate activity_id Q-01; first given at row 2",
        id="duplicate-id",
    ),
    pytest.param(7, "title", None, "value is missing; a title is required", id="empty-title"),
    pytest.param(
        8,
        "end_date",
        "2024-03-01",
        "end_date 2024-03-01 is before start_date 2024-03-10",
        id="end-before-start",
    ),
    pytest.param(
        9, "cost_chf", "-5.00", "-5.00 is negative; amounts must be >= 0", id="negative-amount"
    ),
    pytest.param(
        10,
        "start_date",
        "2024-02-30",
        "2024-02-30 is not a valid calendar date",
        id="impossible-date",
    ),
    pytest.param(
        11,
        "start_date",
        "15/03/2024",
        '"15/03/2024" is not a date; expected YYYY-MM-DD',
        id="date-not-iso",
    ),
    pytest.param(
        12, "participants", "12.5", '"12.5" is not a whole number', id="non-integer-participants"
    ),
    pytest.param(
        13, "countries", "195", "195 is above the maximum of 194", id="countries-above-194"
    ),
    pytest.param(
        14,
        "partner_org_units",
        "BR;XYZ",
        '"XYZ" in "BR;XYZ" is not a known org unit',
        id="unknown-partner-unit",
    ),
    pytest.param(
        15,
        "status",
        "done",
        '"done" is not a known activity status; expected one of cancelled, completed, '
        "ongoing, planned",
        id="unknown-status",
    ),
    pytest.param(
        16,
        "cost_chf",
        "1 234,50",
        '"1 234,50" is not a number; write amounts with a decimal point and no '
        "thousands separator (e.g. 1234.56)",
        id="decimal-comma",
    ),
    pytest.param(
        17,
        "start_date",
        "2025-01-05",
        "start_date 2025-01-05 is after the financial year 2024",
        id="starts-after-the-year",
    ),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    zone = make_zone(tmp_path_factory.mktemp("quarantine"))
    zone.put_fixture(BAD, f"sectors/{BAD}")
    zone.ingest(now=T0)
    yield zone
    zone.dispose()


@pytest.mark.parametrize(("row", "column", "value", "reason"), BAD_ROWS)
def test_each_bad_row_is_quarantined_in_place_with_its_reason(
    loaded: Zone, row: int, column: str, value: str | None, reason: str
) -> None:
    found = [i for i in loaded.issues(BAD) if i["row_number"] == row]
    assert [
        (
            i["file"],
            i["sheet"],
            i["row_number"],
            i["column_name"],
            i["value"],
            i["message"],
            i["severity"],
            i["quarantined"],
        )
        for i in found
    ] == [(BAD, None, row, column, value, reason, "error", True)]


def test_the_rest_of_the_file_loads(loaded: Zone) -> None:
    assert loaded.current(
        s.activities,
        "row_number",
        "activity_id",
        "org_unit",
        "participants",
        "women_participants",
        "countries",
        "cost_cents",
    ) == [
        (2, "Q-01", "BR", 10, 5, 3, 10000),
        (18, "Q-16", "TSB", 20, None, 5, None),
    ]
    delivery = loaded.delivery(BAD)
    assert (delivery["outcome"], delivery["rows_loaded"], delivery["rows_quarantined"]) == (
        "loaded",
        2,
        15,
    )
    assert len(loaded.issues(BAD)) == len(BAD_ROWS) == 15


HEADER = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf\n"
)


def _activity(aid: str, title: str) -> str:
    return f"{aid},BR,,TP-RAD,workshop,{title},2024-03-01,,completed,10,,,\n"


def test_an_id_repeated_across_files_keeps_the_first_in_file_name_order(zone: Zone) -> None:
    late, early = f"{YEAR}/activities/z_bureau.csv", f"{YEAR}/activities/a_bureau.csv"
    zone.put(late, HEADER + _activity("X-1", "From z") + _activity("Z-2", "Only in z"))
    zone.put(early, HEADER + _activity("A-1", "Only in a") + _activity("X-1", "From a"))

    zone.ingest(now=T0)

    assert zone.current(s.activities, "activity_id", "title") == [
        ("A-1", "Only in a"),
        ("X-1", "From a"),
        ("Z-2", "Only in z"),
    ]
    assert [
        (i["file"], i["row_number"], i["column_name"], i["message"], i["quarantined"])
        for i in zone.issues()
    ] == [
        (late, 2, "activity_id", f"duplicate activity_id X-1; first given in {early} row 3", True)
    ]

    # a_bureau.csv withdrawn: the whole group is re-judged and z's X-1 now counts
    zone.remove(early)
    zone.ingest(now=T0)

    assert zone.current(s.activities, "activity_id", "title") == [
        ("X-1", "From z"),
        ("Z-2", "Only in z"),
    ]
    assert zone.issues() == []


def test_a_file_that_cannot_be_read_is_rejected_not_quarantined(zone: Zone) -> None:
    broken, good = f"{YEAR}/activities/broken.csv", f"{YEAR}/activities/good.csv"
    zone.put(broken, "activity_id,org_unit\nB-1,BR\n")
    zone.put(good, HEADER + _activity("G-1", "Fine"))

    zone.ingest(now=T0)

    issues = zone.issues(broken)
    assert issues[0]["message"] == (
        'missing required column "strategic_code"; the columns are: activity_id, org_unit, '
        "partner_org_units, strategic_code, output_type, title, start_date, end_date, status, "
        "participants, women_participants, countries, cost_chf"
    )
    assert {(i["row_number"], i["quarantined"]) for i in issues} == {(1, False)}
    delivery = zone.delivery(broken)
    assert (delivery["outcome"], delivery["rows_loaded"], delivery["rows_quarantined"]) == (
        "rejected",
        0,
        0,
    )
    assert zone.current(s.activities, "activity_id") == [("G-1",)]


DEFINITIONS = "indicator_definitions.csv"
VALUES = f"{YEAR}/indicator_values.csv"


def test_values_of_a_quarantined_definition_are_quarantined_other_years_ignored(
    zone: Zone,
) -> None:
    zone.put_fixture(DEFINITIONS, f"planning/{DEFINITIONS}")
    zone.put_fixture(VALUES, f"planning/{VALUES}")

    zone.ingest(now=T0)

    assert zone.current(s.indicator_definitions, "indicator_code") == [("I-COST",), ("I-NET",)]
    assert [
        (i["row_number"], i["column_name"], i["value"], i["message"], i["quarantined"])
        for i in zone.issues(DEFINITIONS)
    ] == [
        (
            3,
            "unit",
            "percentage",
            '"percentage" is not a known indicator unit; expected one of chf, count, index, '
            "percent, ratio",
            True,
        )
    ]
    assert zone.current(s.indicator_values, "indicator_code", "year", "value") == [
        ("I-COST", YEAR, None),
        ("I-NET", YEAR, 68.0),
    ]
    undefined = (
        'indicator "{}" is not defined (or its definition was quarantined) in '
        "indicator_definitions.csv"
    )
    assert [
        (i["row_number"], i["column_name"], i["severity"], i["message"], i["quarantined"])
        for i in zone.issues(VALUES)
    ] == [
        (3, "indicator_code", "error", undefined.format("I-BAD"), True),
        (
            4,
            "year",
            "warning",
            "year 2023 is not the folder's year 2024; the row is ignored",
            False,
        ),
        (6, "indicator_code", "error", undefined.format("I-NOPE"), True),
    ]
    assert zone.delivery(VALUES)["rows_quarantined"] == 2

    # the definition corrected: the unchanged values file is re-judged, I-BAD's value counts
    fixed = (
        (zone.root / DEFINITIONS).read_text(encoding="utf-8").replace(",percentage,", ",percent,")
    )
    zone.put(DEFINITIONS, fixed)
    zone.ingest(now=T0)

    assert zone.current(s.indicator_values, "indicator_code", "year", "value") == [
        ("I-BAD", YEAR, 1.5),
        ("I-COST", YEAR, None),
        ("I-NET", YEAR, 68.0),
    ]
    assert zone.delivery(VALUES)["rows_quarantined"] == 1


def test_oneitu_validate_reports_the_same_rows(capsys: pytest.CaptureFixture) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "sectors"
    bad = fixtures / BAD

    code = cli.main(["validate", str(bad)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1 and len(lines) == 15
    assert lines[2] == f"{bad}:5:women_participants: women_participants 12 exceeds participants 10"
    assert (
        cli.main(
            [
                "validate",
                *map(str, sorted((fixtures / f"{YEAR}/activities").glob("activities_[BT]*.csv"))),
            ]
        )
        == 0
    )

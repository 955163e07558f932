"""(v2) Contract 3.2: an activity that ended before the year belongs to an earlier year.

It is quarantined ("ended before <Y>") and so left out of every output and count; one
that ended on the year's first day, or runs on from an earlier year, counts.
"""

from __future__ import annotations

from ingest_support import T0, YEAR, Zone

from oneitu_etl.warehouse import schema as s

HEADER = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf\n"
)
ROWS = (
    "OLD-1,BR,,TP-RAD,workshop,Spectrum workshop of 2023,2023-11-06,2023-12-31,completed,40,,,\n"
    "EDGE-1,BR,,TP-RAD,meeting,Study group meeting,2023-12-15,2024-01-01,completed,25,,,\n"
    "ON-1,BR,,TP-RAD,project,Spectrum monitoring project,2022-05-01,,ongoing,,,,\n"
)


def test_an_activity_that_ended_before_the_year_is_quarantined(zone: Zone) -> None:
    path = f"{YEAR}/activities/activities_R_2024.csv"
    zone.put(path, HEADER + ROWS)

    zone.ingest(now=T0)

    assert zone.current(s.activities, "activity_id") == [("EDGE-1",), ("ON-1",)]
    assert [
        (i["row_number"], i["column_name"], i["value"], i["message"], i["quarantined"])
        for i in zone.issues(path)
    ] == [
        (
            2,
            "end_date",
            "2023-12-31",
            "end_date 2023-12-31: the activity ended before 2024; it belongs to an earlier year",
            True,
        )
    ]
    delivery = zone.delivery(path)
    assert (delivery["rows_loaded"], delivery["rows_quarantined"]) == (2, 1)

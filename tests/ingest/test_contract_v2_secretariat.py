"""(v2) staff.csv, membership.csv and council_document.csv: loaded with their lineage,
bad rows quarantined (a repeated key quarantines the later rows), corrections supersede.
"""

from __future__ import annotations

from ingest_support import T0, YEAR, Zone

from oneitu_etl.warehouse import schema as s

STAFF = (
    "org_unit,category,gender,region,headcount\n"
    "GS,P,female,B,12\n"
    "GS,G,male,,30\n"
    "BR,P,male,A,-3\n"
    "GS,G,male,,2\n"
)


def test_staff_rows_load_and_bad_ones_are_quarantined(zone: Zone) -> None:
    path = f"{YEAR}/staff.csv"
    zone.put(path, STAFF)
    zone.ingest()  # no statements: the year is blocked, but staff rows still load
    rows = zone.current(s.staff, "row_number", "org_unit", "category", "region", "headcount")
    assert rows == [(2, "GS", "P", "B", 12), (3, "GS", "G", None, 30)]
    issues = [(i["row_number"], i["column_name"], i["quarantined"]) for i in zone.issues(path)]
    assert issues == [(4, "headcount", True), (5, "org_unit", True)]
    delivery = zone.delivery(path)
    assert (delivery["kind"], delivery["rows_loaded"], delivery["rows_quarantined"]) == (
        "staff",
        2,
        2,
    )


def test_a_corrected_staff_file_supersedes_the_earlier_one(zone: Zone) -> None:
    path = f"{YEAR}/staff.csv"
    zone.put(path, STAFF)
    zone.ingest()
    first = zone.delivery(path)
    zone.put(path, STAFF.replace("-3", "3"))
    zone.ingest(now=T0.replace(hour=11))
    second = zone.delivery(path)
    assert second["id"] != first["id"]
    assert zone.current(s.staff, "org_unit", "headcount") == [("BR", 3), ("GS", 12), ("GS", 30)]
    kept = zone.all(s.staff, "delivery_id", "org_unit", "headcount")
    assert (first["id"], "GS", 12) in kept  # the superseded rows stay, for audit


def test_an_unknown_council_field_is_ignored_with_a_warning(zone: Zone) -> None:
    path = f"{YEAR}/council_document.csv"
    zone.put(path, "field,value\ndocument,C25/35\nprepared_by,SPM\n")
    zone.ingest()
    assert zone.current(s.council_document, "field", "value") == [("document", "C25/35")]
    assert [(i["row_number"], i["severity"], i["quarantined"]) for i in zone.issues(path)] == [
        (3, "warning", False)
    ]

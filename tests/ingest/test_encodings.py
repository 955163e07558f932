"""Contract section 2: UTF-8, UTF-8 with BOM and Windows-1252 load the same rows; any other
encoding is rejected with a message naming the file and the byte offset."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import YEAR, Zone, fixture, make_zone
from tests_support import ACTIVITY_HEADER

from oneitu_etl.sources.files import detect_encoding
from oneitu_etl.warehouse import schema as s

TWINS = "sectors/encodings/2024/activities/activities_{}.csv"
#: The activities table's columns: row number, the delivered columns, the cost in cents.
COLUMNS = ("row_number", *ACTIVITY_HEADER[:-1], "cost_cents")


def test_the_twin_fixtures_really_differ_in_encoding() -> None:
    utf8, bom, cp1252 = (fixture(TWINS.format(n)) for n in ("utf8", "utf8_bom", "cp1252"))
    assert not utf8.startswith(b"\xef\xbb\xbf") and bom == b"\xef\xbb\xbf" + utf8
    assert "Réunion des régulateurs — Dakar".encode() in utf8
    assert "Réunion des régulateurs — Dakar".encode("cp1252") in cp1252
    assert b"\x97" in cp1252 and b"\xc9" in cp1252 and b"\r\n" in cp1252  # —, É, Excel's CRLF
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")


@pytest.mark.parametrize(
    ("twin", "encoding"),
    [
        pytest.param("utf8", "utf-8", id="utf-8"),
        pytest.param("utf8_bom", "utf-8-sig", id="utf-8-bom"),
        pytest.param("cp1252", "cp1252", id="windows-1252"),
    ],
)
def test_each_accepted_encoding_loads_the_same_rows(zone: Zone, twin: str, encoding: str) -> None:
    path = f"{YEAR}/activities/bureau.csv"
    zone.put_fixture(path, TWINS.format(twin))

    zone.ingest()

    assert zone.delivery(path)["encoding"] == encoding
    rows = zone.current(s.activities, *COLUMNS)
    assert [(r[1], r[6]) for r in rows] == [
        ("ENC-1", "Réunion des régulateurs — Dakar"),
        ("ENC-2", "École d'été — Égalité des genres"),
        ("ENC-3", "Connectivité des écoles, phase É"),
    ]
    assert [r[0] for r in rows] == [2, 3, 4]
    assert rows[2][3] == "RO-EUR;RO-CIS" and rows[1][13] == 410025


def test_the_three_twins_give_identical_rows(tmp_path: Path) -> None:
    loaded = {}
    for twin in ("utf8", "utf8_bom", "cp1252"):
        zone = make_zone(tmp_path / twin)
        zone.put_fixture(f"{YEAR}/activities/bureau.csv", TWINS.format(twin))
        zone.ingest()
        loaded[twin] = zone.current(s.activities, *COLUMNS)
        zone.dispose()
    assert len(loaded["utf8"]) == 3
    assert loaded["utf8"] == loaded["utf8_bom"] == loaded["cp1252"]


HEADER = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf\n"
)
ROW = "X-1,BR,,TP-RAD,workshop,{},2024-03-01,,completed,,,,\n"  # the title at byte 150 + 24


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            (HEADER + ROW.format("Réunion")).encode("utf-16"),
            "the file is encoded as UTF-16 (byte order mark at byte offset 0); save it as CSV "
            "UTF-8",
            id="utf-16",
        ),
        pytest.param(
            (HEADER + ROW.format("Réunion")).encode("utf-16-le"),
            "the file is encoded as UTF-16LE without a byte order mark (a NUL byte in every "
            "other position); save it as CSV UTF-8",
            id="utf-16-without-bom",
        ),
        pytest.param(
            (HEADER + ROW.format("Caf\x81")).encode("latin-1"),
            "unreadable text: byte 0x81 at byte offset 177 is neither UTF-8 nor Windows-1252; "
            "save the file as CSV UTF-8",
            id="byte-undefined-in-1252",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + (HEADER + ROW.format("R\xe9union")).encode("latin-1"),
            "invalid UTF-8 at byte offset 178 after a UTF-8 BOM",
            id="bom-then-not-utf-8",
        ),
    ],
)
def test_other_encodings_are_rejected_naming_file_and_byte_offset(
    zone: Zone, data: bytes, message: str
) -> None:
    bad, good = f"{YEAR}/activities/bad.csv", f"{YEAR}/activities/good.csv"
    zone.put(bad, data)
    zone.put_fixture(good, TWINS.format("utf8"))

    zone.ingest()

    assert [
        (i["file"], i["row_number"], i["message"], i["quarantined"]) for i in zone.issues(bad)
    ] == [(bad, None, message, False)]
    delivery = zone.delivery(bad)
    assert delivery["outcome"] == "rejected" and delivery["rows_loaded"] == 0
    assert len(zone.current(s.activities, "activity_id")) == 3  # the other file loads


def test_offsets_count_bytes_not_characters() -> None:
    # "é" is two bytes in UTF-8: the bad byte after "aé," is at byte offset 4 (character 3)
    data = "aé,".encode() + b"\x9d"
    with pytest.raises(Exception, match="byte 0x9D at byte offset 4 "):
        detect_encoding(data, "x.csv")
    assert detect_encoding("aé—".encode("cp1252"), "x.csv") == ("aé—", "cp1252")

"""Every delivered file is kept unchanged, content-addressed, with its SHA-256, size,
encoding and time of arrival (when the pipeline first saw it); the landing zone is
never modified."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ingest_support import T0, YEAR, Zone, deliver_all, fixture

from oneitu_etl.demo import generate_landing

T1 = T0 + dt.timedelta(hours=6)
T2 = T0 + dt.timedelta(days=3)
BR = f"{YEAR}/activities/activities_BR.csv"
TSB = f"{YEAR}/activities/activities_TSB.csv"


def _tree(root: Path) -> dict[str, tuple[str, int]]:
    """Hash and modification time of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_every_delivered_file_is_archived_unchanged(zone: Zone, tmp_path: Path) -> None:
    deliver_all(zone)
    zone.put_fixture(
        f"{YEAR}/activities/excel.csv", "sectors/encodings/2024/activities/activities_cp1252.csv"
    )
    zone.put(f"{YEAR}/activities/utf16.csv", "activity_id\n".encode("utf-16"))  # rejected
    zone.put(f"{YEAR + 1}/activities/next_year.csv", b"not ingested for 2024")
    demo = tmp_path / "demo"
    generate_landing(demo, [YEAR])
    workbook = zone.root / f"{YEAR + 2}" / "financial_statements.xlsx"
    workbook.parent.mkdir()
    workbook.write_bytes((demo / f"{YEAR}" / "financial_statements.xlsx").read_bytes())

    zone.ingest(now=T0)
    zone.ingest(now=T0, year=YEAR + 2)

    deliveries = zone.deliveries()
    assert sorted(d["path"] for d in deliveries) == sorted(
        [
            "indicator_definitions.csv",
            f"{YEAR}/financial_performance.csv",
            f"{YEAR}/budget_comparison.csv",
            f"{YEAR}/expense_allocation.csv",
            BR,
            TSB,
            f"{YEAR}/activities/excel.csv",
            f"{YEAR}/activities/utf16.csv",
            f"{YEAR}/indicator_values.csv",
            f"{YEAR + 2}/financial_statements.xlsx",
        ]
    )
    for d in deliveries:
        delivered = (zone.root / d["path"]).read_bytes()
        archived = Path(d["archive_path"])
        assert archived.read_bytes() == delivered, d["path"]
        assert d["sha256"] == hashlib.sha256(delivered).hexdigest()
        assert d["size_bytes"] == len(delivered)
        assert d["arrived_at"] == T0
        assert archived.is_relative_to(zone.out / "archive")
        assert archived.parent.name == d["sha256"]  # content-addressed
    encodings = {d["path"]: (d["encoding"], d["outcome"]) for d in deliveries}
    assert encodings[f"{YEAR}/activities/excel.csv"] == ("cp1252", "loaded")
    assert encodings[BR] == ("utf-8", "loaded")
    assert encodings[f"{YEAR}/activities/utf16.csv"] == (None, "rejected")
    assert encodings[f"{YEAR + 2}/financial_statements.xlsx"] == (None, "loaded")


def test_the_archive_follows_settings(zone: Zone, tmp_path: Path) -> None:
    zone.put_fixture(BR, f"sectors/{BR}")

    zone.ingest(archive=tmp_path / "elsewhere")

    archived = Path(zone.delivery(BR)["archive_path"])
    assert archived.is_relative_to(tmp_path / "elsewhere")
    assert archived.read_bytes() == fixture(f"sectors/{BR}")


def test_arrival_time_of_an_unchanged_file_is_kept_across_runs(zone: Zone) -> None:
    deliver_all(zone)
    zone.ingest(now=T0)
    landing_before = _tree(zone.root)
    archive_before = _tree(zone.out / "archive")

    zone.ingest(now=T1)  # nothing changed: skipped
    tsb = fixture(f"sectors/{TSB}") + (
        b"TSB-003,TSB,,TP-STD,workshop,Added later,2024-10-01,,completed,25,10,8,\n"
    )
    zone.put(TSB, tsb)  # the activities group is re-judged, BR.csv unchanged
    zone.ingest(now=T2)

    br = zone.delivery(BR)
    assert (br["arrived_at"], br["loaded_at"]) == (T0, T2)
    new_tsb = zone.delivery(TSB)
    assert (new_tsb["arrived_at"], new_tsb["loaded_at"]) == (T2, T2)
    assert zone.delivery("indicator_definitions.csv")["arrived_at"] == T0
    # the pipeline never touches the landing zone, nor rewrites what it archived
    landing_after = _tree(zone.root)
    assert {k: v for k, v in landing_after.items() if k != TSB} == {
        k: v for k, v in landing_before.items() if k != TSB
    }
    archive_after = _tree(zone.out / "archive")
    assert {k: archive_after[k] for k in archive_before} == archive_before
    assert len(archive_after) == len(archive_before) + 1
    assert any(Path(k).parent.name == hashlib.sha256(tsb).hexdigest() for k in archive_after)

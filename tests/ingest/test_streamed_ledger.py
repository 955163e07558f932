"""A ledger above ``stream_bytes`` is spooled, judged and loaded in slices: same result.

The landing zones come from the benchmark's generator (statements derived from the
ledger's sums, so L1/L2 and R1-R3 hold exactly). The expected rows are read from the
delivered file with the ``csv`` module, not by the code under test.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from alembic import command
from ingest_support import T0, YEAR, Zone
from sqlalchemy import create_engine, func, insert, select, text

from benchmarks.ledger import write_landing
from oneitu_etl import warehouse
from oneitu_etl.marts.quality import reconciliation
from oneitu_etl.reference import load_reference
from oneitu_etl.warehouse import ledger_store
from oneitu_etl.warehouse import schema as s

LEDGER = f"{YEAR}/expense_ledger.csv"
STREAMED = {"stream_bytes": 0, "stream_chunk_rows": 37}


def _expected(path: Path) -> list[tuple]:
    """(row, posting_id, date, unit, code, line, cents) of every line, as delivered."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = []
    for number, (pid, date, unit, code, line, amount) in enumerate(rows[1:], start=2):
        sign = -1 if amount.startswith("-") else 1
        whole, frac = amount.lstrip("-").split(".")
        out.append((number, pid, date, unit, code, line, sign * (int(whole) * 100 + int(frac))))
    return out


def _ledger(zone: Zone) -> list[tuple]:
    """The year's current ledger lines, as the ledger store gives them."""
    with zone.engine.connect() as conn:
        lines = ledger_store.current_lines(conn, zone.settings().ledger_store, YEAR)
    return [
        (r.row_number, r.posting_id, r.posting_date.isoformat(), *r[3:7])
        for r in lines.itertuples(index=False)
    ]


def test_a_streamed_ledger_loads_every_line_exactly(any_zone: Zone) -> None:
    write_landing(any_zone.root, 500, year=YEAR, seed=3)
    result = any_zone.ingest(**STREAMED)

    assert result.blocking == []
    assert _ledger(any_zone) == _expected(any_zone.root / LEDGER)
    delivery = any_zone.delivery(LEDGER)
    assert (delivery["outcome"], delivery["rows_loaded"], delivery["encoding"]) == (
        "loaded",
        500,
        "utf-8",
    )
    counts = {
        r[0]: r[1]
        for r in any_zone.all(s.validation_results, "expectation", "element_count")
        if r[0] == "unique"
    }
    assert counts == {"unique": 500}


def test_streamed_and_whole_file_ingestion_store_the_same(tmp_path: Path) -> None:
    zones = []
    for name, changes in (("whole", {}), ("streamed", STREAMED)):
        zone = Zone(tmp_path / name / "landing", tmp_path / name / "out", "")
        zone.db_url = f"sqlite:///{zone.out / 'warehouse.sqlite'}"
        write_landing(zone.root, 300, year=YEAR, seed=4)
        ledger = zone.root / LEDGER
        lines = ledger.read_text(encoding="utf-8").splitlines()
        lines[40] = lines[3].split(",", 1)[0] + "," + lines[40].split(",", 1)[1]  # a duplicate
        lines[200] = lines[200].replace(f",{YEAR}-", f",{YEAR + 1}-", 1)  # out of the year
        lines.insert(100, "")  # a blank line
        ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
        zone.ingest(now=T0, **changes)
        zones.append(zone)

    def stored(zone: Zone) -> tuple:
        issues = [
            (i["row_number"], i["column_name"], i["rule"], i["message"])
            for i in zone.issues(LEDGER)
        ]
        results = zone.all(
            s.validation_results, "suite", "expectation", "column_name", "success",
            "element_count", "unexpected_count", "unexpected_rows",
        )  # fmt: skip
        delivery = zone.delivery(LEDGER)
        return issues, results, delivery["outcome"], delivery["rows_loaded"]

    whole, streamed = (stored(z) for z in zones)
    assert streamed == whole
    issues = whole[0]
    assert [(row, rule) for row, _, rule, _ in issues] == [(41, "unique"), (202, "date_in_year")]
    assert whole[2:] == ("rejected", 0)
    for zone in zones:
        with zone.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(s.ledger_files)).scalar() == 0
        assert not list(zone.settings().ledger_store.glob("*/*.parquet"))
        zone.dispose()


def test_a_large_file_is_spooled_archived_unchanged_and_the_spool_cleared(zone: Zone) -> None:
    write_landing(zone.root, 400, year=YEAR, seed=5)
    zone.ingest(stream_bytes=1_000, stream_chunk_rows=50)

    delivery = zone.delivery(LEDGER)
    data = (zone.root / LEDGER).read_bytes()
    assert delivery["sha256"] == hashlib.sha256(data).hexdigest()
    assert delivery["size_bytes"] == len(data)
    assert Path(delivery["archive_path"]).read_bytes() == data
    archive = zone.out / "archive"
    assert [p.name for p in archive.iterdir() if p.name.startswith(".")] == []
    assert zone.ingest(stream_bytes=1_000).changed is False


def test_the_marts_sum_the_loaded_ledger_in_sql(any_zone: Zone) -> None:
    write_landing(any_zone.root, 200, year=YEAR, seed=6)
    any_zone.ingest(**STREAMED)
    by_line: dict[str, int] = {}
    for _, _, _, _, _, line, cents in _expected(any_zone.root / LEDGER):
        by_line[line] = by_line.get(line, 0) + cents

    with any_zone.engine.connect() as conn:
        entries = reconciliation(conn, YEAR, load_reference(), 1.0)

    ledger = {e["rule"]: e for e in entries if e["rule"][:2] in ("L1", "L2")}
    assert all(e["passed"] for e in ledger.values())
    assert {r: round(e["left"] * 100) for r, e in ledger.items() if r.startswith("L2")} == {
        f"L2-{line}": cents for line, cents in by_line.items()
    }
    assert len([r for r in ledger if r.startswith("L1")]) == 53


@pytest.mark.parametrize(
    "changes", [pytest.param({}, id="whole"), pytest.param(STREAMED, id="streamed")]
)
def test_the_ledger_totals_are_stored_with_its_rows(zone: Zone, changes: dict) -> None:
    write_landing(zone.root, 300, year=YEAR, seed=7)
    zone.ingest(**changes)
    expected: dict[tuple, list[int]] = {}
    for _, _, _, unit, code, line, cents in _expected(zone.root / LEDGER):
        sums = expected.setdefault((unit, code, line), [0, 0])
        sums[0] += cents
        sums[1] += 1

    stored = zone.current(
        s.ledger_totals, "org_unit", "strategic_code", "line_code", "amount_cents", "postings"
    )

    assert stored == sorted((*k, v[0], v[1]) for k, v in expected.items())


def test_the_migration_sums_the_ledgers_loaded_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    engine = create_engine(url)
    config = warehouse.alembic_config(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(
            insert(s.deliveries).values(
                id=1, path="2024/expense_ledger.csv", year=2024, kind="expense_ledger",
                sha256="0" * 64, size_bytes=1, arrived_at=T0, outcome="loaded",
            )
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO expense_ledger VALUES (1, 2, 2024, 'P1', '2024-01-01', 'GS', 'EN-HRI',"
                " 'EXP_STAFF', 150), (1, 3, 2024, 'P2', '2024-01-02', 'GS', 'EN-HRI', 'EXP_STAFF',"
                " -50), (1, 4, 2024, 'P3', '2024-01-03', 'BR', 'TP-RAD', 'EXP_OTHER', 7)"
            )
        )
    engine.dispose()

    engine = warehouse.connect(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.ledger_totals).order_by(s.ledger_totals.c.org_unit.desc())
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, 2024, "GS", "EN-HRI", "EXP_STAFF", 100, 2),
        (1, 2024, "BR", "TP-RAD", "EXP_OTHER", 7, 1),
    ]

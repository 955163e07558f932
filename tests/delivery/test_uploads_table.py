"""The ``uploads`` table: its migration, and how the status page joins it to deliveries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect

from oneitu_etl import warehouse
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse import uploads as records

T0 = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def test_migrations_form_one_line() -> None:
    script = ScriptDirectory.from_config(warehouse.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_uploads_are_recorded_and_attributed_to_deliveries(tmp_path: Path) -> None:
    engine = warehouse.connect(f"sqlite:///{tmp_path / 'w.sqlite'}")
    assert "uploads" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        for sha, outcome in (
            ("a" * 64, "delivered"),
            ("b" * 64, "rejected"),
            ("c" * 64, "delivered"),
        ):
            records.record_upload(
                conn,
                uploaded_at=T0,
                uploaded_by="finance",
                year=2024,
                kind="financial_statements",
                path="2024/financial_statements.xlsx",
                client_name="fs.xlsx",
                sha256=sha,
                size_bytes=10,
                outcome=outcome,
            )
        # the pipeline ingested the first upload, and a file someone dropped by hand
        for sha in ("a" * 64, "d" * 64):
            conn.execute(
                insert(s.deliveries).values(
                    path="2024/financial_statements.xlsx",
                    year=2024,
                    kind="financial_statements",
                    sha256=sha,
                    size_bytes=10,
                    arrived_at=T0,
                    outcome="loaded",
                    rows_loaded=3,
                    rows_quarantined=0,
                )
            )
        records.set_event(conn, 1, "emitted")
    with engine.connect() as conn:
        deliveries = records.year_deliveries(conn, 2024)
        uploads = records.year_uploads(conn, 2024)
        years = records.upload_years(conn)
    assert [(d.sha256[0], d.uploaded_by) for d in deliveries] == [("d", None), ("a", "finance")]
    assert [(u.sha256[0], u.outcome, u.ingested, u.event) for u in uploads] == [
        ("c", "delivered", False, None),
        ("b", "rejected", False, None),
        ("a", "delivered", True, "emitted"),
    ]
    assert years == [2024]
    engine.dispose()

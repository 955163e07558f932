"""The ``uploads`` table: its migration, and how the status page joins it to deliveries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
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


def _upload(conn, at: dt.datetime, who: str, sha: str, outcome: str) -> None:  # noqa: ANN001
    records.record_upload(
        conn,
        uploaded_at=at,
        uploaded_by=who,
        year=2024,
        kind="financial_statements",
        path="2024/financial_statements.xlsx",
        client_name="fs.xlsx",
        sha256=sha * 64,
        size_bytes=10,
        outcome=outcome,
    )


@pytest.mark.parametrize(
    ("uploads", "expected"),
    [
        pytest.param(
            [(1, "admin", "a", "unchanged")], None, id="make-run-file-then-an-identical-copy"
        ),
        pytest.param(
            [(1, "admin", "a", "delivered")], None, id="same-bytes-delivered-after-the-arrival"
        ),
        pytest.param(
            [(-3, "alice", "a", "delivered"), (-2, "bob", "b", "delivered")],
            "alice",
            id="the-upload-of-these-bytes",
        ),
        pytest.param(
            [
                (-3, "alice", "a", "delivered"),
                (-2, "bob", "b", "delivered"),
                (-1, "carol", "a", "delivered"),
                (-1, "dave", "a", "unchanged"),
            ],
            "carol",
            id="the-latest-upload-that-wrote-them",
        ),
    ],
)
def test_a_delivery_names_the_upload_that_delivered_it(
    tmp_path: Path, uploads: list[tuple[int, str, str, str]], expected: str | None
) -> None:
    engine = warehouse.connect(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with engine.begin() as conn:
        for hours, who, sha, outcome in uploads:
            _upload(conn, T0 + dt.timedelta(hours=hours), who, sha, outcome)
        conn.execute(
            insert(s.deliveries).values(
                path="2024/financial_statements.xlsx",
                year=2024,
                kind="financial_statements",
                sha256="a" * 64,
                size_bytes=10,
                arrived_at=T0,
                outcome="loaded",
            )
        )
        stored = records.uploader_of(conn, "2024/financial_statements.xlsx", "a" * 64, T0)
    with engine.connect() as conn:
        shown = [d.uploaded_by for d in records.year_deliveries(conn, 2024)]
    engine.dispose()
    assert (stored, shown) == (expected, [expected])

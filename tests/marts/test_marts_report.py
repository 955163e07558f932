"""``report_figures``: every key of docs/report-json.md, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine

from oneitu_etl import pipeline
from oneitu_etl.marts import report_figures
from oneitu_etl.reference import Reference
from oneitu_etl.settings import Settings

#: Keys of report_<Y>.json the marts give (contract section 5 and the project's extensions).
FIGURE_KEYS = {
    "totals",
    "revenue_by_line",
    "expenses_by_line",
    "budget_execution",
    "budget_execution_by_sector",
    "zero_budget_units",
    "zero_budget_sectors",
    "expenses_by_strategic_code",
    "expenses_by_goal",
    "expenses_by_sector",
    "expenses_by_org_unit",
    "outputs_by_strategic_code",
    "cost_per_output",
    "indicators",
    "reconciliation",
    "one_itu",
    "previous_year",
    "trends",
    "data_quality",
    # contract version 2 (null where their inputs were not delivered)
    "plan_vs_actual",
    "plan_vs_actual_by_goal",
    "budget_reconciliation",
    "narratives",
    "staff",
    "membership",
    "document",
    # what the Council report shows beside them (docs/report-json.md)
    "narrative_texts",
    "outputs_by_type",
    "plan_by_org_unit",
    "activities",
}


def test_report_figures_has_every_key(conn: Connection, reference: Reference) -> None:
    data = report_figures(conn, 2024, reference, 1.0)
    assert set(data) == FIGURE_KEYS
    assert data["zero_budget_units"] == ["TSB"]
    assert data["zero_budget_sectors"] == ["T"]
    assert data["previous_year"]["year"] == 2023
    assert data["trends"]["totals"] == {
        "2023": {"revenue": 800.0, "expenses": 600.0, "surplus": 200.0},
        "2024": {"revenue": 1200.5, "expenses": 1000.25, "surplus": 200.25},
    }
    assert {"A2", "A3"} <= {a["activity_id"] for a in data["activities"]}
    assert set(data["data_quality"]) >= {
        "files",
        "rows_loaded",
        "rows_quarantined",
        "checks_run",
        "checks_failed",
        "deliveries",
        "quarantined",
    }


def test_one_itu_block(conn: Connection, reference: Reference) -> None:
    block = report_figures(conn, 2024, reference, 1.0)["one_itu"]
    assert {k: block[k] for k in ("joint_activity_share", "multi_sector_priorities")} == {
        "joint_activity_share": 0.5,
        "multi_sector_priorities": ["TP-INC"],
    }
    assert (block["activities"], block["joint_activities"]) == (10, 5)
    assert block["similarity_threshold"] == 85.0
    assert [(p["a"]["activity_id"], p["b"]["activity_id"]) for p in block["possible_overlaps"]] == [
        ("A2", "A3"),
        ("A7", "A9"),
    ]
    assert block["matrix"]["TP-INC"] == {"SG": 100.0, "R": 0.0, "T": 20.0, "D": 100.0}


def test_a_year_without_activities_has_no_joint_share(
    conn: Connection, reference: Reference
) -> None:
    data = report_figures(conn, 2023, reference, 1.0)
    assert data["one_itu"]["joint_activity_share"] is None
    assert data["one_itu"]["activities"] == 0
    assert data["previous_year"] is None
    assert list(data["trends"]["totals"]) == ["2023"]


def test_identical_on_sqlite_and_postgresql(
    loaded_sqlite: Engine, loaded_postgresql: Engine, reference: Reference
) -> None:
    texts = []
    for engine in (loaded_sqlite, loaded_postgresql):
        with engine.connect() as conn:
            texts.append(json.dumps(report_figures(conn, 2024, reference, 1.0), ensure_ascii=False))
    assert texts[0] == texts[1]


def test_staged_report_json_is_complete(
    landing_copy: Path, db_url: str, tmp_path: Path, ingest: Callable[..., Engine]
) -> None:
    ingest(landing_copy, tmp_path / "out", db_url).dispose()
    settings = Settings(landing=str(landing_copy), out=tmp_path / "out", db_url=db_url)
    path = pipeline.build_report_data(settings, 2024, generated_on=dt.date(2025, 2, 1))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["status"] == "published", data["errors"]
    assert set(data) >= FIGURE_KEYS | {"year", "plan", "currency", "errors", "generated_on"}
    assert data["plan"] == "SP2024-2027"
    # the pipeline adds its checks (expectations, the 9 reconciliation rules) to the block
    assert data["data_quality"]["checks_run"] >= 9
    assert data["data_quality"]["rows_quarantined"] == 3


def test_a_version_2_year_is_identical_on_sqlite_and_postgresql(
    loaded_v2_sqlite: Engine, loaded_v2_postgresql: Engine, reference: Reference
) -> None:
    texts = []
    for engine in (loaded_v2_sqlite, loaded_v2_postgresql):
        with engine.connect() as conn:
            data = report_figures(conn, 2024, reference, 1.0)
            assert all(data[key] is not None for key in FIGURE_KEYS if key != "previous_year")
            texts.append(json.dumps(data, ensure_ascii=False))
    assert texts[0] == texts[1]

"""Every DAG file imports cleanly and follows the project's Airflow conventions."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"

DAG_FILES = sorted(p for p in DAGS.glob("*.py") if p.name != "oneitu_common.py")
HEAVY = (
    "great_expectations",
    "pandas",
    "matplotlib",
    "weasyprint",
    "openpyxl",
    "duckdb",
    "oneitu_etl",
)


def test_no_import_errors(dagbag) -> None:  # noqa: ANN001
    assert dagbag.import_errors == {}


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in DAG_FILES])
def test_dag_file_conventions(dagbag, path) -> None:  # noqa: ANN001
    dag = dagbag.dags[path.stem]  # dag_id equals the file name
    assert dag.doc_md and len(dag.doc_md) > 100
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert "oneitu" in dag.tags
    assert dag.start_date.tzinfo is not None
    assert "year" in dag.params
    for t in dag.tasks:
        assert t.owner == "oneitu-data-engineering"
        assert t.execution_timeout is not None and t.execution_timeout <= dt.timedelta(hours=1)
        assert t.retries >= 1 and t.retry_exponential_backoff
        assert t.on_failure_callback


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in DAG_FILES])
def test_dag_file_imports_no_heavy_module(path) -> None:  # noqa: ANN001
    code = (
        "import json, runpy, sys\n"
        f"sys.path.insert(0, {str(DAGS)!r})\n"
        f"runpy.run_path({str(path)!r})\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={"AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_report_dag_is_scheduled_on_the_ingestion_assets(dagbag) -> None:  # noqa: ANN001
    dag = dagbag.dags["oneitu_annual_report"]
    uris = {a.uri for a in dag.timetable.asset_condition.objects}
    assert uris == {
        "oneitu://landing/finance",
        "oneitu://landing/sectors",
        "oneitu://landing/planning",
        "oneitu://landing/narratives",
        "oneitu://landing/gs_services",
    }
    assert type(dag.timetable.asset_condition).__name__ == "AssetAny"
    assert dag.timetable.timetable.expression == "0 6 31 1 *"  # the yearly fallback


def test_ingestion_dags_produce_their_asset(dagbag) -> None:  # noqa: ANN001
    for source in ("finance", "sectors", "planning", "narratives", "gs_services"):
        dag = dagbag.dags[f"oneitu_ingest_{source}"]
        outlets = [o.uri for t in dag.tasks for o in t.outlets]
        assert outlets == [f"oneitu://landing/{source}"]

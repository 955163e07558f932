"""The multi-worker deployment, for real, without Docker.

The topology of ``docker-compose.yml`` as separate processes: ``airflow api-server``,
``airflow scheduler``, ``airflow dag-processor`` and two ``airflow celery worker`` s, with
CeleryExecutor, Airflow's metadata and the warehouse in two separate throw-away databases on
the local PostgreSQL server, and Redis (database 7) as the Celery broker. The report DAG is
unpaused and triggered through the REST API v2 with a JWT, like an operator would; the test
then checks the published report against the demo workbook, read here with openpyxl, and
that the Celery workers ran the tasks.

Skips (laptop) or fails (CI) when PostgreSQL or Redis is missing. On failure, the logs of
every process and the task logs are kept under ``test-artifacts/distributed-<time>/``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from airflow_cluster import AirflowCluster, create_database, drop_database
from sqlalchemy import create_engine, text

from oneitu_etl.demo import generate_landing

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(900)]

log = logging.getLogger(__name__)

DAG_ID = "oneitu_annual_report"
WORKERS = {"oneitu-worker-a": 1, "oneitu-worker-b": 1}


def _forget_queue(redis_url: str, queue: str) -> None:
    """Remove the Redis keys of the cluster's own Celery queue."""
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)


def _totals(workbook: Path) -> dict[str, Decimal]:
    """The TOTAL_* lines of the statement of financial performance."""
    ws = openpyxl.load_workbook(workbook, data_only=True)["performance"]
    header, *rows = ws.iter_rows(values_only=True)
    col = {name: i for i, name in enumerate(header)}
    return {
        r[col["line_code"]]: Decimal(str(r[col["amount_chf"]])).quantize(Decimal("0.01"))
        for r in rows
        if r[col["line_code"]] and str(r[col["line_code"]]).startswith("TOTAL")
    }


@pytest.fixture
def cluster(
    pg_server: str,
    redis_url: str,
    tmp_path: Path,
    artifacts_dir: Path,
    request: pytest.FixtureRequest,
) -> Iterator[AirflowCluster]:
    """A running CeleryExecutor deployment; stopped and its databases dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {"metadata": f"oneitu_it_airflow_{tag}", "warehouse": f"oneitu_it_warehouse_{tag}"}
    urls: dict[str, str] = {}
    landing, out = tmp_path / "landing", tmp_path / "out"
    generate_landing(landing, [2023, 2024])
    home = tmp_path / "airflow"
    home.mkdir()
    cluster = None
    try:
        for role, name in names.items():
            urls[role] = create_database(pg_server, name)
        cluster = AirflowCluster(
            home=home,
            metadata_url=urls["metadata"],
            broker_url=redis_url,
            extra_env={
                "ONEITU_LANDING": str(landing),
                "ONEITU_OUT": str(out),
                "ONEITU_DB_URL": urls["warehouse"],
            },
        )
        started = time.monotonic()
        migrate = cluster.run("db", "migrate")
        assert migrate.returncode == 0, (migrate.stdout + migrate.stderr)[-4000:]
        cluster.start_all(WORKERS)
        cluster.wait_healthy()
        log.info("cluster up in %.0f s on %s", time.monotonic() - started, cluster.base_url)
        yield cluster
    finally:
        outcome = getattr(request.node, "rep_call", None)  # None: the set-up failed
        if cluster is not None:
            cluster.stop()
            if outcome is None or outcome.failed:
                kept = cluster.keep_logs(
                    artifacts_dir / f"distributed-{time.strftime('%Y%m%d-%H%M%S')}"
                )
                log.warning("logs of the distributed test kept in %s", kept)
            _forget_queue(redis_url, cluster.queue)
        for role, name in names.items():
            if role in urls:
                drop_database(pg_server, name)


def _deadlines(cluster: AirflowCluster, run_id: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """(deadline time, run queued at) of the run's pending Deadline Alerts, from the metadata DB."""
    engine = create_engine(cluster.metadata_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.deadline_time, r.queued_at FROM deadline AS d"
                    " JOIN dag_run AS r ON r.id = d.dagrun_id"
                    " WHERE r.dag_id = :dag_id AND r.run_id = :run_id"
                ),
                {"dag_id": DAG_ID, "run_id": run_id},
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_report_dag_runs_on_two_celery_workers(cluster: AirflowCluster, tmp_path: Path) -> None:
    with cluster.client() as api:
        dag = cluster.wait_for_dag(api, DAG_ID)
        assert dag["is_paused"] is True  # paused at creation, like any new DAG
        api.patch(f"/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
        triggered = api.post(
            f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": {"year": 2024}}
        )
        assert triggered.status_code == 200, triggered.text
        run_id = triggered.json()["dag_run_id"]
        # the Council deadline is armed for the run: 6 hours after it was queued
        [(deadline_time, queued_at)] = _deadlines(cluster, run_id)
        assert deadline_time - queued_at == dt.timedelta(hours=6)

        run = cluster.wait_for_run(api, DAG_ID, run_id)
        tis = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").raise_for_status().json()

    states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in tis["task_instances"]}
    assert run["state"] == "success", states
    assert states == {
        ("resolve_year", -1): "success",
        ("ingest", -1): "success",
        ("validate", -1): "success",
        ("build_report_data", -1): "success",
        ("languages", -1): "success",
        **{("render", i): "success" for i in range(6)},  # one mapped task per language
        ("publish", -1): "success",
    }
    hosts = {(ti["task_id"], ti["map_index"]): ti["hostname"] for ti in tis["task_instances"]}
    assert set(hosts.values()) <= set(WORKERS), hosts  # every task ran on a Celery worker
    assert len(set(hosts.values())) == 2, hosts  # and both workers took some
    assert {ti["queue"] for ti in tis["task_instances"]} == {cluster.queue}
    assert _deadlines(cluster, run_id) == []  # met: the scheduler removed it

    landing, out = tmp_path / "landing", tmp_path / "out"
    report = json.loads((out / "2024" / "report_2024.json").read_text(encoding="utf-8"))
    totals = _totals(landing / "2024" / "financial_statements.xlsx")
    assert report["status"] == "published" and report["errors"] == []
    assert report["year"] == 2024
    chf = {k: Decimal(str(v)).quantize(Decimal("0.01")) for k, v in report["totals"].items()}
    assert chf["revenue"] == totals["TOTAL_REVENUE"]
    assert chf["expenses"] == totals["TOTAL_EXPENSES"]
    assert chf["surplus"] == totals["TOTAL_REVENUE"] - totals["TOTAL_EXPENSES"]
    for lang in ("ar", "en", "es", "fr", "ru", "zh"):
        assert (out / "2024" / f"strategic_plan_report_2024_{lang}.pdf").stat().st_size > 10_000

"""Airflow's REST API refuses requests that are not signed in (a real ``airflow api-server``).

Uses the session's API server of ``conftest.airflow_api`` (simple auth manager: ``finance``
with role op, ``viewer`` with role viewer). The delivery page's own refusals are
``test_plugin_api.py::test_unauthenticated_requests_are_refused``. Only the version and
health endpoints answer anyone, by Airflow's design (they reveal no data).
"""

from __future__ import annotations

import httpx
import pytest
from delivery_support import AirflowApi

pytestmark = [pytest.mark.airflow, pytest.mark.integration]

DAG = "oneitu_annual_report"
READS = [
    "/api/v2/dags",
    f"/api/v2/dags/{DAG}",
    f"/api/v2/dags/{DAG}/dagRuns",
    "/api/v2/connections",
    "/api/v2/variables",
    "/api/v2/config",
    "/api/v2/assets/events",
]


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-credentials"),
        pytest.param({"Authorization": "Bearer not-a-jwt"}, id="forged-token"),
        pytest.param({"Cookie": "_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."}, id="alg-none"),
    ],
)
def test_reads_without_a_valid_sign_in_are_refused(
    airflow_api: AirflowApi, path: str, headers: dict[str, str]
) -> None:
    answer = httpx.get(airflow_api.url + path, headers=headers, timeout=30)
    assert answer.status_code in (401, 403), (path, answer.status_code, answer.text[:200])


def test_triggering_a_run_without_signing_in_is_refused(airflow_api: AirflowApi) -> None:
    url = f"{airflow_api.url}/api/v2/dags/{DAG}/dagRuns"
    body = {"logical_date": None, "conf": {"year": 2024}}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    with airflow_api.client("viewer") as viewer:  # signed in, but read-only
        assert viewer.post(f"/api/v2/dags/{DAG}/dagRuns", json=body).status_code == 403
        runs = viewer.get(f"/api/v2/dags/{DAG}/dagRuns").json()
    assert all((r.get("conf") or {}).get("year") != 2024 for r in runs["dag_runs"])


def test_a_signed_in_viewer_may_read(airflow_api: AirflowApi) -> None:
    """The refusals above are about signing in, not a broken server."""
    with airflow_api.client("viewer") as viewer:
        assert viewer.get(f"/api/v2/dags/{DAG}").status_code == 200
    assert httpx.get(f"{airflow_api.url}/api/v2/version", timeout=30).status_code == 200

"""Airflow set-up for the DAG tests: a throw-away AIRFLOW_HOME with a SQLite metadata DB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support import AIRFLOW, DAGS, airflow_env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated embedded Airflow metadata database, shared by the session."""
    home = tmp_path_factory.mktemp("airflow_home")
    done = subprocess.run(
        [str(AIRFLOW), "db", "migrate"],
        env=airflow_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return home


@pytest.fixture(scope="session")
def dagbag():
    """Every DAG file parsed the way the DAG processor does (DAG folder on sys.path)."""
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    if str(DAGS) not in sys.path:
        sys.path.insert(0, str(DAGS))
    from airflow.dag_processing.dagbag import DagBag  # noqa: PLC0415

    return DagBag(dag_folder=str(DAGS))

"""Airflow set-up for the DAG tests: a throw-away AIRFLOW_HOME with a SQLite metadata DB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
AIRFLOW = Path(sys.executable).parent / "airflow"


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for an embedded Airflow under ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW_", "AIRFLOW__", "ONEITU_"))
    }
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        PATH=f"{AIRFLOW.parent}:{env.get('PATH', '')}",
    )
    if os.environ.get("ONEITU_REQUIRE_SERVICES"):
        env["ONEITU_REQUIRE_SERVICES"] = os.environ["ONEITU_REQUIRE_SERVICES"]
    env.update(extra)
    return env


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

"""Helpers and facts the tests share, stated independently of the package."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SECTOR_OF_UNIT = {
    "GS": "SG",
    "BR": "R",
    "TSB": "T",
    "BDT": "D",
    "RO-AFR": "D",
    "RO-AMS": "D",
    "RO-ARB": "D",
    "RO-ASP": "D",
    "RO-CIS": "D",
    "RO-EUR": "D",
}


REPO = Path(__file__).resolve().parents[1]
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

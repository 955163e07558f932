"""``settings()`` in the DAGs: ONEITU_* variables first, then Airflow connections/variables."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests_support import DAGS

if str(DAGS) not in sys.path:
    sys.path.insert(0, str(DAGS))

import oneitu_common  # noqa: E402

NAMES = (
    "ONEITU_LANDING",
    "ONEITU_OUT",
    "ONEITU_DB_URL",
    "ONEITU_ARCHIVE",
    "AIRFLOW_CONN_ONEITU_WAREHOUSE",
    "AIRFLOW_VAR_ONEITU_LANDING",
    "AIRFLOW_VAR_ONEITU_OUT",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ONEITU_* variable and no One ITU connection or variable set."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_airflow_connection_and_variables_when_oneitu_variables_are_unset(env) -> None:  # noqa: ANN001
    env.setenv("AIRFLOW_CONN_ONEITU_WAREHOUSE", "postgresql://etl:s3cret%21@warehouse-db:5432/wh")
    env.setenv("AIRFLOW_VAR_ONEITU_LANDING", "s3://itu-landing/oneitu")
    env.setenv("AIRFLOW_VAR_ONEITU_OUT", "/srv/oneitu/out")

    s = oneitu_common.settings()

    assert s.db_url == "postgresql+psycopg://etl:s3cret%21@warehouse-db:5432/wh"
    assert s.landing == "s3://itu-landing/oneitu"
    assert s.out == Path("/srv/oneitu/out")
    assert s.archive == Path("/srv/oneitu/out/archive")


@pytest.mark.parametrize(
    ("conn", "url"),
    [
        pytest.param(
            "postgres://etl@db:5432/wh?sslmode=require",
            "postgresql+psycopg://etl@db:5432/wh?sslmode=require",
            id="postgres-scheme",
        ),
        pytest.param(
            '{"conn_type": "postgres", "host": "db", "login": "etl", "password": "pw",'
            ' "schema": "wh", "port": 5432}',
            "postgresql+psycopg://etl:pw@db:5432/wh",
            id="json",
        ),
        pytest.param(
            "sqlite:////srv/oneitu/warehouse.sqlite",
            "sqlite:////srv/oneitu/warehouse.sqlite",
            id="sqlite-absolute",
        ),
    ],
)
def test_warehouse_connection_forms(env, conn: str, url: str) -> None:  # noqa: ANN001
    env.setenv("ONEITU_LANDING", "/landing")
    env.setenv("AIRFLOW_CONN_ONEITU_WAREHOUSE", conn)
    assert oneitu_common.settings().db_url == url


def test_oneitu_variables_win_over_airflow(env, tmp_path: Path) -> None:  # noqa: ANN001
    env.setenv("AIRFLOW_CONN_ONEITU_WAREHOUSE", "postgresql://etl@warehouse-db/wh")
    env.setenv("AIRFLOW_VAR_ONEITU_LANDING", "s3://itu-landing/oneitu")
    env.setenv("AIRFLOW_VAR_ONEITU_OUT", "/srv/oneitu/out")
    env.setenv("ONEITU_LANDING", str(tmp_path / "landing"))
    env.setenv("ONEITU_OUT", str(tmp_path / "out"))
    env.setenv("ONEITU_DB_URL", "sqlite:///" + str(tmp_path / "wh.sqlite"))

    s = oneitu_common.settings()

    assert (s.landing, s.out, s.db_url) == (
        str(tmp_path / "landing"),
        tmp_path / "out",
        "sqlite:///" + str(tmp_path / "wh.sqlite"),
    )


def test_embedded_defaults_when_nothing_is_set(env) -> None:  # noqa: ANN001
    s = oneitu_common.settings()
    assert s.out == Path("out")
    assert s.db_url == f"sqlite:///{Path('out').resolve() / 'warehouse.sqlite'}"
    assert s.landing == ""

"""Shared test fixtures: warehouses on SQLite and on the PostgreSQL server, services.

A test that needs a server or a browser calls ``tests_support.require`` (or uses the ``pg_url``
fixture): on a laptop without it the test skips with the reason; on CI
(``ONEITU_REQUIRE_SERVICES=1``, set by ``.ci/run``) it fails instead, so CI runs every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import create_pg_database, drop_pg_database, require

PG_ADMIN_URL = os.environ.get(
    "ONEITU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REPO = Path(__file__).resolve().parent.parent


def _pg_available() -> bool:
    from sqlalchemy import create_engine, text  # noqa: PLC0415

    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no server here
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URL of the PostgreSQL server (skips/fails when none answers)."""
    require(_pg_available(), f"no PostgreSQL server answers at {PG_ADMIN_URL}")
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name, url = create_pg_database(pg_server)
    try:
        yield url
    finally:
        drop_pg_database(pg_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The warehouse URL on each supported database: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
        return
    server = request.getfixturevalue("pg_server")
    name, url = create_pg_database(server)
    try:
        yield url
    finally:
        drop_pg_database(server, name)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep artefacts a person may want to look at (screenshots...)."""
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path

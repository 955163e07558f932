"""Warehouses holding the hand-made landing zone of ``tests/marts/data/landing``.

The landing zone is small enough to check by hand: two years (2023 under SP2020-2023,
2024 under SP2024-2027), a unit with a zero final budget, zero allocations, quarantined
activity and indicator rows, near-duplicate titles across sectors. It is ingested
through the pipeline's own stage 1 (``pipeline.ingest``), once per backend per session
(the marts only read), at a fixed time so that both backends hold the same data.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from tests_support import create_pg_database, drop_pg_database

from oneitu_etl import pipeline, warehouse
from oneitu_etl.reference import Reference, load_reference
from oneitu_etl.settings import Settings

LANDING = Path(__file__).resolve().parent / "data" / "landing"
#: (v2) One year with every input of contract version 2, figures small enough to check by hand.
LANDING_V2 = Path(__file__).resolve().parent / "data" / "landing_v2"
#: Time of every test run of the pipeline: arrival times are the same on both backends.
NOW = dt.datetime(2025, 1, 31, 12, 0, tzinfo=dt.UTC)
YEARS = (2023, 2024)


def ingest_years(landing: Path, out: Path, db_url: str, years: tuple[int, ...] = YEARS) -> Engine:
    """Run stage 1 for each year and return an engine on the warehouse.

    Fails the test when a year is blocked: the hand-made data is valid.
    """
    settings = Settings(landing=str(landing), out=out, db_url=db_url)
    for year in years:
        result = pipeline.ingest(settings, year, now=NOW)
        assert not result.blocking, [issue.line() for issue in result.blocking]
    return warehouse.connect(db_url)


@pytest.fixture(scope="session")
def loaded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The hand-made landing zone loaded into a SQLite warehouse."""
    out = tmp_path_factory.mktemp("marts_sqlite")
    engine = ingest_years(LANDING, out, f"sqlite:///{out / 'warehouse.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def loaded_postgresql(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Engine]:
    """The hand-made landing zone loaded into a fresh PostgreSQL database."""
    name, url = create_pg_database(pg_server)
    try:
        engine = ingest_years(LANDING, tmp_path_factory.mktemp("marts_pg"), url)
        yield engine
        engine.dispose()
    finally:
        drop_pg_database(pg_server, name)


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def loaded(request: pytest.FixtureRequest) -> Engine:
    """The hand-made landing zone loaded, on each backend."""
    return request.getfixturevalue(f"loaded_{request.param}")


@pytest.fixture
def conn(loaded: Engine) -> Iterator[Connection]:
    """A connection to the loaded warehouse (read only by the marts)."""
    with loaded.connect() as connection:
        yield connection


@pytest.fixture(scope="session")
def loaded_v2_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The hand-made version 2 landing zone loaded into a SQLite warehouse."""
    out = tmp_path_factory.mktemp("marts_v2_sqlite")
    engine = ingest_years(LANDING_V2, out, f"sqlite:///{out / 'warehouse.sqlite'}", (2024,))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def loaded_v2_postgresql(
    tmp_path_factory: pytest.TempPathFactory, pg_server: str
) -> Iterator[Engine]:
    """The hand-made version 2 landing zone loaded into a fresh PostgreSQL database."""
    name, url = create_pg_database(pg_server)
    try:
        engine = ingest_years(LANDING_V2, tmp_path_factory.mktemp("marts_v2_pg"), url, (2024,))
        yield engine
        engine.dispose()
    finally:
        drop_pg_database(pg_server, name)


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def loaded_v2(request: pytest.FixtureRequest) -> Engine:
    """The hand-made version 2 landing zone loaded, on each backend."""
    return request.getfixturevalue(f"loaded_v2_{request.param}")


@pytest.fixture
def conn_v2(loaded_v2: Engine) -> Iterator[Connection]:
    """A connection to the loaded version 2 warehouse."""
    with loaded_v2.connect() as connection:
        yield connection


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The package's reference data."""
    return load_reference()


@pytest.fixture
def landing_copy(tmp_path: Path) -> Path:
    """A copy of the hand-made landing zone that a test may change."""
    target = tmp_path / "landing"
    shutil.copytree(LANDING, target)
    return target


@pytest.fixture(scope="session")
def ingest() -> Callable[..., Engine]:
    """:func:`ingest_years`, for tests that load a landing zone of their own."""
    return ingest_years

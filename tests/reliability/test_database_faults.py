"""Database faults: the warehouse PostgreSQL unreachable, or restarted in the middle of a run.

The test creates its own PostgreSQL cluster with ``initdb`` on a free port and starts and
stops it with ``pg_ctl`` (as the ``postgres`` user when the tests run as root), so that
stopping it harms nobody. Each fault must end in a clear message (for ``oneitu run``: exit
3 and one line on stderr, no traceback), leave no partial data, and a retry once the
server is back must succeed with the same warehouse as an undisturbed run.

Airflow's part: the report DAG's tasks retry with exponential backoff
(``tests/dags/test_dag_integrity.py`` checks ``retries`` and ``retry_exponential_backoff``
on every task); what a retry does is call the same stage function again, which
:func:`test_a_stage_retried_after_the_server_is_back_succeeds` shows.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    FIRST_DELIVERY,
    YEAR,
    PgServer,
    fingerprint,
    make_landing,
    oneitu,
    postgres_bin,
    run_args,
)
from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import OperationalError
from tests_support import require

from oneitu_etl import cli, pipeline, warehouse
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import loads, runs
from oneitu_etl.warehouse import schema as s

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    """A PostgreSQL server of this module's own, started (skips on a laptop without the
    server binaries, fails on CI: ``tests_support.require``)."""
    bindir = postgres_bin()
    require(bindir is not None, "PostgreSQL server binaries (initdb, pg_ctl) not installed")
    pg = PgServer(bindir)
    try:
        pg.start()
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def database(server: PgServer) -> str:
    """A new database on the throw-away server (the server is running)."""
    return server.create_database(f"oneitu_{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_landing(tmp_path_factory.mktemp("db_faults") / "landing", FIRST_DELIVERY)


@pytest.fixture(scope="module")
def undisturbed(
    server: PgServer, landing: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str]]:
    """The fingerprint of the warehouse after an undisturbed ``oneitu run``."""
    url = server.create_database("undisturbed")
    done = oneitu(run_args(landing, tmp_path_factory.mktemp("undisturbed"), url))
    assert done.returncode == 0, done.stderr
    return fingerprint(url)


def _attempts(url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r["status"], r["message"]) for r in reversed(runs.latest(conn, YEAR))]
    finally:
        engine.dispose()


def test_an_unreachable_warehouse_is_one_clear_line_and_the_retry_succeeds(
    server: PgServer,
    database: str,
    landing: Path,
    tmp_path: Path,
    undisturbed: dict[str, tuple[int, str]],
) -> None:
    server.stop()
    try:
        down = oneitu(run_args(landing, tmp_path / "out", database))
    finally:
        server.start()

    assert down.returncode == cli.EXIT_FAILED
    assert down.stdout == ""
    [line] = down.stderr.splitlines()
    assert line.startswith(
        "oneitu run: the warehouse could not be reached or failed during the run; nothing "
        "partial was kept, run it again once it is back (OperationalError: connection failed:"
    ), line
    assert f'"127.0.0.1", port {server.port} failed: Connection refused)' in line
    assert not (tmp_path / "out" / str(YEAR)).exists()  # nothing published

    again = oneitu(run_args(landing, tmp_path / "out", database))
    assert again.returncode == cli.EXIT_OK, again.stderr
    assert fingerprint(database) == undisturbed
    assert [status for status, _ in _attempts(database)] == ["published"]


def test_a_restart_mid_transaction_leaves_no_partial_data_and_the_retry_succeeds(
    server: PgServer,
    database: str,
    landing: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    undisturbed: dict[str, tuple[int, str]],
) -> None:
    """The server restarts (fast shutdown: sessions terminated) while the activity files
    are being loaded: the run fails in one line, the transaction is rolled back, the lock
    is released; the next run publishes the same warehouse as an undisturbed one."""
    monkeypatch.setattr(loads, "_CHUNK_ROWS", 1)
    real_insert = loads._insert_records
    inserted: list[object] = []

    def insert_records(conn: object, table: object, records: list[dict]) -> None:
        if table is s.activities and len(inserted) == 2:
            server.restart()
        real_insert(conn, table, records)
        if table is s.activities:
            inserted.extend(records)

    args = run_args(landing, tmp_path / "out", database)
    with monkeypatch.context() as patch:
        patch.setattr(loads, "_insert_records", insert_records)
        code = cli.main(args)
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    [line] = err.splitlines()
    assert line.startswith("oneitu run: the warehouse could not be reached or failed during")
    assert "Traceback" not in err

    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            activities = conn.execute(select(s.activities.c.activity_id)).all()
            kinds = [r.kind for r in conn.execute(select(s.deliveries.c.kind))]
            held = conn.execute(select(s.lock.c.year)).all()
    finally:
        engine.dispose()
    assert len(inserted) == 2 and activities == []  # the two rows inserted were rolled back
    assert "activities" not in kinds
    assert held == []  # the failed run released the year's lock
    [(status, message)] = _attempts(database)
    assert status == "failed" and message.startswith("OperationalError: "), message

    assert cli.main(args) == cli.EXIT_OK
    assert fingerprint(database) == undisturbed
    assert [status for status, _ in _attempts(database)] == ["failed", "published"]


def test_a_restart_between_stages_is_survived(
    server: PgServer,
    database: str,
    landing: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    undisturbed: dict[str, tuple[int, str]],
) -> None:
    """Connections found dead are replaced (``pool_pre_ping``): a restart while no
    statement runs costs nothing."""
    real_validate = pipeline._validate

    def validate(*args: object, **kwargs: object) -> object:
        server.restart()
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_validate", validate)
    assert cli.main(run_args(landing, tmp_path / "out", database)) == cli.EXIT_OK
    assert fingerprint(database) == undisturbed


def test_a_stage_retried_after_the_server_is_back_succeeds(
    server: PgServer, database: str, landing: Path, tmp_path: Path
) -> None:
    """What an Airflow retry does: the failed task's stage function is called again."""
    settings = Settings(landing=str(landing), out=tmp_path / "out", db_url=database)
    server.stop()
    try:
        with pytest.raises(OperationalError):
            pipeline.ingest(settings, YEAR)
    finally:
        server.start()
    result = pipeline.ingest(settings, YEAR)
    assert result.blocking == []
    assert sum(g.rows_loaded for g in result.groups) > 0


def test_a_server_that_never_answers_fails_after_the_connect_timeout(
    landing: Path, tmp_path: Path
) -> None:
    """A host that accepts the TCP connection and then says nothing (a hung server, a
    half-open firewall) fails the run after the connect timeout instead of hanging it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever answers
        port = silent.getsockname()[1]
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres?connect_timeout=2"
        started = time.monotonic()
        done = oneitu(run_args(landing, tmp_path / "out", url), timeout=120)
        elapsed = time.monotonic() - started
    assert done.returncode == cli.EXIT_FAILED, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("oneitu run: the warehouse could not be reached") and "timeout" in line
    assert elapsed < 60


def test_server_connections_have_a_timeout_by_default() -> None:
    """Without ``connect_timeout`` in the URL the warehouse engine sets 10 seconds."""
    seen: dict[str, object] = {}
    for url, expected in (
        ("postgresql+psycopg://u@127.0.0.1:1/db", 10),
        ("postgresql+psycopg://u@127.0.0.1:1/db?connect_timeout=3", "3"),
    ):
        engine = warehouse.make_engine(url)

        @event.listens_for(engine, "do_connect")
        def capture(dialect, record, cargs, cparams) -> None:  # noqa: ANN001
            seen.update(cparams)
            raise ConnectionAbortedError("captured")

        with pytest.raises(ConnectionAbortedError):
            engine.connect()
        engine.dispose()
        assert seen["connect_timeout"] == expected

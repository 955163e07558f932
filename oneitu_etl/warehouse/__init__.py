"""The warehouse: the only place that writes to the database.

:func:`connect` opens the warehouse for a SQLAlchemy URL (SQLite by default, PostgreSQL
in production) and brings its schema to the latest Alembic migration.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the warehouse at ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the warehouse; SQLite gets WAL and foreign keys, a server
    database a connection timeout (10 s) and a check of pooled connections before use."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # a server that accepts connections but never answers (a firewall, a hung host) fails
    # the connection after this many seconds instead of hanging the run; a
    # ``?connect_timeout=N`` in the URL wins
    options = {} if "connect_timeout=" in url else {"connect_args": {"connect_timeout": 10}}
    return create_engine(url, pool_pre_ping=True, **options)


#: Alembic's ``context`` is a module-level proxy: two upgrades at once in one process (threads
#: of a web server, a test's forked workers) would remove each other's proxy.
_MIGRATING = threading.Lock()
#: PostgreSQL advisory lock key serialising first migrations across processes.
_PG_MIGRATION_LOCK = 0x0E17_0001


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def migrate(engine: Engine) -> None:
    """Upgrade the warehouse schema to the latest migration (nothing to do: no Alembic run).

    Concurrent callers are serialised: threads by a process lock, processes on PostgreSQL
    by an advisory lock held for the migration's transaction, processes on SQLite by the
    database's write lock, taken at the start of that transaction (``BEGIN IMMEDIATE``;
    the others wait up to the busy timeout, then find the schema migrated).
    """
    with engine.connect() as connection:
        if set(MigrationContext.configure(connection).get_current_heads()) == _heads():
            return
    logging.getLogger("alembic").setLevel(logging.WARNING)
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _MIGRATING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        elif connection.dialect.name == "sqlite":
            # pysqlite opens no transaction before DDL: two processes creating the first
            # schema at once failed with "table alembic_version already exists"
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def connect(url: str) -> Engine:
    """Open the warehouse at ``url`` and migrate it to the latest schema.

    Args:
        url: SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``).

    Returns:
        A ready engine.
    """
    engine = make_engine(url)
    migrate(engine)
    return engine

"""The warehouse: the only place that writes to the database.

:func:`connect` opens the warehouse for a SQLAlchemy URL (SQLite by default, PostgreSQL
in production) and brings its schema to the latest Alembic migration.

Alembic is imported only when a migration has to run (a new warehouse, or one behind the
migrations the package ships): importing it costs about 0.13 s, which every process that
opens an up-to-date warehouse (``oneitu run`` on an existing warehouse, each Airflow task)
paid for nothing. Whether the warehouse is at the latest revision is decided without it:
the revisions stored in ``alembic_version`` (plain SQLAlchemy) against the heads of the
migration scripts, read from their source (:func:`head_revisions`).
"""

from __future__ import annotations

import ast
import functools
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    column,
    create_engine,
    event,
    insert,
    inspect,
    select,
    table,
    text,
)

from oneitu_etl.settings import sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
#: Alembic's version table, as ``migrations/env.py`` leaves it (default name, no schema).
_VERSION = table("alembic_version", column("version_num"))


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the warehouse at ``url``."""
    from alembic.config import Config  # noqa: PLC0415 - Alembic only when it runs

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
        if path := sqlite_file(url):
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


class _NotLiteral(Exception):
    """A migration script whose revisions cannot be read without running it."""


def _assigned(tree: ast.Module, name: str) -> object:
    """The literal a module assigns to ``name`` at top level (``None`` when it does not)."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            try:
                return ast.literal_eval(value)
            except ValueError:
                raise _NotLiteral(name) from None
    return None


def _revisions(value: object) -> set[str]:
    """A ``down_revision``: ``None``, one revision or several (a merge)."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return set(value)
    raise _NotLiteral(repr(value))


@functools.cache
def head_revisions(versions: Path = MIGRATIONS / "versions") -> frozenset[str] | None:
    """The head revisions of the migration scripts in ``versions``, read without Alembic.

    Each script's ``revision`` and ``down_revision`` are read from its source (literals, as
    Alembic writes them); the heads are the revisions no script revises. The scripts are
    the files Alembic loads: the folder's ``*.py`` but ``__init__*`` and editor lock files.
    ``None`` when there is no script or one does not state them as literals: then only
    Alembic can tell (and :func:`migrate` lets it). A test checks the answer against
    Alembic's own heads.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        if path.name.startswith(("__init__", ".#")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        try:
            revision = _assigned(tree, "revision")
            down = _revisions(_assigned(tree, "down_revision"))
        except _NotLiteral:
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        revised |= down
    return frozenset(revisions - revised) if revisions else None


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the warehouse is at, read from ``alembic_version`` (none: a new one).

    What Alembic's ``MigrationContext.get_current_heads`` answers, without importing it.
    """
    if not inspect(connection).has_table(_VERSION.name):
        return frozenset()
    return frozenset(connection.execute(select(_VERSION.c.version_num)).scalars())


def migrate(engine: Engine) -> None:
    """Upgrade the warehouse schema to the latest migration (nothing to do: no Alembic import).

    Concurrent callers are serialised: threads by a process lock, processes on PostgreSQL
    by an advisory lock held for the migration's transaction, processes on SQLite by the
    database's write lock, taken at the start of that transaction (``BEGIN IMMEDIATE``;
    the others wait up to the busy timeout, then find the schema migrated).
    """
    with engine.connect() as connection:
        # heads that only Alembic can read (None) never match: Alembic decides then
        if current_revisions(connection) == head_revisions():
            return
    with _MIGRATING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        elif connection.dialect.name == "sqlite":
            # pysqlite opens no transaction before DDL: two processes creating the first
            # schema at once failed with "table alembic_version already exists"
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            if _create_new(connection):
                return
        from alembic import command  # noqa: PLC0415 - imported only when a migration runs

        logging.getLogger("alembic").setLevel(logging.WARNING)
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def _create_new(connection: Connection) -> bool:
    """Create a new, empty SQLite warehouse at the head revision at once; ``False`` if not new.

    Alembic's recipe for a fresh database ("create_all, then stamp head"), without Alembic:
    the tables of :mod:`.schema`, then the head revision in ``alembic_version``, created as
    Alembic creates it. Every ``oneitu run`` with a new ``--out`` starts here; running the
    migrations one by one cost it Alembic's import (0.15 s) and 0.03 s of DDL. That the
    migrations and the schema give the same tables is tested
    (``tests/warehouse/test_migrate.py``: Alembic's ``compare_metadata`` finds nothing).
    """
    heads = head_revisions()
    if heads is None or len(heads) != 1 or inspect(connection).get_table_names():
        return False
    from oneitu_etl.warehouse.schema import metadata  # noqa: PLC0415

    metadata.create_all(connection)
    version = MetaData()
    Table(
        _VERSION.name,
        version,
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    ).create(connection)
    connection.execute(insert(_VERSION).values(version_num=next(iter(heads))))
    log.info("new warehouse created at revision %s", next(iter(heads)))
    return True


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

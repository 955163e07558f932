"""Alembic environment: migrations run on the connection the warehouse hands over."""

from alembic import context
from sqlalchemy import create_engine

from oneitu_etl.warehouse.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    """Run on ``config.attributes['connection']`` or on a new engine for the URL."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; pass a database URL")
run_migrations_online()

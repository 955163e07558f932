"""Opening the warehouse: Alembic runs (and is imported) only when a migration is due.

Whether the warehouse is at the latest revision is read without Alembic: the revision in
``alembic_version`` against the heads of the migration scripts, read from their source.
Both answers are checked here against Alembic's own, on the package's migrations and on
made-up folders of scripts (branches, merges, annotated assignments). A new SQLite
warehouse is created at once at the head revision (the migrations are shown to leave the
same schema); a new server database and one behind the scripts are migrated by Alembic.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect

from oneitu_etl import warehouse
from oneitu_etl.warehouse.schema import metadata

REPO = Path(__file__).resolve().parents[2]


def alembic_heads() -> set[str]:
    return set(ScriptDirectory.from_config(warehouse.alembic_config("sqlite://")).get_heads())


def alembic_current(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def read_current(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return warehouse.current_revisions(conn)


def run_alembic(url: str, *steps: tuple[str, str]) -> None:
    """Alembic's own commands on the warehouse at ``url``: ``("upgrade", "head")``..."""
    engine = create_engine(url)
    config = warehouse.alembic_config(url)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            for name, revision in steps:
                getattr(command, name)(config, revision)
    finally:
        engine.dispose()


def table_columns(url: str) -> dict[str, list[str]]:
    """Every table of the warehouse at ``url`` and its columns' names."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {
                n: sorted(c["name"] for c in found.get_columns(n)) for n in found.get_table_names()
            }
    finally:
        engine.dispose()


def test_the_heads_read_from_the_package_scripts_are_alembics() -> None:
    assert warehouse.head_revisions() == alembic_heads()
    assert len(warehouse.head_revisions()) == 1


SCRIPT_TREES = {
    "one line": {"a.py": ("a", None), "b.py": ("b", "a"), "c.py": ("c", "b")},
    "two branches": {"a.py": ("a", None), "b.py": ("b", "a"), "c.py": ("c", "a")},
    "merged": {"a.py": ("a", None), "b.py": ("b", "a"), "c.py": ("c", "a"), "d.py": ("d", ("b", "c"))},
}  # fmt: skip


@pytest.mark.parametrize("annotated", [False, True], ids=["plain", "annotated"])
@pytest.mark.parametrize("tree", list(SCRIPT_TREES))
def test_the_heads_of_any_scripts_are_alembics(tmp_path: Path, tree: str, annotated: bool) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "__init__.py").write_text('revision = "not a script"\n')
    for name, (revision, down) in SCRIPT_TREES[tree].items():
        hints = (": str", ": str | tuple[str, ...] | None") if annotated else ("", "")
        (versions / name).write_text(
            f'"""{name}"""\n\nimport sqlalchemy as sa\n\n'
            f"revision{hints[0]} = {revision!r}\ndown_revision{hints[1]} = {down!r}\n"
            "branch_labels = None\n\n\ndef upgrade() -> None:\n    pass\n"
        )

    expected = set(ScriptDirectory(str(tmp_path)).get_heads())

    assert warehouse.head_revisions(versions) == expected


def test_scripts_that_only_alembic_can_read_are_left_to_it(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (versions / "b.py").write_text('revision = "b"\ndown_revision = "a".lower()\n')

    assert warehouse.head_revisions(versions) is None
    assert warehouse.head_revisions(tmp_path / "none") is None


def test_the_current_revision_is_alembics(db_url: str) -> None:
    engine = warehouse.make_engine(db_url)
    try:
        assert read_current(engine) == alembic_current(engine) == set()
        warehouse.migrate(engine)
        assert read_current(engine) == alembic_current(engine) == alembic_heads()
    finally:
        engine.dispose()


def test_a_warehouse_behind_the_scripts_is_upgraded_by_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    config = warehouse.alembic_config(url)
    (head,) = alembic_heads()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    run_alembic(url, ("upgrade", previous))
    engine = create_engine(url)
    assert read_current(engine) == {previous}
    engine.dispose()

    engine = warehouse.connect(url)

    assert read_current(engine) == alembic_current(engine) == {head}
    assert set(inspect(engine).get_table_names()) >= {"deliveries", "runs", "alembic_version"}
    engine.dispose()


OPEN = """
import sys
import oneitu_etl.pipeline
from oneitu_etl import warehouse
from oneitu_etl.warehouse.schema import metadata
print("alembic" in sys.modules)
warehouse.connect(sys.argv[1]).dispose()
print("alembic" in sys.modules)
"""


def loads_alembic(url: str) -> list[str]:
    """Whether Alembic was imported in a fresh process: after importing the pipeline,
    after opening the warehouse at ``url``."""
    done = subprocess.run(
        [sys.executable, "-c", OPEN, url],
        env={**os.environ, "PYTHONPATH": str(REPO)},  # this checkout, not an installed copy
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_alembic_is_imported_only_to_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"

    assert loads_alembic(url) == ["False", "False"]  # a new SQLite warehouse: created at once
    assert loads_alembic(url) == ["False", "False"]  # at the latest revision: no Alembic
    engine = create_engine(url)
    assert alembic_current(engine) == alembic_heads()
    engine.dispose()


def test_a_migrated_warehouse_is_the_schema_a_new_one_is_created_with(db_url: str) -> None:
    """Alembic's migrations, run one by one, leave exactly the tables of ``schema.metadata``
    (what a new SQLite warehouse is created with): ``compare_metadata`` finds nothing."""
    run_alembic(db_url, ("upgrade", "head"))
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    if db_url.startswith("postgresql"):  # the server folds a unique key on the primary key
        differences = [
            d for d in differences if getattr(d[1], "name", None) != "uq_year_locks_year"
        ]
    assert differences == []


def test_a_new_sqlite_warehouse_is_created_at_the_head_and_later_migrations_apply(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    engine = warehouse.connect(url)  # created at once
    assert read_current(engine) == alembic_current(engine) == alembic_heads()
    engine.dispose()
    other = f"sqlite:///{tmp_path / 'alembic.sqlite'}"
    run_alembic(other, ("upgrade", "head"))  # what Alembic alone leaves, in another file

    assert table_columns(url) == table_columns(other)
    # the stamp is Alembic's: a downgrade and an upgrade run from it
    (head,) = alembic_heads()
    run_alembic(url, ("downgrade", "-1"), ("upgrade", "head"))
    engine = create_engine(url)
    assert alembic_current(engine) == {head}
    engine.dispose()

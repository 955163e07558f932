"""reference_names: the reference codes' names, one row per list, code and language

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:40:00

The names of the reference codes were two columns of each reference table (``name_en``,
``name_fr`` of ``sectors``, ``org_units``, ``statement_lines`` and
``strategic_elements``), so a language was a migration. They are now rows of
``reference_names`` (``list``, ``code``, ``language``, ``name``), as the package ships
them (``names_<lang>.csv``): a new language is data. The lists are ``org_unit``,
``sector``, ``statement_line`` and ``framework_<first>_<last>`` (the elements of plan
``SP<first>-<last>``), and the code lists' own names (``output_type``...), which had no
column before. The upgrade keeps the English and French names already stored; the next
ingestion replaces the reference data whole, in every language. The downgrade puts the
two columns back, filled from the English and French rows (the code where one is
missing).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LANGUAGES = ("en", "fr")  # the languages that had a column

_NAMES = sa.table(
    "reference_names",
    sa.column("list", sa.String),
    sa.column("code", sa.String),
    sa.column("language", sa.String),
    sa.column("name", sa.Text),
)
#: Each reference table that had names, and the column holding its codes.
_TABLES = {
    "sectors": "code",
    "org_units": "code",
    "statement_lines": "line_code",
    "strategic_elements": "code",
}


def _named(name: str, code: str) -> tuple[sa.TableClause, sa.ColumnElement[str]]:
    """A reference table with its names' columns, and the list its codes are named in."""
    table = sa.table(
        name,
        sa.column(code, sa.String),
        *(sa.column(f"name_{lang}", sa.Text) for lang in LANGUAGES),
        sa.column("plan", sa.String),
    )
    if name == "strategic_elements":  # SP2024-2027 -> framework_2024_2027
        plan = sa.func.replace(sa.func.substr(table.c.plan, 3), "-", "_", type_=sa.String)
        return table, sa.literal("framework_", sa.String).concat(plan)
    lists = {"sectors": "sector", "org_units": "org_unit", "statement_lines": "statement_line"}
    return table, sa.literal(lists[name], sa.String)


def upgrade() -> None:
    op.create_table(
        "reference_names",
        sa.Column("list", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("list", "code", "language", name=op.f("pk_reference_names")),
    )
    for name, code in _TABLES.items():
        table, list_name = _named(name, code)
        for lang in LANGUAGES:
            rows = sa.select(
                list_name, table.c[code], sa.literal(lang, sa.String), table.c[f"name_{lang}"]
            )
            op.execute(_NAMES.insert().from_select(["list", "code", "language", "name"], rows))
        with op.batch_alter_table(name, schema=None) as batch_op:
            for lang in reversed(LANGUAGES):
                batch_op.drop_column(f"name_{lang}")


def downgrade() -> None:
    for name, code in reversed(_TABLES.items()):
        with op.batch_alter_table(name, schema=None) as batch_op:
            for lang in LANGUAGES:
                batch_op.add_column(sa.Column(f"name_{lang}", sa.Text(), nullable=True))
        table, list_name = _named(name, code)
        for lang in LANGUAGES:
            given = (
                sa.select(_NAMES.c.name)
                .where(
                    _NAMES.c.list == list_name,
                    _NAMES.c.code == table.c[code],
                    _NAMES.c.language == lang,
                )
                .scalar_subquery()
            )
            op.execute(
                table.update().values({f"name_{lang}": sa.func.coalesce(given, table.c[code])})
            )
        with op.batch_alter_table(name, schema=None) as batch_op:
            for lang in LANGUAGES:
                batch_op.alter_column(f"name_{lang}", existing_type=sa.Text(), nullable=False)
    op.drop_table("reference_names")

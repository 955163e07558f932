"""contract version 2: planned resources, the IPSAS 24 bridge, narratives, staff, membership,
the Council document

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:40:00

Six data tables, each with the lineage of the version 1 tables (``delivery_id``,
``row_number``) and an index on (``year``, ``delivery_id``): ``fs_budget_allocation``,
``fs_budget_reconciliation``, ``narratives``, ``staff``, ``membership`` and
``council_document``. Nothing existing changes: a version 1 warehouse gains empty tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TABLES: dict[str, list[sa.Column]] = {
    "fs_budget_allocation": [
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=False),
        sa.Column("approved_budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("final_budget_cents", sa.BigInteger(), nullable=False),
    ],
    "fs_budget_reconciliation": [
        sa.Column("item_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    ],
    "narratives": [
        sa.Column("narrative_id", sa.Text(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
    ],
    "staff": [
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
    ],
    "membership": [
        sa.Column("sector", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("participating", sa.Integer(), nullable=True),
    ],
    "council_document": [
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
    ],
}


def upgrade() -> None:
    for name, columns in _TABLES.items():
        op.create_table(
            name,
            sa.Column("delivery_id", sa.Integer(), nullable=False),
            sa.Column("row_number", sa.Integer(), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            *columns,
            sa.ForeignKeyConstraint(
                ["delivery_id"],
                ["deliveries.id"],
                name=op.f(f"fk_{name}_delivery_id_deliveries"),
            ),
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(f"ix_{name}_year", ["year", "delivery_id"], unique=False)


def downgrade() -> None:
    for name in reversed(_TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_year")
        op.drop_table(name)

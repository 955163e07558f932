"""ledger_files: where each ledger delivery's lines are in the ledger store

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:00:00

From this revision on, a ledger's typed lines are written to the ledger store (Parquet,
``oneitu_etl.warehouse.ledger_store``) and ``ledger_files`` records where. Lines loaded
before stay rows of ``expense_ledger``, which is read, no longer written.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_files",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_ledger_files_delivery_id_deliveries"),
        ),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_ledger_files")),
    )
    with op.batch_alter_table("ledger_files", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_files_year", ["year", "delivery_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_files", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_files_year")
    op.drop_table("ledger_files")

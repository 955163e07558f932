"""ledger_totals: each ledger delivery summed by unit, strategic code and line

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_totals",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_ledger_totals_delivery_id_deliveries"),
        ),
    )
    with op.batch_alter_table("ledger_totals", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_totals_year", ["year", "delivery_id"], unique=False)
    # the ledgers loaded before this table existed
    op.execute(
        "INSERT INTO ledger_totals (delivery_id, year, org_unit, strategic_code, line_code, "
        "amount_cents, postings) SELECT delivery_id, year, org_unit, strategic_code, line_code, "
        "SUM(amount_cents), COUNT(*) FROM expense_ledger "
        "GROUP BY delivery_id, year, org_unit, strategic_code, line_code"
    )


def downgrade() -> None:
    with op.batch_alter_table("ledger_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_totals_year")
    op.drop_table("ledger_totals")

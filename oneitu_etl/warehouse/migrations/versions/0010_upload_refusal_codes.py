"""uploads.code and .params: a refused upload's reason can be said in any language

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:10:00

A refusal on the delivery page is stored with its message's key and parameters
(:class:`oneitu_etl.delivery.sniff.Refused`), so that the status page lists it in the
reader's language, as the page itself said it. Rows stored before keep ``NULL`` in both
and show the English ``message`` they have.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("code")

"""delivery_issues.code and .params: a stored problem can be said in any language

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:30:00

A problem found is stored with its message's code and parameters
(:func:`oneitu_etl.issue_text.say`), so that the report of a later run shows it in the
report's language. Rows stored before keep ``NULL`` in both and show their English
``message``, which every row still has.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery_issues", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("code")

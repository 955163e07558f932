"""activities.title_<lang>: an activity's title in the official languages (contract v2, 3.2)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 11:10:00

The optional columns ``title_ar``, ``title_en``, ``title_es``, ``title_fr``, ``title_ru``
and ``title_zh`` of an activity file are kept, so that the report shows the title in its
own language where the unit gave one (else ``title``). Rows loaded before keep ``NULL``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        for lang in LANGUAGES:
            batch_op.add_column(sa.Column(f"title_{lang}", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        for lang in reversed(LANGUAGES):
            batch_op.drop_column(f"title_{lang}")

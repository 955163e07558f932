"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 15:33:12.144298
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("encoding", sa.String(length=16), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("archive_path", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.Text(), nullable=True),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["superseded_by"],
            ["deliveries.id"],
            name=op.f("fk_deliveries_superseded_by_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_current", ["year", "path", "superseded_at"], unique=False
        )

    op.create_table(
        "load_groups",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_load_groups")),
    )
    op.create_table(
        "org_units",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.Column("sector", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_org_units")),
    )
    op.create_table(
        "plan_cycles",
        sa.Column("plan", sa.String(length=16), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan", name=op.f("pk_plan_cycles")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_year"), ["year"], unique=False)

    op.create_table(
        "sectors",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sectors")),
    )
    op.create_table(
        "statement_lines",
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("line_type", sa.String(length=16), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("line_code", name=op.f("pk_statement_lines")),
    )
    op.create_table(
        "strategic_elements",
        sa.Column("plan", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("goal", sa.String(length=16), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("plan", "code", name=op.f("pk_strategic_elements")),
    )
    op.create_table(
        "year_locks",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_year_locks")),
        sa.UniqueConstraint("year", name="uq_year_locks_year"),
    )
    op.create_table(
        "activities",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("partner_org_units", sa.Text(), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=False),
        sa.Column("output_type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("women_participants", sa.Integer(), nullable=True),
        sa.Column("countries", sa.Integer(), nullable=True),
        sa.Column("cost_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name=op.f("fk_activities_delivery_id_deliveries")
        ),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_year", ["year", "delivery_id"], unique=False)

    op.create_table(
        "activity_partners",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_activity_partners_delivery_id_deliveries"),
        ),
    )
    with op.batch_alter_table("activity_partners", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_partners_delivery", ["delivery_id", "activity_id"], unique=False
        )

    op.create_table(
        "delivery_issues",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("quarantined", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_issues_delivery_id_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_issues")),
    )
    with op.batch_alter_table("delivery_issues", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_issues_delivery_id"), ["delivery_id"], unique=False
        )

    op.create_table(
        "expense_ledger",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Text(), nullable=False),
        sa.Column("posting_date", sa.Date(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_expense_ledger_delivery_id_deliveries"),
        ),
    )
    with op.batch_alter_table("expense_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_expense_ledger_year", ["year", "delivery_id"], unique=False)

    op.create_table(
        "fs_allocation",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=False),
        sa.Column("expense_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name=op.f("fk_fs_allocation_delivery_id_deliveries")
        ),
    )
    with op.batch_alter_table("fs_allocation", schema=None) as batch_op:
        batch_op.create_index("ix_fs_allocation_year", ["year", "delivery_id"], unique=False)

    op.create_table(
        "fs_budget",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("org_unit", sa.String(length=16), nullable=False),
        sa.Column("approved_budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("final_budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("actual_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name=op.f("fk_fs_budget_delivery_id_deliveries")
        ),
    )
    with op.batch_alter_table("fs_budget", schema=None) as batch_op:
        batch_op.create_index("ix_fs_budget_year", ["year", "delivery_id"], unique=False)

    op.create_table(
        "fs_performance",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("line_label", sa.Text(), nullable=True),
        sa.Column("line_type", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_fs_performance_delivery_id_deliveries"),
        ),
    )
    with op.batch_alter_table("fs_performance", schema=None) as batch_op:
        batch_op.create_index("ix_fs_performance_year", ["year", "delivery_id"], unique=False)

    op.create_table(
        "indicator_definitions",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.Text(), nullable=False),
        sa.Column("strategic_code", sa.String(length=16), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_indicator_definitions_delivery_id_deliveries"),
        ),
    )
    op.create_table(
        "indicator_values",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_indicator_values_delivery_id_deliveries"),
        ),
    )
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_values_year", ["year", "delivery_id"], unique=False)

    op.create_table(
        "validation_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("suite", sa.Text(), nullable=False),
        sa.Column("expectation", sa.Text(), nullable=False),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("element_count", sa.Integer(), nullable=True),
        sa.Column("unexpected_count", sa.Integer(), nullable=True),
        sa.Column("unexpected_rows", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_validation_results_delivery_id_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_validation_results_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_results")),
    )


def downgrade() -> None:
    op.drop_table("validation_results")
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_values_year")

    op.drop_table("indicator_values")
    op.drop_table("indicator_definitions")
    with op.batch_alter_table("fs_performance", schema=None) as batch_op:
        batch_op.drop_index("ix_fs_performance_year")

    op.drop_table("fs_performance")
    with op.batch_alter_table("fs_budget", schema=None) as batch_op:
        batch_op.drop_index("ix_fs_budget_year")

    op.drop_table("fs_budget")
    with op.batch_alter_table("fs_allocation", schema=None) as batch_op:
        batch_op.drop_index("ix_fs_allocation_year")

    op.drop_table("fs_allocation")
    with op.batch_alter_table("expense_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_expense_ledger_year")

    op.drop_table("expense_ledger")
    with op.batch_alter_table("delivery_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_issues_delivery_id"))

    op.drop_table("delivery_issues")
    with op.batch_alter_table("activity_partners", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_partners_delivery")

    op.drop_table("activity_partners")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_year")

    op.drop_table("activities")
    op.drop_table("year_locks")
    op.drop_table("strategic_elements")
    op.drop_table("statement_lines")
    op.drop_table("sectors")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_year"))

    op.drop_table("runs")
    op.drop_table("plan_cycles")
    op.drop_table("org_units")
    op.drop_table("load_groups")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_current")

    op.drop_table("deliveries")

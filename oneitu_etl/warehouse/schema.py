"""The warehouse's tables, as SQLAlchemy Core metadata.

Every loaded row points to its delivery (``delivery_id``), which records the delivered
file, its content hash, encoding, arrival and load times: that is the lineage of every
figure. A delivery superseded by a corrected file keeps its rows; they are left out of
the marts because their delivery is no longer current. Amounts are integer cents.
Schema changes are Alembic migrations (``migrations/``); this module is their model.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- reference data (from the package's reference files) ----------------------------------
# The codes and their structure; their names, in every language, are in reference_names.
sectors = Table(
    "sectors",
    metadata,
    Column("code", String(8), primary_key=True),
)
org_units = Table(
    "org_units",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("sector", String(8), nullable=False),
)
plan_cycles = Table(
    "plan_cycles",
    metadata,
    Column("plan", String(16), primary_key=True),
    Column("first_year", Integer, nullable=False),
    Column("last_year", Integer, nullable=False),
)
strategic_elements = Table(
    "strategic_elements",
    metadata,
    Column("plan", String(16), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("goal", String(16)),
)
statement_lines = Table(
    "statement_lines",
    metadata,
    Column("line_code", String(32), primary_key=True),
    Column("line_type", String(16), nullable=False),
)
# The name of every reference code in every language the package ships, one row per list,
# code and language (migration 0009): ``names_<lang>.csv``. Lists: ``org_unit``, ``sector``,
# ``statement_line``, ``framework_<first>_<last>`` (the elements of ``plan``
# ``SP<first>-<last>``) and the code lists' own names (``output_type``...).
reference_names = Table(
    "reference_names",
    metadata,
    Column("list", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("name", Text, nullable=False),
)

# --- deliveries and their lineage -----------------------------------------------------
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),  # relative to the landing root
    Column("year", Integer),  # None for indicator definitions
    Column("kind", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("encoding", String(16)),
    Column("arrived_at", DateTime(timezone=True), nullable=False),
    Column("loaded_at", DateTime(timezone=True)),
    # loaded: rows in the warehouse; rejected: the file could not be read or breaks a
    # blocking rule (its issues are stored, nothing loaded)
    Column("outcome", String(16), nullable=False),
    Column("superseded_at", DateTime(timezone=True)),  # None while current
    Column("superseded_by", Integer, ForeignKey("deliveries.id")),
    Column("archive_path", Text),
    Column("uploaded_by", Text),
    Column("rows_loaded", Integer, nullable=False, default=0),
    Column("rows_quarantined", Integer, nullable=False, default=0),
    Index("ix_deliveries_current", "year", "path", "superseded_at"),
)

delivery_issues = Table(
    "delivery_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("sheet", Text),
    Column("row_number", Integer),
    Column("column_name", Text),
    Column("value", Text),
    Column("severity", String(8), nullable=False),
    Column("rule", Text),
    Column("message", Text, nullable=False),
    # quarantined rows are errors of activity / indicator files whose row was kept out
    Column("quarantined", Boolean, nullable=False, default=False),
    # the message's code and parameters (issue_text.say), to say it in any language;
    # NULL for a problem stored before revision 0007 (its English message is shown)
    Column("code", Text),
    Column("params", JSON),
)


def _lineage() -> list[Column]:
    return [
        Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False),
        Column("row_number", Integer, nullable=False),
    ]


fs_performance = Table(
    "fs_performance",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("line_code", String(32), nullable=False),
    Column("line_label", Text),
    Column("line_type", String(16), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Index("ix_fs_performance_year", "year", "delivery_id"),
)
fs_budget = Table(
    "fs_budget",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("approved_budget_cents", BigInteger, nullable=False),
    Column("final_budget_cents", BigInteger, nullable=False),
    Column("actual_cents", BigInteger, nullable=False),
    Index("ix_fs_budget_year", "year", "delivery_id"),
)
fs_allocation = Table(
    "fs_allocation",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("strategic_code", String(16), nullable=False),
    Column("expense_cents", BigInteger, nullable=False),
    Index("ix_fs_allocation_year", "year", "delivery_id"),
)
# Ledger lines loaded before the ledger store existed (migration 0005); since then the
# lines are in the store (:mod:`oneitu_etl.warehouse.ledger_store`) and this table is
# only read.
expense_ledger = Table(
    "expense_ledger",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("posting_id", Text, nullable=False),
    Column("posting_date", Date, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("strategic_code", String(16), nullable=False),
    Column("line_code", String(32), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Index("ix_expense_ledger_year", "year", "delivery_id"),
)
# The ledger summed by delivery, unit, strategic code and line, written with its rows:
# rules L1/L2 and the report read a few hundred sums, not millions of postings.
ledger_totals = Table(
    "ledger_totals",
    metadata,
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("strategic_code", String(16), nullable=False),
    Column("line_code", String(32), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("postings", Integer, nullable=False),
    Index("ix_ledger_totals_year", "year", "delivery_id"),
)
# Where each ledger delivery's typed lines are: a Parquet file of the ledger store,
# written before the delivery's transaction commits.
ledger_files = Table(
    "ledger_files",
    metadata,
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("lines", BigInteger, nullable=False),
    Index("ix_ledger_files_year", "year", "delivery_id"),
)
activities = Table(
    "activities",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("partner_org_units", Text, nullable=False, default=""),
    Column("strategic_code", String(16), nullable=False),
    Column("output_type", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("status", String(16), nullable=False),
    Column("participants", Integer),
    Column("women_participants", Integer),
    Column("countries", Integer),
    Column("cost_cents", BigInteger),
    # (v2) the title in the official languages, where the unit gives it
    *(Column(f"title_{lang}", Text) for lang in ("ar", "en", "es", "fr", "ru", "zh")),
    Index("ix_activities_year", "year", "delivery_id"),
)
activity_partners = Table(
    "activity_partners",
    metadata,
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Index("ix_activity_partners_delivery", "delivery_id", "activity_id"),
)
indicator_definitions = Table(
    "indicator_definitions",
    metadata,
    *_lineage(),
    Column("indicator_code", Text, nullable=False),
    Column("strategic_code", String(16), nullable=False),
    Column("name_en", Text, nullable=False),
    Column("name_fr", Text, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("baseline_year", Integer, nullable=False),
    Column("baseline_value", Float, nullable=False),
    Column("target_year", Integer, nullable=False),
    Column("target_value", Float, nullable=False),
    Column("source", Text),
)
indicator_values = Table(
    "indicator_values",
    metadata,
    *_lineage(),
    Column("indicator_code", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", Float),
    Column("source", Text),
    Column("note", Text),
    Index("ix_indicator_values_year", "year", "delivery_id"),
)

# --- contract version 2 (migration 0006) --------------------------------------------------
# The planned resources of the year by unit and element of the strategic framework.
fs_budget_allocation = Table(
    "fs_budget_allocation",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("strategic_code", String(16), nullable=False),
    Column("approved_budget_cents", BigInteger, nullable=False),
    Column("final_budget_cents", BigInteger, nullable=False),
    Index("ix_fs_budget_allocation_year", "year", "delivery_id"),
)
# The IPSAS 24 items from the budget-basis actuals to the statement's expenses.
fs_budget_reconciliation = Table(
    "fs_budget_reconciliation",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("item_code", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("line_code", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Index("ix_fs_budget_reconciliation_year", "year", "delivery_id"),
)
# The units' narratives: one row per narrative and language.
narratives = Table(
    "narratives",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("narrative_id", Text, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("strategic_code", String(16)),
    Column("kind", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("reference", Text),
    Index("ix_narratives_year", "year", "delivery_id"),
)
# Staff headcount, aggregated (never a person's record).
staff = Table(
    "staff",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("org_unit", String(16), nullable=False),
    Column("category", String(16), nullable=False),
    Column("gender", String(16), nullable=False),
    Column("region", String(8)),
    Column("headcount", Integer, nullable=False),
    Index("ix_staff_year", "year", "delivery_id"),
)
membership = Table(
    "membership",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("sector", String(8), nullable=False),
    Column("category", String(24), nullable=False),
    Column("members", Integer, nullable=False),
    Column("participating", Integer),
    Index("ix_membership_year", "year", "delivery_id"),
)
# The Council document's metadata, as delivered: one row per field.
council_document = Table(
    "council_document",
    metadata,
    *_lineage(),
    Column("year", Integer, nullable=False),
    Column("field", Text, nullable=False),
    Column("value", Text),
    Index("ix_council_document_year", "year", "delivery_id"),
)

# Every file offered on the delivery page, delivered or not: who, when, what, the outcome
# (delivered, unchanged, rejected by validation, refused before it) and the asset event.
# A delivered upload becomes a delivery when the pipeline ingests it: same path and hash.
uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("year", Integer),
    Column("kind", String(32)),
    Column("path", Text),  # landing path; None when not delivered
    Column("client_name", Text),  # the browser's file name, shown only
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),  # delivered, unchanged, rejected, refused
    Column("errors", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("event", String(16)),  # emitted, failed; None if not announced
    Column("message", Text),  # a refusal's reason in English (its key first)
    Column("code", Text),  # a refusal's message key, to say it in any language (0010)
    Column("params", JSON),  # and the values it quotes
    Index("ix_uploads_year_path", "year", "path", "sha256"),
)

# --- runs and validation results --------------------------------------------------------
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running, published, blocked, failed
    Column("inputs_sha256", String(64)),  # hash of the current deliveries
    Column("message", Text),
)
validation_results = Table(
    "validation_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("delivery_id", Integer, ForeignKey("deliveries.id")),
    Column("year", Integer),
    Column("suite", Text, nullable=False),
    Column("expectation", Text, nullable=False),
    Column("column_name", Text),
    Column("success", Boolean, nullable=False),
    Column("element_count", Integer),
    Column("unexpected_count", Integer),
    Column("unexpected_rows", JSON),
    Column("details", JSON),
)
load_groups = Table(
    "load_groups",
    metadata,
    Column("name", Text, primary_key=True),  # e.g. "activities/2024"
    Column("signature", String(64), nullable=False),  # hash of its files' paths and hashes
    Column("processed_at", DateTime(timezone=True), nullable=False),
)
lock = Table(
    "year_locks",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("year", name="uq_year_locks_year"),
)

#: Data tables of each contract kind (the statements' three sheets, the others).
DATA_TABLES = {
    "financial_performance": fs_performance,
    "budget_comparison": fs_budget,
    "expense_allocation": fs_allocation,
    "expense_ledger": expense_ledger,
    "activities": activities,
    "indicator_definitions": indicator_definitions,
    "indicator_values": indicator_values,
    "budget_allocation": fs_budget_allocation,
    "budget_reconciliation": fs_budget_reconciliation,
    "narratives": narratives,
    "staff": staff,
    "membership": membership,
    "council_document": council_document,
}

"""The tables of the data contract: their files, sheets and columns.

One :class:`TableSpec` per contract table (sections 3.1 to 3.6). Readers use it to find
and check headers, validators to parse typed values, the warehouse to name columns.
Allowed codes are not listed here: they come from the reference data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Literal

ColumnType = Literal[
    "text", "code", "amount", "signed_amount", "number", "integer", "date", "codes"
]


#: The languages of an activity's optional translated titles (``title_<lang>``, 1.4).
TITLE_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
TRANSLATION_COLUMNS = frozenset(f"title_{lang}" for lang in TITLE_LANGUAGES)


class Kind(StrEnum):
    """The kinds of table a delivery can hold."""

    PERFORMANCE = "financial_performance"
    BUDGET = "budget_comparison"
    ALLOCATION = "expense_allocation"
    LEDGER = "expense_ledger"
    ACTIVITIES = "activities"
    INDICATOR_DEFINITIONS = "indicator_definitions"
    INDICATOR_VALUES = "indicator_values"
    BUDGET_ALLOCATION = "budget_allocation"
    BUDGET_RECONCILIATION = "budget_reconciliation"
    STAFF = "staff"
    MEMBERSHIP = "membership"
    COUNCIL_DOCUMENT = "council_document"
    NARRATIVES = "narratives"


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its name, type and whether the file must have it.

    ``required`` means the column must be present in the header; ``nullable`` means a
    cell may be empty.
    """

    name: str
    type: ColumnType
    nullable: bool = False

    @property
    def required(self) -> bool:
        """Columns whose values may be empty may also be left out of the file."""
        return not self.nullable


@dataclass(frozen=True)
class TableSpec:
    """One contract table."""

    kind: Kind
    columns: tuple[ColumnSpec, ...]
    source: Literal["finance", "sectors", "planning", "narratives", "gs_services"]
    sheet: str | None = None
    csv_name: str | None = None
    #: Errors in a blocking table block the year; in the others they quarantine rows.
    blocking: bool = False
    #: Columns whose combination identifies a row.
    key: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of all columns, in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def main_column_names(self) -> tuple[str, ...]:
        """The columns a message lists and the demo writes: all but the optional
        translations of a text (``title_<lang>``)."""
        return tuple(n for n in self.column_names if n not in TRANSLATION_COLUMNS)

    def column(self, name: str) -> ColumnSpec:
        """The spec of column ``name``."""
        return next(c for c in self.columns if c.name == name)


C = ColumnSpec
TABLES: dict[Kind, TableSpec] = {
    Kind.PERFORMANCE: TableSpec(
        Kind.PERFORMANCE,
        (
            C("line_code", "code"),
            C("line_label", "text", nullable=True),
            C("line_type", "code"),
            C("amount_chf", "amount"),
        ),
        source="finance",
        sheet="performance",
        csv_name="financial_performance.csv",
        blocking=True,
        key=("line_code",),
    ),
    Kind.BUDGET: TableSpec(
        Kind.BUDGET,
        (
            C("org_unit", "code"),
            C("approved_budget_chf", "amount"),
            C("final_budget_chf", "amount"),
            C("actual_chf", "amount"),
        ),
        source="finance",
        sheet="budget_comparison",
        csv_name="budget_comparison.csv",
        blocking=True,
        key=("org_unit",),
    ),
    Kind.ALLOCATION: TableSpec(
        Kind.ALLOCATION,
        (C("org_unit", "code"), C("strategic_code", "code"), C("expense_chf", "amount")),
        source="finance",
        sheet="expense_allocation",
        csv_name="expense_allocation.csv",
        blocking=True,
        key=("org_unit", "strategic_code"),
    ),
    Kind.LEDGER: TableSpec(
        Kind.LEDGER,
        (
            C("posting_id", "text"),
            C("posting_date", "date"),
            C("org_unit", "code"),
            C("strategic_code", "code"),
            C("line_code", "code"),
            C("amount_chf", "signed_amount"),
        ),
        source="finance",
        csv_name="expense_ledger.csv",
        blocking=True,
        key=("posting_id",),
    ),
    Kind.ACTIVITIES: TableSpec(
        Kind.ACTIVITIES,
        (
            C("activity_id", "text"),
            C("org_unit", "code"),
            C("partner_org_units", "codes", nullable=True),
            C("strategic_code", "code"),
            C("output_type", "code"),
            C("title", "text"),
            C("start_date", "date"),
            C("end_date", "date", nullable=True),
            C("status", "code"),
            C("participants", "integer", nullable=True),
            C("women_participants", "integer", nullable=True),
            C("countries", "integer", nullable=True),
            C("cost_chf", "amount", nullable=True),
            # (v2) the title in the official languages (1.4), where the unit gives it
            *(C(f"title_{lang}", "text", nullable=True) for lang in TITLE_LANGUAGES),
        ),
        source="sectors",
        key=("activity_id",),
    ),
    Kind.INDICATOR_DEFINITIONS: TableSpec(
        Kind.INDICATOR_DEFINITIONS,
        (
            C("indicator_code", "text"),
            C("strategic_code", "code"),
            C("name_en", "text"),
            C("name_fr", "text"),
            C("unit", "code"),
            C("direction", "code"),
            C("baseline_year", "integer"),
            C("baseline_value", "number"),
            C("target_year", "integer"),
            C("target_value", "number"),
            C("source", "text", nullable=True),
        ),
        source="planning",
        csv_name="indicator_definitions.csv",
        key=("indicator_code",),
    ),
    Kind.INDICATOR_VALUES: TableSpec(
        Kind.INDICATOR_VALUES,
        (
            C("indicator_code", "text"),
            C("year", "integer"),
            C("value", "number", nullable=True),
            C("source", "text", nullable=True),
            C("note", "text", nullable=True),
        ),
        source="planning",
        csv_name="indicator_values.csv",
        key=("indicator_code", "year"),
    ),
    # (v2) the planned resources by element of the strategic framework
    Kind.BUDGET_ALLOCATION: TableSpec(
        Kind.BUDGET_ALLOCATION,
        (
            C("org_unit", "code"),
            C("strategic_code", "code"),
            C("approved_budget_chf", "amount"),
            C("final_budget_chf", "amount"),
        ),
        source="finance",
        sheet="budget_allocation",
        csv_name="budget_allocation.csv",
        blocking=True,
        key=("org_unit", "strategic_code"),
    ),
    # (v2) the IPSAS 24 items from budget-basis actuals to the statement's expenses
    Kind.BUDGET_RECONCILIATION: TableSpec(
        Kind.BUDGET_RECONCILIATION,
        (
            C("item_code", "text"),
            C("kind", "code"),
            C("line_code", "code"),
            C("description", "text"),
            C("amount_chf", "signed_amount"),
        ),
        source="finance",
        sheet="budget_reconciliation",
        csv_name="budget_reconciliation.csv",
        blocking=True,
        key=("item_code",),
    ),
    # (v2) the enablers' evidence and the Council document, from General Secretariat
    # services (human resources, membership, the Council secretariat)
    Kind.STAFF: TableSpec(
        Kind.STAFF,
        (
            C("org_unit", "code"),
            C("category", "code"),
            C("gender", "code"),
            C("region", "code", nullable=True),
            C("headcount", "integer"),
        ),
        source="gs_services",
        csv_name="staff.csv",
        key=("org_unit", "category", "gender", "region"),
    ),
    Kind.MEMBERSHIP: TableSpec(
        Kind.MEMBERSHIP,
        (
            C("sector", "code"),
            C("category", "code"),
            C("members", "integer"),
            C("participating", "integer", nullable=True),
        ),
        source="gs_services",
        csv_name="membership.csv",
        key=("sector", "category"),
    ),
    Kind.COUNCIL_DOCUMENT: TableSpec(
        Kind.COUNCIL_DOCUMENT,
        (C("field", "text"), C("value", "text", nullable=True)),
        source="gs_services",
        csv_name="council_document.csv",
        key=("field",),
    ),
    # (v2) what each unit achieved, where it struggled, what comes next; one or more
    # files per year under narratives/, the rows of one narrative_id are translations
    Kind.NARRATIVES: TableSpec(
        Kind.NARRATIVES,
        (
            C("narrative_id", "text"),
            C("org_unit", "code"),
            C("strategic_code", "code", nullable=True),
            C("kind", "code"),
            C("language", "code"),
            C("text", "text"),
            C("reference", "text", nullable=True),
        ),
        source="narratives",
        key=("narrative_id", "language"),
    ),
}
del C

STATEMENT_KINDS = (Kind.PERFORMANCE, Kind.BUDGET, Kind.ALLOCATION)
#: (v2) The tables of General Secretariat services: one CSV each, a year's load group each.
SECRETARIAT_KINDS = (Kind.STAFF, Kind.MEMBERSHIP, Kind.COUNCIL_DOCUMENT)
#: (v2) Finance's optional tables, in the form of the statements (sheets or CSVs).
OPTIONAL_STATEMENT_KINDS = (Kind.BUDGET_ALLOCATION, Kind.BUDGET_RECONCILIATION)
WORKBOOK_NAME = "financial_statements.xlsx"
_YEAR = re.compile(r"^\d{4}$")


def kind_of_path(path: str | PurePosixPath) -> str | None:
    """The kind of file at ``path`` from its name (contract sections 2 and 6).

    Returns ``"financial_statements"`` for the workbook, a :class:`Kind` value for a CSV,
    or ``None`` for a file the contract does not know.
    """
    p = PurePosixPath(str(path).replace("\\", "/"))
    name = p.name
    if name == WORKBOOK_NAME:
        return "financial_statements"
    for spec in TABLES.values():
        if spec.csv_name == name:
            return spec.kind.value
    if name.lower().endswith(".csv") and "activities" in p.parent.parts:
        return Kind.ACTIVITIES.value
    if name.lower().endswith(".csv") and "narratives" in p.parent.parts:  # (v2)
        return Kind.NARRATIVES.value
    return None


def year_of_path(path: str | PurePosixPath) -> int | None:
    """The nearest parent folder named as a year, if any."""
    for part in reversed(PurePosixPath(str(path).replace("\\", "/")).parent.parts):
        if _YEAR.match(part):
            return int(part)
    return None

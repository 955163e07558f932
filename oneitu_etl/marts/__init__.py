"""The marts: SQL that aligns money, outputs and indicators for one year.

For each goal, thematic priority and enabler, the resources spent (from the audited
statements), the outputs delivered (from the Sectors' activities) and the progress on
targets (from the indicators), side by side. Modules, one concern each:

- :mod:`~oneitu_etl.marts.base`: current data, byte-wise ordering, cents and rates;
- :mod:`~oneitu_etl.marts.finance`: totals, budget execution, expenses by unit, code,
  goal and sector, the One ITU matrix and multi-sector priorities;
- :mod:`~oneitu_etl.marts.plan`: (v2) planned resources beside actual expenses, and the
  IPSAS 24 bridge from budget-basis actuals to the statement;
- :mod:`~oneitu_etl.marts.narratives`: (v2) the units' narratives, counted by code and kind;
- :mod:`~oneitu_etl.marts.evidence`: (v2) the enablers' evidence (staff, membership) and
  the Council document;
- :mod:`~oneitu_etl.marts.outputs`: outputs, cost per output, joint activities;
- :mod:`~oneitu_etl.marts.overlaps`: possible overlaps between sectors;
- :mod:`~oneitu_etl.marts.indicators`: indicator status on the trajectory rule;
- :mod:`~oneitu_etl.marts.trends`: the previous year and any figure across years;
- :mod:`~oneitu_etl.marts.quality`: reconciliation and the data quality annex.

Every query is SQLAlchemy Core over *current* data (loaded, not superseded deliveries;
quarantined rows are never loaded), sums integer cents, and orders text byte-wise, so
SQLite and PostgreSQL give identical figures. :func:`report_figures` assembles them
into the figures of ``report_<Y>.json`` (docs/report-json.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import say
from oneitu_etl.marts.base import current, plan_of
from oneitu_etl.marts.evidence import document, membership, staff
from oneitu_etl.marts.finance import (
    financial_figures,
    multi_sector_priorities,
    priority_sector_matrix,
)
from oneitu_etl.marts.indicators import indicator_status, indicators
from oneitu_etl.marts.narratives import elements_without_narratives, narrative_list, narratives
from oneitu_etl.marts.outputs import (
    activity_list,
    cost_per_output,
    joint_activities,
    outputs_by_strategic_code,
    outputs_by_type,
)
from oneitu_etl.marts.overlaps import SIMILARITY_THRESHOLD, possible_overlaps
from oneitu_etl.marts.plan import (
    budget_reconciliation,
    plan_by_org_unit,
    plan_vs_actual,
    plan_vs_actual_by_goal,
)
from oneitu_etl.marts.quality import data_quality, reconciliation
from oneitu_etl.marts.trends import previous_year, trends
from oneitu_etl.reference import Reference
from oneitu_etl.validate.suites import Declaration

#: Figures given across years in the report's ``trends`` block.
TREND_FIGURES = ("totals", "expenses_by_sector", "budget_execution_by_sector")


def one_itu(conn: Connection, year: int, sectors: tuple[str, ...]) -> dict[str, object]:
    """The ``one_itu`` block: joint activities, multi-sector priorities, matrix, overlaps."""
    total, joint = joint_activities(conn, year)
    before, before_joint = joint_activities(conn, year - 1)
    return {
        "joint_activity_share": joint / total if total else None,
        "previous_joint_activity_share": before_joint / before if before else None,
        "multi_sector_priorities": multi_sector_priorities(conn, year),
        "activities": total,
        "joint_activities": joint,
        "matrix": priority_sector_matrix(conn, year, sectors),
        "possible_overlaps": possible_overlaps(conn, year),
        "similarity_threshold": SIMILARITY_THRESHOLD,
    }


def unexplained_indicators(
    indicators: dict[str, dict[str, object]], year: int
) -> list[dict[str, object]]:
    """Warnings for the indicators ``at_risk`` or ``off_track`` without a ``note`` (v2).

    In the form of ``data_quality.warnings``: the file is the year's
    ``indicator_values.csv``, the column ``note``.
    """
    found = []
    for code, figures in indicators.items():
        if figures.get("status") in ("at_risk", "off_track") and not figures.get("note"):
            message = say("indicator_unexplained", indicator=code, status=figures["status"])
            found.append(
                {
                    "file": f"{year}/indicator_values.csv",
                    "sheet": None,
                    "row": None,
                    "column": "note",
                    "message": str(message),
                    "code": message.code,
                    "params": message.params,
                }
            )
    return found


def report_figures(
    conn: Connection,
    year: int,
    reference: Reference,
    tolerance_cents: int,
    declarations: Mapping[Kind, Declaration] | None = None,
) -> dict[str, object]:
    """Every figure of ``report_<Y>.json`` for a year that can be published.

    Args:
        conn: Warehouse connection (reference tables synchronised).
        year: Financial year.
        reference: The package's reference data (reading order of the sectors; the
            statement lines' types for the reconciliation rules).
        tolerance_cents: Reconciliation tolerance, in cents (``Settings.tolerance_cents``).
        declarations: The suites that declare the reconciliation rules
            (``Settings.expectations_dir``; the package's ``expectations/`` by default).

    Returns:
        The figures keyed as in docs/report-json.md, from ``totals`` to ``data_quality``
        (``year``, ``status``, ``errors`` and ``generated_on`` are the pipeline's).
    """
    sectors = tuple(reference.sectors)
    data = financial_figures(conn, year, sectors)
    data["plan_vs_actual"] = plan_vs_actual(conn, year)
    data["plan_vs_actual_by_goal"] = plan_vs_actual_by_goal(conn, year)
    data["plan_by_org_unit"] = plan_by_org_unit(conn, year)
    data["budget_reconciliation"] = budget_reconciliation(conn, year)
    data["outputs_by_strategic_code"] = outputs_by_strategic_code(conn, year)
    data["outputs_by_type"] = outputs_by_type(conn, year)
    data["cost_per_output"] = cost_per_output(conn, year)
    data["indicators"] = indicators(conn, year)
    data["reconciliation"] = reconciliation(conn, year, reference, tolerance_cents, declarations)
    data["one_itu"] = one_itu(conn, year, sectors)
    data["previous_year"] = previous_year(conn, year, sectors)
    data["trends"] = {
        name: {str(y): value for y, value in trends(conn, name, sectors, until=year).items()}
        for name in TREND_FIGURES
    }
    data["narratives"] = narratives(conn, year)
    data["narrative_texts"] = narrative_list(conn, year)
    data["staff"] = staff(conn, year)
    data["membership"] = membership(conn, year)
    data["document"] = document(conn, year)
    data["activities"] = activity_list(conn, year)
    quality = data_quality(conn, year)
    quality["elements_without_narratives"] = elements_without_narratives(conn, year)
    quality["warnings"] = [*quality["warnings"], *unexplained_indicators(data["indicators"], year)]
    data["data_quality"] = quality
    return data


__all__ = [
    "SIMILARITY_THRESHOLD",
    "budget_reconciliation",
    "cost_per_output",
    "current",
    "data_quality",
    "document",
    "financial_figures",
    "indicator_status",
    "indicators",
    "joint_activities",
    "membership",
    "narratives",
    "multi_sector_priorities",
    "one_itu",
    "outputs_by_strategic_code",
    "plan_of",
    "plan_vs_actual",
    "plan_vs_actual_by_goal",
    "possible_overlaps",
    "previous_year",
    "reconciliation",
    "report_figures",
    "staff",
    "trends",
]

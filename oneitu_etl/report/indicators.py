"""The indicators of the Strategic Plan as the report shows them (pure): each one's name in
the report's language, its way from baseline to target, and the table of annex B.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import (
    Column,
    Measure,
    Row,
    Table,
    status_badge,
)

# --- 5. Progress on targets ----------------------------------------------------------


def indicator_name(indicator: Mapping[str, Any], code: str, lang: Language) -> str:
    """An indicator's name in the report's language (English if that one is missing)."""
    return indicator.get(f"name_{lang.code}") or indicator.get("name_en") or code


def way_to_target(indicator: Mapping[str, Any], key: str = "value") -> float | None:
    """How far ``key`` (the value, or the expected value) is on the way from the baseline
    (0) to the target (1): the measure Figure 5.1 draws and Table 5.1 gives beside it."""
    base, target, value = indicator.get("baseline"), indicator.get("target"), indicator.get(key)
    if base is None or target is None or value is None or target == base:
        return None
    return (value - base) / (target - base)


def indicators_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Each indicator: baseline, expected, actual, target, progress and status."""
    _ = lang.gettext
    year = report.get("year")
    rows = []
    for code, ind in (report.get("indicators") or {}).items():
        unit = ind.get("unit", "")
        rows.append(
            Row(
                (
                    indicator_name(ind, code, lang),
                    code,
                    ind.get("strategic_code", ""),
                    lang.names.code_name("indicator_unit", unit),
                    Measure(ind.get("baseline"), unit, ind.get("baseline_year")),
                    Measure(ind.get("expected"), unit),
                    Measure(ind.get("value"), unit),
                    Measure(ind.get("target"), unit, ind.get("target_year")),
                    ind.get("baseline_year"),
                    ind.get("target_year"),
                    way_to_target(ind),
                    ind.get("progress"),
                    status_badge(ind.get("status", "no_data"), lang),
                )
            )
        )
    return Table(
        "indicators",
        number,
        _("Progress on targets, %(year)s") % {"year": year},
        (
            Column(_("Indicator"), "label"),
            Column(_("Code"), "code"),
            Column(_("Element"), "code"),
            Column(_("Unit"), "text", html=False),
            Column(_("Baseline (year)"), "measure"),
            Column(_("Expected %(year)s") % {"year": year}, "measure"),
            Column(_("Actual %(year)s") % {"year": year}, "measure"),
            Column(_("Target (year)"), "measure"),
            Column(_("Baseline year"), "year", html=False),
            Column(_("Target year"), "year", html=False),
            Column(_("Way from baseline to target"), "percent"),
            Column(_("Progress against trajectory"), "percent"),
            Column(_("Status"), "badge"),
        ),
        tuple(rows),
        note=_(
            "Expected is the value on the straight line from baseline to target. Way from "
            "baseline to target is (actual - baseline) / (target - baseline), as Figure 5.1 "
            "draws it; progress against trajectory is (actual - baseline) / (expected - "
            "baseline), which decides the status."
        ),
    )

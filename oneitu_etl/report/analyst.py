"""The workbook's own sheets for analysts (pure): every activity, and the units'
resources by element. Lists that grow with the year's work belong here and in the HTML,
never in the Council's PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.one_itu import activity_title
from oneitu_etl.report.tables import Column, Row, Table


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def activities_table(report: Mapping[str, Any], lang: Language, number: str) -> Table | None:
    """Every activity of the year, as loaded (cancelled ones too, with their status)."""
    activities = report.get("activities")
    if activities is None:
        return None
    _ = lang.gettext
    names = lang.names
    rows = tuple(
        Row(
            (
                a.get("activity_id", ""),
                names.unit(str(a.get("org_unit", ""))),
                "; ".join(
                    names.unit(u.strip())
                    for u in str(a.get("partner_org_units") or "").split(";")
                    if u.strip()
                ),
                a.get("strategic_code", ""),
                names.element(str(a.get("strategic_code", ""))),
                names.code_name("output_type", str(a.get("output_type", ""))),
                activity_title(a, lang),
                a.get("title", ""),
                _date(a.get("start_date")),
                _date(a.get("end_date")),
                names.code_name("activity_status", str(a.get("status", ""))),
                a.get("participants"),
                a.get("women_participants"),
                a.get("countries"),
                a.get("cost_chf"),
            )
        )
        for a in activities
    )
    return Table(
        "activities",
        number,
        _("Activities of the year"),
        (
            Column(_("Activity"), "label"),
            Column(_("Lead unit"), "text"),
            Column(_("Partner units"), "text"),
            Column(_("Code"), "code"),
            Column(_("Strategic element"), "text"),
            Column(_("Output type"), "text"),
            Column(_("Title"), "text"),
            Column(_("Title as delivered"), "text"),
            Column(_("Start date"), "date"),
            Column(_("End date"), "date"),
            Column(_("Status"), "text"),
            Column(_("Participants"), "count"),
            Column(_("Women participants"), "count"),
            Column(_("Countries"), "count"),
            Column(_("Direct cost (CHF)"), "amount"),
        ),
        rows,
    )


def unit_elements_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Each unit's planned resources and actual expenses by element of the framework."""
    _ = lang.gettext
    names = lang.names
    actual = report.get("expenses_by_org_unit") or {}
    planned = report.get("plan_by_org_unit") or {}
    order = [e.code for e in names.elements]
    rows: list[Row] = []
    for unit in [u for u in names.org_units if u in actual or u in planned]:
        codes = set(actual.get(unit) or {}) | set(planned.get(unit) or {})
        for code in sorted(codes, key=lambda c: (order.index(c) if c in order else 99, c)):
            plan = (planned.get(unit) or {}).get(code) or {}
            rows.append(
                Row(
                    (
                        names.unit(unit),
                        unit,
                        code,
                        names.element(code),
                        plan.get("approved"),
                        plan.get("final"),
                        (actual.get(unit) or {}).get(code, 0.0),
                    )
                )
            )
    return Table(
        "unit-elements",
        number,
        _("Resources of each unit by element"),
        (
            Column(_("Unit"), "label"),
            Column(_("Unit code"), "code"),
            Column(_("Code"), "code"),
            Column(_("Strategic element"), "text"),
            Column(_("Approved budget (CHF)"), "amount"),
            Column(_("Final budget (CHF)"), "amount"),
            Column(_("Actual expenses (CHF)"), "amount"),
        ),
        tuple(rows),
    )

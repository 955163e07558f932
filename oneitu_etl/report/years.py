"""The year against the previous one, and every loaded year (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oneitu_etl.report.finance import budget_sum
from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import (
    Column,
    Row,
    Table,
    ordered,
    sector_short,
    share,
    total,
)

# --- 7. Previous year ----------------------------------------------------------------


def _change_row(label: str, before: float | None, now: float | None, kind: str = "data") -> Row:
    change = total([now, -before]) if before is not None and now is not None else None
    relative = share(change, abs(before)) if change is not None and before else None
    return Row((label, before, now, change, relative), kind)


def comparison_table(report: Mapping[str, Any], lang: Language, number: str) -> Table | None:
    """The year against the previous one; ``None`` when no previous year is loaded."""
    _ = lang.gettext
    previous = report.get("previous_year")
    if not previous:
        return None
    year, last = report.get("year"), previous.get("year")
    totals, before = report.get("totals") or {}, previous.get("totals") or {}
    rows: list[Row] = [Row((_("Financial performance"),), "group")]
    rows.append(_change_row(_("Total revenue"), before.get("revenue"), totals.get("revenue")))
    rows.append(_change_row(_("Total expenses"), before.get("expenses"), totals.get("expenses")))
    rows.append(_change_row(_("Surplus or deficit"), before.get("surplus"), totals.get("surplus")))
    now_sec, before_sec = (
        report.get("expenses_by_sector") or {},
        previous.get("expenses_by_sector") or {},
    )
    if now_sec or before_sec:
        rows.append(Row((_("Expenses by sector"),), "group"))
        for code in ordered(set(now_sec) | set(before_sec), lang.names.sectors):
            rows.append(
                _change_row(lang.names.sector(code), before_sec.get(code), now_sec.get(code))
            )
    now_units = report.get("budget_execution") or {}
    before_units = previous.get("budget_execution") or {}
    if before_units:
        rows.append(Row((_("Actual expenses by unit"),), "group"))
        for code in ordered(set(now_units) | set(before_units), lang.names.org_units):
            rows.append(
                _change_row(
                    lang.names.unit(code),
                    (before_units.get(code) or {}).get("actual"),
                    (now_units.get(code) or {}).get("actual"),
                )
            )
    if previous.get("plan") == report.get("plan"):
        now_goal, before_goal = (
            report.get("expenses_by_goal") or {},
            previous.get("expenses_by_goal") or {},
        )
        order = [g.code for g in lang.names.elements_of_kind("goal")] + ["enablers"]
        rows.append(Row((_("Expenses by goal"),), "group"))
        for key in ordered(set(now_goal) | set(before_goal), order):
            label = _("Enablers") if key == "enablers" else lang.names.element(key)
            rows.append(_change_row(label, before_goal.get(key), now_goal.get(key)))
    return Table(
        "comparison",
        number,
        _("%(year)s compared with %(previous)s (CHF)") % {"year": year, "previous": last},
        (
            Column(_("Item"), "label"),
            Column(str(last), "amount"),
            Column(str(year), "amount"),
            Column(_("Change (CHF)"), "signed"),
            Column(_("Change (%)"), "signed_percent"),
        ),
        tuple(rows),
    )


def trends_table(report: Mapping[str, Any], lang: Language, number: str) -> Table | None:
    """Every loaded year up to this one; ``None`` with fewer than two years."""
    _ = lang.gettext
    trends = report.get("trends") or {}
    totals = trends.get("totals") or {}
    if len(totals) < 2:
        return None
    by_sector = trends.get("expenses_by_sector") or {}
    budgets = trends.get("budget_execution_by_sector") or {}
    sectors = ordered({s for year in by_sector.values() for s in year}, lang.names.sectors)
    rows = []
    for year in sorted(totals, key=int):
        year_totals = totals[year] or {}
        sums = budget_sum((budgets.get(year) or {}).values())
        rows.append(
            Row(
                (
                    str(year),
                    year_totals.get("revenue"),
                    year_totals.get("expenses"),
                    year_totals.get("surplus"),
                    *((by_sector.get(year) or {}).get(s) for s in sectors),
                    sums["rate"] if budgets.get(year) else None,
                )
            )
        )
    columns = [
        Column(_("Year"), "label"),
        Column(_("Total revenue"), "amount"),
        Column(_("Total expenses"), "amount"),
        Column(_("Surplus or deficit"), "amount"),
    ]
    columns += [
        Column(_("Expenses: %(sector)s") % {"sector": sector_short(s, lang)}, "amount")
        for s in sectors
    ]
    columns.append(Column(_("Budget execution rate"), "percent"))
    return Table(
        "trends",
        number,
        _("Figures of every loaded year (CHF)"),
        tuple(columns),
        tuple(rows),
    )

"""The finance section's tables (pure): budget execution by unit and sector, planned
against actual by goal, the IPSAS 24 reconciliation of the budget-basis actuals with the
statement, and the reconciliation rules.

The statement of financial performance is in :mod:`.tables`; the units' explanations of
their budget variances are narratives of kind ``variance`` (:func:`.elements.narratives_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from oneitu_etl.report.elements import goal_title
from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import (
    Cell,
    Column,
    Row,
    Table,
    check_badge,
    ordered,
    sector_short,
    share,
    tolerance,
    total,
    unit_group,
)

#: IPSAS 24 kinds of reconciling items, in the standard's order.
RECONCILIATION_KINDS = ("basis", "timing", "entity", "presentation")


def plan_by_goal_table(report: Mapping[str, Any], lang: Language, number: str) -> Table | None:
    """Approved, final and actual resources by goal and for the enablers, with the rate."""
    by_goal = report.get("plan_vs_actual_by_goal")
    if not by_goal:
        return None
    _ = lang.gettext
    rows = []
    for key, figures in by_goal.items():
        if key == "enablers":
            label = _("Enablers")
        elif key == "other":
            label = _("Other")
        else:
            label = goal_title(key, lang)
        rows.append(
            Row(
                (
                    label,
                    figures.get("approved"),
                    figures.get("final"),
                    figures.get("actual"),
                    figures.get("rate"),
                )
            )
        )
    sums = [total(r.cells[i] for r in rows) for i in (1, 2, 3)]
    rows.append(Row((_("Total"), *sums, share(sums[2], sums[1])), "total"))
    return Table(
        "plan-by-goal",
        number,
        _("Planned and actual resources by goal"),
        (
            Column(_("Goal"), "label"),
            Column(_("Approved budget (CHF)"), "amount"),
            Column(_("Final budget (CHF)"), "amount"),
            Column(_("Actual expenses (CHF)"), "amount"),
            Column(_("Execution rate"), "percent"),
        ),
        tuple(rows),
        note=_(
            "Planned resources are the operational plans' share of each unit's budget; actual "
            "expenses are on the budget basis. Sections 2 to 4 give them by element."
        ),
    )


def ipsas_table(report: Mapping[str, Any], lang: Language, number: str) -> Table | None:
    """From the budget-basis actual expenses to the statement's expenses (IPSAS 24)."""
    bridge = report.get("budget_reconciliation")
    if not bridge:
        return None
    _ = lang.gettext
    rows: list[Row] = [
        Row(
            (
                _("Actual expenses on the budget basis"),
                "",
                "",
                Cell(bridge.get("budget_actual"), "amount"),
            ),
            "total",
        )
    ]
    items = bridge.get("items") or []
    kinds = sorted(
        {i.get("kind") for i in items},
        key=lambda k: RECONCILIATION_KINDS.index(k) if k in RECONCILIATION_KINDS else 99,
    )
    for kind in kinds:
        of_kind = [i for i in items if i.get("kind") == kind]
        rows.append(Row((lang.names.code_name("reconciliation_kind", str(kind)),), "group"))
        for item in of_kind:
            rows.append(
                Row(
                    (
                        item.get("description", ""),
                        item.get("item_code", ""),
                        lang.names.line(str(item.get("line_code", ""))),
                        item.get("amount"),
                    )
                )
            )
        rows.append(
            Row(
                (
                    _("Subtotal: %(group)s")
                    % {"group": lang.names.code_name("reconciliation_kind", str(kind))},
                    "",
                    "",
                    total(i.get("amount") for i in of_kind),
                ),
                "subtotal",
            )
        )
    rows.append(
        Row((_("Total expenses in the statement of financial performance"), "", "",
             Cell(bridge.get("statement_expenses"), "amount")), "total")
    )  # fmt: skip
    note = _(
        "Each item is what must be added to the budget-basis actual expenses to reach the "
        "expenses of the statement (negative where the statement has less). Rules R2 and R3 "
        "check that the bridge closes."
    )
    if not items:
        note = _(
            "Finance delivered no reconciling items for the year: the budget-basis actual "
            "expenses equal the expenses of the statement."
        )
    return Table(
        "budget-reconciliation",
        number,
        _("Reconciliation of budget-basis actual expenses with the statement (IPSAS 24)"),
        (
            Column(_("Item"), "label"),
            Column(_("Code"), "code"),
            Column(_("Statement line"), "text"),
            Column(_("Amount (CHF)"), "signed"),
        ),
        tuple(rows),
        note=note,
    )


# --- 3. Budget execution -------------------------------------------------------------


def _budget_row(label: str, sector: str, figures: Mapping[str, Any], kind: str = "data") -> Row:
    final, actual = figures.get("final"), figures.get("actual")
    unspent = total([final, -actual]) if final is not None and actual is not None else None
    return Row(
        (label, sector, figures.get("approved"), final, actual, unspent, figures.get("rate")),
        kind,
    )


def budget_sum(units: Iterable[Mapping[str, Any]]) -> dict[str, float | None]:
    units = list(units)
    sums: dict[str, float | None] = {
        key: total(u.get(key) for u in units) for key in ("approved", "final", "actual")
    }
    sums["rate"] = share(sums["actual"], sums["final"])
    return sums


def _budget_columns(lang: Language) -> tuple[Column, ...]:
    """The figures columns of :func:`_budget_row`: budgets, expenses, unspent, rate."""
    _ = lang.gettext
    return (
        Column(_("Approved budget"), "amount"),
        Column(_("Final budget"), "amount"),
        Column(_("Actual expenses"), "amount"),
        Column(_("Unspent (final - actual)"), "amount"),
        Column(_("Execution rate"), "percent"),
    )


def _zero_budget_notes(codes: Iterable[str], name: Any, lang: Language) -> tuple[str, ...]:
    codes = list(codes)
    if not codes:
        return ()
    _ = lang.gettext
    return (
        _("No final budget, so no execution rate: %(names)s.")
        % {"names": "; ".join(name(c) for c in codes)},
    )


def budget_units_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Budget execution of each unit, grouped: GS, Bureaux, regional offices."""
    _ = lang.gettext
    names = lang.names
    units = report.get("budget_execution") or {}
    groups = {
        "gs": _("General Secretariat"),
        "bureaux": _("Bureaux"),
        "regional": _("Regional offices"),
    }
    rows: list[Row] = []
    for group, heading in groups.items():
        members = [c for c in ordered(units, names.org_units) if unit_group(c, lang) == group]
        if not members:
            continue
        if len(members) > 1:
            rows.append(Row((heading,), "group"))
        for code in members:
            rows.append(
                _budget_row(
                    names.unit(code), sector_short(names.unit_sector(code), lang), units[code]
                )
            )
        if len(members) > 1:
            subtotal = budget_sum(units[c] for c in members)
            rows.append(
                _budget_row(_("Subtotal: %(group)s") % {"group": heading}, "", subtotal, "subtotal")
            )
    rows.append(_budget_row(_("Total, all units"), "", budget_sum(units.values()), "total"))
    return Table(
        "budget-units",
        number,
        _("Budget execution by unit (CHF)"),
        (
            Column(_("Unit"), "label"),
            Column(_("Sector"), "text"),
            *_budget_columns(lang),
        ),
        tuple(rows),
        note=_("The execution rate is actual expenses divided by the final budget."),
        notes=_zero_budget_notes(report.get("zero_budget_units") or [], names.unit, lang),
    )


def budget_sectors_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Budget execution by sector."""
    _ = lang.gettext
    sectors = report.get("budget_execution_by_sector") or {}
    rows = [
        _budget_row(lang.names.sector(code), "", sectors[code])
        for code in ordered(sectors, lang.names.sectors)
    ]
    rows.append(_budget_row(_("Total"), "", budget_sum(sectors.values()), "total"))
    return Table(
        "budget-sectors",
        number,
        _("Budget execution by sector (CHF)"),
        (
            Column(_("Sector"), "label"),
            Column("", "text", html=False),
            *_budget_columns(lang),
        ),
        tuple(rows),
        notes=_zero_budget_notes(report.get("zero_budget_sectors") or [], lang.names.sector, lang),
    )


# --- 8. Reconciliation ---------------------------------------------------------------


def rule_description(rule: str, lang: Language) -> str:
    """What a reconciliation rule compares, in words (left side = right side)."""
    _ = lang.gettext
    names = lang.names
    fixed = {
        "R1-revenue": _("Sum of the revenue lines = total revenue line"),
        "R1-expenses": _("Sum of the expense lines = total expenses line"),
        "R2": _(
            "Actual expenses of all units (budget comparison), plus the reconciling items = "
            "total expenses line"
        ),
        "R3-total": _(
            "All allocations to the strategic framework, plus the reconciling items = total "
            "expenses line"
        ),
    }
    if rule in fixed:
        return fixed[rule]
    if rule.startswith("R3-"):
        return _("Allocations of %(unit)s = its actual expenses") % {"unit": names.unit(rule[3:])}
    if rule.startswith("R4-") and rule.endswith("-approved"):  # (v2) the plan
        unit = names.unit(rule[3 : -len("-approved")])
        return _("Planned resources of %(unit)s = its approved budget") % {"unit": unit}
    if rule.startswith("R4-") and rule.endswith("-final"):
        unit = names.unit(rule[3 : -len("-final")])
        return _("Planned resources of %(unit)s = its final budget") % {"unit": unit}
    if rule.startswith("L1-"):
        rest = rule[3:]
        unit = next(
            (u for u in sorted(names.org_units, key=len, reverse=True) if rest.startswith(u + "-")),
            None,
        )
        if unit:
            return _("Ledger postings of %(unit)s to %(element)s = its allocation") % {
                "unit": names.unit(unit),
                "element": names.element(rest[len(unit) + 1 :]),
            }
    if rule.startswith("L2-"):
        return _("Ledger postings to %(line)s, plus its reconciling items = the statement line") % {
            "line": names.line(rule[3:])
        }
    return rule


def reconciliation_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Every reconciliation rule with both sides, the difference and the result."""
    _ = lang.gettext
    rows = tuple(
        Row(
            (
                entry.get("rule", ""),
                rule_description(entry.get("rule", ""), lang),
                entry.get("left"),
                entry.get("right"),
                entry.get("difference"),
                check_badge(entry.get("passed"), lang),
            )
        )
        for entry in report.get("reconciliation") or []
    )
    return Table(
        "reconciliation",
        number,
        _("Reconciliation with the financial statements (CHF)"),
        (
            Column(_("Rule"), "label"),
            Column(_("Check (left side = right side)"), "text"),
            Column(_("Left side"), "amount"),
            Column(_("Right side"), "amount"),
            Column(_("Difference"), "signed"),
            Column(_("Result"), "badge"),
        ),
        rows,
        note=_("A rule passes when the difference is at most %(tolerance)s in absolute value.")
        % {"tolerance": tolerance(report, lang)},
    )

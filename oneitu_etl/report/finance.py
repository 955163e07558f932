"""The finance section's own tables (pure): planned against actual by goal, and the
IPSAS 24 reconciliation of the budget-basis actuals with the statement.

The statement of financial performance, the budget execution by unit and sector and
the reconciliation rules are in :mod:`.tables`; the units' explanations of their budget
variances are narratives of kind ``variance`` (:func:`.elements.narratives_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import Cell, Column, Row, Table, share, total

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
            label = _("Goal %(code)s: %(name)s") % {
                "code": key.removeprefix("G"),
                "name": lang.names.element(key),
            }
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

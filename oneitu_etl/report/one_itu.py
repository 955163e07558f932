"""One ITU's tables (pure): joint activities, the priorities funded by several sectors, and
the possible overlaps between sectors, with activity titles in the report's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import (
    Cell,
    Column,
    Row,
    Table,
    ordered,
    sector_short,
    total,
)

# --- 6. One ITU ----------------------------------------------------------------------


def matrix_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Expenses of each thematic priority by sector (the heat map's figures)."""
    _ = lang.gettext
    matrix = (report.get("one_itu") or {}).get("matrix") or {}
    sectors = ordered(
        {s for row in matrix.values() for s in row} | set(lang.names.sectors), lang.names.sectors
    )
    order = [e.code for e in lang.names.elements_of_kind("thematic_priority")]
    rows = []
    for code in ordered(matrix, order):
        values = [matrix[code].get(s, 0.0) for s in sectors]
        involved = sum(1 for v in values if v and v > 0)
        rows.append(Row((lang.names.element(code), code, *values, total(values), involved)))
    columns = [Column(_("Thematic priority"), "label"), Column(_("Code"), "code")]
    columns += [Column(sector_short(s, lang), "amount") for s in sectors]
    columns += [Column(_("Total"), "amount"), Column(_("Sectors involved"), "count")]
    return Table(
        "one-itu-matrix",
        number,
        _("Expenses by thematic priority and sector (CHF)"),
        tuple(columns),
        tuple(rows),
    )


def joint_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Activities led jointly across sectors, and the priorities several sectors fund."""
    _ = lang.gettext
    one_itu = report.get("one_itu") or {}
    multi = one_itu.get("multi_sector_priorities") or []
    rows = (
        Row((_("Activities counted"), Cell(one_itu.get("activities"), "count"))),
        Row(
            (
                _("Joint activities (a partner unit of another sector)"),
                Cell(one_itu.get("joint_activities"), "count"),
            )
        ),
        Row((_("Share of joint activities"), Cell(one_itu.get("joint_activity_share"), "percent"))),
        Row(
            (
                _("Share of joint activities in %(year)s")
                % {"year": (report.get("year") or 0) - 1},
                Cell(one_itu.get("previous_joint_activity_share"), "percent"),
            )
        ),
        Row((_("Thematic priorities funded by two sectors or more"), Cell(len(multi), "count"))),
        Row(
            (
                _("Those priorities"),
                Cell("; ".join(f"{lang.names.element(c)} ({c})" for c in multi) or "", "text"),
            )
        ),
    )
    return Table(
        "one-itu-joint",
        number,
        _("Joint activities and multi-sector priorities"),
        (Column(_("Figure"), "label"), Column(_("Value"), "count")),
        rows,
    )


def activity_title(activity: Mapping[str, Any], lang: Language) -> str:
    """An activity's title in the report's language where the unit gave it
    (``title_<lang>``, contract 3.2), else its ``title`` as delivered."""
    return (activity.get("titles") or {}).get(lang.code) or activity.get("title", "")


def overlaps_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Pairs of activities of different sectors with similar titles, to review."""
    _ = lang.gettext
    pairs = (report.get("one_itu") or {}).get("possible_overlaps") or []
    rows = []
    for pair in pairs:
        a, b = pair.get("a") or {}, pair.get("b") or {}
        rows.append(
            Row(
                (
                    lang.names.element(pair.get("strategic_code", "")),
                    pair.get("similarity"),
                    f"{a.get('activity_id', '')} ({a.get('org_unit', '')})",
                    activity_title(a, lang),
                    f"{b.get('activity_id', '')} ({b.get('org_unit', '')})",
                    activity_title(b, lang),
                )
            )
        )
    return Table(
        "one-itu-overlaps",
        number,
        _("Possible overlaps between sectors"),
        (
            Column(_("Thematic priority"), "label"),
            Column(_("Similarity (0-100)"), "score"),
            Column(_("Activity (lead unit)"), "code"),
            Column(_("Title"), "text"),
            Column(_("Similar activity (lead unit)"), "code"),
            Column(_("Title of the similar activity"), "text"),
        ),
        tuple(rows),
        note=_(
            "A possible overlap is a pair of activities led by units of different sectors, "
            "under the same thematic priority, whose titles are similar. It is a prompt to "
            "coordinate, not a finding."
        ),
        notes=_threshold_note(report, lang),
    )


def _threshold_note(report: Mapping[str, Any], lang: Language) -> tuple[str, ...]:
    threshold = (report.get("one_itu") or {}).get("similarity_threshold")
    if threshold is None:
        return ()
    _ = lang.gettext
    return (
        _("Pairs are listed from a similarity of %(threshold)s out of 100.")
        % {"threshold": lang.fmt.fixed(threshold, 1)},
    )

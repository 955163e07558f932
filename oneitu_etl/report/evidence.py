"""The enablers' evidence (contract v2, 3.5): staff and membership, under their enablers.

Human resources excellence shows the geographical distribution of professional and
higher staff; diversity and inclusion the gender balance by category; regional presence
the staff of the regional offices; member-driven work the membership and participation
by Sector and category. Each is a table of ``report["staff"]`` or
``report["membership"]`` figures; a year without those inputs shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import Column, Row, Table, share

GENDERS = ("female", "male", "other")


def gender_table(report: Mapping[str, Any], lang: Language) -> Table | None:
    """Staff by category and gender, with the share of women."""
    staff = report.get("staff")
    if not staff or not staff.get("by_category"):
        return None
    _ = lang.gettext
    rows = []
    for category, counts in staff["by_category"].items():
        everyone = sum(counts.values())
        rows.append(
            Row(
                (
                    lang.names.code_name("staff_category", category),
                    *(counts.get(g, 0) for g in GENDERS),
                    everyone,
                    share(counts.get("female", 0), everyone),
                )
            )
        )
    sums = [sum(r.cells[i] for r in rows) for i in range(1, 5)]
    rows.append(Row((_("All staff"), *sums, staff.get("women_share")), "total"))
    return Table(
        "staff-gender",
        "",
        _("Staff by category and gender"),
        (
            Column(_("Category"), "label"),
            *(Column(lang.names.code_name("gender", g), "count") for g in GENDERS),
            Column(_("All staff"), "count"),
            Column(_("Share of women"), "percent"),
        ),
        tuple(rows),
        note=_("Share of women in the professional and higher categories: %(share)s.")
        % {"share": lang.fmt.percent(staff.get("women_share_p_and_above")) or "\u2013"},
    )


def region_table(report: Mapping[str, Any], lang: Language) -> Table | None:
    """Professional and higher staff by region of nationality."""
    staff = report.get("staff")
    if not staff or not staff.get("p_and_above_by_region"):
        return None
    _ = lang.gettext
    regions = staff["p_and_above_by_region"]
    everyone = sum(regions.values())
    rows = [
        Row((lang.names.code_name("region", r), n, share(n, everyone))) for r, n in regions.items()
    ]
    rows.append(Row((_("Total"), everyone, share(everyone, everyone)), "total"))
    return Table(
        "staff-regions",
        "",
        _("Professional and higher staff by region of nationality"),
        (
            Column(_("Region"), "label"),
            Column(_("Staff"), "count"),
            Column(_("Share"), "percent"),
        ),
        tuple(rows),
        note=_("Categories P, D and elected officials, by the region of their nationality."),
    )


def offices_table(report: Mapping[str, Any], lang: Language) -> Table | None:
    """Staff of each regional office, and their share of all staff."""
    staff = report.get("staff")
    if not staff or not staff.get("regional_offices"):
        return None
    _ = lang.gettext
    headcount = staff.get("headcount") or 0
    offices = staff["regional_offices"]
    rows = [Row((lang.names.unit(u), n, share(n, headcount))) for u, n in offices.items()]
    rows.append(
        Row((_("All regional offices"), sum(offices.values()), staff.get("regional_office_share")),
            "total")
    )  # fmt: skip
    return Table(
        "staff-offices",
        "",
        _("Staff in the regional offices"),
        (
            Column(_("Regional office"), "label"),
            Column(_("Staff"), "count"),
            Column(_("Share of all staff"), "percent"),
        ),
        tuple(rows),
    )


def membership_table(report: Mapping[str, Any], lang: Language) -> Table | None:
    """Members and participating members by Sector and category."""
    membership = report.get("membership")
    if not membership:
        return None
    _ = lang.gettext
    rows: list[Row] = []
    for sector, categories in membership.items():
        rows.append(Row((lang.names.code_name("membership_sector", sector),), "group"))
        for category, figures in categories.items():
            members, part = figures.get("members"), figures.get("participating")
            rows.append(
                Row(
                    (
                        lang.names.code_name("membership_category", category),
                        members,
                        part,
                        share(part, members) if part is not None else None,
                    )
                )
            )
    return Table(
        "membership",
        "",
        _("Membership and participation by Sector and category"),
        (
            Column(_("Category"), "label"),
            Column(_("Members"), "count"),
            Column(_("Took part in a meeting"), "count"),
            Column(_("Participation rate"), "percent"),
        ),
        tuple(rows),
        note=_("A dash: the number of participating members was not given."),
    )


#: The evidence each enabler of the Strategic Plan 2024-2027 shows, in order.
EVIDENCE: dict[str, tuple[Callable[[Mapping[str, Any], Language], Table | None], ...]] = {
    "EN-HRI": (region_table,),
    "EN-DNI": (gender_table,),
    "EN-REG": (offices_table,),
    "EN-MEM": (membership_table,),
}


def tables_for(report: Mapping[str, Any], lang: Language, code: str) -> tuple[Table, ...]:
    """The evidence tables of strategic element ``code`` (none for most)."""
    found = (builder(report, lang) for builder in EVIDENCE.get(code, ()))
    return tuple(t for t in found if t is not None)

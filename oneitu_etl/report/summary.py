"""The report's sentences (pure): the cover's blocks, the key figures, the year in brief,
what moved and why, the highlights and the units' explanations of their variances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oneitu_etl.report import elements, tables
from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import tolerance


@dataclass(frozen=True)
class KeyFigure:
    """A headline figure of the summary, formatted."""

    label: str
    value: str
    detail: str = ""


def key_figures(
    report: Mapping[str, Any], lang: Language, finance_section: str
) -> tuple[list[KeyFigure], list[str]]:
    _ = lang.gettext
    fmt = lang.fmt
    totals = report.get("totals") or {}
    surplus = totals.get("surplus") or 0.0
    final, actual, rate = tables.budget_overall(report)
    counts = tables.status_counts(report)
    good = counts["achieved"] + counts["on_track"]
    indicators = sum(counts.values())
    recon = report.get("reconciliation") or []
    passed = sum(1 for r in recon if r.get("passed"))
    one_itu = report.get("one_itu") or {}
    multi = len(one_itu.get("multi_sector_priorities") or [])

    figures = [
        KeyFigure(_("Total revenue"), fmt.money(totals.get("revenue"))),
        KeyFigure(_("Total expenses"), fmt.money(totals.get("expenses"))),
        KeyFigure(_("Surplus") if surplus >= 0 else _("Deficit"), fmt.money(abs(surplus))),
        KeyFigure(
            _("Budget execution"),
            fmt.percent(rate) or "\u2013",
            _("of the final budget"),
        ),
        KeyFigure(
            _("Indicators on course"),
            _("%(good)s of %(total)s") % {"good": fmt.count(good), "total": fmt.count(indicators)},
            _("achieved or on track"),
        ),
        KeyFigure(
            _("Joint activities"),
            fmt.percent(one_itu.get("joint_activity_share")) or "\u2013",
            _("with a partner unit of another sector"),
        ),
    ]
    year = report.get("year")
    values = {
        "year": year,
        "revenue": fmt.millions(totals.get("revenue")),
        "expenses": fmt.millions(totals.get("expenses")),
        "balance": fmt.millions(abs(surplus)),
    }
    if surplus >= 0:
        first = _(
            "In %(year)s, ITU's revenue was %(revenue)s and its expenses %(expenses)s, "
            "a surplus of %(balance)s."
        )
    else:
        first = _(
            "In %(year)s, ITU's revenue was %(revenue)s and its expenses %(expenses)s, "
            "a deficit of %(balance)s."
        )
    sentences = [first % values]
    if rate is not None:
        sentences.append(
            _("The units spent %(rate)s of their final budget: %(actual)s of %(budget)s.")
            % {
                "rate": fmt.percent(rate),
                "actual": fmt.millions(actual),
                "budget": fmt.millions(final),
            }
        )
    if indicators:
        sentences.append(
            lang.ngettext(
                "%(good)s of %(total)s indicator is achieved or on track.",
                "%(good)s of %(total)s indicators are achieved or on track.",
                indicators,
            )
            % {"good": fmt.count(good), "total": fmt.count(indicators)}
            + " "
            + _("%(risk)s at risk, %(off)s off track, %(none)s without data for the year.")
            % {
                "risk": fmt.count(counts["at_risk"]),
                "off": fmt.count(counts["off_track"]),
                "none": fmt.count(counts["no_data"]),
            }
        )
    if recon and passed == len(recon):
        sentences.append(
            _(
                "All %(count)s reconciliation rules pass: the figures of this report agree "
                "with the financial statements within %(tolerance)s."
            )
            % {"count": fmt.count(len(recon)), "tolerance": tolerance(report, lang)}
        )
    elif recon:
        sentences.append(
            _("%(failed)s of %(count)s reconciliation rules fail; see section %(section)s.")
            % {
                "failed": fmt.count(len(recon) - passed),
                "count": fmt.count(len(recon)),
                "section": finance_section,
            }
        )
    if one_itu:
        sentences.append(
            _(
                "%(share)s of activities had a partner unit of another sector, and %(count)s "
                "thematic priorities were funded by two sectors or more."
            )
            % {
                "share": fmt.percent(one_itu.get("joint_activity_share")) or "\u2013",
                "count": fmt.count(multi),
            }
        )
    previous = report.get("previous_year")
    if previous and (previous.get("totals") or {}).get("expenses"):
        before = previous["totals"]["expenses"]
        change = tables.share(tables.total([totals.get("expenses"), -before]), before)
        sentences.append(
            _("Expenses changed by %(change)s compared with %(previous)s.")
            % {"change": fmt.signed_percent(change), "previous": previous.get("year")}
        )
    return figures, sentences


def cover(report: Mapping[str, Any], lang: Language, sections: Mapping[str, Any]) -> dict:
    """The cover's Summary, Action required, Relevant links and Financial implications."""
    _ = lang.gettext
    fmt = lang.fmt
    totals = report.get("totals") or {}
    counts = tables.status_counts(report)
    final, actual, rate = tables.budget_overall(report)
    names = lang.names
    goals = [g.code.removeprefix("G") for g in names.elements_of_kind("goal")]
    return {
        "summary": _(
            "This report presents the implementation of the ITU Strategic Plan in %(year)s, "
            "aligned with the audited financial statements: for each goal, thematic priority "
            "and enabler, the resources planned and spent beside the outputs delivered, the "
            "progress on targets and what the Sectors and the General Secretariat achieved. "
            "Expenses were %(expenses)s, %(rate)s of the final budget; %(good)s of "
            "%(indicators)s indicators are achieved or on track."
        )
        % {
            "year": report.get("year"),
            "expenses": fmt.millions(totals.get("expenses")) or "\u2013",
            "rate": fmt.percent(rate) or "\u2013",
            "good": fmt.count(counts["achieved"] + counts["on_track"]),
            "indicators": fmt.count(sum(counts.values())),
        },
        "action": _("The Council is invited to take note of this report."),
        "links": _(
            "Strategic Plan %(plan)s: goals %(goals)s, all thematic priorities and enablers."
        )
        % {
            "plan": str(report.get("plan", "")).removeprefix("SP").replace("-", "\u2013"),
            "goals": lang.gettext(" and ").join(goals) if goals else "\u2013",
        },
        "implications": _(
            "None beyond the budget approved for %(year)s; section %(section)s sets the "
            "resources used against it."
        )
        % {"year": report.get("year"), "section": sections["finance"].number},
    }


def highlights(report: Mapping[str, Any], lang: Language) -> list[elements.Narrative]:
    return list(elements.narratives_of(report, lang, "highlight"))


def _variance_texts(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The narratives of kind ``variance``: the units' explanations of their variances."""
    return [e for e in report.get("narrative_texts") or () if e.get("kind") == "variance"]


def variances(report: Mapping[str, Any], lang: Language) -> list[elements.Narrative]:
    """The units' explanations of their budget variances, in the order of the units."""
    order = list(lang.names.org_units)
    found = sorted(
        _variance_texts(report),
        key=lambda e: order.index(e.get("org_unit")) if e.get("org_unit") in order else len(order),
    )
    return [elements.narrative(entry, lang) for entry in found]


def moves(report: Mapping[str, Any], lang: Language) -> list[str]:
    """Sentences on what moved: the lowest execution (and why, where a unit said), the
    element furthest under its plan, the joint share against the previous year."""
    _ = lang.gettext
    fmt = lang.fmt
    out = []
    units = {
        code: figures
        for code, figures in (report.get("budget_execution") or {}).items()
        if figures.get("rate") is not None
    }
    if units:
        low = min(units, key=lambda c: (units[c]["rate"], c))
        sentence = _(
            "The lowest budget execution was at %(unit)s: %(rate)s of its final budget."
        ) % {"unit": lang.names.unit(low), "rate": fmt.percent(units[low]["rate"])}
        why = [entry for entry in _variance_texts(report) if entry.get("org_unit") == low]
        if why:
            told = elements.narrative(why[0], lang)
            sentence += " " + _("%(unit)s explains: %(text)s") % {
                "unit": lang.names.unit(low),
                "text": " ".join(told.paragraphs),
            }
        out.append(sentence)
    plan = {
        c: f for c, f in (report.get("plan_vs_actual") or {}).items() if f.get("rate") is not None
    }
    if plan:
        low = min(plan, key=lambda c: (plan[c]["rate"], c))
        out.append(
            _(
                "Among the thematic priorities and enablers, %(name)s used the smallest share of "
                "its planned resources: %(rate)s."
            )
            % {"name": lang.names.element(low), "rate": fmt.percent(plan[low]["rate"])}
        )
    one_itu = report.get("one_itu") or {}
    now, before = one_itu.get("joint_activity_share"), one_itu.get("previous_joint_activity_share")
    if now is not None and before is not None:
        out.append(
            _("Joint activities were %(now)s of all activities, against %(before)s in %(year)s.")
            % {
                "now": fmt.percent(now),
                "before": fmt.percent(before),
                "year": (report.get("year") or 0) - 1,
            }
        )
    return out

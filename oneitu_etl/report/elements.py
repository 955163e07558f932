"""One section per goal and for the enablers: plan against actual, outputs, indicators,
and what the units said (pure).

Each goal of the Strategic Plan, and the enablers together, make a section of the Council
report. A section opens with its elements' planned and actual resources (a numbered
table and a chart); then each thematic priority or enabler has its own part: its
resources in figures, its outputs by type (the products and services), its indicators
with their notes, and the units' achievements, challenges and next steps, with a
visible "Not reported" where no unit wrote one. The enablers also carry their evidence
(staff, membership: :mod:`.evidence`).

A narrative is shown in the report's language where the unit gave that translation,
else in the language of its first loaded row, marked (``lang`` attribute and a visible
note), as contract v2, section 3.4 asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from babel import Locale, UnknownLocaleError

from oneitu_etl.report import evidence
from oneitu_etl.report.i18n import BABEL_LOCALES, Language
from oneitu_etl.report.indicators import indicator_name
from oneitu_etl.report.tables import (
    Column,
    Measure,
    Row,
    Table,
    direct_cost,
    share,
    status_badge,
    total,
)

#: The narrative kinds every thematic priority and enabler reports, in reading order.
ELEMENT_KINDS = ("achievement", "challenge", "next_step")


@dataclass(frozen=True)
class Narrative:
    """A unit's text as shown: its paragraphs, language, and the marker of an original.

    Attributes:
        paragraphs: The text cut at its empty lines (shown escaped, never as markup).
        lang: The language of the text shown (the ``lang`` attribute).
        marker: ``None`` when the text is in the report's language, else the visible note
            naming the language it is in.
        unit: The name of the unit that wrote it.
        references: Documents it refers to.
    """

    paragraphs: tuple[str, ...]
    lang: str
    marker: str | None
    unit: str
    references: tuple[str, ...]
    code: str | None = None


@dataclass(frozen=True)
class Fact:
    """A figure of an element's strip: label and formatted value."""

    label: str
    value: str


@dataclass(frozen=True)
class Element:
    """One thematic priority or enabler, as its part of a section shows it."""

    code: str
    name: str
    number: str
    key: str
    facts: tuple[Fact, ...]
    outputs: Table
    indicators: Table
    narratives: tuple[tuple[str, str, tuple[Narrative, ...]], ...]
    evidence: tuple[Table, ...]


@dataclass(frozen=True)
class Part:
    """A section of the report for one goal (or the enablers): its table and elements."""

    key: str
    code: str
    table: Table
    indicators: Table | None
    elements: tuple[Element, ...]


def language_name(code: str, lang: Language) -> str:
    """The name of language ``code`` in the report's language (``anglais`` in French);
    the code itself for one CLDR does not know."""
    try:
        return Locale.parse(code).get_display_name(BABEL_LOCALES[lang.code])
    except (ValueError, UnknownLocaleError):
        return code


def narrative(entry: Mapping[str, Any], lang: Language) -> Narrative:
    """A narrative (``report["narrative_texts"]`` entry) as ``lang``'s report shows it."""
    texts: Mapping[str, str] = entry.get("texts") or {}
    original = entry.get("language") or next(iter(texts), lang.code)
    shown = lang.code if lang.code in texts else original
    marker = None
    if shown != lang.code:
        marker = lang.gettext("Original in %(language)s; no translation was delivered.") % {
            "language": language_name(shown, lang)
        }
    text = str(texts.get(shown, ""))
    paragraphs = tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())
    return Narrative(
        paragraphs,
        shown,
        marker,
        lang.names.unit(str(entry.get("org_unit", ""))),
        tuple(entry.get("reference") or ()),
        entry.get("strategic_code"),
    )


def narratives_of(
    report: Mapping[str, Any], lang: Language, kind: str, code: str | None = None
) -> tuple[Narrative, ...]:
    """The narratives of one kind, of one strategic code (any code when ``None``)."""
    return tuple(
        narrative(entry, lang)
        for entry in report.get("narrative_texts") or ()
        if entry.get("kind") == kind and (code is None or entry.get("strategic_code") == code)
    )


def goal_title(code: str, lang: Language) -> str:
    """A goal as headings and tables name it: ``Goal 1: Universal connectivity``."""
    return lang.gettext("Goal %(code)s: %(name)s") % {
        "code": code.removeprefix("G"),
        "name": lang.names.element(code),
    }


def kind_headings(lang: Language) -> dict[str, str]:
    """The headings of the narrative kinds an element shows."""
    _ = lang.gettext
    return {"achievement": _("Achievements"), "challenge": _("Challenges"),
            "next_step": _("Next steps")}  # fmt: skip


def _plan(report: Mapping[str, Any], code: str) -> Mapping[str, Any]:
    plan = report.get("plan_vs_actual") or {}
    actual = (report.get("expenses_by_strategic_code") or {}).get(code, 0.0)
    return plan.get(code) or {"approved": None, "final": None, "actual": actual, "rate": None}


def _facts(report: Mapping[str, Any], lang: Language, code: str) -> tuple[Fact, ...]:
    _ = lang.gettext
    fmt = lang.fmt
    figures = _plan(report, code)
    cost = (report.get("cost_per_output") or {}).get(code) or {}
    direct, per_output = direct_cost(cost)
    dash = "\u2013"
    facts = [
        Fact(_("Approved budget"), fmt.money(figures.get("approved")) or dash),
        Fact(_("Final budget"), fmt.money(figures.get("final")) or dash),
        Fact(_("Actual expenses"), fmt.money(figures.get("actual")) or dash),
        Fact(_("Execution rate"), fmt.percent(figures.get("rate")) or dash),
        Fact(_("Completed outputs"), fmt.count(cost.get("completed_activities", 0)) or "0"),
        Fact(_("Direct cost per completed output"), fmt.money(per_output) or dash),
    ]
    return tuple(facts)


def outputs_table(report: Mapping[str, Any], lang: Language, code: str) -> Table:
    """An element's outputs by type: activities, completed, and their direct cost."""
    _ = lang.gettext
    types = (report.get("outputs_by_type") or {}).get(code) or {}
    costs = ((report.get("cost_per_output") or {}).get(code) or {}).get("by_output_type") or {}
    order = list(lang.names.code_lists.get("output_type", {}))
    rows = []
    for output_type in sorted(types, key=lambda t: (order.index(t) if t in order else 99, t)):
        figures, cost = types[output_type], costs.get(output_type) or {}
        rows.append(
            Row(
                (
                    lang.names.code_name("output_type", output_type),
                    figures.get("activities", 0),
                    figures.get("completed", 0),
                    cost.get("cost_chf"),
                    cost.get("cost_per_output"),
                )
            )
        )
    return Table(
        f"outputs-{code.lower()}",
        "",
        _("Outputs of %(name)s by type") % {"name": lang.names.element(code)},
        (
            Column(_("Output type"), "label"),
            Column(_("Activities"), "count"),
            Column(_("Completed"), "count"),
            Column(_("Direct cost (CHF)"), "amount"),
            Column(_("Direct cost per output (CHF)"), "amount"),
        ),
        tuple(rows),
    )


def element_indicators(
    report: Mapping[str, Any], lang: Language, code: str, key: str | None = None
) -> Table:
    """The indicators of one strategic code: status, actual, expected, target, note."""
    _ = lang.gettext
    year = report.get("year")
    rows = []
    for indicator, ind in (report.get("indicators") or {}).items():
        if ind.get("strategic_code") != code:
            continue
        unit = ind.get("unit", "")
        rows.append(
            Row(
                (
                    indicator_name(ind, indicator, lang),
                    status_badge(ind.get("status", "no_data"), lang),
                    Measure(ind.get("value"), unit),
                    Measure(ind.get("expected"), unit),
                    Measure(ind.get("target"), unit, ind.get("target_year")),
                    ind.get("note") or "",
                )
            )
        )
    return Table(
        key or f"indicators-{code.lower()}",
        "",
        _("Indicators of %(name)s") % {"name": lang.names.element(code)},
        (
            Column(_("Indicator"), "label"),
            Column(_("Status"), "badge"),
            Column(_("Actual %(year)s") % {"year": year}, "measure"),
            Column(_("Expected %(year)s") % {"year": year}, "measure"),
            Column(_("Target (year)"), "measure"),
            Column(_("Note"), "text"),
        ),
        tuple(rows),
    )


def plan_table(
    report: Mapping[str, Any], lang: Language, number: str, key: str, title: str,
    codes: Iterable[str], subtotal: str,
) -> Table:  # fmt: skip
    """Planned and actual resources of some elements, with their completed outputs."""
    _ = lang.gettext
    costs = report.get("cost_per_output") or {}
    rows, sums = [], {"approved": [], "final": [], "actual": [], "done": [], "direct": []}
    for code in codes:
        figures = _plan(report, code)
        cost = costs.get(code) or {}
        direct, per_output = direct_cost(cost)
        done = cost.get("completed_activities", 0)
        rows.append(
            Row(
                (
                    lang.names.element(code),
                    code,
                    figures.get("approved"),
                    figures.get("final"),
                    figures.get("actual"),
                    figures.get("rate"),
                    done,
                    direct,
                    per_output,
                )
            )
        )
        for name, value in zip(
            sums, (figures.get("approved"), figures.get("final"), figures.get("actual"), done,
                   direct), strict=True,
        ):  # fmt: skip
            sums[name].append(value)
    planned = bool(report.get("plan_vs_actual"))
    final, actual = total(sums["final"]), total(sums["actual"])
    rows.append(
        Row(
            (
                subtotal,
                "",
                total(sums["approved"]) if planned else None,
                final if planned else None,
                actual,
                share(actual, final) if planned else None,
                sum(sums["done"]),
                total(sums["direct"]) if any(v is not None for v in sums["direct"]) else None,
                "",
            ),
            "total",
        )
    )
    note = _(
        "Approved and final budgets are the operational plans' share of each unit's budget "
        "(budget_allocation); actual expenses are the units' expenses allocated to the "
        "element (budget basis), staff and overheads included. Direct cost is the cost the "
        "units reported with their completed activities, before staff and overheads."
    )
    if not planned:
        note += " " + _(
            "Finance delivered no planned resources by element for the year, so only actual "
            "expenses are shown."
        )
    return Table(
        key,
        number,
        title,
        (
            Column(_("Element"), "label"),
            Column(_("Code"), "code"),
            Column(_("Approved budget (CHF)"), "amount"),
            Column(_("Final budget (CHF)"), "amount"),
            Column(_("Actual expenses (CHF)"), "amount"),
            Column(_("Execution rate"), "percent"),
            Column(_("Completed outputs"), "count"),
            Column(_("Direct cost of outputs (CHF)"), "amount"),
            Column(_("Direct cost per completed output (CHF)"), "amount"),
        ),
        tuple(rows),
        note=note,
    )


def element(report: Mapping[str, Any], lang: Language, code: str, number: str) -> Element:
    """One thematic priority or enabler, with everything its part of the report shows."""
    headings = kind_headings(lang)
    return Element(
        code=code,
        name=lang.names.element(code),
        number=number,
        key=f"element-{code.lower()}",
        facts=_facts(report, lang, code),
        outputs=outputs_table(report, lang, code),
        indicators=element_indicators(report, lang, code),
        narratives=tuple(
            (kind, headings[kind], narratives_of(report, lang, kind, code))
            for kind in ELEMENT_KINDS
        ),
        evidence=evidence.tables_for(report, lang, code),
    )


def parts(report: Mapping[str, Any], lang: Language, first: int) -> list[tuple[str, str, Part]]:
    """The goal sections and the enablers' section: ``(number, title, part)`` in order.

    Args:
        report: ``report_<Y>.json``.
        lang: The report's language.
        first: The number of the first of these sections.
    """
    _ = lang.gettext
    names = lang.names
    out = []
    groups = [
        (goal.code, goal_title(goal.code, lang),
         [e.code for e in names.elements_of_kind("thematic_priority") if e.goal == goal.code])
        for goal in names.elements_of_kind("goal")
    ]  # fmt: skip
    groups.append(("enablers", _("Enablers"), [e.code for e in names.elements_of_kind("enabler")]))
    for offset, (code, title, codes) in enumerate(groups):
        number = str(first + offset)
        is_goal = code != "enablers"
        table = plan_table(
            report,
            lang,
            f"{number}.1",
            f"plan-{code.lower()}",
            (
                _("Planned and actual resources by thematic priority of goal %(code)s")
                % {"code": code.removeprefix("G")}
                if is_goal
                else _("Planned and actual resources by enabler")
            ),
            codes,
            _("Total"),
        )
        table = replace(
            table,
            sheet=(
                _("Resources, goal %(code)s") % {"code": code.removeprefix("G")}
                if is_goal
                else _("Resources of the enablers")
            ),
        )  # its sheet: "2.1 Resources, goal 1"
        goal_indicators = element_indicators(report, lang, code, f"indicators-{code.lower()}")
        members = [element(report, lang, c, f"{number}.{i}") for i, c in enumerate(codes, start=1)]
        count = 1  # the evidence tables follow the section's table: 4.2, 4.3...
        for i, member in enumerate(members):
            numbered = []
            for evidence_table in member.evidence:
                count += 1
                numbered.append(replace(evidence_table, number=f"{number}.{count}"))
            members[i] = replace(member, evidence=tuple(numbered))
        part = Part(
            key=f"part-{code.lower()}",
            code=code,
            table=table,
            indicators=goal_indicators if is_goal and goal_indicators.rows else None,
            elements=tuple(members),
        )
        out.append((number, title, part))
    return out

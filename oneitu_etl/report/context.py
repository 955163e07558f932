"""The report's content for one language: sections, tables, charts and sentences (pure).

:func:`build_context` turns ``report_<Y>.json`` into everything the HTML template shows
and the workbook writes, in the order of the document. It does no I/O and draws nothing:
each chart is a :class:`ChartSpec` naming its builder (in :mod:`.charts`) and the data to
give it; the writer builds and serialises the figures.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from babel import Locale, UnknownLocaleError
from matplotlib.figure import Figure

from oneitu_etl.report import analyst, annexes, charts, elements, finance, tables
from oneitu_etl.report.i18n import BABEL_LOCALES, Language
from oneitu_etl.report.tables import Table, tolerance


@dataclass(frozen=True)
class Section:
    """A numbered section of the document (``1``...``8``, annexes ``A`` and ``B``)."""

    key: str
    number: str
    title: str
    annex: bool = False

    @property
    def heading(self) -> str:
        """The heading as printed: ``3. Budget execution by unit``."""
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: its builder, the data to give it, and its accessible text."""

    key: str
    number: str
    title: str
    description: str
    table_key: str
    builder: Callable[..., Figure]
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def figure(self) -> Figure:
        """Build the figure."""
        return self.builder(**self.arguments)


@dataclass(frozen=True)
class KeyFigure:
    """A headline figure of the summary, formatted."""

    label: str
    value: str
    detail: str = ""


_SAFE_LINK = re.compile(r"^(https?://[^\s\"'<>]+|[A-Za-z0-9_./-]+)$")


def safe_link(target: str | None) -> str | None:
    """A link the report may print as ``href``: a relative path or an http(s) URL.

    Anything else (``javascript:``, a path climbing out of the report folder) gives
    ``None``, and the report prints no link.
    """
    if not target or not _SAFE_LINK.match(target):
        return None
    if not target.startswith(("http://", "https://")):
        normal = posixpath.normpath(target)
        if normal.startswith(("../", "/")) or normal == "..":
            return None
    return target


def _millions_tick(lang: Language) -> Callable[[float], str]:
    return lambda value: lang.fmt.number(value / 1e6, 0)


def _percent_tick(lang: Language) -> Callable[[float], str]:
    return lambda value: lang.fmt.points(value, 0)


def _summary(
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


def _chart_specs(
    report: Mapping[str, Any],
    lang: Language,
    found: dict[str, Table],
    sections: Mapping[str, Section],
    goal_parts: list[tuple[str, str, elements.Part]],
) -> dict[str, ChartSpec]:
    """The charts, numbered by their place: ``Figure <section>.<n>`` in document order."""
    _ = lang.gettext
    fmt = lang.fmt
    names = lang.names
    year = report.get("year")
    specs: dict[str, ChartSpec] = {}
    millions = _("CHF millions")
    placed: list[tuple[str, str]] = [("summary", "chart-indicators")]

    # Planned against actual resources, one chart per goal and for the enablers.
    planned = bool(report.get("plan_vs_actual"))
    for _number, title, part in goal_parts:
        rows = [r for r in part.table.rows if r.kind == "data"]
        key = f"chart-{part.key}"
        placed.append((part.key, key))
        if planned:
            specs[key] = ChartSpec(
                key,
                "",
                _("%(title)s: final budget and actual expenses") % {"title": title},
                _(
                    "Bar chart comparing the final budget and the actual expenses of each "
                    "element of %(title)s, with the execution rate. Table %(table)s gives the "
                    "figures."
                )
                % {"title": title, "table": part.table.number},
                part.table.key,
                charts.budget_vs_actual,
                {
                    "labels": [r.cells[0] for r in rows],
                    "budget": [r.cells[3] or 0.0 for r in rows],
                    "actual": [r.cells[4] or 0.0 for r in rows],
                    "rates": [fmt.percent(r.cells[5]) or "\u2013" for r in rows],
                    "series": (_("Final budget"), _("Actual expenses")),
                    "axis_label": millions,
                    "ticks": _millions_tick(lang),
                },
            )
        else:
            specs[key] = ChartSpec(
                key,
                "",
                _("%(title)s: actual expenses") % {"title": title},
                _(
                    "Horizontal bar chart of the actual expenses of each element of %(title)s. "
                    "Table %(table)s gives the figures."
                )
                % {"title": title, "table": part.table.number},
                part.table.key,
                charts.expenses_by_element,
                {
                    "bars": [charts.Bar(r.cells[0], r.cells[4] or 0.0, part.key) for r in rows],
                    "groups": {part.key: title},
                    "axis_label": millions,
                    "ticks": _millions_tick(lang),
                    "value_label": lambda v: fmt.fixed(v / 1e6, 1),
                },
            )
    placed += [("one-itu", "chart-matrix"), ("finance", "chart-budget"),
               ("finance", "chart-comparison")]  # fmt: skip

    # Budget against actual, by unit.
    units = report.get("budget_execution") or {}
    order = tables.ordered(units, names.org_units)
    rates = [units[c].get("rate") for c in order]
    table = found["budget-units"]
    known = [r for r in rates if r is not None]
    specs["chart-budget"] = ChartSpec(
        "chart-budget",
        "",
        _("Final budget and actual expenses by unit"),
        _(
            "Bar chart comparing the final budget and the actual expenses of each unit. "
            "Execution rates range from %(low)s to %(high)s. Table %(table)s gives the figures."
        )
        % {
            "low": fmt.percent(min(known)) if known else "\u2013",
            "high": fmt.percent(max(known)) if known else "\u2013",
            "table": table.number,
        },
        table.key,
        charts.budget_vs_actual,
        {
            "labels": [names.unit(c) for c in order],
            "budget": [units[c].get("final") or 0.0 for c in order],
            "actual": [units[c].get("actual") or 0.0 for c in order],
            "rates": [fmt.percent(r) or "\u2013" for r in rates],
            "series": (_("Final budget"), _("Actual expenses")),
            "axis_label": millions,
            "ticks": _millions_tick(lang),
        },
    )

    # Indicators against their trajectory.
    items = []
    for code, ind in (report.get("indicators") or {}).items():
        actual, expected = tables.way_to_target(ind), tables.way_to_target(ind, "expected")
        badge = tables.status_badge(ind.get("status", "no_data"), lang)
        items.append(
            charts.Trajectory(
                tables.indicator_name(ind, code, lang),
                None if actual is None else actual * 100,
                None if expected is None else expected * 100,
                badge.code,
                f"{badge.symbol} {badge.label}",
            )
        )
    counts = tables.status_counts(report)
    table = found["indicators"]
    specs["chart-indicators"] = ChartSpec(
        "chart-indicators",
        "",
        _("Indicators: progress from baseline to target"),
        _(
            "Chart of each indicator's position between its baseline (0%%) and its target "
            "(100%%), with a mark where it was expected to be in %(year)s. %(good)s of "
            "%(total)s indicators are achieved or on track. Table %(table)s gives the figures."
        )
        % {
            "year": year,
            "good": fmt.count(counts["achieved"] + counts["on_track"]),
            "total": fmt.count(sum(counts.values())),
            "table": table.number,
        },
        table.key,
        charts.indicator_progress,
        {
            "items": items,
            "axis_label": _("Position between baseline (0%%) and target (100%%)") % {},
            "legend": (
                _("Actual %(year)s") % {"year": year},
                _("Expected %(year)s") % {"year": year},
            ),
            "ticks": _percent_tick(lang),
        },
    )

    # Thematic priority by sector.
    matrix_table = found["one-itu-matrix"]
    sector_count = len(matrix_table.columns) - 4
    specs["chart-matrix"] = ChartSpec(
        "chart-matrix",
        "",
        _("Expenses by thematic priority and sector"),
        _(
            "Heat map of expenses by thematic priority (rows) and sector (columns), in CHF "
            "millions; darker cells mean higher expenses. %(count)s priorities are funded by two "
            "sectors or more. Table %(table)s gives the figures."
        )
        % {
            "count": fmt.count(
                len((report.get("one_itu") or {}).get("multi_sector_priorities") or [])
            ),
            "table": matrix_table.number,
        },
        matrix_table.key,
        charts.heat_map,
        {
            "rows": [row.cells[0] for row in matrix_table.rows],
            "columns": [c.header for c in matrix_table.columns[2 : 2 + sector_count]],
            "values": [list(row.cells[2 : 2 + sector_count]) for row in matrix_table.rows],
            "cell_label": lambda v: fmt.fixed(v / 1e6, 1),
            "colour_label": millions,
        },
    )

    # Year on year.
    previous = report.get("previous_year")
    if previous and "comparison" in found:
        table = found["comparison"]
        totals, before = report.get("totals") or {}, previous.get("totals") or {}
        now_sec, before_sec = (
            report.get("expenses_by_sector") or {},
            previous.get("expenses_by_sector") or {},
        )
        labels = [_("Total revenue"), _("Total expenses")]
        old = [before.get("revenue"), before.get("expenses")]
        new = [totals.get("revenue"), totals.get("expenses")]
        for code in tables.ordered(set(now_sec) | set(before_sec), names.sectors):
            labels.append(names.sector(code))
            old.append(before_sec.get(code))
            new.append(now_sec.get(code))
        changes = []
        for a, b in zip(old, new, strict=True):
            change = tables.share(tables.total([b, -a]), abs(a)) if a and b is not None else None
            changes.append(fmt.signed_percent(change) or "\u2013")
        specs["chart-comparison"] = ChartSpec(
            "chart-comparison",
            "",
            _("%(year)s compared with %(previous)s")
            % {"year": year, "previous": previous.get("year")},
            _(
                "Bar chart comparing %(previous)s and %(year)s: total revenue, total expenses and "
                "expenses by sector, with the change in percent. Table %(table)s gives the figures."
            )
            % {"year": year, "previous": previous.get("year"), "table": table.number},
            table.key,
            charts.year_on_year,
            {
                "labels": labels,
                "before": old,
                "now": new,
                "changes": changes,
                "series": (str(previous.get("year")), str(year)),
                "axis_label": millions,
                "ticks": _millions_tick(lang),
            },
        )
    shown = {key: spec for key, spec in specs.items() if _has_data(spec)}
    counts: dict[str, int] = {}
    numbered: dict[str, ChartSpec] = {}
    for section, key in placed:
        if key in shown:
            counts[section] = counts.get(section, 0) + 1
            number = f"{sections[section].number}.{counts[section]}"
            numbered[key] = replace(shown[key], number=number)
    return numbered


def _has_data(spec: ChartSpec) -> bool:
    """Whether a chart has anything to draw (an empty chart is left out, its table stays)."""
    args = spec.arguments
    if spec.builder is charts.expenses_by_element:
        return any(bar.value for bar in args["bars"])
    if spec.builder is charts.indicator_progress:
        return bool(args["items"])
    if spec.builder is charts.heat_map:
        return bool(args["rows"]) and any(v for row in args["values"] for v in row)
    return bool(args["labels"])


def _council_document(report: Mapping[str, Any], lang: Language) -> dict[str, Any]:
    """The Council document's cover facts (``report["document"]``), formatted for ``lang``.

    Without a document number the report is a draft (contract 3.6): ``number`` is empty.
    """
    document = report.get("document") or {}
    number = None if document.get("draft", True) else document.get("number")
    try:
        when = dt.date.fromisoformat(str(document.get("date")))
    except ValueError:
        when = None
    original = document.get("original_language")
    language_name = None
    if original:
        try:
            language_name = Locale.parse(original).get_display_name(BABEL_LOCALES[lang.code])
        except (ValueError, UnknownLocaleError):
            language_name = original
    return {
        "number": number,
        "session": document.get("session"),
        "agenda_item": document.get("agenda_item"),
        "date": lang.fmt.date(when) if when else None,
        "date_iso": when.isoformat() if when else None,
        "original_language": language_name,
        "references": list(document.get("references") or []),
    }


def _numbered(
    section: str, builders: list[Any], report: Mapping[str, Any], lang: Language
) -> list[Table]:
    """The tables of one section, numbered in order (``5.1``, ``5.2``...): a builder that
    has nothing to show (``None``) takes no number, so numbers never jump."""
    found: list[Table] = []
    for builder in builders:
        table = builder(report, lang, f"{section}.{len(found) + 1}")
        if table is not None:
            found.append(table)
    return found


#: How many possible overlaps the PDF shows (the strongest); the HTML and workbook list all.
OVERLAPS_IN_PRINT = 5
#: How many quarantined rows the PDF lists; the HTML and workbook list all.
QUARANTINE_IN_PRINT = 20


def _first(table: Table, count: int, note: str) -> Table:
    """``table`` cut to its first ``count`` rows for print, with a note saying so."""
    if len(table.rows) <= count:
        return table
    return replace(table, key=f"{table.key}-print", rows=table.rows[:count], notes=(note,))


def _cover(report: Mapping[str, Any], lang: Language, sections: Mapping[str, Section]) -> dict:
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


def _highlights(report: Mapping[str, Any], lang: Language) -> list[elements.Narrative]:
    return list(elements.narratives_of(report, lang, "highlight"))


def _variances(report: Mapping[str, Any], lang: Language) -> list[elements.Narrative]:
    """The units' explanations of their budget variances, in the order of the units."""
    found = [
        (entry.get("org_unit"), elements.narrative(entry, lang))
        for entry in report.get("narrative_texts") or ()
        if entry.get("kind") == "variance"
    ]
    order = list(lang.names.org_units)
    found.sort(key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))
    return [n for _unit, n in found]


def _moves(report: Mapping[str, Any], lang: Language) -> list[str]:
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
        why = [
            entry
            for entry in report.get("narrative_texts") or ()
            if entry.get("kind") == "variance" and entry.get("org_unit") == low
        ]
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


def build_context(
    report: Mapping[str, Any], lang: Language, generated_on: dt.date
) -> dict[str, Any]:
    """Everything the report shows, in one language, in document order.

    The layout is data: the sections in order, each with its tables' builders; numbers
    (sections, tables, figures) follow from that order, never typed by hand.

    Args:
        report: ``report_<Y>.json`` as a dict (status ``published``).
        lang: The language bundle (catalogue, formats, reference names).
        generated_on: The one date the report prints.

    Returns:
        The template context: ``sections``, ``tables`` (by key, in document order),
        ``parts`` (a section per goal and the enablers), ``charts`` (:class:`ChartSpec`
        by key), ``key_figures``, ``summary``, and the document's title and metadata.
    """
    _ = lang.gettext
    year = report.get("year")
    plan = report.get("plan", "")
    has_previous = bool(report.get("previous_year"))
    goal_parts = elements.parts(report, lang, first=2)
    after = 2 + len(goal_parts)
    sections = [
        Section("summary", "1", _("Executive summary")),
        *(Section(part.key, number, title) for number, title, part in goal_parts),
        Section("one-itu", str(after), _("One ITU: working across sectors")),
        Section("finance", str(after + 1), _("Finance: the statements and the budget")),
        Section("data-quality", "A", _("Data quality"), annex=True),
        Section("indicators-annex", "B", _("Indicators of the Strategic Plan"), annex=True),
        Section("methodology", "C", _("Methodology"), annex=True),
    ]
    by_key = {s.key: s for s in sections}
    layout = {
        "summary": [tables.key_figures_table],
        "one-itu": [tables.joint_table, tables.matrix_table, tables.overlaps_table],
        "finance": [
            tables.financial_table,
            tables.budget_units_table,
            tables.budget_sectors_table,
            finance.plan_by_goal_table,
            finance.ipsas_table,
            tables.reconciliation_table,
            tables.comparison_table,
            tables.trends_table,
        ],
        "data-quality": [
            annexes.quality_summary_table,
            annexes.deliveries_table,
            annexes.rejected_files_table,
            annexes.quarantined_table,
            annexes.unexplained_table,
            annexes.warnings_table,
            annexes.validation_table,
        ],
        "indicators-annex": [tables.indicators_table, tables.resources_table,
                             tables.goals_table, tables.sectors_table,
                             tables.output_types_table],
    }  # fmt: skip
    found: dict[str, Table] = {}
    for key, builders in layout.items():
        if key == "one-itu":  # the goal parts' tables come before, in document order
            for _number, _title, part in goal_parts:
                found[part.table.key] = part.table
        for table in _numbered(by_key[key].number, builders, report, lang):
            found[table.key] = table
    for _number, _title, part in goal_parts:
        for table in (t for el in part.elements for t in el.evidence):
            found[table.key] = table
    found["status-rules"] = annexes.status_rules_table(lang, "C.1")
    if not found["warnings"].rows:
        del found["warnings"]
    key_figures, summary = _summary(report, lang, by_key["finance"].number)
    previous = report.get("previous_year") or {}
    title = _("Strategic Plan implementation report %(year)s") % {"year": year}
    dq = report.get("data_quality") or {}
    overlaps = found["one-itu-overlaps"]
    print_overlaps = _first(
        overlaps,
        OVERLAPS_IN_PRINT,
        _(
            "The %(shown)s strongest of %(count)s possible overlaps; the HTML report and the "
            "workbook (table %(number)s) list them all."
        )
        % {
            "shown": lang.fmt.count(OVERLAPS_IN_PRINT),
            "count": lang.fmt.count(len(overlaps.rows)),
            "number": overlaps.number,
        },
    )
    quarantined = found["quarantined"]
    print_quarantined = _first(
        quarantined,
        QUARANTINE_IN_PRINT,
        _(
            "The first %(shown)s of %(count)s quarantined rows; the HTML report and the "
            "workbook (table %(number)s) list them all."
        )
        % {
            "shown": lang.fmt.count(QUARANTINE_IN_PRINT),
            "count": lang.fmt.count(len(quarantined.rows)),
            "number": quarantined.number,
        },
    )
    return {
        "lang": lang.code,
        "dir": lang.direction,
        "year": year,
        "plan": plan,
        "plan_years": plan.removeprefix("SP").replace("-", "\u2013"),
        "currency": report.get("currency", "CHF"),
        "title": title,
        "generated_on": lang.fmt.date(generated_on),
        "generated_on_iso": generated_on.isoformat(),
        "sections": sections,
        "section": by_key,
        "parts": [part for _number, _title, part in goal_parts],
        "tables": found,
        "workbook_tables": [
            *found.values(),
            *(
                t
                for t in (
                    analyst.unit_elements_table(report, lang, ""),
                    analyst.activities_table(report, lang, ""),
                )
                if t is not None
            ),
        ],  # fmt: skip
        "print_tables": {"one-itu-overlaps": print_overlaps, "quarantined": print_quarantined},
        "charts": _chart_specs(report, lang, found, by_key, goal_parts),
        "key_figures": key_figures,
        "summary": summary,
        "moves": _moves(report, lang),
        "highlights": _highlights(report, lang),
        "variances": _variances(report, lang),
        "cover": _cover(report, lang, by_key),
        "status_counts": [
            (tables.status_badge(code, lang), lang.fmt.count(n))
            for code, n in tables.status_counts(report).items()
        ],
        "has_previous": has_previous,
        "previous_year": previous.get("year"),
        "previous_plan": previous.get("plan"),
        "same_plan": previous.get("plan") == plan,
        "multi_sector": [
            (c, lang.names.element(c))
            for c in (report.get("one_itu") or {}).get("multi_sector_priorities") or []
        ],
        "without_narratives": [
            (c, lang.names.element(c)) for c in dq.get("elements_without_narratives") or []
        ],
        "without_indicators": annexes.elements_without_indicators(report, lang),
        "data_docs": safe_link(dq.get("data_docs")),
        "tolerance": tolerance(report, lang),
        "document": _council_document(report, lang),
        "data_docs_text": dq.get("data_docs"),
        "page_label": _("Page %(page)s of %(pages)s"),
    }

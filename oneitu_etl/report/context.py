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
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from matplotlib.figure import Figure

from oneitu_etl.report import annexes, charts, tables
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


def _summary(report: Mapping[str, Any], lang: Language) -> tuple[list[KeyFigure], list[str]]:
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
            _("%(failed)s of %(count)s reconciliation rules fail; see section 8.")
            % {"failed": fmt.count(len(recon) - passed), "count": fmt.count(len(recon))}
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
    report: Mapping[str, Any], lang: Language, found: dict[str, Table]
) -> dict[str, ChartSpec]:
    _ = lang.gettext
    fmt = lang.fmt
    names = lang.names
    year = report.get("year")
    specs: dict[str, ChartSpec] = {}
    millions = _("CHF millions")

    # Expenses by goal, thematic priority and enabler.
    expenses = report.get("expenses_by_strategic_code") or {}
    bars, groups = [], {}
    for key, heading, codes in tables.element_groups(report, lang):
        groups[key] = heading
        bars += [charts.Bar(names.element(c), expenses.get(c, 0.0), key) for c in codes]
    largest = max(bars, key=lambda b: b.value, default=None)
    table = found["resources"]
    specs["chart-expenses"] = ChartSpec(
        "chart-expenses",
        "4.1",
        _("Expenses by goal, thematic priority and enabler"),
        _(
            "Horizontal bar chart of expenses by strategic element, shaded by goal. The largest "
            "is %(name)s, with %(amount)s. Table %(table)s gives the figures."
        )
        % {
            "name": largest.label if largest else "\u2013",
            "amount": fmt.money(largest.value) if largest else "\u2013",
            "table": table.number,
        },
        table.key,
        charts.expenses_by_element,
        {
            "bars": bars,
            "groups": groups,
            "axis_label": millions,
            "ticks": _millions_tick(lang),
            "value_label": lambda v: fmt.fixed(v / 1e6, 1),
        },
    )

    # Budget against actual, by unit.
    units = report.get("budget_execution") or {}
    order = tables.ordered(units, names.org_units)
    rates = [units[c].get("rate") for c in order]
    table = found["budget-units"]
    known = [r for r in rates if r is not None]
    specs["chart-budget"] = ChartSpec(
        "chart-budget",
        "3.1",
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
        "5.1",
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
        "6.1",
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
            "7.1",
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
    return {key: spec for key, spec in specs.items() if _has_data(spec)}


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


def build_context(
    report: Mapping[str, Any], lang: Language, generated_on: dt.date
) -> dict[str, Any]:
    """Everything the report shows, in one language, in document order.

    Args:
        report: ``report_<Y>.json`` as a dict (status ``published``).
        lang: The language bundle (catalogue, formats, reference names).
        generated_on: The one date the report prints.

    Returns:
        The template context: ``sections``, ``tables`` (by key, in document order),
        ``charts`` (:class:`ChartSpec` by key), ``key_figures``, ``summary``, and the
        document's title and metadata.
    """
    _ = lang.gettext
    year = report.get("year")
    plan = report.get("plan", "")
    has_previous = bool(report.get("previous_year"))
    sections = [
        Section("summary", "1", _("Summary")),
        Section("financial-overview", "2", _("Financial overview")),
        Section("budget-execution", "3", _("Budget execution by unit")),
        Section("resources", "4", _("Resources by goal, thematic priority and enabler")),
        Section("targets", "5", _("Progress on targets")),
        Section("one-itu", "6", _("One ITU: working across sectors")),
        Section("comparison", "7", _("Comparison with the previous year")),
        Section("reconciliation", "8", _("Reconciliation with the financial statements")),
        Section("data-quality", "A", _("Data quality"), annex=True),
        Section("methodology", "B", _("Methodology"), annex=True),
    ]
    builders = [
        (tables.key_figures_table, "1.1"),
        (tables.financial_table, "2.1"),
        (tables.budget_units_table, "3.1"),
        (tables.budget_sectors_table, "3.2"),
        (tables.resources_table, "4.1"),
        (tables.goals_table, "4.2"),
        (tables.sectors_table, "4.3"),
        (tables.output_types_table, "4.4"),
        (tables.indicators_table, "5.1"),
        (tables.joint_table, "6.1"),
        (tables.matrix_table, "6.2"),
        (tables.overlaps_table, "6.3"),
        (tables.comparison_table, "7.1"),
        (tables.trends_table, "7.2"),
        (tables.reconciliation_table, "8.1"),
        (annexes.quality_summary_table, "A.1"),
        (annexes.deliveries_table, "A.2"),
        (annexes.rejected_files_table, "A.3"),
        (annexes.quarantined_table, "A.4"),
        (annexes.validation_table, "A.5"),
        (annexes.warnings_table, "A.6"),
    ]
    found: dict[str, Table] = {}
    for builder, number in builders:
        table = builder(report, lang, number)
        if table is not None:
            found[table.key] = table
    found["status-rules"] = annexes.status_rules_table(lang, "B.1")
    if not found["warnings"].rows:
        del found["warnings"]
    key_figures, summary = _summary(report, lang)
    previous = report.get("previous_year") or {}
    title = _("Strategic Plan implementation report %(year)s") % {"year": year}
    dq = report.get("data_quality") or {}
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
        "tables": found,
        "charts": _chart_specs(report, lang, found),
        "key_figures": key_figures,
        "summary": summary,
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
        "data_docs": safe_link(dq.get("data_docs")),
        "tolerance": tolerance(report, lang),
        "document": _council_document(report, lang),
        "data_docs_text": dq.get("data_docs"),
        "page_label": _("Page %(page)s of %(pages)s"),
    }

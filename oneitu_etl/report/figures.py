"""The report's charts as data (pure): which builder draws each, with what, its words.

Each chart is a :class:`ChartSpec` naming its builder (in :mod:`.charts`), the data to
give it, its title and description; numbers (``Figure 2.1``) follow from the section it
is placed in and its order there (:func:`chart_specs`), never typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from matplotlib.figure import Figure

from oneitu_etl.report import charts, elements, indicators, tables
from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import Table


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


def _millions_tick(lang: Language) -> Callable[[float], str]:
    return lambda value: lang.fmt.number(value / 1e6, 0)


def _percent_tick(lang: Language) -> Callable[[float], str]:
    return lambda value: lang.fmt.points(value, 0)


def chart_specs(
    report: Mapping[str, Any],
    lang: Language,
    found: dict[str, Table],
    sections: Mapping[str, Any],
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
        actual, expected = indicators.way_to_target(ind), indicators.way_to_target(ind, "expected")
        badge = tables.status_badge(ind.get("status", "no_data"), lang)
        items.append(
            charts.Trajectory(
                indicators.indicator_name(ind, code, lang),
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

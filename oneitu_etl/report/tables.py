"""The report's tables, built from ``report_<Y>.json`` (pure functions, no I/O).

A :class:`Table` holds raw values (floats, ints, text) with a kind per column; the HTML
template formats them for the reader's locale and the workbook writes them as numbers.
So the same table, with the same figures, is what the HTML, the PDF and the workbook
show. Headers and labels are translated here, through the language's catalogue; names
of units, sectors, lines and strategic elements come from the reference data.

Each builder takes the report dict and a :class:`~oneitu_etl.report.i18n.Language` and
returns one table; figures are taken from the JSON as they are. The only arithmetic is
what a reader expects a table to carry beside them: subtotals and totals of a column,
shares of a total, an unspent balance, a change against the previous year. Sums are
done in decimal and rounded to cents, so that they do not drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oneitu_etl.report.i18n import Language
from oneitu_etl.settings import TOLERANCE_CENTS

STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "no_data")
#: Symbols that tell the statuses apart without colour (the label is always beside them).
SYMBOLS = {
    "achieved": "\u2714",  # heavy check mark
    "on_track": "\u25cf",  # black circle
    "at_risk": "\u25b2",  # black up-pointing triangle
    "off_track": "\u2716",  # heavy multiplication x
    "no_data": "\u25cb",  # white circle
    "passed": "\u2714",
    "failed": "\u2716",
}


@dataclass(frozen=True)
class Badge:
    """A status shown as symbol and text (``✔ Achieved``), readable without colour."""

    code: str
    symbol: str
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Measure:
    """An indicator figure in its own unit (``percent``, ``count``, ``chf``...)."""

    value: float | None
    unit: str
    year: int | None = None


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (a count in a column of amounts)."""

    value: Any
    kind: str


@dataclass(frozen=True)
class Column:
    """One column: its header and the kind of its values.

    Kinds: ``label`` (the row header), ``text``, ``path`` (a file), ``code``, ``mono`` (hashes), ``amount``
    (CHF, 2 decimals), ``signed`` (a change in CHF), ``count``, ``percent`` (a fraction),
    ``signed_percent``, ``score`` (0-100), ``measure``, ``badge``, ``year``, ``timestamp``.
    ``html=False`` keeps a column out of the HTML and PDF (it is in the workbook only).
    """

    header: str
    kind: str
    html: bool = True

    @property
    def numeric(self) -> bool:
        """Whether the column holds figures (right-aligned, written as numbers)."""
        return self.kind in NUMERIC_KINDS


NUMERIC_KINDS = frozenset(
    {"amount", "signed", "count", "percent", "signed_percent", "score", "measure", "year"}
)


@dataclass(frozen=True)
class Row:
    """A row: ``data``, ``group`` (a heading over the rows below it), ``subtotal`` or ``total``."""

    cells: tuple[Any, ...]
    kind: str = "data"


@dataclass(frozen=True)
class Table:
    """One table of the report; ``key`` is its stable id in the HTML and workbook."""

    key: str
    number: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Its short name as a workbook sheet, where the builder gives one (else the
    #: workbook's list of short names, :func:`.workbook.sheet_titles`, or the title).
    sheet: str = ""

    @property
    def html_columns(self) -> tuple[int, ...]:
        """Indexes of the columns shown in the HTML."""
        return tuple(i for i, c in enumerate(self.columns) if c.html)

    @property
    def row_groups(self) -> list[tuple[str | None, list[Row]]]:
        """The rows cut at each ``group`` row: ``(heading or None, rows under it)``."""
        groups: list[tuple[str | None, list[Row]]] = []
        for row in self.rows:
            if row.kind == "group":
                groups.append((row.cells[0], []))
            elif row.kind == "total" and groups and groups[-1][0] is not None:
                groups.append((None, [row]))
            elif groups:
                groups[-1][1].append(row)
            else:
                groups.append((None, [row]))
        return [g for g in groups if g[0] is not None or g[1]]


def tolerance(report: Mapping[str, Any], lang: Language) -> str:
    """The reconciliation tolerance the report's figures were checked with, as money."""
    value = report.get("tolerance_chf")
    # a report published before it carried its own was checked with the default
    return lang.fmt.money(TOLERANCE_CENTS / 100 if value is None else float(value)) or ""


def _d(value: float | int | None) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def total(values: Iterable[float | int | None]) -> float:
    """Sum of amounts, in decimal, rounded to cents."""
    return float(sum((_d(v) for v in values), Decimal(0)).quantize(Decimal("0.01")))


def share(part: float | None, whole: float | None) -> float | None:
    """``part / whole``, or ``None`` when the whole is zero or missing."""
    if part is None or not whole:
        return None
    return part / whole


def status_badge(status: str, lang: Language) -> Badge:
    """The badge of an indicator status."""
    _ = lang.gettext
    labels = {
        "achieved": _("Achieved"),
        "on_track": _("On track"),
        "at_risk": _("At risk"),
        "off_track": _("Off track"),
        "no_data": _("No data"),
    }
    return Badge(status, SYMBOLS.get(status, "?"), labels.get(status, status))


def check_badge(passed: bool | None, lang: Language) -> Badge:
    """The badge of a reconciliation rule or validation check."""
    _ = lang.gettext
    if passed:
        return Badge("passed", SYMBOLS["passed"], _("Passed"))
    return Badge("failed", SYMBOLS["failed"], _("Failed"))


def sector_short(code: str, lang: Language) -> str:
    """A sector's short name, for column headers: ``ITU-R`` / ``UIT-R``."""
    return lang.names.sector(code).split(" (")[0]


def unit_group(code: str, lang: Language) -> str:
    """Which group of the budget table a unit belongs to: GS, Bureaux or regional offices."""
    if lang.names.unit_sector(code) == "SG":
        return "gs"
    return "regional" if code.startswith("RO-") else "bureaux"


def ordered(keys: Iterable[str], order: Iterable[str]) -> list[str]:
    """``keys`` in reference order, unknown ones after, sorted."""
    keys = list(keys)
    known = [k for k in order if k in keys]
    return known + sorted(k for k in keys if k not in known)


# --- 1. Summary ----------------------------------------------------------------------


def budget_overall(report: Mapping[str, Any]) -> tuple[float, float, float | None]:
    """Final budget, actual expenses and execution rate over all units."""
    units = report.get("budget_execution") or {}
    final = total(u.get("final") for u in units.values())
    actual = total(u.get("actual") for u in units.values())
    return final, actual, share(actual, final)


def status_counts(report: Mapping[str, Any]) -> dict[str, int]:
    """How many indicators have each status, in :data:`STATUS_ORDER`."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for indicator in (report.get("indicators") or {}).values():
        status = indicator.get("status", "no_data")
        counts[status] = counts.get(status, 0) + 1
    return counts


def key_figures_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Table of the year's key figures (shown as cards in the HTML)."""
    _ = lang.gettext
    totals = report.get("totals") or {}
    final, actual, rate = budget_overall(report)
    counts = status_counts(report)
    indicators = sum(counts.values())
    recon = report.get("reconciliation") or []
    one_itu = report.get("one_itu") or {}
    surplus = totals.get("surplus")
    rows = [
        Row((_("Total revenue"), Cell(totals.get("revenue"), "amount"))),
        Row((_("Total expenses"), Cell(totals.get("expenses"), "amount"))),
        Row(
            (
                _("Surplus") if (surplus or 0) >= 0 else _("Deficit"),
                Cell(surplus, "amount"),
            )
        ),
        Row((_("Budget execution rate (actual / final budget)"), Cell(rate, "percent"))),
        Row(
            (
                _("Indicators achieved or on track"),
                Cell(counts["achieved"] + counts["on_track"], "count"),
            )
        ),
        Row((_("Indicators reported"), Cell(indicators, "count"))),
        Row((_("Share of joint activities"), Cell(one_itu.get("joint_activity_share"), "percent"))),
        Row(
            (
                _("Reconciliation rules passed"),
                Cell(sum(1 for r in recon if r.get("passed")), "count"),
            )
        ),
        Row((_("Reconciliation rules checked"), Cell(len(recon), "count"))),
    ]
    return Table(
        "key-figures",
        number,
        _("Key figures"),
        (Column(_("Figure"), "label"), Column(_("Value"), "amount")),
        tuple(rows),
    )


# --- 2. Financial overview -----------------------------------------------------------


def financial_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Statement of financial performance: revenue and expense lines, totals, surplus."""
    _ = lang.gettext
    names = lang.names
    totals = report.get("totals") or {}
    line_order = list(names.lines)
    rows: list[Row] = []
    for group, by_line, total_key, total_label in (
        (_("Revenue"), report.get("revenue_by_line") or {}, "revenue", _("Total revenue")),
        (_("Expenses"), report.get("expenses_by_line") or {}, "expenses", _("Total expenses")),
    ):
        rows.append(Row((group,), "group"))
        whole = totals.get(total_key)
        for code in ordered(by_line, line_order):
            amount = by_line[code]
            rows.append(Row((names.line(code), code, amount, share(amount, whole))))
        rows.append(Row((total_label, "", whole, share(whole, whole) if whole else None), "total"))
    surplus = totals.get("surplus")
    label = _("Surplus for the year") if (surplus or 0) >= 0 else _("Deficit for the year")
    rows.append(Row((label, "", surplus, None), "total"))
    return Table(
        "financial-performance",
        number,
        _("Statement of financial performance (CHF)"),
        (
            Column(_("Line"), "label"),
            Column(_("Code"), "code"),
            Column(_("Amount (CHF)"), "amount"),
            Column(_("Share of total"), "percent"),
        ),
        tuple(rows),
        note=_(
            "Totals are the total lines of the financial statements; the sum of the lines "
            "agrees with them within %(tolerance)s (rule R1)."
        )
        % {"tolerance": tolerance(report, lang)},
    )


# --- 4. Resources by strategic framework ---------------------------------------------


def element_groups(report: Mapping[str, Any], lang: Language) -> list[tuple[str, str, list[str]]]:
    """The plan's goals and the enablers, each with its codes: ``(key, heading, codes)``.

    Every element of the plan is listed, with or without expenses; a code of the report
    that the plan does not know goes to a last group, "Other".
    """
    _ = lang.gettext
    names = lang.names
    groups = []
    for goal in names.elements_of_kind("goal"):
        codes = [e.code for e in names.elements_of_kind("thematic_priority") if e.goal == goal.code]
        heading = _("%(code)s: %(name)s") % {"code": goal.code, "name": goal.name}
        groups.append((goal.code, heading, codes))
    enablers = [e.code for e in names.elements_of_kind("enabler")]
    groups.append(("enablers", _("Enablers"), enablers))
    listed = {c for _key, _heading, codes in groups for c in codes}
    used = set(report.get("expenses_by_strategic_code") or {}) | set(
        report.get("outputs_by_strategic_code") or {}
    )
    other = sorted(used - listed)
    if other:
        groups.append(("other", _("Other"), other))
    return groups


def direct_cost(cost: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """An element's direct cost of completed outputs and its cost per output.

    From the activities' own reported cost (``cost_per_output.by_output_type``), never
    from the element's allocated expenses (which hold staff and overheads): the sum of
    the reported costs, and that sum over the completed outputs that reported one;
    ``None`` where no completed output reported a cost.
    """
    types = (cost.get("by_output_type") or {}).values()
    costed = sum(t.get("costed_activities") or 0 for t in types)
    if not costed:
        return None, None
    amount = total(t.get("cost_chf") for t in types)
    return amount, amount / costed


def _resources_sum(
    label: str,
    expenses: float,
    grand: float,
    outputs: Iterable[Mapping[str, Any]],
    costs: Iterable[Mapping[str, Any]],
    kind: str,
) -> Row:
    """A subtotal or total row of :func:`resources_table`: expenses and outputs summed."""
    outputs = list(outputs)
    return Row(
        (
            label,
            "",
            expenses,
            share(expenses, grand),
            sum(o.get("activities", 0) for o in outputs),
            sum(o.get("participants", 0) for o in outputs),
            "",
            sum(c.get("completed_activities", 0) for c in costs),
            total(direct_cost(c)[0] for c in costs),
            "",
        ),
        kind,
    )


def resources_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Expenses, outputs and cost per output of each goal, thematic priority and enabler."""
    _ = lang.gettext
    expenses = report.get("expenses_by_strategic_code") or {}
    by_goal = report.get("expenses_by_goal") or {}
    outputs = report.get("outputs_by_strategic_code") or {}
    costs = report.get("cost_per_output") or {}
    grand = total(by_goal.values()) if by_goal else total(expenses.values())
    rows: list[Row] = []
    for key, heading, codes in element_groups(report, lang):
        rows.append(Row((heading,), "group"))
        for code in codes:
            out = outputs.get(code) or {}
            cost = costs.get(code) or {}
            amount = expenses.get(code, 0.0)
            direct, per_output = direct_cost(cost)
            rows.append(
                Row(
                    (
                        lang.names.element(code),
                        code,
                        amount,
                        share(amount, grand),
                        out.get("activities", 0),
                        out.get("participants", 0),
                        out.get("women_share"),
                        cost.get("completed_activities", 0),
                        direct,
                        per_output,
                    )
                )
            )
        subtotal = by_goal.get(key, total(expenses.get(c) for c in codes))
        rows.append(
            _resources_sum(
                _("Subtotal: %(group)s") % {"group": heading},
                subtotal,
                grand,
                [outputs.get(c) or {} for c in codes],
                [costs.get(c) or {} for c in codes],
                "subtotal",
            )
        )
    rows.append(_resources_sum(_("Total"), grand, grand, outputs.values(), costs.values(), "total"))
    return Table(
        "resources",
        number,
        _("Expenses, outputs and their direct cost by strategic element"),
        (
            Column(_("Strategic element"), "label"),
            Column(_("Code"), "code"),
            Column(_("Expenses (CHF)"), "amount"),
            Column(_("Share of expenses"), "percent"),
            Column(_("Activities"), "count"),
            Column(_("Participants"), "count"),
            Column(_("Women among participants"), "percent"),
            Column(_("Completed outputs"), "count"),
            Column(_("Direct cost of outputs (CHF)"), "amount"),
            Column(_("Direct cost per completed output (CHF)"), "amount"),
        ),
        tuple(rows),
        note=_(
            "Expenses are the element's share of the units' actual expenses (budget basis): "
            "staff, premises and overheads included. Direct cost is the cost the units "
            "reported with each completed activity, before staff and overheads; per output, "
            "it is divided by the completed outputs that reported a cost. Activities exclude "
            "cancelled and quarantined ones. A dash: no completed output reported a cost (work "
            "such as an enabler's is often not organised as activities)."
        ),
    )


def _expenses_table(
    key: str,
    number: str,
    title: str,
    header: str,
    lines: list[tuple[str, str, float]],
    lang: Language,
) -> Table:
    """A table of ``(label, code, amount)`` lines with their share of the total, then the total."""
    _ = lang.gettext
    grand = total(amount for _label, _code, amount in lines)
    rows = [Row((label, code, amount, share(amount, grand))) for label, code, amount in lines]
    rows.append(Row((_("Total"), "", grand, share(grand, grand)), "total"))
    return Table(
        key,
        number,
        title,
        (
            Column(header, "label"),
            Column(_("Code"), "code"),
            Column(_("Expenses (CHF)"), "amount"),
            Column(_("Share of expenses"), "percent"),
        ),
        tuple(rows),
    )


def goals_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Expenses by goal, with enablers as a line of their own."""
    _ = lang.gettext
    by_goal = report.get("expenses_by_goal") or {}
    order = [g.code for g in lang.names.elements_of_kind("goal")] + ["enablers"]
    lines = []
    for key in ordered(by_goal, order):
        if key == "enablers":
            lines.append((_("Enablers"), "", by_goal[key]))
        else:
            lines.append((lang.names.element(key), key, by_goal[key]))
    return _expenses_table(
        "expenses-goals", number, _("Expenses by goal (CHF)"), _("Goal"), lines, lang
    )


def sectors_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Expenses by sector (the sector of the unit that spent them)."""
    _ = lang.gettext
    by_sector = report.get("expenses_by_sector") or {}
    lines = [
        (lang.names.sector(code), code, by_sector[code])
        for code in ordered(by_sector, lang.names.sectors)
    ]
    return _expenses_table(
        "expenses-sectors", number, _("Expenses by sector (CHF)"), _("Sector"), lines, lang
    )


def output_types_table(report: Mapping[str, Any], lang: Language, number: str) -> Table:
    """Completed outputs and their direct cost, by strategic element and output type.

    The figures of each type are the JSON's: all its completed activities, how many of them
    gave a cost, the sum of those costs and the direct cost per output, which the JSON
    leaves null unless every completed activity gave a cost (shown as a dash, with a note).
    """
    _ = lang.gettext
    costs = report.get("cost_per_output") or {}
    order = [e.code for e in lang.names.elements]
    rows = []
    for code in ordered(costs, order):
        for output_type, figures in sorted((costs[code].get("by_output_type") or {}).items()):
            rows.append(
                Row(
                    (
                        lang.names.element(code),
                        code,
                        lang.names.code_name("output_type", output_type),
                        figures.get("completed_activities"),
                        figures.get("costed_activities"),
                        figures.get("cost_chf"),
                        figures.get("cost_per_output"),
                    )
                )
            )
    footnote = _(
        "\u2013 No direct cost per output: not every completed output of the type reported its cost."
    )
    return Table(
        "output-types",
        number,
        _("Completed outputs by type and their direct cost"),
        (
            Column(_("Strategic element"), "label"),
            Column(_("Code"), "code"),
            Column(_("Output type"), "text"),
            Column(_("Completed outputs"), "count"),
            Column(_("Of which with a reported cost"), "count"),
            Column(_("Direct cost (CHF)"), "amount"),
            Column(_("Direct cost per output (CHF)"), "amount"),
        ),
        tuple(rows),
        note=_("Direct cost is the cost reported with each activity, before overheads."),
        notes=(footnote,) if any(row.cells[-1] is None for row in rows) else (),
    )

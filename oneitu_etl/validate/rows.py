"""Typed parsing and the contract's row rules for every table, vectorised with pandas.

:func:`check_table` turns a :class:`~oneitu_etl.sources.files.RawTable` of text into a
typed frame plus the issues of its bad cells. Amounts become integer cents (columns
``*_chf`` become ``*_cents``) so that sums are exact on every database. Which rows an
issue condemns is returned too: for activity and indicator files they are quarantined,
for the financial statements any error blocks the year.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from oneitu_etl.contract import Kind, TableSpec
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference
from oneitu_etl.sources.files import RawTable

_AMOUNT = re.compile(r"^[+-]?\d+(?:\.\d{1,2})?$")
_INTEGER = r"^[+-]?\d+$"
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_MAX_COUNTRIES = 194


def cents_name(column: str) -> str:
    """The typed column holding an amount in cents: ``amount_chf`` -> ``amount_cents``."""
    return column.removesuffix("_chf") + "_cents"


@dataclass
class Context:
    """What row rules need beyond the row itself.

    Attributes:
        reference: Reference codes.
        year: Financial year of the delivery (from its folder), if any.
        indicator_codes: Indicator codes defined (for indicator values).
        seen_ids: For activities: activity ids already taken, with their place.
    """

    reference: Reference
    year: int | None = None
    indicator_codes: frozenset[str] | None = None
    seen_ids: dict[str, str] = field(default_factory=dict)

    @property
    def allocatable_codes(self) -> frozenset[str]:
        """Strategic codes expenses and activities may use in this year's plan cycle."""
        cycle = self.reference.cycle_for(self.year) if self.year else None
        if cycle is None:
            return frozenset(
                c for cy in self.reference.cycles for c in cy.allocatable_codes
            )
        return cycle.allocatable_codes


@dataclass
class CheckedTable:
    """A table after its row rules: typed values, issues, and the rows they condemn."""

    raw: RawTable
    spec: TableSpec
    frame: pd.DataFrame
    issues: list[Issue]
    bad_rows: set[int]
    #: (rule, column) -> numbers of the rows that failed it, for every rule applied
    results: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)

    @property
    def good(self) -> pd.DataFrame:
        """Rows without any error."""
        return self.frame[~self.frame.index.isin(sorted(self.bad_rows))]


class _Checker:
    """Collects issues column by column; one instance per table."""

    def __init__(self, raw: RawTable, spec: TableSpec):
        self.raw = raw
        self.spec = spec
        self.text = raw.frame
        self.issues: list[Issue] = list(raw.issues)
        self.bad: set[int] = {i.row for i in raw.issues if i.is_error and i.row}
        self.typed = pd.DataFrame(index=raw.frame.index)
        #: (rule, column) -> rows that failed it; every rule applied appears, failing or not
        self.results: dict[tuple[str, str | None], list[int]] = {}

    def flag(self, mask: pd.Series, column: str | None, message, rule: str) -> None:  # noqa: ANN001
        """Record an error for every row where ``mask`` is true.

        ``message`` is a string or a callable of (row number, text of the cell).
        """
        failed = self.results.setdefault((rule, column), [])
        if not mask.any():
            return
        texts = self.text[column] if column in self.text else pd.Series("", index=self.text.index)
        for row in mask.index[mask.to_numpy(dtype=bool, na_value=False)]:
            value = texts.get(row, "")
            msg = message(row, value) if callable(message) else message
            self.issues.append(
                self.raw.issue(msg, row=int(row), column=column, value=value or None, rule=rule)
            )
            self.bad.add(int(row))
            failed.append(int(row))

    def missing(self, column: str, what: str) -> pd.Series:
        empty = self.text[column] == ""
        self.flag(empty, column, f"value is missing; {what} is required", "not_null")
        return empty

    # -- typed parsers -------------------------------------------------------------------
    def amount(self, column: str, *, signed: bool, nullable: bool) -> None:
        text = self.text[column]
        empty = text == "" if nullable else self.missing(column, "an amount in CHF")
        ok = text.str.match(_AMOUNT) | empty
        bad = ~ok
        decimal_comma = bad & text.str.contains(r"^[+-]?[\d  .,']+$", regex=True) & text.str.contains(r"[, ']")
        too_precise = bad & text.str.match(r"^[+-]?\d+\.\d{3,}$")
        self.flag(
            decimal_comma, column,
            lambda r, v: f'"{v}" is not a number; write amounts with a decimal point and no '
            "thousands separator (e.g. 1234.56)", "amount_format",
        )
        self.flag(too_precise, column, lambda r, v: f"{v} has more than 2 decimals; amounts are CHF with at most 2 decimals", "amount_format")
        self.flag(bad & ~decimal_comma & ~too_precise & ~empty, column,
                  lambda r, v: f'"{v}" is not a number; expected an amount in CHF such as 1234.56', "amount_format")
        cents = pd.Series(pd.NA, index=text.index, dtype="Int64")
        good = ok & ~empty
        if good.any():
            parts = text[good].str.extract(r"^([+-]?)(\d+)(?:\.(\d{1,2}))?$")
            frac = parts[2].fillna("").str.ljust(2, "0").replace("", "00")
            value = parts[1].astype("int64") * 100 + frac.astype("int64")
            sign = parts[0].map({"-": -1}).fillna(1).astype("int64")
            cents[good] = (value * sign).astype("Int64")
        if not signed:
            self.flag(cents.lt(0).fillna(False), column,
                      lambda r, v: f"{v} is negative; amounts must be >= 0", "amount_non_negative")
        self.typed[cents_name(column)] = cents

    def integer(self, column: str, *, nullable: bool, minimum: int | None = None,
                maximum: int | None = None) -> None:
        text = self.text[column]
        empty = text == "" if nullable else self.missing(column, "a whole number")
        ok = text.str.match(_INTEGER) | empty
        self.flag(~ok, column, lambda r, v: f'"{v}" is not a whole number', "integer_format")
        values = pd.to_numeric(text.where(ok & ~empty), errors="coerce").astype("Int64")
        if minimum is not None:
            self.flag(values.lt(minimum).fillna(False), column,
                      lambda r, v: f"{v} is below the minimum of {minimum}", "range")
        if maximum is not None:
            self.flag(values.gt(maximum).fillna(False), column,
                      lambda r, v: f"{v} is above the maximum of {maximum}", "range")
        self.typed[column] = values

    def number(self, column: str, *, nullable: bool) -> None:
        text = self.text[column]
        empty = text == "" if nullable else self.missing(column, "a number")
        ok = text.str.match(_NUMBER) | empty
        self.flag(~ok, column, lambda r, v: f'"{v}" is not a number; use a decimal point (e.g. 67.5)', "number_format")
        self.typed[column] = pd.to_numeric(text.where(ok & ~empty), errors="coerce").astype("Float64")

    def date(self, column: str, *, nullable: bool) -> None:
        text = self.text[column]
        empty = text == "" if nullable else self.missing(column, "a date (YYYY-MM-DD)")
        iso = text.str.match(_ISO_DATE)
        parsed = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
        serial = ~iso & text.str.match(r"^\d{4,5}(\.0+)?$")
        self.flag(serial, column, lambda r, v: f"{v} looks like an Excel date serial number; enter the date as YYYY-MM-DD", "date_format")
        self.flag(~iso & ~serial & ~empty, column, lambda r, v: f'"{v}" is not a date; expected YYYY-MM-DD', "date_format")
        self.flag(iso & parsed.isna(), column, lambda r, v: f"{v} is not a valid calendar date", "date_format")
        self.typed[column] = parsed.dt.date.where(parsed.notna(), None)

    def code(self, column: str, allowed: Iterable[str], what: str, *, nullable: bool = False) -> None:
        text = self.text[column]
        allowed = frozenset(allowed)
        empty = text == "" if nullable else self.missing(column, what)
        unknown = ~text.isin(allowed) & ~empty
        listing = ", ".join(sorted(allowed)) if len(allowed) <= 20 else f"{len(allowed)} codes"
        self.flag(unknown, column, lambda r, v: f'"{v}" is not a known {what}; expected one of {listing}', "allowed_codes")
        self.typed[column] = text.where(~empty, None)

    def codes(self, column: str, allowed: Iterable[str], what: str) -> None:
        allowed = frozenset(allowed)
        text = self.text[column]
        lists = text.str.split(";").map(lambda xs: [x.strip() for x in xs if x.strip()])
        unknown = lists.map(lambda xs: [x for x in xs if x not in allowed])
        self.flag(unknown.map(bool), column,
                  lambda r, v: f'"{", ".join(unknown[r])}" in "{v}" is not a known {what}', "allowed_codes")
        self.typed[column] = lists.map(";".join)

    def text_col(self, column: str, *, nullable: bool) -> None:
        if not nullable:
            self.missing(column, "a value")
        self.typed[column] = self.text[column].where(self.text[column] != "", None)

    def unique(self, columns: tuple[str, ...]) -> None:
        keys = self.text[list(columns)]
        dup = keys.duplicated(keep="first") & (keys != "").all(axis=1)
        if not dup.any():
            return
        first_rows = keys.reset_index().groupby(list(columns), sort=False)["row"].first()
        label = " and ".join(columns)

        def message(row: int, value: str) -> str:
            key = tuple(keys.loc[row])
            first = first_rows.loc[key if len(key) > 1 else key[0]]
            shown = ", ".join(key)
            return f"duplicate {label} {shown}; first given at row {first}"

        self.flag(dup, columns[-1] if len(columns) == 1 else columns[0], message, "unique")

    def result(self, kind_frame: pd.DataFrame | None = None) -> CheckedTable:
        frame = self.typed if kind_frame is None else kind_frame
        return CheckedTable(self.raw, self.spec, frame, self.issues, self.bad, self.results)


def _parse_columns(ck: _Checker, ctx: Context) -> None:
    ref = ctx.reference
    what = {
        "org_unit": ("org unit", ref.org_units),
        "line_code": ("statement line code", ref.statement_lines),
        "line_type": ("line type", {"revenue", "expense", "total"}),
        "strategic_code": ("strategic code", ctx.allocatable_codes),
        "output_type": ("output type", ref.codes("output_type")),
        "status": ("activity status", ref.codes("activity_status")),
        "unit": ("indicator unit", ref.codes("indicator_unit")),
        "direction": ("direction", ref.codes("indicator_direction")),
    }
    for col in ck.spec.columns:
        name = col.name
        if col.type in ("amount", "signed_amount"):
            ck.amount(name, signed=col.type == "signed_amount", nullable=col.nullable)
        elif col.type == "integer":
            limits = {"countries": (0, _MAX_COUNTRIES), "participants": (0, None),
                      "women_participants": (0, None)}.get(name, (None, None))
            ck.integer(name, nullable=col.nullable, minimum=limits[0], maximum=limits[1])
        elif col.type == "number":
            ck.number(name, nullable=col.nullable)
        elif col.type == "date":
            ck.date(name, nullable=col.nullable)
        elif col.type == "codes":
            ck.codes(name, ref.org_units, "org unit")
        elif col.type == "code":
            label, allowed = what[name]
            if ck.spec.kind is Kind.INDICATOR_DEFINITIONS and name == "strategic_code":
                allowed = ref.all_strategic_codes
            ck.code(name, allowed, label, nullable=col.nullable)
        else:
            ck.text_col(name, nullable=col.nullable)


def _year_bounds(ctx: Context) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if ctx.year is None:
        return None
    return pd.Timestamp(ctx.year, 1, 1), pd.Timestamp(ctx.year, 12, 31)


def _table_rules(ck: _Checker, ctx: Context) -> None:
    """Rules that relate the columns of one row, and uniqueness."""
    t, kind, ref = ck.typed, ck.spec.kind, ctx.reference
    if kind is Kind.PERFORMANCE:
        expected = ck.text["line_code"].map(lambda c: ref.statement_lines.get(c, {}).get("line_type"))
        mismatch = expected.notna() & (ck.text["line_type"] != expected) & ck.text["line_type"].isin(
            {"revenue", "expense", "total"})
        ck.flag(mismatch, "line_type",
                lambda r, v: f'line_type "{v}" does not match line_code {ck.text.at[r, "line_code"]}, '
                f"which is a {expected[r]} line", "line_type_matches_code")
    if kind is Kind.LEDGER:
        not_expense = t["line_code"].notna() & ~t["line_code"].isin(ref.line_codes("expense"))
        ck.flag(not_expense & ck.text["line_code"].isin(ref.statement_lines), "line_code",
                lambda r, v: f"{v} is not an expense line; the ledger posts expenses only", "expense_line")
    bounds = _year_bounds(ctx)
    if kind is Kind.LEDGER and bounds:
        d = pd.to_datetime(t["posting_date"])
        ck.flag(d.notna() & ((d < bounds[0]) | (d > bounds[1])), "posting_date",
                lambda r, v: f"{v} is outside the financial year {ctx.year}", "date_in_year")
    if kind is Kind.ACTIVITIES:
        start, end = pd.to_datetime(t["start_date"]), pd.to_datetime(t["end_date"])
        if bounds:
            ck.flag(start.notna() & (start > bounds[1]), "start_date",
                    lambda r, v: f"start_date {v} is after the financial year {ctx.year}", "date_in_year")
        ck.flag(start.notna() & end.notna() & (end < start), "end_date",
                lambda r, v: f"end_date {v} is before start_date {ck.text.at[r, 'start_date']}", "end_after_start")
        women, people = t["women_participants"], t["participants"]
        ck.flag((women.notna() & people.notna() & (women > people)).fillna(False), "women_participants",
                lambda r, v: f"women_participants {v} exceeds participants {ck.text.at[r, 'participants']}",
                "women_within_participants")
        empty_title = ck.text["title"] == ""
        del empty_title  # reported by the not-null rule
    if kind is Kind.INDICATOR_DEFINITIONS:
        by, ty = t["baseline_year"], t["target_year"]
        ck.flag((by.notna() & ty.notna() & (ty <= by)).fillna(False), "target_year",
                lambda r, v: f"target_year {v} must be after baseline_year {ck.text.at[r, 'baseline_year']}",
                "target_after_baseline")
    if kind is Kind.INDICATOR_VALUES and ctx.indicator_codes is not None:
        undefined = ck.text["indicator_code"].ne("") & ~ck.text["indicator_code"].isin(ctx.indicator_codes)
        ck.flag(undefined, "indicator_code",
                lambda r, v: f'indicator "{v}" is not defined (or its definition was quarantined) in '
                "indicator_definitions.csv", "defined_indicator")
    if ck.spec.key:
        ck.unique(ck.spec.key)


def _other_years(ck: _Checker, ctx: Context) -> pd.Series:
    """Indicator values for other years than the folder's: ignored with a warning."""
    years = ck.typed["year"]
    other = (years.notna() & (years != ctx.year)).fillna(False)
    for row in other.index[other.to_numpy(dtype=bool)]:
        ck.issues.append(ck.raw.issue(
            f"year {years[row]} is not the folder's year {ctx.year}; the row is ignored",
            row=int(row), column="year", value=str(years[row]), severity="warning", rule="year_matches_folder"))
    return other


def _cross_file_ids(ck: _Checker, ctx: Context) -> None:
    ids = ck.text["activity_id"]
    taken = ids.isin(ctx.seen_ids)
    ck.flag(taken & (ids != ""), "activity_id",
            lambda r, v: f"duplicate activity_id {v}; first given in {ctx.seen_ids[v]}", "unique")
    for row, value in ids.items():
        if value and value not in ctx.seen_ids:
            ctx.seen_ids[value] = f"{ck.raw.file} row {row}"


def check_table(raw: RawTable, spec: TableSpec, ctx: Context) -> CheckedTable:
    """Parse and check every row of ``raw`` against the contract rules of ``spec``.

    Args:
        raw: The table as delivered.
        spec: Its contract table.
        ctx: Reference data, the year and cross-file state.

    Returns:
        The typed frame (every row; ``good`` leaves out the bad ones), the issues and
        the numbers of the rows with an error.
    """
    ck = _Checker(raw, spec)
    _parse_columns(ck, ctx)
    _table_rules(ck, ctx)
    if spec.kind is Kind.ACTIVITIES:
        _cross_file_ids(ck, ctx)
    frame = ck.typed
    if spec.kind is Kind.INDICATOR_VALUES and ctx.year is not None:
        frame = frame[~_other_years(ck, ctx)]
    ck.issues.sort(key=lambda i: (i.row or 0, spec.column_names.index(i.column) if i.column in spec.column_names else 99))
    return ck.result(frame)

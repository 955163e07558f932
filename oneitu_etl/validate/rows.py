"""The fast row checker: typed parsing, then the declared suite evaluated with pandas.

:func:`check_table` turns a :class:`~oneitu_etl.sources.files.RawTable` of text into a
typed frame plus the issues of its bad cells, in two steps:

1. **Parsing** (this module only): every cell is parsed by its column's contract type;
   a cell that is not a valid amount, whole number, number or ISO date gets its own
   message (decimal comma, thousands separator, Excel date serial...) and no value.
   Amounts become integer cents (``*_chf`` -> ``*_cents``) so that sums are exact.
2. **Rules**: the table's declaration in ``expectations/`` (:mod:`.suites`), resolved
   against the reference data and the year, is evaluated vectorised on the same *batch
   frame* Great Expectations judges in pipeline stage 2, with the same semantics (nulls
   ignored except by the not-null rule, uniqueness reported for the later occurrences).
   ``results`` records the failing rows of every rule; a test proves GX finds the same
   rows on the bad-input corpus. A failing row gets a message unless one of the rule's
   columns already has an error in that row (one cause, one message).

Which rows an error condemns is returned too: for activity and indicator files they are
quarantined; for the financial statements any error blocks the year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from oneitu_etl.contract import Kind, TableSpec
from oneitu_etl.issue_text import Label, Message, declared_code, say, say_declared
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference
from oneitu_etl.settings import PROJECT_ROOT
from oneitu_etl.sources.files import ROW_SHAPE, RawTable
from oneitu_etl.validate.suites import (
    BATCH_TYPES,
    Declaration,
    Rule,
    Scope,
    batch_frame,
    cents_column,
    load_declarations,
    resolve_rules,
    row_condition_mask,
)
from oneitu_etl.validate.translations import Translations

_AMOUNT = r"^[+-]?\d+(?:\.\d{1,2})?$"
_INTEGER = r"^[+-]?\d+$"
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
DEFAULT_EXPECTATIONS = PROJECT_ROOT / "expectations"


def cents_name(column: str) -> str:
    """The typed column holding an amount in cents: ``amount_chf`` -> ``amount_cents``."""
    return cents_column(column)


@dataclass
class Context:
    """What row rules need beyond the row itself.

    Attributes:
        reference: Reference codes.
        year: Financial year of the delivery (from its folder), if any.
        indicator_codes: Indicator codes defined (for indicator values).
        seen_ids: For activities: activity ids already taken, with their place.
        declarations: The suite declarations (``expectations/``; the project's by default).
        translations: (v2) For narratives: what the files judged so far fixed, across
            files (:mod:`.translations`).
    """

    reference: Reference
    year: int | None = None
    indicator_codes: frozenset[str] | None = None
    seen_ids: dict[str, str] = field(default_factory=dict)
    declarations: Mapping[Kind, Declaration] | None = None
    translations: Translations = field(default_factory=Translations)

    @property
    def scope(self) -> Scope:
        """What the suites' references resolve against."""
        return Scope(self.reference, self.year, self.indicator_codes)

    def declaration(self, kind: Kind) -> Declaration:
        """The suite declaration of a table."""
        if self.declarations is None:
            self.declarations = load_declarations(DEFAULT_EXPECTATIONS)
        return self.declarations[kind]


@dataclass
class CheckedTable:
    """A table after its row rules: typed values, issues, and the rows they condemn.

    Attributes:
        frame: Typed rows, indexed by row number; rows ignored with a warning (indicator
            values of another year) are left out.
        batch: Every row as both evaluators judged it (:func:`.suites.batch_frame`).
        results: ``(rule name, column)`` -> numbers of the rows that failed it, for every
            rule evaluated (an empty list when it passed).
        rules: The evaluated rules under the same keys.
    """

    raw: RawTable
    spec: TableSpec
    frame: pd.DataFrame
    issues: list[Issue]
    bad_rows: set[int]
    results: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    rules: dict[tuple[str, str | None], Rule] = field(default_factory=dict)
    batch: pd.DataFrame | None = None

    @property
    def good(self) -> pd.DataFrame:
        """Rows without any error."""
        return self.frame[~self.frame.index.isin(sorted(self.bad_rows))]

    @property
    def row_count(self) -> int:
        """Rows judged (blank rows left out): every rule's ``element_count``."""
        return len(self.raw.frame)


# -- step 1: typed parsing --------------------------------------------------------------------
class _Parser:
    """Parses a raw table column by column; collects the format errors."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.text = raw.frame
        self.issues: list[Issue] = []
        self.typed = pd.DataFrame(index=raw.frame.index)

    def flag(
        self, mask: pd.Series, column: str, message: Callable[[str], Message], rule: str
    ) -> None:
        for row in mask.index[mask.to_numpy(dtype=bool, na_value=False)]:
            value = self.text.at[row, column]
            self.issues.append(
                self.raw.issue(
                    message(value), row=int(row), column=column, value=value or None, rule=rule
                )
            )

    def amount(self, column: str) -> None:
        text = self.text[column]
        empty = text == ""
        ok = text.str.match(_AMOUNT) | empty
        bad = ~ok
        separators = (
            bad
            & text.str.match(r"^[+-]?[\d \u00a0\u202f.,']+$")
            & text.str.contains(r"[, \u00a0\u202f']")
        )
        too_precise = bad & text.str.match(r"^[+-]?\d+\.\d{3,}$")
        scientific = bad & text.str.match(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
        self.flag(
            scientific,
            column,
            lambda v: say("amount_scientific", value=v, number=_plain_number(v)),
            "amount_format",
        )
        self.flag(
            separators,
            column,
            lambda v: say("amount_separators", value=v),
            "amount_format",
        )
        self.flag(
            too_precise,
            column,
            lambda v: say("amount_decimals", value=v),
            "amount_format",
        )
        self.flag(
            bad & ~separators & ~too_precise & ~scientific,
            column,
            lambda v: say("amount_not_number", value=v),
            "amount_format",
        )
        cents = pd.Series(pd.NA, index=text.index, dtype="Int64")
        good = ok & ~empty
        if good.any():
            parts = text[good].str.extract(r"^([+-]?)(\d+)(?:\.(\d{1,2}))?$")
            frac = parts[2].fillna("").str.ljust(2, "0")
            value = parts[1].astype("int64") * 100 + frac.astype("int64")
            sign = parts[0].map({"-": -1}).fillna(1).astype("int64")
            cents[good] = (value * sign).astype("Int64")
        self.typed[cents_name(column)] = cents

    def integer(self, column: str) -> None:
        text = self.text[column]
        empty = text == ""
        ok = text.str.match(_INTEGER) | empty
        self.flag(~ok, column, lambda v: say("not_whole_number", value=v), "integer_format")
        self.typed[column] = pd.to_numeric(text.where(ok & ~empty), errors="coerce").astype("Int64")

    def number(self, column: str) -> None:
        text = self.text[column]
        empty = text == ""
        ok = text.str.match(_NUMBER) | empty
        self.flag(
            ~ok,
            column,
            lambda v: say("not_number", value=v),
            "number_format",
        )
        self.typed[column] = pd.to_numeric(text.where(ok & ~empty), errors="coerce").astype(
            "Float64"
        )

    def date(self, column: str) -> None:
        text = self.text[column]
        empty = text == ""
        iso = text.str.match(_ISO_DATE)
        parsed = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
        parsed = parsed.where(parsed.dt.year >= 1)  # pandas takes year 0; a date cannot
        serial = ~iso & text.str.match(r"^\d{4,5}(\.0+)?$")
        self.flag(
            serial,
            column,
            lambda v: say("date_serial", value=v, date=_serial_date(v)),
            "date_format",
        )
        self.flag(
            ~iso & ~serial & ~empty,
            column,
            lambda v: say("not_date", value=v),
            "date_format",
        )
        self.flag(
            iso & parsed.isna(),
            column,
            lambda v: say("not_calendar_date", value=v),
            "date_format",
        )
        self.typed[column] = parsed.dt.date.where(parsed.notna(), None)

    def codes(self, column: str) -> None:
        lists = (
            self.text[column].str.split(";").map(lambda xs: [x.strip() for x in xs if x.strip()])
        )
        self.typed[column] = lists.map(";".join)

    def text_col(self, column: str) -> None:
        self.typed[column] = self.text[column].where(self.text[column] != "", None)


def _parse(raw: RawTable, declaration: Declaration) -> _Parser:
    parser = _Parser(raw)
    for col in declaration.columns:
        if col.type in ("amount", "signed_amount"):
            parser.amount(col.name)
        elif col.type == "integer":
            parser.integer(col.name)
        elif col.type == "number":
            parser.number(col.name)
        elif col.type == "date":
            parser.date(col.name)
        elif col.type == "codes":
            parser.codes(col.name)
        else:
            parser.text_col(col.name)
    return parser


# -- step 2: the declared rules ---------------------------------------------------------------
def _dtype_matches(series: pd.Series, type_name: str) -> bool:
    """What GX's ``expect_column_values_to_be_of_type`` accepts for our batch dtypes."""
    if type_name == "str":
        return pd.api.types.is_string_dtype(series.dtype) and series.dtype != object
    if type_name == "int64":
        return pd.api.types.is_integer_dtype(series.dtype)
    if type_name == "float64":
        return pd.api.types.is_float_dtype(series.dtype)
    if type_name == "datetime64":
        return pd.api.types.is_datetime64_any_dtype(series.dtype)
    return False


def _first_rows(keys: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """For every row, the row number of the first row with the same key."""
    return rows.groupby([keys[c] for c in keys.columns], sort=False, dropna=False).transform("min")


def failing_rows(rule: Rule, batch: pd.DataFrame) -> pd.Series:
    """The rows of ``batch`` that break ``rule``, as GX counts them (boolean mask).

    Uniqueness reports the later occurrences of a key, not the first (the first is kept);
    GX reports all of them, and :mod:`.gx` drops the first the same way. A rule with a
    ``row_condition`` (v2: ``{column: value}`` or ``{column: [values]}``) judges only the
    rows that meet it, as GX does.

    Raises:
        ValueError: a rule type this checker does not know (a defect in the declaration).
    """
    condition = rule.kwargs.get("row_condition")
    failed = _failing_rows(rule, batch)
    if not condition:
        return failed
    return failed & row_condition_mask(batch, rule)


def _failing_rows(rule: Rule, batch: pd.DataFrame) -> pd.Series:
    k, t = rule.kwargs, rule.type
    none = pd.Series(False, index=batch.index)
    if t in ("expect_column_to_exist", "expect_column_values_to_be_of_type"):
        return none
    if t == "expect_column_values_to_not_be_null":
        return batch[k["column"]].isna()
    if t == "expect_column_values_to_be_in_set":
        col = batch[k["column"]]
        return col.notna() & ~col.isin(k["value_set"])
    if t == "expect_column_values_to_not_be_in_set":
        col = batch[k["column"]]
        return (col.notna() & col.isin(k["value_set"])).fillna(False).astype(bool)
    if t == "expect_column_values_to_match_regex":
        col = batch[k["column"]]
        return (col.notna() & ~col.str.contains(k["regex"], regex=True)).fillna(False)
    if t == "expect_column_value_lengths_to_be_between":
        col = batch[k["column"]]
        lengths = col.str.len()
        bad = none.copy()
        if k.get("min_value") is not None:
            bad |= (lengths < k["min_value"]).fillna(False)
        if k.get("max_value") is not None:
            bad |= (lengths > k["max_value"]).fillna(False)
        return (bad & col.notna()).astype(bool)
    if t == "expect_column_values_to_be_between":
        col = batch[k["column"]]
        bad = none.copy()
        if k.get("min_value") is not None:
            bad |= (col < k["min_value"]).fillna(False)
        if k.get("max_value") is not None:
            bad |= (col > k["max_value"]).fillna(False)
        return bad & col.notna()
    if t in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        cols = list(rule.columns)
        keys = batch[cols]
        present = keys.notna().all(axis=1)
        if k.get("ignore_row_if") == "never":  # (v2) a missing value is part of the key
            present = pd.Series(True, index=batch.index)
        return present & keys.duplicated(keep="first")
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = batch[k["column_A"]], batch[k["column_B"]]
        both = a.notna() & b.notna()
        ok = (a >= b) if k.get("or_equal") else (a > b)
        return (both & ~ok.fillna(False)).astype(bool)
    if t == "expect_column_pair_values_to_be_in_set":
        a, b = batch[k["column_A"]], batch[k["column_B"]]
        pairs = {tuple(p) for p in k["value_pairs_set"]}
        both = a.notna() & b.notna()
        inside = pd.Series([(x, y) in pairs for x, y in zip(a, b, strict=True)], index=batch.index)
        return both & ~inside
    raise ValueError(f"{rule.suite}: the row checker does not know {t}")


def _plain_number(text: str) -> str | Message:
    """A number in scientific notation written out: ``2.0450374053E+08`` -> ``204503740.53``."""
    import decimal  # noqa: PLC0415 - rare

    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return text
    return f"{value:f}" if abs(value.adjusted()) < 30 else say("number_too_large")


def _serial_date(text: str) -> str:
    """The date an Excel serial number stands for (1900 date system)."""
    return (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))).isoformat()


def _strategic_hint(value: str, ctx: Context, codes: str | Message) -> Message | None:
    """Why a strategic code the framework knows is not allowed here, if it is one."""
    cycle = ctx.reference.cycle_for(ctx.year) if ctx.year else None
    for other in ctx.reference.cycles:
        element = next((e for e in other.elements if e.code == value), None)
        if element is None:
            continue
        if cycle is not None and other.plan != cycle.plan and value not in cycle.codes():
            return say(
                "other_plan",
                value=value,
                plan=other.plan,
                year_plan=cycle.plan,
                year=ctx.year,
                codes=codes,
            )
        if element.kind == "goal":
            return say("goal_code", value=value, codes=codes)
    return None


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Messages:
    """The message of a failing row of a rule, from the text as delivered."""

    def __init__(self, raw: RawTable, declaration: Declaration, ctx: Context):
        self.text = raw.frame
        self.declaration = declaration
        self.ctx = ctx

    def __call__(self, rule: Rule, row: int, batch_row: pd.Series) -> Message:
        text = self.text.loc[row]
        value = text.get(rule.column, "") if rule.column else ""
        fields = {
            **text.to_dict(),
            "value": value,
            "year": self.ctx.year,
            "length": f"{len(value):,}",
        }
        template = rule.meta.get("message")
        k, t = rule.kwargs, rule.type
        if t == "expect_column_values_to_match_regex" and "list_of" in rule.meta:
            allowed = set(rule.meta["list_of"])
            items = [x.strip() for x in value.split(rule.meta["separator"]) if x.strip()]
            fields["unknown"] = ", ".join(x for x in items if x not in allowed)
        if t == "expect_column_pair_values_to_be_in_set":
            fields["expected"] = dict(map(tuple, k["value_pairs_set"])).get(text[k["column_A"]], "")
        if template:
            code = declared_code(rule.suite, rule.meta, rule.type, rule.column)
            return say_declared(code, template, fields)
        col = self.declaration.column(rule.column) if rule.column else None
        if t == "expect_column_values_to_not_be_null":
            return say("value_missing", expected=Label(col.expected))
        if t == "expect_column_values_to_be_in_set":
            allowed = k["value_set"]
            listing = (
                ", ".join(allowed) if len(allowed) <= 20 else say("codes_count", count=len(allowed))
            )
            noun = Label(re.sub(r"^an? ", "", col.expected))
            if rule.column == "strategic_code":
                hint = _strategic_hint(value, self.ctx, listing)
                if hint:
                    return hint
            return say("not_known", value=value, noun=noun, codes=listing)
        if t == "expect_column_values_to_be_between":
            number = batch_row[rule.column]
            if k.get("min_value") is not None and number < k["min_value"]:
                if col.type in ("amount", "signed_amount") and k["min_value"] == 0:
                    return say("negative_amount", value=f"{number:.2f}")
                return say("below_minimum", value=value, minimum=_number(k["min_value"]))
            return say("above_maximum", value=value, maximum=_number(k["max_value"]))
        return say("rule_failed", rule=rule.name, value=repr(value))


def _evaluate(
    parser: _Parser, declaration: Declaration, ctx: Context, batch: pd.DataFrame
) -> tuple[dict, dict, set[int]]:
    """Every declared rule on ``batch``; issues into ``parser.issues``."""
    raw = parser.raw
    message = _Messages(raw, declaration, ctx)
    errors: dict[int, set[str]] = {}
    misfit = _misfit_rows(raw.issues)
    for issue in parser.issues + raw.issues:
        if issue.is_error and issue.row is not None:
            errors.setdefault(issue.row, set()).add(issue.column or "")
    results: dict[tuple[str, str | None], list[int]] = {}
    rules: dict[tuple[str, str | None], Rule] = {}
    ignored: set[int] = set()
    rows = batch["row"]
    for rule in resolve_rules(declaration, ctx.scope):
        key = (rule.name, rule.column)
        if key in results:
            raise ValueError(f"{declaration.path}: two rules named {key}")
        mask = failing_rows(rule, batch)
        firsts: dict[int, str] = {}
        if rule.meta.get("across_files") and ctx.seen_ids is not None:
            col = batch[rule.column]
            earlier = col.isin(ctx.seen_ids.keys()).fillna(False)
            mask = (mask | earlier).astype(bool)
            firsts = {
                int(r): ctx.seen_ids[v] for r, v in zip(rows[earlier], col[earlier], strict=True)
            }
        failed = [int(r) for r in rows[mask.to_numpy(dtype=bool)]]
        results[key], rules[key] = failed, rule
        if rule.type == "expect_column_values_to_be_of_type" and not _dtype_matches(
            batch[rule.column], rule.kwargs["type_"]
        ):
            raise ValueError(f"{declaration.path}: {rule.column} is not {rule.kwargs['type_']}")
        if not failed:
            continue
        first_at = _first_rows(batch[list(rule.columns)], rows) if rule.name == "unique" else None
        for pos in mask.index[mask.to_numpy(dtype=bool)]:
            row = int(rows[pos])
            if rule.severity == "error" and errors.get(row, set()) & set(rule.columns):
                continue
            if row in misfit:  # its cells are not where the header says: one message
                continue
            if rule.name == "unique":
                text = ", ".join(raw.frame.at[row, c] for c in rule.columns)
                columns = " and ".join(rule.columns)
                if row in firsts:
                    msg = say("duplicate_in", columns=columns, key=text, place=firsts[row])
                else:
                    msg = say("duplicate", columns=columns, key=text, row=int(first_at[pos]))
            else:
                msg = message(rule, row, batch.loc[pos])
            value = raw.frame.at[row, rule.column] if rule.column else ""
            parser.issues.append(
                raw.issue(
                    msg,
                    row=row,
                    column=rule.column,
                    value=value or None,
                    rule=rule.name,
                    severity=rule.severity,
                )
            )
            if rule.severity == "error":
                errors.setdefault(row, set()).add(rule.column or "")
            elif rule.meta.get("on_failure") == "ignore_row":
                ignored.add(row)
    if any(r.meta.get("across_files") for r in rules.values()):
        col = next(r.column for r in rules.values() if r.meta.get("across_files"))
        for row, value in zip(rows, batch[col], strict=True):
            if isinstance(value, str) and value not in ctx.seen_ids:
                ctx.seen_ids[value] = say("place_row", file=raw.file, row=row)
    return results, rules, ignored


def _misfit_rows(issues: list[Issue]) -> set[int]:
    """Rows whose cells do not fit the header: the reader's message is theirs alone."""
    return {i.row for i in issues if i.rule == ROW_SHAPE and i.row is not None}


def check_table(raw: RawTable, spec: TableSpec, ctx: Context) -> CheckedTable:
    """Parse and check every row of ``raw`` against its table's declared suite.

    Args:
        raw: The table as delivered.
        spec: Its contract table.
        ctx: Reference data, the year, cross-file state and the declarations.

    Returns:
        The typed frame (``good`` leaves out the bad rows), the issues (sorted by row, then
        column), the numbers of the rows with an error, and every rule's failing rows.
    """
    declaration = ctx.declaration(spec.kind)
    parser = _parse(raw, declaration)
    batch = batch_frame(parser.typed, declaration, raw.file)
    results, rules, ignored = _evaluate(parser, declaration, ctx, batch)
    if spec.kind is Kind.NARRATIVES:  # (v2) translations agree across the year's files
        for key, rows in ctx.translations.check(raw, parser.typed, parser.issues).items():
            results[key] = sorted({*results.get(key, []), *rows})
    misfit = _misfit_rows(raw.issues)
    issues = list(raw.issues) + [i for i in parser.issues if i.row not in misfit]
    if raw.frame.empty:
        what = "sheet" if raw.sheet else "file"
        issues.append(
            raw.issue(
                say(f"{what}_header_only"),
                rule="not_empty",
            )
        )
    order = {name: i for i, name in enumerate(spec.column_names)}
    issues.sort(key=lambda i: (i.row or 0, order.get(i.column or "", 99)))
    bad = {i.row for i in issues if i.is_error and i.row is not None}
    frame = parser.typed[~parser.typed.index.isin(sorted(ignored))]
    return CheckedTable(raw, spec, frame, issues, bad, results, rules, batch)


__all__ = ["BATCH_TYPES", "CheckedTable", "Context", "check_table", "failing_rows"]

"""Row rules on a table held in memory: the engine's flags turned into issues.

:func:`check_table` runs a table's compiled declaration (:mod:`.engine`) over the text
cells of a :class:`~oneitu_etl.sources.files.RawTable`; :func:`judge_rows` writes the
message of each failing cell and row (a decimal comma, an Excel date serial, a code of
another plan...), one cause, one message: a rule is not reported on a row where one of
its columns already has an error. Which rows an error condemns is returned too: for
activity and indicator files they are quarantined; for the statements they block the year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from oneitu_etl.contract import Kind, TableSpec
from oneitu_etl.issue_text import Label, Message, declared_code, say, say_declared
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference
from oneitu_etl.settings import PROJECT_ROOT
from oneitu_etl.sources.files import ROW_SHAPE, RawTable
from oneitu_etl.validate import engine
from oneitu_etl.validate.engine import Compiled
from oneitu_etl.validate.suites import (
    Declaration,
    Rule,
    Scope,
    load_declarations,
    resolve_rules,
)
from oneitu_etl.validate.translations import Translations

DEFAULT_EXPECTATIONS = PROJECT_ROOT / "expectations"


@dataclass
class Context:
    """What row rules need beyond the row itself: the reference codes, the delivery's
    year (from its folder), the indicator codes defined, the declarations (the project's by
    default) and what the year's files judged so far fixed: activity ids taken (with their
    place) and (v2) the narratives' translations (:mod:`.translations`)."""

    reference: Reference
    year: int | None = None
    indicator_codes: frozenset[str] | None = None
    seen_ids: dict[str, str] = field(default_factory=dict)
    declarations: Mapping[Kind, Declaration] | None = None
    translations: Translations = field(default_factory=Translations)
    _compiled: dict[tuple, Compiled] = field(default_factory=dict, repr=False)

    @property
    def scope(self) -> Scope:
        """What the suites' references resolve against."""
        return Scope(self.reference, self.year, self.indicator_codes)

    def compiled(self, kind: Kind) -> Compiled:
        """The table's rules for this context's scope, compiled (once per scope)."""
        key = (kind, self.year, self.indicator_codes)
        if key not in self._compiled:
            declaration = self.declaration(kind)
            self._compiled[key] = Compiled(declaration, resolve_rules(declaration, self.scope))
        return self._compiled[key]

    def declaration(self, kind: Kind) -> Declaration:
        """The suite declaration of a table."""
        if self.declarations is None:
            self.declarations = load_declarations(DEFAULT_EXPECTATIONS)
        return self.declarations[kind]


@dataclass
class CheckedTable:
    """A table after its row rules: ``frame``, its typed rows by row number (less those
    ignored with a warning), its issues, the rows they condemn, and ``results``: each rule
    evaluated (``rules``), by ``(rule name, column)``, with the rows that failed it."""

    raw: RawTable
    spec: TableSpec
    frame: pd.DataFrame
    issues: list[Issue]
    bad_rows: set[int]
    results: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    rules: dict[tuple[str, str | None], Rule] = field(default_factory=dict)

    @property
    def good(self) -> pd.DataFrame:
        """Rows without any error."""
        return self.frame[~self.frame.index.isin(sorted(self.bad_rows))]

    @property
    def row_count(self) -> int:
        """Rows judged (blank rows left out): every rule's ``element_count``."""
        return len(self.raw.frame)


# -- format messages: the hints, for the failing cells only ------------------------------------
def _format_message(kind: str, value: str) -> Message:
    """Why a cell is not a valid value of its contract type (decimal comma, date serial...)."""
    if kind in ("amount", "signed_amount"):
        if re.match(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$", value):
            return say("amount_scientific", value=value, number=_plain_number(value))
        if re.match(r"^[+-]?[\d \u00a0\u202f.,']+$", value) and re.search(
            r"[, \u00a0\u202f']", value
        ):
            return say("amount_separators", value=value)
        if re.match(r"^[+-]?\d+\.\d{3,}$", value):
            return say("amount_decimals", value=value)
        return say("amount_not_number", value=value)
    if kind == "integer":
        return say("not_whole_number", value=value)
    if kind == "number":
        return say("not_number", value=value)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return say("not_calendar_date", value=value)
    if re.match(r"^\d{4,5}(\.0+)?$", value):
        return say("date_serial", value=value, date=_serial_date(value))
    return say("not_date", value=value)


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
            plans = {"plan": other.plan, "year_plan": cycle.plan, "year": ctx.year}
            return say("other_plan", value=value, codes=codes, **plans)
        if element.kind == "goal":
            return say("goal_code", value=value, codes=codes)
    return None


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(
    rule: Rule, row: int, raw: RawTable, values: pd.Series, declaration: Declaration, ctx: Context
) -> Message:
    """The message of a failing row of a rule, from the text as delivered."""
    text = raw.frame.loc[row]
    value = text.get(rule.column, "") if rule.column else ""
    fields = {**text.to_dict(), "value": value, "year": ctx.year, "length": f"{len(value):,}"}
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
    col = declaration.column(rule.column) if rule.column else None
    if t == "expect_column_values_to_not_be_null":
        return say("value_missing", expected=Label(col.expected))
    if t == "expect_column_values_to_be_in_set":
        allowed = k["value_set"]
        listing = (
            ", ".join(allowed) if len(allowed) <= 20 else say("codes_count", count=len(allowed))
        )
        noun = Label(re.sub(r"^an? ", "", col.expected))
        if rule.column == "strategic_code" and (hint := _strategic_hint(value, ctx, listing)):
            return hint
        return say("not_known", value=value, noun=noun, codes=listing)
    if t == "expect_column_values_to_be_between":
        number = values[rule.column]
        if k.get("min_value") is not None and number < k["min_value"]:
            if col.type in ("amount", "signed_amount") and k["min_value"] == 0:
                return say("negative_amount", value=f"{number:.2f}")
            return say("below_minimum", value=value, minimum=_number(k["min_value"]))
        return say("above_maximum", value=value, maximum=_number(k["max_value"]))
    return say("rule_failed", rule=rule.name, value=repr(value))


def judge_rows(
    raw: RawTable,
    ctx: Context,
    found: pd.DataFrame,
    compiled: Compiled,
    everything: pd.DataFrame | None = None,
) -> tuple[list[Issue], dict, set[int]]:
    """The issues, failing rows per rule and ignored rows, from the engine's flags.

    Args:
        raw: The table as delivered (at least the text of the rows of ``found``).
        found: The engine's result (:meth:`.engine.Compiled.query`) by row: every row,
            or only the failing ones.
        everything: Every row's typed values by column name, when the table is held
            whole (for the rules across files).

    Returns:
        The issues (not yet sorted), ``(rule, column)`` -> failing rows, and the rows to
        leave out with a warning (``ignore_row``).
    """
    declaration, rules = compiled.declaration, compiled.rules
    flagged = compiled.failed(found)
    values = compiled.values(found) if everything is None else everything
    issues: list[Issue] = []
    for i, col in enumerate(declaration.columns):
        for row in flagged.get(f"fmt{i}", []):
            value = raw.frame.at[row, col.name]
            kind = "amount" if col.type == "signed_amount" else col.type
            where = {"row": int(row), "column": col.name, "value": value or None}
            issues.append(
                raw.issue(_format_message(col.type, value), **where, rule=f"{kind}_format")
            )
    errors: dict[int, set[str]] = {}
    misfit = _misfit_rows(raw.issues)
    for issue in issues + raw.issues:
        if issue.is_error and issue.row is not None:
            errors.setdefault(issue.row, set()).add(issue.column or "")
    results: dict[tuple[str, str | None], list[int]] = {}
    ignored: set[int] = set()
    for j, rule in enumerate(rules):
        key = (rule.name, rule.column)
        if key in results:
            raise ValueError(f"{declaration.path}: two rules named {key}")
        failed = [int(r) for r in flagged[f"r{j}"]]
        firsts: dict[int, str] = {}
        if rule.meta.get("across_files") and ctx.seen_ids is not None and everything is not None:
            col = everything[rule.column]
            earlier = col.isin(ctx.seen_ids.keys()).fillna(False).to_numpy(dtype=bool)
            firsts = {
                int(r): ctx.seen_ids[v]
                for r, v in zip(col.index[earlier], col[earlier], strict=True)
            }
            failed = sorted({*failed, *firsts})
        results[key] = failed
        for row in failed:
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
                    first = int(found.at[row, f"first{j}"])
                    msg = say("duplicate", columns=columns, key=text, row=first)
            else:
                msg = _message(rule, row, raw, values.loc[row], declaration, ctx)
            value = raw.frame.at[row, rule.column] if rule.column else ""
            where = {"row": row, "column": rule.column, "value": value or None}
            issues.append(raw.issue(msg, **where, rule=rule.name, severity=rule.severity))
            if rule.severity == "error":
                errors.setdefault(row, set()).add(rule.column or "")
            elif rule.meta.get("on_failure") == "ignore_row":
                ignored.add(row)
    across = [r for r in rules if r.meta.get("across_files")]
    if across and everything is not None:
        for row, value in everything[across[0].column].items():
            if isinstance(value, str) and value not in ctx.seen_ids:
                ctx.seen_ids[value] = say("place_row", file=raw.file, row=row)
    return issues, results, ignored


def _misfit_rows(issues: list[Issue]) -> set[int]:
    """Rows whose cells do not fit the header: the reader's message is theirs alone."""
    return {i.row for i in issues if i.rule == ROW_SHAPE and i.row is not None}


def check_table(raw: RawTable, spec: TableSpec, ctx: Context) -> CheckedTable:
    """Every row of ``raw`` checked against its table's declared suite: the typed frame
    (``good`` leaves out the bad rows), the issues sorted by row then column, the rows with
    an error, and every rule's failing rows."""
    compiled = ctx.compiled(spec.kind)
    found = engine.run(compiled, raw.frame, list(raw.frame.columns))
    typed = compiled.typed_frame(found)
    values = compiled.values(found)
    found_issues, results, ignored = judge_rows(raw, ctx, found, compiled, values)
    if spec.kind is Kind.NARRATIVES:  # (v2) translations agree across the year's files
        for key, rows in ctx.translations.check(raw, typed, found_issues).items():
            results[key] = sorted({*results.get(key, []), *rows})
    frame = typed[~typed.index.isin(sorted(ignored))]
    return finish(raw, spec, found_issues, results, frame, compiled)


def finish(
    raw: RawTable,
    spec: TableSpec,
    found: list[Issue],
    results: dict[tuple[str, str | None], list[int]],
    frame: pd.DataFrame,
    compiled: Compiled,
    rows: int | None = None,
) -> CheckedTable:
    """The checked table: the reader's issues, then the rows' (a misfit row has its reader's
    message alone), sorted by row then column; an empty table is an error of the file."""
    misfit = _misfit_rows(raw.issues)
    issues = list(raw.issues) + [i for i in found if i.row not in misfit]
    if (len(raw.frame) if rows is None else rows) == 0:
        what = "sheet" if raw.sheet else "file"
        issues.append(raw.issue(say(f"{what}_header_only"), rule="not_empty"))
    order = {name: i for i, name in enumerate(spec.column_names)}
    issues.sort(key=lambda i: (i.row or 0, order.get(i.column or "", 99)))
    bad = {i.row for i in issues if i.is_error and i.row is not None}
    rules = {(r.name, r.column): r for r in compiled.rules}
    return CheckedTable(raw, spec, frame, issues, bad, results, rules)


__all__ = ["CheckedTable", "Context", "check_table", "finish", "judge_rows"]

"""The reconciliation rules (contract 3.1: R1-R4, L1, L2): the report tied to the statements.

Declared once, as the table-level entries of ``expectations/<table>.json``; :func:`entries`
expands them over the tables at hand. :func:`reconcile` computes them in integer cents (for
ingestion, ``oneitu validate``, the upload page and the report's reconciliation table);
:func:`reconciliation_rules` makes the same entries Great Expectations' rules (stage 2).
A failing entry's :class:`~oneitu_etl.issues.Issue` is said by the message its declaration
names (``meta.says``, ``says_with_items``, ``says_if_missing``; fields from ``meta.with``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import TEMPLATES, say_declared
from oneitu_etl.issues import Issue, format_chf
from oneitu_etl.validate.suites import (
    TABLE_LEVEL,
    Declaration,
    DeclarationError,
    Rule,
    Scope,
    cents_column,
    mask,
    resolve,
    resolve_rules,
)


@dataclass(frozen=True)
class Entry:
    """One entry of a declared reconciliation rule (``R3-BR``) for the tables at hand:
    ``left`` (this table's sum over ``condition``) against ``right`` (the other side's,
    0 where none) less (v2) ``items`` (``None`` without that table); ``missing``: the other
    side has no row and the rule says ``if_missing: fail``. ``meta``, ``equals`` and
    ``kwargs`` are the declaration's, resolved; ``index`` its position there."""

    rule: str
    suite: str
    condition: Mapping[str, Any]
    key: Mapping[str, Any]
    left: Any
    right: Any
    items: Any
    missing: bool
    meta: Mapping[str, Any]
    equals: Mapping[str, Any]
    type: str
    kwargs: Mapping[str, Any]
    index: int


def _sums(frame: pd.DataFrame, keys: list[str], column: str) -> dict[tuple, Any]:
    """``column`` summed by ``keys`` (one total under ``()`` without keys)."""
    if not keys:
        return {(): frame[column].sum()}
    summed = frame.groupby(keys, dropna=True, sort=False)[column].sum()
    return {k if isinstance(k, tuple) else (k,): v for k, v in summed.items()}


def entries(
    declarations: Mapping[Kind, Declaration],
    frames: Mapping[Kind, pd.DataFrame],
    scope: Scope,
    amount: Callable[[str], str] = str,
) -> list[Entry]:
    """Expand the declared table-level rules over the tables at hand: one entry per
    ``for_each`` key found on either side (or in the bridging items); rules whose tables
    are not all given are left out.

    Args:
        frames: The tables: batch frames (contract names, CHF) or typed tables.
        amount: The frame's column of a declared amount column: itself for batch frames,
            :func:`cents_column` for typed tables (integer cents).
    """
    found: list[Entry] = []
    for kind, declaration in declarations.items():
        if kind not in frames:
            continue
        for index, declared in enumerate(declaration.expectations):
            if declared.type not in TABLE_LEVEL:
                continue
            kwargs = resolve(dict(declared.kwargs), scope)
            meta = resolve(dict(declared.meta), scope)
            equals = meta.pop("equals")
            if Kind(equals["table"]) not in frames:
                continue
            keys: list[str] = list(meta.pop("for_each", []))
            condition = kwargs.pop("row_condition", {})
            left = frames[kind][mask(frames[kind], condition)]
            right = frames[Kind(equals["table"])]
            right = right[mask(right, equals.get("where", {}))]
            lefts = _sums(left, keys, amount(kwargs["column"]))
            rights = _sums(right, keys, amount(equals["column"]))
            present = set(rights) if keys else ({()} if len(right) else set())
            less = equals.get("less")
            items = frames.get(Kind(less["table"])) if less else None
            inside: list[str] = []
            bridged: dict[tuple, Any] = {}
            combos = set(lefts) | set(rights)
            if items is not None and less is not None:
                inside = [k for k in keys if k in items.columns]
                bridged = _sums(items, inside, amount(less["column"]))
                if keys and inside == keys:
                    combos |= set(bridged)
            for values in sorted(c for c in combos if not any(pd.isna(v) for v in c)):
                key = dict(zip(keys, values, strict=True))
                inner = tuple(key[k] for k in inside)
                found.append(
                    Entry(
                        rule=meta.get("rule", "").format(**key),
                        suite=declaration.name,
                        condition={**condition, **key},
                        key=key,
                        left=lefts.get(values, 0),
                        right=rights.get(values, 0),
                        items=None if items is None else bridged.get(inner, 0),
                        missing=values not in present and meta.get("if_missing") == "fail",
                        meta=meta,
                        equals=equals,
                        type=declared.type,
                        kwargs=kwargs,
                        index=index,
                    )
                )
    return found


def reconciliation_rules(
    declarations: Mapping[Kind, Declaration], batches: Mapping[Kind, pd.DataFrame], scope: Scope
) -> list[Rule]:
    """The GX rules of the reconciliation entries for the batches: each sum within the
    tolerance of its target (plus half a cent of slack for the floating-point sum of whole
    cents). An entry whose other side has no row (``if_missing: fail``) fails whatever the
    sums: :func:`_missing_counterpart` says so in GX's terms."""
    slack = scope.tolerance_cents / 100 + 0.005
    rules: list[Rule] = []
    for entry in entries(declarations, batches, scope):
        other = f"{entry.equals['table']}.{entry.equals['column']}"
        meta = {**entry.meta, "rule": entry.rule, "reconciliation": True, "equals": other}
        if entry.missing:
            rules.append(_missing_counterpart(entry, meta))
            continue
        target = float(entry.right) - float(entry.items or 0)
        bounds = {"min_value": round(target - slack, 3), "max_value": round(target + slack, 3)}
        rules.append(
            Rule(
                entry.rule,
                entry.type,
                {**entry.kwargs, "row_condition": dict(entry.condition), **bounds},
                {**meta, "target": round(target, 2)},
                entry.suite,
            )
        )
    return rules


def _missing_counterpart(entry: Entry, meta: dict[str, Any]) -> Rule:
    """The GX rule of an entry whose other side has no row (``if_missing: fail``)."""
    meta = {**meta, "missing": True}
    where = entry.equals.get("where", {})
    if len(entry.key) == 1:
        column, value = next(iter(entry.key.items()))
        kwargs = {"column": column, "value_set": [value]}
        return Rule(entry.rule, "expect_column_values_to_not_be_in_set", kwargs, meta, entry.suite)
    if not entry.key and entry.equals["table"] == entry.suite and len(where) == 1:
        column, value = next(iter(where.items()))
        kwargs = {"column": column, "value_set": [value]}
        expectation = "expect_column_distinct_values_to_contain_set"
        return Rule(entry.rule, expectation, kwargs, meta, entry.suite)
    raise DeclarationError(f"{entry.suite}: {entry.rule}: if_missing needs one key or one where")


def suite_rules(
    declarations: Mapping[Kind, Declaration], batches: Mapping[Kind, pd.DataFrame], scope: Scope
) -> dict[Kind, list[Rule]]:
    """Every table's rules for ``scope``: its row and column rules, then its reconciliation
    entries for the batches at hand (tables without a batch get their row rules only)."""
    rules = {kind: resolve_rules(d, scope) for kind, d in declarations.items()}
    for rule in reconciliation_rules(declarations, batches, scope):
        rules[Kind(rule.suite)].append(rule)
    return rules


@dataclass(frozen=True)
class Place:
    """Where the left-hand side of a rule was delivered (for messages)."""

    file: str
    sheet: str | None = None


@dataclass(frozen=True)
class Check:
    """One reconciliation entry (contract section 5, ``reconciliation``)."""

    rule: str
    left_cents: int
    right_cents: int
    passed: bool
    issue: Issue | None = None

    @property
    def difference_cents(self) -> int:
        """Left minus right."""
        return self.left_cents - self.right_cents

    def as_json(self) -> dict[str, object]:
        """The contract's entry: rule, left, right, difference (CHF), passed."""
        return {
            "rule": self.rule,
            "left": self.left_cents / 100,
            "right": self.right_cents / 100,
            "difference": self.difference_cents / 100,
            "passed": self.passed,
        }


def _order(entry: Entry) -> tuple[object, ...]:
    """The contract's order: R1 to R4, then L1 and L2; per rule its keyed entries (sorted),
    then its entry over the whole table (``R3-total``); one key's entries as declared."""
    family = entry.rule.split("-", 1)[0]
    return (family.startswith("L"), family, not entry.key, tuple(entry.key.values()), entry.index)


def _check(entry: Entry, place: Place, tolerance_cents: int) -> Check:
    summed = int(entry.left)
    fields: dict[str, object] = {"rule": entry.rule}
    fields |= {
        name: str(value).format(**entry.key) for name, value in entry.meta.get("with", {}).items()
    }
    column = None
    if entry.missing:  # fails whatever the sums: the other side has no row
        left, right, passed, code = summed, 0, False, entry.meta["says_if_missing"]
        where = entry.equals.get("where", {})
        column = next(iter(where)) if not entry.key and len(where) == 1 else None
    else:
        with_items = entry.items is not None
        left = summed + (int(entry.items) if with_items else 0)
        right = int(entry.right)
        passed = abs(left - right) <= tolerance_cents
        code = entry.meta["says_with_items" if with_items else "says"]
        fields["right"] = format_chf(right / 100)
        fields["difference"] = format_chf(abs(left - right) / 100)
    if passed:
        return Check(entry.rule, left, right, True)
    fields["left"] = format_chf(left / 100)
    message = say_declared(code, TEMPLATES[code], fields)
    issue = Issue(place.file, message, sheet=place.sheet, column=column, rule=entry.rule)
    return Check(entry.rule, left, right, False, issue)


def reconcile(
    declarations: Mapping[Kind, Declaration],
    tables: Mapping[Kind, pd.DataFrame],
    places: Mapping[Kind, Place],
    scope: Scope,
) -> list[Check]:
    """Every declared reconciliation entry whose tables are all given, in the contract's order.

    Args:
        declarations: The suites of ``expectations/``.
        tables: Typed tables (amounts in integer cents, ``<name>_cents``); the ledger may be
            given as its sums by the rules' keys. The optional tables (v2) take part where
            given: without ``budget_reconciliation``, R2, R3-total and L2 hold without items.
        places: Where each table was delivered, for the messages.
        scope: The reference codes and the tolerance.
    """
    found = sorted(entries(declarations, tables, scope, cents_column), key=_order)
    return [_check(e, places[Kind(e.suite)], scope.tolerance_cents) for e in found]

"""The reconciliation rules that make the report "aligned with the financial statements".

Contract section 3.1: R1 (revenue and expense lines sum to their totals), R2 (budget
actuals, plus the reconciling items, sum to total expenses), R3 (each unit's allocations
sum to its actual, and all allocations plus the items to total expenses), (v2) R4 (each
unit's planned resources sum to its approved and final budget) and, where a ledger is
given, L1 and L2 (with the items of each line).

The rules are declared once, as the table-level entries of ``expectations/<table>.json``
(:func:`.suites.entries` expands them); :func:`reconcile` computes them in integer cents
for ingestion, ``oneitu validate``, the upload page and the report's reconciliation table,
and Great Expectations evaluates the same declarations in stage 2. Each entry gives one
:class:`Check`, with both sides and the difference, and an
:class:`~oneitu_etl.issues.Issue` when it fails, said by the message its declaration names
(``meta.says``; ``says_with_items`` where the items were delivered, ``says_if_missing``
where the other side has no row; ``meta.with``: the message's fields from the entry's keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import TEMPLATES, say_declared
from oneitu_etl.issues import Issue, format_chf
from oneitu_etl.validate.suites import Declaration, Entry, Scope, cents_column, entries


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

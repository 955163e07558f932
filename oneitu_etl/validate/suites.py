"""The expectation suites: one declaration per contract table, the single source of its rules.

``expectations/<table>.json`` declares a table's columns (type, nullable, label) and its
expectations as GX 1.x configurations (``type``, ``kwargs``, ``meta``). Values that come
from data are references resolved here, never typed twice: ``{"$reference": "org_units"}``,
``{"$year": "last_day"}``, ``{"$context": "defined_indicators"}``. Both evaluators read the
resolved :class:`Rule`: the row engine (:mod:`.engine`) and Great Expectations
(:mod:`.gx`); :mod:`.reconcile` expands the table-level entries. No GX import here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import N_
from oneitu_etl.reference import Reference
from oneitu_etl.settings import TOLERANCE_CENTS

#: Row identifiers added to every batch frame (GX ``unexpected_index_column_names``).
ID_COLUMNS = ("file", "row")
#: Expectation types evaluated on whole tables (reconciliation), not on rows.
TABLE_LEVEL = frozenset({"expect_column_sum_to_be_between"})
#: GX ``expect_column_values_to_be_of_type`` type of each contract column type in a batch.
BATCH_TYPES = {
    "text": "str",
    "code": "str",
    "codes": "str",
    "amount": "float64",
    "signed_amount": "float64",
    "number": "float64",
    "integer": "int64",
    "date": "datetime64",
}
#: What a missing value of each type should have been (``value is missing; ... is required``).
_EXPECTED = {
    "amount": N_("an amount in CHF"),
    "signed_amount": N_("an amount in CHF"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "date": N_("a date (YYYY-MM-DD)"),
    "text": N_("a value"),
    "code": N_("a code"),
    "codes": N_("a list of codes"),
}
#: The same without their article, as "is not a known ..." says them (translated too).
_NOUNS = (N_("code"), N_("list of codes"), N_("value"))
#: Default short rule names (``Issue.rule``) by expectation type.
_RULE_NAMES = {
    "expect_column_to_exist": "column_present",
    "expect_column_values_to_be_of_type": "column_type",
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_in_set": "allowed_codes",
    "expect_column_values_to_match_regex": "pattern",
    "expect_column_values_to_be_between": "range",
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique",
}


class DeclarationError(ValueError):
    """A suite declaration that cannot be read or resolved (a defect, not bad data)."""


class Unresolved(Exception):
    """A reference that cannot be resolved here (no year, no definitions): rule skipped."""


@dataclass(frozen=True)
class ColumnDecl:
    """One declared column."""

    name: str
    type: str
    nullable: bool = False
    label: str | None = None

    @property
    def expected(self) -> str:
        """What a value of this column is, with its article (``an org unit``)."""
        return self.label or _EXPECTED[self.type]


@dataclass(frozen=True)
class Declared:
    """One expectation as written in the declaration (references unresolved)."""

    type: str
    kwargs: Mapping[str, Any]
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Declaration:
    """A table's suite as declared in ``expectations/<table>.json``."""

    name: str
    kind: Kind
    meta: Mapping[str, Any]
    columns: tuple[ColumnDecl, ...]
    expectations: tuple[Declared, ...]
    path: Path

    def column(self, name: str) -> ColumnDecl:
        """The declared column ``name``."""
        return next(c for c in self.columns if c.name == name)

    def all_expectations(self) -> list[Declared]:
        """Presence, type and not-null of every column, then the declared expectations."""
        out = [Declared("expect_column_to_exist", {"column": c.name}) for c in self.columns]
        for c in self.columns:
            kwargs = {"column": c.name, "type_": BATCH_TYPES[c.type]}
            out.append(
                Declared("expect_column_values_to_be_of_type", kwargs, {"contract_type": c.type})
            )
        not_null = [c for c in self.columns if not c.nullable]
        out += [
            Declared("expect_column_values_to_not_be_null", {"column": c.name}) for c in not_null
        ]
        return out + list(self.expectations)


@dataclass(frozen=True)
class Rule:
    """One resolved expectation, ready for either evaluator: ``id`` is unique in its suite
    (``range:amount_chf``, ``R3-BR``); ``kwargs`` are GX's, with ``row_condition`` a mapping
    ``{column: value}`` (equality) or ``{column: [values]}`` (membership)."""

    id: str
    type: str
    kwargs: Mapping[str, Any]
    meta: Mapping[str, Any]
    suite: str

    @property
    def name(self) -> str:
        """Short rule name (``Issue.rule``): ``unique``, ``R3-BR``..."""
        return self.meta.get("rule") or _RULE_NAMES.get(self.type, self.type)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rule reads."""
        k = self.kwargs
        if "column_list" in k:
            return tuple(k["column_list"])
        if "column_A" in k:
            return (k["column_A"], k["column_B"])
        return (k["column"],) if "column" in k else ()

    @property
    def column(self) -> str | None:
        """The column a failing row's message points at."""
        return self.meta.get("column") or (self.columns[0] if self.columns else None)

    @property
    def severity(self) -> str:
        """``error`` (quarantines or blocks) or ``warning`` (informs)."""
        return self.meta.get("severity", "error")

    @property
    def table_level(self) -> bool:
        """Whether the rule is a reconciliation entry (it judges totals, not rows)."""
        return self.type in TABLE_LEVEL or bool(self.meta.get("reconciliation"))

    def as_gx(self) -> dict[str, Any]:
        """The GX expectation configuration (``type``, ``kwargs``, ``meta``)."""
        return {
            "type": self.type,
            "kwargs": dict(self.kwargs),
            "meta": {**self.meta, "rule_id": self.id},
        }


@dataclass(frozen=True)
class Scope:
    """What resolving references needs beyond the declaration (``None``: the rules that
    need the year or the defined indicators are skipped); the tolerance in cents."""

    reference: Reference
    year: int | None = None
    defined_indicators: frozenset[str] | None = None
    tolerance_cents: int = TOLERANCE_CENTS


# -- loading --------------------------------------------------------------------------------
def _declaration(path: Path) -> Declaration:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kind = Kind(data["name"])
        columns = tuple(
            ColumnDecl(name, spec["type"], bool(spec.get("nullable", False)), spec.get("label"))
            for name, spec in data["columns"].items()
        )
        expectations = tuple(
            Declared(e["type"], e["kwargs"], e.get("meta", {})) for e in data["expectations"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DeclarationError(f"{path}: not a valid suite declaration: {exc}") from exc
    for col in columns:
        if col.type not in BATCH_TYPES:
            raise DeclarationError(f"{path}: column {col.name}: unknown type {col.type}")
    return Declaration(data["name"], kind, data.get("meta", {}), columns, expectations, path)


@lru_cache(maxsize=8)
def load_declarations(folder: Path) -> dict[Kind, Declaration]:
    """Every suite declaration of ``folder`` (``expectations/``), one per contract table.

    Raises:
        DeclarationError: a table without a declaration, or one that cannot be read.
    """
    folder = Path(folder)
    found = {d.kind: d for d in map(_declaration, sorted(folder.glob("*.json")))}
    missing = [k.value for k in Kind if k not in found]
    if missing:
        raise DeclarationError(f"{folder}: no suite declaration for {', '.join(missing)}")
    return {kind: found[kind] for kind in Kind}  # contract order


# -- resolving ------------------------------------------------------------------------------
def _list_regex(codes: Iterable[str], separator: str) -> str:
    one = "|".join(re.escape(c) for c in sorted(codes))
    sep = re.escape(separator)
    return f"^(?:(?:{one})(?:{sep}(?:{one}))*)?$"


def _reference(spec: Mapping[str, Any], scope: Scope) -> Any:
    ref = scope.reference
    name = spec["$reference"]
    if name == "org_units":
        values: Any = sorted(ref.org_units)
    elif name == "statement_lines":
        values = sorted(ref.line_codes(*([spec["line_type"]] if "line_type" in spec else [])))
    elif name == "line_types":
        values = sorted({v["line_type"] for v in ref.statement_lines.values()})
    elif name == "statement_line_types":
        return sorted([c, v["line_type"]] for c, v in ref.statement_lines.items())
    elif name == "allocatable_codes":
        cycle = ref.cycle_for(scope.year) if scope.year else None
        codes = (
            cycle.allocatable_codes
            if cycle
            else frozenset(c for cy in ref.cycles for c in cy.allocatable_codes)
        )
        values = sorted(codes)
    elif name == "strategic_codes":
        values = sorted(ref.all_strategic_codes)
    elif name == "code_list":
        values = sorted(ref.codes(spec["list"]))
    else:
        raise DeclarationError(f"unknown reference {name!r}")
    if spec.get("as") == "list_regex":
        return _list_regex(values, spec["separator"])
    return values


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with its references (``$reference``, ``$year``, ``$context``) resolved."""
    if isinstance(value, Mapping):
        if "$reference" in value:
            return _reference(value, scope)
        if "$year" in value:
            if scope.year is None:
                raise Unresolved("no year")
            return {
                "year": scope.year,
                "first_day": dt.datetime(scope.year, 1, 1),
                "last_day": dt.datetime(scope.year, 12, 31),
            }[value["$year"]]
        if "$context" in value:
            if value["$context"] != "defined_indicators":
                raise DeclarationError(f"unknown context value {value['$context']!r}")
            if scope.defined_indicators is None:
                raise Unresolved("no indicator definitions")
            return sorted(scope.defined_indicators)
        return {k: resolve(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, scope) for v in value]
    return value


def _rule_id(declared: Declared, kwargs: Mapping[str, Any]) -> str:
    name = declared.meta.get("rule") or _RULE_NAMES.get(declared.type, declared.type)
    cols = kwargs.get("column_list") or [
        c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c
    ]
    return f"{name}:{'+'.join(cols)}"


def resolve_rules(declaration: Declaration, scope: Scope) -> list[Rule]:
    """The declaration's row and column rules, resolved for ``scope``; those whose
    references cannot be resolved here are neither evaluated nor counted."""
    rules = []
    for declared in declaration.all_expectations():
        if declared.type in TABLE_LEVEL:
            continue
        try:
            kwargs = resolve(dict(declared.kwargs), scope)
            meta = resolve(dict(declared.meta), scope)
        except Unresolved:
            continue
        rules.append(
            Rule(_rule_id(declared, kwargs), declared.type, kwargs, meta, declaration.name)
        )
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise DeclarationError(f"{declaration.path}: two expectations share an id: {ids}")
    return rules


# -- batch frames ---------------------------------------------------------------------------
def cents_column(name: str) -> str:
    """The typed (warehouse) column of an amount: ``amount_chf`` -> ``amount_cents``."""
    return name.removesuffix("_chf") + "_cents"


# -- table-level rules (reconciliation) -------------------------------------------------------
def mask(frame: pd.DataFrame, condition: Mapping[str, Any]) -> pd.Series:
    """The rows of ``frame`` that meet ``condition``: ``{column: value}`` (equality) or
    ``{column: [values]}`` (membership)."""
    rows = pd.Series(True, index=frame.index)
    for column, value in condition.items():
        values = frame[column]
        rows &= values.isin(value) if isinstance(value, list) else values.eq(value)
    return rows.fillna(False).astype(bool)

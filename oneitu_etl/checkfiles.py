"""Checking files before delivery (``oneitu validate`` and the delivery page).

The same readers and rules as the pipeline, without loading anything: each file's kind
comes from its name, its year from the nearest parent folder named as a year, and rules
that span files (R2/R3 across the three statement CSVs, activity ids unique across
files, values referring to definitions) are checked among the files given together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oneitu_etl.contract import STATEMENT_KINDS, Kind, kind_of_path, year_of_path
from oneitu_etl.ingest import Delivered, judge, reconcile_statements, sha256_hex
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference, load_reference
from oneitu_etl.settings import Settings
from oneitu_etl.validate.reconcile import Place
from oneitu_etl.validate.rows import Context


@dataclass(frozen=True)
class NamedFile:
    """A file to check: the name shown in messages and its bytes."""

    name: str
    data: bytes


def check_files(files: Sequence[NamedFile], settings: Settings,
                reference: Reference | None = None) -> list[Issue]:
    """Every problem of the given files, in file order then place order.

    Args:
        files: The files, named as the user gave them.
        settings: Limits and tolerance.
        reference: Reference codes (the package's by default).

    Returns:
        Errors and warnings; an unknown file name is an error.
    """
    reference = reference or load_reference()
    issues: list[Issue] = []
    items: list[Delivered] = []
    for f in files:
        kind = kind_of_path(f.name)
        if kind is None:
            issues.append(Issue(f.name, "unknown file name: expected financial_statements.xlsx, "
                                "financial_performance.csv, budget_comparison.csv, expense_allocation.csv, "
                                "expense_ledger.csv, indicator_definitions.csv, indicator_values.csv or "
                                "a .csv under an activities/ folder"))
            continue
        items.append(Delivered(path=f.name, kind=kind, data=f.data, sha256=sha256_hex(f.data)))

    defs = [i for i in items if i.kind == Kind.INDICATOR_DEFINITIONS.value]
    for item in defs:
        judge(item, Context(reference, None), settings)
    defined = None
    if defs:
        defined = frozenset(
            code for item in defs for t in item.tables for code in t.good["indicator_code"].dropna())
    contexts: dict[int | None, Context] = {}
    for item in items:
        if item in defs:
            continue
        year = year_of_path(item.path)
        if item.kind == Kind.ACTIVITIES.value:
            ctx = contexts.setdefault(year, Context(reference, year))
        else:
            ctx = Context(reference, year, indicator_codes=defined)
        judge(item, ctx, settings)

    # statements given together: R1-R3 (and the ledger rules)
    by_year: dict[int | None, dict[Kind, tuple]] = {}
    for item in items:
        for table in item.tables:
            if table.spec.kind in (*STATEMENT_KINDS, Kind.LEDGER) and not item.rejected:
                by_year.setdefault(year_of_path(item.path), {})[table.spec.kind] = (item, table)
    cross: list[Issue] = []
    for found in by_year.values():
        kinds = set(found)
        owners = [found[k][0] for k in found]
        if any(o.errors for o in owners):
            continue
        if Kind.PERFORMANCE in kinds:
            tables = {k: found[k][1].frame for k in found}
            places = {k: Place(found[k][1].raw.file, found[k][1].raw.sheet) for k in found}
            line_types = {c: v["line_type"] for c, v in reference.statement_lines.items()}
            from oneitu_etl.validate import reconcile  # noqa: PLC0415

            tol = round(settings.tolerance_chf * 100)
            checks = reconcile.reconcile_performance(tables[Kind.PERFORMANCE], line_types,
                                                     places[Kind.PERFORMANCE], tol)
            if {Kind.BUDGET, Kind.ALLOCATION} <= kinds:
                ledger = tables.get(Kind.LEDGER)
                checks = reconcile_statements(tables, places, reference, tol, ledger)
            elif Kind.BUDGET in kinds:
                checks.append(reconcile.reconcile_budget(tables[Kind.BUDGET], tables[Kind.PERFORMANCE],
                                                         places[Kind.BUDGET], tol))
            cross += [c.issue for c in checks if c.issue]
        elif {Kind.BUDGET, Kind.ALLOCATION} <= kinds:
            from oneitu_etl.validate import reconcile  # noqa: PLC0415

            tables = {k: found[k][1].frame for k in found}
            checks = reconcile.reconcile_allocation(
                tables[Kind.ALLOCATION], tables[Kind.BUDGET],
                tables[Kind.ALLOCATION].iloc[0:0].assign(line_code=[], amount_cents=[]),
                Place(found[Kind.ALLOCATION][1].raw.file, found[Kind.ALLOCATION][1].raw.sheet))
            cross += [c.issue for c in checks if c.issue and c.rule != "R3-total"]
    for item in items:
        issues += item.issues
    return issues + cross

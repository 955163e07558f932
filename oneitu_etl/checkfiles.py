"""Checking files before delivery (``oneitu validate`` and the delivery page).

The same readers and rules as the pipeline, without loading anything: each file's kind
comes from its name, its year from the nearest parent folder named as a year, and rules
that span files (R2/R3 across the three statement CSVs, activity ids unique across
files, values referring to definitions) are checked among the files given together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    STATEMENT_KINDS,
    Kind,
    kind_of_path,
    year_of_path,
)
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference, load_reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.deliveries import Delivered, sha256_hex
from oneitu_etl.sources.landing import LOCK_PREFIX
from oneitu_etl.validate import reconcile
from oneitu_etl.validate.judge import judge
from oneitu_etl.validate.reconcile import Place, reconcile_statements
from oneitu_etl.validate.rows import CheckedTable, Context


@dataclass(frozen=True)
class NamedFile:
    """A file to check: the name shown in messages and its bytes."""

    name: str
    data: bytes


@dataclass
class CheckedFiles:
    """The files of one ``oneitu validate`` call, read and judged.

    Attributes:
        items: The files of the contract, judged (their tables hold every rule's results).
        issues: Every problem, in file order then place order, then the rules that span
            files (R1-R3, L1/L2).
        defined: Indicator codes defined by the definitions given (``None``: none given).
    """

    items: list[Delivered]
    issues: list[Issue]
    defined: frozenset[str] | None


def judge_files(
    files: Sequence[NamedFile], settings: Settings, reference: Reference | None = None
) -> CheckedFiles:
    """Read and judge the given files together, as ``oneitu validate`` does.

    Args:
        files: The files, named as the user gave them.
        settings: Limits, tolerance and the expectation suites.
        reference: Reference codes (the package's by default).
    """
    reference = reference or load_reference()
    issues: list[Issue] = []
    items: list[Delivered] = []
    for f in files:
        kind = kind_of_path(f.name)
        if PurePosixPath(f.name.replace("\\", "/")).name.startswith(LOCK_PREFIX):
            issues.append(Issue(f.name, say("lock_file"), severity="warning"))
            continue
        if kind is None:
            issues.append(Issue(f.name, say("unknown_file_name")))
            continue
        items.append(Delivered(path=f.name, kind=kind, data=f.data, sha256=sha256_hex(f.data)))

    defs = [i for i in items if i.kind == Kind.INDICATOR_DEFINITIONS.value]
    for item in defs:
        judge(item, Context(reference, None), settings)
    defined = None
    if defs:
        defined = frozenset(
            code for item in defs for t in item.tables for code in t.good["indicator_code"].dropna()
        )
    # activity ids, and (v2) narrative translations, are judged across a year's files
    contexts: dict[tuple[str, int | None], Context] = {}
    for item in items:
        if item in defs:
            continue
        year = year_of_path(item.path)
        if item.kind in (Kind.ACTIVITIES.value, Kind.NARRATIVES.value):
            ctx = contexts.setdefault((item.kind, year), Context(reference, year))
        else:
            ctx = Context(reference, year, indicator_codes=defined)
        judge(item, ctx, settings)
    for item in items:
        issues += item.issues
    return CheckedFiles(items, issues + _across_files(items, settings, reference), defined)


def _across_files(items: list[Delivered], settings: Settings, reference: Reference) -> list[Issue]:
    """R1-R3 (and the ledger rules) among the statement tables given together, per year."""
    by_year: dict[int | None, dict[Kind, tuple[Delivered, CheckedTable]]] = {}
    for item in items:
        for table in item.tables:
            finance = (*STATEMENT_KINDS, *OPTIONAL_STATEMENT_KINDS, Kind.LEDGER)
            if table.spec.kind in finance and not item.rejected:
                by_year.setdefault(year_of_path(item.path), {})[table.spec.kind] = (item, table)
    tol = settings.tolerance_cents
    cross: list[Issue] = []
    for found in by_year.values():
        if any(owner.errors for owner, _ in found.values()):
            continue
        tables = {k: t.frame for k, (_, t) in found.items()}
        places = {k: Place(t.raw.file, t.raw.sheet) for k, (_, t) in found.items()}
        kinds = set(found)
        if Kind.PERFORMANCE in kinds and {Kind.BUDGET, Kind.ALLOCATION} <= kinds:
            checks = reconcile_statements(tables, places, reference, tol, tables.get(Kind.LEDGER))
        elif Kind.PERFORMANCE in kinds:
            line_types = {c: v["line_type"] for c, v in reference.statement_lines.items()}
            checks = reconcile.reconcile_performance(
                tables[Kind.PERFORMANCE], line_types, places[Kind.PERFORMANCE], tol
            )
            if Kind.BUDGET in kinds:
                bridge = tables.get(Kind.BUDGET_RECONCILIATION)
                items = None if bridge is None else int(bridge["amount_cents"].sum())
                checks.append(
                    reconcile.reconcile_budget(
                        tables[Kind.BUDGET],
                        tables[Kind.PERFORMANCE],
                        places[Kind.BUDGET],
                        tol,
                        items,
                    )
                )
        elif {Kind.BUDGET, Kind.ALLOCATION} <= kinds:
            no_statement = pd.DataFrame(
                {"line_code": pd.Series(dtype="str"), "amount_cents": pd.Series(dtype="int64")}
            )
            checks = [
                c
                for c in reconcile.reconcile_allocation(
                    tables[Kind.ALLOCATION],
                    tables[Kind.BUDGET],
                    no_statement,
                    places[Kind.ALLOCATION],
                    tol,
                )
                if c.rule != "R3-total"
            ]
        else:
            checks = []
        if (
            Kind.BUDGET_ALLOCATION in kinds
            and Kind.BUDGET in kinds
            and Kind.ALLOCATION not in kinds
        ):
            checks += reconcile.reconcile_plan(  # (v2) R4 needs only the two budget tables
                tables[Kind.BUDGET_ALLOCATION],
                tables[Kind.BUDGET],
                places[Kind.BUDGET_ALLOCATION],
                tol,
            )
        cross += [c.issue for c in checks if c.issue]
    return cross


def check_files(
    files: Sequence[NamedFile], settings: Settings, reference: Reference | None = None
) -> list[Issue]:
    """Every problem of the given files, in file order then place order.

    Args:
        files: The files, named as the user gave them.
        settings: Limits, tolerance and the expectation suites.
        reference: Reference codes (the package's by default).

    Returns:
        Errors and warnings; an unknown file name is an error.
    """
    return judge_files(files, settings, reference).issues

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

from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    STATEMENT_KINDS,
    Kind,
    kind_of_path,
    year_of_path,
)
from oneitu_etl.intake import judge
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference, load_reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.deliveries import Delivered, sha256_hex
from oneitu_etl.sources.landing import LOCK_PREFIX
from oneitu_etl.validate.reconcile import Place, reconcile
from oneitu_etl.validate.rows import CheckedTable, Context
from oneitu_etl.validate.suites import Scope, load_declarations


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
    """The reconciliation rules among the statement tables given together, per year: each
    declared entry whose tables are all given (R1 with the statement alone, R4 with the two
    budget tables...), none for a year where one of them has an error."""
    finance = (*STATEMENT_KINDS, *OPTIONAL_STATEMENT_KINDS, Kind.LEDGER)
    by_year: dict[int | None, dict[Kind, tuple[Delivered, CheckedTable]]] = {}
    for item in items:
        for table in item.tables:
            if table.spec.kind in finance and not item.rejected:
                by_year.setdefault(year_of_path(item.path), {})[table.spec.kind] = (item, table)
    declarations = load_declarations(settings.expectations_dir)
    cross: list[Issue] = []
    for year, found in by_year.items():
        if any(owner.errors for owner, _ in found.values()):
            continue
        tables = {k: t.frame for k, (_, t) in found.items()}
        places = {k: Place(t.raw.file, t.raw.sheet) for k, (_, t) in found.items()}
        scope = Scope(reference, year, tolerance_cents=settings.tolerance_cents)
        cross += [c.issue for c in reconcile(declarations, tables, places, scope) if c.issue]
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

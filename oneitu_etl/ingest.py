"""Ingestion: read a year's deliveries, validate them, and load them, nothing lost.

Files are processed in *load groups* that must be judged together: a year's financial
statements (workbook or the three CSVs, plus the optional ledger), a year's activity
files (``activity_id`` is unique across them), a year's indicator values (they refer
to the definitions) and the indicator definitions. A group whose files and dependencies
are unchanged since it was last processed is skipped (same content changes nothing);
otherwise the whole group is re-judged and reloaded in one transaction, so a failure
part-way leaves the warehouse as it was. A file with new content at the same path
supersedes the earlier delivery, whose rows stay in the warehouse for audit.

Every file of a processed group, loaded or rejected, is a row of ``deliveries`` (path,
SHA-256, size, encoding, time of arrival: when the pipeline first saw that content at
that path) and is archived unchanged under ``settings.archive``, addressed by its hash.
The group's signature is computed from the very bytes that were judged and loaded, so a
file that changes while a run is in progress is seen as changed by the next run.

This module orders the work; the work is done along three seams: reading, spooling and
archiving a file (:mod:`oneitu_etl.sources.deliveries`), judging it and its group
(:mod:`oneitu_etl.intake`), writing the verdicts to the warehouse
(:mod:`oneitu_etl.warehouse.loads`, the only package that writes the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine

from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    SECRETARIAT_KINDS,
    STATEMENT_KINDS,
    Kind,
    kind_of_path,
)
from oneitu_etl.intake import (
    _blocks,
    _kept_out,
    _read_ledgers,
    judge_each,
    judge_statements,
    statement_structure,
)
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.deliveries import Delivered, _signature, archive_delivery, read_delivery
from oneitu_etl.sources.landing import (
    DEFINITIONS,
    Landing,
    landing_warnings,
    missing_year_hint,
    sort_year_files,
)
from oneitu_etl.validate.rows import Context
from oneitu_etl.warehouse import locks
from oneitu_etl.warehouse.loads import (
    clear_judgement,
    current_deliveries,
    defined_indicators,
    finish_delivery,
    load_rows,
    record_delivery,
    save_group_signature,
    store_issues,
    store_results,
    stored_blocking_issues,
    stored_group_signature,
    supersede,
)

log = logging.getLogger(__name__)


@dataclass
class GroupOutcome:
    """What processing a load group did."""

    name: str
    skipped: bool
    files: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    blocking_issues: list[Issue] = field(default_factory=list)
    #: Errors of a non-blocking group: files rejected, rows quarantined.
    problems: list[Issue] = field(default_factory=list)


@dataclass
class YearIngest:
    """What ingesting one year did, and the issues that block it."""

    year: int
    groups: list[GroupOutcome]
    blocking: list[Issue]
    warnings: list[Issue]

    @property
    def changed(self) -> bool:
        """Whether any group was (re)loaded."""
        return any(not g.skipped for g in self.groups)


def reference_fingerprint(reference: Reference) -> str:
    """A hash of the reference codes: a group judged against other codes is re-judged."""
    return hashlib.sha256(repr(reference).encode()).hexdigest()


def declarations_fingerprint(folder: Path) -> str:
    """A hash of the declarations: files judged against other suites are judged again."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_group(
    conn: Connection,
    group: str,
    year: int | None,
    items: list[Delivered],
    settings: Settings,
    now: dt.datetime,
    *,
    block: bool,
    extra_issues: dict[str, list[Issue]] | None = None,
) -> GroupOutcome:
    """Record and load the files of one group, superseding what they replace.

    Every file is recorded in ``deliveries`` and archived, loaded or not. A file whose
    content is already the current delivery at its path keeps that delivery (and its
    time of arrival); its rows are re-derived. A file with new content is a new delivery
    that supersedes the current one; a current delivery whose file is gone is superseded
    by nothing. Superseded deliveries keep their rows, for audit.

    Args:
        conn: A connection inside the group's transaction.
        group: Group name (``activities/2024``...).
        year: Financial year, ``None`` for indicator definitions.
        items: The group's judged files, in name order.
        settings: For the archive.
        now: Time of this run (arrival of new content, load time).
        block: Whether the group's errors block (statements): then, on any error, no
            file of the group is loaded and nothing is quarantined.
        extra_issues: Group-level issues by path (structure, reconciliation), stored with
            the file they name.

    Returns:
        Files, rows loaded and quarantined, and the group's blocking errors.
    """
    extra = extra_issues or {}
    outcome = GroupOutcome(group, skipped=False, files=len(items))
    current = current_deliveries(conn, group)
    present = {i.path for i in items}
    for path, old in current.items():
        if path not in present:
            supersede(conn, old["id"], now)
            log.info(
                "%s is no longer in the landing zone: delivery %s no longer counts", path, old["id"]
            )
    blocked = block and _blocks(items, extra)
    for item in items:
        old = current.get(item.path)
        issues = extra.get(item.path, []) + item.issues
        if old and old["sha256"] == item.sha256:
            delivery_id = old["id"]
            clear_judgement(conn, delivery_id)
        else:
            delivery_id = record_delivery(conn, item, year, now, archive_delivery(settings, item))
            if old:
                supersede(conn, old["id"], now, by=delivery_id)
                log.info(
                    "%s: corrected delivery %s supersedes %s", item.path, delivery_id, old["id"]
                )
        rejected = item.rejected or blocked
        loaded = (
            0
            if rejected
            else sum(load_rows(conn, delivery_id, year, t, item, settings) for t in item.tables)
        )
        kept_out = set() if rejected else _kept_out(item)
        store_issues(conn, delivery_id, issues, kept_out)
        store_results(conn, delivery_id, year, item)
        finish_delivery(
            conn,
            delivery_id,
            "rejected" if rejected else "loaded",
            now,
            encoding=item.encoding,
            rows_loaded=loaded,
            rows_quarantined=len(kept_out),
        )
        outcome.rows_loaded += loaded
        outcome.rows_quarantined += len(kept_out)
        if block:
            outcome.blocking_issues += [i for i in issues if i.is_error]
        else:
            outcome.problems += [i for i in issues if i.is_error]
    return outcome


def _process(
    engine: Engine,
    group: str,
    year: int | None,
    items: list[Delivered],
    judge_group: Callable[[list[Delivered]], dict[str, list[Issue]]],
    settings: Settings,
    now: dt.datetime,
    *,
    block: bool,
    extra_sig: str = "",
) -> GroupOutcome:
    """Judge and load a group in one transaction, unless its signature is unchanged.

    The signature is computed from the bytes in ``items``, the very bytes that are
    judged, archived and loaded: a file that changes after it was read has another
    hash, so the next run sees the change. Judging happens before the transaction.
    """
    signature = _signature(items, extra_sig)
    with engine.connect() as conn:
        unchanged = stored_group_signature(conn, group) == signature
    if unchanged:
        log.info("%s unchanged (%d files): skipped", group, len(items))
        return GroupOutcome(group, skipped=True, files=len(items))
    extra = judge_group(items)
    with engine.begin() as conn:
        outcome = load_group(
            conn, group, year, items, settings, now, block=block, extra_issues=extra
        )
        save_group_signature(conn, group, signature, now)
    log.info(
        "%s: %d files, %d rows loaded, %d quarantined",
        group,
        outcome.files,
        outcome.rows_loaded,
        outcome.rows_quarantined,
    )
    for issue in outcome.blocking_issues:  # ``issue``: the command line prints it itself
        log.error("%s", issue.line(), extra={"issue": issue})
    for issue in outcome.problems:  # one line each, as stored in delivery_issues
        log.warning("%s", issue.line(), extra={"issue": issue})  # the command prints it itself
    return outcome


#: The sources of the contract: Finance, the Sectors (Bureaux and GS), planning, and (v2)
#: the units' narratives and General Secretariat services (staff, membership, the Council
#: document).
SOURCES = frozenset({"finance", "sectors", "planning", "narratives", "gs_services"})


def ingest_year(
    engine: Engine,
    landing: Landing,
    settings: Settings,
    year: int,
    reference: Reference,
    now: dt.datetime | None = None,
    sources: frozenset[str] = SOURCES,
) -> YearIngest:
    """Ingest every delivery of ``year`` (and the indicator definitions).

    ``sources`` limits the work to some of ``finance`` (statements and ledger; v2 with
    the budget allocation and reconciliation), ``sectors`` (activities), ``planning``
    (indicator definitions and values), (v2) ``narratives`` (the units' narratives) and
    ``gs_services`` (staff, membership, the Council document); the
    blocking issues returned always cover the year's statements. The caller holds the
    year's run lock (:mod:`oneitu_etl.warehouse.locks`); the indicator definitions,
    shared by every year, are processed under the shared lock.

    Args:
        engine: The warehouse.
        landing: The landing zone.
        settings: Archive, limits, tolerance, lock timeouts.
        year: Financial year.
        reference: Reference codes.
        now: Time of the run (defaults to now, UTC).
        sources: Which sources to ingest.

    Returns:
        What was loaded, and the issues that block the year.
    """
    spool_dir = Path(settings.archive) / f".spool-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        # two threads: one reads a ledger while the other judges it (_read_ledgers)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="oneitu-ledger") as pool:
            return _ingest_year(
                engine, landing, settings, year, reference, now, sources,
                spool_dir=spool_dir, pool=pool,
            )  # fmt: skip
    finally:  # what was not archived (unchanged groups, files already in the archive)
        shutil.rmtree(spool_dir, ignore_errors=True)


def _ingest_year(
    engine: Engine,
    landing: Landing,
    settings: Settings,
    year: int,
    reference: Reference,
    now: dt.datetime | None = None,
    sources: frozenset[str] = SOURCES,
    *,
    spool_dir: Path,
    pool: ThreadPoolExecutor,
) -> YearIngest:
    """:func:`ingest_year`, spooling large files to ``spool_dir``.

    The statements' files are read first; the ledger is read (and, if the group changed,
    judged by DuckDB) in ``pool`` while the other groups are processed, and the
    statements group is processed last.
    """
    now = now or dt.datetime.now(dt.UTC)
    # a group judged against other codes or other suites is re-judged
    codes = reference_fingerprint(reference) + declarations_fingerprint(settings.expectations_dir)
    year_files = landing.year_files(year)  # listed once: the deliveries and what is ignored
    by_kind, _ = sort_year_files(year_files)
    warnings = landing_warnings(landing, year, year_files)

    def read(path: str, kind: str) -> Delivered:
        return read_delivery(landing, path, kind, settings, spool_dir)

    def files(kind: Kind) -> list[Delivered]:
        return [read(p, kind.value) for p in by_kind.get(kind.value, [])]

    groups: list[GroupOutcome] = []
    if "finance" in sources:
        statement_paths = by_kind.get("financial_statements", []) + [
            p
            for k in (*STATEMENT_KINDS, *OPTIONAL_STATEMENT_KINDS)
            for p in by_kind.get(k.value, [])
        ]
        structure = statement_structure(statement_paths, year)
        others = [read(p, kind_of_path(p) or "") for p in sorted(statement_paths)]
        with engine.connect() as conn:
            stored = stored_group_signature(conn, f"statements/{year}")
            sizes = {
                p: d["size_bytes"]
                for p, d in current_deliveries(conn, f"statements/{year}").items()
            }
        ledgers = pool.submit(
            _read_ledgers, pool, landing, sorted(by_kind.get(Kind.LEDGER.value, [])), others,
            stored, sizes, codes, read, Context(reference, year), settings, spool_dir,
        )  # fmt: skip

    if "planning" in sources:  # indicator definitions: all years
        definitions = []
        if landing.has(DEFINITIONS):
            definitions = [read(DEFINITIONS, Kind.INDICATOR_DEFINITIONS.value)]

        with locks.year_lock(
            engine,
            locks.SHARED,
            wait_seconds=settings.lock_wait_seconds,
            stale_after_seconds=settings.lock_stale_seconds,
        ):
            groups.append(
                _process(
                    engine,
                    "indicator_definitions",
                    None,
                    definitions,
                    judge_each(lambda: Context(reference, None), settings),
                    settings,
                    now,
                    block=False,
                    extra_sig=codes,
                )
            )

    if "sectors" in sources:
        # the whole group is re-judged when any file changes: a duplicate id may move
        groups.append(
            _process(
                engine,
                f"activities/{year}",
                year,
                files(Kind.ACTIVITIES),
                # one context for the group: activity ids are unique across its files
                judge_each(lambda: Context(reference, year), settings),
                settings,
                now,
                block=False,
                extra_sig=codes,
            )
        )

    if "planning" in sources:  # after the definitions, which values refer to
        with engine.connect() as conn:
            defined = defined_indicators(conn)

        groups.append(
            _process(
                engine,
                f"indicator_values/{year}",
                year,
                files(Kind.INDICATOR_VALUES),
                judge_each(lambda: Context(reference, year, indicator_codes=defined), settings),
                settings,
                now,
                block=False,
                extra_sig=codes + "\n" + ",".join(sorted(defined)),
            )
        )

    if "narratives" in sources:  # (v2) translations agree across the year's files
        groups.append(
            _process(
                engine,
                f"{Kind.NARRATIVES.value}/{year}",
                year,
                files(Kind.NARRATIVES),
                # one context for the group: what earlier files fixed (Translations)
                judge_each(lambda: Context(reference, year), settings),
                settings,
                now,
                block=False,
                extra_sig=codes,
            )
        )

    if "gs_services" in sources:  # (v2) one group per file: each is judged on its own
        for kind in SECRETARIAT_KINDS:
            groups.append(
                _process(
                    engine,
                    f"{kind.value}/{year}",
                    year,
                    files(kind),
                    judge_each(lambda: Context(reference, year), settings),
                    settings,
                    now,
                    block=False,
                    extra_sig=codes,
                )
            )

    if "finance" in sources:  # last: its ledger was being read and judged meanwhile
        statements = sorted([*others, *ledgers.result()], key=lambda i: i.path)
        groups.append(
            _process(
                engine,
                f"statements/{year}",
                year,
                statements,
                judge_statements(reference, year, structure, settings),
                settings,
                now,
                block=True,
                extra_sig=codes,
            )
        )

    order = (
        "indicator_definitions",
        "statements",
        "activities",
        "indicator_values",
        Kind.NARRATIVES.value,
        *(kind.value for kind in SECRETARIAT_KINDS),
    )
    groups.sort(key=lambda g: order.index(g.name.partition("/")[0]))
    with engine.connect() as conn:
        blocking = stored_blocking_issues(conn, year, missing_year_hint(landing, year))
    return YearIngest(year, groups, blocking, warnings)

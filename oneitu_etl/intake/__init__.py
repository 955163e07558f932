"""Intake: each delivered file read (:mod:`.sources`) and judged (:mod:`.validate`).

Which rows are valid, which are kept out, what blocks; shared by ingestion (stage 1),
``oneitu validate`` and the upload page (:mod:`.checkfiles`). :func:`judge` reads one
delivered file (:class:`~oneitu_etl.sources.deliveries.Delivered`) into checked tables
against the declarations of ``expectations/``; :func:`_read_ledgers` reads the
statements' ledgers and has them judged inside DuckDB (:mod:`.large`, the same compiled
query over a table too large to hold) while the other groups are processed;
:func:`statement_structure` is contract section 2 (the workbook or the three CSVs).
:func:`_kept_out` is the quarantine (the rows an error keeps out) and :func:`_blocks`
whether a blocking group is kept out whole. Writing the verdicts is
:mod:`oneitu_etl.warehouse.loads`.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    STATEMENT_KINDS,
    TABLES,
    WORKBOOK_NAME,
    Kind,
    TableSpec,
)
from oneitu_etl.issue_text import say
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.reference import Reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.chunks import scan_bytes
from oneitu_etl.sources.deliveries import Delivered, _signature
from oneitu_etl.sources.files import read_csv_table
from oneitu_etl.sources.landing import Landing
from oneitu_etl.sources.workbook import open_workbook, read_workbook_sheet
from oneitu_etl.validate import reconcile
from oneitu_etl.validate.rows import Context, check_table
from oneitu_etl.validate.suites import Scope, load_declarations

if TYPE_CHECKING:
    from oneitu_etl.intake.large import LargeTable

log = logging.getLogger(__name__)


# -- reading and judging ------------------------------------------------------------------
def read_statement_tables(item: Delivered, ctx: Context, settings: Settings) -> None:
    """Read the workbook's sheets into ``item.tables`` (errors into ``item.issues``).

    The three sheets of the statements are required; (v2) ``budget_allocation`` and
    ``budget_reconciliation`` are read where the workbook has them.
    """
    try:
        values, formulas = open_workbook(item.content(), item.path, settings.max_unzipped_bytes)
    except DeliveryRejected as exc:
        item.issues += exc.issues
        item.rejected = True
        return
    optional = [k for k in OPTIONAL_STATEMENT_KINDS if TABLES[k].sheet in values.sheetnames]
    for kind in (*STATEMENT_KINDS, *optional):
        spec = TABLES[kind]
        try:
            raw = read_workbook_sheet(values, formulas, item.path, spec)
        except DeliveryRejected as exc:
            item.issues += exc.issues
            item.rejected = True
            continue
        checked = check_table(raw, spec, ctx)
        item.tables.append(checked)
        item.issues += checked.issues


def read_csv_delivery(item: Delivered, ctx: Context, settings: Settings | None = None) -> None:
    """Read one CSV delivery into ``item.tables`` (errors into ``item.issues``).

    A ledger above ``settings.stream_bytes`` is judged inside DuckDB
    (:func:`.large.check_large`): same verdicts, flat memory.
    """
    spec = TABLES[Kind(item.kind)]
    stream = settings is not None and spec.kind is Kind.LEDGER
    try:
        if stream and item.nbytes > settings.stream_bytes:  # type: ignore[union-attr]
            checked = _judge_columnar(item, spec, ctx, settings)
            raw = checked.raw
        else:
            raw = read_csv_table(item.content(), item.path, spec)
            checked = None
    except DeliveryRejected as exc:
        item.issues += exc.issues
        item.rejected = True
        return
    item.encoding = raw.encoding
    checked = checked or check_table(raw, spec, ctx)
    item.tables.append(checked)
    item.issues += checked.issues


def _judge_columnar(
    item: Delivered, spec: TableSpec, ctx: Context, settings: Settings
) -> LargeTable:
    """A large ledger judged in DuckDB (:mod:`.large`): the early judgement made
    while it was read, if it stands, or one made now."""
    from oneitu_etl.intake.large import check_large  # noqa: PLC0415 - DuckDB

    if item.columnar is not None and (early := item.columnar.result()) is not None:
        return early
    return check_large(
        item.open,
        item.path,
        spec,
        ctx,
        item.scan or scan_bytes(item.data),
        source=item.spool,
        work_dir=item.spool.parent if item.spool else None,
        chunk_rows=settings.stream_chunk_rows,
    )


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What changes when a file's bytes change: device, inode, size, modification times."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _settled(
    judgement: Callable[..., LargeTable | None], *args: object
) -> Future[LargeTable | None]:
    """A judgement made now, kept as a future (its exception raised where it is read)."""
    future: Future[LargeTable | None] = Future()
    try:
        future.set_result(judgement(*args))
    except Exception as exc:  # noqa: BLE001 - raised again where the ledger is judged
        future.set_exception(exc)
    return future


def _read_ledgers(
    pool: ThreadPoolExecutor,
    landing: Landing,
    paths: list[str],
    others: list[Delivered],
    stored: str | None,
    sizes: dict[str, int],
    codes: str,
    read: Callable[[str, str], Delivered],
    ctx: Context,
    settings: Settings,
    spool_dir: Path,
) -> list[Delivered]:
    """Read the statements group's ledgers and, if the group changed, judge them by DuckDB.

    Runs in another thread while this one processes the other groups: hashing, writing
    the spool and DuckDB work outside the GIL. The verdict is kept with each ledger
    (``Delivered.columnar``) for :func:`read_csv_delivery`; an unchanged group (same
    signature as ``stored``) is not judged at all.

    A local ledger whose size is not that of the current delivery at its path (a new
    content, surely) is judged by DuckDB from the landing zone *while* it is hashed and
    spooled (:func:`.large.check_large` without a scan, in a second thread of ``pool``). The
    verdict counts only if the file did not change meanwhile (same inode, size and
    times before and after both reads), so that it is a verdict on the bytes hashed and
    archived; otherwise the spool is judged afterwards.
    """
    from oneitu_etl.intake import large  # noqa: PLC0415 - DuckDB

    if ctx.declarations is None:
        ctx.declarations = load_declarations(settings.expectations_dir)
    spec = TABLES[Kind.LEDGER]
    items = []
    for path in paths:
        local = landing.local_file(path)
        before = _stamp(local) if local is not None else None
        early = None
        if (
            before is not None
            and before[2] > settings.stream_bytes
            and before[2] != sizes.get(path)
        ):
            spool_dir.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(dir=spool_dir, prefix=".early-"))
            early = pool.submit(
                large.check_large, functools.partial(local.open, "rb"), path, spec, ctx, None,
                source=local, work_dir=work,
            )  # fmt: skip
        item = read(path, Kind.LEDGER.value)
        if early is not None:
            try:
                table = early.result()
            except Exception:  # a guess that failed: the spool is judged as usual
                log.warning("%s: the early columnar pass failed", path, exc_info=True)
                table = None
            same = _stamp(local) == before and item.nbytes == before[2]
            if same and item.scan is not None and not item.rejected:
                item.columnar = _settled(large.accept, table, item.scan, path)
            elif table is not None and table.parquet is not None:
                table.parquet.unlink(missing_ok=True)
        items.append(item)
    if stored == _signature(sorted([*others, *items], key=lambda i: i.path), codes):
        return items
    for item in items:
        if item.columnar is not None or item.rejected or item.unread:
            continue
        if item.nbytes > settings.stream_bytes:
            item.columnar = _settled(_judge_columnar, item, spec, ctx, settings)
    return items


def judge(item: Delivered, ctx: Context, settings: Settings) -> Delivered:
    """Read and check one delivered file, whatever its kind."""
    if ctx.declarations is None:  # the suites of settings.expectations_dir
        ctx.declarations = load_declarations(settings.expectations_dir)
    if item.unread:  # refused as it was read (too large, not readable)
        return item
    if item.nbytes > settings.max_file_bytes:
        item.issues.append(
            Issue(
                item.path,
                say(
                    "file_too_large",
                    size=f"{item.nbytes:,}",
                    limit=f"{settings.max_file_bytes:,}",
                ),
            )
        )
        item.rejected = True
    elif item.kind == "financial_statements":
        read_statement_tables(item, ctx, settings)
    else:
        read_csv_delivery(item, ctx, settings)
    return item


def statement_structure(paths: list[str], year: int) -> list[Issue]:
    """Contract section 2: the workbook or all three CSVs, not both, not some."""
    names = {p.rsplit("/", 1)[-1]: p for p in paths}
    csvs = [TABLES[k].csv_name for k in STATEMENT_KINDS]
    present = [c for c in csvs if c in names]
    workbook = WORKBOOK_NAME in names
    where = f"{year}/"
    if workbook and present:
        return [Issue(names[WORKBOOK_NAME], say("statements_twice", files=", ".join(present)))]
    if present and len(present) < 3:
        missing = ", ".join(c for c in csvs if c not in present)
        return [Issue(where + present[0], say("statements_incomplete", missing=missing))]
    if not workbook and not present:
        return [Issue(where, say("no_statements", year=year))]
    beside = [TABLES[k].csv_name for k in OPTIONAL_STATEMENT_KINDS if TABLES[k].csv_name in names]
    if workbook and beside:  # (v2) the optional tables take the form of the rest
        return [
            Issue(
                names[name],
                say(
                    "beside_workbook",
                    name=name,
                    sheet=name.removesuffix(".csv"),
                    workbook=WORKBOOK_NAME,
                ),
            )
            for name in beside
        ]
    return []


def _kept_out(item: Delivered) -> set[tuple[str | None, int]]:
    """(sheet, row) of the rows an error keeps out of the warehouse: the quarantine.

    Rows the table leaves out for another reason (indicator values of another year,
    ignored with a warning) are not quarantined even if they also have an error.
    """
    if item.rejected:
        return set()
    return {(t.raw.sheet, r) for t in item.tables for r in t.bad_rows if r in t.frame.index}


def _blocks(items: list[Delivered], extra: dict[str, list[Issue]]) -> bool:
    """For a blocking group: whether any error in any file keeps the whole group out."""
    if any(i.rejected or i.errors for i in items):
        return True
    return any(i.is_error for issues in extra.values() for i in issues)


def judge_each(
    context: Callable[[], Context], settings: Settings
) -> Callable[[list[Delivered]], dict[str, list[Issue]]]:
    """A group's judge that checks every file against one fresh shared context.

    The context is made anew for each judgement, so that cross-file state (activity ids
    already taken) starts empty; such groups have no group-level issues.
    """

    def judge_group(items: list[Delivered]) -> dict[str, list[Issue]]:
        ctx = context()
        for item in items:
            judge(item, ctx, settings)
        return {}

    return judge_group


def judge_statements(
    reference: Reference, year: int, structure: list[Issue], settings: Settings
) -> Callable[[list[Delivered]], dict[str, list[Issue]]]:
    """The judge of a year's statements group: each file, then the group as a whole.

    Every file is checked (:func:`judge_each`); the group's structure (``structure``,
    from :func:`statement_structure`) comes next; when no file has an error and the
    structure is right, the reconciliation rules between the tables (R1 to R4, L1, L2,
    declared in ``expectations/``, :mod:`.validate.reconcile`) with the settings' tolerance.

    Returns:
        The group's judge: its group-level issues by the path they name.
    """
    tolerance = settings.tolerance_cents

    def judge_group(items: list[Delivered]) -> dict[str, list[Issue]]:
        judge_each(lambda: Context(reference, year), settings)(items)
        extra: dict[str, list[Issue]] = {}
        # "no financial statements" names no file: it is derived from their absence
        for issue in structure:
            extra.setdefault(issue.file, []).append(issue)
        if structure or any(i.rejected or i.errors for i in items):
            return extra
        tables = {t.spec.kind: t for i in items for t in i.tables}
        places = {k: reconcile.Place(t.raw.file, t.raw.sheet) for k, t in tables.items()}
        scope = Scope(reference, year, tolerance_cents=tolerance)
        declarations = load_declarations(settings.expectations_dir)
        frames = {k: t.frame for k, t in tables.items()}
        checks = reconcile.reconcile(declarations, frames, places, scope)
        for check in checks:
            if check.issue:
                extra.setdefault(check.issue.file, []).append(check.issue)
        return extra

    return judge_group

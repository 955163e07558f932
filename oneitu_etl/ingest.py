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
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update

from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    SECRETARIAT_KINDS,
    STATEMENT_KINDS,
    TABLES,
    WORKBOOK_NAME,
    Kind,
    TableSpec,
    kind_of_path,
)
from oneitu_etl.fileio import atomic_move, atomic_write_bytes
from oneitu_etl.issue_text import Message, say
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.reference import Reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.chunks import CsvScan, scan_bytes
from oneitu_etl.sources.files import read_csv_table
from oneitu_etl.sources.landing import (
    DEFINITIONS,
    Landing,
    OutsideLanding,
    landing_warnings,
    missing_year_hint,
    sort_year_files,
)
from oneitu_etl.sources.workbook import open_workbook, read_workbook_sheet
from oneitu_etl.validate import reconcile
from oneitu_etl.validate.rows import CheckedTable, Context, check_table
from oneitu_etl.validate.stream import StreamedTable, check_streamed
from oneitu_etl.validate.suites import declarations_fingerprint, load_declarations
from oneitu_etl.warehouse import ledger_store, locks
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.bulk import insert_rows
from oneitu_etl.warehouse.uploads import uploader_of

log = logging.getLogger(__name__)
_MAX_STORED_ROWS = 200


@dataclass
class Delivered:
    """One file of a load group, read and judged.

    A file too large to hold (``settings.stream_bytes``) is on disk in ``spool`` (the
    very bytes hashed; ``data`` is empty), with the ``scan`` of its bytes if it is a CSV.
    A file whose bytes were not kept (``unread``: above ``settings.max_file_bytes``, or
    not readable) is rejected as read, with its issue, and not archived.
    """

    path: str
    kind: str
    data: bytes
    sha256: str
    encoding: str | None = None
    tables: list[CheckedTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rejected: bool = False
    spool: Path | None = None
    size: int | None = None
    scan: CsvScan | None = None
    unread: bool = False
    #: The columnar judgement of a spooled ledger, made early in another thread.
    columnar: Future[StreamedTable | None] | None = None

    @property
    def nbytes(self) -> int:
        """The file's size in bytes."""
        return len(self.data) if self.size is None else self.size

    def open(self) -> BinaryIO:
        """The delivered bytes, as a stream from the start."""
        return self.spool.open("rb") if self.spool else io.BytesIO(self.data)

    def content(self) -> bytes:
        """The delivered bytes."""
        return self.spool.read_bytes() if self.spool else self.data

    @property
    def errors(self) -> list[Issue]:
        """The error issues (not warnings)."""
        return [i for i in self.issues if i.is_error]


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


def sha256_hex(data: bytes) -> str:
    """The content hash of a delivered file."""
    return hashlib.sha256(data).hexdigest()


def _signature(files: list[Delivered], extra: str = "") -> str:
    text = "\n".join(f"{f.path}\t{f.sha256}" for f in files) + "\n" + extra
    return hashlib.sha256(text.encode()).hexdigest()


def _archive(settings: Settings, item: Delivered) -> str | None:
    """Keep the delivered bytes unchanged, addressed by content hash; never overwritten.

    Returns:
        The archived copy's path; ``None`` for a file whose bytes were not kept.
    """
    if item.unread:
        return None
    target = settings.archive / item.sha256[:2] / item.sha256 / item.path.rsplit("/", 1)[-1]
    if not target.exists() and item.spool is None:
        atomic_write_bytes(target, item.data)
    elif not target.exists():  # the spool becomes the archived copy: no second copy
        item.spool = atomic_move(item.spool, target)
    return str(target)


#: Bytes read from the landing zone at a time.
_BLOCK = 1 << 20


def read_delivery(
    landing: Landing, path: str, kind: str, settings: Settings, spool_dir: Path
) -> Delivered:
    """Read one delivered file: hashed as it streams; held in memory, or spooled to disk.

    A file above ``settings.stream_bytes`` is copied to ``spool_dir`` as it is read and
    hashed, so what is judged and loaded later is exactly what was hashed; a CSV is
    scanned on the way (encoding, plain or not) for the streamed reader. A file above
    ``settings.max_file_bytes`` is only hashed from there on (memory and disk stay flat)
    and refused; a file that cannot be read (a link out of the landing zone, gone,
    unreadable) is refused with the reason.
    """
    digest = hashlib.sha256()
    scan = CsvScan() if kind != "financial_statements" else None
    blocks: list[bytes] = []
    held = 0
    spool = None
    try:
        source = landing.open(path)
    except OSError as exc:
        reason = (
            say("link_outside_landing")
            if isinstance(exc, OutsideLanding)
            else say("cannot_read", reason=exc)
        )
        issue = Issue(path, reason)
        return Delivered(
            path, kind, b"", sha256_hex(b""), issues=[issue], rejected=True, size=0, unread=True
        )
    with source:
        while block := source.read(_BLOCK):
            digest.update(block)
            if held + len(block) > settings.max_file_bytes:  # refused: hash the rest only
                held += len(block)
                while block := source.read(_BLOCK):
                    digest.update(block)
                    held += len(block)
                if spool is not None:
                    spool.close()
                    Path(spool.name).unlink(missing_ok=True)
                issue = Issue(
                    path,
                    say("file_too_large", size=f"{held:,}", limit=f"{settings.max_file_bytes:,}"),
                )
                return Delivered(
                    path, kind, b"", digest.hexdigest(), issues=[issue], rejected=True,
                    size=held, unread=True,
                )  # fmt: skip
            if scan is not None:
                scan.feed(block)
            if spool is None and held + len(block) > settings.stream_bytes:
                spool_dir.mkdir(parents=True, exist_ok=True)
                spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
                    dir=spool_dir, prefix=".spool.", delete=False
                )
                spool.writelines(blocks)
                blocks = []
            if spool is None:
                blocks.append(block)
            else:
                spool.write(block)
            held += len(block)
    if scan is not None:
        scan.finish()
    if spool is None:
        return Delivered(path=path, kind=kind, data=b"".join(blocks), sha256=digest.hexdigest())
    spool.close()
    return Delivered(
        path=path,
        kind=kind,
        data=b"",
        sha256=digest.hexdigest(),
        spool=Path(spool.name),
        size=held,
        scan=scan,
    )


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

    A ledger above ``settings.stream_bytes`` is judged slice by slice
    (:func:`.validate.stream.check_streamed`): same verdicts, flat memory.
    """
    spec = TABLES[Kind(item.kind)]
    stream = settings is not None and spec.kind is Kind.LEDGER
    try:
        if stream and item.nbytes > settings.stream_bytes:  # type: ignore[union-attr]
            checked = _judge_columnar(item, spec, ctx)
            checked = checked or check_streamed(
                item.open,
                item.path,
                spec,
                ctx,
                item.scan or scan_bytes(item.data),
                chunk_rows=settings.stream_chunk_rows,  # type: ignore[union-attr]
            )
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


def _judge_columnar(item: Delivered, spec: TableSpec, ctx: Context) -> StreamedTable | None:
    """The columnar judge of a spooled ledger (:mod:`.validate.columnar`), or ``None``."""
    if item.columnar is not None:  # made while other groups were judged
        return item.columnar.result()
    if item.spool is None or item.scan is None:
        return None
    from oneitu_etl.validate.columnar import judge_columnar  # noqa: PLC0415 - DuckDB

    return judge_columnar(item.spool, item.open, item.path, spec, ctx, item.scan, item.spool.parent)


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What changes when a file's bytes change: device, inode, size, modification times."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _settled(
    judgement: Callable[..., StreamedTable | None], *args: object
) -> Future[StreamedTable | None]:
    """A judgement made now, kept as a future (its exception raised where it is read)."""
    future: Future[StreamedTable | None] = Future()
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
    spooled (:func:`.columnar.columnar_pass`, in a second thread of ``pool``). The
    verdict counts only if the file did not change meanwhile (same inode, size and
    times before and after both reads), so that it is a verdict on the bytes hashed and
    archived; otherwise the spool is judged afterwards.
    """
    from oneitu_etl.validate import columnar  # noqa: PLC0415 - DuckDB

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
                columnar.columnar_pass, local, functools.partial(local.open, "rb"), path, spec,
                ctx, work,
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
                item.columnar = _settled(columnar.accept, table, item.scan, path)
            elif table is not None and table.parquet is not None:
                table.parquet.unlink(missing_ok=True)
        items.append(item)
    if stored == _signature(sorted([*others, *items], key=lambda i: i.path), codes):
        return items
    for item in items:
        if item.columnar is not None or item.rejected or item.unread:
            continue
        if item.nbytes > settings.stream_bytes:
            item.columnar = _settled(_judge_columnar, item, spec, ctx)
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


# -- loading --------------------------------------------------------------------------------
#: Rows per bulk insert: memory stays flat on a ledger of millions of lines.
_CHUNK_ROWS = 20_000


def _insert_records(conn: Connection, table: Table, records: list) -> None:
    """One bulk insert of ``records`` (dictionaries, or :class:`~.warehouse.bulk.Rows`).

    The single place rows go in: ``COPY`` on PostgreSQL, the driver's ``executemany``
    on SQLite (:mod:`oneitu_etl.warehouse.bulk`).
    """
    insert_rows(conn, table, records)


def _insert_frame(conn: Connection, table: Table, frame: pd.DataFrame, **constants: object) -> int:
    """Insert every row of ``frame`` (index ``row`` becomes ``row_number``), in chunks."""
    if frame.empty:
        return 0
    out = frame.reset_index().rename(columns={"row": "row_number"}).assign(**constants)
    for start in range(0, len(out), _CHUNK_ROWS):
        chunk = out.iloc[start : start + _CHUNK_ROWS].astype(object)
        _insert_records(conn, table, chunk.where(chunk.notna(), None).to_dict("records"))
    return len(out)


def _current(conn: Connection, group: str) -> dict[str, dict]:
    """Current deliveries of a group, by path."""
    year, kinds = _group_scope(group)
    d = s.deliveries
    query = select(d).where(d.c.superseded_at.is_(None), d.c.kind.in_(kinds))
    query = query.where(d.c.year.is_(None) if year is None else d.c.year == year)
    return {row.path: row._asdict() for row in conn.execute(query)}


_REQUIRED_STATEMENTS = ("financial_statements", *(k.value for k in STATEMENT_KINDS))
_STATEMENTS = (*_REQUIRED_STATEMENTS, *(k.value for k in OPTIONAL_STATEMENT_KINDS))


def _group_scope(group: str) -> tuple[int | None, list[str]]:
    name, _, year = group.partition("/")
    kinds = {
        "statements": [*_STATEMENTS, Kind.LEDGER.value],
        "activities": [Kind.ACTIVITIES.value],
        "indicator_values": [Kind.INDICATOR_VALUES.value],
        "indicator_definitions": [Kind.INDICATOR_DEFINITIONS.value],
        Kind.NARRATIVES.value: [Kind.NARRATIVES.value],
        **{kind.value: [kind.value] for kind in SECRETARIAT_KINDS},
    }[name]
    return (int(year) if year else None), kinds


def _clear(conn: Connection, delivery_id: int) -> None:
    """Remove what an earlier judgement of a delivery wrote (it is re-derived)."""
    tables = (
        *s.DATA_TABLES.values(),
        s.ledger_totals,
        s.ledger_files,
        s.activity_partners,
        s.delivery_issues,
        s.validation_results,
    )
    year = conn.execute(
        select(s.deliveries.c.year).where(s.deliveries.c.id == delivery_id)
    ).scalar()
    for table in tables:
        query = delete(table).where(table.c.delivery_id == delivery_id)
        if year is not None and "year" in table.c:  # the (year, delivery_id) index
            query = query.where(table.c.year == year)
        conn.execute(query)


def _result_details(table: CheckedTable, rule: str, column: str | None) -> dict | None:
    """Which declared expectation a row-checker result is (GX type, severity)."""
    declared = table.rules.get((rule, column))
    if declared is None:
        return None
    return {
        "engine": "row_checker",
        "expectation": declared.type,
        "rule_id": declared.id,
        "severity": declared.severity,
    }


def _store_results(conn: Connection, delivery_id: int, year: int | None, item: Delivered) -> None:
    rows = []
    for table in item.tables:
        ordered = sorted(table.results.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        for (rule, column), failed in ordered:
            rows.append(
                {
                    "delivery_id": delivery_id,
                    "year": year,
                    "suite": table.spec.kind.value,
                    "expectation": rule,
                    "column_name": column,
                    "success": not failed,
                    "element_count": table.row_count,
                    "unexpected_count": len(failed),
                    "unexpected_rows": failed[:_MAX_STORED_ROWS],
                    "details": _result_details(table, rule, column),
                }
            )
    if rows:
        _insert_records(conn, s.validation_results, rows)


def _kept_out(item: Delivered) -> set[tuple[str | None, int]]:
    """(sheet, row) of the rows an error keeps out of the warehouse: the quarantine.

    Rows the table leaves out for another reason (indicator values of another year,
    ignored with a warning) are not quarantined even if they also have an error.
    """
    if item.rejected:
        return set()
    return {(t.raw.sheet, r) for t in item.tables for r in t.bad_rows if r in t.frame.index}


def _store_issues(
    conn: Connection,
    delivery_id: int,
    issues: list[Issue],
    quarantined: set[tuple[str | None, int]],
) -> None:
    if issues:
        _insert_records(
            conn,
            s.delivery_issues,
            [
                {
                    "delivery_id": delivery_id,
                    "file": i.file,
                    "sheet": i.sheet,
                    "row_number": i.row,
                    "column_name": i.column,
                    "value": i.value,
                    "severity": i.severity,
                    "rule": i.rule,
                    "message": i.message,
                    "quarantined": i.is_error and (i.sheet, i.row) in quarantined,
                    "code": i.code,
                    "params": i.params,
                }
                for i in issues
            ],
        )


def _load_ledger(
    conn: Connection,
    delivery_id: int,
    year: int | None,
    table: CheckedTable,
    item: Delivered,
    settings: Settings,
) -> int:
    """Put a clean ledger's typed lines in the ledger store and record where.

    The Parquet file is in the store, whole, before the group's transaction commits: a
    crash in between leaves a file that the next run, judging the same content again,
    writes over with its equal (:mod:`.warehouse.ledger_store`).
    """
    store = Path(settings.ledger_store)
    work = store / ".work"
    if isinstance(table, StreamedTable) and table.parquet is not None:
        written = table.parquet  # typed and written by the columnar judge
        lines = table.rows
    else:
        work.mkdir(parents=True, exist_ok=True)
        written = Path(tempfile.mkdtemp(dir=work)) / "lines.parquet"
        frames = table.typed_chunks() if isinstance(table, StreamedTable) else iter([table.good])
        con = ledger_store.duckdb_connection(written.parent)
        try:
            lines = ledger_store.write_frames(con, frames, written)
        finally:
            con.close()
    try:
        path = ledger_store.adopt(store, item.sha256, written)
    finally:
        if written.parent.parent == work:
            shutil.rmtree(written.parent, ignore_errors=True)
    conn.execute(
        insert(s.ledger_files).values(delivery_id=delivery_id, year=year, path=path, lines=lines)
    )
    return lines


def _load_totals(conn: Connection, delivery_id: int, year: int | None, table: CheckedTable) -> None:
    """The ledger's sums by unit, strategic code and line (``ledger_totals``)."""
    keys = ["org_unit", "strategic_code", "line_code"]
    if isinstance(table, StreamedTable):
        sums = table.frame
    else:
        grouped = table.good.groupby(keys)["amount_cents"]
        sums = grouped.sum().to_frame().assign(postings=grouped.size()).reset_index()
    records = [
        {
            "delivery_id": delivery_id,
            "year": year,
            "org_unit": r.org_unit,
            "strategic_code": r.strategic_code,
            "line_code": r.line_code,
            "amount_cents": int(r.amount_cents),
            "postings": int(r.postings),
        }
        for r in sums.itertuples(index=False)
    ]
    _insert_records(conn, s.ledger_totals, records)


def _load_rows(
    conn: Connection,
    delivery_id: int,
    year: int | None,
    table: CheckedTable,
    item: Delivered,
    settings: Settings,
) -> int:
    target = s.DATA_TABLES[table.spec.kind.value]
    if table.spec.kind is Kind.LEDGER:
        _load_totals(conn, delivery_id, year, table)
        return _load_ledger(conn, delivery_id, year, table, item, settings)
    frame = table.good
    constants: dict[str, object] = {"delivery_id": delivery_id}
    if "year" in target.c and "year" not in frame.columns:
        constants["year"] = year
    loaded = _insert_frame(conn, target, frame, **constants)
    if table.spec.kind is Kind.ACTIVITIES and loaded:
        units = frame["partner_org_units"].fillna("")
        partners = (
            frame.loc[units != "", ["activity_id"]]
            .assign(org_unit=units[units != ""].str.split(";"))
            .explode("org_unit")
        )
        if not partners.empty:
            _insert_records(
                conn,
                s.activity_partners,
                partners.assign(delivery_id=delivery_id).to_dict("records"),
            )
    return loaded


def _blocks(items: list[Delivered], extra: dict[str, list[Issue]]) -> bool:
    """For a blocking group: whether any error in any file keeps the whole group out."""
    if any(i.rejected or i.errors for i in items):
        return True
    return any(i.is_error for issues in extra.values() for i in issues)


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
    current = _current(conn, group)
    present = {i.path for i in items}
    d = s.deliveries
    for path, old in current.items():
        if path not in present:
            conn.execute(update(d).where(d.c.id == old["id"]).values(superseded_at=now))
            log.info(
                "%s is no longer in the landing zone: delivery %s no longer counts", path, old["id"]
            )
    blocked = block and _blocks(items, extra)
    for item in items:
        old = current.get(item.path)
        issues = extra.get(item.path, []) + item.issues
        if old and old["sha256"] == item.sha256:
            delivery_id = old["id"]
            _clear(conn, delivery_id)
        else:
            delivery_id = conn.execute(
                insert(d).values(
                    path=item.path,
                    year=year,
                    kind=item.kind,
                    sha256=item.sha256,
                    size_bytes=item.nbytes,
                    encoding=item.encoding,
                    arrived_at=now,
                    outcome="pending",
                    archive_path=_archive(settings, item),
                    uploaded_by=uploader_of(conn, item.path, item.sha256, now),
                )
            ).inserted_primary_key[0]
            if old:
                conn.execute(
                    update(d)
                    .where(d.c.id == old["id"])
                    .values(superseded_at=now, superseded_by=delivery_id)
                )
                log.info(
                    "%s: corrected delivery %s supersedes %s", item.path, delivery_id, old["id"]
                )
        rejected = item.rejected or blocked
        loaded = (
            0
            if rejected
            else sum(_load_rows(conn, delivery_id, year, t, item, settings) for t in item.tables)
        )
        kept_out = set() if rejected else _kept_out(item)
        _store_issues(conn, delivery_id, issues, kept_out)
        _store_results(conn, delivery_id, year, item)
        conn.execute(
            update(d)
            .where(d.c.id == delivery_id)
            .values(
                outcome="rejected" if rejected else "loaded",
                loaded_at=now,
                encoding=item.encoding,
                rows_loaded=loaded,
                rows_quarantined=len(kept_out),
            )
        )
        outcome.rows_loaded += loaded
        outcome.rows_quarantined += len(kept_out)
        if block:
            outcome.blocking_issues += [i for i in issues if i.is_error]
        else:
            outcome.problems += [i for i in issues if i.is_error]
    return outcome


def _save_signature(conn: Connection, group: str, signature: str, now: dt.datetime) -> None:
    conn.execute(delete(s.load_groups).where(s.load_groups.c.name == group))
    conn.execute(insert(s.load_groups).values(name=group, signature=signature, processed_at=now))


def _stored_signature(conn: Connection, group: str) -> str | None:
    query = select(s.load_groups.c.signature).where(s.load_groups.c.name == group)
    return conn.execute(query).scalar()


def stored_blocking_issues(
    conn: Connection, year: int, missing: Message | None = None
) -> list[Issue]:
    """Why the year's current financial statements block it, as stored by ingestion.

    ``missing`` is the message of a year without statements, with why the landing zone
    has none when it tells (:func:`.sources.landing.missing_year_hint`).

    The errors stored with the year's current statement and ledger deliveries (their
    rows, structure and reconciliation), preceded by "no financial statements" when
    there are no current statements at all. Read from the warehouse, so a run that
    skips unchanged deliveries reports the same errors as the run that loaded them.
    """
    d, i = s.deliveries, s.delivery_issues
    _, kinds = _group_scope("statements")
    current = d.c.superseded_at.is_(None) & (d.c.year == year)
    present = conn.execute(
        select(func.count()).select_from(d).where(current, d.c.kind.in_(_REQUIRED_STATEMENTS))
    ).scalar()
    missing = missing or say("no_statements", year=year)
    issues = [] if present else [Issue(f"{year}/", missing)]
    rows = conn.execute(
        select(i)
        .join(d, d.c.id == i.c.delivery_id)
        .where(current, d.c.kind.in_(kinds), i.c.severity == "error")
        .order_by(i.c.id)
    )
    return issues + [
        Issue(
            file=r.file,
            message=r.message,
            sheet=r.sheet,
            row=r.row_number,
            column=r.column_name,
            value=r.value,
            rule=r.rule,
            code=r.code,
            params=r.params,
        )
        for r in rows
    ]


def _defined_indicators(conn: Connection) -> frozenset[str]:
    d, t = s.deliveries, s.indicator_definitions
    rows = conn.execute(
        select(t.c.indicator_code)
        .join(d, d.c.id == t.c.delivery_id)
        .where(d.c.superseded_at.is_(None))
    )
    return frozenset(r[0] for r in rows)


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
        unchanged = _stored_signature(conn, group) == signature
    if unchanged:
        log.info("%s unchanged (%d files): skipped", group, len(items))
        return GroupOutcome(group, skipped=True, files=len(items))
    extra = judge_group(items)
    with engine.begin() as conn:
        outcome = load_group(
            conn, group, year, items, settings, now, block=block, extra_issues=extra
        )
        _save_signature(conn, group, signature, now)
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


def reference_fingerprint(reference: Reference) -> str:
    """A hash of the reference codes: a group judged against other codes is re-judged."""
    return hashlib.sha256(repr(reference).encode()).hexdigest()


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
            stored = _stored_signature(conn, f"statements/{year}")
            sizes = {p: d["size_bytes"] for p, d in _current(conn, f"statements/{year}").items()}
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
            defined = _defined_indicators(conn)

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
        tolerance = round(settings.tolerance_chf * 100)

        def judge_statements(items: list[Delivered]) -> dict[str, list[Issue]]:
            judge_each(lambda: Context(reference, year), settings)(items)
            extra: dict[str, list[Issue]] = {}
            # "no financial statements" names no file: it is derived from their absence
            for issue in structure:
                extra.setdefault(issue.file, []).append(issue)
            if structure or any(i.rejected or i.errors for i in items):
                return extra
            tables = {t.spec.kind: t for i in items for t in i.tables}
            places = {k: reconcile.Place(t.raw.file, t.raw.sheet) for k, t in tables.items()}
            ledger = tables[Kind.LEDGER].frame if Kind.LEDGER in tables else None
            checks = reconcile.reconcile_statements(
                {k: t.frame for k, t in tables.items()}, places, reference, tolerance, ledger
            )
            for check in checks:
                if check.issue:
                    extra.setdefault(check.issue.file, []).append(check.issue)
            return extra

        groups.append(
            _process(
                engine,
                f"statements/{year}",
                year,
                statements,
                judge_statements,
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

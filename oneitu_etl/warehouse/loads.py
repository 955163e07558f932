"""Writing a year's judged deliveries to the warehouse.

The rows of a judged file (:mod:`oneitu_etl.intake`) go into their table, a clean
ledger into the ledger store (:mod:`.ledger_store`) with its sums; its issues go to
``delivery_issues`` (the quarantined rows marked), its row checks to
``validation_results``. A group's signature (``load_groups``) says whether it changed
since it was processed. :func:`stored_blocking_issues` reads back why a year is blocked.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Table, delete, func, insert, select, update

from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    SECRETARIAT_KINDS,
    STATEMENT_KINDS,
    Kind,
)
from oneitu_etl.issue_text import Message, say
from oneitu_etl.issues import Issue
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import ledger_store
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.bulk import insert_rows
from oneitu_etl.warehouse.uploads import uploader_of

if TYPE_CHECKING:  # what a judged delivery is (oneitu_etl.sources, oneitu_etl.validate)
    from oneitu_etl.sources.deliveries import Delivered
    from oneitu_etl.validate.rows import CheckedTable

_MAX_STORED_ROWS = 200


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
    names = list(out.columns)  # Python values, None for a missing one: column by column
    columns = [out[name].to_numpy(dtype=object, na_value=None) for name in names]
    for start in range(0, len(out), _CHUNK_ROWS):
        chunk = zip(*(values[start : start + _CHUNK_ROWS] for values in columns), strict=True)
        _insert_records(conn, table, [dict(zip(names, row, strict=True)) for row in chunk])
    return len(out)


def current_deliveries(conn: Connection, group: str) -> dict[str, dict]:
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


def record_delivery(
    conn: Connection, item: Delivered, year: int | None, now: dt.datetime, archive_path: str | None
) -> int:
    """A new row of ``deliveries`` for a file with new content, ``pending`` until loaded.

    Args:
        conn: A connection inside the group's transaction.
        item: The delivered file.
        year: Financial year, ``None`` for indicator definitions.
        now: Time of this run: the content's time of arrival.
        archive_path: Where its bytes were archived (``None``: not kept).

    Returns:
        The delivery's id.
    """
    d = s.deliveries
    return conn.execute(
        insert(d).values(
            path=item.path,
            year=year,
            kind=item.kind,
            sha256=item.sha256,
            size_bytes=item.nbytes,
            encoding=item.encoding,
            arrived_at=now,
            outcome="pending",
            archive_path=archive_path,
            uploaded_by=uploader_of(conn, item.path, item.sha256, now),
        )
    ).inserted_primary_key[0]


def supersede(conn: Connection, delivery_id: int, now: dt.datetime, by: int | None = None) -> None:
    """Mark a delivery superseded at ``now``: by the delivery ``by``, or by nothing (its
    file is gone). Its rows stay, for audit."""
    d = s.deliveries
    values = {"superseded_at": now} if by is None else {"superseded_at": now, "superseded_by": by}
    conn.execute(update(d).where(d.c.id == delivery_id).values(**values))


def finish_delivery(
    conn: Connection,
    delivery_id: int,
    outcome: str,
    now: dt.datetime,
    *,
    encoding: str | None,
    rows_loaded: int,
    rows_quarantined: int,
) -> None:
    """Record what loading a delivery did: ``loaded`` or ``rejected``, its rows, its encoding."""
    d = s.deliveries
    conn.execute(
        update(d)
        .where(d.c.id == delivery_id)
        .values(
            outcome=outcome,
            loaded_at=now,
            encoding=encoding,
            rows_loaded=rows_loaded,
            rows_quarantined=rows_quarantined,
        )
    )


def clear_judgement(conn: Connection, delivery_id: int) -> None:
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


def store_results(conn: Connection, delivery_id: int, year: int | None, item: Delivered) -> None:
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


def store_issues(
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


def _streamed(table: CheckedTable) -> bool:
    """Whether ``table`` was judged inside DuckDB (:class:`.intake.large.LargeTable`).

    Its ``frame`` holds the ledger's sums, not its rows; a clean table's typed lines are
    in its ``parquet`` file, written by DuckDB as it judged them. Asked of the table, not
    of its class: the warehouse does not import the judges above it.
    """
    return hasattr(table, "parquet")


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
    if _streamed(table):
        written = table.parquet  # typed and written by DuckDB as it judged them
        lines = table.rows
    else:
        work.mkdir(parents=True, exist_ok=True)
        written = Path(tempfile.mkdtemp(dir=work)) / "lines.parquet"
        frames = iter([table.good])
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
    if _streamed(table):
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


def load_rows(
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


def save_group_signature(conn: Connection, group: str, signature: str, now: dt.datetime) -> None:
    conn.execute(delete(s.load_groups).where(s.load_groups.c.name == group))
    conn.execute(insert(s.load_groups).values(name=group, signature=signature, processed_at=now))


def stored_group_signature(conn: Connection, group: str) -> str | None:
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


def defined_indicators(conn: Connection) -> frozenset[str]:
    d, t = s.deliveries, s.indicator_definitions
    rows = conn.execute(
        select(t.c.indicator_code)
        .join(d, d.c.id == t.c.delivery_id)
        .where(d.c.superseded_at.is_(None))
    )
    return frozenset(r[0] for r in rows)

"""Stage 2 in the warehouse: the current rows Great Expectations judges, and its results.

:func:`current_rows` gives the rows of a year's current deliveries (each with its file,
in the order ingestion judged them); :func:`ledger_sums` the stored sums of a ledger too
large to hand to GX row by row; :func:`replace_results` stores a run's results in
``validation_results`` (``delivery_id`` null: the table's result, across its deliveries),
replacing the previous run's. Judging them is :mod:`oneitu_etl.stage2`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert

from oneitu_etl.contract import Kind
from oneitu_etl.warehouse import ledger_store
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.queries import bytewise, current


def current_rows(
    conn: Connection, year: int, kinds: Iterable[Kind], ledger: Path
) -> dict[Kind, pd.DataFrame]:
    """The typed rows of every kind with current loaded rows for ``year``.

    Each frame is indexed by row number, with the delivered file in ``_path``. Rows come
    in file (byte-wise path) then row order, the order ingestion judged them in, so that
    "the first occurrence" means the same for GX as for ingestion. The ledger's lines
    come from the ledger store at ``ledger``; the indicator definitions are every year's.
    """
    d = s.deliveries
    found: dict[Kind, pd.DataFrame] = {}
    for kind in kinds:
        if kind is Kind.LEDGER:
            frame = ledger_store.current_lines(conn, ledger, year)
        else:
            table = s.DATA_TABLES[kind.value]
            query = current(table, None if kind is Kind.INDICATOR_DEFINITIONS else year)
            if kind is not Kind.INDICATOR_DEFINITIONS:
                query = query.where(d.c.year == year)
            query = query.add_columns(d.c.path.label("_path")).order_by(
                bytewise(d.c.path), table.c.row_number
            )
            frame = pd.DataFrame(conn.execute(query).mappings().all())
        if not frame.empty:
            found[kind] = frame.set_index("row_number")
    return found


def ledger_lines(conn: Connection, year: int) -> int:
    """Lines of the year's current ledger deliveries."""
    t = s.ledger_totals
    query = current(t, year).with_only_columns(func.coalesce(func.sum(t.c.postings), 0))
    return int(conn.execute(query).scalar() or 0)


def ledger_sums(conn: Connection, year: int) -> pd.DataFrame:
    """The year's ledger as its stored sums (``ledger_totals``), one row per sum, in the
    store's columns (no posting id nor date), numbered from 1, with ``_path``."""
    t, d = s.ledger_totals, s.deliveries
    query = (
        current(t, year)
        .with_only_columns(d.c.path.label("_path"), t.c.org_unit, t.c.strategic_code,
                           t.c.line_code, t.c.amount_cents)
        .order_by(bytewise(d.c.path), t.c.org_unit, t.c.strategic_code, t.c.line_code)
    )  # fmt: skip
    frame = pd.DataFrame(conn.execute(query).mappings().all())
    frame = frame.assign(posting_id=None, posting_date=None)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row_number")
    return frame


def replace_results(engine: Engine, year: int, records: list[dict[str, object]]) -> None:
    """Store stage 2's results for ``year`` in one transaction, replacing the last run's."""
    v = s.validation_results
    with engine.begin() as conn:
        conn.execute(delete(v).where(v.c.year == year, v.c.delivery_id.is_(None)))
        if records:
            conn.execute(insert(v), records)

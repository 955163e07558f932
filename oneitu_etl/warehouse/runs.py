"""The ``runs`` table: every attempt to build a year, when it started and how it ended.

A run is recorded ``running`` when it starts (with the year's run lock held) and
``published``, ``blocked`` or ``failed`` when it ends, with a one-line message (the
first blocking error, or why it failed) and the hash of the inputs it saw. A run whose
process died (SIGKILL, power cut) cannot record its end: the next run of the year, which
holds the lock and so knows that no other run is in progress, marks it ``failed``
("interrupted"). ``oneitu status`` lists the latest runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from oneitu_etl.warehouse import schema as s

#: Message of a run found ``running`` by the next run of its year.
INTERRUPTED = "interrupted: the run stopped before it finished (killed, crashed or lost its host)"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start(engine: Engine, year: int, now: dt.datetime | None = None) -> int:
    """Record a run of ``year`` as started; call it holding the year's run lock.

    Runs of the year still marked ``running`` are from processes that died: they are
    marked ``failed`` first.

    Returns:
        The run's id.
    """
    now = now or _now()
    r = s.runs
    with engine.begin() as conn:
        conn.execute(
            update(r)
            .where(r.c.year == year, r.c.status == "running")
            .values(status="failed", message=INTERRUPTED)
        )
        return conn.execute(
            insert(r).values(year=year, started_at=now, status="running")
        ).inserted_primary_key[0]


def inputs_hash(conn: Connection, year: int) -> str:
    """SHA-256 of the current deliveries of ``year`` and the definitions (path, hash)."""
    d = s.deliveries
    rows = conn.execute(
        select(d.c.path, d.c.sha256)
        .where(d.c.superseded_at.is_(None), (d.c.year == year) | d.c.year.is_(None))
        .order_by(d.c.path, d.c.sha256)
    )
    text = "".join(f"{path}\t{sha}\n" for path, sha in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def finish(
    engine: Engine,
    run_id: int,
    status: str,
    message: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Record how run ``run_id`` ended: ``published``, ``blocked`` or ``failed``."""
    r = s.runs
    with engine.begin() as conn:
        year = conn.execute(select(r.c.year).where(r.c.id == run_id)).scalar_one()
        conn.execute(
            update(r)
            .where(r.c.id == run_id)
            .values(
                status=status,
                finished_at=now or _now(),
                message=message,
                inputs_sha256=inputs_hash(conn, year),
            )
        )


def latest(conn: Connection, year: int, limit: int = 10) -> list[dict[str, Any]]:
    """The latest runs of ``year``, newest first."""
    r = s.runs
    query = select(r).where(r.c.year == year).order_by(r.c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]

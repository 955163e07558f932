"""Run locks in the warehouse: one run at a time per financial year.

A lock is a row of ``year_locks``: acquiring it is an ``INSERT`` that fails on the
primary key when another run holds the year, so it works the same on SQLite and
PostgreSQL and across hosts that share the warehouse. A run that finds the year taken
polls until ``wait_seconds`` have passed, then refuses with :class:`YearLocked`. A lock
older than ``stale_after_seconds`` belongs to a run that died without releasing it: the
next run takes it over (compare-and-swap on the holder, so only one run can). A lock whose
holder was a process of this very host (same host name and process namespace) that no
longer exists is abandoned too, and taken over at once: a run killed by SIGKILL or by the
OOM killer can be re-run straight away instead of an hour later. Holders on other hosts
are only ever judged by age.

Key :data:`SHARED` (0, not a year) guards what every year shares: the reference tables
and the indicator definitions. It is held only briefly, and never while waiting for a
year's lock, so the two kinds of lock cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from oneitu_etl.warehouse.schema import lock as year_locks

log = logging.getLogger(__name__)

#: Lock key of the data every year shares (reference tables, indicator definitions).
SHARED = 0


class YearLocked(Exception):
    """Another run holds the lock and did not release it in time."""


@dataclass(frozen=True)
class Lock:
    """A lock held by this process: its key and the holder written in ``year_locks``."""

    year: int
    holder: str


def _pid_namespace() -> str:
    """This process's PID namespace (``ns4026531836``), or ``""`` where unknown."""
    try:
        link = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return ""
    return "ns" + "".join(c for c in link if c.isdigit())


def new_holder() -> str:
    """A holder name unique to one acquisition: host, process id and a random suffix,
    then the PID namespace where known (two containers may share a host name)."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    namespace = _pid_namespace()
    return f"{holder}:{namespace}" if namespace else holder


def holder_is_dead(holder: str) -> bool:
    """Whether ``holder`` names a process of this host and PID namespace that is gone.

    Only a certainty counts: a holder of another host, of another namespace, of this
    process (another thread) or of a process that exists (even if its id was reused)
    is not dead.
    """
    parts = holder.split(":")
    namespace = _pid_namespace()
    if len(parts) != 4 or not namespace or not parts[1].isdigit():
        return False
    if parts[0] != socket.gethostname() or parts[3] != namespace:
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists, as another user's process
        return False
    return False


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; every time written here is UTC
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _what(year: int) -> str:
    return "the data shared by all years" if year == SHARED else f"year {year}"


def _try_insert(engine: Engine, year: int, holder: str, now: dt.datetime) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(insert(year_locks).values(year=year, holder=holder, acquired_at=now))
    except IntegrityError:
        return False
    return True


def _take_over(engine: Engine, year: int, old_holder: str, holder: str, now: dt.datetime) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            update(year_locks)
            .where(year_locks.c.year == year, year_locks.c.holder == old_holder)
            .values(holder=holder, acquired_at=now)
        )
    return result.rowcount == 1


def acquire(
    engine: Engine,
    year: int,
    *,
    wait_seconds: float = 120.0,
    stale_after_seconds: float = 3600.0,
    poll_seconds: float = 0.5,
    holder: str | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Lock:
    """Take the lock of ``year``, waiting for another run to release it.

    Args:
        engine: The warehouse (its schema must be migrated).
        year: Financial year, or :data:`SHARED`.
        wait_seconds: How long to wait for a lock held by another run.
        stale_after_seconds: Age after which a held lock counts as abandoned.
        poll_seconds: Pause between attempts.
        holder: Name written in the lock (default: host, pid and a random suffix).
        clock: Current UTC time (tests give their own).

    Returns:
        The lock, to pass to :func:`release`.

    Raises:
        YearLocked: the lock was still held by another run after ``wait_seconds``.
    """
    holder = holder or new_holder()
    deadline = time.monotonic() + wait_seconds
    while True:
        now = clock()
        if _try_insert(engine, year, holder, now):
            log.debug("lock of %s taken by %s", _what(year), holder)
            return Lock(year, holder)
        with engine.connect() as conn:
            row = conn.execute(select(year_locks).where(year_locks.c.year == year)).first()
        if row is None:  # released between our insert and our look: try again at once
            continue
        since = _utc(row.acquired_at)
        age = (now - since).total_seconds()
        if age > stale_after_seconds and _take_over(engine, year, row.holder, holder, now):
            log.warning(
                "took over the lock of %s from %s, held since %s UTC (%.0f s, above %.0f s): "
                "that run is presumed dead",
                _what(year),
                row.holder,
                f"{since:%Y-%m-%d %H:%M:%S}",
                age,
                stale_after_seconds,
            )
            return Lock(year, holder)
        if holder_is_dead(row.holder) and _take_over(engine, year, row.holder, holder, now):
            log.warning(
                "took over the lock of %s from %s, held since %s UTC: that process no longer "
                "exists on this host (killed or crashed)",
                _what(year),
                row.holder,
                f"{since:%Y-%m-%d %H:%M:%S}",
            )
            return Lock(year, holder)
        if time.monotonic() >= deadline:
            raise YearLocked(
                f"{_what(year)} is being processed by another run ({row.holder}, since "
                f"{since:%Y-%m-%d %H:%M:%S} UTC); waited {wait_seconds:g} s. Try again when "
                f"that run has finished; a lock older than {stale_after_seconds:g} s is taken "
                "over as abandoned."
            )
        time.sleep(poll_seconds)


def release(engine: Engine, held: Lock) -> bool:
    """Give back a lock; ``False`` (and a warning) if another run had taken it over."""
    with engine.begin() as conn:
        result = conn.execute(
            delete(year_locks).where(
                year_locks.c.year == held.year, year_locks.c.holder == held.holder
            )
        )
    if result.rowcount != 1:
        log.warning(
            "the lock of %s was no longer held by %s (taken over as stale?)",
            _what(held.year),
            held.holder,
        )
        return False
    log.debug("lock of %s released by %s", _what(held.year), held.holder)
    return True


@contextmanager
def year_lock(
    engine: Engine,
    year: int,
    *,
    wait_seconds: float = 120.0,
    stale_after_seconds: float = 3600.0,
    poll_seconds: float = 0.5,
) -> Iterator[Lock]:
    """Hold the lock of ``year`` for the ``with`` block (see :func:`acquire`)."""
    held = acquire(
        engine,
        year,
        wait_seconds=wait_seconds,
        stale_after_seconds=stale_after_seconds,
        poll_seconds=poll_seconds,
    )
    try:
        yield held
    finally:
        release(engine, held)

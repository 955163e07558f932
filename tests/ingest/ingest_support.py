"""Helpers of the ingestion tests: a landing zone and its warehouse, from tests/fixtures/.

``zone`` is a throw-away landing zone (``zone.put(...)`` delivers a file, ``zone.remove``
takes one away) with its own output folder and warehouse (``db_url``: SQLite, then
PostgreSQL when a test asks for the parametrized ``db_url`` fixture). ``zone.ingest()``
runs stage 1 exactly as ``oneitu run`` does; ``zone.current(table)`` reads the rows that
count (those of current, loaded deliveries), ``zone.all(table)`` every stored row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, Table, select

from oneitu_etl import pipeline, warehouse
from oneitu_etl.ingest import YearIngest
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
YEAR = 2024
T0 = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)

#: The contract's file of each fixture name used below.
FINANCE_CSVS = ("financial_performance.csv", "budget_comparison.csv", "expense_allocation.csv")


def fixture(rel: str) -> bytes:
    """The bytes of ``tests/fixtures/<rel>``."""
    return (FIXTURES / rel).read_bytes()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=dt.UTC)


@dataclass
class Zone:
    """A landing zone with its output folder and warehouse."""

    root: Path
    out: Path
    db_url: str
    _engine: Engine | None = field(default=None, repr=False)

    def put(self, rel: str, data: bytes | str) -> Path:
        """Deliver ``data`` at ``rel`` (relative to the root); text is written as UTF-8."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def put_fixture(self, rel: str, source: str | None = None) -> Path:
        """Deliver ``tests/fixtures/<source>`` (default: the same ``rel``) at ``rel``."""
        return self.put(rel, fixture(source or rel))

    def remove(self, rel: str) -> None:
        """Take a file away from the landing zone."""
        (self.root / rel).unlink()

    def settings(self, **changes: object) -> Settings:
        """Settings as the environment of a deployment would give them."""
        env = {
            "ONEITU_LANDING": str(self.root),
            "ONEITU_OUT": str(self.out),
            "ONEITU_DB_URL": self.db_url,
        }
        return Settings.from_env(env, **changes)

    def ingest(self, now: dt.datetime = T0, year: int = YEAR, **changes: object) -> YearIngest:
        """Stage 1 of a run at time ``now``."""
        return pipeline.ingest(self.settings(**changes), year, now=now)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = warehouse.connect(self.db_url)
        return self._engine

    def current(self, table: Table, *columns: str) -> list[tuple]:
        """Sorted rows of ``table`` that count: their delivery is current and loaded."""
        d = s.deliveries
        cols = [table.c[c] for c in columns]
        query = (
            select(*cols)
            .join(d, d.c.id == table.c.delivery_id)
            .where(d.c.superseded_at.is_(None), d.c.outcome == "loaded")
        )
        with self.engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(query))

    def all(self, table: Table, *columns: str) -> list[tuple]:
        """Sorted rows of ``table``, current or not."""
        with self.engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(select(*[table.c[c] for c in columns])))

    def deliveries(self) -> list[dict]:
        """Every row of ``deliveries``, by id, times in UTC."""
        with self.engine.connect() as conn:
            rows = [
                dict(r._mapping)
                for r in conn.execute(select(s.deliveries).order_by(s.deliveries.c.id))
            ]
        for row in rows:
            for key in ("arrived_at", "loaded_at", "superseded_at"):
                row[key] = _utc(row[key])
        return rows

    def delivery(self, path: str, *, current: bool = True) -> dict:
        """The (single) current delivery of ``path``, or its latest one."""
        rows = [d for d in self.deliveries() if d["path"] == path]
        if current:
            rows = [d for d in rows if d["superseded_at"] is None]
            assert len(rows) == 1, rows
        return rows[-1]

    def issues(self, path: str | None = None) -> list[dict]:
        """Stored issues (of current deliveries), optionally of one file, in file order."""
        d, i = s.deliveries, s.delivery_issues
        query = select(i).join(d, d.c.id == i.c.delivery_id).where(d.c.superseded_at.is_(None))
        if path is not None:
            query = query.where(i.c.file == path)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(i.c.id))]

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def make_zone(base: Path, db_url: str | None = None) -> Zone:
    """An empty landing zone under ``base``, with its warehouse (SQLite by default)."""
    root, out = base / "landing", base / "out"
    root.mkdir(parents=True)
    return Zone(root, out, db_url or f"sqlite:///{out / 'warehouse.sqlite'}")


def deliver_all(zone: Zone) -> None:
    """The full valid set: Finance's CSVs, two activity files, definitions and values."""
    for name in FINANCE_CSVS:
        zone.put_fixture(f"{YEAR}/{name}", f"finance/{YEAR}/{name}")
    for name in ("activities_BR.csv", "activities_TSB.csv"):
        zone.put_fixture(f"{YEAR}/activities/{name}", f"sectors/{YEAR}/activities/{name}")
    zone.put_fixture("indicator_definitions.csv", "planning/indicator_definitions.csv")
    zone.put_fixture(f"{YEAR}/indicator_values.csv", f"planning/{YEAR}/indicator_values.csv")

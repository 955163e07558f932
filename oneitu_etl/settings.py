"""The one place that decides the environment.

Every path, URL and threshold the pipeline needs comes from :class:`Settings`, built once
from environment variables (``ONEITU_*``) by :func:`Settings.from_env` or from explicit
arguments by the command line. Package code receives a ``Settings``; it never reads
``os.environ`` itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Absolute difference, in cents of CHF, within which two amounts are "equal" (contract,
#: preamble): the one default of the reconciliation tolerance, which every rule, the Great
#: Expectations stage and the report take from :attr:`Settings.tolerance_cents`.
TOLERANCE_CENTS = 100
#: The Union's six official languages (contract 1.4): the report is published in each.
LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


def parse_languages(text: str) -> tuple[str, ...]:
    """``en,fr`` as ``("en", "fr")``: codes of :data:`LANGUAGES`, each once, in that order.

    Raises:
        ValueError: an empty list or a code that is not one of the six languages.
    """
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise ValueError("no language given; expected codes among " + ",".join(LANGUAGES))
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a language of the report; expected codes among "
            + ",".join(LANGUAGES)
        )
    return tuple(c for c in LANGUAGES if c in codes)


def _cents(text: str) -> int:
    """An amount of CHF as written (``1``, ``0.50``) in whole cents; ``ValueError`` if not."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(
            f"ONEITU_TOLERANCE_CHF must be an amount of CHF such as 1.00, not {text!r}"
        )
    return int(amount * 100)


def default_db_url(out: Path | str) -> str:
    """The embedded warehouse: a SQLite file inside the output folder (contract section 6)."""
    return f"sqlite:///{Path(out).resolve() / 'warehouse.sqlite'}"


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL (``sqlite:///path``, query options aside).

    ``None`` for another database and for SQLite in memory.
    """
    if not url.startswith("sqlite") or "///" not in url:
        return None
    path = url.split("///", 1)[1].split("?", 1)[0]
    return path if path and path != ":memory:" else None


@dataclass(frozen=True)
class Settings:
    """Where the pipeline reads, writes and keeps its warehouse.

    Attributes:
        landing: Root of the landing zone: a local path or an object-storage URL
            (``s3://bucket/prefix``), read through Airflow's ``ObjectStoragePath`` when set.
        out: Root of the report output; ``<out>/<year>/`` holds a year's reports.
        db_url: SQLAlchemy URL of the warehouse; defaults to a SQLite file inside ``out``.
        archive: Where every delivered file is archived unchanged, by content hash.
        ledger_store: Where the ledger's typed lines are kept, one Parquet file per
            delivered content (:mod:`oneitu_etl.warehouse.ledger_store`); the warehouse
            database holds their sums and where each delivery's lines are.
        expectations_dir: The Great Expectations suites (``expectations/``).
        tolerance_cents: Reconciliation tolerance, in cents (``ONEITU_TOLERANCE_CHF`` in
            CHF, e.g. ``1.00``).
        max_file_bytes: Files above this size are refused before they are parsed.
        max_unzipped_bytes: A workbook whose uncompressed parts exceed this is refused.
        landing_conn_id: Airflow connection used for object storage, if any.
        lock_wait_seconds: How long a run waits for another run of the same year to
            finish before it refuses.
        lock_stale_seconds: Age after which a year's run lock counts as abandoned (its run
            died) and is taken over.
        stream_bytes: A ledger larger than this is read, judged and loaded in slices of
            ``stream_chunk_rows`` rows (memory stays flat), and a delivered file larger
            than this is spooled to disk instead of held in memory.
        stream_chunk_rows: Rows per slice of a streamed ledger.
        languages: The languages the report is published in (all six by default).
    """

    landing: str
    out: Path
    db_url: str = ""
    archive: Path | None = None
    ledger_store: Path | None = None
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    tolerance_cents: int = TOLERANCE_CENTS
    max_file_bytes: int = 512 * 1024 * 1024
    max_unzipped_bytes: int = 256 * 1024 * 1024
    landing_conn_id: str | None = None
    lock_wait_seconds: float = 120.0
    lock_stale_seconds: float = 3600.0
    stream_bytes: int = 4 * 1024 * 1024
    stream_chunk_rows: int = 100_000
    languages: tuple[str, ...] = LANGUAGES
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        if not self.db_url:
            object.__setattr__(self, "db_url", default_db_url(self.out))
        if self.archive is None:
            object.__setattr__(self, "archive", Path(self.out) / "archive")
        if self.ledger_store is None:
            object.__setattr__(self, "ledger_store", Path(self.out) / "ledger")

    @property
    def tolerance_chf(self) -> float:
        """The reconciliation tolerance in CHF, as the report states it."""
        return self.tolerance_cents / 100

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``ONEITU_*`` environment variables.

        Names: ``ONEITU_LANDING`` (required), ``ONEITU_OUT`` (default ``./out``),
        ``ONEITU_DB_URL``, ``ONEITU_ARCHIVE``, ``ONEITU_LEDGER_STORE``, ``ONEITU_EXPECTATIONS``,
        ``ONEITU_TOLERANCE_CHF``, ``ONEITU_MAX_FILE_BYTES``, ``ONEITU_MAX_UNZIPPED_BYTES``,
        ``ONEITU_LANDING_CONN_ID``, ``ONEITU_LOCK_WAIT_SECONDS``,
        ``ONEITU_LOCK_STALE_SECONDS``, ``ONEITU_STREAM_BYTES``, ``ONEITU_STREAM_CHUNK_ROWS``,
        ``ONEITU_LANGUAGES`` (comma-separated codes, e.g. ``en,fr``).
        Keyword overrides win over the environment.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "landing": env.get("ONEITU_LANDING", ""),
            "out": Path(env.get("ONEITU_OUT", "out")),
            "db_url": env.get("ONEITU_DB_URL", ""),
            "archive": Path(env["ONEITU_ARCHIVE"]) if env.get("ONEITU_ARCHIVE") else None,
            "ledger_store": (
                Path(env["ONEITU_LEDGER_STORE"]) if env.get("ONEITU_LEDGER_STORE") else None
            ),
            "landing_conn_id": env.get("ONEITU_LANDING_CONN_ID") or None,
        }
        if env.get("ONEITU_EXPECTATIONS"):
            values["expectations_dir"] = Path(env["ONEITU_EXPECTATIONS"])
        if env.get("ONEITU_TOLERANCE_CHF"):
            values["tolerance_cents"] = _cents(env["ONEITU_TOLERANCE_CHF"])
        if env.get("ONEITU_LANGUAGES"):
            values["languages"] = parse_languages(env["ONEITU_LANGUAGES"])
        if env.get("ONEITU_MAX_FILE_BYTES"):
            values["max_file_bytes"] = int(env["ONEITU_MAX_FILE_BYTES"])
        if env.get("ONEITU_MAX_UNZIPPED_BYTES"):
            values["max_unzipped_bytes"] = int(env["ONEITU_MAX_UNZIPPED_BYTES"])
        for name in ("stream_bytes", "stream_chunk_rows"):
            if env.get(f"ONEITU_{name.upper()}"):
                values[name] = int(env[f"ONEITU_{name.upper()}"])
        for name in ("lock_wait_seconds", "lock_stale_seconds"):
            if env.get(f"ONEITU_{name.upper()}"):
                values[name] = float(env[f"ONEITU_{name.upper()}"])
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

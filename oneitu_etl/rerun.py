"""Free re-runs: whether a year's published report already reflects everything it depends on.

``report_<Y>.json`` carries an *inputs signature*: a hash of what its figures are made
of, namely the current deliveries (path and SHA-256) of the year and of every earlier
year (the previous-year and trend figures read them) and the indicator definitions, as
the warehouse holds them; the reference data and the expectation suites in use; the
tolerance; the package's version. Nothing else (no time, no path of the output or of
the warehouse), so that the same inputs give the same JSON wherever it is built.

:func:`unchanged_report` tells whether ``oneitu run`` would change nothing: the year's
files in the landing zone are exactly the deliveries the warehouse holds for it (so
ingestion would skip every group), the signature the warehouse gives now is the one the
published JSON carries, and the outputs asked for are all there. It is cheap by design:
the standard library (``sqlite3`` for the embedded warehouse, SQLAlchemy Core for a
server) and a hash of the landing zone's files; no pandas, no Alembic, no Great
Expectations. The command line asks it first and, when the answer
is yes, writes nothing and exits as the published report says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from oneitu_etl import __version__
from oneitu_etl.contract import Kind, kind_of_path
from oneitu_etl.issues import Issue
from oneitu_etl.outcome import RunResult, output_names, set_aside_lines
from oneitu_etl.reference import default_data_dir
from oneitu_etl.settings import LANGUAGES, Settings, sqlite_file
from oneitu_etl.sources.landing import DEFINITIONS, Landing, open_landing

log = logging.getLogger(__name__)
_BLOCK = 1 << 20
#: The current deliveries a year's report depends on (``text()``: no schema import).
_DELIVERIES = (
    "SELECT path, sha256, year FROM deliveries WHERE superseded_at IS NULL "
    "AND (year IS NULL OR year <= :year)"
)


def _digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_fingerprint(settings: Settings) -> str:
    """Hash of the reference data, the expectation suites and the package version."""
    reference = _digest(p for p in Path(default_data_dir()).iterdir() if p.is_file())
    suites = _digest(Path(settings.expectations_dir).glob("*.json"))
    return f"{reference}:{suites}:{__version__}"


def inputs_signature(
    deliveries: Iterable[tuple[str, str, int | None]], settings: Settings, year: int
) -> str:
    """The signature of a year's report from the current deliveries it depends on.

    Args:
        deliveries: ``(path, sha256, year)`` of the current deliveries of ``year``, of
            the years before it and of the indicator definitions (year ``None``).
        settings: Tolerance, suites.
        year: The report's year.
    """
    lines = sorted(f"{y or ''}\t{p}\t{h}" for p, h, y in deliveries)
    text = "\n".join(
        [
            f"year {year}",
            f"tolerance {settings.tolerance_chf!r}",
            f"code {code_fingerprint(settings)}",
            *lines,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def warehouse_signature(conn, settings: Settings, year: int) -> str:  # noqa: ANN001 - Connection
    """:func:`inputs_signature` of the deliveries the warehouse holds now."""
    from sqlalchemy import text  # noqa: PLC0415

    rows = conn.execute(text(_DELIVERIES), {"year": year})
    return inputs_signature([(p, h, y) for p, h, y in rows], settings, year)


def _sha256(landing: Landing, path: str) -> str:
    digest = hashlib.sha256()
    with landing.open(path) as source:
        while block := source.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def landing_files(landing: Landing, year: int) -> set[tuple[str, str]]:
    """``(path, sha256)`` of the files ingestion would read for ``year``."""
    paths = [
        p
        for p in landing.year_files(year)
        if kind_of_path(p) not in (None, Kind.INDICATOR_DEFINITIONS)
    ]
    if landing.has(DEFINITIONS):
        paths.append(DEFINITIONS)
    return {(p, _sha256(landing, p)) for p in paths}


def rendered_outputs(
    year_dir: Path,
    year: int,
    *,
    json_only: bool,
    pdf: bool,
    data: dict,
    languages: Iterable[str] = LANGUAGES,
) -> list[Path]:
    """The files a run with these options renders for the year, in the order it prints them."""
    if json_only or data.get("status") != "published":
        return []
    return [year_dir / n for lang in languages for n in output_names(year, lang, pdf=pdf)]


def published(
    settings: Settings,
    year: int,
    *,
    generated_on: dt.date | None = None,
    json_only: bool = False,
    pdf: bool = True,
) -> tuple[dict, RunResult] | None:
    """The published report of ``year`` and its files, if every output asked for is there.

    Returns:
        ``(report data, what the run prints)``, or ``None`` when there is no report with a
        signature, the date asked for differs, or an output is missing.
    """
    report = settings.out / str(year) / f"report_{year}.json"
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not data.get("inputs_signature") or data.get("year") != year:
        return None
    if generated_on is not None and data.get("generated_on") != generated_on.isoformat():
        return None
    outputs = rendered_outputs(
        report.parent, year, json_only=json_only, pdf=pdf, data=data, languages=settings.languages
    )
    docs = (data.get("data_quality") or {}).get("data_docs")
    wanted = outputs + ([report.parent / docs] if docs and not json_only else [])
    if not all(p.exists() for p in wanted):
        return None
    errors = [
        Issue(e["file"], e["message"], e.get("sheet"), e.get("row"), e.get("column"))
        for e in data.get("errors", [])
    ]
    result = RunResult(year, data["status"], report, [*outputs, report], errors)
    result.notes = set_aside_lines(data)
    return data, result


def _current_deliveries(url: str, year: int) -> list[tuple[str, str, int | None]]:
    """``(path, sha256, year)`` of the current deliveries a report of ``year`` depends on.

    A SQLite file is read with the standard library's ``sqlite3``: importing SQLAlchemy
    alone (0.13 s) was more than half of a free re-run. Any other warehouse through
    SQLAlchemy Core.
    """
    if (path := sqlite_file(url)) and "?" not in url:  # options: SQLAlchemy knows them
        connection = sqlite3.connect(path, timeout=30)
        try:
            return connection.execute(_DELIVERIES, {"year": year}).fetchall()
        finally:
            connection.close()
    from sqlalchemy import create_engine, text  # noqa: PLC0415 - not on the import path

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(_DELIVERIES), {"year": year})]
    finally:
        engine.dispose()


def _sqlite_file_missing(url: str) -> bool:
    if not url.startswith("sqlite"):
        return False
    path = sqlite_file(url)
    return path is None or not Path(path).is_file()


def unchanged_report(
    settings: Settings,
    year: int,
    *,
    generated_on: dt.date | None = None,
    json_only: bool = False,
    pdf: bool = True,
) -> RunResult | None:
    """The published report of ``year`` if a run would change nothing, else ``None``.

    Never raises: any doubt (no report yet, no warehouse, a file that cannot be read)
    answers ``None``, and the run goes ahead. Writes nothing.
    """
    try:
        found = published(settings, year, generated_on=generated_on, json_only=json_only, pdf=pdf)
        if found is None or _sqlite_file_missing(settings.db_url):
            return None
        data, result = found
        landing = open_landing(settings.landing, settings.landing_conn_id)
        if not landing.exists():
            return None
        delivered = landing_files(landing, year)
        rows = _current_deliveries(settings.db_url, year)
        held = {(p, h) for p, h, y in rows if y is None or y == year}
        now = inputs_signature(rows, settings, year)
    except Exception as exc:  # noqa: BLE001 - any doubt: run
        log.debug("no free re-run for %s: %s", year, exc)
        return None
    if held != delivered or now != data["inputs_signature"]:
        return None
    return result

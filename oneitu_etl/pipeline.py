"""Orchestration: one function per stage, shared by the command line and the DAG tasks.

A year is built in four stages, each small enough to be one Airflow task:

1. :func:`ingest` reads the landing zone and loads what changed into the warehouse;
2. :func:`validate` runs the expectation suites and stores their results;
3. :func:`build_report_data` computes the figures from the marts (or the blocking errors)
   and stages ``report_<Y>.json``;
4. :func:`publish` renders HTML, PDF and workbook from it, then puts the JSON in place.

:func:`run_year` runs them in order (``oneitu run``). Stages exchange only small values
(a path, counts); the data stays in the warehouse. Each stage holds the year's run lock
while it works (``run_year`` holds it once for all four), so that a stage of one run never
reads or writes what another run of the same year is changing; ``run_year`` records each
attempt in the ``runs`` table.

Every stage takes the run's :class:`~oneitu_etl.resources.Resources` (one warehouse
engine, the landing zone, the reference data), built once by the entry point: the command
line for a whole run, each DAG task for its own. A stage given settings alone builds its
own resources for the call.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, delete

from oneitu_etl import marts, rerun
from oneitu_etl.contract import STATEMENT_KINDS, kind_of_path
from oneitu_etl.fileio import (
    atomic_move,
    atomic_write_bytes,
    atomic_write_text,
    remove_temporaries,
    replace_folder,
)
from oneitu_etl.ingest import SOURCES, YearIngest, ingest_year
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue
from oneitu_etl.logs import quiet_libraries
from oneitu_etl.marts import quality
from oneitu_etl.outcome import RunResult, output_names, set_aside_lines
from oneitu_etl.resources import Resources, resources_of
from oneitu_etl.settings import Settings
from oneitu_etl.sources.landing import Landing
from oneitu_etl.validate.suites import load_declarations
from oneitu_etl.warehouse import locks, runs
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.reference_data import sync_reference

log = logging.getLogger(__name__)


class UsageError(Exception):
    """A mistake in how the pipeline was called (bad landing root, option...)."""


class SetupError(Exception):
    """The environment lacks what the run needs (the package that reads the landing's storage)."""


def year_dir(settings: Settings, year: int) -> Path:
    """Where the year's reports are published."""
    return settings.out / str(year)


def staged_json(settings: Settings, year: int) -> Path:
    """Where stage 3 leaves the report data for stage 4."""
    return settings.out / ".staging" / f"report_{year}.json"


def report_json_path(settings: Settings, year: int) -> Path:
    """The published ``report_<Y>.json``."""
    return year_dir(settings, year) / f"report_{year}.json"


def _refresh_reference(res: Resources) -> None:
    """Refresh the warehouse's reference tables from the reference data the package ships."""
    with run_lock(res.engine, res.settings, locks.SHARED):  # runs of other years do it too
        sync_reference(res.engine, res.reference)


def run_lock(engine: Engine, settings: Settings, year: int) -> AbstractContextManager:
    """The run lock of ``year`` (or of the shared data), with the settings' timeouts.

    Raises:
        locks.YearLocked: another run kept it beyond ``settings.lock_wait_seconds``.
    """
    return locks.year_lock(
        engine,
        year,
        wait_seconds=settings.lock_wait_seconds,
        stale_after_seconds=settings.lock_stale_seconds,
    )


@contextmanager
def _stage_lock(res: Resources, year: int, lock: bool) -> Iterator[None]:
    """The year's run lock around one stage, unless the caller holds it (``lock=False``)."""
    if not lock:
        yield
        return
    with run_lock(res.engine, res.settings, year):
        yield


# -- stage 1 ----------------------------------------------------------------------------
def has_statements(run: Settings | Resources, year: int) -> bool:
    """Whether the landing zone holds financial statements for ``year`` (workbook or CSVs).

    Without them the year can only be blocked: the report DAG's scheduled (yearly
    fallback) run skips such a year instead of failing.
    """
    with resources_of(run) as res:
        landing = res.landing
        statements = {"financial_statements", *(k.value for k in STATEMENT_KINDS)}
        return landing.exists() and any(
            kind_of_path(p) in statements for p in landing.year_files(year)
        )


def ingest(
    run: Settings | Resources,
    year: int,
    *,
    now: dt.datetime | None = None,
    sources: frozenset[str] = SOURCES,
    lock: bool = True,
) -> YearIngest:
    """Stage 1: load the year's deliveries that changed since the last run.

    Args:
        run: The run's resources (or the settings: where to read and load).
        year: Financial year.
        now: Time of the run.
        sources: Which of ``finance``, ``sectors``, ``planning`` to ingest (all by default).
        lock: Take the year's run lock (``False`` when the caller holds it).

    Raises:
        UsageError: the landing root does not exist, or its URL names an unknown storage.
        SetupError: the package that reads the landing's storage is not installed.
        locks.YearLocked: another run holds the year.
    """
    with resources_of(run) as res:
        landing = _open_landing(res)
        _refresh_reference(res)
        with run_lock(res.engine, res.settings, year) if lock else nullcontext():
            result = ingest_year(
                res.engine, landing, res.settings, year, res.reference, now=now, sources=sources
            )
    for warning in result.warnings:  # the command prints it itself (data_quality.warnings)
        log.warning("%s", warning.line(), extra={"issue": warning})
    return result


def _open_landing(res: Resources) -> Landing:
    """The landing zone, checked to exist; one-line errors for a URL that cannot be read."""
    root = res.settings.landing
    try:
        landing = res.landing
        found = landing.exists()
    except ValueError as exc:  # Universal Pathlib: "Unsupported filesystem: 'foo'"
        raise UsageError(
            f"landing zone {root}: {exc}; give a folder, or a URL of a storage "
            "such as s3://bucket/prefix"
        ) from exc
    except ImportError as exc:  # fsspec: "Install s3fs to access S3"
        raise SetupError(
            f"landing zone {root}: {exc}; install it where the pipeline runs, "
            "or copy the landing zone to a folder"
        ) from exc
    if not found:
        raise UsageError(f"landing zone not found or not readable: {landing.describe()}")
    return landing


# -- stage 2 ----------------------------------------------------------------------------
def staged_data_docs(settings: Settings, year: int) -> Path:
    """Where stage 2 renders the Data Docs; :func:`publish` moves them to ``<Y>/data_docs``."""
    return settings.out / ".staging" / f"data_docs_{year}"


def validate(run: Settings | Resources, year: int, *, lock: bool = True) -> dict[str, int]:
    """Stage 2: run the expectation suites with Great Expectations on the year's current data.

    Every expectation's result goes to ``validation_results``; the Data Docs are rendered
    into the staging area (see :mod:`oneitu_etl.stage2`).

    Args:
        run: The run's resources (or the settings: where the warehouse and the staging
            area are).
        year: Financial year.
        lock: Take the year's run lock (``False`` when the caller holds it).

    Returns:
        ``{"checks_run": n, "checks_failed": m}`` (expectations, each counted once).
    """
    with resources_of(run) as res, _stage_lock(res, year, lock):
        return _validate(res, year)


def _validate(res: Resources, year: int) -> dict[str, int]:
    quiet_libraries()  # before GX is imported: it logs ~215 INFO lines on import
    from oneitu_etl.stage2 import validate_year  # noqa: PLC0415 - GX, inside the task

    settings = res.settings
    validate_year(
        res.engine,
        year,
        res.reference,
        expectations_dir=settings.expectations_dir,
        tolerance_cents=settings.tolerance_cents,
        data_docs=staged_data_docs(settings, year),
        ledger_store=settings.ledger_store,
    )
    with res.engine.connect() as conn:
        counts = _check_counts(conn, settings, year)
    return {"checks_run": counts["checks_run"], "checks_failed": counts["checks_failed"]}


def _check_counts(conn, settings: Settings, year: int) -> dict[str, object]:  # noqa: ANN001
    return quality.check_counts(conn, year, load_declarations(settings.expectations_dir))


def _loaded_failures(res: Resources, year: int) -> list[Issue]:
    """Stage 2's failures in the year's loaded statements (they block; none expected)."""
    with res.engine.connect() as conn:
        return quality.blocking_failures(conn, year)


# -- stage 3 ----------------------------------------------------------------------------
def blocking_issues(
    res: Resources, year: int, ingest_result: YearIngest | None = None
) -> list[Issue]:
    """Why the year cannot be published, if it cannot (empty when it can)."""
    if res.reference.cycle_for(year) is None:
        plans = ", ".join(c.plan for c in res.reference.cycles)
        return [Issue(f"{year}/", say("no_plan_cycle", year=year, plans=plans))]
    if ingest_result is not None:
        return ingest_result.blocking
    from oneitu_etl.warehouse.loads import stored_blocking_issues  # noqa: PLC0415

    # what ingestion stored (structure included), not the landing zone as it is now
    with res.engine.connect() as conn:
        return stored_blocking_issues(conn, year)


def build_report_data(
    run: Settings | Resources,
    year: int,
    *,
    generated_on: dt.date,
    ingest_result: YearIngest | None = None,
    lock: bool = True,
) -> Path:
    """Stage 3: compute the report's figures (or its blocking errors) and stage the JSON.

    Args:
        run: The run's resources (or the settings: where the warehouse and the staging
            area are).
        year: Financial year.
        generated_on: The date the report carries.
        ingest_result: Stage 1's result, when run in the same process.
        lock: Take the year's run lock (``False`` when the caller holds it).

    Returns:
        The staged JSON's path.
    """
    with resources_of(run) as res, _stage_lock(res, year, lock):
        return _build_report_data(res, year, generated_on, ingest_result)


def _build_report_data(
    res: Resources, year: int, generated_on: dt.date, ingest_result: YearIngest | None
) -> Path:
    settings, reference = res.settings, res.reference
    # a new JSON: renderings staged for an earlier one must not be published with it
    shutil.rmtree(staged_renderings(settings, year), ignore_errors=True)
    errors = blocking_issues(res, year, ingest_result)
    errors = errors or _loaded_failures(res, year)
    cycle = reference.cycle_for(year)
    data: dict[str, object] = {
        "year": year,
        "plan": cycle.plan if cycle else None,
        "currency": "CHF",
        "status": "blocked" if errors else "published",
        "errors": [e.as_error() for e in errors],
        "generated_on": generated_on.isoformat(),
        "tolerance_chf": settings.tolerance_chf,
    }
    with res.engine.connect() as conn:
        if not errors:
            declared = load_declarations(settings.expectations_dir)
            tolerance = settings.tolerance_cents
            data.update(marts.report_figures(conn, year, reference, tolerance, declared))
            data["data_quality"].update(_check_counts(conn, settings, year))  # type: ignore[union-attr]
            docs = staged_data_docs(settings, year) / "index.html"
            data["data_quality"]["data_docs"] = (  # type: ignore[index]
                "data_docs/index.html" if docs.exists() else None
            )
            checks = data["reconciliation"]
            data["data_quality"]["checks_run"] += len(checks)  # type: ignore[index]
            data["data_quality"]["checks_failed"] += sum(not c["passed"] for c in checks)  # type: ignore[index]
            data["data_quality"]["warnings"][:0] = _landing_warnings(res, year)  # type: ignore[index]
        # what the figures are made of: a re-run with the same is free (rerun.py)
        data["inputs_signature"] = rerun.warehouse_signature(conn, settings, year)
    path = staged_json(settings, year)
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    return path


def _landing_warnings(res: Resources, year: int) -> list[dict[str, object]]:
    """The files of the landing zone the year's report ignores, as ``errors`` entries."""
    from oneitu_etl.sources.landing import landing_warnings  # noqa: PLC0415

    landing = res.landing
    if not landing.exists():
        return []
    return [w.as_said() for w in landing_warnings(landing, year)]


# -- stage 4 ----------------------------------------------------------------------------
def staged_renderings(settings: Settings, year: int) -> Path:
    """Where the DAG's mapped tasks put each language's files before :func:`publish`."""
    return settings.out / ".staging" / f"render_{year}"


def render_language(settings: Settings, year: int, lang: str, *, pdf: bool = True) -> list[str]:
    """Stage 4a, one language: render the staged report's HTML, PDF and workbook.

    The DAG renders the languages as mapped tasks (each on whichever worker is free);
    the files wait in :func:`staged_renderings` until :func:`publish` puts them in place
    with the JSON, so that readers never see one language newer than another.

    Returns:
        The names of the files rendered; none for a blocked year.
    """
    from oneitu_etl.report.writer import render_language as render  # noqa: PLC0415

    quiet_libraries()
    data = json.loads(staged_json(settings, year).read_text(encoding="utf-8"))
    if data["status"] != "published":
        return []
    folder = staged_renderings(settings, year) / lang
    outputs = render(
        data,
        lang,
        year_dir(settings, year),
        generated_on=dt.date.fromisoformat(data["generated_on"]),
        pdf=pdf,
    )
    for name, content in outputs:
        atomic_write_bytes(folder / name, content)
    log.info("%s: %s rendered (%s)", year, lang, ", ".join(name for name, _ in outputs))
    return [name for name, _ in outputs]


def publish(
    run: Settings | Resources,
    year: int,
    *,
    pdf: bool = True,
    lock: bool = True,
    json_only: bool = False,
    rendered: bool = False,
) -> RunResult:
    """Stage 4: render the published reports from the staged JSON, then put the JSON in place.

    A blocked year writes only ``report_<Y>.json``; reports published earlier stay. Every
    file is replaced atomically, the JSON last; temporaries that a run killed mid-write
    left in the year's folder are removed first.

    Args:
        run: The run's resources (or the settings: where the staging area and the output
            are).
        year: Financial year.
        pdf: Whether to render the PDFs.
        lock: Take the year's run lock (``False`` when the caller holds it).
        json_only: Publish ``report_<Y>.json`` alone; the HTML, PDF, workbook and Data
            Docs of an earlier published run no longer match it and are removed.
        rendered: The languages were rendered already (:func:`render_language`, the DAG's
            mapped tasks): put their files in place instead of rendering them here.
    """
    with resources_of(run) as res, _stage_lock(res, year, lock):
        return _publish(res.settings, year, pdf, json_only, rendered)


def _staged_files(settings: Settings, year: int) -> list[Path]:
    """The files the mapped tasks rendered, in the order of the languages."""
    folder = staged_renderings(settings, year)
    return [
        folder / lang / name
        for lang in settings.languages
        for name in output_names(year, lang, pdf=True)
        if (folder / lang / name).exists()
    ]


def _publish(
    settings: Settings, year: int, pdf: bool, json_only: bool = False, rendered: bool = False
) -> RunResult:
    quiet_libraries()  # WeasyPrint and fontTools log every page and font at INFO
    staged = staged_json(settings, year)
    data = json.loads(staged.read_text(encoding="utf-8"))
    out = year_dir(settings, year)
    for leftover in remove_temporaries(out):
        log.warning("removed %s, left half-written by an interrupted run", leftover)
    published: list[Path] = []
    if data["status"] == "published" and json_only:
        _remove_renderings(settings, year)
    elif data["status"] == "published" and rendered:
        published = [atomic_move(p, out / p.name) for p in _staged_files(settings, year)]
        _remove_renderings(settings, year, keep=set(published))
    elif data["status"] == "published":
        from oneitu_etl.report import render_report  # noqa: PLC0415 - matplotlib, WeasyPrint

        published = render_report(
            data,
            out,
            generated_on=dt.date.fromisoformat(data["generated_on"]),
            pdf=pdf,
            languages=settings.languages,
        )
        _remove_renderings(settings, year, keep=set(published))
    _publish_data_docs(settings, year, published=data["status"] == "published" and not json_only)
    target = report_json_path(settings, year)
    atomic_write_text(target, staged.read_text(encoding="utf-8"))
    staged.unlink(missing_ok=True)
    shutil.rmtree(staged_renderings(settings, year), ignore_errors=True)
    errors = [
        Issue(e["file"], e["message"], e.get("sheet"), e.get("row"), e.get("column"))
        for e in data["errors"]
    ]
    for issue in errors:  # ``issue``: the command line prints it itself
        log.error("%s", issue.line(), extra={"issue": issue})
    result = RunResult(year, data["status"], target, [*published, target], errors)
    result.notes = set_aside_lines(data)
    return result


def _remove_renderings(settings: Settings, year: int, keep: set[Path] | None = None) -> None:
    """Remove the renderings a new publication outdates.

    A JSON-only publication outdates every HTML, PDF and workbook, and the Data Docs; a
    publication in some languages outdates the others' files and a PDF it did not render
    (``keep``: the files it wrote).
    """
    out = year_dir(settings, year)
    every = rerun.rendered_outputs(
        out, year, json_only=False, pdf=True, data={"status": "published"}
    )
    for path in every:
        if path.exists() and (keep is None or path not in keep):
            path.unlink()
            log.info("removed %s: report_%s.json was published without it", path, year)
    if keep is None:
        shutil.rmtree(out / "data_docs", ignore_errors=True)


def _publish_data_docs(settings: Settings, year: int, *, published: bool) -> None:
    """Put stage 2's Data Docs beside a published report (a blocked year keeps the old)."""
    staged = staged_data_docs(settings, year)
    if not staged.exists():
        return
    if not published:
        shutil.rmtree(staged, ignore_errors=True)
        return
    replace_folder(staged, year_dir(settings, year) / "data_docs")


def _unchanged(
    engine: Engine,
    settings: Settings,
    year: int,
    generated_on: dt.date | None,
    pdf: bool,
    json_only: bool,
) -> RunResult | None:
    """The published report, if it already reflects the warehouse and has every output."""
    found = rerun.published(settings, year, generated_on=generated_on, json_only=json_only, pdf=pdf)
    if found is None:
        return None
    data, kept = found
    with engine.connect() as conn:
        if rerun.warehouse_signature(conn, settings, year) != data["inputs_signature"]:
            return None
    log.info("%s: inputs unchanged since report_%s.json; nothing to do", year, year)
    return kept


def _forget_stage_2(engine: Engine, year: int) -> None:
    """Drop stage 2's results for ``year``: they judged data that is no longer current."""
    v = s.validation_results
    with engine.begin() as conn:
        conn.execute(delete(v).where(v.c.year == year, v.c.delivery_id.is_(None)))


def run_year(
    run: Settings | Resources,
    year: int,
    *,
    generated_on: dt.date | None = None,
    pdf: bool = True,
    json_only: bool = False,
) -> RunResult:
    """Build one year end to end (``oneitu run``): ingest, validate, figures, publish.

    The whole run holds the year's run lock: a second run of the same year waits for it
    (``settings.lock_wait_seconds``), then refuses with :class:`locks.YearLocked`. The
    attempt is a row of ``runs``: ``running``, then ``published``, ``blocked`` or
    ``failed`` with a one-line message.

    When ingestion changed nothing and the published report already reflects the
    warehouse (its inputs signature, :mod:`oneitu_etl.rerun`) with every output asked
    for, stages 2 to 4 are skipped: nothing is written. ``json_only`` publishes
    ``report_<Y>.json`` alone and skips stage 2 (Great Expectations and its Data Docs):
    the rows and the reconciliation rules were judged at ingestion against the same
    suites.
    """
    with resources_of(run) as res:
        _open_landing(res)  # a landing zone that cannot be read: before the warehouse is touched
        return _run_year(res, year, generated_on, pdf, json_only)


def _run_year(
    res: Resources, year: int, generated_on: dt.date | None, pdf: bool, json_only: bool
) -> RunResult:
    settings, engine = res.settings, res.engine
    with run_lock(engine, settings, year):
        run_id = runs.start(engine, year)
        try:
            result = ingest(res, year, lock=False)
            kept = None
            if not result.changed:
                kept = _unchanged(engine, settings, year, generated_on, pdf, json_only)
            if kept is not None:
                runs.finish(engine, run_id, kept.status, "unchanged: nothing to do")
                return kept
            if json_only and result.changed:
                _forget_stage_2(engine, year)
            if not json_only:
                validate(res, year, lock=False)
            build_report_data(
                res,
                year,
                generated_on=generated_on or dt.date.today(),
                ingest_result=result,
                lock=False,
            )
            outcome = publish(res, year, pdf=pdf, lock=False, json_only=json_only)
        except BaseException as exc:
            _record_failure(engine, run_id, exc)
            raise
        errors = outcome.errors
        message = None
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            message = errors[0].line() + more
        runs.finish(engine, run_id, outcome.status, message)
        return outcome


def failure_reason(exc: BaseException) -> str:
    """One line saying why a run failed (a database error's first line, not its SQL)."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    text = str(orig if orig is not None else exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _record_failure(engine: Engine, run_id: int, exc: BaseException) -> None:
    """Mark the run failed; if the warehouse cannot be reached, the log line must do."""
    try:
        runs.finish(engine, run_id, "failed", failure_reason(exc))
    except Exception as err:  # noqa: BLE001 - never mask the failure being recorded
        log.warning("could not record the failure of run %s: %s", run_id, failure_reason(err))

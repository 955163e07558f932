"""What every One ITU DAG shares: the assets, default arguments, settings and alerts.

Not a DAG file (listed in ``.airflowignore``); DAG files import it from the DAG folder.
Kept light: only ``airflow.sdk`` and the standard library at module level.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys

import pendulum
from airflow.sdk import (
    Asset,
    DeadlineAlert,
    DeadlineReference,
    Param,
    SyncCallback,
    dag,
    task,
)

log = logging.getLogger("oneitu.dags")

#: One asset per source of the contract; an event's ``extra`` carries the year loaded.
FINANCE = Asset("oneitu://landing/finance", group="oneitu", extra={"source": "finance"})
SECTORS = Asset("oneitu://landing/sectors", group="oneitu", extra={"source": "sectors"})
PLANNING = Asset("oneitu://landing/planning", group="oneitu", extra={"source": "planning"})
#: (v2) The units' narratives; staff, membership and the Council document.
NARRATIVES = Asset("oneitu://landing/narratives", group="oneitu", extra={"source": "narratives"})
GS_SERVICES = Asset("oneitu://landing/gs_services", group="oneitu", extra={"source": "gs_services"})
SOURCE_ASSETS = {
    "finance": FINANCE,
    "sectors": SECTORS,
    "planning": PLANNING,
    "narratives": NARRATIVES,
    "gs_services": GS_SERVICES,
}

#: Connection and variable names a deployment can set instead of ONEITU_* variables.
WAREHOUSE_CONN_ID = "oneitu_warehouse"
LANDING_VARIABLE = "oneitu_landing"
OUT_VARIABLE = "oneitu_out"
ALERT_EMAIL_VARIABLE = "oneitu_alert_email"
SMTP_CONN_ID = "smtp_default"


def _one_line(text: object, limit: int = 600) -> str:
    """``text`` on one line (whitespace collapsed), cut at ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def notify_by_email(subject: str, summary: str) -> bool:
    """E-mail ``summary`` to the data-engineering address, when alerts are configured.

    Alerts are on when the Airflow variable ``oneitu_alert_email`` is set and the
    connection ``smtp_default`` exists (``AIRFLOW_CONN_SMTP_DEFAULT=smtp://…``; the sender
    is the connection's ``from_email`` extra). Returns whether a message was sent; a failure
    to send is logged, never raised, so that an alert cannot mask the failure it reports.

    In a Deadline Alert callback on Airflow 3.3.2 both must come from the environment
    (``AIRFLOW_VAR_…``/``AIRFLOW_CONN_…``) or a secrets backend: the Execution API refuses
    the callback's token for variables and connections (apache/airflow#66141).
    """
    try:
        from airflow.sdk import Variable  # noqa: PLC0415

        address = Variable.get(ALERT_EMAIL_VARIABLE, default=None)
        if not address:
            return False
        from airflow.providers.smtp.hooks.smtp import SmtpHook  # noqa: PLC0415

        with SmtpHook(smtp_conn_id=SMTP_CONN_ID) as hook:
            hook.send_email_smtp(to=address, subject=subject, html_content=f"<p>{summary}</p>")
        return True
    except Exception as err:  # noqa: BLE001 - an alert must never mask the failure
        log.warning("One ITU: alert e-mail not sent: %s", _one_line(err))
        return False


#: The report DAG's task that works out the year of a run (its XCom is the year).
RESOLVE_YEAR_TASK = "resolve_year"


def years_of_run(context) -> str:  # noqa: ANN001 - Airflow's context mapping
    """The year(s) a run works on, for an alert: ``year 2024``, ``years 2025 and 2026``.

    The ``year`` param when given; else the year the report run resolved (the XCom of
    ``resolve_year``); else, in an ingestion DAG, the years it looks at; else ``year not
    resolved`` (the run failed before it knew).
    """
    params = context.get("params") or {}
    if params.get("year"):
        return f"year {params['year']}"
    ti = context.get("task_instance") or context.get("ti")
    try:
        resolved = ti.xcom_pull(task_ids=RESOLVE_YEAR_TASK)
    except Exception:  # noqa: BLE001 - no such task, no XCom: say what is known
        resolved = None
    if isinstance(resolved, int):
        return f"year {resolved}"
    if str(getattr(ti, "dag_id", "")).startswith("oneitu_ingest_"):
        logical = context.get("logical_date") or pendulum.now("UTC")
        years = years_to_ingest(None, logical.date())
        return "years " + " and ".join(map(str, years))
    return "year not resolved"


def failure_summary(context) -> None:  # noqa: ANN001 - Airflow's context mapping
    """``on_failure_callback``: log a one-paragraph summary, and e-mail it when configured."""
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    summary = (
        f"One ITU: task {getattr(ti, 'task_id', '?')} of DAG {getattr(ti, 'dag_id', '?')} failed "
        f"(run {getattr(dag_run, 'run_id', '?')}, try {getattr(ti, 'try_number', '?')}, "
        f"{years_of_run(context)}): {_one_line(context.get('exception'))}. "
        "The previously published report stays in place; see the task log and "
        "report_<year>.json for the errors."
    )
    log.error("%s", summary)
    notify_by_email(f"[One ITU] {getattr(ti, 'dag_id', '')} failed", summary)


DEFAULT_ARGS = {
    "owner": "oneitu-data-engineering",
    "retries": 3,
    "retry_delay": dt.timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": dt.timedelta(minutes=10),
    "execution_timeout": dt.timedelta(minutes=30),
    "on_failure_callback": failure_summary,
}


def year_param(description: str) -> Param:
    """The validated ``year`` parameter (null means: work it out from the schedule)."""
    return Param(
        None, type=["null", "integer"], minimum=2000, maximum=2100, description=description
    )


def warehouse_url(conn) -> str:  # noqa: ANN001 - an Airflow Connection
    """The SQLAlchemy URL of the warehouse described by an Airflow connection.

    ``postgres://`` / ``postgresql://`` become ``postgresql+psycopg://`` (the driver the
    package installs); ``sqlite:////abs/path.sqlite`` keeps its path.
    """
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.schema or conn.host}"
    scheme, rest = conn.get_uri().split("://", 1)
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql+psycopg"
    return f"{scheme}://{rest}"


def settings():  # noqa: ANN201 - oneitu_etl.settings.Settings, imported lazily
    """The pipeline's settings, from ``ONEITU_*`` variables or Airflow's configuration.

    ``ONEITU_LANDING`` / ``ONEITU_OUT`` / ``ONEITU_DB_URL`` win; otherwise the Airflow
    variables ``oneitu_landing`` and ``oneitu_out`` (e.g. ``AIRFLOW_VAR_ONEITU_LANDING``)
    and the connection ``oneitu_warehouse`` (e.g. ``AIRFLOW_CONN_ONEITU_WAREHOUSE``) are
    used; when neither is set, the embedded defaults of ``make run`` apply (output ``out``,
    a SQLite warehouse inside it).
    """
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    overrides: dict[str, object] = {}
    wanted = {"landing": ("ONEITU_LANDING", LANDING_VARIABLE), "out": ("ONEITU_OUT", OUT_VARIABLE)}
    if not all(os.environ.get(env) for env, _ in wanted.values()):
        from airflow.sdk import Variable  # noqa: PLC0415

        for field, (env, variable) in wanted.items():
            if not os.environ.get(env) and (value := Variable.get(variable, default=None)):
                overrides[field] = value
    if not os.environ.get("ONEITU_DB_URL"):
        from airflow.sdk import BaseHook  # noqa: PLC0415
        from airflow.sdk.exceptions import AirflowNotFoundException  # noqa: PLC0415

        try:
            overrides["db_url"] = warehouse_url(BaseHook.get_connection(WAREHOUSE_CONN_ID))
        except AirflowNotFoundException:  # no connection: the embedded default
            pass
    return Settings.from_env(**overrides)


def years_to_ingest(param_year: int | None, today: dt.date) -> list[int]:
    """Years an ingestion run looks at: the given one, or last year and this year."""
    if param_year:
        return [int(param_year)]
    return [today.year - 1, today.year]


def ingestion_dag(source: str, doc_md: str):  # noqa: ANN201
    """Build the ingestion DAG ``oneitu_ingest_<source>`` (see the DAG files' docs)."""
    asset = SOURCE_ASSETS[source]

    @dag(
        dag_id=f"oneitu_ingest_{source}",
        schedule="*/30 * * * *",
        start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Zurich"),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        doc_md=doc_md,
        tags=["oneitu", "ingestion", source],
        params={"year": year_param("Financial year to ingest (default: last and this year)")},
    )
    def ingestion():
        @task
        def ingest(params=None, logical_date=None) -> list[int]:  # noqa: ANN001
            """Load the source's changed files; return the years where data changed."""
            from oneitu_etl.pipeline import ingest as ingest_stage  # noqa: PLC0415
            from oneitu_etl.resources import Resources  # noqa: PLC0415

            today = (logical_date or pendulum.now("UTC")).date()
            changed = []
            with Resources(settings()) as resources:  # one engine for the years
                for year in years_to_ingest(params.get("year"), today):
                    result = ingest_stage(resources, year, sources=frozenset({source}))
                    if result.changed:
                        changed.append(year)
            return changed

        @task.short_circuit
        def has_new_data(years: list[int]) -> bool:
            """Go on to announce the asset only when something was loaded."""
            return bool(years)

        @task(outlets=[asset])
        def announce(years: list[int], outlet_events=None) -> list[int]:  # noqa: ANN001
            """Emit the source's asset event, with the years loaded."""
            outlet_events[asset].extra = {"source": source, "years": years}
            return years

        years = ingest()
        has_new_data(years) >> announce(years)

    return ingestion()


def council_deadline(interval: dt.timedelta) -> DeadlineAlert | None:
    """The Deadline Alert of a report run: ``deadline_missed`` when not done ``interval``
    after the run was queued (a ``SyncCallback``, run by the executor like a task).

    Returns ``None`` inside ``airflow dags test`` (``make run``, the DAG tests): on Airflow
    3.3.2 a successful ``dags test`` run of a DAG with a deadline crashes after the run is
    marked successful (``'dict' object has no attribute 'hex'``, apache/airflow#73428, fix
    pending in apache/airflow#73430). The scheduler path is not affected.
    """
    if sys.argv[1:3] == ["dags", "test"]:
        return None
    hours = interval.total_seconds() / 3600
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=interval,
        callback=SyncCallback(deadline_missed, kwargs={"allowed": f"{hours:g} hours"}),
    )


def _year_of_conf(conf: dict) -> str:
    """The year a late run was asked for, or that it was not (the run works it out)."""
    if conf.get("year"):
        return f"year {conf['year']}"
    return "year not given: from its deliveries, or last year"


def deadline_missed(**kwargs) -> None:  # noqa: ANN003 - Airflow passes context and kwargs
    """Deadline Alert callback (``SyncCallback``, run by the executor): the report is late.

    The scheduler passes ``context={"dag_run": {...}, "deadline": {...}}`` (JSON-shaped
    dicts) plus the ``kwargs`` given to the ``SyncCallback``.
    """
    context = kwargs.get("context") or {}
    dag_run = context.get("dag_run") or {}
    deadline = context.get("deadline") or {}
    conf = dag_run.get("conf") or {}
    summary = (
        f"One ITU: run {dag_run.get('dag_run_id') or dag_run.get('run_id', '?')} of DAG "
        f"{dag_run.get('dag_id', '?')} ({_year_of_conf(conf)}) has not finished "
        f"within {kwargs.get('allowed', '?')} (deadline {deadline.get('deadline_time', '?')}); "
        "the report for the Council is late."
    )
    log.error("%s", summary)
    notify_by_email(f"[One ITU] {dag_run.get('dag_id', 'report')} missed its deadline", summary)

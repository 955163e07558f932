"""What every One ITU DAG shares: the assets, default arguments, settings and alerts.

Not a DAG file (listed in ``.airflowignore``); DAG files import it from the DAG folder.
Kept light: only ``airflow.sdk`` and the standard library at module level.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

import pendulum
from airflow.sdk import Asset, Param, dag, task

log = logging.getLogger("oneitu.dags")

#: One asset per source of the contract; an event's ``extra`` carries the year loaded.
FINANCE = Asset("oneitu://landing/finance", group="oneitu", extra={"source": "finance"})
SECTORS = Asset("oneitu://landing/sectors", group="oneitu", extra={"source": "sectors"})
PLANNING = Asset("oneitu://landing/planning", group="oneitu", extra={"source": "planning"})
SOURCE_ASSETS = {"finance": FINANCE, "sectors": SECTORS, "planning": PLANNING}

#: Connection and variable names a deployment can set instead of ONEITU_* variables.
WAREHOUSE_CONN_ID = "oneitu_warehouse"
LANDING_VARIABLE = "oneitu_landing"
OUT_VARIABLE = "oneitu_out"
ALERT_EMAIL_VARIABLE = "oneitu_alert_email"


def failure_summary(context) -> None:  # noqa: ANN001 - Airflow's context mapping
    """``on_failure_callback``: log one paragraph, and email it when SMTP is configured."""
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    params = context.get("params") or {}
    exc = context.get("exception")
    summary = (
        f"One ITU: task {getattr(ti, 'task_id', '?')} of DAG {getattr(ti, 'dag_id', '?')} failed "
        f"(run {getattr(dag_run, 'run_id', '?')}, try {getattr(ti, 'try_number', '?')}, "
        f"year {params.get('year', 'default')}): {exc}. The previously published report "
        "stays in place; see the task log and report_<year>.json for the errors."
    )
    log.error("%s", summary)
    try:
        from airflow.sdk import BaseHook, Variable  # noqa: PLC0415

        address = Variable.get(ALERT_EMAIL_VARIABLE, default=None)
        if not address:
            return
        BaseHook.get_connection("smtp_default")
        from airflow.providers.smtp.hooks.smtp import SmtpHook  # noqa: PLC0415

        with SmtpHook(smtp_conn_id="smtp_default") as hook:
            hook.send_email_smtp(
                to=address,
                subject=f"[One ITU] {getattr(ti, 'dag_id', '')} failed",
                html_content=f"<p>{summary}</p>",
            )
    except Exception as err:  # noqa: BLE001 - an alert must never mask the failure
        log.warning("failure e-mail not sent: %s", err)


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


def settings():  # noqa: ANN201 - oneitu_etl.settings.Settings, imported lazily
    """The pipeline's settings, from ``ONEITU_*`` variables or Airflow's configuration.

    ``ONEITU_LANDING`` / ``ONEITU_OUT`` / ``ONEITU_DB_URL`` win; otherwise the Airflow
    variables ``oneitu_landing`` and ``oneitu_out`` and the connection
    ``oneitu_warehouse`` (e.g. ``AIRFLOW_CONN_ONEITU_WAREHOUSE``) are used.
    """
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    overrides: dict[str, object] = {}
    if not os.environ.get("ONEITU_LANDING") or not os.environ.get("ONEITU_OUT"):
        from airflow.sdk import Variable  # noqa: PLC0415

        if not os.environ.get("ONEITU_LANDING"):
            overrides["landing"] = Variable.get(LANDING_VARIABLE)
        if not os.environ.get("ONEITU_OUT"):
            overrides["out"] = Variable.get(OUT_VARIABLE)
    if not os.environ.get("ONEITU_DB_URL"):
        try:
            from airflow.sdk import BaseHook  # noqa: PLC0415

            conn = BaseHook.get_connection(WAREHOUSE_CONN_ID)
            overrides["db_url"] = conn.get_uri().replace("postgres://", "postgresql+psycopg://", 1)
        except Exception:  # noqa: BLE001 - no connection: the embedded default
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

            today = (logical_date or pendulum.now("UTC")).date()
            changed = []
            for year in years_to_ingest(params.get("year"), today):
                result = ingest_stage(settings(), year, sources=frozenset({source}))
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


def deadline_missed(**kwargs) -> None:  # noqa: ANN003 - Airflow passes context and kwargs
    """Deadline Alert callback: the report for the Council is late."""
    context = kwargs.get("context") or {}
    dag_run = context.get("dag_run") if isinstance(context, dict) else None
    log.error(
        "One ITU: the annual report run %s has not finished within %s; the Council "
        "deadline is at risk",
        getattr(dag_run, "run_id", "?"),
        kwargs.get("allowed", "?"),
    )

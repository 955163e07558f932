"""# One ITU annual report (Airflow DAG)

Builds the **Strategic Plan implementation report** for one financial year, aligned
with the financial statements: it ingests whatever changed in the landing zone,
validates it, computes the figures from the warehouse marts and publishes
`strategic_plan_report_<Y>_en/_fr.html`, the PDFs, `annex_<Y>.xlsx` and `report_<Y>.json`.

**Schedule**: whenever an ingestion DAG announces new data (assets
`oneitu://landing/finance`, `…/sectors`, `…/planning`, and since contract version 2
`…/narratives` and `…/gs_services`), and yearly on 31 January as a fallback. **Params**: `year` (default: the year of the triggering deliveries, or the
previous calendar year). To rebuild several years, trigger one run per year, e.g.
`for y in 2022 2023 2024; do airflow dags trigger oneitu_annual_report -c "{\"year\": $y}"; done`.

A **blocked** year (errors in the financial statements, a failed reconciliation rule,
no statements) writes `report_<Y>.json` with `status: "blocked"` and its errors, keeps
the previously published reports, and fails the `publish` task so the run shows red.

**Alerts**: a failed task logs a one-paragraph summary; a **Deadline Alert** fires when a
run has not finished 6 hours after it was queued. Both are e-mailed to the variable
`oneitu_alert_email` when the connection `smtp_default` exists. Two runs never interleave
(`max_active_runs=1`); tasks touching the warehouse or the landing zone retry with
exponential backoff.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from oneitu_common import (
    DEFAULT_ARGS,
    FINANCE,
    GS_SERVICES,
    NARRATIVES,
    PLANNING,
    SECTORS,
    council_deadline,
    settings,
    year_param,
)

COUNCIL_DEADLINE = dt.timedelta(hours=6)


@dag(
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 31 1 *", timezone="Europe/Zurich"),
        assets=(FINANCE | SECTORS | PLANNING | NARRATIVES | GS_SERVICES),
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Zurich"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["oneitu", "report"],
    params={"year": year_param("Financial year to build (default: from the deliveries)")},
    deadline=council_deadline(COUNCIL_DEADLINE),
)
def oneitu_annual_report():
    @task
    def resolve_year(params=None, triggering_asset_events=None, logical_date=None) -> int:  # noqa: ANN001
        """The year to build: the param, else the latest year announced, else last year."""
        if params and params.get("year"):
            return int(params["year"])
        years = [
            int(y)
            for events in (triggering_asset_events or {}).values()
            for event in events
            for y in (event.extra or {}).get("years", [])
        ]
        if years:
            return max(years)
        return (logical_date or pendulum.now("UTC")).year - 1

    @task
    def ingest(year: int) -> dict[str, int]:
        """Load every source's changed deliveries for the year."""
        from oneitu_etl.pipeline import ingest as ingest_stage  # noqa: PLC0415

        result = ingest_stage(settings(), year)
        return {
            "year": year,
            "groups_loaded": sum(not g.skipped for g in result.groups),
            "rows_loaded": sum(g.rows_loaded for g in result.groups),
            "rows_quarantined": sum(g.rows_quarantined for g in result.groups),
            "blocking_issues": len(result.blocking),
        }

    @task
    def validate(summary: dict[str, int]) -> dict[str, int]:
        """Run the expectation suites on the year's current data."""
        from oneitu_etl.pipeline import validate as validate_stage  # noqa: PLC0415

        return validate_stage(settings(), summary["year"])

    @task
    def build_report_data(summary: dict[str, int], checks: dict[str, int]) -> str:
        """Compute the figures from the marts (or the blocking errors); stage the JSON.

        ``checks`` (stage 2's counts) orders this task after validation.
        """
        from oneitu_etl.pipeline import build_report_data as build  # noqa: PLC0415

        path = build(settings(), summary["year"], generated_on=dt.date.today())
        return str(path)

    @task
    def publish(year: int, staged: str) -> list[str]:
        """Render and publish the reports; fail the run when the year is blocked."""
        from airflow.sdk.exceptions import AirflowFailException  # noqa: PLC0415

        from oneitu_etl.pipeline import publish as publish_stage  # noqa: PLC0415

        result = publish_stage(settings(), year)
        if result.status != "published":
            lines = "\n".join(issue.line() for issue in result.errors)
            raise AirflowFailException(f"{year} is blocked; nothing published:\n{lines}")
        return [str(p) for p in result.published]

    year = resolve_year()
    summary = ingest(year)
    staged = build_report_data(summary, validate(summary))
    publish(year, staged)


oneitu_annual_report()

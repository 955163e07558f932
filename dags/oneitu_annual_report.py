"""# One ITU annual report (Airflow DAG)

Builds the **Strategic Plan implementation report** for one financial year, aligned
with the financial statements: it ingests whatever changed in the landing zone,
validates it, computes the figures from the warehouse marts and publishes, in the
Union's six languages (`ar`, `en`, `es`, `fr`, `ru`, `zh`),
`strategic_plan_report_<Y>_<lang>.html`, the PDFs, `annex_<Y>[_<lang>].xlsx` and
`report_<Y>.json`. Each language is rendered by its own **mapped task** (`render`), so
Celery workers share them; `publish` then puts every file in place with the JSON.

**Schedule**: whenever an ingestion DAG announces new data (assets
`oneitu://landing/finance`, `…/sectors`, `…/planning`, and since contract version 2
`…/narratives` and `…/gs_services`), and yearly on 31 January as a fallback (for the
previous year; **skipped**, not failed, while that year's financial statements are not in
the landing zone). **Params**: `year` (default: the year of the triggering deliveries, or
the previous calendar year), `languages` (`en,fr`; default all six). To rebuild several
years, trigger one run per year, e.g.
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
from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

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
    params={
        "year": year_param("Financial year to build (default: from the deliveries)"),
        "languages": Param(
            None,
            type=["null", "string"],
            description="Languages to publish, comma-separated (ar,en,es,fr,ru,zh); "
            "default: all six",
        ),
    },
    deadline=council_deadline(COUNCIL_DEADLINE),
)
def oneitu_annual_report():
    @task
    def resolve_year(
        params=None,  # noqa: ANN001
        triggering_asset_events=None,  # noqa: ANN001
        logical_date=None,  # noqa: ANN001
        dag_run=None,  # noqa: ANN001
    ) -> int:
        """The year to build: the param, else the latest year announced, else last year.

        The yearly fallback (a scheduled run) skips a year whose statements are not in the
        landing zone: nothing to build yet, so no red run, no retries, no alert.
        """
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
        year = (logical_date or pendulum.now("UTC")).year - 1
        if getattr(dag_run, "run_type", None) == "scheduled":
            from oneitu_etl.pipeline import has_statements  # noqa: PLC0415
            from oneitu_etl.resources import Resources  # noqa: PLC0415

            with Resources(settings()) as resources:
                found = has_statements(resources, year)
            if not found:
                from airflow.sdk.exceptions import AirflowSkipException  # noqa: PLC0415

                raise AirflowSkipException(
                    f"Scheduled run skipped: no financial statements for {year} in the landing "
                    "zone yet, so there is no report to build. The report is built when they "
                    "are delivered; to rebuild another year, trigger the DAG with that year."
                )
        return year

    @task
    def ingest(year: int) -> dict[str, int]:
        """Load every source's changed deliveries for the year."""
        from oneitu_etl.pipeline import ingest as ingest_stage  # noqa: PLC0415
        from oneitu_etl.resources import Resources  # noqa: PLC0415

        with Resources(settings()) as resources:
            result = ingest_stage(resources, year)
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
        from oneitu_etl.resources import Resources  # noqa: PLC0415

        with Resources(settings()) as resources:
            return validate_stage(resources, summary["year"])

    @task
    def build_report_data(summary: dict[str, int], checks: dict[str, int]) -> str:
        """Compute the figures from the marts (or the blocking errors); stage the JSON.

        ``checks`` (stage 2's counts) orders this task after validation.
        """
        from oneitu_etl.pipeline import build_report_data as build  # noqa: PLC0415
        from oneitu_etl.resources import Resources  # noqa: PLC0415

        with Resources(settings()) as resources:
            path = build(resources, summary["year"], generated_on=dt.date.today())
        return str(path)

    @task
    def languages(params=None) -> list[str]:  # noqa: ANN001
        """The languages to publish: the ``languages`` param (``en,fr``), else all six."""
        from oneitu_etl.settings import parse_languages  # noqa: PLC0415

        chosen = (params or {}).get("languages")
        return list(parse_languages(chosen) if chosen else settings().languages)

    @task(max_active_tis_per_dagrun=6)
    def render(year: int, staged: str, lang: str) -> list[str]:
        """Render one language's HTML, PDF and workbook (a mapped task: one per language)."""
        from oneitu_etl.pipeline import render_language  # noqa: PLC0415

        return render_language(settings(), year, lang)

    @task
    def publish(year: int, staged: str, rendered: list[list[str]], langs: list[str]) -> list[str]:
        """Put every language's files and the JSON in place; fail when the year is blocked."""
        from airflow.sdk.exceptions import AirflowFailException  # noqa: PLC0415

        from oneitu_etl.pipeline import publish as publish_stage  # noqa: PLC0415
        from oneitu_etl.resources import Resources  # noqa: PLC0415

        with Resources(settings().with_(languages=tuple(langs))) as resources:
            result = publish_stage(resources, year, rendered=True)
        if result.status != "published":
            lines = "\n".join(issue.line() for issue in result.errors)
            raise AirflowFailException(f"{year} is blocked; nothing published:\n{lines}")
        return [str(p) for p in result.published]

    year = resolve_year()
    summary = ingest(year)
    staged = build_report_data(summary, validate(summary))
    langs = languages()
    rendered = render.partial(year=year, staged=staged).expand(lang=langs)
    publish(year, staged, rendered, langs)


oneitu_annual_report()

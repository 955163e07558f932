"""The operator's day on a real ``airflow standalone`` (what ``make up`` runs), in Chromium.

The year was built once on the command line (timed: the whole job). Then, in one browser
window: sign in to Airflow, open the delivery page from Airflow's menu (Airflow shows it in
an iframe), deliver a corrected workbook, see the asset-triggered run of the report DAG
succeed, open the refreshed report and its Data Docs from the status page, and the run in
Airflow: each in the top window, never a new tab. Unpausing the report DAG first starts its
yearly fallback run for last year, which has no statements: it must end skipped, not red.

The timings (upload to refreshed report, with each stage's share, and the command line's
whole job) go to ``test-artifacts/journey/timings.json``; ``docs/performance.md`` quotes
them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import openpyxl
import pytest
from airflow_cluster import free_port
from tests_support import REPO, airflow_env, read_until, require

from oneitu_etl.demo import generate_landing

pytestmark = [
    pytest.mark.integration,
    pytest.mark.airflow,
    pytest.mark.browser,
    pytest.mark.timeout(1800),
]

CHROMIUM = Path("/usr/bin/chromium")
YEAR = 2024
DAG_ID = "oneitu_annual_report"
TASKS = ("resolve_year", "ingest", "validate", "build_report_data", "publish")


def _revenue(workbook: Path) -> float:
    """Total revenue of a statements workbook, read with openpyxl (not the pipeline)."""
    rows = list(openpyxl.load_workbook(workbook, data_only=True)["performance"].values)
    header = rows[0]
    lines = [dict(zip(header, r, strict=False)) for r in rows[1:]]
    return round(sum(r["amount_chf"] for r in lines if r["line_type"] == "revenue"), 2)


def _when(text: str) -> float:
    """A timestamp of Airflow's REST API as seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Api:
    """Airflow's REST API as the signed-in user."""

    def __init__(self, url: str, user: str, password: str) -> None:
        token = httpx.post(f"{url}/auth/token", json={"username": user, "password": password})
        token.raise_for_status()
        self.client = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=30,
        )

    def runs(self, run_type: str) -> list[dict]:
        answer = self.client.get(f"/api/v2/dags/{DAG_ID}/dagRuns", params={"run_type": run_type})
        return answer.raise_for_status().json()["dag_runs"]

    def finished_run(self, run_type: str, timeout: float) -> dict:
        """The first run of ``run_type`` once it has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [r for r in self.runs(run_type) if r["state"] in ("success", "failed")]
            if done:
                return done[0]
            time.sleep(2)
        raise AssertionError(f"no {run_type} run of {DAG_ID} finished: {self.runs(run_type)}")

    def log(self, run_id: str, task_id: str) -> list[dict]:
        """The events of a task's first try's log (``event``, ``logger``, ``level``...)."""
        answer = self.client.get(
            f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{task_id}/logs/1",
            params={"full_content": True},
            headers={"Accept": "application/json"},
        )
        return [e for e in answer.raise_for_status().json()["content"] if isinstance(e, dict)]

    def tasks(self, run_id: str) -> dict[str, dict]:
        answer = self.client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")
        return {t["task_id"]: t for t in answer.raise_for_status().json()["task_instances"]}


def test_upload_to_refreshed_report_in_one_window(  # noqa: PLR0915 - one journey, in order
    tmp_path: Path, artifacts_dir: Path
) -> None:  # noqa: ANN001
    require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    require(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    shots = artifacts_dir / "journey"
    shots.mkdir(exist_ok=True)
    landing, out, home, port = tmp_path / "landing", tmp_path / "out", tmp_path / "af", free_port()
    generate_landing(landing, [YEAR])

    # the command line's whole job for the year: the report the upload will refresh
    started = time.monotonic()
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "oneitu"), "run", "--landing", str(landing)]
        + ["--year", str(YEAR), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    cli_seconds = time.monotonic() - started
    assert cli.returncode == 0, (cli.stdout + cli.stderr)[-3000:]
    report_json = out / str(YEAR) / f"report_{YEAR}.json"
    report_en = out / str(YEAR) / f"strategic_plan_report_{YEAR}_en.html"
    first_html = report_en.read_text(encoding="utf-8")

    corrected = tmp_path / "financial_statements (corrected).xlsx"
    generate_landing(tmp_path / "corrected", [YEAR], seed=7)
    shutil.copy(tmp_path / "corrected" / str(YEAR) / "financial_statements.xlsx", corrected)
    assert _revenue(corrected) != _revenue(landing / str(YEAR) / "financial_statements.xlsx")

    env = airflow_env(
        home,
        ONEITU_LANDING=str(landing),
        ONEITU_OUT=str(out),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
    )
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "airflow_up.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    ok = False
    try:
        banner = read_until(proc, "Press Ctrl-C to stop.", timeout=400)
        assert "Airflow is ready" in banner, banner
        user = re.search(r"login:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        password = re.search(r"password:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        api = Api(url, user, password)

        # unpausing starts the yearly fallback for last year: skipped, not red
        api.client.patch(f"/api/v2/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
        fallback = api.finished_run("scheduled", timeout=240)
        assert fallback["state"] == "success", fallback
        fallback_tasks = api.tasks(fallback["dag_run_id"])
        assert {t: fallback_tasks[t]["state"] for t in TASKS} == dict.fromkeys(TASKS, "skipped")
        assert fallback_tasks["resolve_year"]["try_number"] == 1  # no retry

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)

            # sign in to Airflow, then its menu's delivery page (in Airflow's iframe)
            page.goto(f"{url}/oneitu")
            page.wait_for_url("**/auth/login**")
            page.get_by_label("Username").fill(user)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{url}/oneitu/")
            page.goto(f"{url}/plugin/oneitu-delivery")
            frame = page.frame_locator("iframe[title='Data delivery']")

            frame.locator("select#year").select_option(str(YEAR))
            frame.locator("input[type=file]").set_input_files(str(corrected))
            frame.locator("select#lang").select_option("en")
            clicked = time.time()
            frame.locator("button[type=submit]").click()
            outcome = frame.locator("#outcome")
            outcome.wait_for()
            answered = time.time()
            assert outcome.get_attribute("data-outcome") == "delivered", outcome.inner_text()
            assert f"The report for {YEAR} has been requested" in outcome.inner_text()
            page.screenshot(path=str(shots / "1-delivered.png"), full_page=True)

            # the asset event triggers the report DAG; the run succeeds
            run = api.finished_run("asset_triggered", timeout=600)
            assert run["state"] == "success", api.tasks(run["dag_run_id"])
            # its task logs bring the news, not the libraries' INFO lines
            validate_log = api.log(run["dag_run_id"], "validate")
            publish_log = api.log(run["dag_run_id"], "publish")
            ours = [e for e in validate_log if str(e.get("logger", "")).startswith("oneitu")]
            assert ours and ours[0]["event"].startswith(f"validation {YEAR}: "), validate_log
            for event in validate_log + publish_log:
                assert not str(event.get("logger", "")).startswith(
                    ("great_expectations", "weasyprint", "fontTools")
                ), event
            report = json.loads(report_json.read_text(encoding="utf-8"))
            assert report["status"] == "published"
            assert report["totals"]["revenue"] == pytest.approx(_revenue(corrected), abs=0.01)

            # the status page: the run, the delivery and who made it
            frame.get_by_role("link", name="Deliveries and report").first.click()
            frame.locator("#report-run").wait_for()
            assert frame.locator("#report-run").get_attribute("data-state") == "success"
            rows = frame.locator("#deliveries tbody tr")
            workbook_rows = [
                [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
                for i in range(rows.count())
                if "financial_statements.xlsx" in rows.nth(i).inner_text()
            ]
            assert [(r[1], r[6]) for r in workbook_rows] == [
                (user, "current"),  # the upload's delivery: its uploader
                ("—", "superseded"),  # loaded by the command line: nobody uploaded it
            ]
            page.screenshot(path=str(shots / "2-status.png"), full_page=True)

            # the refreshed report, in the top window
            frame.get_by_role("link", name=report_en.name).click()
            page.wait_for_url(f"**/oneitu/reports/{YEAR}/{report_en.name}")
            assert len(page.context.pages) == 1
            assert report_en.read_text(encoding="utf-8") != first_html  # rebuilt
            page.screenshot(path=str(shots / "3-report.png"))

            # its Data Docs, by the report's own relative link
            page.locator('a[href="data_docs/index.html"]').click()
            page.wait_for_url(f"**/oneitu/reports/{YEAR}/data_docs/index.html")
            assert page.locator("#oneitu-suites").count() == 1
            page.screenshot(path=str(shots / "4-data-docs.png"))

            # and from the status page, and the run in Airflow
            page.go_back()
            page.go_back()
            page.wait_for_url("**/plugin/oneitu-delivery**")
            frame = page.frame_locator("iframe[title='Data delivery']")
            frame.locator("#data-docs").click()
            page.wait_for_url(f"**/oneitu/reports/{YEAR}/data_docs/index.html")
            page.go_back()
            page.wait_for_url("**/plugin/oneitu-delivery**")
            frame = page.frame_locator("iframe[title='Data delivery']")
            frame.locator("#report-run a").click()
            page.wait_for_url(f"**/dags/{DAG_ID}/runs/**")
            assert page.locator("iframe").count() == 0
            assert len(page.context.pages) == 1
            page.screenshot(path=str(shots / "5-run-in-airflow.png"))
            browser.close()

        tasks = api.tasks(run["dag_run_id"])
        stages = {t: round(tasks[t]["duration"], 1) for t in TASKS}
        total = _when(run["end_date"]) - clicked
        timings = {
            "year": YEAR,
            "command_line_whole_job_s": round(cli_seconds, 1),
            "upload_to_refreshed_report_s": round(total, 1),
            "upload_checked_s": round(answered - clicked, 1),
            "until_run_starts_s": round(_when(run["start_date"]) - answered, 1),
            "tasks_s": stages,
            "between_tasks_s": round(
                _when(run["end_date"]) - _when(run["start_date"]) - sum(stages.values()), 1
            ),
        }
        (shots / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
        print(json.dumps(timings, indent=2))

        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=180) == 0
        ok = True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=180)
        if not ok and (home / "standalone.log").exists():
            dest = artifacts_dir / f"journey-{time.strftime('%Y%m%d-%H%M%S')}"
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(home / "standalone.log", dest / "standalone.log")
            logs = home / "logs"
            if logs.is_dir():
                shutil.copytree(logs, dest / "logs", dirs_exist_ok=True)

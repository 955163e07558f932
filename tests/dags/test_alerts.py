"""Failure and deadline alerts: one summary paragraph in the log, an e-mail when configured."""

from __future__ import annotations

import datetime as dt
import email
import json
import logging
import socketserver
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from tests_support import AIRFLOW, DAGS, airflow_env

if str(DAGS) not in sys.path:
    sys.path.insert(0, str(DAGS))

import oneitu_common  # noqa: E402

SUMMARY = (
    "One ITU: task publish of DAG oneitu_annual_report failed "
    "(run manual__2025-02-01T06:00:00+00:00, try 4, year 2024): 2024 is blocked; nothing "
    "published: finance/2024.xlsx:3:amount: -1200.50 is negative. The previously published "
    "report stays in place; see the task log and report_<year>.json for the errors."
)


def _failure_context() -> dict[str, object]:
    return {
        "task_instance": SimpleNamespace(
            task_id="publish", dag_id="oneitu_annual_report", try_number=4
        ),
        "dag_run": SimpleNamespace(run_id="manual__2025-02-01T06:00:00+00:00"),
        "params": {"year": 2024},
        "exception": ValueError(
            "2024 is blocked; nothing published:\n  finance/2024.xlsx:3:amount: -1200.50 is negative"
        ),
    }


class _SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive one message: every command is accepted."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink ready\r\n")
        lines: list[str] | None = None
        for raw in self.rfile:
            line = raw.decode("utf-8").rstrip("\r\n")
            if lines is not None:  # inside DATA
                if line == ".":
                    self.server.messages.append("\r\n".join(lines))  # type: ignore[attr-defined]
                    lines = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith("..") else line)
                continue
            verb = line[:4].upper()
            if verb == "DATA":
                lines = []
                self.wfile.write(b"354 end with .\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_sink() -> Iterator[socketserver.TCPServer]:
    """A local SMTP server on a free port; received messages in ``.messages``."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSink)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_alert_config(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("AIRFLOW_VAR_ONEITU_ALERT_EMAIL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    return monkeypatch


def _smtp_connection(port: int) -> str:
    return json.dumps(
        {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "extra": {"disable_tls": True, "disable_ssl": True, "from_email": "airflow@itu.test"},
        }
    )


def test_failure_callback_logs_one_paragraph(
    no_alert_config: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="oneitu.dags"):
        oneitu_common.failure_summary(_failure_context())
    records = [r for r in caplog.records if r.name == "oneitu.dags"]
    assert [(r.levelname, r.getMessage()) for r in records] == [("ERROR", SUMMARY)]


class _Ti(SimpleNamespace):
    """A task instance whose ``xcom_pull`` answers from ``xcoms`` (task id to value)."""

    def xcom_pull(self, task_ids: str) -> object:
        if task_ids not in self.xcoms:
            raise KeyError(task_ids)
        return self.xcoms[task_ids]


@pytest.mark.parametrize(
    ("dag_id", "params", "xcoms", "expected"),
    [
        pytest.param("oneitu_annual_report", {"year": 2023}, {}, "year 2023", id="param"),
        pytest.param(
            "oneitu_annual_report",
            {"year": None},
            {"resolve_year": 2024},
            "year 2024",
            id="asset-triggered-run-resolved",
        ),
        pytest.param(
            "oneitu_annual_report",
            {},
            {"resolve_year": None},
            "year not resolved",
            id="failed-before-resolving",
        ),
        pytest.param("oneitu_ingest_finance", {}, {}, "years 2025 and 2026", id="ingestion"),
    ],
)
def test_the_alert_names_the_year_the_run_works_on(
    no_alert_config: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    dag_id: str,
    params: dict,
    xcoms: dict,
    expected: str,
) -> None:
    context = {
        **_failure_context(),
        "task_instance": _Ti(task_id="publish", dag_id=dag_id, try_number=1, xcoms=xcoms),
        "params": params,
        "logical_date": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    }
    with caplog.at_level(logging.INFO, logger="oneitu.dags"):
        oneitu_common.failure_summary(context)
    [record] = [r for r in caplog.records if r.name == "oneitu.dags"]
    assert f", try 1, {expected}): " in record.getMessage()
    assert "default" not in record.getMessage()


def test_failure_callback_emails_the_summary_when_smtp_is_configured(
    no_alert_config: pytest.MonkeyPatch, smtp_sink: socketserver.TCPServer
) -> None:
    no_alert_config.setenv("AIRFLOW_VAR_ONEITU_ALERT_EMAIL", "data-engineering@itu.test")
    no_alert_config.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT", _smtp_connection(smtp_sink.server_address[1])
    )

    oneitu_common.failure_summary(_failure_context())

    [raw] = smtp_sink.messages  # type: ignore[attr-defined]
    message = email.message_from_string(raw)
    assert message["To"] == "data-engineering@itu.test"
    assert message["From"] == "airflow@itu.test"
    assert message["Subject"] == "[One ITU] oneitu_annual_report failed"
    [body] = [p for p in message.walk() if p.get_content_type() == "text/html"]
    assert body.get_payload(decode=True).decode("utf-8") == f"<p>{SUMMARY}</p>"


def test_no_email_without_the_alert_address(
    no_alert_config: pytest.MonkeyPatch, smtp_sink: socketserver.TCPServer
) -> None:
    no_alert_config.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT", _smtp_connection(smtp_sink.server_address[1])
    )
    assert oneitu_common.notify_by_email("subject", "summary") is False
    assert smtp_sink.messages == []  # type: ignore[attr-defined]


def test_an_unreachable_mail_server_never_raises(
    no_alert_config: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    no_alert_config.setenv("AIRFLOW_VAR_ONEITU_ALERT_EMAIL", "data-engineering@itu.test")
    no_alert_config.setenv("AIRFLOW_CONN_SMTP_DEFAULT", _smtp_connection(1))  # nothing listens
    with caplog.at_level(logging.WARNING, logger="oneitu.dags"):
        assert oneitu_common.notify_by_email("subject", "summary") is False
    assert any("alert e-mail not sent" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("conf", "year"),
    [
        pytest.param({"year": 2024}, "year 2024", id="year-given"),
        pytest.param({}, "year not given: from its deliveries, or last year", id="no-year"),
    ],
)
def test_deadline_callback_reads_the_context_the_scheduler_sends(
    no_alert_config: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, conf: dict, year: str
) -> None:
    # the shape of airflow.models.deadline.Deadline.handle_miss: JSON dicts, not objects
    context = {
        "dag_run": {
            "dag_run_id": "manual__2025-02-01T06:00:00+00:00",
            "dag_id": "oneitu_annual_report",
            "conf": conf,
        },
        "deadline": {"id": "0b8f", "deadline_time": "2025-02-01T12:00:00+00:00"},
    }
    with caplog.at_level(logging.INFO, logger="oneitu.dags"):
        oneitu_common.deadline_missed(context=context, allowed="6 hours")
    assert [r.getMessage() for r in caplog.records if r.name == "oneitu.dags"] == [
        f"One ITU: run manual__2025-02-01T06:00:00+00:00 of DAG oneitu_annual_report ({year}) "
        "has not finished within 6 hours (deadline 2025-02-01T12:00:00+00:00); the report for "
        "the Council is late."
    ]


FAILING_DAG = '''
"""A DAG with the project's default arguments whose one task fails."""
import pendulum
from airflow.sdk import dag, task
from oneitu_common import DEFAULT_ARGS, year_param


@dag(
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    schedule=None,
    default_args={**DEFAULT_ARGS, "retries": 0},
    params={"year": year_param("year")},
)
def oneitu_failing():
    @task
    def load():
        raise ValueError("warehouse unreachable:\\n  connection refused")

    load()


oneitu_failing()
'''

#: The same failure after a ``resolve_year`` task, run without a year (as an asset-triggered
#: run is): the alert names the resolved year, read from its XCom by the callback.
FAILING_AFTER_RESOLVE_DAG = FAILING_DAG.replace(
    "    load()",
    "    @task\n    def resolve_year():\n        return 2024\n\n    resolve_year() >> load()",
)


@pytest.mark.airflow
@pytest.mark.parametrize(
    ("dag", "conf"),
    [
        pytest.param(FAILING_DAG, '{"year": 2024}', id="year-given"),
        pytest.param(FAILING_AFTER_RESOLVE_DAG, "{}", id="year-resolved"),
    ],
)
def test_a_failed_task_logs_the_summary_through_airflow(
    tmp_path: Path, dag: str, conf: str
) -> None:
    dags, home = tmp_path / "dags", tmp_path / "home"
    dags.mkdir()
    home.mkdir()
    (dags / "oneitu_failing.py").write_text(textwrap.dedent(dag), encoding="utf-8")
    env = airflow_env(home, AIRFLOW__CORE__DAGS_FOLDER=str(dags), PYTHONPATH=str(DAGS))
    env.pop("AIRFLOW_VAR_ONEITU_ALERT_EMAIL", None)
    migrate = subprocess.run(
        [str(AIRFLOW), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    done = subprocess.run(
        [str(AIRFLOW), "dags", "test", "oneitu_failing", "-c", conf],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "One ITU: task" in line]
    assert len(lines) == 1, done.stdout[-3000:]
    assert (
        "One ITU: task load of DAG oneitu_failing failed (run manual__" in lines[0]
        and ", try 1, year 2024): warehouse unreachable: connection refused. The previously "
        "published report stays in place"
        in lines[0]
    )


def test_report_dag_has_the_council_deadline(dagbag) -> None:  # noqa: ANN001
    deadline = dagbag.dags["oneitu_annual_report"].deadline
    [alert] = deadline if isinstance(deadline, list) else [deadline]
    assert alert.interval == dt.timedelta(hours=6)
    assert type(alert.reference).__name__ == "DagRunQueuedAtDeadline"
    assert type(alert.callback).__name__ == "SyncCallback"
    assert alert.callback.path == "oneitu_common.deadline_missed"
    assert alert.callback.kwargs == {"allowed": "6 hours"}


def test_no_deadline_inside_airflow_dags_test(monkeypatch: pytest.MonkeyPatch) -> None:
    # apache/airflow#73428: `airflow dags test` crashes on success for a DAG with a deadline
    monkeypatch.setattr(sys, "argv", ["airflow", "dags", "test", "oneitu_annual_report"])
    assert oneitu_common.council_deadline(dt.timedelta(hours=6)) is None
    monkeypatch.setattr(sys, "argv", ["airflow", "dag-processor"])
    assert oneitu_common.council_deadline(dt.timedelta(hours=6)) is not None


@pytest.mark.airflow
def test_the_deadline_is_serialised_for_the_scheduler(airflow_home: Path) -> None:
    done = subprocess.run(
        [str(AIRFLOW), "dags", "reserialize"],
        env=airflow_env(airflow_home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "[error" not in done.stdout + done.stderr, (done.stdout + done.stderr)[-3000:]
    with sqlite3.connect(airflow_home / "airflow.db") as db:
        rows = db.execute(
            "SELECT a.reference, a.interval, a.callback_def FROM deadline_alert AS a"
            " JOIN serialized_dag AS s ON s.id = a.serialized_dag_id"
            " WHERE s.dag_id = 'oneitu_annual_report'"
        ).fetchall()
    assert rows, "no deadline_alert row for oneitu_annual_report"
    reference, interval, callback = (json.loads(v) for v in rows[-1])
    assert reference == {"reference_type": "DagRunQueuedAtDeadline"}
    assert interval["__data__"] == 6 * 3600
    assert callback["__data__"]["path"] == "oneitu_common.deadline_missed"

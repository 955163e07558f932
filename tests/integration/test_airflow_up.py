"""``make up`` (``scripts/airflow_up.py``): the UI comes up with the DAGs and their docs,
prints a login that works, and one Ctrl-C stops every Airflow process."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from airflow_cluster import free_port
from tests_support import REPO, airflow_env, read_until

from oneitu_etl.demo import generate_landing

pytestmark = [pytest.mark.integration, pytest.mark.airflow, pytest.mark.timeout(600)]


def _script():  # noqa: ANN202 - the module scripts/airflow_up.py
    spec = importlib.util.spec_from_file_location("airflow_up", REPO / "scripts" / "airflow_up.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture
def stop_signals() -> object:
    """The script with its signal handlers installed, as ``python scripts/airflow_up.py``;
    this process's handlers are restored afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    script = _script()
    script.stop_on_signals()
    yield script
    for sig, handler in saved.items():
        signal.signal(sig, handler)


class _FakeStandalone:
    """Stands for ``airflow standalone``: ``interrupt`` names the step where Ctrl-C lands."""

    def __init__(self, interrupt: str) -> None:
        self.interrupt, self.stopped = interrupt, 0
        self.log_path = Path("standalone.log")

    def _maybe(self, step: str) -> None:
        if self.interrupt == step:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler runs here

    def start(self) -> None:
        self._maybe("start")

    def wait_healthy(self, deadline: float) -> None:
        self._maybe("wait")

    def login(self, deadline: float) -> tuple[str, str]:
        raise AssertionError("not reached")

    def stop(self) -> None:
        self.stopped += 1
        # while stopping: another Ctrl-C and a `kill` from an impatient user
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)


@pytest.mark.parametrize("interrupt", ["start", "wait"])
def test_ctrl_c_at_any_moment_stops_airflow_without_a_traceback(
    stop_signals,
    monkeypatch: pytest.MonkeyPatch,
    interrupt: str,  # noqa: ANN001
) -> None:
    fake = _FakeStandalone(interrupt)
    monkeypatch.setattr(stop_signals, "Standalone", lambda home, port: fake)
    monkeypatch.setattr(stop_signals, "port_in_use", lambda port: False)
    assert stop_signals.main(["--port", "1"]) == 0  # raises KeyboardInterrupt if not clean
    assert fake.stopped == 1


def test_make_up_serves_the_dags_and_stops_on_ctrl_c(tmp_path: Path, artifacts_dir: Path) -> None:
    home, port = tmp_path / "airflow", free_port()
    generate_landing(tmp_path / "landing", [2024])
    env = airflow_env(
        home,
        ONEITU_LANDING=str(tmp_path / "landing"),
        ONEITU_OUT=str(tmp_path / "out"),
        # a make up running beside the test must not take the log servers' ports
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
    ok = False
    try:
        banner = read_until(proc, "Press Ctrl-C to stop.", timeout=300)
        assert "Airflow is ready after" in banner and f"http://localhost:{port}" in banner, banner
        user = re.search(r"login:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        password = re.search(r"password:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        assert (user, password) != ("admin", "admin")  # generated, not a default

        url = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{url}/auth/token", json={"username": user, "password": password})
        assert token.status_code == 201, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        dags = httpx.get(f"{url}/api/v2/dags", headers=headers).raise_for_status().json()
        assert {d["dag_id"] for d in dags["dags"]} == {
            "oneitu_annual_report",
            "oneitu_ingest_finance",
            "oneitu_ingest_narratives",
            "oneitu_ingest_planning",
            "oneitu_ingest_gs_services",
            "oneitu_ingest_sectors",
        }
        for dag in dags["dags"]:
            details = httpx.get(f"{url}/api/v2/dags/{dag['dag_id']}/details", headers=headers)
            assert details.json()["doc_md"].startswith("# One ITU"), dag["dag_id"]
        assert httpx.get(f"{url}/").status_code == 200  # the UI itself

        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        assert proc.wait(timeout=120) == 0
        assert time.monotonic() - started < 90
        rest = proc.stdout.read()  # type: ignore[union-attr]
        assert "stopping Airflow" in rest and "Traceback" not in rest, rest
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/api/v2/monitor/health", timeout=5)
        ok = True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=120)
        if not ok and (home / "standalone.log").exists():
            dest = artifacts_dir / f"airflow-up-{time.strftime('%Y%m%d-%H%M%S')}"
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(home / "standalone.log", dest / "standalone.log")

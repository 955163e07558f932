"""``make up``: Airflow's UI on the embedded set-up, in the foreground until Ctrl-C.

Starts ``airflow standalone`` (API server and UI, scheduler with LocalExecutor, DAG
processor, triggerer) with the environment ``make run`` uses (``AIRFLOW_HOME=.airflow``,
SQLite metadata, the demo landing zone, ``out/``), waits until every component reports
healthy and the DAG processor has stored the One ITU DAGs, then prints the URL and the
login the simple auth manager generated. Airflow's own output goes to
``$AIRFLOW_HOME/standalone.log``.

Usage: ``python scripts/airflow_up.py [--port 8080] [--timeout 240]`` (from ``make up``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

EXPECTED_DAGS = {
    "oneitu_annual_report",
    "oneitu_ingest_finance",
    "oneitu_ingest_narratives",
    "oneitu_ingest_planning",
    "oneitu_ingest_gs_services",
    "oneitu_ingest_sectors",
}
COMPONENTS = ("metadatabase", "scheduler", "dag_processor", "triggerer")


def port_in_use(port: int) -> bool:
    """Whether something already listens on ``localhost:port``."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def passwords_file(home: Path) -> Path:
    """Where the simple auth manager keeps the generated passwords."""
    configured = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    return Path(configured) if configured else home / "simple_auth_manager_passwords.json.generated"


def standalone_env(port: int) -> dict[str, str]:
    """The environment of ``make run`` plus what a UI on ``port`` needs."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    env["AIRFLOW__API__PORT"] = str(port)
    env["AIRFLOW__API__BASE_URL"] = f"http://localhost:{port}"
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{port}/execution/"
    return env


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Standalone:
    """``airflow standalone`` in its own session, so that one Ctrl-C stops it cleanly."""

    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port = home, port
        self.log_path = home / "standalone.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "airflow"), "standalone"],
                env=standalone_env(self.port),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_default_sigint,  # even when started with SIGINT ignored (nohup, &)
            )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 60) -> None:
        """SIGINT to ``airflow standalone`` (it stops its components), then the whole group."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)  # leftovers: components, task processes
            except ProcessLookupError:
                break
            time.sleep(3)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print(f"airflow standalone (pid {self.proc.pid}) did not stop", file=sys.stderr)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_healthy(self, deadline: float) -> None:
        """Wait until ``/api/v2/monitor/health`` reports every component healthy."""
        last: dict = {}
        while time.monotonic() < deadline:
            self._check_running()
            try:
                last = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
                if all((last.get(c) or {}).get("status") == "healthy" for c in COMPONENTS):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(1)
        raise TimeoutError(f"Airflow is not healthy yet: {last}")

    def login(self, deadline: float) -> tuple[str, str]:
        """The first user and password the simple auth manager generated."""
        path = passwords_file(self.home)
        while time.monotonic() < deadline:
            self._check_running()
            try:
                users = json.loads(path.read_text(encoding="utf-8"))
                if users:
                    return next(iter(users.items()))
            except (OSError, ValueError):
                pass
            time.sleep(1)
        raise TimeoutError(f"no generated password in {path}")

    def wait_for_dags(self, user: str, password: str, deadline: float) -> list[dict]:
        """Wait until the REST API lists the One ITU DAGs; return them."""
        token = httpx.post(
            f"{self.url}/auth/token", json={"username": user, "password": password}, timeout=30
        )
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        dags: list[dict] = []
        while time.monotonic() < deadline:
            self._check_running()
            response = httpx.get(
                f"{self.url}/api/v2/dags", params={"limit": 100}, headers=headers, timeout=30
            )
            response.raise_for_status()
            dags = response.json()["dags"]
            if EXPECTED_DAGS <= {d["dag_id"] for d in dags}:
                return dags
            time.sleep(2)
        raise TimeoutError(f"the DAG processor has not stored the DAGs yet: {dags}")

    def _check_running(self) -> None:
        if not self.running():
            raise RuntimeError(f"airflow standalone exited:\n{self.log_tail()}")


def _delivery_page(url: str) -> str:
    """The banner line of the Finance delivery page, when its plugin is loaded."""
    plugins = os.environ.get("AIRFLOW__CORE__PLUGINS_FOLDER")
    if plugins and (Path(plugins) / "oneitu_delivery.py").exists():
        return f"  delivery: {url}/oneitu/   (Finance delivery page)\n"
    return ""


def _label(dag: dict) -> str:
    return f"{dag['dag_id']} (paused)" if dag.get("is_paused") else dag["dag_id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--timeout", type=float, default=240, help="seconds to become ready")
    args = parser.parse_args(argv)

    home = Path(os.environ.get("AIRFLOW_HOME", ".airflow")).resolve()
    if port_in_use(args.port):
        print(f"port {args.port} is already in use; try: make up PORT=8081", file=sys.stderr)
        return 2

    airflow = Standalone(home, args.port)
    try:
        print(f"starting airflow standalone (log: {airflow.log_path}) ...", flush=True)
        started = time.monotonic()
        airflow.start()
        deadline = started + args.timeout
        airflow.wait_healthy(deadline)
        user, password = airflow.login(deadline)
        dags = airflow.wait_for_dags(user, password, deadline)
        print(
            f"\nAirflow is ready after {time.monotonic() - started:.0f} s: {airflow.url}\n"
            f"  login:    {user}\n"
            f"  password: {password}   (from {passwords_file(home)})\n"
            f"  DAGs:     {', '.join(sorted(_label(d) for d in dags))}\n"
            "  (a new DAG starts paused; trigger oneitu_annual_report with a year to rebuild it)\n"
            f"{_delivery_page(airflow.url)}"
            f"  log:      {airflow.log_path}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while airflow.running():
            time.sleep(1)
        print(f"airflow standalone exited:\n{airflow.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        ignore_stop_signals()
        print("\nstopping Airflow ...", flush=True)
        return 0
    except (TimeoutError, RuntimeError, httpx.HTTPError) as err:
        print(f"Airflow did not come up: {err}\nsee {airflow.log_path}", file=sys.stderr)
        return 1
    finally:
        ignore_stop_signals()  # a second Ctrl-C, or a `kill`, must not cut the stop short
        airflow.stop()


def stop_on_signals() -> None:
    """Ctrl-C and ``kill`` (SIGTERM) raise KeyboardInterrupt, which stops Airflow cleanly,
    even when the script was started with SIGINT ignored (nohup, ``&``)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def ignore_stop_signals() -> None:
    """From here on, Ctrl-C and SIGTERM are ignored: Airflow is being stopped already."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


if __name__ == "__main__":
    stop_on_signals()
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # before Airflow was started (arguments, the port check)
        sys.exit(130)

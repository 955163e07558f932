"""Airflow's distributed topology as local processes, for the integration tests.

What ``docker-compose.yml`` runs in containers, started here as separate processes on one
machine: ``airflow api-server``, ``airflow scheduler``, ``airflow dag-processor`` and Celery
workers, with CeleryExecutor, Airflow's metadata in a throw-away PostgreSQL database, Redis
as the Celery broker and the Celery results in the metadata database. Each process gets its
own process group and log file, so that :meth:`AirflowCluster.stop` ends every child it
spawned and a failed test can keep the logs.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests_support import AIRFLOW, airflow_env

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database(admin_url: str, name: str) -> str:
    """Create the PostgreSQL database ``name``; return its SQLAlchemy URL."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """Drop ``name`` even while clients are still connected."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@dataclass
class AirflowCluster:
    """A CeleryExecutor deployment of Airflow made of local processes.

    Args:
        home: A fresh ``AIRFLOW_HOME``; process logs go to ``home/process-logs``.
        metadata_url: SQLAlchemy URL (``postgresql+psycopg://``) of Airflow's metadata DB.
        broker_url: Celery broker, e.g. ``redis://127.0.0.1:6379/7``.
        extra_env: More environment for every process (``ONEITU_*`` settings...).
    """

    home: Path
    metadata_url: str
    broker_url: str
    extra_env: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    queue: str = field(default_factory=lambda: f"oneitu_it_{uuid.uuid4().hex[:8]}")
    username: str = "oneitu-admin"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)
    keys: dict[str, str] = field(default_factory=lambda: _fresh_keys(), repr=False)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_dir(self) -> Path:
        return self.home / "process-logs"

    def env(self, **more: str) -> dict[str, str]:
        """The environment every Airflow process of the cluster shares."""
        passwords = self.home / "simple_auth_manager_passwords.json"
        return airflow_env(
            self.home,
            AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=self.metadata_url,
            # Airflow derives an asyncpg URL otherwise; psycopg 3 serves both
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=self.metadata_url,
            AIRFLOW__CELERY__BROKER_URL=self.broker_url,
            AIRFLOW__CELERY__RESULT_BACKEND=f"db+{self.metadata_url}",
            # a queue of its own: two test sessions sharing the Redis DB never swap tasks
            AIRFLOW__OPERATORS__DEFAULT_QUEUE=self.queue,
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{self.base_url}/execution/",
            AIRFLOW__API__BASE_URL=self.base_url,
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{self.username}:admin",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
            # only the runs the test triggers: unpausing must not add the yearly one
            AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE="False",
            **self.keys,
            **self.extra_env,
            **more,
        )

    # -- processes ----------------------------------------------------------------------
    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run one ``airflow`` command to completion (``db migrate``...)."""
        return subprocess.run(
            [str(AIRFLOW), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, name: str, *args: str, env: Mapping[str, str] | None = None) -> None:
        """Start ``airflow <args>`` in its own process group, logging to ``<name>.log``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{name}.log", "wb") as log:
            self.processes[name] = subprocess.Popen(
                [str(AIRFLOW), *args],
                env=self.env(**(env or {})),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_all(self, workers: Mapping[str, int]) -> None:
        """Write the login, then start the API server, scheduler, DAG processor, workers.

        Args:
            workers: Celery worker name -> concurrency. A worker reports its name as the
                task instances' ``hostname`` (see ``worker_hostname.py``).
        """
        passwords = self.home / "simple_auth_manager_passwords.json"
        passwords.write_text(f'{{"{self.username}": "{self.password}"}}\n', encoding="utf-8")
        self.start("api-server", "api-server", "--port", str(self.port), "--workers", "1")
        self.start("scheduler", "scheduler")
        self.start("dag-processor", "dag-processor")
        for name, concurrency in workers.items():
            self.start(
                name,
                "celery",
                "worker",
                "--celery-hostname",
                f"{name}@%h",
                "--queues",
                self.queue,
                "--concurrency",
                str(concurrency),
                "--pid",
                str(self.home / f"{name}.pid"),
                "--skip-serve-logs",
                "--without-mingle",
                "--without-gossip",
                env={
                    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_hostname.hostname",
                    "ONEITU_IT_WORKER_NAME": name,
                    "PYTHONPATH": os.pathsep.join(
                        p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p
                    ),
                },
            )

    def dead(self) -> dict[str, int]:
        """Processes that have exited, with their exit codes."""
        return {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}

    def stop(self, grace: float = 20) -> None:
        """SIGTERM every process group, then SIGKILL what is left after ``grace`` seconds."""
        for proc in self.processes.values():
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.processes.values():
            _signal_group(proc, signal.SIGKILL)  # stragglers in the group (task processes)
            if proc.poll() is None:
                proc.wait(timeout=10)

    def keep_logs(self, dest: Path) -> Path:
        """Copy the process logs and the task logs to ``dest``."""
        dest.mkdir(parents=True, exist_ok=True)
        if self.log_dir.exists():
            shutil.copytree(self.log_dir, dest / "processes", dirs_exist_ok=True)
        if (self.home / "logs").exists():
            shutil.copytree(self.home / "logs", dest / "airflow-logs", dirs_exist_ok=True)
        return dest

    # -- REST API v2 --------------------------------------------------------------------
    def wait_healthy(self, timeout: float = 180) -> dict[str, Any]:
        """Wait until ``/api/v2/monitor/health`` reports the scheduler and DAG processor."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                last = httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).json()
            except (httpx.HTTPError, ValueError):
                last = None
            if last and all(
                (last.get(part) or {}).get("status") == "healthy"
                for part in ("metadatabase", "scheduler", "dag_processor")
            ):
                return last
            time.sleep(1)
        raise TimeoutError(f"Airflow not healthy after {timeout:.0f} s: {last}")

    def client(self) -> httpx.Client:
        """An API client authenticated with a JWT from ``POST /auth/token``."""
        response = httpx.post(
            f"{self.base_url}/auth/token",
            json={"username": self.username, "password": self.password},
            timeout=30,
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        return httpx.Client(
            base_url=f"{self.base_url}/api/v2",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    def wait_for_dag(self, api: httpx.Client, dag_id: str, timeout: float = 120) -> dict:
        """Wait until the DAG processor has stored ``dag_id``; return the API's DAG."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            response = api.get(f"/dags/{dag_id}")
            if response.status_code == 200:
                return response.json()
            time.sleep(1)
        raise TimeoutError(f"DAG {dag_id} not parsed after {timeout:.0f} s")

    def wait_for_run(
        self, api: httpx.Client, dag_id: str, run_id: str, timeout: float = 420
    ) -> dict:
        """Poll a DAG run until it succeeds or fails; return the API's run."""
        deadline, run = time.monotonic() + timeout, {}
        while time.monotonic() < deadline:
            self._check_alive()
            run = api.get(f"/dags/{dag_id}/dagRuns/{run_id}").raise_for_status().json()
            if run["state"] in ("success", "failed"):
                return run
            time.sleep(2)
        raise TimeoutError(f"run {run_id} still {run.get('state')} after {timeout:.0f} s")

    def _check_alive(self) -> None:
        if dead := self.dead():
            raise RuntimeError(f"Airflow processes exited: {dead}; logs in {self.log_dir}")


def _fresh_keys() -> dict[str, str]:
    """The secrets every process must share: Fernet key, JWT secret, API secret key."""
    from cryptography.fernet import Fernet  # noqa: PLC0415

    return {
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
    }


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)  # the process started its own session: pgid == pid
    except ProcessLookupError:
        pass

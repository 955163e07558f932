"""Fixtures of the delivery page tests: sample files, the app, a real Airflow API server.

Unit level: the package app is mounted at ``/oneitu`` in a parent FastAPI app, as the
Airflow API server mounts it, and driven with Starlette's TestClient (see
``delivery_support``). Integration level: :func:`airflow_api` starts one real
``airflow api-server`` for the session, with the repository's plugin folder, the simple
auth manager (``finance`` with role op, ``viewer`` with role viewer) and the DAGs
serialized, so that the page, Airflow's authentication and Airflow's asset events are the
real ones.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from delivery_support import (
    SECRET,
    SERVER_MAX_UPLOAD,
    USERS,
    AirflowApi,
    Announcer,
    Site,
    fake_authenticate,
    free_port,
    run_airflow,
    spoil,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests_support import AIRFLOW, REPO, airflow_env

from oneitu_etl.delivery import DeliveryConfig, create_app
from oneitu_etl.demo import generate_landing
from oneitu_etl.settings import Settings


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo landing zone for 2023 and 2024, to take good files from."""
    root = tmp_path_factory.mktemp("demo") / "landing"
    generate_landing(root, [2023, 2024])
    return root


@pytest.fixture(scope="session")
def good_workbook(demo_files: Path) -> bytes:
    """A valid financial statements workbook for 2024."""
    return (demo_files / "2024" / "financial_statements.xlsx").read_bytes()


@pytest.fixture(scope="session")
def bad_workbook(good_workbook: bytes) -> bytes:
    """The valid 2024 workbook with two bad cells (see ``delivery_support.spoil``)."""
    return spoil(good_workbook)


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Build a delivery page on a fresh landing zone (options go to DeliveryConfig)."""
    clients: list[TestClient] = []

    def make(**options: object) -> Site:
        landing, out = tmp_path / "landing", tmp_path / "out"
        landing.mkdir(exist_ok=True)
        settings = Settings(landing=str(landing), out=out)
        announcer = Announcer()
        app = create_app(
            settings,
            config=DeliveryConfig(csrf_secret=SECRET, **options),  # type: ignore[arg-type]
            authenticate=fake_authenticate,
            announce=announcer,
            login_url=lambda nxt: f"/auth/login?next={nxt}",
        )
        parent = FastAPI()
        parent.mount("/oneitu", app)
        client = TestClient(parent, follow_redirects=False)
        clients.append(client)
        return Site(client, landing, out, settings, announcer)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    """A delivery page with the default limits."""
    return make_site()


# -- a real Airflow API server with the plugin ---------------------------------------------
@pytest.fixture(scope="session")
def airflow_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowApi]:
    """One ``airflow api-server`` for the session, serving the page at ``/oneitu``."""
    home = tmp_path_factory.mktemp("airflow_api")
    landing, out = home / "landing", home / "out"
    landing.mkdir()
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps(USERS))
    port = free_port()
    env = airflow_env(
        home,
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
        AIRFLOW__CORE__AUTH_MANAGER=(
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="finance:op,viewer:viewer",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__SECRET_KEY=secrets.token_hex(16),
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
        ONEITU_LANDING=str(landing),
        ONEITU_OUT=str(out),
        ONEITU_MAX_UPLOAD_BYTES=str(SERVER_MAX_UPLOAD),
    )
    log = home / "airflow.log"
    run_airflow(["db", "migrate"], env, log)
    run_airflow(["dags", "reserialize"], env, log)  # registers the assets the page announces
    run_airflow(["dags", "unpause", "oneitu_annual_report"], env, log)
    with log.open("a") as output:
        server = subprocess.Popen(
            [str(AIRFLOW), "api-server", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = AirflowApi(f"http://127.0.0.1:{port}", home, landing, out, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"api-server died:\n{log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{api.url}/api/v2/version", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"api-server not up:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        yield api
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

"""Helpers of the delivery page tests (imported by their conftest and test modules).

A fake of each Airflow part the page needs (authentication by an ``X-Test-User: name:role``
header, an announcer that records its calls), a :class:`Site` to drive the package app
with Starlette's TestClient, :class:`AirflowApi` for the real API server, and
:func:`table_rows` to read the pages' tables.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import openpyxl
from fastapi import HTTPException, Request
from fastapi.testclient import TestClient
from tests_support import AIRFLOW, html_table

from oneitu_etl.delivery import Caller
from oneitu_etl.settings import Settings

SECRET = b"test-secret-for-the-delivery-page"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def spoil(workbook: bytes) -> bytes:
    """A valid statements workbook with two bad cells in ``budget_comparison``.

    Row 3's ``actual_chf`` becomes -5 and row 4's ``approved_budget_chf`` becomes "abc".
    """
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book["budget_comparison"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("actual_chf") + 1, value=-5)
    sheet.cell(row=4, column=header.index("approved_budget_chf") + 1, value="abc")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Announcer:
    """Records the asset events the page asks for; can be told to fail."""

    calls: list[tuple[str, str, dict]] = field(default_factory=list)
    fail: bool = False

    def __call__(self, caller: Caller, uri: str, extra: dict) -> str:
        if self.fail:
            raise RuntimeError("Airflow is down")
        self.calls.append((caller.name, uri, extra))
        return f"event {len(self.calls)}"


def fake_authenticate(request: Request) -> Caller:
    """``X-Test-User: name:role`` signs in; no header is 401, as Airflow's get_user."""
    value = request.headers.get("x-test-user")
    if not value:
        raise HTTPException(status_code=401, detail="Not authenticated")
    name, _, role = value.partition(":")
    return Caller(name=name, roles=frozenset({role}) if role else frozenset())


@dataclass
class Site:
    """A delivery page on a temporary landing zone."""

    client: TestClient
    landing: Path
    out: Path
    settings: Settings
    announcer: Announcer

    def token(self, user: str = "finance:op") -> str:
        """Open the form as ``user`` (sets the CSRF cookie) and return its token."""
        page = self.client.get("/oneitu/", headers={"X-Test-User": user})
        assert page.status_code == 200, page.text
        match = TOKEN.search(page.text)
        assert match, page.text
        return match.group(1)

    def upload(
        self,
        data: bytes,
        filename: str,
        *,
        year: int | str = 2024,
        user: str | None = "finance:op",
        token: str | None = "auto",
        lang: str = "en",
    ):  # noqa: ANN201 - httpx.Response
        """Post one file through the form."""
        if token == "auto":
            token = self.token(user or "finance:op")
        fields = {"year": str(year), "lang": lang}
        if token is not None:
            fields["csrf_token"] = token
        headers = {"X-Test-User": user} if user else {}
        return self.client.post(
            "/oneitu/upload",
            data=fields,
            headers=headers,
            files={"file": (filename, data, "application/octet-stream")},
        )

    def landed(self) -> list[str]:
        """Every file under the landing zone, hidden ones included."""
        return sorted(
            p.relative_to(self.landing).as_posix() for p in self.landing.rglob("*") if p.is_file()
        )


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The body rows of the table ``table_id`` as lists of its data cells' texts."""
    return html_table(html, table_id, cells=("td",))


# -- a real Airflow API server with the plugin ---------------------------------------------
USERS = {"finance": "finance-pass", "viewer": "viewer-pass"}
#: The plugin's upload limit in the real server: small, to test the limit quickly.
SERVER_MAX_UPLOAD = 100_000


@dataclass
class AirflowApi:
    """A running ``airflow api-server`` with the delivery plugin."""

    url: str
    home: Path
    landing: Path
    out: Path
    log: Path

    def token(self, user: str) -> str:
        """A JWT for ``user`` from Airflow's own ``POST /auth/token``."""
        answer = httpx.post(
            f"{self.url}/auth/token", json={"username": user, "password": USERS[user]}, timeout=30
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["access_token"]

    def client(self, user: str | None = None) -> httpx.Client:
        """A client signed in as ``user`` the way the UI is (the ``_token`` cookie)."""
        cookies = {"_token": self.token(user)} if user else {}
        return httpx.Client(base_url=self.url, cookies=cookies, timeout=60, follow_redirects=False)

    def landed(self) -> list[str]:
        """Every file under the landing zone, hidden ones included."""
        return sorted(
            p.relative_to(self.landing).as_posix() for p in self.landing.rglob("*") if p.is_file()
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_airflow(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(
            [str(AIRFLOW), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=600,
            check=False,
        )
    assert done.returncode == 0, f"airflow {' '.join(args)} failed:\n{log.read_text()[-3000:]}"

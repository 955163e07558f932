"""Fixtures of the delivery page tests: sample files, the app with fake Airflow parts.

The package app is mounted at ``/oneitu`` in a parent FastAPI app, as the Airflow API
server mounts it, and driven with Starlette's TestClient. Authentication is faked by a
header ``X-Test-User: name:role``; the asset announcer records its calls.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from oneitu_etl.delivery import Caller, DeliveryConfig, create_app
from oneitu_etl.demo import generate_landing
from oneitu_etl.settings import Settings

SECRET = b"test-secret-for-the-delivery-page"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo landing zone for 2024, to take good files from."""
    root = tmp_path_factory.mktemp("demo") / "landing"
    generate_landing(root, [2024])
    return root


@pytest.fixture(scope="session")
def good_workbook(demo_files: Path) -> bytes:
    """A valid financial statements workbook for 2024."""
    return (demo_files / "2024" / "financial_statements.xlsx").read_bytes()


@pytest.fixture(scope="session")
def bad_workbook(good_workbook: bytes) -> bytes:
    """The valid workbook with two bad cells in ``budget_comparison``.

    Row 3's ``actual_chf`` becomes -5 and row 4's ``approved_budget_chf`` becomes "abc".
    """
    book = openpyxl.load_workbook(io.BytesIO(good_workbook))
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


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The body rows of the table ``table_id`` as lists of cell texts."""
    from html.parser import HTMLParser  # noqa: PLC0415

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = self.in_body = False
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table" and dict(attrs).get("id") == table_id:
                self.inside = True
            elif self.inside and tag == "tbody":
                self.in_body = True
            elif self.in_body and tag == "tr":
                self.rows.append([])
            elif self.in_body and tag == "td":
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "td" and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None
            elif tag == "table" and self.inside:
                self.inside = self.in_body = False

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(html)
    return parser.rows

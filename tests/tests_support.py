"""Helpers and facts the tests share, stated independently of the package."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest


def services_required() -> bool:
    """Whether missing services must fail the tests (CI) rather than skip them."""
    return os.environ.get("ONEITU_REQUIRE_SERVICES") == "1"


def require(available: bool, reason: str) -> None:
    """Skip (laptop) or fail (CI, ``ONEITU_REQUIRE_SERVICES=1``) when a needed service,
    binary or permission is missing, so CI runs every test."""
    if available:
        return
    if services_required():
        pytest.fail(f"required on CI: {reason}")
    pytest.skip(reason)


#: The activity files' header, in the contract's order (section 3.2).
ACTIVITY_HEADER = [
    "activity_id",
    "org_unit",
    "partner_org_units",
    "strategic_code",
    "output_type",
    "title",
    "start_date",
    "end_date",
    "status",
    "participants",
    "women_participants",
    "countries",
    "cost_chf",
]
SECTOR_OF_UNIT = {
    "GS": "SG",
    "BR": "R",
    "TSB": "T",
    "BDT": "D",
    "RO-AFR": "D",
    "RO-AMS": "D",
    "RO-ARB": "D",
    "RO-ASP": "D",
    "RO-CIS": "D",
    "RO-EUR": "D",
}


REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
AIRFLOW = Path(sys.executable).parent / "airflow"


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for an embedded Airflow under ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW_", "AIRFLOW__", "ONEITU_"))
    }
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        PATH=f"{AIRFLOW.parent}:{env.get('PATH', '')}",
    )
    if os.environ.get("ONEITU_REQUIRE_SERVICES"):
        env["ONEITU_REQUIRE_SERVICES"] = os.environ["ONEITU_REQUIRE_SERVICES"]
    env.update(extra)
    return env


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """A process's output up to the line containing ``marker`` (or all of it by ``timeout``).

    The rest of the output stays in ``proc.stdout``.
    """
    lines: list[str] = []
    found = threading.Event()

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if marker in line:
                found.set()
                return

    threading.Thread(target=pump, daemon=True).start()
    found.wait(timeout)
    return "".join(lines)


def create_pg_database(admin_url: str) -> tuple[str, str]:
    """Create a throw-away database on the server; return its name and URL."""
    from sqlalchemy import create_engine, text  # noqa: PLC0415

    name = f"oneitu_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(admin_url: str, name: str) -> None:
    """Drop a database made by :func:`create_pg_database` (closing its sessions)."""
    from sqlalchemy import create_engine, text  # noqa: PLC0415

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def html_table(html: str, table_id: str, cells: tuple[str, ...] = ("td", "th")) -> list[list[str]]:
    """The body rows of the HTML table ``table_id``, as lists of the texts of its ``cells``."""

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
            elif self.in_body and tag in cells:
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in cells and self.cell is not None:
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

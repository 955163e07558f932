"""Helpers of the reliability tests: landing zones, ``oneitu`` in a subprocess, and the
fingerprint that says whether two warehouses hold the same data.

What "the same warehouse" means (:func:`fingerprint`): every table of the schema except
``runs`` has the same number of rows and the same SHA-256 over its rows, where each row is
taken with

- run-time timestamps (``arrived_at``, ``loaded_at``, ``superseded_at``, ``processed_at``,
  ``acquired_at``, ``started_at``, ``finished_at``, ``uploaded_at``) reduced to whether
  they are set: *when* a run happened differs between two runs, *whether* a delivery is
  superseded must not;
- surrogate keys (``id``, ``run_id``) left out, and references to a delivery
  (``delivery_id``, ``superseded_by``) replaced by that delivery's path and content hash:
  PostgreSQL sequences advance on a rolled-back insert, so ids may differ while the data
  is the same;
- ``archive_path`` taken relative to the archive root (each test has its own ``--out``);
- JSON values serialised with sorted keys, their run-time timestamps (keys ending in
  ``_at``, such as stage 2's ``validated_at``) reduced to whether they are set;

and the rows sorted, so that the order of insertion does not count. ``runs`` is left out
because it is the log of attempts: an interrupted run adds a row by design (the tests
check it separately); ``year_locks`` is included and must be empty after a run.

The report is compared as ``report_<Y>.json`` with ``--generated-on`` fixed and every
``arrived_at`` (when the pipeline first saw a file: the time of the run that committed
its load) replaced by a placeholder after checking it is an ISO timestamp; the HTML
reports likewise with their timestamp cells (the same arrival times) blanked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from tests_support import html_table

from oneitu_etl.warehouse import schema as s

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
ONEITU = Path(sys.executable).with_name("oneitu")
YEAR = 2024
GENERATED_ON = "2025-03-01"

TIME_COLUMNS = frozenset(
    {
        "arrived_at",
        "loaded_at",
        "superseded_at",
        "processed_at",
        "acquired_at",
        "started_at",
        "finished_at",
        "uploaded_at",
    }
)
SURROGATE_COLUMNS = frozenset({"id", "run_id"})
DELIVERY_REFERENCES = frozenset({"delivery_id", "superseded_by"})
#: Tables left out of the fingerprint, with the reason.
NOT_COMPARED = {"runs": "the log of attempts: an interrupted attempt adds a row by design"}

#: The valid fixture set (tests/fixtures): landing path -> fixture path.
FIRST_DELIVERY = {
    f"{YEAR}/financial_performance.csv": f"finance/{YEAR}/financial_performance.csv",
    f"{YEAR}/budget_comparison.csv": f"finance/{YEAR}/budget_comparison.csv",
    f"{YEAR}/expense_allocation.csv": f"finance/{YEAR}/expense_allocation.csv",
    f"{YEAR}/activities/activities_BR.csv": f"sectors/{YEAR}/activities/activities_BR.csv",
    f"{YEAR}/activities/activities_TSB.csv": f"sectors/{YEAR}/activities/activities_TSB.csv",
    "indicator_definitions.csv": "planning/indicator_definitions.csv",
    f"{YEAR}/indicator_values.csv": f"planning/{YEAR}/indicator_values.csv",
}
#: The second delivery: Finance and BR correct a file each (both still reconcile).
CORRECTIONS = {
    f"{YEAR}/financial_performance.csv": f"finance/corrected/{YEAR}/financial_performance.csv",
    f"{YEAR}/activities/activities_BR.csv": f"sectors/corrected/{YEAR}/activities/activities_BR.csv",
}


def make_landing(root: Path, files: dict[str, str]) -> Path:
    """A landing zone at ``root`` holding ``files`` (landing path -> fixture path)."""
    for rel, fixture in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((FIXTURES / fixture).read_bytes())
    return root


def oneitu_env(**extra: str) -> dict[str, str]:
    """The environment of an ``oneitu`` subprocess: this one, without ONEITU_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEITU_")}
    env.update(extra)
    return env


def run_args(
    landing: Path | str, out: Path | str, db: str | None = None, *, year: int = YEAR
) -> list[str]:
    """Arguments of ``oneitu run`` for ``year``, without PDFs, dated GENERATED_ON."""
    args = ["run", "--landing", str(landing), "--year", str(year), "--out", str(out)]
    args += ["--no-pdf", "--generated-on", GENERATED_ON]
    return args + (["--db", db] if db else [])


def oneitu(
    args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout=300
) -> subprocess.CompletedProcess[str]:
    """Run the ``oneitu`` command (the installed console script) and capture its output."""
    return subprocess.run(
        [str(ONEITU), *args],
        env=env or oneitu_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _untimed(node: Any) -> Any:
    """A JSON value with every ``*_at`` timestamp reduced to whether it is set."""
    if isinstance(node, dict):
        return {k: (v is not None) if k.endswith("_at") else _untimed(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_untimed(v) for v in node]
    return node


def _value(column: str, value: Any, deliveries: dict[int, tuple[str, str]]) -> Any:
    if column in TIME_COLUMNS:
        return value is not None
    if column in DELIVERY_REFERENCES:
        return None if value is None else deliveries[value]
    if column == "archive_path" and value is not None:
        return Path(value).as_posix().split("/archive/", 1)[-1]
    if isinstance(value, dict | list):
        return json.dumps(_untimed(value), sort_keys=True)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fingerprint(db_url: str) -> dict[str, tuple[int, str]]:
    """``{table: (rows, sha256)}`` of every compared table (see the module docstring)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            deliveries = {
                r.id: (r.path, r.sha256)
                for r in conn.execute(
                    select(s.deliveries.c.id, s.deliveries.c.path, s.deliveries.c.sha256)
                )
            }
            result = {}
            for table in s.metadata.sorted_tables:
                if table.name in NOT_COMPARED:
                    continue
                columns = sorted(c.name for c in table.c if c.name not in SURROGATE_COLUMNS)
                rows = sorted(
                    repr(tuple(_value(c, row._mapping[c], deliveries) for c in columns))
                    for row in conn.execute(select(table))
                )
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                result[table.name] = (len(rows), digest)
            return result
    finally:
        engine.dispose()


def _placeholders(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "arrived_at" and value is not None:
                dt.datetime.fromisoformat(value)  # it must be a timestamp
                out[key] = "<arrival time>"
            else:
                out[key] = _placeholders(value)
        return out
    if isinstance(node, list):
        return [_placeholders(v) for v in node]
    return node


def comparable_report(path: Path) -> dict[str, Any]:
    """``report_<Y>.json`` with arrival times replaced by a placeholder."""
    return _placeholders(json.loads(path.read_text(encoding="utf-8")))


_TIMESTAMP_CELL = re.compile(rb'(<td class="[^"]*\bkind-timestamp\b[^"]*">)[^<]*(</td>)')


def comparable_html(data: bytes) -> bytes:
    """An HTML report with its timestamp cells (the files' arrival times) blanked."""
    return _TIMESTAMP_CELL.sub(rb"\1<arrival time>\2", data)


def is_whole(name: str, data: bytes) -> bool:
    """Whether a published file is complete: parseable JSON, an ended HTML, a sound zip."""
    if name.endswith(".json"):
        try:
            json.loads(data)
        except ValueError:
            return False
        return True
    if name.endswith(".html"):
        return data.rstrip().endswith(b"</html>")
    if name.endswith(".xlsx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return archive.testzip() is None
        except zipfile.BadZipFile:
            return False
    return True


def published_files(folder: Path) -> dict[str, bytes]:
    """The files of a year's output folder that readers see (not hidden), by name."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name[0] != "."}


def hidden_files(folder: Path) -> list[str]:
    """Hidden files of a folder (temporaries of interrupted writes)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.startswith("."))


# -- a throw-away PostgreSQL server ----------------------------------------------------------
def postgres_bin() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (newest installed version), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """A PostgreSQL cluster of the test's own, on a free port, that the test may stop.

    ``initdb`` and the server refuse to run as root: as root they run as the ``postgres``
    user (``runuser``) in a folder that user owns; otherwise as the current user.
    """

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="oneitu-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as, str(self.bindir / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{tool} {' '.join(args)}: {done.stdout}{done.stderr}"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        """Stop (fast: every session is terminated, open transactions roll back), start."""
        self.stop("fast")
        self.start()

    def create_database(self, name: str) -> str:
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()
        return self.url(name)

    def destroy(self) -> None:
        subprocess.run(
            [
                *self._as,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


# -- reading the published outputs ------------------------------------------------------------
def current_hashes(year_dir: Path, year: int = YEAR) -> dict[str, set[str]]:
    """SHA-256 of the current deliveries as each published output lists them.

    Returns:
        ``{"json": ..., "html_en": ..., "html_fr": ..., "workbook": ...}``.
    """
    import openpyxl  # noqa: PLC0415

    data = json.loads((year_dir / f"report_{year}.json").read_text(encoding="utf-8"))
    found = {
        "json": {
            d["sha256"] for d in data["data_quality"]["deliveries"] if d["status"] == "current"
        }
    }
    # the report lists the current deliveries by file, in plain language (hashes are the
    # workbook's): each file listed stands for the hash the JSON gives it
    by_file = {d["file"]: d["sha256"] for d in data["data_quality"]["deliveries"]}
    for lang in ("en", "fr"):
        html = (year_dir / f"strategic_plan_report_{year}_{lang}.html").read_text("utf-8")
        rows = html_table(html, "table-deliveries")
        found[f"html_{lang}"] = {by_file.get(r[0], f"not in the JSON: {r[0]}") for r in rows}
    book = openpyxl.load_workbook(year_dir / f"annex_{year}.xlsx", read_only=True)
    [sheet] = [book[n] for n in book.sheetnames if n.startswith("A.2")]
    rows = list(sheet.iter_rows(values_only=True))
    status, sha = rows[0].index("Status"), rows[0].index("SHA-256")
    found["workbook"] = {r[sha] for r in rows[1:] if r[status] == "Current"}
    return found

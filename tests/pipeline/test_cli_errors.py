"""Command-line mistakes end in one line on stderr and the right exit code, never a traceback.

Each case runs the real ``oneitu`` command (a subprocess of the venv's script) in a
scratch folder and checks the exit code (2 a usage error, 3 the environment or the
warehouse; 1 only for a blocked year or a file with errors), that stderr is exactly the
one line written here, and that nothing was created where the command was told not to
write. A blocked year prints each of its errors once (it was three times: two loggers
and the plain line).

Root writes in any folder, so "a folder you cannot write in" is a folder made immutable
(``chattr +i``) when the tests run as root, or read-only for anyone else; the same cases
run again as ``nobody`` (``setpriv``) when the tests run as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests_support import require

from oneitu_etl.demo import generate_landing

ONEITU = Path(sys.executable).with_name("oneitu")
YEAR = 2024
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
DB_FORMS = "sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"
IS_A_FILE = "is a file, not a folder; give a folder (it is created if missing)"
NEW_WAREHOUSE = "restore it from a backup, or move it away to start a new warehouse"


def oneitu(*args: object, cwd: Path, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """Run ``oneitu ARGS`` in ``cwd`` (as ``nobody`` if asked); its exit code and output."""
    command = [str(ONEITU), *map(str, args)]
    return subprocess.run(
        [*NOBODY, *command] if as_nobody else command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess) -> str:
    """The single line a failed command prints on stderr (asserting it is the only one)."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid landing zone for 2024 (read only by the tests)."""
    root = tmp_path_factory.mktemp("cli_errors") / "landing"
    generate_landing(root, [YEAR])
    return root


@pytest.fixture
def work(tmp_path: Path, demo: Path) -> Path:
    """A scratch folder holding ``landing`` (the demo), ``afile`` (a file) and ``bad/``
    (an output folder whose ``warehouse.sqlite`` is text, not a database)."""
    shutil.copytree(demo, tmp_path / "landing")
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "warehouse.sqlite").write_text("not a database\n", encoding="utf-8")
    return tmp_path


def run_args(out: object, *more: object, landing: object = "landing") -> list[object]:
    return ["run", "--landing", landing, "--year", YEAR, "--out", out, "--json-only", *more]


# -- one line, exit 2 or 3, for each mistake -------------------------------------------------
MISTAKES = [
    pytest.param(
        run_args(""),  # --out "$OUT" with OUT unset: it wrote the year, archive and warehouse in .
        2,
        "oneitu run: argument --out: empty (an unset variable?); see oneitu run --help",
        id="run-out-empty",
    ),
    pytest.param(
        run_args("o", landing=""),
        2,
        "oneitu run: argument --landing: empty (an unset variable?); see oneitu run --help",
        id="run-landing-empty",
    ),
    pytest.param(
        ["run", "--landing", "landing", "--year", "20x4", "--out", "o"],
        2,
        "oneitu run: argument --year: not a year: '20x4'; see oneitu run --help",
        id="run-year-not-a-year",
    ),
    pytest.param(
        [],
        2,
        "oneitu: the following arguments are required: command; see oneitu --help",
        id="no-command",
    ),
    pytest.param(
        run_args("afile"),
        2,
        f"oneitu run: --out afile: {IS_A_FILE}",
        id="run-out-is-a-file",
    ),
    pytest.param(
        run_args("afile/out"),
        2,
        f"oneitu run: --out afile/out: {{work}}/afile {IS_A_FILE}",
        id="run-out-under-a-file",
    ),
    pytest.param(
        run_args("o", "--db", "mysql://finance:s3cret@localhost/oneitu"),
        3,
        "oneitu run: --db mysql://finance:***@localhost/oneitu: the mysql driver is not "
        f"installed (No module named 'MySQLdb'); install it, or write {DB_FORMS}",
        id="run-db-mysql-no-driver",
    ),
    pytest.param(
        run_args("o", "--db", "foo://bar"),
        2,
        "oneitu run: --db foo://bar: not a valid database URL (Can't load plugin: "
        f"sqlalchemy.dialects:foo); write {DB_FORMS}",
        id="run-db-unknown-database",
    ),
    pytest.param(
        run_args("o", "--db", "warehouse.db"),
        2,
        "oneitu run: --db warehouse.db: not a valid database URL (Could not parse "
        f"SQLAlchemy URL from given URL string); write {DB_FORMS}",
        id="run-db-a-path-not-a-url",
    ),
    pytest.param(
        run_args("o", "--db", "sqlite:///missing/dir/w.db"),
        2,
        "oneitu run: --db sqlite:///missing/dir/w.db: the folder missing/dir does not "
        "exist; create it, or give a file in a folder that exists",
        id="run-db-sqlite-folder-missing",
    ),
    pytest.param(
        run_args("o", "--db", "sqlite:///landing"),
        3,
        f"oneitu run: the warehouse landing is a folder, not a database file; {NEW_WAREHOUSE}"
        ", or give another --db",
        id="run-db-sqlite-is-a-folder",
    ),
    pytest.param(
        run_args("bad"),
        3,
        "oneitu run: the warehouse {work}/bad/warehouse.sqlite is not a SQLite database; "
        f"{NEW_WAREHOUSE}, or give another --out",
        id="run-warehouse-not-a-database",
    ),
    pytest.param(
        run_args("o", "--db", "sqlite:///bad/warehouse.sqlite"),
        3,
        "oneitu run: the warehouse bad/warehouse.sqlite is not a SQLite database; "
        f"{NEW_WAREHOUSE}, or give another --db",
        id="run-db-not-a-database",
    ),
    pytest.param(
        run_args("o", landing="foo://bar"),
        2,
        "oneitu run: landing zone foo://bar: Unsupported filesystem: 'foo'; give a folder, "
        "or a URL of a storage such as s3://bucket/prefix",
        id="run-landing-unknown-storage",
    ),
    pytest.param(
        run_args("o", landing="nowhere"),
        2,
        "oneitu run: --landing nowhere: no such folder",
        id="run-landing-missing",
    ),
    pytest.param(
        run_args("o", landing="afile"),
        2,
        "oneitu run: --landing afile: is a file, not a folder",
        id="run-landing-is-a-file",
    ),
    pytest.param(
        ["demo", "--landing", "afile"],
        2,
        f"oneitu demo: --landing afile: {IS_A_FILE}",
        id="demo-into-a-file",
    ),
    pytest.param(
        ["demo", "--landing", "afile/landing"],
        2,
        f"oneitu demo: --landing afile/landing: {{work}}/afile {IS_A_FILE}",
        id="demo-under-a-file",
    ),
    pytest.param(
        ["demo", "--landing", "new", "--years", "2010"],
        2,
        "oneitu demo: --years 2010: no strategic framework file covers 2010; give years of "
        "a Strategic Plan cycle the project ships",
        id="demo-year-without-a-plan",
    ),
    pytest.param(
        ["status", "--out", "nowhere", "--year", YEAR],
        2,
        "oneitu status: --out nowhere: no such folder; give the --out of a run",
        id="status-out-missing",
    ),
    pytest.param(
        ["status", "--out", "afile", "--year", YEAR],
        2,
        "oneitu status: --out afile: is a file, not a folder",
        id="status-out-is-a-file",
    ),
    pytest.param(
        ["status", "--out", "bad", "--year", YEAR, "--db", "sqlite:///missing/dir/w.db"],
        2,
        "oneitu status: --db sqlite:///missing/dir/w.db: the folder missing/dir does not "
        "exist; create it, or give a file in a folder that exists",
        id="status-db-sqlite-folder-missing",
    ),
    pytest.param(
        ["status", "--out", "bad", "--year", YEAR, "--db", "mysql://finance@localhost/x"],
        3,
        "oneitu status: --db mysql://finance@localhost/x: the mysql driver is not installed "
        f"(No module named 'MySQLdb'); install it, or write {DB_FORMS}",
        id="status-db-mysql-no-driver",
    ),
    pytest.param(
        ["validate", "nowhere.csv"],
        2,
        "oneitu validate: nowhere.csv: no such file; check the path",
        id="validate-file-missing",
    ),
    pytest.param(
        ["validate", "landing/2024"],
        2,
        "oneitu validate: landing/2024: is a folder; give the files in it "
        "(for example landing/2024/*.csv)",
        id="validate-a-folder",
    ),
]


@pytest.mark.parametrize(("args", "exit_code", "line"), MISTAKES)
def test_a_mistake_is_one_line_and_its_exit_code(
    work: Path, args: list[object], exit_code: int, line: str
) -> None:
    before = sorted(p.relative_to(work) for p in work.rglob("*"))
    done = oneitu(*args, cwd=work)
    assert one_line(done) == line.format(work=work)
    assert done.returncode == exit_code
    assert done.stdout == ""
    if args[:1] != ["demo"]:  # nothing written: no --out, no warehouse, no folder of --db
        assert sorted(p.relative_to(work) for p in work.rglob("*")) == before


def test_a_missing_folder_of_db_is_never_created(work: Path) -> None:
    """``--db sqlite:////abs/missing/w.db`` is refused (it created ``/abs/missing`` and ran)."""
    missing = work / "nowhere" / "dir"
    done = oneitu(*run_args("o", "--db", f"sqlite:///{missing}/w.db"), cwd=work)
    assert done.returncode == 2
    assert one_line(done).endswith(
        f"the folder {missing} does not exist; create it, or give a file in a folder that exists"
    )
    assert not (work / "nowhere").exists() and not (work / "o").exists()


def test_status_with_db_creates_no_warehouse(work: Path) -> None:
    """``status --db sqlite:///FILE`` on a file that is not there answers, creating nothing."""
    (work / "out").mkdir()
    done = oneitu("status", "--out", "out", "--year", YEAR, "--db", "sqlite:///w.db", cwd=work)
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        f"{YEAR}: no report yet in out/{YEAR}\n",
        "",
    )
    assert not (work / "w.db").exists()


def test_status_of_a_report_that_is_not_json(work: Path) -> None:
    report = work / "out" / str(YEAR) / f"report_{YEAR}.json"
    report.parent.mkdir(parents=True)
    report.write_text('{"status": "publ', encoding="utf-8")
    done = oneitu("status", "--out", "out", "--year", YEAR, cwd=work)
    assert done.returncode == 3
    assert one_line(done) == (
        f"oneitu status: out/{YEAR}/report_{YEAR}.json: cannot be read as a report (not JSON: "
        "Unterminated string starting at: line 1 column 12 (char 11)); run oneitu run again "
        "to rebuild it"
    )


def test_a_status_with_a_broken_warehouse_says_so_and_shows_the_rest(work: Path) -> None:
    done = oneitu("status", "--out", "bad", "--year", YEAR, cwd=work)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        f"{YEAR}: no report yet in bad/{YEAR}",
        f"  runs: not available (the warehouse {work}/bad/warehouse.sqlite is not a SQLite "
        "database)",
    ]


# -- folders nobody can write in -------------------------------------------------------------
@contextmanager
def unwritable(folder: Path) -> Iterator[Path]:
    """``folder`` made one the command cannot write in, even as root (``chattr +i``), for the
    block; skips on a laptop where that does not work, fails on CI."""
    root = os.geteuid() == 0
    if root:
        made = subprocess.run(["chattr", "+i", folder], capture_output=True, check=False)
        require(
            made.returncode == 0,
            "root writes anywhere, and chattr +i (immutable) does not work here",
        )
    else:
        folder.chmod(0o555)
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", folder], check=True) if root else folder.chmod(0o755)


@pytest.fixture
def locked(work: Path) -> Iterator[Path]:
    """``work/locked``: a folder the command cannot write in, even as root."""
    folder = work / "locked"
    folder.mkdir()
    with unwritable(folder):
        yield folder


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            run_args("locked"),
            "oneitu run: --out locked: cannot write in {work}/locked (permission denied); "
            "give a folder you can write in",
            id="run-out",
        ),
        pytest.param(
            run_args("locked/out"),
            "oneitu run: --out locked/out: cannot write in {work}/locked (permission denied); "
            "give a folder you can write in",
            id="run-out-inside",
        ),
        pytest.param(
            ["demo", "--landing", "locked/landing"],
            "oneitu demo: --landing locked/landing: cannot write in {work}/locked (permission "
            "denied); give a folder you can write in",
            id="demo-landing",
        ),
    ],
)
def test_a_folder_that_cannot_be_written_is_a_usage_error(
    work: Path, locked: Path, args: list[object], line: str
) -> None:
    done = oneitu(*args, cwd=work)
    assert one_line(done) == line.format(work=work)
    assert done.returncode == 2
    assert list(locked.iterdir()) == []


def test_a_write_refused_during_the_run_is_one_line_exit_3(work: Path) -> None:
    """The check before the run passes (``--out`` is writable), the year's folder is not."""
    first = oneitu(*run_args("out"), cwd=work)
    assert first.returncode == 0, first.stderr
    year = work / "out" / str(YEAR)
    with unwritable(year):
        done = oneitu(*run_args("out", "--generated-on", "2025-03-01"), cwd=work)
    assert one_line(done) == (
        f"oneitu run: cannot write in {year} (permission denied); give an --out you can "
        "write in, or fix its permissions, then run again"
    )
    assert done.returncode == 3
    report = json.loads((year / f"report_{YEAR}.json").read_text(encoding="utf-8"))
    assert report["generated_on"] != "2025-03-01"  # the published report is untouched


@pytest.fixture
def shared(demo: Path) -> Iterator[Path]:
    """A scratch folder ``nobody`` can enter (pytest's own are private to root), holding a
    folder only root can write in (``locked``), one anyone can (``open``), a file only
    root can read, a landing zone only root can read (``private``) and one whose
    activities folder only root can read (``partly_private``), an output folder only root
    can read (``out_private``) and one whose report only root can read (``report_private``)."""
    require(
        os.geteuid() == 0 and shutil.which("setpriv") is not None,
        "runs the command as nobody: needs root and setpriv",
    )
    folder = Path(tempfile.mkdtemp(prefix="oneitu-cli-errors-"))
    try:
        folder.chmod(0o755)
        shutil.copytree(demo, folder / "landing")
        (folder / "locked").mkdir(mode=0o755)
        (folder / "open").mkdir()
        (folder / "open").chmod(0o777)
        shutil.copytree(demo, folder / "private")
        (folder / "private").chmod(0o700)
        shutil.copytree(demo, folder / "partly_private")
        (folder / "partly_private" / str(YEAR) / "activities").chmod(0o700)
        for out, mode in (("out_private", 0o700), ("report_private", 0o755)):
            report = folder / out / str(YEAR) / f"report_{YEAR}.json"
            report.parent.mkdir(parents=True)
            report.write_text('{"status": "published", "errors": []}', encoding="utf-8")
            report.chmod(0o600)
            (folder / out).chmod(mode)
        (folder / "secret.csv").write_text("indicator_code,year,value\n", encoding="utf-8")
        (folder / "secret.csv").chmod(0o600)
        probe = oneitu("--help", cwd=folder, as_nobody=True)
        require(  # a checkout in a folder only root can enter (mktemp -d) hides it from nobody
            probe.returncode == 0,
            f"nobody cannot run {ONEITU} (clone the project into a folder every user can enter): "
            f"{probe.stderr[-300:]}",
        )
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("args", "exit_code", "line"),
    [
        pytest.param(
            run_args("open/out", landing="private"),
            2,
            "oneitu run: --landing private: cannot read the folder (permission denied); give "
            "a folder you can read",
            id="run-landing-unreadable",
        ),
        pytest.param(  # the activities were skipped silently and the year published, exit 0
            run_args("open/out", landing="partly_private"),
            3,
            f"oneitu run: cannot read partly_private/{YEAR}/activities (permission denied); "
            "make the landing zone readable (--landing), then run again",
            id="run-landing-folder-unreadable",
        ),
        pytest.param(
            run_args("locked/out"),
            2,
            "oneitu run: --out locked/out: cannot write in {work}/locked (permission denied); "
            "give a folder you can write in",
            id="run-out",
        ),
        pytest.param(
            ["demo", "--landing", "locked"],
            2,
            "oneitu demo: --landing locked: cannot write in {work}/locked (permission denied); "
            "give a folder you can write in",
            id="demo-landing",
        ),
        pytest.param(
            ["status", "--out", "out_private", "--year", YEAR],
            2,
            "oneitu status: --out out_private: cannot read the folder (permission denied); "
            "give a folder you can read",
            id="status-out-unreadable",
        ),
        pytest.param(  # a PermissionError traceback before
            ["status", "--out", "report_private", "--year", YEAR],
            3,
            f"oneitu status: report_private/{YEAR}/report_{YEAR}.json: cannot read it "
            "(permission denied); run status as a user who can read --out",
            id="status-report-unreadable",
        ),
        pytest.param(
            ["validate", "secret.csv"],
            2,
            "oneitu validate: secret.csv: permission denied; make the file readable, or check "
            "a copy of it",
            id="validate-unreadable-file",
        ),
    ],
)
def test_as_another_user(shared: Path, args: list[object], exit_code: int, line: str) -> None:
    done = oneitu(*args, cwd=shared, as_nobody=True)
    assert one_line(done) == line.format(work=shared)
    assert done.returncode == exit_code
    assert list((shared / "locked").iterdir()) == []
    assert not (shared / "open" / "out" / str(YEAR)).exists()  # nothing published


# -- a blocked year: each error once -----------------------------------------------------------
@pytest.mark.parametrize(
    ("year", "break_statements"),
    [
        pytest.param(YEAR, True, id="statements-not-a-workbook"),  # an error of ingestion
        pytest.param(YEAR + 1, False, id="no-statements"),  # an error of the report stage
    ],
)
def test_each_blocking_error_is_printed_once(work: Path, year: int, break_statements: bool) -> None:
    if break_statements:
        (work / "landing" / str(YEAR) / "financial_statements.xlsx").write_bytes(b"garbage\n")
    args = ["run", "--landing", "landing", "--year", year, "--out", "out", "--json-only"]
    for attempt in ("first", "unchanged re-run"):
        done = oneitu(*args, cwd=work)
        assert done.returncode == 1, f"{attempt}: {done.stderr}"
        report = json.loads((work / "out" / str(year) / f"report_{year}.json").read_text())
        assert report["status"] == "blocked" and len(report["errors"]) == 1
        error = report["errors"][0]
        line = f"{error['file']}: {error['message']}"
        assert done.stderr.count(error["message"]) == 1, f"{attempt}: {done.stderr}"
        assert done.stderr.splitlines() == [line], attempt
        assert done.stdout.splitlines()[0] == f"{year}: blocked"

"""The ``oneitu`` command: run a year, check files, generate the demo, show a year's status.

``oneitu run --landing DIR --year Y --out DIR [--db URL]`` builds one year without a
scheduler; ``oneitu validate FILE...`` checks files before delivery. See the contract,
section 6. Exit codes, for every command:

- 0: done (``run``: the report is published; ``validate``: no error);
- 1: ``run``: the year is blocked by its data; ``validate``: a file has an error;
  ``status``: the year has no published report;
- 2: a usage error: a bad option, a ``--landing`` that is not there, an ``--out`` that is a
  file or cannot be written, a ``--db`` URL that cannot work, a file to check that is not
  there;
- 3: the command could not be completed: another run holds the year, the warehouse
  failed or is not a database, a package is missing, a file could not be written.

Every error but the lines of a blocked year is one line on stderr, ``oneitu COMMAND:
what is wrong; what to do``, never a traceback (``-v`` adds one for an unexpected error).
A blocked year's errors are printed once each, as ``oneitu validate`` prints them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from oneitu_etl.collector import imported_and_set_aside

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
#: The first bytes of every SQLite database file (an empty file is a new database too).
SQLITE_HEADER = b"SQLite format 3\x00"
#: What a ``--db`` URL looks like, for messages.
DB_URL_FORMS = "sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"


class CommandError(Exception):
    """A mistake in the command line, or a failure around it: one line and an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    """argparse, its errors on one line: the usage is one ``--help`` away."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}; see {self.prog} --help\n")


def _text(text: str) -> str:
    """A path or URL option: never empty (``--out "$OUT"`` with ``OUT`` unset wrote in ``.``)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty (an unset variable?)")
    return text


def _path(text: str) -> Path:
    return Path(_text(text))


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"not a plausible financial year: {year}")
    return year


def _languages(text: str) -> tuple[str, ...]:
    from oneitu_etl.settings import parse_languages  # noqa: PLC0415

    try:
        return parse_languages(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = _Parser(prog="oneitu", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    # ``-v`` after the command too; SUPPRESS: the command's default must not reset it
    verbose = _Parser(add_help=False)
    verbose.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", help="build one year's report from a landing zone", parents=[verbose]
    )
    run.add_argument(
        "--landing", required=True, type=_text, help="landing zone root (folder or URL)"
    )
    run.add_argument("--year", required=True, type=_year)
    run.add_argument("--out", required=True, type=_path, help="report output root")
    run.add_argument(
        "--db", type=_text, help="warehouse SQLAlchemy URL (default: SQLite file in --out)"
    )
    run.add_argument(
        "--generated-on", type=_date, help="date printed on the report (default today)"
    )
    run.add_argument("--no-pdf", action="store_true", help="skip the PDF rendering")
    run.add_argument(
        "--languages",
        type=_languages,
        help="publish the report in these languages only, comma-separated (default: all six, "
        "ar,en,es,fr,ru,zh)",
    )
    run.add_argument(
        "--json-only",
        action="store_true",
        help="publish report_<Y>.json alone: no HTML, PDF, workbook nor Great Expectations "
        "stage (rows and reconciliation are still validated at ingestion)",
    )

    val = sub.add_parser("validate", help="check files before delivering them", parents=[verbose])
    val.add_argument("files", nargs="+", type=_path)

    demo = sub.add_parser(
        "demo", help="generate the demo landing zone's missing files", parents=[verbose]
    )
    demo.add_argument("--landing", required=True, type=_path)
    demo.add_argument("--years", nargs="+", type=_year, default=[2023, 2024])
    demo.add_argument(
        "--overwrite",
        action="store_true",
        help="replace files already in the landing zone with the demo's (a reset)",
    )

    status = sub.add_parser(
        "status", help="show a year's report status, files and runs", parents=[verbose]
    )
    status.add_argument("--out", required=True, type=_path)
    status.add_argument("--year", required=True, type=_year)
    status.add_argument(
        "--db", type=_text, help="warehouse SQLAlchemy URL (default: SQLite file in --out)"
    )
    return parser


# -- checks made before a command starts -------------------------------------------------
def _writable_folder(path: Path, option: str) -> None:
    """Check that ``path`` is a folder the command can write in, or can create.

    Raises:
        CommandError: (usage) ``path`` or one of its parents is a file, or the nearest
            folder that exists cannot be written in. Root passes the permission check
            anywhere; a write that fails all the same is handled where it happens.
    """
    if os.path.exists(path) and not path.is_dir():
        raise CommandError(
            f"{option} {path}: is a file, not a folder; give a folder (it is created if missing)",
            EXIT_USAGE,
        )
    existing = path.absolute()
    while not os.path.exists(existing):
        existing = existing.parent
    if not existing.is_dir():
        raise CommandError(
            f"{option} {path}: {existing} is a file, not a folder; give a folder "
            "(it is created if missing)",
            EXIT_USAGE,
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(
            f"{option} {path}: cannot write in {existing} (permission denied); "
            "give a folder you can write in",
            EXIT_USAGE,
        )


def _existing_folder(path: Path, option: str) -> None:
    """Check that ``path`` is a folder that exists (``status`` reads it, never creates it)."""
    if not os.path.exists(path):
        raise CommandError(f"{option} {path}: no such folder; give the --out of a run", EXIT_USAGE)
    if not path.is_dir():
        raise CommandError(f"{option} {path}: is a file, not a folder", EXIT_USAGE)
    if not os.access(path, os.R_OK | os.X_OK):
        raise CommandError(
            f"{option} {path}: cannot read the folder (permission denied); give a folder "
            "you can read",
            EXIT_USAGE,
        )


def _shown_url(url: str) -> str:
    """``url`` as messages show it: without its password."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _warehouse_file_problem(path: Path) -> str | None:
    """What makes the SQLite file at ``path`` unusable as the warehouse, if anything.

    A missing file is fine (a new warehouse is created), and so is an empty one.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return f"the warehouse {path} is a folder, not a database file"
    except OSError as exc:
        return f"the warehouse {path} cannot be read ({exc.strerror})"
    if head and head != SQLITE_HEADER:
        return f"the warehouse {path} is not a SQLite database"
    return None


def _check_db(db: str | None) -> None:
    """Check a ``--db`` URL before anything is written (``status`` too: it creates nothing).

    Raises:
        CommandError: (usage) not a URL SQLAlchemy can read, or a SQLite file whose folder
            does not exist; (failed) the URL's driver is not installed.
    """
    from oneitu_etl.settings import sqlite_file  # noqa: PLC0415 - light: no SQLAlchemy

    if not db:
        return
    if not db.startswith("sqlite"):
        _check_server_url(db)
        return
    file = sqlite_file(db)  # None: in memory, or a URL that SQLAlchemy refuses (exit 2)
    if file is not None and not Path(file).parent.is_dir():
        raise CommandError(
            f"--db {db}: the folder {Path(file).parent} does not exist; create it, or give "
            "a file in a folder that exists",
            EXIT_USAGE,
        )


def _check_warehouse_file(db_url: str, option: str) -> None:
    """Check that a SQLite warehouse that exists is a database the run can open.

    Raises:
        CommandError: (failed) the file is a folder, cannot be read or is not a database.
    """
    from oneitu_etl.settings import sqlite_file  # noqa: PLC0415

    file = sqlite_file(db_url)
    if file is not None and (problem := _warehouse_file_problem(Path(file))):
        raise CommandError(
            f"{problem}; restore it from a backup, or move it away to start a new "
            f"warehouse, or give another {option}",
            EXIT_FAILED,
        )


def _check_server_url(db: str) -> None:
    """Check that a server ``--db`` URL names a database and a driver that is installed."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415

    try:
        url = make_url(db)
        dialect = url.get_dialect()
    except ArgumentError as exc:  # NoSuchModuleError too: an unknown database name
        raise CommandError(
            f"--db {_shown_url(db)}: not a valid database URL ({exc}); write {DB_URL_FORMS}",
            EXIT_USAGE,
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise CommandError(
            f"--db {_shown_url(db)}: the {url.drivername} driver is not installed ({exc}); "
            f"install it, or write {DB_URL_FORMS}",
            EXIT_FAILED,
        ) from None


# -- the commands --------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from oneitu_etl.rerun import unchanged_report  # noqa: PLC0415 - light: no pandas
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    landing = args.landing
    if "://" not in landing and not Path(landing).is_dir():
        problem = "is a file, not a folder" if os.path.exists(landing) else "no such folder"
        raise CommandError(f"--landing {landing}: {problem}", EXIT_USAGE)
    if "://" not in landing and not os.access(landing, os.R_OK | os.X_OK):
        raise CommandError(
            f"--landing {landing}: cannot read the folder (permission denied); give a folder "
            "you can read",
            EXIT_USAGE,
        )
    _writable_folder(args.out, "--out")
    _check_db(args.db)
    # the options decide where; the environment may tune limits and lock timeouts
    chosen = {"languages": args.languages} if args.languages else {}
    settings = Settings.from_env(
        landing=landing, out=args.out, db_url=args.db or "", archive=None, **chosen
    )
    _check_warehouse_file(settings.db_url, "--db" if args.db else "--out")
    options = {
        "generated_on": args.generated_on,
        "pdf": not args.no_pdf,
        "json_only": args.json_only,
    }
    # a re-run on unchanged inputs writes nothing: answered before the pipeline is imported
    result = unchanged_report(settings, args.year, **options)
    if result is not None:
        return _print_run(result)
    # the modules of the run (pandas, SQLAlchemy, DuckDB) left out of cycle collections
    with imported_and_set_aside("oneitu_etl.pipeline"):
        return _run_year(args, settings, options)


def _run_year(args: argparse.Namespace, settings: object, options: dict) -> int:
    from sqlalchemy.exc import ArgumentError, DBAPIError  # noqa: PLC0415

    from oneitu_etl.pipeline import SetupError, UsageError, failure_reason, run_year  # noqa: PLC0415
    from oneitu_etl.resources import Resources  # noqa: PLC0415
    from oneitu_etl.settings import sqlite_file  # noqa: PLC0415
    from oneitu_etl.warehouse.locks import YearLocked  # noqa: PLC0415

    try:
        # one engine, landing zone and reference data for the whole run, disposed after it
        with Resources(settings) as resources:  # type: ignore[arg-type]
            result = run_year(resources, args.year, **options)
    except UsageError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except (YearLocked, SetupError) as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None
    except ArgumentError as exc:
        raise CommandError(
            f"--db {_shown_url(args.db or settings.db_url)}: not a valid database URL ({exc}); "
            f"write {DB_URL_FORMS}",
            EXIT_USAGE,
        ) from None
    except DBAPIError as exc:  # connection refused, lost, restarted; a broken file
        file = sqlite_file(settings.db_url)  # type: ignore[attr-defined]
        if file is not None:
            raise CommandError(
                f"the warehouse {file} failed ({failure_reason(exc)}); nothing partial was "
                "kept; check that it and its folder can be read and written, then run again",
                EXIT_FAILED,
            ) from None
        raise CommandError(
            f"the warehouse could not be reached or failed during the run; "
            f"nothing partial was kept, run it again once it is back ({failure_reason(exc)})",
            EXIT_FAILED,
        ) from None
    except OSError as exc:  # a folder or file of --out that cannot be written, a full disk
        local = None if "://" in args.landing else args.landing
        raise CommandError(_os_error_line(exc, "--out", local), EXIT_FAILED) from None
    return _print_run(result)


def _os_error_line(exc: OSError, option: str, landing: str | None = None) -> str:
    """One line for a file or folder that could not be read or written during a command.

    Args:
        exc: The error.
        option: The option naming where the command writes (``--out``).
        landing: The local landing zone the command reads, if any: an error there is a read.
    """
    if exc.filename is None:
        return f"{option}: {exc.strerror or exc}; fix it, then run again"
    path = Path(exc.filename)
    reading = landing is not None and path.absolute().is_relative_to(Path(landing).absolute())
    if isinstance(exc, PermissionError) and reading:
        return (
            f"cannot read {path} (permission denied); make the landing zone readable "
            "(--landing), then run again"
        )
    if isinstance(exc, PermissionError):
        # a write refused names the hidden temporary; the folder is what to fix
        folder = path.parent if path.name.startswith(".") else path
        return (
            f"cannot write in {folder} (permission denied); give an {option} you can write "
            "in, or fix its permissions, then run again"
        )
    return f"{path}: {exc.strerror or exc}; fix it, then run again"


def _print_run(result: object) -> int:
    """Print a run's errors, status and files; its exit code."""
    for issue in result.errors:  # type: ignore[attr-defined]
        print(issue.line(), file=sys.stderr)
    for note in result.notes:  # type: ignore[attr-defined]
        print(note, file=sys.stderr)
    print(f"{result.year}: {result.status}")  # type: ignore[attr-defined]
    for path in result.published:  # type: ignore[attr-defined]
        print(path)
    return result.exit_code  # type: ignore[attr-defined]


def _validate(args: argparse.Namespace) -> int:
    from oneitu_etl.checkfiles import NamedFile, check_files  # noqa: PLC0415
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    files, unreadable = [], []
    for path in args.files:
        try:
            files.append(NamedFile(str(path), path.read_bytes()))
        except OSError as exc:
            unreadable.append(f"oneitu validate: {path}: {_unreadable(exc, path)}")
    issues = check_files(files, Settings(landing="", out=Path("."))) if files else []
    for issue in issues:
        print(issue.line())
    for line in unreadable:  # after the files' lines: the last lines a person sees
        print(line, file=sys.stderr)
    if unreadable:
        return EXIT_USAGE
    return EXIT_BLOCKED if any(i.is_error for i in issues) else EXIT_OK


def _unreadable(exc: OSError, path: Path) -> str:
    """Why a file given to ``validate`` cannot be read, and what to do."""
    if isinstance(exc, FileNotFoundError):
        return "no such file; check the path"
    if isinstance(exc, IsADirectoryError):
        return f"is a folder; give the files in it (for example {path}/*.csv)"
    if isinstance(exc, PermissionError):
        return "permission denied; make the file readable, or check a copy of it"
    return f"cannot read the file ({exc.strerror or exc})"


def _demo(args: argparse.Namespace) -> int:
    from oneitu_etl.demo import generate_landing, plan_of_year  # noqa: PLC0415

    for year in args.years:
        try:
            plan_of_year(year)
        except ValueError as exc:
            raise CommandError(
                f"--years {year}: {exc}; give years of a Strategic Plan cycle the project ships",
                EXIT_USAGE,
            ) from None
    _writable_folder(args.landing, "--landing")
    try:
        written = generate_landing(args.landing, args.years, overwrite=args.overwrite)
    except OSError as exc:
        raise CommandError(_os_error_line(exc, "--landing"), EXIT_FAILED) from None
    for path in written:
        logging.getLogger("oneitu").info("wrote %s", path)
    print(
        f"demo landing zone for {', '.join(map(str, args.years))}: {args.landing} "
        f"({len(written)} files written, existing files "
        f"{'replaced' if args.overwrite else 'kept'})"
    )
    return EXIT_OK


def _runs(args: argparse.Namespace) -> list[str]:
    """Lines for the year's latest runs in the warehouse (none if there is no warehouse)."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from oneitu_etl import warehouse  # noqa: PLC0415
    from oneitu_etl.settings import default_db_url, sqlite_file  # noqa: PLC0415
    from oneitu_etl.warehouse import runs  # noqa: PLC0415

    url = args.db or default_db_url(args.out)
    if (file := sqlite_file(url)) is not None:
        if not os.path.exists(file):  # status never creates a warehouse
            return []
        if problem := _warehouse_file_problem(Path(file)):
            return [f"  runs: not available ({problem})"]
    try:
        engine = warehouse.make_engine(url)
        try:
            with engine.connect() as conn:
                rows = runs.latest(conn, args.year)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        return [f"  runs: not available ({str(exc).splitlines()[0]})"]
    lines = []
    for row in rows:
        started = f"{row['started_at']:%Y-%m-%d %H:%M:%S}"
        message = f"  {row['message']}" if row["message"] else ""
        lines.append(f"  run {row['id']} started {started} UTC: {row['status']}{message}")
    return lines


def _read_report(report: Path) -> dict | None:
    """A published ``report_<Y>.json`` (for ``status``); ``None`` when there is none yet.

    Raises:
        CommandError: (failed) the report cannot be read, or is not a report.
    """
    try:
        text = report.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except PermissionError:
        raise CommandError(
            f"{report}: cannot read it (permission denied); run status as a user who can "
            "read --out",
            EXIT_FAILED,
        ) from None
    except (OSError, ValueError) as exc:  # a folder, a year "folder" that is a file, not UTF-8
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise CommandError(
            f"{report}: cannot be read as a report ({reason}); run oneitu run again to rebuild it",
            EXIT_FAILED,
        ) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CommandError(
            f"{report}: cannot be read as a report (not JSON: {exc}); run oneitu run again "
            "to rebuild it",
            EXIT_FAILED,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        raise CommandError(
            f"{report}: not a report (no status); run oneitu run again to rebuild it",
            EXIT_FAILED,
        )
    return data


def _status(args: argparse.Namespace) -> int:
    from oneitu_etl.outcome import set_aside_lines  # noqa: PLC0415

    _existing_folder(args.out, "--out")
    _check_db(args.db)
    folder = args.out / str(args.year)
    data = _read_report(folder / f"report_{args.year}.json")
    runs = _runs(args)
    if data is None:
        print(f"{args.year}: no report yet in {folder}")
        for line in runs:
            print(line)
        return EXIT_BLOCKED
    print(f"{args.year}: {data['status']}")
    for error in data.get("errors", []):
        print(f"  error: {error['file']}: {error['message']}")
    for line in set_aside_lines(data):
        print(f"  {line}")
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            print(path.resolve())
    for line in runs:
        print(line)
    return EXIT_OK if data["status"] == "published" else EXIT_BLOCKED


def _not_printed_by_the_command(record: logging.LogRecord) -> bool:
    """Leave out the log records of a blocked year's errors: ``run`` prints each once."""
    return getattr(record, "issue", None) is None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``oneitu``; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.addFilter(_not_printed_by_the_command)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )
    handlers = {"run": _run, "validate": _validate, "demo": _demo, "status": _status}
    try:
        return handlers[args.command](args)
    except CommandError as exc:
        print(f"oneitu {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - a command never ends in a traceback
        if args.verbose:
            logging.getLogger("oneitu").exception("unexpected error")
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"oneitu {args.command}: unexpected error ({type(exc).__name__}: {first}); "
            "run it again with -v for the details, and report it if it persists",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

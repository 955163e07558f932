"""The ``oneitu`` command: run a year, check files, generate the demo, show a year's status.

``oneitu run --landing DIR --year Y --out DIR [--db URL]`` builds one year without a
scheduler (exit 0 published, 1 blocked, 2 usage error, 3 the run could not be completed:
another run holds the year, or the warehouse failed; one line on stderr says which);
``oneitu validate FILE...`` checks files before delivery (exit 1 on any error). See the
contract, section 6.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"not a plausible financial year: {year}")
    return year


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = argparse.ArgumentParser(prog="oneitu", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="build one year's report from a landing zone")
    run.add_argument("--landing", required=True, help="landing zone root (folder or URL)")
    run.add_argument("--year", required=True, type=_year)
    run.add_argument("--out", required=True, type=Path, help="report output root")
    run.add_argument("--db", help="warehouse SQLAlchemy URL (default: SQLite file in --out)")
    run.add_argument(
        "--generated-on", type=_date, help="date printed on the report (default today)"
    )
    run.add_argument("--no-pdf", action="store_true", help="skip the PDF rendering")
    run.add_argument(
        "--json-only",
        action="store_true",
        help="publish report_<Y>.json alone: no HTML, PDF, workbook nor Great Expectations "
        "stage (rows and reconciliation are still validated at ingestion)",
    )

    val = sub.add_parser("validate", help="check files before delivering them")
    val.add_argument("files", nargs="+", type=Path)

    demo = sub.add_parser("demo", help="generate the demo landing zone's missing files")
    demo.add_argument("--landing", required=True, type=Path)
    demo.add_argument("--years", nargs="+", type=_year, default=[2023, 2024])
    demo.add_argument(
        "--overwrite",
        action="store_true",
        help="replace files already in the landing zone with the demo's (a reset)",
    )

    status = sub.add_parser("status", help="show a year's report status, files and runs")
    status.add_argument("--out", required=True, type=Path)
    status.add_argument("--year", required=True, type=_year)
    status.add_argument("--db", help="warehouse SQLAlchemy URL (default: SQLite file in --out)")
    return parser


def _run(args: argparse.Namespace) -> int:
    from oneitu_etl.rerun import unchanged_report  # noqa: PLC0415 - light: no pandas
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    landing = args.landing
    if "://" not in landing and not Path(landing).is_dir():
        print(f"oneitu run: --landing {landing}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    # the options decide where; the environment may tune limits and lock timeouts
    settings = Settings.from_env(landing=landing, out=args.out, db_url=args.db or "", archive=None)
    options = {
        "generated_on": args.generated_on,
        "pdf": not args.no_pdf,
        "json_only": args.json_only,
    }
    # a re-run on unchanged inputs writes nothing: answered before the pipeline is imported
    result = unchanged_report(settings, args.year, **options)
    return _print_run(result) if result is not None else _run_year(args, settings, options)


def _run_year(args: argparse.Namespace, settings: object, options: dict) -> int:
    from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError  # noqa: PLC0415

    from oneitu_etl.pipeline import UsageError, failure_reason, run_year  # noqa: PLC0415
    from oneitu_etl.warehouse.locks import YearLocked  # noqa: PLC0415

    try:
        result = run_year(settings, args.year, **options)  # type: ignore[arg-type]
    except UsageError as exc:
        print(f"oneitu run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except YearLocked as exc:
        print(f"oneitu run: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ArgumentError as exc:
        print(f"oneitu run: --db {args.db}: not a valid database URL ({exc})", file=sys.stderr)
        return EXIT_USAGE
    except (OperationalError, InterfaceError) as exc:  # connection refused, lost, restarted
        print(
            f"oneitu run: the warehouse could not be reached or failed during the run; "
            f"nothing partial was kept, run it again once it is back ({failure_reason(exc)})",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return _print_run(result)


def _print_run(result: object) -> int:
    """Print a run's errors, status and files; its exit code."""
    for issue in result.errors:  # type: ignore[attr-defined]
        print(issue.line(), file=sys.stderr)
    print(f"{result.year}: {result.status}")  # type: ignore[attr-defined]
    for path in result.published:  # type: ignore[attr-defined]
        print(path)
    return result.exit_code  # type: ignore[attr-defined]


def _validate(args: argparse.Namespace) -> int:
    from oneitu_etl.checkfiles import NamedFile, check_files  # noqa: PLC0415
    from oneitu_etl.issues import Issue  # noqa: PLC0415
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    files, unreadable = [], []
    for path in args.files:
        try:
            files.append(NamedFile(str(path), path.read_bytes()))
        except OSError as exc:
            unreadable.append(Issue(str(path), f"cannot read the file: {exc.strerror}"))
    issues = unreadable + check_files(files, Settings(landing="", out=Path(".")))
    for issue in issues:
        print(issue.line())
    return EXIT_BLOCKED if any(i.is_error for i in issues) else EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from oneitu_etl.demo import generate_landing  # noqa: PLC0415

    written = generate_landing(args.landing, args.years, overwrite=args.overwrite)
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
    from oneitu_etl.settings import default_db_url  # noqa: PLC0415
    from oneitu_etl.warehouse import runs  # noqa: PLC0415

    if not args.db and not (args.out / "warehouse.sqlite").exists():
        return []
    try:
        engine = warehouse.make_engine(args.db or default_db_url(args.out))
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


def _status(args: argparse.Namespace) -> int:
    folder = args.out / str(args.year)
    report = folder / f"report_{args.year}.json"
    runs = _runs(args)
    if not report.exists():
        print(f"{args.year}: no report yet in {folder}")
        for line in runs:
            print(line)
        return EXIT_BLOCKED
    data = json.loads(report.read_text(encoding="utf-8"))
    print(f"{args.year}: {data['status']}")
    for error in data.get("errors", []):
        print(f"  error: {error['file']}: {error['message']}")
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            print(path.resolve())
    for line in runs:
        print(line)
    return EXIT_OK if data["status"] == "published" else EXIT_BLOCKED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``oneitu``; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handlers = {"run": _run, "validate": _validate, "demo": _demo, "status": _status}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

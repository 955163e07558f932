"""One ITU benchmark: the pipeline against bare tools, side by side, in one run.

Prints one table of ratios (issue 9's targets):

1. throughput: ``oneitu run --json-only`` on a year whose ledger has ``--lines`` lines
   (SQLite) against DuckDB's bare ``SELECT org_unit, strategic_code, sum(amount_chf) FROM
   read_csv(...) GROUP BY ALL`` and pandas ``read_csv`` + ``groupby`` on the same file;
2. memory: peak RSS of the same run with a ``--big-lines`` ledger against the first;
3. DAG parsing: importing each file of ``dags/`` against an empty DAG file with the same
   ``airflow.sdk`` import, in fresh processes;
4. no-op re-run: ``oneitu run`` again on the unchanged landing zone and ``--out``;
5. history: the marts of one year with ``--history-years`` years of ledgers loaded
   against one year loaded;
6. PostgreSQL: the throughput run against the local server, beside SQLite;
7. languages: the whole job on the demo year in the six languages against the same job
   with ``--languages en,fr``;
8. activities: the whole job on the v2 example with 20,000 activities against 2,000, and
   the pages of its English PDF.

Every command runs in a fresh process; measurements alternate (target, baseline, target,
...) and the table gives medians, so that a noisy, shared machine weighs on both sides
alike. Wall time decides; CPU time (user + system) is printed beside it. Landing zones
are generated once per size and seed under ``--work`` and reused.

    .venv/bin/python benchmarks/run.py                     # the full benchmark
    .venv/bin/python benchmarks/run.py --quick             # 10k lines, one repeat
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from activities import write_scaled  # noqa: E402
from ledger import write_landing  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YEAR = 2024
GIB = 1024**3
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


# -- measuring ----------------------------------------------------------------------------
@dataclass
class Sample:
    """One process: wall time, CPU time (user + system), peak resident memory."""

    wall: float
    cpu: float
    rss: int
    code: int
    out: str = ""


def measure(argv: Sequence[str], env: dict[str, str] | None = None) -> Sample:
    """Run ``argv`` in a fresh process; its own rusage (``wait4``), not its siblings'."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        text=True,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stdout:
        proc.stdout.close()
    return Sample(
        wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode, out
    )


@dataclass
class Series:
    """Repeated samples of one measurement."""

    name: str
    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> Sample:
        self.samples.append(sample)
        return sample

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> int:
        return max(s.rss for s in self.samples)


def checked(sample: Sample, what: str, codes: tuple[int, ...] = (0,)) -> Sample:
    if sample.code not in codes:
        raise SystemExit(f"benchmark: {what} exited {sample.code}:\n{sample.out[-3000:]}")
    return sample


# -- the commands -------------------------------------------------------------------------
DUCKDB = """
import sys, duckdb
rows = duckdb.sql(
    "SELECT org_unit, strategic_code, sum(amount_chf) FROM read_csv(?) GROUP BY ALL",
    params=[sys.argv[1]],
).fetchall()
print(len(rows))
"""
PANDAS = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1])
print(len(frame.groupby(["org_unit", "strategic_code"])["amount_chf"].sum()))
"""


def oneitu_run(
    landing: Path, out: Path, db: str | None = None, *, json_only: bool = True
) -> list[str]:
    argv = [str(BIN / "oneitu"), "run", "--landing", str(landing), "--year", str(YEAR)]
    argv += ["--out", str(out)] + (["--json-only"] if json_only else [])
    return argv + (["--db", db] if db else [])


def published(out: Path) -> bool:
    report = out / str(YEAR) / f"report_{YEAR}.json"
    return json.loads(report.read_text(encoding="utf-8"))["status"] == "published"


class Postgres:
    """Throw-away databases on the local PostgreSQL server."""

    def __init__(self, server: str):
        import psycopg  # noqa: PLC0415

        self.psycopg = psycopg
        self.server = server
        self.names: list[str] = []
        with psycopg.connect(server, connect_timeout=5):
            pass

    def create(self) -> str:
        from psycopg import sql  # noqa: PLC0415

        name = f"oneitu_bench_{uuid.uuid4().hex[:10]}"
        with self.psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.names.append(name)
        base = self.server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        return f"{base}/{name}"

    def drop_all(self) -> None:
        from psycopg import sql  # noqa: PLC0415

        with self.psycopg.connect(self.server, autocommit=True) as conn:
            for name in self.names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.names = []


# -- history ------------------------------------------------------------------------------
HISTORY = """
import json, statistics, sys, time
from sqlalchemy import create_engine
from oneitu_etl import marts
from oneitu_etl.reference import load_reference

year, runs, urls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
reference = load_reference()
times = {url: [] for url in urls}
for _ in range(runs):  # alternate: the machine's noise weighs on both alike
    for url in urls:
        engine = create_engine(url)
        with engine.connect() as conn:
            start = time.perf_counter()
            marts.report_figures(conn, year, reference, 1.0)
            times[url].append(time.perf_counter() - start)
        engine.dispose()
print(json.dumps([statistics.median(times[u]) for u in urls]))
"""


def add_history(database: Path, years: int) -> int:
    """Copy the year's current deliveries and rows into ``years - 1`` earlier years.

    Returns:
        Ledger lines in the warehouse afterwards.
    """
    from sqlalchemy import create_engine, func, insert, literal, select  # noqa: PLC0415

    from oneitu_etl.warehouse import schema as s  # noqa: PLC0415

    engine = create_engine(f"sqlite:///{database}")
    d = s.deliveries
    with engine.begin() as conn:
        current = (
            conn.execute(select(d).where(d.c.year == YEAR, d.c.superseded_at.is_(None)))
            .mappings()
            .all()
        )
        for back in range(1, years):
            year = YEAR - back
            for delivery in current:
                values = {k: v for k, v in delivery.items() if k != "id"}
                values["year"] = year
                values["path"] = f"{year}/" + delivery["path"].split("/", 1)[1]
                new = conn.execute(insert(d).values(**values)).inserted_primary_key[0]
                tables = (*s.DATA_TABLES.values(), s.activity_partners)
                for table in (*tables, s.ledger_totals, s.ledger_files):
                    if "delivery_id" not in table.c:
                        continue
                    columns = []
                    for column in table.columns:
                        if column.name == "delivery_id":
                            columns.append(literal(new).label("delivery_id"))
                        elif column.name == "year":
                            columns.append(literal(year).label("year"))
                        else:
                            columns.append(column)
                    query = select(*columns).where(table.c.delivery_id == delivery["id"])
                    conn.execute(insert(table).from_select([c.name for c in table.columns], query))
        # the lines themselves are in the ledger store: one file per content, shared
        rows = conn.execute(select(func.sum(s.ledger_files.c.lines))).scalar()
    engine.dispose()
    return int(rows)


# -- DAG parsing --------------------------------------------------------------------------
PARSE = """
import runpy, sys, time
sys.path.insert(0, sys.argv[2])
start = time.perf_counter()
runpy.run_path(sys.argv[1])
print(time.perf_counter() - start)
"""


def sdk_imports(path: Path) -> str:
    """The ``from airflow.sdk import ...`` statements of a DAG file, as written."""
    lines, keep = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("from airflow.sdk import"):
            keep = True
        if keep:
            lines.append(line)
            keep = "(" in "".join(lines) and ")" not in line
    return "\n".join(lines) + "\n"


def parse_seconds(file: Path, env: dict[str, str]) -> float:
    sample = measure([sys.executable, "-c", PARSE, str(file), str(ROOT / "dags")], env)
    checked(sample, f"importing {file.name}")
    return float(sample.out.strip().splitlines()[-1])


# -- the table ----------------------------------------------------------------------------
@dataclass
class Row:
    number: str
    measure: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    limit: float | None
    extra: str = ""

    @property
    def verdict(self) -> str:
        if self.ratio is None or self.limit is None:
            return ""
        return "ok" if self.ratio <= self.limit else "MISSED"


def print_table(rows: list[Row], title: str) -> None:
    header = ("#", "measure", "value", "baseline", "ratio", "target", "", "CPU ratio / notes")
    cells = [header] + [
        (
            r.number,
            r.measure,
            r.value,
            r.baseline,
            f"{r.ratio:.2f}x" if r.ratio is not None else "",
            r.target,
            r.verdict,
            r.extra,
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    print()
    print(title)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for c in cells[1:]:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
    print()


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def mib(value: int) -> str:
    return f"{value / 1024**2:,.0f} MiB"


# -- the benchmark ------------------------------------------------------------------------
def landing_for(work: Path, lines: int, seed: int) -> Path:
    root = work / f"landing-{lines}-{seed}"
    ledger = root / str(YEAR) / "expense_ledger.csv"
    stamp = root / ".complete"
    if not stamp.exists():
        print(f"generating a {lines:,}-line ledger under {root}", flush=True)
        write_landing(root, lines, year=YEAR, seed=seed)
        stamp.write_text(str(ledger.stat().st_size))
    return root


def languages_row(work: Path, repeats: int, log: Callable[[str], None]) -> Row:
    """The whole job in six languages against the same job with ``--languages en,fr``.

    On the demo landing zone (``oneitu demo``: every input a year can have), fresh
    ``--out`` each time, alternating; GX stage 2, HTML, PDF and workbooks included.
    """
    landing = work / "demo-landing"
    if not (landing / str(YEAR)).is_dir():
        checked(measure([str(BIN / "oneitu"), "demo", "--landing", str(landing)]), "oneitu demo")
    six, two = Series("six"), Series("two")
    for i in range(repeats):
        for series, extra in ((six, []), (two, ["--languages", "en,fr"])):
            out = work / "runs" / f"out-lang-{series.name}"
            shutil.rmtree(out, ignore_errors=True)
            argv = oneitu_run(landing, out, json_only=False) + extra
            sample = checked(series.add(measure(argv)), f"oneitu run ({series.name} languages)")
            if not published(out):
                raise SystemExit(f"benchmark: the demo year was not published:\n{sample.out}")
            log(f"languages {i + 1}: {series.name} {sample.wall:.2f} s")
    return Row(
        "7",
        "whole job, six languages vs --languages en,fr (demo year)",
        seconds(six.wall),
        f"en,fr {seconds(two.wall)}",
        six.wall / two.wall,
        "<= 2.0x",
        2.0,
        f"CPU {six.cpu / two.cpu:.2f}x; peak RSS {mib(six.rss)} vs {mib(two.rss)}",
    )


def pdf_pages(path: Path) -> int:
    """Pages of a PDF, as ``pdfinfo`` (poppler) counts them."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def activities_rows(work: Path, repeats: int, log: Callable[[str], None]) -> list[Row]:
    """The whole job on the v2 example with 20,000 activities against 2,000: time, and the
    pages of the Council's PDF (which must not grow with the activities)."""
    big, small = Series("20000"), Series("2000")
    pages: dict[str, int] = {}
    for series in (big, small):
        write_scaled(work / f"landing-v2-{series.name}", int(series.name))
    for i in range(repeats):
        for series in (big, small):
            out = work / "runs" / f"out-activities-{series.name}"
            shutil.rmtree(out, ignore_errors=True)
            argv = oneitu_run(work / f"landing-v2-{series.name}", out, json_only=False)
            sample = checked(series.add(measure(argv)), f"oneitu run ({series.name} activities)")
            if not published(out):
                raise SystemExit(f"benchmark: the v2 example was not published:\n{sample.out}")
            pages[series.name] = pdf_pages(out / str(YEAR) / f"strategic_plan_report_{YEAR}_en.pdf")
            log(
                f"activities {i + 1}: {series.name} {sample.wall:.2f} s, {pages[series.name]} pages"
            )
    return [
        Row(
            "8",
            "whole job, v2 example, 20,000 activities vs 2,000",
            seconds(big.wall),
            f"2,000 {seconds(small.wall)}",
            big.wall / small.wall,
            "<= 1.5x",
            1.5,
            f"CPU {big.cpu / small.cpu:.2f}x; peak RSS {mib(big.rss)} vs {mib(small.rss)}",
        ),
        Row(
            "8",
            "pages of the English PDF, 20,000 activities vs 2,000",
            str(pages["20000"]),
            f"2,000 {pages['2000']}",
            pages["20000"] / pages["2000"],
            "<= 1.1x",
            1.1,
        ),
    ]


def throughput(
    landing: Path,
    work: Path,
    repeats: int,
    log: Callable[[str], None],
    db: Callable[[], str] | None,
) -> dict[str, Series]:
    """Cold runs, no-op re-runs and both baselines, alternating."""
    ledger = landing / str(YEAR) / "expense_ledger.csv"
    series = {n: Series(n) for n in ("run", "noop", "duckdb", "pandas", "pg")}
    for i in range(repeats):
        out = work / f"out-{i}"
        shutil.rmtree(out, ignore_errors=True)
        sample = checked(series["run"].add(measure(oneitu_run(landing, out))), "oneitu run")
        if not published(out):
            raise SystemExit(f"benchmark: the year was not published:\n{sample.out}")
        log(f"run {i + 1}: cold {sample.wall:.2f} s")
        again = checked(series["noop"].add(measure(oneitu_run(landing, out))), "no-op re-run")
        log(f"run {i + 1}: no-op {again.wall:.2f} s")
        for name, code in (("duckdb", DUCKDB), ("pandas", PANDAS)):
            base = checked(
                series[name].add(measure([sys.executable, "-c", code, str(ledger)])), name
            )
            log(f"run {i + 1}: {name} {base.wall:.2f} s")
        if db is not None:
            pg_out = work / f"out-pg-{i}"
            shutil.rmtree(pg_out, ignore_errors=True)
            pg = checked(series["pg"].add(measure(oneitu_run(landing, pg_out, db()))), "PG run")
            if not published(pg_out):
                raise SystemExit(f"benchmark: the PostgreSQL run was not published:\n{pg.out}")
            log(f"run {i + 1}: PostgreSQL {pg.wall:.2f} s")
    return series


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="ledger lines (1)")
    parser.add_argument("--big-lines", type=int, default=5_000_000, help="ledger lines (2)")
    parser.add_argument("--history-years", type=int, default=10, help="years loaded (5)")
    parser.add_argument("--repeats", type=int, default=3, help="samples of each timing")
    parser.add_argument("--dag-runs", type=int, default=5, help="imports of each DAG file")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--work", type=Path, default=None, help="work folder (kept)")
    parser.add_argument("--pg", default=PG_SERVER, help="PostgreSQL server ('' to skip)")
    parser.add_argument("--quick", action="store_true", help="10k lines, one repeat (smoke)")
    args = parser.parse_args(argv)
    if args.quick:
        args.lines, args.big_lines, args.history_years = 10_000, 20_000, 2
        args.repeats, args.dag_runs = 1, 1
    work = args.work or Path(tempfile.gettempdir()) / "oneitu-bench"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {text}", flush=True)

    small = landing_for(work, args.lines, args.seed)
    big = landing_for(work, args.big_lines, args.seed)
    ledger = small / str(YEAR) / "expense_ledger.csv"
    postgres = None
    if args.pg:
        try:
            postgres = Postgres(args.pg)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            log(f"PostgreSQL not reachable ({exc}); row 6 skipped")
    rows: list[Row] = []
    try:
        # 1, 4, 6: alternating cold runs, re-runs and baselines
        found = throughput(
            small, work / "runs", args.repeats, log, postgres.create if postgres else None
        )
        run, noop, duck, pand, pg = (found[n] for n in ("run", "noop", "duckdb", "pandas", "pg"))
        lines = f"{args.lines:,} lines"
        for name, base, limit in (("DuckDB", duck, 10.0), ("pandas", pand, 2.0)):
            rows.append(
                Row(
                    "1",
                    f"oneitu run --json-only, {lines}, SQLite",
                    seconds(run.wall),
                    f"{name} {seconds(base.wall)}",
                    run.wall / base.wall,
                    f"<= {limit:g}x",
                    limit,
                    f"CPU {run.cpu / base.cpu:.2f}x ({run.cpu:.2f} s / {base.cpu:.2f} s)",
                )
            )
        # the whole job as the DAG runs it, for the record: GX stage 2, HTML, PDF, workbook
        log("full run: GX stage 2, HTML, PDF and workbook")
        full_out = work / "runs" / "out-full"
        shutil.rmtree(full_out, ignore_errors=True)
        full = checked(measure(oneitu_run(small, full_out, json_only=False)), "full oneitu run")
        if not published(full_out):
            raise SystemExit(f"benchmark: the full run was not published:\n{full.out}")
        rows.append(
            Row(
                "1+",
                f"oneitu run (GX, HTML, PDF, workbook), {lines}",
                seconds(full.wall),
                f"--json-only {seconds(run.wall)}",
                full.wall / run.wall,
                "reported",
                None,
                f"peak RSS {mib(full.rss)}; GX alone imports in ~10 s here",
            )
        )
        # 7: the six languages against two, the whole job on the demo year
        rows.append(languages_row(work, max(args.repeats, 1), log))
        rows += activities_rows(work, max(args.repeats, 1), log)
        # 2: memory, 5M against 1M
        log(f"memory: {args.big_lines:,} lines")
        big_out = work / "runs" / "out-big"
        shutil.rmtree(big_out, ignore_errors=True)
        large = checked(measure(oneitu_run(big, big_out)), "oneitu run (big ledger)")
        if not published(big_out):
            raise SystemExit(f"benchmark: the big run was not published:\n{large.out}")
        rows.append(
            Row(
                "2",
                f"peak RSS, {args.big_lines:,} vs {lines}",
                mib(large.rss),
                mib(run.rss),
                large.rss / run.rss,
                "<= 1.25x, < 1.5 GiB",
                1.25 if large.rss < 1.5 * GIB else 0.0,
                f"{args.big_lines:,} lines in {seconds(large.wall)}",
            )
        )
        # 3: DAG parsing
        env = {
            "AIRFLOW_HOME": str(work / "airflow-home"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        }
        ignored = (ROOT / "dags" / ".airflowignore").read_text().split()
        dag_files = sorted(
            p
            for p in (ROOT / "dags").glob("*.py")
            if not any(re.search(pattern, p.name) for pattern in ignored)
        )
        for path in dag_files:
            empty = work / f"empty_{path.name}"
            empty.write_text(
                '"""An empty DAG file: the baseline of parsing."""\n' + sdk_imports(path)
            )
            mine, base = [], []
            for _ in range(args.dag_runs):
                mine.append(parse_seconds(path, env))
                base.append(parse_seconds(empty, env))
            m, b = statistics.median(mine), statistics.median(base)
            log(f"DAG {path.name}: {m:.3f} s vs empty {b:.3f} s")
            rows.append(
                Row("3", f"import dags/{path.name}", seconds(m), f"empty {seconds(b)}", m / b,
                    "<= 1.2x", 1.2, f"median of {args.dag_runs} fresh processes")
            )  # fmt: skip
        # 4: no-op re-run
        rows.append(
            Row(
                "4",
                "no-op re-run, same landing and --out",
                seconds(noop.wall),
                f"cold {seconds(run.wall)}",
                noop.wall / run.wall,
                "<= 0.10x",
                0.10,
                f"CPU {noop.cpu / run.cpu:.2f}x; writes nothing",
            )
        )
        # 5: history
        log(f"history: {args.history_years} years of {lines}")
        one = work / "history-1.sqlite"
        many = work / f"history-{args.history_years}.sqlite"
        source = work / "runs" / "out-0" / "warehouse.sqlite"
        for target in (one, many):
            shutil.copyfile(source, target)
        ledger_lines = add_history(many, args.history_years)
        urls = [f"sqlite:///{one}", f"sqlite:///{many}"]
        timed = checked(
            measure([sys.executable, "-c", HISTORY, str(YEAR), str(max(args.repeats, 3)), *urls]),
            "marts timing",
        )
        t_one, t_many = json.loads(timed.out.strip().splitlines()[-1])
        rows.append(
            Row(
                "5",
                f"marts of {YEAR}, {args.history_years} years loaded vs 1",
                seconds(t_many),
                f"1 year {seconds(t_one)}",
                t_many / t_one,
                "<= 1.5x",
                1.5,
                f"{ledger_lines:,} ledger lines over {args.history_years} years",
            )
        )
        # 6: PostgreSQL
        if postgres is not None:
            for name, base in (("SQLite", run), ("DuckDB", duck), ("pandas", pand)):
                rows.append(
                    Row(
                        "6",
                        f"oneitu run --json-only, {lines}, PostgreSQL",
                        seconds(pg.wall),
                        f"{name} {seconds(base.wall)}",
                        pg.wall / base.wall,
                        "reported",
                        None,
                        f"CPU {pg.cpu / base.cpu:.2f}x",
                    )
                )
        else:
            rows.append(Row("6", "PostgreSQL", "skipped", "", None, "reported", None, "no server"))
    finally:
        if postgres is not None:
            postgres.drop_all()
    size = ledger.stat().st_size
    title = (
        f"One ITU benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; ledger {args.lines:,} lines "
        f"({size / 1e6:.0f} MB), medians of {args.repeats}"
    )
    print_table(rows, title)
    missed = [r for r in rows if r.verdict == "MISSED"]
    print(f"published: every run; targets met: {len(rows) - len(missed)} of {len(rows)}")
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())

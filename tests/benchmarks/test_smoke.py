"""The benchmark runs end to end on a small ledger (no time is asserted, only that it works).

``benchmarks/run.py --quick`` generates 10,000- and 20,000-line ledgers, runs ``oneitu
run`` against both baselines, re-runs it, parses the DAG files, loads two years of
history and (when the server is there) runs on PostgreSQL, then prints its table. The
numbers of so small a run mean nothing; the test keeps the script working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The PostgreSQL server of the other tests, as a libpq URL (row 6 is skipped without it).
PG = os.environ.get(
    "ONEITU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
).replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.timeout(1200)
def test_the_quick_benchmark_prints_its_table_and_every_run_is_published(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--work", str(tmp_path)]
        + ["--pg", PG],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "One ITU benchmark" in out
    measures = [
        line.split()[0] for line in out.splitlines() if line[:1] in "123456" and "  " in line
    ]
    assert {"1", "2", "3", "4", "5", "6"} <= set(measures)
    assert "published: every run" in out
    for report in (tmp_path / "runs").glob("out-*/2024/report_2024.json"):
        assert json.loads(report.read_text(encoding="utf-8"))["status"] == "published"
    assert len(list((tmp_path / "runs").glob("out-*/2024/report_2024.json"))) >= 2

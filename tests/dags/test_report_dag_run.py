"""The report DAG, run by Airflow itself (``airflow dags test``) on the demo data.

The expected figures are computed here straight from the demo workbook with openpyxl,
independently of the pipeline's code.
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from tests_support import AIRFLOW, SECTOR_OF_UNIT, airflow_env

from oneitu_etl.demo import generate_landing

pytestmark = pytest.mark.airflow


def _sheet(path: Path, name: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def _chf(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def demo_run(airflow_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("demo")
    landing, out = root / "landing", root / "out"
    generate_landing(landing, [2023, 2024])
    env = airflow_env(airflow_home, ONEITU_LANDING=str(landing), ONEITU_OUT=str(out))
    done = subprocess.run(
        [str(AIRFLOW), "dags", "test", "oneitu_annual_report", "-c", '{"year": 2024}'],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-5000:]
    return landing, out


def test_dag_run_publishes_the_reports(demo_run: tuple[Path, Path]) -> None:
    _, out = demo_run
    names = sorted(p.name for p in (out / "2024").iterdir() if p.is_file())
    expected = ["report_2024.json"]
    for lang in ("ar", "en", "es", "fr", "ru", "zh"):  # each rendered by a mapped task
        expected += [
            f"strategic_plan_report_2024_{lang}.html",
            f"strategic_plan_report_2024_{lang}.pdf",
        ]
        expected.append("annex_2024.xlsx" if lang == "en" else f"annex_2024_{lang}.xlsx")
    assert sorted(expected) == names


def test_dag_run_figures_match_the_statements(demo_run: tuple[Path, Path]) -> None:
    landing, out = demo_run
    workbook = landing / "2024" / "financial_statements.xlsx"
    lines = {r["line_code"]: _chf(r["amount_chf"]) for r in _sheet(workbook, "performance")}
    budget = {r["org_unit"]: r for r in _sheet(workbook, "budget_comparison")}
    by_sector: dict[str, Decimal] = defaultdict(Decimal)
    by_code: dict[str, Decimal] = defaultdict(Decimal)
    for r in _sheet(workbook, "expense_allocation"):
        by_sector[SECTOR_OF_UNIT[r["org_unit"]]] += _chf(r["expense_chf"])
        by_code[r["strategic_code"]] += _chf(r["expense_chf"])

    report = json.loads((out / "2024" / "report_2024.json").read_text(encoding="utf-8"))
    assert report["status"] == "published" and report["errors"] == []
    assert (
        report["year"] == 2024 and report["plan"] == "SP2024-2027" and report["currency"] == "CHF"
    )
    assert _chf(report["totals"]["revenue"]) == lines["TOTAL_REVENUE"]
    assert _chf(report["totals"]["expenses"]) == lines["TOTAL_EXPENSES"]
    assert _chf(report["totals"]["surplus"]) == lines["TOTAL_REVENUE"] - lines["TOTAL_EXPENSES"]
    for sector, amount in by_sector.items():
        assert _chf(report["expenses_by_sector"][sector]) == amount
    for code, amount in by_code.items():
        assert _chf(report["expenses_by_strategic_code"][code]) == amount
    for unit, row in budget.items():
        entry = report["budget_execution"][unit]
        assert _chf(entry["actual"]) == _chf(row["actual_chf"])
        assert entry["rate"] == pytest.approx(
            float(row["actual_chf"]) / float(row["final_budget_chf"])
        )
    assert all(check["passed"] for check in report["reconciliation"])
    assert {c["rule"] for c in report["reconciliation"]} >= {
        "R1-revenue",
        "R1-expenses",
        "R2",
        "R3-total",
    }

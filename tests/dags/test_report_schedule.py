"""The report DAG's yearly fallback: a scheduled run for a year without statements is
skipped (no red run, no retries), while a requested year always runs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pendulum
import pytest

pytestmark = pytest.mark.airflow

FALLBACK = pendulum.datetime(2026, 1, 31, 6, tz="Europe/Zurich")  # builds 2025


@pytest.fixture
def resolve_year(dagbag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """The ``resolve_year`` task's function, on an empty landing zone under ``tmp_path``."""
    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("ONEITU_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("ONEITU_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("ONEITU_DB_URL", f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    return dagbag.dags["oneitu_annual_report"].get_task("resolve_year").python_callable


def _resolve(resolve_year, run_type: str, **context: object) -> int:  # noqa: ANN001
    context = {"params": {}, "triggering_asset_events": {}, "logical_date": FALLBACK, **context}
    return resolve_year(dag_run=SimpleNamespace(run_type=run_type), **context)


def test_a_scheduled_run_for_a_year_without_statements_is_skipped(resolve_year) -> None:  # noqa: ANN001
    from airflow.sdk.exceptions import AirflowSkipException  # noqa: PLC0415

    with pytest.raises(AirflowSkipException, match="no financial statements for 2025"):
        _resolve(resolve_year, "scheduled")


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(["financial_statements.xlsx"], id="workbook"),
        pytest.param(
            ["financial_performance.csv", "budget_comparison.csv", "expense_allocation.csv"],
            id="three-csvs",
        ),
    ],
)
def test_a_scheduled_run_builds_a_year_whose_statements_are_there(
    resolve_year,  # noqa: ANN001
    tmp_path: Path,
    statements: list[str],
) -> None:
    for name in statements:
        (tmp_path / "landing" / "2025").mkdir(exist_ok=True)
        (tmp_path / "landing" / "2025" / name).write_bytes(b"x")
    assert _resolve(resolve_year, "scheduled") == 2025


@pytest.mark.parametrize(
    ("run_type", "context", "year"),
    [
        pytest.param("manual", {}, 2025, id="manual-without-a-year-still-runs"),
        pytest.param("manual", {"params": {"year": 2019}}, 2019, id="manual-with-a-year"),
        pytest.param("scheduled", {"params": {"year": 2019}}, 2019, id="requested-year-wins"),
        pytest.param(
            "asset_triggered",
            {"triggering_asset_events": {"a": [SimpleNamespace(extra={"years": [2023, 2024]})]}},
            2024,
            id="asset-triggered",
        ),
    ],
)
def test_a_requested_year_is_never_skipped(
    resolve_year,  # noqa: ANN001
    run_type: str,
    context: dict,
    year: int,
) -> None:
    assert _resolve(resolve_year, run_type, **context) == year

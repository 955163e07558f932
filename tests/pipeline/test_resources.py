"""Resources are built once per run (issue 14): ``oneitu run`` opens one warehouse engine
for its four stages and disposes it at the end; a stage called on its own opens its own
and disposes it too. ``--json-only`` keeps the test fast (no Great Expectations, no PDF)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from oneitu_etl import cli, pipeline, warehouse
from oneitu_etl.demo import generate_landing
from oneitu_etl.resources import Resources
from oneitu_etl.settings import Settings

YEAR = 2024


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Engine, list[bool]]]:
    """Every engine the package makes, each with whether it was disposed."""
    made: list[tuple[Engine, list[bool]]] = []
    real = warehouse.make_engine

    def make_engine(url: str) -> Engine:
        engine = real(url)
        disposed: list[bool] = []
        dispose = engine.dispose
        engine.dispose = lambda *args, **kwargs: (disposed.append(True), dispose(*args, **kwargs))  # type: ignore[method-assign]
        made.append((engine, disposed))
        return engine

    monkeypatch.setattr(warehouse, "make_engine", make_engine)
    return made


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    generate_landing(root, [YEAR])
    return root


def test_a_run_opens_one_engine_and_disposes_it(
    landing: Path, tmp_path: Path, engines: list[tuple[Engine, list[bool]]]
) -> None:
    args = ["run", "--landing", str(landing), "--year", str(YEAR), "--out", str(tmp_path / "out")]

    assert cli.main([*args, "--json-only"]) == 0

    assert len(engines) == 1
    assert engines[0][1] == [True]


def test_a_stage_given_settings_alone_opens_its_own_engine_and_disposes_it(
    landing: Path, tmp_path: Path, engines: list[tuple[Engine, list[bool]]]
) -> None:
    settings = Settings(landing=str(landing), out=tmp_path / "out")

    result = pipeline.ingest(settings, YEAR)

    assert result.blocking == []
    assert len(engines) == 1
    assert engines[0][1] == [True]


def test_stages_given_the_resources_share_their_engine(
    landing: Path, tmp_path: Path, engines: list[tuple[Engine, list[bool]]]
) -> None:
    """As a DAG task or the command line passes them: the caller disposes the engine."""
    settings = Settings(landing=str(landing), out=tmp_path / "out")

    with Resources(settings) as resources:
        pipeline.ingest(resources, YEAR)
        pipeline.build_report_data(resources, YEAR, generated_on=dt.date(2025, 3, 1))
        assert len(engines) == 1
        assert engines[0][1] == []

    assert engines[0][1] == [True]

"""Fixtures of the report tests: the report JSON and its outputs, rendered once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from report_support import GENERATED_ON, load_fixture

from oneitu_etl.report import render_report


@pytest.fixture
def report() -> dict[str, Any]:
    """The report fixture, a copy each test may change."""
    return load_fixture()


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every output of the fixture, rendered once: HTML, PDF (en, fr) and the workbook."""
    out = tmp_path_factory.mktemp("report") / "2024"
    paths = render_report(load_fixture(), out, generated_on=GENERATED_ON)
    return {p.name: p for p in paths}


@pytest.fixture(scope="session")
def html_en(rendered: dict[str, Path]) -> str:
    return rendered["strategic_plan_report_2024_en.html"].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def html_fr(rendered: dict[str, Path]) -> str:
    return rendered["strategic_plan_report_2024_fr.html"].read_text(encoding="utf-8")

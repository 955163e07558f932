"""The pipeline's logs: the libraries' INFO lines (GX, WeasyPrint, fontTools) stay out.

Each stage runs in a fresh interpreter, as an Airflow task does, with the root logger at
INFO: GX logs its ~215 "Skipping registering function" lines when it is first imported,
so only a fresh process shows whether the stage quietened it in time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests_support import REPO

from oneitu_etl import pipeline
from oneitu_etl.settings import Settings

FIXTURE = REPO / "tests" / "fixtures" / "report" / "report_2024.json"
BAD = REPO / "tests" / "fixtures" / "bad"
ACTIVITIES = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf\n"
    "BR-1,BR,,TP-RAD,workshop,Too many women,2024-10-01,,completed,20,25,3,100.00\n"
)


def _run_stage(settings: Settings, call: str) -> list[str]:
    """The log lines (``logger: message``) of ``call`` in a fresh interpreter."""
    code = textwrap.dedent(
        f"""
        import logging, sys
        from pathlib import Path
        logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                            format="%(name)s: %(message)s")
        from oneitu_etl import pipeline
        from oneitu_etl.settings import Settings
        settings = Settings(landing={settings.landing!r}, out=Path({str(settings.out)!r}),
                            db_url={settings.db_url!r})
        {call}
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def _foreign(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("oneitu")]


def test_the_validation_log_starts_with_its_summary(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "2024" / "activities").mkdir(parents=True)
    shutil.copy(
        BAD / "ledger_not_aggregating" / "2024" / "financial_statements.xlsx", landing / "2024"
    )
    shutil.copy(BAD / "indicator_values_rows" / "indicator_definitions.csv", landing)
    (landing / "2024" / "activities" / "activities_R_2024.csv").write_text(ACTIVITIES)
    settings = Settings(
        landing=str(landing), out=tmp_path / "out", db_url=f"sqlite:///{tmp_path / 'w.sqlite'}"
    )
    pipeline.ingest(settings, 2024)

    lines = _run_stage(settings, "pipeline.validate(settings, 2024)")

    assert _foreign(lines) == []
    assert lines[0].startswith("oneitu_etl.stage2: validation 2024: "), lines[:3]
    assert lines[0].endswith(" expectations, 0 failed")


@pytest.mark.timeout(600)
def test_the_publish_log_has_no_page_by_page_lines(tmp_path: Path) -> None:
    settings = Settings(
        landing=str(tmp_path), out=tmp_path / "out", db_url=f"sqlite:///{tmp_path / 'w.sqlite'}"
    )
    staged = pipeline.staged_json(settings, 2024)
    staged.parent.mkdir(parents=True)
    shutil.copy(FIXTURE, staged)

    lines = _run_stage(settings, "pipeline.publish(settings, 2024, pdf=True)")

    assert (settings.out / "2024" / "strategic_plan_report_2024_fr.pdf").is_file()
    assert _foreign(lines) == [], lines[:5]

"""The table builders on tiny inline reports: the figures they show are the JSON's."""

from __future__ import annotations

from typing import Any

import pytest

from oneitu_etl.report.i18n import Language, language
from oneitu_etl.report.names import names_for
from oneitu_etl.report.tables import output_types_table
from oneitu_etl.report.writer import REPORTS_DIR

NOT_ALL_COSTED = (
    "\u2013 No direct cost per output: not every completed output of the type reported its cost."
)


@pytest.fixture(scope="module")
def en() -> Language:
    return language("en", REPORTS_DIR / "locale", names_for("en", "SP2024-2027"))


def _costs(**by_output_type: dict[str, Any]) -> dict[str, Any]:
    return {"cost_per_output": {"TP-INC": {"by_output_type": by_output_type}}}


def test_output_types_show_the_json_cost_per_output_and_costed_activities(en: Language) -> None:
    report = _costs(
        training={
            "completed_activities": 4,
            "costed_activities": 3,
            "cost_chf": 300.0,
            "cost_per_output": None,
        },
        workshop={
            "completed_activities": 2,
            "costed_activities": 2,
            "cost_chf": 150.5,
            "cost_per_output": 75.25,
        },
    )
    table = output_types_table(report, en, "4.4")
    assert [c.header for c in table.columns][3:] == [
        "Completed outputs",
        "Of which with a reported cost",
        "Direct cost (CHF)",
        "Direct cost per output (CHF)",
    ]
    assert [row.cells for row in table.rows] == [
        ("Inclusion", "TP-INC", "Training", 4, 3, 300.0, None),
        ("Inclusion", "TP-INC", "Workshop", 2, 2, 150.5, 75.25),
    ]
    assert table.notes == (NOT_ALL_COSTED,)


def test_output_types_never_divide_by_all_completed_activities(en: Language) -> None:
    """Without the JSON's cost per output, 300 / 4 = 75.00 would understate the cost of 100.00."""
    report = _costs(training={"completed_activities": 4, "costed_activities": 3, "cost_chf": 300.0})
    (row,) = output_types_table(report, en, "4.4").rows
    assert row.cells[3:] == (4, 3, 300.0, None)


def test_output_types_need_no_footnote_when_every_output_is_costed(en: Language) -> None:
    report = _costs(
        workshop={
            "completed_activities": 2,
            "costed_activities": 2,
            "cost_chf": 150.5,
            "cost_per_output": 75.25,
        }
    )
    table = output_types_table(report, en, "4.4")
    assert table.notes == ()
    assert table.note == "Direct cost is the cost reported with each activity, before overheads."

"""Indicator status by the contract's trajectory rule (section 3.3), and the indicators mart.

The pure cases use baseline year 2020 and target year 2030, so that in 2025 the
expected value is exactly half-way: increase from 0 to 100 expects 50, decrease from
100 to 0 expects 50. Progress p = (v - b) / (e - b) is then exactly 0.95 for v = 47.5
(increase) or 52.5 (decrease), and exactly 0.75 for v = 37.5 or 62.5.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from oneitu_etl.marts import indicator_status
from oneitu_etl.marts.indicators import STATUSES, indicators

UP = {
    "baseline": 0.0,
    "baseline_year": 2020,
    "target": 100.0,
    "target_year": 2030,
    "direction": "increase",
}
DOWN = {
    "baseline": 100.0,
    "baseline_year": 2020,
    "target": 0.0,
    "target_year": 2030,
    "direction": "decrease",
}
FLAT = {
    "baseline": 50.0,
    "baseline_year": 2020,
    "target": 50.0,
    "target_year": 2030,
    "direction": "increase",
}

CASES = [
    # (definition, year, value, status, expected, progress)
    pytest.param(UP, 2025, None, "no_data", None, None, id="no-data"),
    pytest.param(DOWN, 2019, None, "no_data", None, None, id="no-data-before-baseline"),
    # increase, within the trajectory
    pytest.param(UP, 2025, 60.0, "on_track", 50.0, 1.2, id="up-ahead"),
    pytest.param(UP, 2025, 47.5, "on_track", 50.0, 0.95, id="up-p-0.95-on-track"),
    pytest.param(UP, 2025, 47.4, "at_risk", 50.0, 0.948, id="up-just-below-0.95"),
    pytest.param(UP, 2025, 37.5, "at_risk", 50.0, 0.75, id="up-p-0.75-at-risk"),
    pytest.param(UP, 2025, 37.4, "off_track", 50.0, 0.748, id="up-just-below-0.75"),
    pytest.param(UP, 2025, -5.0, "off_track", 50.0, -0.1, id="up-worse-than-baseline"),
    pytest.param(UP, 2030, 96.0, "on_track", 100.0, 0.96, id="up-target-year-near"),
    pytest.param(UP, 2030, 70.0, "off_track", 100.0, 0.7, id="up-target-year-short"),
    # increase, achieved: v >= t whatever the year, including before the target year
    pytest.param(UP, 2025, 100.0, "achieved", 50.0, 2.0, id="up-achieved-at-target-early"),
    pytest.param(UP, 2021, 120.0, "achieved", 10.0, 12.0, id="up-achieved-beyond-target-early"),
    pytest.param(UP, 2020, 100.0, "achieved", 0.0, None, id="up-achieved-in-baseline-year"),
    pytest.param(UP, 2032, 101.0, "achieved", 100.0, None, id="up-achieved-after-target-year"),
    # increase, y <= y0: compared with the baseline, e = b
    pytest.param(UP, 2020, 0.0, "on_track", 0.0, None, id="up-baseline-year-equal"),
    pytest.param(UP, 2018, 10.0, "on_track", 0.0, None, id="up-before-baseline-better"),
    pytest.param(UP, 2020, -0.5, "off_track", 0.0, None, id="up-baseline-year-worse"),
    # increase, y > y1 and not achieved: off track, e = t
    pytest.param(UP, 2031, 99.9, "off_track", 100.0, None, id="up-after-target-year"),
    # decrease, within the trajectory
    pytest.param(DOWN, 2025, 40.0, "on_track", 50.0, 1.2, id="down-ahead"),
    pytest.param(DOWN, 2025, 52.5, "on_track", 50.0, 0.95, id="down-p-0.95-on-track"),
    pytest.param(DOWN, 2025, 52.6, "at_risk", 50.0, 0.948, id="down-just-below-0.95"),
    pytest.param(DOWN, 2025, 62.5, "at_risk", 50.0, 0.75, id="down-p-0.75-at-risk"),
    pytest.param(DOWN, 2025, 62.6, "off_track", 50.0, 0.748, id="down-just-below-0.75"),
    pytest.param(DOWN, 2025, 110.0, "off_track", 50.0, -0.2, id="down-worse-than-baseline"),
    # decrease, achieved: v <= t
    pytest.param(DOWN, 2025, 0.0, "achieved", 50.0, 2.0, id="down-achieved-at-target-early"),
    pytest.param(DOWN, 2030, -3.0, "achieved", 0.0, 1.03, id="down-achieved-target-year"),
    pytest.param(DOWN, 2019, 0.0, "achieved", 100.0, None, id="down-achieved-before-baseline"),
    # decrease, y <= y0
    pytest.param(DOWN, 2020, 100.0, "on_track", 100.0, None, id="down-baseline-year-equal"),
    pytest.param(DOWN, 2019, 90.0, "on_track", 100.0, None, id="down-before-baseline-better"),
    pytest.param(DOWN, 2020, 101.0, "off_track", 100.0, None, id="down-baseline-year-worse"),
    # decrease, y > y1
    pytest.param(DOWN, 2031, 0.5, "off_track", 0.0, None, id="down-after-target-year"),
    # target equal to baseline: e = b, p undefined; not achieved means worse than the target
    pytest.param(FLAT, 2025, 49.0, "off_track", 50.0, None, id="flat-not-achieved"),
    pytest.param(FLAT, 2025, 50.0, "achieved", 50.0, None, id="flat-achieved"),
    # the example of docs/report-json.md: NET-USE 2024
    pytest.param(
        {
            "baseline": 67.0,
            "baseline_year": 2023,
            "target": 72.0,
            "target_year": 2027,
            "direction": "increase",
        },
        2024,
        68.0,
        "at_risk",
        68.25,
        0.8,
        id="docs-net-use",
    ),
]


@pytest.mark.parametrize(("definition", "year", "value", "status", "expected", "progress"), CASES)
def test_indicator_status(
    definition: dict,
    year: int,
    value: float | None,
    status: str,
    expected: float | None,
    progress: float | None,
) -> None:
    result = indicator_status(value, year=year, **definition)
    assert result["status"] == status
    assert result["expected"] == (None if expected is None else pytest.approx(expected))
    assert result["progress"] == (None if progress is None else pytest.approx(progress))


def test_boundaries_are_exact_not_approximate() -> None:
    # the boundary cases above must sit exactly on 0.95 and 0.75, not near them
    assert indicator_status(47.5, year=2025, **UP)["progress"] == 0.95
    assert indicator_status(37.5, year=2025, **UP)["progress"] == 0.75
    assert indicator_status(52.5, year=2025, **DOWN)["progress"] == 0.95
    assert indicator_status(62.5, year=2025, **DOWN)["progress"] == 0.75


def test_every_status_is_covered() -> None:
    seen = {case.values[3] for case in CASES}
    assert seen == set(STATUSES)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    baseline=finite,
    target=finite,
    value=finite,
    baseline_year=st.integers(2000, 2030),
    span=st.integers(1, 10),
    year=st.integers(1995, 2045),
)
def test_a_decrease_is_the_mirror_of_an_increase(
    baseline: float, target: float, value: float, baseline_year: int, span: int, year: int
) -> None:
    common = {"year": year, "baseline_year": baseline_year, "target_year": baseline_year + span}
    up = indicator_status(value, baseline=baseline, target=target, direction="increase", **common)
    down = indicator_status(
        -value, baseline=-baseline, target=-target, direction="decrease", **common
    )
    assert up["status"] in STATUSES
    assert up["status"] == down["status"]


def test_indicators_mart(conn: Connection) -> None:
    found = indicators(conn, 2024)
    assert list(found) == ["I-BLANK", "I-DONE", "I-DOWN", "I-NONE", "I-UP"]  # I-GHOST quarantined
    assert {code: (i["value"], i["expected"], i["status"]) for code, i in found.items()} == {
        "I-BLANK": (None, None, "no_data"),  # blank value
        "I-DONE": (21.0, 12.5, "achieved"),  # 10 -> 20 by 2027, reached in 2024
        "I-DOWN": (79.0, 80.0, "on_track"),  # 100 -> 60 by 2026: p = 21 / 20 = 1.05
        "I-NONE": (None, None, "no_data"),  # no row for 2024
        "I-UP": (58.0, 60.0, "at_risk"),  # 50 -> 70 by 2026: p = 8 / 10 = 0.8
    }
    assert found["I-UP"] == {
        "value": 58.0,
        "expected": 60.0,
        "target": 70.0,
        "status": "at_risk",
        "progress": pytest.approx(0.8),
        "baseline": 50.0,
        "baseline_year": 2022,
        "target_year": 2026,
        "unit": "percent",
        "direction": "increase",
        "strategic_code": "G1",
        "name_en": "Rising indicator",
        "name_fr": "Indicateur en hausse",
        "note": None,  # (v2) the explanation delivered with the value, none here
    }
    assert found["I-DOWN"]["progress"] == pytest.approx(1.05)


def test_indicators_of_a_year_without_values(conn: Connection) -> None:
    assert {code: i["status"] for code, i in indicators(conn, 2023).items()} == dict.fromkeys(
        ["I-BLANK", "I-DONE", "I-DOWN", "I-NONE", "I-UP"], "no_data"
    )

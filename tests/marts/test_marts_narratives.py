"""(v2) The units' narratives counted by code (or unit) and kind, on both backends.

``data/landing_v2/2024/narratives``: BR-01 in English and French (one narrative), BR-02,
BR-03 and a variance of BR without a code; GS-01 in English and Chinese, a variance of GS
in Arabic (its text looks like markup: loaded as text), and a Russian row of BR-01 whose
kind disagrees with its first row (quarantined, so not counted).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Connection, Engine

from oneitu_etl.marts.narratives import (
    elements_without_narratives,
    narrative_texts,
    narratives,
)


def test_narratives_counts_distinct_ids_per_code_and_kind(conn_v2: Connection) -> None:
    figures = narratives(conn_v2, 2024)
    assert figures == {
        "BR": {"variance": 1},
        "EN-HRI": {"achievement": 1},
        "GS": {"variance": 1},
        "TP-RAD": {"achievement": 2, "challenge": 1},
    }
    assert list(figures) == ["BR", "EN-HRI", "GS", "TP-RAD"]


def test_the_texts_are_kept_as_delivered(conn_v2: Connection) -> None:
    texts = narrative_texts(conn_v2, 2024)
    assert [(t["narrative_id"], t["language"]) for t in texts] == [
        ("BR-01", "en"),
        ("BR-01", "fr"),
        ("BR-02", "en"),
        ("BR-03", "en"),
        ("BR-04", "en"),
        ("GS-01", "en"),
        ("GS-01", "zh"),
        ("GS-02", "ar"),
    ]
    assert texts[6]["text"] == "十个变革案例得到推进。"
    assert texts[7]["text"] == "<b>Fewer</b> missions than planned."
    assert texts[7]["strategic_code"] is None


def test_the_elements_without_an_achievement_or_a_challenge(conn_v2: Connection) -> None:
    # TP-RAD and EN-HRI have one; a variance (no code) or a highlight would not count
    assert elements_without_narratives(conn_v2, 2024) == [
        "EN-DNI",
        "EN-ENV",
        "EN-MEM",
        "EN-PIC",
        "EN-REG",
        "EN-RMO",
        "TP-APP",
        "TP-ENV",
        "TP-INC",
        "TP-NET",
        "TP-RES",
        "TP-STD",
    ]


def test_a_version_1_year_has_no_narratives(conn: Connection) -> None:
    assert narratives(conn, 2024) is None
    assert len(elements_without_narratives(conn, 2024)) == 14  # every element of SP2024-2027


@pytest.mark.postgres
def test_the_narratives_mart_is_identical_on_sqlite_and_postgresql(
    loaded_v2_sqlite: Engine, loaded_v2_postgresql: Engine
) -> None:
    texts = []
    for engine in (loaded_v2_sqlite, loaded_v2_postgresql):
        with engine.connect() as conn:
            figures = {
                "narratives": narratives(conn, 2024),
                "texts": narrative_texts(conn, 2024),
                "missing": elements_without_narratives(conn, 2024),
            }
            texts.append(json.dumps(figures, ensure_ascii=False))
    assert texts[0] == texts[1]

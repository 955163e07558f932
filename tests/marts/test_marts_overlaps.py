"""Possible overlaps: normalised titles, pairs across sectors within a priority, listed only."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from oneitu_etl.marts import overlaps
from oneitu_etl.marts.overlaps import (
    MIN_TITLE_WORDS,
    SIMILARITY_THRESHOLD,
    normalise_title,
    overlapping_pairs,
    title_similarity,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("Digital Inclusion Workshop", "digital inclusion workshop", id="casefold"),
        pytest.param("Atelier régional à Genève", "atelier regional a geneve", id="accents"),
        pytest.param(
            "Forum on digital inclusion #21", "forum on digital inclusion", id="numbering"
        ),
        pytest.param("Forum #21 on inclusion", "forum 21 on inclusion", id="numbering-inside-kept"),
        pytest.param("E-waste: policy, toolkit!", "e waste policy toolkit", id="punctuation"),
        pytest.param("  Straße   des\tNetzes  ", "strasse des netzes", id="spaces-sharp-s"),
        pytest.param("Study group 13 #4", "study group 13", id="numbers-in-title"),
    ],
)
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_documented_constants() -> None:
    assert SIMILARITY_THRESHOLD == 85.0
    assert MIN_TITLE_WORDS == 2


def test_title_similarity_ignores_accents_case_numbering_and_word_order() -> None:
    assert title_similarity("Digital inclusion workshop #2", "WORKSHOP, digital inclusión") == 100.0
    assert title_similarity("Rural broadband project", "Spectrum monitoring handbook") < 50


def _activity(activity_id: str, sector: str, title: str, code: str = "TP-INC") -> dict[str, str]:
    units = {"SG": "GS", "R": "BR", "T": "TSB", "D": "BDT"}
    return {
        "activity_id": activity_id,
        "org_unit": units[sector],
        "sector": sector,
        "strategic_code": code,
        "title": title,
    }


def test_pairs_need_different_sectors_and_the_same_priority() -> None:
    rows = [
        _activity("X1", "R", "Digital inclusion workshop"),
        _activity("X2", "R", "Digital inclusion workshop"),  # same sector as X1
        _activity("X3", "D", "Digital inclusion workshop", code="TP-APP"),  # other priority
        _activity("X4", "T", "Spectrum monitoring handbook"),  # not similar
    ]
    assert overlapping_pairs(rows) == []


def test_one_word_titles_are_not_compared() -> None:
    # "workshop" is contained in the other title: token_set_ratio would give 100
    rows = [_activity("X1", "R", "Workshop"), _activity("X2", "D", "Digital inclusion workshop")]
    assert overlapping_pairs(rows) == []


def test_threshold_is_inclusive() -> None:
    rows = [
        _activity("X1", "R", "rural broadband project"),
        _activity("X2", "D", "rural broadband projects"),
    ]
    (pair,) = overlapping_pairs(rows)
    assert pair["similarity"] == 97.9
    assert len(overlapping_pairs(rows, threshold=pair["similarity"])) == 1
    assert overlapping_pairs(rows, threshold=98.0) == []


def test_pairs_are_listed_in_a_deterministic_order() -> None:
    rows = [
        _activity("Z9", "D", "Rural broadband project", code="TP-NET"),
        _activity("B2", "T", "Digital inclusion workshops"),
        _activity("A1", "R", "Digital inclusion workshop"),
        _activity("C3", "D", "Digital inclusion workshop"),
        _activity("Y8", "R", "Rural broadband project", code="TP-NET"),
    ]
    found = [
        (p["strategic_code"], p["similarity"], p["a"]["activity_id"], p["b"]["activity_id"])
        for p in overlapping_pairs(rows)
    ]
    assert found == [
        ("TP-INC", 100.0, "A1", "C3"),
        ("TP-INC", 98.1, "A1", "B2"),
        ("TP-INC", 98.1, "B2", "C3"),
        ("TP-NET", 100.0, "Y8", "Z9"),
    ]
    assert overlapping_pairs(list(reversed(rows))) == overlapping_pairs(rows)


def test_possible_overlaps_in_the_warehouse(conn: Connection) -> None:
    # A5 (TSB, cancelled) has A2's title; A11 "Workshop" is one word; A8 is under TP-STD
    assert overlaps.possible_overlaps(conn, 2024) == [
        {
            "strategic_code": "TP-INC",
            "similarity": 100.0,
            "a": {
                "activity_id": "A2",
                "org_unit": "BR",
                "sector": "R",
                "title": "Digital inclusion workshop for Africa #2",
            },
            "b": {
                "activity_id": "A3",
                "org_unit": "BDT",
                "sector": "D",
                "title": "Digital Inclusión Workshop, for África!",
            },
        },
        {
            "strategic_code": "TP-NET",
            "similarity": 97.9,
            "a": {
                "activity_id": "A7",
                "org_unit": "RO-AFR",
                "sector": "D",
                "title": "Rural broadband project",
            },
            "b": {
                "activity_id": "A9",
                "org_unit": "BR",
                "sector": "R",
                "title": "Rural broadband projects #9",
            },
        },
    ]

"""(v2) The enablers' evidence (staff, membership) and the Council document, on both backends.

The figures are those of ``data/landing_v2/2024``, added up by hand:

- ``staff.csv``: 46 staff, 27 women; P and above (P, D, elected) 22, of whom 9 women;
  the regional offices (RO-AFR, RO-AMS) 15; P and above by region A 3, B 1, C 5, D 11, E 2;
- ``membership.csv``: five rows, one without ``participating``;
- ``council_document.csv``: C25/35, with an unknown field (``prepared_by``) ignored.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Connection, Engine

from oneitu_etl.marts import document, membership, staff


def test_staff_figures(conn_v2: Connection) -> None:
    figures = staff(conn_v2, 2024)
    assert figures["headcount"] == 46
    assert figures["women_share"] == pytest.approx(27 / 46)
    assert figures["women_share_p_and_above"] == pytest.approx(9 / 22)
    assert figures["regional_office_share"] == pytest.approx(15 / 46)
    assert figures["p_and_above_by_region"] == {"A": 3, "B": 1, "C": 5, "D": 11, "E": 2}


def test_membership_repeats_the_loaded_rows_in_the_contracts_order(conn_v2: Connection) -> None:
    figures = membership(conn_v2, 2024)
    assert figures == {
        "R": {
            "member_state": {"members": 193, "participating": 150},
            "associate": {"members": 20, "participating": 5},
        },
        "T": {
            "member_state": {"members": 193, "participating": 160},
            "sector_member": {"members": 250, "participating": 120},
        },
        "D": {"academia": {"members": 90, "participating": None}},
    }
    assert list(figures) == ["R", "T", "D"]
    assert list(figures["T"]) == ["member_state", "sector_member"]


def test_the_council_document(conn_v2: Connection) -> None:
    assert document(conn_v2, 2024) == {
        "number": "C25/35",
        "draft": False,
        "session": "Council 2025",
        "agenda_item": "PL 2.1",
        "date": "2025-04-30",
        "original_language": "fr",
        "references": ["Resolution 71 (Rev. Bucharest 2022)", "Decision 5"],
    }


def test_a_version_1_year_has_no_evidence_and_is_a_draft(conn: Connection) -> None:
    assert staff(conn, 2024) is None
    assert membership(conn, 2024) is None
    assert document(conn, 2024) == {
        "number": None,
        "draft": True,
        "session": None,
        "agenda_item": None,
        "date": None,
        "original_language": None,
        "references": [],
    }


@pytest.mark.postgres
def test_the_evidence_marts_are_identical_on_sqlite_and_postgresql(
    loaded_v2_sqlite: Engine, loaded_v2_postgresql: Engine
) -> None:
    texts = []
    for engine in (loaded_v2_sqlite, loaded_v2_postgresql):
        with engine.connect() as conn:
            figures = {
                "staff": staff(conn, 2024),
                "membership": membership(conn, 2024),
                "document": document(conn, 2024),
            }
            texts.append(json.dumps(figures, ensure_ascii=False))
    assert texts[0] == texts[1]

"""(v2) The delivery page accepts contract version 2 files with the same instant checks.

Finance's two optional tables (sheets or CSVs), a unit's narratives (stored under its
unit's name, so a correction replaces it), ``staff.csv``, ``membership.csv`` and
``council_document.csv``: each is recognised from its header, judged with the year's
related files, stored under its contract name and announced on its source's asset.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from delivery_support import Site

from oneitu_etl.checkfiles import NamedFile, check_files
from oneitu_etl.delivery.messages import issue_message
from oneitu_etl.delivery.sniff import detect_kind, landing_path
from oneitu_etl.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FINANCE_V2 = FIXTURES / "finance_v2" / "2024"
BAD = FIXTURES / "bad"
V2_CASES = (
    "activity_ended_before_year",
    "budget_allocation_rows",
    "budget_reconciliation_rows",
    "council_document_rows",
    "membership_rows",
    "narrative_rows",
    "r4_mismatch",
    "staff_rows",
)
NARRATIVE = (
    "narrative_id,org_unit,strategic_code,kind,language,text,reference\n"
    "BR-1,BR,TP-RAD,achievement,en,The Assembly approved 23 Recommendations.,C24/52\n"
    "BR-1,BR,TP-RAD,achievement,fr,L'Assemblée a approuvé 23 Recommandations.,C24/52\n"
)


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("org_unit,strategic_code,approved_budget_chf,final_budget_chf", "budget_allocation"),
        ("item_code,kind,line_code,description,amount_chf", "budget_reconciliation"),
        ("narrative_id,org_unit,strategic_code,kind,language,text,reference", "narratives"),
        ("narrative_id,org_unit,kind,language,text", "narratives"),
        ("org_unit,category,gender,region,headcount", "staff"),
        ("sector,category,members,participating", "membership"),
        ("field,value", "council_document"),
    ],
)
def test_v2_csv_kind_from_its_header(header: str, kind: str) -> None:
    assert detect_kind(f"{header}\n".encode(), "csv") == kind


def test_v2_landing_paths() -> None:
    assert (
        landing_path("narratives", 2024, activity_stem="BR") == "2024/narratives/narratives_BR.csv"
    )
    assert landing_path("staff", 2024) == "2024/staff.csv"
    assert landing_path("budget_reconciliation", 2024) == "2024/budget_reconciliation.csv"


def test_a_units_narratives_land_under_its_name_and_a_correction_replaces_them(
    site: Site,
) -> None:
    answer = site.upload(NARRATIVE.encode(), "our texts (final).csv")
    assert 'data-outcome="delivered"' in answer.text, answer.text
    assert site.landed() == ["2024/narratives/narratives_BR.csv"]
    [(_, uri, extra)] = site.announcer.calls
    assert (uri, extra["source"]) == ("oneitu://landing/narratives", "narratives")

    corrected = NARRATIVE.replace("23 Recommendations", "24 Recommendations")
    answer = site.upload(corrected.encode(), "texts v2.csv")
    assert 'data-outcome="delivered"' in answer.text
    assert site.landed() == ["2024/narratives/narratives_BR.csv"]
    assert (site.landing / "2024/narratives/narratives_BR.csv").read_text() == corrected


def test_a_translation_that_disagrees_is_not_delivered(site: Site) -> None:
    bad = NARRATIVE.replace("achievement,fr", "challenge,fr")
    answer = site.upload(bad.encode(), "texts.csv")
    assert 'data-outcome="rejected"' in answer.text
    assert "this translation of BR-1 has kind" in answer.text
    assert site.landed() == []


@pytest.mark.parametrize(
    ("name", "data", "path"),
    [
        pytest.param(
            "hr.csv",
            b"org_unit,category,gender,region,headcount\nGS,P,female,B,12\n",
            "2024/staff.csv",
            id="staff",
        ),
        pytest.param(
            "members.csv",
            b"sector,category,members,participating\nR,member_state,193,150\n",
            "2024/membership.csv",
            id="membership",
        ),
        pytest.param(
            "doc.csv", b"field,value\ndocument,C25/35\n", "2024/council_document.csv", id="council"
        ),
    ],
)
def test_secretariat_files_land_and_announce_their_asset(
    site: Site, name: str, data: bytes, path: str
) -> None:
    answer = site.upload(data, name)
    assert 'data-outcome="delivered"' in answer.text, answer.text
    assert site.landed() == [path]
    [(_, uri, extra)] = site.announcer.calls
    assert (uri, extra["source"], extra["path"]) == (
        "oneitu://landing/gs_services",
        "gs_services",
        path,
    )


def test_budget_allocation_is_checked_against_the_delivered_statements(site: Site) -> None:
    for name in (
        "financial_performance.csv",
        "budget_comparison.csv",
        "expense_allocation.csv",
        "budget_reconciliation.csv",
    ):
        target = site.landing / "2024" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((FINANCE_V2 / name).read_bytes())
    plan = (FINANCE_V2 / "budget_allocation.csv").read_text()
    answer = site.upload(plan.replace("GS,EN-HRI,300.00", "GS,EN-HRI,290.00").encode(), "p.csv")
    assert 'data-outcome="rejected"' in answer.text
    assert "R4 failed for GS: its budget_allocation rows sum to 490.00" in answer.text
    answer = site.upload(plan.encode(), "plan.csv")
    assert 'data-outcome="delivered"' in answer.text, answer.text
    assert "2024/budget_allocation.csv" in site.landed()
    assert site.announcer.calls[-1][1] == "oneitu://landing/finance"


@pytest.mark.parametrize("case", V2_CASES)
def test_the_v2_validator_sentences_come_out_in_french(case: str) -> None:
    folder = BAD / case
    files = [
        NamedFile(p.relative_to(folder).as_posix(), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    issues = check_files(files, Settings(landing="", out="out"))
    assert issues
    untranslated = [
        i.message for i in issues if not i.code or issue_message(i, "fr")[0] == i.message
    ]
    assert untranslated == []

"""The Council report on the v2 example: a section per goal and for the enablers, the
units' narratives in the report's language or marked, the enablers' evidence, the IPSAS 24
bridge, a bounded PDF without near-empty pages, and the analysts' workbook.

The figures come from ``oneitu run --json-only`` on ``tests/fixtures/landing_v2`` (the
project's copy of the contract's v2 example); the reports are rendered from that JSON.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from report_support import GENERATED_ON, parse_tables, require_binary

from oneitu_etl.report import render_html_report, render_report
from oneitu_etl.report.pdf import html_to_pdf

ONEITU = Path(sys.executable).with_name("oneitu")
LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "landing_v2"
ONLY_ENGLISH = "keeps growing faster than the Bureau"  # BR-2024-02, a challenge in English only


@pytest.fixture(scope="module")
def v2_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("v2")
    done = subprocess.run(
        [str(ONEITU), "run", "--landing", str(LANDING), "--year", "2024", "--out", str(out),
         "--json-only"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((out / "2024" / "report_2024.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def html(v2_report: dict[str, Any]) -> dict[str, str]:
    return {
        lang: render_html_report(v2_report, lang, generated_on=GENERATED_ON)
        for lang in ("en", "fr", "ar", "ru", "zh")
    }


def _block(page: str, element_id: str) -> str:
    """The HTML of the element (``<article>`` or ``<section>``) with id ``element_id``."""
    start = page.index(f'id="{element_id}"')
    tag = page.rfind("<", 0, start)
    name = page[tag + 1 : page.index(" ", tag)]
    return page[tag : page.index(f"</{name}>", start)]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\u00a0", " ").split())


def test_a_section_per_goal_and_for_the_enablers_with_every_element(
    html: dict[str, str], v2_report: dict[str, Any]
) -> None:
    page = html["en"]
    for part in ("part-g1", "part-g2", "part-enablers"):
        assert f'<section id="{part}"' in page
    codes = {c for c in v2_report["plan_vs_actual"]}
    assert len(codes) == 14
    for code in codes:
        assert f'id="element-{code.lower()}"' in page, code


def test_an_element_sets_plan_beside_actual_outputs_indicators_and_narratives(
    html: dict[str, str], v2_report: dict[str, Any]
) -> None:
    rad = _text(_block(html["en"], "element-tp-rad"))
    plan = v2_report["plan_vs_actual"]["TP-RAD"]
    for label, value in (("Approved budget", plan["approved"]), ("Final budget", plan["final"]),
                         ("Actual expenses", plan["actual"])):  # fmt: skip
        assert f"{label} CHF {value:,.2f}" in rad
    assert "Execution rate 93.0%" in rad
    assert "Outputs of Radiocommunication (terrestrial and space) by type" in rad
    assert "Average cost of processing a satellite filing" in rad and "not yet measured" in rad
    assert "The Radiocommunication Assembly approved 23 new or revised Recommendations." in rad
    assert ONLY_ENGLISH in rad
    assert "Next steps Not reported: no unit wrote one for this element." in rad
    std = _text(_block(html["en"], "element-tp-std"))
    assert "Not reported: no unit wrote an achievement, a challenge or a next step" in std


def test_a_narrative_in_english_only_is_marked_in_arabic_chinese_and_russian(
    html: dict[str, str],
) -> None:
    markers = {
        "ar": "الأصل باللغة الإنجليزية",
        "zh": "原文为英语",
        "ru": "Язык оригинала: английский",
    }
    for lang, marker in markers.items():
        block = _block(html[lang], "element-tp-rad")
        shown = re.search(
            r'<div class="narrative-text" lang="(\w+)" dir="(\w+)">\s*<p>[^<]*'
            + re.escape(ONLY_ENGLISH),
            block,
        )
        assert shown and shown.group(1, 2) == ("en", "ltr"), lang
        assert marker in _text(block), lang
    # the unit's French translation is shown in the French report, without a marker
    french = _block(html["fr"], "element-tp-rad")
    assert "L'Assemblée des radiocommunications a approuvé 23 Recommandations" in unescape(french)
    assert 'lang="fr"' in french


def test_highlights_in_the_summary_and_variances_beside_the_budget(html: dict[str, str]) -> None:
    summary = _text(_block(html["en"], "summary"))
    assert "Regional action plans aligned with the Strategic Plan" in summary
    assert "What moved" in summary and "The lowest budget execution was at" in summary
    finance = _text(_block(html["en"], "finance"))
    assert "Posts left vacant during recruitment explain most of the Bureau's under-spend." in (
        finance.replace("&#39;", "'")
    )


def test_the_ipsas_24_bridge_closes(html: dict[str, str], v2_report: dict[str, Any]) -> None:
    bridge = v2_report["budget_reconciliation"]
    rows = parse_tables(html["en"])["table-budget-reconciliation"]["body"]
    assert rows[0][-1] == f"{bridge['budget_actual']:,.2f}"
    assert rows[-1][-1] == f"{bridge['statement_expenses']:,.2f}"
    items = sum(i["amount"] for i in bridge["items"])
    assert round(bridge["budget_actual"] + items, 2) == bridge["statement_expenses"]
    assert len(
        [r for r in rows if len(r) > 1 and r[1] in {i["item_code"] for i in bridge["items"]}]
    ) == len(bridge["items"])


def test_the_enablers_carry_their_evidence(html: dict[str, str], v2_report: dict[str, Any]) -> None:
    page = html["en"]
    tables = parse_tables(page)
    staff = v2_report["staff"]
    assert 'id="table-staff-gender"' in _block(page, "element-en-dni")
    total = tables["table-staff-gender"]["body"][-1]
    assert total[0] == "All staff" and total[4] == f"{staff['headcount']:,}"
    assert 'id="table-staff-regions"' in _block(page, "element-en-hri")
    assert 'id="table-staff-offices"' in _block(page, "element-en-reg")
    assert 'id="table-membership"' in _block(page, "element-en-mem")
    members = {row[0]: row[1] for row in tables["table-membership"]["body"] if len(row) > 1}
    assert members["Member States"] == "193"


def test_the_pdf_has_no_page_but_the_cover_with_fewer_than_ten_lines(
    tmp_path: Path, html: dict[str, str]
) -> None:
    pdftotext = require_binary("pdftotext")
    for lang in ("en", "fr"):
        pdf = tmp_path / f"{lang}.pdf"
        pdf.write_bytes(html_to_pdf(html[lang], tmp_path))
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        short = [n for n, p in enumerate(pages[1:], start=2) if len(p.split("\n")) < 10 or
                 len([line for line in p.splitlines() if line.strip()]) < 10]  # fmt: skip
        assert not short, f"{lang}: nearly empty pages {short}"


def test_the_pdf_shows_the_strongest_overlaps_and_the_html_all(
    tmp_path: Path, v2_report: dict[str, Any]
) -> None:
    report = copy.deepcopy(v2_report)
    pairs = [
        {
            "strategic_code": "TP-INC",
            "similarity": 100.0 - i / 2,
            "a": {
                "activity_id": f"OVL-A-{i:02d}",
                "org_unit": "BR",
                "sector": "R",
                "title": f"Digital inclusion forum {i}",
            },
            "b": {
                "activity_id": f"OVL-B-{i:02d}",
                "org_unit": "BDT",
                "sector": "D",
                "title": f"Forum on digital inclusion {i}",
            },
        }  # fmt: skip
        for i in range(30)
    ]
    report["one_itu"]["possible_overlaps"] = pairs
    page = render_html_report(report, "en", generated_on=GENERATED_ON)
    assert all(f"OVL-A-{i:02d}" in page for i in range(30))
    pdf = tmp_path / "overlaps.pdf"
    pdf.write_bytes(html_to_pdf(page, tmp_path))
    text = subprocess.run(
        [require_binary("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert [i for i in range(30) if f"OVL-A-{i:02d}" in text] == [0, 1, 2, 3, 4]
    assert "The 5 strongest of 30 possible overlaps" in " ".join(text.split())


def test_the_workbook_lists_every_activity_with_dates_and_the_units_by_element(
    tmp_path: Path, v2_report: dict[str, Any]
) -> None:
    paths = render_report(
        v2_report, tmp_path / "2024", generated_on=GENERATED_ON, languages=("en",), pdf=False
    )
    book = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    sheet = book["Activities"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(v2_report["activities"])
    first = v2_report["activities"][0]
    assert rows[0][0] == first["activity_id"]
    assert rows[0][7] == dt.datetime.fromisoformat(first["start_date"])
    assert sheet.cell(row=2, column=8).number_format == "yyyy-mm-dd"
    units = list(book["Units by element"].iter_rows(min_row=2, values_only=True))
    actual = {(r[1], r[2]): r[6] for r in units}
    for unit, codes in v2_report["expenses_by_org_unit"].items():
        for code, amount in codes.items():
            assert actual[(unit, code)] == amount
    planned = {(r[1], r[2]): (r[4], r[5]) for r in units}
    for unit, codes in v2_report["plan_by_org_unit"].items():
        for code, figures in codes.items():
            assert planned[(unit, code)] == (figures["approved"], figures["final"])
    assert all(len(name) <= 31 for name in book.sheetnames)

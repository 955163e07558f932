"""The cover, as the Union's Council documents have it: number, session, agenda item, date,
original language, references (contract 3.6), or "Draft" without a number."""

from __future__ import annotations

from typing import Any

from report_support import GENERATED_ON

from oneitu_etl.report import render_html_report

DOCUMENT = {
    "number": "C25/35",
    "draft": False,
    "session": "Council 2025",
    "agenda_item": "PL 2.1",
    "date": "2025-04-24",
    "original_language": "en",
    "references": ["Resolution 71 (Rev. Bucharest, 2022)", "C25/10"],
}


def _cover(html: str) -> str:
    return html[html.index('<header class="cover">') : html.index("</header>")]


def test_the_cover_carries_the_council_document(report: dict[str, Any]) -> None:
    report["document"] = DOCUMENT
    cover = _cover(render_html_report(report, "en", generated_on=GENERATED_ON))
    for text in (
        "Council 2025",
        "Agenda item: PL 2.1",
        "Document C25/35",
        '<time datetime="2025-04-24">24\u00a0April\u00a02025</time>',
        "Original: English",
        "Report by the Secretary-General",
        "Resolution 71 (Rev. Bucharest, 2022); C25/10",
    ):
        assert text in cover, text
    assert "Draft" not in cover
    french = _cover(render_html_report(report, "fr", generated_on=GENERATED_ON))
    assert "Original : anglais" in french and "Point de l'ordre du jour : PL 2.1" in french


def test_without_a_number_the_report_is_a_draft(report: dict[str, Any]) -> None:
    report["document"] = {"number": None, "draft": True}
    cover = _cover(render_html_report(report, "en", generated_on=GENERATED_ON))
    assert '<p class="doc-draft">Draft</p>' in cover
    assert "Document C" not in cover
    report.pop("document")
    assert '<p class="doc-draft">Draft</p>' in _cover(
        render_html_report(report, "en", generated_on=GENERATED_ON)
    )

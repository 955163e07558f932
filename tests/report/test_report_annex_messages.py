"""The data quality annex says the stored problems in the report's language: by their code
and parameters; a problem stored before messages had codes in its English."""

from __future__ import annotations

from typing import Any

from report_support import GENERATED_ON, load_fixture, parse_tables

from oneitu_etl.report import render_html_report


def with_coded_problems() -> dict[str, Any]:
    report = load_fixture()
    quality = report["data_quality"]
    quality["quarantined"][1].update(
        code="activities.women_within_participants",
        params={"value": "45", "participants": "30"},
    )
    quality["rejected_files"][0]["issues"][0].update(code="csv_separator_semicolons", params={})
    quality["warnings"][0].update(code="column_extra", params={"column": "comment"})
    return report


def annex_rows(html: str, key: str) -> list[list[str]]:
    tables = parse_tables(html)
    found = [name for name in tables if key in name]
    assert found, sorted(tables)
    return tables[found[0]]["body"]


def test_the_spanish_report_says_a_quarantined_row_in_spanish() -> None:
    html = render_html_report(with_coded_problems(), "es", generated_on=GENERATED_ON)
    quarantined = annex_rows(html, "quarantined")
    reasons = [row[-1] for row in quarantined]
    assert "women_participants 45 supera participants 30" in reasons
    # stored before revision 0007: no code, its English message
    assert "unknown org_unit 'RO-XYZ': expected a code of org_units.csv" in reasons
    rejected = annex_rows(html, "rejected")
    assert any(
        "las columnas están separadas por punto y coma; el contrato exige comas" in cell
        for row in rejected
        for cell in row
    )
    warnings = annex_rows(html, "warnings")
    assert any(
        "la columna adicional «comment» se omite" in cell for row in warnings for cell in row
    )


def test_the_arabic_and_english_reports_say_the_same_row_in_their_language() -> None:
    report = with_coded_problems()
    arabic = render_html_report(report, "ar", generated_on=GENERATED_ON)
    reasons = [row[-1] for row in annex_rows(arabic, "quarantined")]
    assert "women_participants 45 يتجاوز participants 30" in reasons
    english = render_html_report(report, "en", generated_on=GENERATED_ON)
    reasons = [row[-1] for row in annex_rows(english, "quarantined")]
    assert "women_participants 45 exceeds participants 30" in reasons

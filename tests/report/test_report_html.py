"""The HTML report: its figures are the JSON's, it escapes hostile data, it is accessible."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from report_support import GENERATED_ON, NBSP, parse_tables, rows_by_label

from oneitu_etl.report import render_html_report


def en(amount: float) -> str:
    """How the English report writes an amount (written here, not by the code under test)."""
    return f"{amount:,.2f}"


def test_key_figures_are_the_json_totals(html_en: str, html_fr: str) -> None:
    assert "CHF\u00a0173,995,546.49" in html_en
    assert "CHF\u00a0155,576,008.94" in html_en
    assert "CHF\u00a018,419,537.55" in html_en
    assert "173\u00a0995\u00a0546,49\u00a0CHF" in html_fr
    assert "155\u00a0576\u00a0008,94\u00a0CHF" in html_fr


def test_statement_lines_are_the_json_amounts(html_en: str, report: dict[str, Any]) -> None:
    rows = rows_by_label(parse_tables(html_en)["table-financial-performance"])
    assert rows["Assessed contributions"][2] == "118,450,000.00"
    assert rows["Other revenue"][2] == "1,234,567.89"
    assert rows["Employee salaries and benefits"][2] == "114,078,320.14"
    assert rows["Total revenue"][2] == en(report["totals"]["revenue"])
    assert rows["Total expenses"][2] == en(report["totals"]["expenses"])
    assert rows["Surplus for the year"][2] == "18,419,537.55"


def test_budget_execution_is_the_json_per_unit(html_en: str, report: dict[str, Any]) -> None:
    names = {
        "GS": "General Secretariat",
        "BR": "Radiocommunication Bureau",
        "RO-EUR": "Regional Office for Europe",
    }
    rows = rows_by_label(parse_tables(html_en)["table-budget-units"])
    for code, name in names.items():
        figures = report["budget_execution"][code]
        unit, _sector, approved, final, actual, _unspent, rate = rows[name]
        assert (approved, final, actual) == (
            en(figures["approved"]),
            en(figures["final"]),
            en(figures["actual"]),
        )
        assert rate == f"{figures['rate']:.1%}"
    assert rows["General Secretariat"][5] == "3,308,932.75"  # final 52,000,000.00 - actual
    assert rows["Subtotal: Bureaux"][4] == "82,944,252.83"
    assert rows["Subtotal: Regional offices"][4] == "23,940,688.86"
    assert rows["Total, all units"][4] == "155,576,008.94"
    assert rows["Total, all units"][6] == "95.1%"


def test_resources_by_element_are_the_json(html_en: str, report: dict[str, Any]) -> None:
    rows = rows_by_label(parse_tables(html_en)["table-resources"])
    standardization = rows["Standardization"]
    assert standardization[1] == "TP-STD"
    assert standardization[2] == en(report["expenses_by_strategic_code"]["TP-STD"])
    # the direct cost of its completed outputs (265,000.00 + 143,220.40), and per output
    # (/ 15); never its expenses (staff and overheads included) divided by its outputs
    assert standardization[4:10] == ["22", "2,410", "27.0%", "15", "408,220.40", "27,214.69"]
    assert rows["Resource mobilization"][8:10] == ["–not available", "–not available"]
    assert rows["Partnerships and international cooperation"][2] == "0.00"
    assert rows["Subtotal: G1: Universal connectivity"][2] == "50,588,639.44"
    assert rows["Subtotal: Enablers"][2] == en(report["expenses_by_goal"]["enablers"])
    assert rows["Total"][2] == "155,576,008.94"
    assert rows["Resource mobilization"][6] == "–not available"


def test_outputs_by_type_give_a_cost_per_output_only_when_all_are_costed(html_en: str) -> None:
    rows = {(row[1], row[2]): row for row in parse_tables(html_en)["table-output-types"]["body"]}
    assert rows[("TP-RAD", "Filing")][3:] == ["6", "6", "412,300.50", "68,716.75"]
    assert rows[("TP-INC", "Training")][3:] == ["7", "6", "321,540.75", "–not available"]
    assert (
        "– No direct cost per output: not every completed output of the type reported its cost."
        in html_en
    )


def test_trends_list_every_loaded_year(html_en: str) -> None:
    table = parse_tables(html_en)["table-trends"]
    assert table["head"][0][:4] == ["Year", "Total revenue", "Total expenses", "Surplus or deficit"]
    assert [row[0] for row in table["body"]] == ["2023", "2024"]
    assert table["body"][1][1:4] == ["173,995,546.49", "155,576,008.94", "18,419,537.55"]
    assert table["body"][1][-1] == "95.1%"


def test_units_without_final_budget_are_named(report: dict[str, Any]) -> None:
    report["budget_execution"]["RO-CIS"].update({"final": 0.0, "rate": None})
    report["zero_budget_units"] = ["RO-CIS"]
    html = render_html_report(report, "en", generated_on=GENERATED_ON)
    rows = rows_by_label(parse_tables(html)["table-budget-units"])
    assert rows["Regional Office for the CIS region"][6] == "–not available"
    assert "No final budget, so no execution rate: Regional Office for the CIS region." in html


def test_indicators_show_baseline_expected_actual_target_and_status(html_en: str) -> None:
    table = parse_tables(html_en)["table-indicators"]
    assert table["head"][0] == [
        "Indicator",
        "Code",
        "Element",
        "Baseline (year)",
        "Expected 2024",
        "Actual 2024",
        "Target (year)",
        "Way from baseline to target",
        "Progress against trajectory",
        "Status",
    ]
    rows = {row[1]: row for row in table["body"]}
    assert rows["NET-USE"][3:] == [
        "67.0% (2023)",
        "68.25%",
        "68.0%",
        "72.0% (2027)",
        "20.0%",
        "80.0%",
        "▲ At risk",
    ]
    assert rows["FILINGS"][3:] == [
        "600 (2023)",
        "650",
        "812",
        "800 (2027)",
        "106.0%",
        "424.0%",
        "✔ Achieved",
    ]
    assert rows["FILING-COST"][4:6] == ["–not available", "–not available"]
    assert rows["FILING-COST"][9] == "○ No data"


def test_reconciliation_shows_both_sides_and_difference(html_en: str) -> None:
    rows = rows_by_label(parse_tables(html_en)["table-reconciliation"])
    assert rows["R1-revenue"][1:] == [
        "Sum of the revenue lines = total revenue line",
        "173,995,546.14",
        "173,995,546.49",
        "\u22120.35",  # a true minus sign
        "✔ Passed",
    ]
    assert rows["R3-RO-AFR"][1] == "Allocations of Regional Office for Africa = its actual expenses"
    assert len(rows) == 14


def test_one_itu_matrix_and_overlaps(html_en: str, report: dict[str, Any]) -> None:
    tables = parse_tables(html_en)
    matrix = tables["table-one-itu-matrix"]
    assert matrix["head"][0] == [
        "Thematic priority",
        "Code",
        "General Secretariat",
        "ITU-R",
        "ITU-T",
        "ITU-D",
        "Total",
        "Sectors involved",
    ]
    inclusion = rows_by_label(matrix)["Inclusion"]
    assert inclusion[2:] == [
        "2,150,000.00",
        "0.00",
        "850,000.00",
        "11,662,803.98",
        "14,662,803.98",
        "3",
    ]
    overlaps = tables["table-one-itu-overlaps"]["body"]
    assert overlaps[0][3] == report["one_itu"]["possible_overlaps"][0]["a"]["title"]
    assert overlaps[0][1] == "92.5"


def test_data_quality_annex_lists_deliveries_in_plain_language(
    html_en: str, report: dict[str, Any]
) -> None:
    tables = parse_tables(html_en)
    deliveries = tables["table-deliveries"]
    assert deliveries["head"][0] == [
        "File", "Kind", "Delivered by", "Rows loaded", "Rows quarantined", "Arrived",
    ]  # fmt: skip
    assert [row[0] for row in deliveries["body"]] == [
        d["file"] for d in report["data_quality"]["deliveries"]
    ]
    assert deliveries["body"][0][5] == "28 Nov 2026, 10:00 UTC"
    by = {row[1]: row[2] for row in deliveries["body"]}
    assert by["Sector activities"] == "The Bureaux and the General Secretariat"
    assert all(d["sha256"] not in html_en for d in report["data_quality"]["deliveries"]), (
        "hashes are technical detail: the workbook and the Data Docs, not the report"
    )
    quarantined = tables["table-quarantined"]["body"]
    assert [row[2] for row in quarantined] == ["14", "7", "19"]
    assert '<a href="data_docs/index.html">' in html_en
    failed = [row for row in tables["table-validation"]["body"] if "Failed" in row[3]]
    assert failed == [
        ["activities", "expect_column_values_to_be_in_set", "org_unit", "✖ Failed", "127", "1"]
    ]


def test_hostile_titles_are_text_not_markup(html_en: str, html_fr: str) -> None:
    for html in (html_en, html_fr):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Digital inclusion workshop" in html
        assert re.search(r"<script", html, re.IGNORECASE) is None
        assert "=HYPERLINK(&#34;https://evil.example/&#34;," in html
    names = rows_by_label(parse_tables(html_en)["table-indicators"])
    assert '=HYPERLINK("https://evil.example/","Affordability index")' in names


@pytest.mark.parametrize(
    "target, shown",
    [
        pytest.param("javascript:alert(1)", False, id="javascript-url"),
        pytest.param("../../etc/passwd", False, id="climbs-out"),
        pytest.param('x" onmouseover="alert(1)', False, id="attribute-injection"),
        pytest.param("data_docs/index.html", True, id="relative-path"),
        pytest.param("https://docs.example.org/dq/", True, id="https-url"),
    ],
)
def test_data_docs_link_only_when_safe(report: dict[str, Any], target: str, shown: bool) -> None:
    report["data_quality"]["data_docs"] = target
    html = render_html_report(report, "en", generated_on=GENERATED_ON)
    annex = html[html.index('id="data-quality"') :]
    assert ("<a href=" in annex.split("</p>")[0]) is shown
    assert "onmouseover=" not in html


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.html_lang: str | None = None
        self.th_scopes: list[str | None] = []
        self.tables = 0
        self.captions = 0
        self.svgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "th":
            self.th_scopes.append(a.get("scope"))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "svg":
            self.svgs.append(a)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_document_structure_is_accessible(lang: str, html_en: str, html_fr: str) -> None:
    html = html_en if lang == "en" else html_fr
    outline = _Outline()
    outline.feed(html)
    assert outline.html_lang == lang
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:], strict=False))
    assert set(outline.th_scopes) <= {"col", "row", "rowgroup"}
    assert outline.tables == outline.captions > 15
    assert len(outline.ids) == len(set(outline.ids)), "ids must be unique, charts included"
    assert 'href="#main"' in html and 'id="main"' in html
    # the indicators (summary), one per goal and the enablers, the matrix, the budget,
    # the year-on-year comparison
    assert len(outline.svgs) == 7
    for svg in outline.svgs:
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        title = re.search(rf'<title id="{title_id}">([^<]+)</title>', html)
        desc = re.search(rf'<desc id="{desc_id}">([^<]+)</desc>', html)
        assert title and desc and len(desc.group(1)) > 60


def test_french_report_formats_numbers_and_words_for_french(html_fr: str) -> None:
    tables = parse_tables(html_fr)
    rows = rows_by_label(tables["table-budget-units"])
    assert rows["Secrétariat général"][2:] == [
        "51 500 000,00",
        "52 000 000,00",
        "48 691 067,25",
        "3 308 932,75",
        "93,6 %",
    ]
    assert tables["table-budget-units"]["head"][0][2] == "Budget approuvé"
    assert "28\u00a0novembre\u00a02026" in html_fr
    assert "95,1\u00a0%" in html_fr
    assert "Union internationale des télécommunications" in html_fr
    assert (
        "Personnes utilisant l'Internet" in html_fr
        or "Personnes utilisant l&#39;Internet" in html_fr
    )
    assert "\u202f" not in html_fr, "narrow no-break spaces are normalised to U+00A0"
    assert f"Sous-total{NBSP}: Bureaux" in html_fr


def test_previous_year_section_says_why_it_is_empty(report: dict[str, Any]) -> None:
    report["previous_year"] = None
    html = render_html_report(report, "en", generated_on=GENERATED_ON)
    assert "No figures for the previous year are loaded" in html
    assert "chart-comparison" not in html
    assert "Expenses changed by" not in html


def test_same_plan_previous_year_compares_goals(report: dict[str, Any]) -> None:
    report["previous_year"]["plan"] = "SP2024-2027"
    report["previous_year"]["expenses_by_goal"] = {
        "G1": 49000000.0,
        "G2": 40000000.0,
        "enablers": 60000000.0,
    }
    rows = rows_by_label(
        parse_tables(render_html_report(report, "en", generated_on=GENERATED_ON))[
            "table-comparison"
        ]
    )
    assert rows["Universal connectivity"][1:] == [
        "49,000,000.00",
        "50,588,639.44",
        "+1,588,639.44",
        "+3.2%",
    ]


def test_html_is_deterministic_and_carries_only_the_generation_date(report: dict[str, Any]) -> None:
    first = render_html_report(report, "fr", generated_on=GENERATED_ON.replace(year=2030))
    second = render_html_report(report, "fr", generated_on=GENERATED_ON.replace(year=2030))
    assert first == second
    assert set(re.findall(r"\b\d{4}-\d{2}-\d{2}\b", first)) == {"2030-11-28"}

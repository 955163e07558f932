"""The renderer's parts: locale formats, charts as SVG, links, rule names, refusals."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

import pytest
from report_support import GENERATED_ON

from oneitu_etl.report import charts, render_report, writer
from oneitu_etl.report.context import safe_link
from oneitu_etl.report.finance import rule_description
from oneitu_etl.report.i18n import language
from oneitu_etl.report.names import names_for
from oneitu_etl.report.writer import REPORTS_DIR

NB = "\u00a0"


@pytest.mark.parametrize(
    "lang, method, value, expected",
    [
        pytest.param("en", "money", 1234567.89, f"CHF{NB}1,234,567.89", id="en-money"),
        pytest.param("fr", "money", 1234567.89, f"1{NB}234{NB}567,89{NB}CHF", id="fr-money"),
        pytest.param("en", "money", -1234.5, f"\u2212CHF{NB}1,234.50", id="en-negative"),
        pytest.param("fr", "amount", 0.5, "0,50", id="fr-amount"),
        pytest.param("en", "percent", 0.2534, "25.3%", id="en-percent"),
        pytest.param("fr", "percent", 0.2534, f"25,3{NB}%", id="fr-percent"),
        pytest.param("fr", "signed_percent", 0.025, f"+2,5{NB}%", id="fr-signed-percent"),
        pytest.param("en", "signed_amount", -942503.76, "\u2212942,503.76", id="en-signed"),
        pytest.param("en", "millions", 173995546.49, f"CHF{NB}174.0{NB}million", id="en-millions"),
        pytest.param("en", "count", 1820, "1,820", id="en-count"),
        pytest.param("fr", "count", 1820, f"1{NB}820", id="fr-count"),
        pytest.param("en", "date", dt.date(2026, 11, 28), f"28{NB}November{NB}2026", id="en-date"),
        pytest.param("fr", "date", dt.date(2026, 11, 28), f"28{NB}novembre{NB}2026", id="fr-date"),
        pytest.param(
            "en",
            "timestamp",
            "2026-11-28T11:00:00+01:00",
            f"28{NB}Nov{NB}2026,{NB}10:00{NB}UTC",
            id="en-utc",
        ),
        pytest.param("en", "amount", None, None, id="missing"),
    ],
)
def test_formats_follow_the_locale(
    lang: str, method: str, value: Any, expected: str | None
) -> None:
    fmt = language(lang, REPORTS_DIR / "locale", names_for(lang, "SP2024-2027")).fmt
    assert getattr(fmt, method)(value) == expected


def test_french_millions_are_translated() -> None:
    fmt = language("fr", REPORTS_DIR / "locale", names_for("fr", "SP2024-2027")).fmt
    assert fmt.millions(173995546.49) == f"174,0{NB}millions{NB}de{NB}CHF"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported report language 'de'"):
        language("de", REPORTS_DIR / "locale", names_for("en", "SP2024-2027"))


def _figure() -> Any:
    return charts.expenses_by_element(
        [
            charts.Bar("Budget in $ (costs)", 2.5e6, "G1"),
            charts.Bar("<b>Other</b>", 1e6, "enablers"),
        ],
        {"G1": "G1: $ goal", "enablers": "Enablers"},
        "CHF millions",
        lambda v: f"{v / 1e6:.0f}",
        lambda v: f"{v / 1e6:.1f}",
    )


def test_chart_svg_is_deterministic_accessible_and_self_contained() -> None:
    first = charts.svg_markup(_figure(), "chart-x", "Title <1>", "Description & more")
    second = charts.svg_markup(_figure(), "chart-x", "Title <1>", "Description & more")
    assert first == second
    assert first.startswith('<svg role="img" aria-labelledby="chart-x-title chart-x-desc"')
    assert '<title id="chart-x-title">Title &lt;1&gt;</title>' in first
    assert '<desc id="chart-x-desc">Description &amp; more</desc>' in first
    assert "<style" not in first and ' style="' not in first
    assert "&lt;b&gt;Other&lt;/b&gt;" in first and "<b>" not in first
    assert "Budget in $ (costs)" in first, "a dollar sign is text, not mathtext"
    ids = [part.split('"')[0] for part in first.split(' id="')[1:]]
    assert ids and all(i.startswith("chart-x-") for i in ids)
    assert "Date" not in first and "<metadata" not in first


@pytest.mark.parametrize(
    "target, expected",
    [
        pytest.param("data_docs/index.html", "data_docs/index.html", id="relative"),
        pytest.param("https://example.org/dq", "https://example.org/dq", id="https"),
        pytest.param("javascript:alert(1)", None, id="javascript"),
        pytest.param("../secret", None, id="parent"),
        pytest.param("/etc/passwd", None, id="absolute"),
        pytest.param(None, None, id="none"),
    ],
)
def test_safe_link(target: str | None, expected: str | None) -> None:
    assert safe_link(target) == expected


@pytest.mark.parametrize(
    "rule, expected",
    [
        pytest.param(
            "R2",
            "Actual expenses of all units (budget comparison), plus the reconciling items = "
            "total expenses line",
            id="R2",
        ),
        pytest.param(
            "R4-RO-ASP-approved",
            "Planned resources of Regional Office for Asia and the Pacific = its approved budget",
            id="R4-approved",
        ),
        pytest.param(
            "R4-BR-final",
            "Planned resources of Radiocommunication Bureau = its final budget",
            id="R4-final",
        ),
        pytest.param(
            "R3-RO-ASP",
            "Allocations of Regional Office for Asia and the Pacific = its actual expenses",
            id="R3-unit",
        ),
        pytest.param(
            "L1-RO-AFR-TP-NET",
            "Ledger postings of Regional Office for Africa to Network and digital infrastructure = its allocation",
            id="L1",
        ),
        pytest.param(
            "L2-EXP_TRAVEL",
            "Ledger postings to Mission expenses, plus its reconciling items = the statement line",
            id="L2",
        ),
        pytest.param("X9", "X9", id="unknown"),
    ],
)
def test_rule_description(rule: str, expected: str) -> None:
    lang = language("en", REPORTS_DIR / "locale", names_for("en", "SP2024-2027"))
    assert rule_description(rule, lang) == expected


def test_blocked_report_is_not_rendered(tmp_path: Path, report: dict[str, Any]) -> None:
    report["status"] = "blocked"
    with pytest.raises(ValueError, match="only a published report is rendered"):
        render_report(report, tmp_path, generated_on=GENERATED_ON)
    assert list(tmp_path.iterdir()) == []


def test_render_report_writes_the_contract_files(tmp_path: Path, report: dict[str, Any]) -> None:
    paths = render_report(report, tmp_path / "2024", generated_on=GENERATED_ON, pdf=False)
    assert [p.name for p in paths] == [
        "strategic_plan_report_2024_ar.html",
        "annex_2024_ar.xlsx",
        "strategic_plan_report_2024_en.html",
        "annex_2024.xlsx",
        "strategic_plan_report_2024_es.html",
        "annex_2024_es.xlsx",
        "strategic_plan_report_2024_fr.html",
        "annex_2024_fr.xlsx",
        "strategic_plan_report_2024_ru.html",
        "annex_2024_ru.xlsx",
        "strategic_plan_report_2024_zh.html",
        "annex_2024_zh.xlsx",
    ]
    assert sorted(p.name for p in (tmp_path / "2024").iterdir()) == sorted(p.name for p in paths)


def test_a_report_with_only_the_contract_keys_renders(tmp_path: Path) -> None:
    minimal = {
        "year": 2024,
        "plan": "SP2024-2027",
        "currency": "CHF",
        "status": "published",
        "errors": [],
        "totals": {"revenue": 10.0, "expenses": 8.0, "surplus": 2.0},
        "budget_execution": {"BR": {"approved": 9.0, "final": 0.0, "actual": 8.0, "rate": None}},
        "expenses_by_strategic_code": {"TP-RAD": 8.0},
        "expenses_by_goal": {"G1": 8.0, "G2": 0.0, "enablers": 0.0},
        "expenses_by_sector": {"R": 8.0},
        "outputs_by_strategic_code": {},
        "indicators": {},
        "reconciliation": [],
        "one_itu": {"joint_activity_share": None, "multi_sector_priorities": []},
        "data_quality": {
            "files": 0,
            "rows_loaded": 0,
            "rows_quarantined": 0,
            "checks_run": 0,
            "checks_failed": 0,
        },
    }
    paths = render_report(minimal, tmp_path, generated_on=GENERATED_ON, pdf=False, languages=["en"])
    html = paths[0].read_text(encoding="utf-8")
    assert "CHF\u00a010.00" in html
    assert "No indicator was reported for the year." in html


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param(
            ["الأمانة العامة", "قطاع الاتصالات الراديوية", "قطاع تقييس الاتصالات",
             "قطاع تنمية الاتصالات"],
            id="arabic",
        ),
        pytest.param(
            ["总秘书处", "ITU-R（无线电通信部门）", "ITU-T（电信标准化部门）",
             "ITU-D（电信发展部门）"],
            id="chinese",
        ),
        pytest.param(
            ["General Secretariat", "Radiocommunication Sector", "Telecommunication "
             "Standardization Sector", "Telecommunication Development Sector"],
            id="english",
        ),
    ],
)  # fmt: skip
def test_the_heat_maps_sector_names_do_not_run_into_each_other(columns: list[str]) -> None:
    """Four long sector names above four columns: each is wrapped (a Chinese one between
    characters, never at a hyphen of ITU-R) so that no two labels overlap."""
    values = [[1.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 4.0]]
    figure = charts.heat_map(["TP-A", "TP-B"], columns, values, lambda v: f"{v:.1f}", "CHF")
    figure.canvas.draw()
    ax = figure.axes[0]
    boxes = [label.get_window_extent() for label in ax.get_xticklabels()]
    assert len(boxes) == 4
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left.x1 <= right.x0, "two sector names overlap"
    texts = [label.get_text() for label in ax.get_xticklabels()]
    assert not any(line.endswith("-") for text in texts for line in text.split("\n"))


@pytest.mark.parametrize("caller_froze", [False, True], ids=["plain", "caller-froze"])
def test_a_language_is_rendered_with_the_cycle_collector_paused_and_left_as_found(
    report: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caller_froze: bool
) -> None:
    seen = []
    build = writer.build_workbook

    def spying(*args: Any, **kwargs: Any) -> bytes:
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return build(*args, **kwargs)

    monkeypatch.setattr(writer, "build_workbook", spying)
    if caller_froze:
        gc.freeze()
    try:
        outputs = writer.render_language(
            report, "en", tmp_path, generated_on=GENERATED_ON, pdf=False
        )
        assert gc.isenabled()
        assert (gc.get_freeze_count() > 0) == caller_froze  # a caller's freeze is kept
    finally:
        gc.unfreeze()
    assert seen == [(False, True)]  # paused, with the run's objects set aside
    assert [name for name, _ in outputs] == [
        "strategic_plan_report_2024_en.html",
        "annex_2024.xlsx",
    ]

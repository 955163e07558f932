"""Both HTML reports in headless Chromium: no console error, no script run, every chart drawn.

Screenshots are kept in ``test-artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from report_support import ARTIFACTS, require_binary
from tests_support import require

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_binary("chromium", CHROMIUM)
    try:
        from playwright import sync_api
    except ImportError:
        require(False, "the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize("lang", ["ar", "en", "es", "fr", "ru", "zh"])
def test_report_renders_in_chromium(browser: Browser, rendered: dict[str, Path], lang: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(rendered[f"strategic_plan_report_2024_{lang}.html"].as_uri(), wait_until="load")

    assert page.evaluate("document.documentElement.lang") == lang
    charts = page.locator("figure.chart svg")
    assert charts.count() == 7  # indicators, a goal each and the enablers, matrix, budget, years
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, f"chart {i} not drawn: {box}"
        # Arabic charts carry their shaped text as outlines (charts.svg_markup)
        drawn = "path" if lang == "ar" else "text"
        assert charts.nth(i).locator(drawn).count() > 5
    broken_images = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
    )
    assert broken_images == 0
    assert page.locator("script").count() == 0
    assert "<script>alert(1)</script>" in page.locator("#table-one-itu-overlaps").inner_text()

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report_2024_{lang}.png"), full_page=True)
    page.close()
    assert problems == []


def test_the_arabic_report_reads_right_to_left(browser: Browser, rendered: dict[str, Path]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(rendered["strategic_plan_report_2024_ar.html"].as_uri(), wait_until="load")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    cells = page.locator("#table-budget-units thead tr").last.locator("th")
    first, last = cells.first.bounding_box(), cells.last.bounding_box()
    assert first and last and first["x"] > last["x"], "the first column is on the right"
    heading = page.locator("h2").first.bounding_box()
    assert heading and heading["x"] + heading["width"] > 1280 / 2
    page.close()


@pytest.mark.parametrize("lang", ["ar", "en", "es", "fr", "ru", "zh"])
def test_no_element_is_wider_than_a_phone_outside_scrolling_tables(
    browser: Browser, rendered: dict[str, Path], lang: str
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(rendered[f"strategic_plan_report_2024_{lang}.html"].as_uri(), wait_until="load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report_2024_{lang}_390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert width <= 390

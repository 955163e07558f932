"""Finance's delivery page in a real browser, against the real Airflow API server.

Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright's Python
package): sign in on Airflow's own login page, deliver a workbook with errors and read
the errors table (in English, then in French), deliver a good one and find it listed on
the status page. Screenshots go to ``test-artifacts/delivery/``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from delivery_support import USERS, AirflowApi, spoil, table_rows
from tests_support import require

pytestmark = [pytest.mark.browser, pytest.mark.airflow, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
YEAR = 2023  # the API tests deliver 2024 on the same server


@pytest.fixture(scope="module")
def page(airflow_api: AirflowApi) -> Iterator[object]:
    """A Chromium page signed in to Airflow as ``finance`` (role op)."""
    require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    require(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(30_000)
        tab.goto(f"{airflow_api.url}/oneitu/")
        tab.wait_for_url("**/auth/login**")  # the page sends strangers to Airflow's login
        tab.get_by_label("Username").fill("finance")
        tab.get_by_label("Password").fill(USERS["finance"])
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(f"{airflow_api.url}/oneitu/")
        yield tab
        browser.close()


@pytest.fixture(scope="module")
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "delivery"
    folder.mkdir(exist_ok=True)
    return folder


def deliver(page, path: Path, *, lang: str = "en") -> None:  # noqa: ANN001
    page.locator("select#year").select_option(str(YEAR))
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("select#lang").select_option(lang)
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#outcome")


def test_bad_workbook_shows_the_errors_table(
    page,  # noqa: ANN001
    demo_files: Path,
    tmp_path: Path,
    shots: Path,
    airflow_api: AirflowApi,
) -> None:
    upload = tmp_path / "statements (draft).xlsx"
    upload.write_bytes(spoil((demo_files / str(YEAR) / "financial_statements.xlsx").read_bytes()))
    deliver(page, upload)
    assert page.locator("#outcome").get_attribute("data-outcome") == "rejected"
    assert table_rows(page.content(), "issues") == [
        [
            "budget_comparison",
            "3",
            "actual_chf",
            "-5",
            "-5.00 is negative; amounts must be >= 0",
            "error",
        ],
        [
            "budget_comparison",
            "4",
            "approved_budget_chf",
            "abc",
            '"abc" is not a number; expected an amount in CHF such as 1234.56',
            "error",
        ],
    ]
    assert page.locator("#issues caption").inner_text() == "Problems found in the file"
    page.screenshot(path=str(shots / "1-bad-workbook-errors-en.png"), full_page=True)
    assert not (airflow_api.landing / str(YEAR)).exists()

    deliver(page, upload, lang="fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert table_rows(page.content(), "issues") == [
        [
            "budget_comparison",
            "3",
            "actual_chf",
            "-5",
            "-5.00 est négatif ; les montants doivent être >= 0",
            "erreur",
        ],
        [
            "budget_comparison",
            "4",
            "approved_budget_chf",
            "abc",
            "« abc » n'est pas un nombre ; montant en CHF attendu, par exemple 1234.56",
            "erreur",
        ],
    ]
    page.screenshot(path=str(shots / "2-bad-workbook-errors-fr.png"), full_page=True)


def test_good_workbook_is_delivered_and_listed(
    page,  # noqa: ANN001
    demo_files: Path,
    shots: Path,
    airflow_api: AirflowApi,
) -> None:
    page.goto(f"{airflow_api.url}/oneitu/?lang=en")
    deliver(page, demo_files / str(YEAR) / "financial_statements.xlsx")
    assert page.locator("#outcome").get_attribute("data-outcome") == "delivered"
    assert f"The report for {YEAR} has been requested" in page.locator("#outcome").inner_text()
    page.screenshot(path=str(shots / "3-good-workbook-delivered.png"), full_page=True)
    assert (airflow_api.landing / str(YEAR) / "financial_statements.xlsx").is_file()

    page.get_by_role("link", name="Deliveries and report").first.click()
    page.wait_for_selector("#uploads")
    path = f"{YEAR}/financial_statements.xlsx"
    assert [r[1:4] + r[5:6] for r in table_rows(page.content(), "uploads")] == [
        ["finance", "financial_statements.xlsx", path, "delivered"],
        ["finance", "statements (draft).xlsx", path, "rejected (2 errors)"],
        ["finance", "statements (draft).xlsx", path, "rejected (2 errors)"],
    ]
    page.screenshot(path=str(shots / "4-status-page.png"), full_page=True)


def test_links_to_airflow_open_in_the_top_window_from_airflows_iframe(
    page,  # noqa: ANN001
    shots: Path,
    airflow_api: AirflowApi,
) -> None:
    """Airflow shows the page in a sandboxed iframe (no allow-top-navigation)."""
    page.goto(f"{airflow_api.url}/plugin/oneitu-delivery")
    frame = page.frame_locator("iframe[title='Data delivery']")
    frame.get_by_role("link", name="Deliveries and report").first.click()
    frame.locator("#report-run").wait_for()
    assert page.url.startswith(f"{airflow_api.url}/plugin/oneitu-delivery")  # still inside
    page.screenshot(path=str(shots / "5-status-page-in-airflow.png"), full_page=True)

    frame.get_by_role("link", name="Airflow", exact=True).click()
    page.wait_for_url(f"{airflow_api.url}/")
    assert len(page.context.pages) == 1  # the same window, no new tab
    assert page.locator("iframe").count() == 0  # Airflow itself, not Airflow in its iframe

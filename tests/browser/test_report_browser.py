"""The HTML report in a real browser: it loads cleanly, sorts, filters, opens details,
draws its charts, and a hostile report runs nothing. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.documents import hostile_document, v2_document

SAMPLE = Path(__file__).resolve().parents[2] / "reports" / "example" / "fundscout-report.html"


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """Console messages at error level since the last read (CSP violations included)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def visible_ranks(driver: Any) -> list[int]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")
    return [int(row.get_attribute("data-rank")) for row in rows if row.is_displayed()]


@pytest.fixture
def report(browser: Any, page_of: Any) -> Any:
    console_errors(browser)  # forget what earlier pages logged
    browser.get(page_of("report", v2_document()))
    return browser


def sort_by(driver: Any, key: str) -> str:
    driver.find_element(By.CSS_SELECTOR, f'button[data-sort="{key}"]').click()
    header = driver.find_element(By.CSS_SELECTOR, f'th[data-key="{key}"]')
    return str(header.get_attribute("aria-sort"))


def test_page_loads_without_console_errors_and_its_script_runs(report: Any) -> None:
    assert "fundscout report" in report.title
    assert console_errors(report) == []
    assert report.find_element(By.ID, "filters").is_displayed()  # shown by the script
    assert report.find_element(By.ID, "shown").text == "6 of 6 shown"


def test_sorting_puts_unknown_values_last_both_ways(report: Any) -> None:
    assert sort_by(report, "need") == "descending"
    assert visible_ranks(report) == [2, 1, 3, 6, 5, 4]  # zod's need is unknown
    assert sort_by(report, "need") == "ascending"
    assert visible_ranks(report) == [5, 6, 3, 1, 2, 4]
    assert sort_by(report, "name") == "ascending"
    assert visible_ranks(report) == [3, 2, 6, 5, 1, 4]
    assert sort_by(report, "rank") == "ascending"
    assert visible_ranks(report) == [1, 2, 3, 4, 5, 6]
    assert (
        report.find_element(By.CSS_SELECTOR, 'th[data-key="name"]').get_attribute("aria-sort")
        is None
    )


def test_filters_combine(report: Any) -> None:
    search = report.find_element(By.ID, "filter-text")
    search.send_keys("REQ")
    assert visible_ranks(report) == [1]
    search.clear()
    search.send_keys(" ")  # "input" fires; the blank search matches everything
    assert visible_ranks(report) == [1, 2, 3, 4, 5, 6]
    Select(report.find_element(By.ID, "filter-ecosystem")).select_by_value("npm")
    assert visible_ranks(report) == [2, 4]
    report.find_element(By.ID, "filter-funded").click()
    assert visible_ranks(report) == [4]
    Select(report.find_element(By.ID, "filter-ecosystem")).select_by_value("")
    Select(report.find_element(By.ID, "filter-status")).select_by_value("eligible")
    assert visible_ranks(report) == [1, 3, 4]
    assert report.find_element(By.ID, "shown").text == "3 of 6 shown"


def test_a_row_opens_its_detail_view(report: Any) -> None:
    detail = report.find_element(By.ID, "project-3")
    assert detail.get_attribute("open") is None
    report.find_element(By.CSS_SELECTOR, '#ranking tr[data-rank="3"] td:nth-child(6)').click()
    assert detail.get_attribute("open") is not None
    assert report.execute_script("return window.location.hash") == "#project-3"
    body = detail.find_element(By.CLASS_NAME, "detail-body")
    assert body.is_displayed() and "GitHub Sponsors (hynek)" in body.text
    assert "jobs runtime, direct in jobs/requirements.txt:3" in body.text
    report.find_element(By.CSS_SELECTOR, '#ranking tr[data-rank="2"] a').click()
    assert report.find_element(By.ID, "project-2").get_attribute("open") is not None


def test_printing_opens_every_detail_and_closes_them_after(report: Any) -> None:
    count = "return document.querySelectorAll('details[open]').length"
    assert report.execute_script(count) == 0
    report.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert report.execute_script(count) == len(report.find_elements(By.TAG_NAME, "details"))
    report.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert report.execute_script(count) == 0


def test_charts_render(report: Any) -> None:
    charts = report.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 4
    for chart in charts:
        assert chart.size["width"] > 100 and chart.size["height"] > 40, chart.size
    bars = report.find_elements(By.CSS_SELECTOR, "#chart-priority rect")
    widths = [float(bar.get_attribute("width")) for bar in bars]
    assert len(bars) == 6 and widths == sorted(widths, reverse=True) and widths[-1] > 0
    assert len(report.find_elements(By.CSS_SELECTOR, "#chart-scatter circle")) == 5
    assert len(report.find_elements(By.CSS_SELECTOR, "#chart-graph line.edge")) > 0


def test_hostile_report_executes_nothing(browser: Any, page_of: Any, artifacts: Path) -> None:
    console_errors(browser)
    browser.get(page_of("hostile", hostile_document()))
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    for row in browser.find_elements(By.CSS_SELECTOR, "#ranking tbody tr"):
        row.click()  # every click handler runs over the hostile data
    assert browser.execute_script("return window.__pwned === undefined")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it raises when there is none
    summary = browser.find_element(By.CSS_SELECTOR, "#project-1 summary")
    assert "<script>window.__pwned = 1; alert(1)</script>" in summary.text
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main script, #project-1 svg") == []
    assert console_errors(browser) == []  # not even a blocked inline script
    browser.execute_script("document.getElementById('project-1').scrollIntoView()")
    browser.save_screenshot(str(artifacts / "fundscout-report-hostile.png"))


def test_the_sample_report_renders(browser: Any, artifacts: Path) -> None:
    if not SAMPLE.exists():
        pytest.skip("reports/example/ is not in this checkout")
    console_errors(browser)
    browser.get(SAMPLE.as_uri())
    assert console_errors(browser) == []
    assert len(browser.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")) > 50
    shot = artifacts / "fundscout-report-sample.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

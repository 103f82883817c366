"""A headless Chromium for the HTML report tests, or a clean skip when it is not installed.

Only Debian's ``chromium`` and ``chromium-driver`` are used (installed by ``.ci/run``): the
driver path is given explicitly and ``SE_OFFLINE`` is set, so Selenium Manager never
downloads a browser or driver. Chromium runs with a fresh profile and without any of its
background network traffic; the pages under test load nothing from the network either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.report.html import render_document

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1600",
)  # fmt: skip

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
except ImportError:  # the test extra is not installed
    webdriver = None  # type: ignore[assignment]

MISSING = (
    "selenium is not installed" if webdriver is None
    else f"{CHROMIUM} is missing" if not CHROMIUM.exists()
    else f"{DRIVER} is missing" if not DRIVER.exists()
    else None
)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (skipped without it)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if MISSING:
                item.add_marker(pytest.mark.skip(reason=f"browser tests: {MISSING}"))


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager: never download anything
        driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def page_of(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Writes a document's HTML report to a file and returns its file:// URL."""
    folder = tmp_path_factory.mktemp("pages")

    def write(name: str, document: dict[str, Any]) -> str:
        path = folder / f"{name}.html"
        path.write_text(render_document(document), encoding="utf-8")
        return path.as_uri()

    return write


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

"""Browser tests of the HTML report (headless Chromium through Selenium)."""

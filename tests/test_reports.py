"""Golden-file tests: the reports for a fixed fixture organization, byte for byte.

Regenerate after an intended change with ``FUNDSCOUT_UPDATE_GOLDEN=1 pytest tests/test_reports.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analyzer import pipeline
from analyzer.config import Config
from analyzer.report import ReportFormat, render, write_reports
from analyzer.report.markdown import escape

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def result(monkeypatch: pytest.MonkeyPatch) -> pipeline.AuditResult:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    monkeypatch.chdir(FIXTURES)
    return pipeline.audit([Path("org")], Config())


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_report_matches_golden_file(result: pipeline.AuditResult, fmt: ReportFormat) -> None:
    text = render(result, fmt)
    golden = GOLDEN / fmt.filename
    if os.environ.get("FUNDSCOUT_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_json_report_contract(result: pipeline.AuditResult) -> None:
    data = json.loads(render(result, ReportFormat.JSON))
    assert data["schema_version"] == "1"
    assert data["generated_at"] == "2026-01-01T00:00:00Z"
    assert data["summary"]["repositories"] == 3
    top = data["projects"][0]
    assert (top["rank"], top["name"], top["packages"]) == (1, "requests", ["pkg:pypi/requests"])
    assert set(top) >= {"rank", "name", "packages", "priority", "reasons"}
    assert [e["name"] for e in data["excluded"]] == ["shared-lib"]
    assert data["problems"][0]["file"] == "web/package.json"


def test_hostile_names_are_inert_in_markdown(result: pipeline.AuditResult) -> None:
    text = render(result, ReportFormat.MARKDOWN)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text


def test_escape_neutralizes_table_and_html_syntax() -> None:
    assert escape("a|b <script>") == "a\\|b &lt;script&gt;"
    assert escape("line\nbreak") == "line break"


def test_reports_are_written_atomically(result: pipeline.AuditResult, tmp_path: Path) -> None:
    written = write_reports(result, tmp_path / "out", tuple(ReportFormat))
    assert [p.name for p in written] == ["fundscout-report.md", "fundscout-report.json"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)

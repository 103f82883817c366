"""Golden-file tests: the Markdown and JSON reports for a fixed fixture organization.

Regenerate after an intended change with ``FUNDSCOUT_UPDATE_GOLDEN=1 pytest tests/test_reports.py``
and review the diff. (HTML and CSV have golden tests of their own.)
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from analyzer import forked, pipeline, report
from analyzer.config import Config
from analyzer.report import ReportFormat, csv_report, json_report, render, write_reports
from analyzer.report import markdown as md
from analyzer.report.markdown import escape
from analyzer.score.paths import ProjectPaths, project_paths
from tests.helpers import forking

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
PROJECT_FIELDS = {
    "rank",
    "key",
    "name",
    "repository",
    "ecosystems",
    "packages",
    "priority",
    "confidence",
    "factors",
    "reasons",
    "missing",
    "eligibility",
    "funding",
    "maintainers",
    "used_by",
    "scopes",
    "signals",
}


@pytest.fixture
def result(monkeypatch: pytest.MonkeyPatch) -> pipeline.AuditResult:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    monkeypatch.chdir(FIXTURES)
    config = Config()
    config = replace(
        config,
        budget=replace(config.budget, amount=Decimal(1000), min_grant=0, max_share=Decimal("0.5")),
    )
    return pipeline.audit([Path("org")], config)


@pytest.mark.parametrize("fmt", [ReportFormat.MARKDOWN, ReportFormat.JSON])
def test_report_matches_golden_file(result: pipeline.AuditResult, fmt: ReportFormat) -> None:
    text = render(result, fmt)
    golden = GOLDEN / fmt.filename
    if os.environ.get("FUNDSCOUT_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_json_report_contract(result: pipeline.AuditResult) -> None:
    data = json.loads(render(result, ReportFormat.JSON))
    assert data["schema_version"] == "2"
    assert data["generated_at"] == "2026-01-01T00:00:00Z"
    assert data["summary"]["repositories"] == 3
    top = data["projects"][0]
    assert set(top) == PROJECT_FIELDS
    assert (top["rank"], top["name"], top["packages"]) == (1, "requests", ["pkg:pypi/requests"])
    assert set(top["factors"]) == {"reliance", "criticality", "need"}
    assert set(top["factors"]["need"]) == {"value", "inputs", "missing"}
    assert top["eligibility"] == {
        "status": "flagged",
        "flags": ["reach-out"],
        "reasons": ["funding channels were not looked up: reach out to maintainers"],
    }
    assert {u["repository"] for u in top["used_by"]} == {"api", "tools"}
    assert [e["name"] for e in data["excluded"]] == ["shared-lib"]
    assert data["problems"][0]["file"] == "web/package.json"
    allocation = data["allocation"]
    assert allocation["budget"] == 1000 and allocation["currency"] == "USD"
    assert round(sum(g["amount"] for g in allocation["grants"]), 2) == 1000
    assert data["model"]["need_weight"] == Config().scoring.need_weight


def test_without_a_budget_allocation_is_null(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    data = json.loads(render(pipeline.audit([Path("org")], Config()), ReportFormat.JSON))
    assert data["allocation"] is None
    assert "## Budget" not in render(pipeline.audit([Path("org")], Config()), ReportFormat.MARKDOWN)


def test_hostile_names_are_inert_in_markdown(result: pipeline.AuditResult) -> None:
    text = render(result, ReportFormat.MARKDOWN)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text


def test_escape_neutralizes_table_and_html_syntax() -> None:
    assert escape("a|b <script>") == "a\\|b &lt;script&gt;"
    assert escape("line\nbreak") == "line break"
    assert escape("x" * 50, limit=10) == "x" * 9 + "…"


def test_markdown_stays_under_the_step_summary_limit(result: pipeline.AuditResult) -> None:
    """Thousands of long problems and exclusions are capped, not written out."""
    problem = result.collection.problems[0]
    huge = [replace(problem, message="m" * 5000 + str(i)) for i in range(5000)]
    result.collection.problems = huge
    text = render(result, ReportFormat.MARKDOWN)
    assert len(text.encode("utf-8")) < md.MAX_BYTES
    assert f"… and {5000 - md.MAX_LISTED} more in the JSON report" in text


def test_reports_are_written_atomically(result: pipeline.AuditResult, tmp_path: Path) -> None:
    formats = (ReportFormat.MARKDOWN, ReportFormat.JSON)
    written = write_reports(result, tmp_path / "out", formats)
    assert [p.name for p in written] == ["fundscout-report.md", "fundscout-report.json"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)


@forking
def test_with_other_formats_copies_write_the_same_json_and_csv(
    result: pipeline.AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = tuple(ReportFormat)
    original_json, original_csv = report.write_json, csv_report.render_document

    def note(name: str) -> None:
        # appended to a file: the copy's own memory would not show here
        with (tmp_path / name).open("a") as log:
            log.write(f"{os.getpid()}\n")

    def json_noted(path: Path, document: object) -> None:
        note("json")
        original_json(path, document)  # type: ignore[arg-type]

    def csv_noted(document: Any) -> str:
        note("csv")
        return original_csv(document)

    monkeypatch.setattr(report, "write_json", json_noted)
    monkeypatch.setattr(csv_report, "render_document", csv_noted)
    monkeypatch.setattr(json_report, "FORK_USES", 0)
    write_reports(result, tmp_path / "copy", every)
    writers = [int((tmp_path / name).read_text()) for name in ("json", "csv")]
    assert len(set(writers)) == 2 and os.getpid() not in writers  # two copies wrote them
    monkeypatch.setattr(forked, "can_fork", lambda: False)  # now done here
    write_reports(result, tmp_path / "here", every)
    for name in ("json", "csv"):
        assert (tmp_path / name).read_text().split()[-1] == str(os.getpid())
    for fmt in every:
        assert (tmp_path / "copy" / fmt.filename).read_bytes() == (
            tmp_path / "here" / fmt.filename
        ).read_bytes(), fmt
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == sorted(
        f.filename for f in every
    )


@forking
def test_when_the_copy_fails_the_json_is_written_here(
    result: pipeline.AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, original = os.getpid(), report.write_json

    def fails_in_the_copy(path: Path, document: object) -> None:
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        original(path, document)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "write_json", fails_in_the_copy)
    monkeypatch.setattr(json_report, "FORK_USES", 0)
    write_reports(result, tmp_path, (ReportFormat.JSON, ReportFormat.MARKDOWN))
    assert (tmp_path / "fundscout-report.json").read_bytes() == render(
        result, ReportFormat.JSON
    ).encode("utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@forking
def test_paths_found_by_a_copy_make_the_same_document(
    result: pipeline.AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = json_report.use_paths

    def noted(*args: Any) -> list[list[list[str]]]:
        with (tmp_path / "pids").open("a") as log:  # the copy's memory would not show here
            log.write(f"{os.getpid()}\n")
        return original(*args)

    monkeypatch.setattr(json_report, "use_paths", noted)
    monkeypatch.setattr(json_report, "FORK_USES", 0)
    copied = json_report.to_data(result)
    assert [int(pid) for pid in (tmp_path / "pids").read_text().split()] != [os.getpid()]
    monkeypatch.setattr(forked, "can_fork", lambda: False)  # now done here
    here = json_report.to_data(result)
    assert (tmp_path / "pids").read_text().split()[-1] == str(os.getpid())
    assert copied == here
    uses = [u for p in here["projects"] for u in p["used_by"]]
    assert uses and all(u["path"][0] == u["repository"] for u in uses)
    assert any(len(u["path"]) > 1 for u in uses)


@forking
def test_paths_found_while_the_audit_ranks_make_the_same_document(
    result: pipeline.AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = pipeline.project_paths

    def noted(*args: Any) -> ProjectPaths:
        with (tmp_path / "pids").open("a") as log:  # the copy's memory would not show here
            log.write(f"{os.getpid()}\n")
        return original(*args)

    monkeypatch.setattr(pipeline, "project_paths", noted)
    monkeypatch.setattr(pipeline, "FORK_USES", 0)
    config = Config()  # the fixture has moved into the fixtures folder
    audited = pipeline.audit([Path("org")], config, find_paths=True)
    assert audited.paths is not None and audited.paths.forked
    copied = json_report.to_data(audited)
    (pid,) = (tmp_path / "pids").read_text().split()  # found once, by a copy
    assert int(pid) != os.getpid()
    here = json_report.to_data(pipeline.audit([Path("org")], config))
    assert pipeline.audit([Path("org")], config, find_paths=False).paths is None
    assert copied == here
    assert any(len(u["path"]) > 1 for p in copied["projects"] for u in p["used_by"])


def test_a_path_the_copy_did_not_find_is_found_here(result: pipeline.AuditResult) -> None:
    expected = json_report.to_data(result)
    ranked = result.ranking.projects
    found = project_paths(result.graph, [p.project for p in ranked])
    some = ranked[0].project.key
    del found[some]  # as if the copy had not known the project
    found[ranked[1].project.key].clear()  # nor the repositories using another
    records = json_report.to_data(result)["projects"]
    for record in records:
        for use in record["used_by"]:
            use["path"] = None
    json_report.fill_paths(records, ranked, found, result.graph)
    assert records == expected["projects"]

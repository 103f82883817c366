"""``fundscout explain``: factors, signals, users and graph paths, from a report or an audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.cli.common import ExitCode
from analyzer.cli.explain import names_of
from tests.conftest import TreeWriter

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
ORG: dict[str, str | bytes] = {
    "api/requirements.txt": "requests==2.32.3\n",
    "api/poetry.lock": (
        '[[package]]\nname = "requests"\nversion = "2.32.3"\n\n'
        '[package.dependencies]\nurllib3 = ">=1.21"\n\n'
        '[[package]]\nname = "urllib3"\nversion = "2.2.0"\n\n'
        '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "x"\n'
    ),
    "web/requirements.txt": "urllib3>=2\n",
}


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(FIXTURES)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["audit", "org", "--out", str(out), "-q", "--no-enrich", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    return out / "fundscout-report.json"


def explain(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["explain", *args])
    return result.exit_code, result.output


def test_explain_prints_factors_reasons_users_and_files(report: Path) -> None:
    code, output = explain("requests", "--report", str(report))
    assert code == 0, output
    data = json.loads(report.read_text(encoding="utf-8"))
    top = data["projects"][0]
    assert output.splitlines()[0] == (
        f"requests: rank 1 of {len(data['projects'])}, priority {top['priority']}, "
        f"confidence {top['confidence']:.0%}"
    )
    assert "Why: " + "; ".join(top["reasons"]) in output
    assert f"  reliance     {top['factors']['reliance']['value']}" in output
    assert "dependents: unknown → score 0.0 (weight 2.0)" in output
    assert "Missing (lowers confidence, never raises a score): dependents" in output
    assert "  api: runtime, direct" in output
    assert "declared in api/requirements.txt:" in output


def test_names_match_purls_and_package_names_case_insensitively(report: Path) -> None:
    assert explain("pkg:pypi/fastapi", "--report", str(report))[1].startswith("fastapi: rank")
    assert explain("FastAPI", "--report", str(report))[1].startswith("fastapi: rank")
    assert names_of({"name": "babel/babel", "packages": ["pkg:npm/%40babel/core"]}) >= {
        "babel/babel",
        "pkg:npm/%40babel/core",
        "@babel/core",
        "core",
    }


def test_excluded_projects_say_why(report: Path) -> None:
    code, output = explain("shared-lib", "--report", str(report))
    assert code == 0
    assert output.startswith("shared-lib: excluded from the ranking: published by")


def test_unknown_name_suggests_close_ones(report: Path) -> None:
    code, output = explain("reqests", "--report", str(report))
    assert code == ExitCode.USAGE
    assert "reqests: no such project or package in the report (did you mean requests" in output


def test_missing_or_old_reports_are_usage_errors(tmp_path: Path, report: Path) -> None:
    code, output = explain("requests", "--report", str(tmp_path / "none.json"))
    assert code == ExitCode.USAGE and "no such file (run fundscout audit first" in output
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"schema_version": "1", "projects": []}), encoding="utf-8")
    code, output = explain("requests", "--report", str(old))
    assert code == ExitCode.USAGE and "schema '1' has no factors" in output


def test_explain_audits_paths_and_shows_the_path_through_the_graph(write_tree: TreeWriter) -> None:
    root = write_tree(ORG)
    code, output = explain("urllib3", str(root), "--no-enrich")
    assert code == 0, output
    assert "  api: runtime, transitive, depth 2" in output
    assert "      path: api → pkg:pypi/requests → pkg:pypi/urllib3" in output
    assert "  web: runtime, direct" in output


def test_hostile_report_text_is_printed_inert(tmp_path: Path, report: Path) -> None:
    data = json.loads(report.read_text(encoding="utf-8"))
    data["projects"][0]["reasons"] = ["[bold red]x[/] \x1b[31mred\x1b[0m \u202eevil"]
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(data), encoding="utf-8")
    code, output = explain("requests", "--report", str(hostile))
    assert code == 0
    assert "Why: [bold red]x[/] [31mred[0m evil" in output
    assert "\x1b" not in output and "\u202e" not in output

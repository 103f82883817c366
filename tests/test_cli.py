"""The command line: ``fundscout audit`` and ``fundscout deps``, their output and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from analyzer import __version__, pipeline
from analyzer.cli import app
from analyzer.cli.common import ExitCode, err_console
from analyzer.errors import SourceError
from tests.conftest import TreeWriter

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "acme"
RECORD_FIELDS = {
    "ecosystem", "name", "purl", "spec", "version", "scope", "direct", "repo", "file", "line",
    "source",
}  # fmt: skip
ORG: dict[str, str | bytes] = {
    "api/requirements.txt": "# the API service\nrequests==2.32.3\n\nflask>=3.0  # web framework\n",
    "api/src/app.py": "import flask\n",
    "web/package.json": (
        '{\n  "name": "@acme/web",\n  "private": true,\n'
        '  "dependencies": {\n    "lodash": "^4.17.21"\n  },\n'
        '  "devDependencies": {\n    "@types/node": "^20.11.0"\n  }\n}\n'
    ),
    "docs/README.md": "no manifests here\n",
}
BROKEN_JSON = '{\n  "dependencies": {\n    "lodash": \n}\n'


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every command from an empty folder: no stray config, no reports in the repo."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    return cwd


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    def invoke(*args: str | Path) -> Result:
        # catch_exceptions=False: a traceback fails the test instead of hiding in the result.
        return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def org(write_tree: TreeWriter) -> Path:
    return write_tree(ORG)


def error_lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return result.stderr.strip().splitlines()


# --- audit --------------------------------------------------------------------------------


def test_audit_example_writes_the_default_reports(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("audit", EXAMPLES, "--out", out)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["fundscout-report.html", "fundscout-report.json", "fundscout-report.md"]
    assert "Funding priorities" in result.stdout
    assert "Audited 11 repositories" in result.stdout
    assert str(out / "fundscout-report.json") in result.stdout.replace("\n", "")

    report = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    assert report["schema_version"] == "2"
    assert report["generated_at"] == "2026-01-01T00:00:00Z"
    assert report["summary"]["repositories"] == 11
    assert report["summary"]["problems"] == 0
    assert report["problems"] == []
    projects = report["projects"]
    assert [p["rank"] for p in projects] == list(range(1, len(projects) + 1))
    priorities = [p["priority"] for p in projects]
    assert priorities == sorted(priorities, reverse=True)
    for project in projects:
        assert {"rank", "name", "packages", "priority", "reasons"} <= project.keys()
        assert project["packages"] and all(p.startswith("pkg:") for p in project["packages"])
        assert project["reasons"]
    by_name = {p["name"]: p for p in projects}
    assert by_name["requests"]["packages"] == ["pkg:pypi/requests"]
    assert "pkg:npm/express" in {purl for p in projects for purl in p["packages"]}
    # acme-common is published by the organization itself: never a funding candidate.
    assert not any("acme-common" in purl for p in projects for purl in p["packages"])
    markdown = (out / "fundscout-report.md").read_text(encoding="utf-8")
    assert markdown.startswith("#")
    assert "requests" in markdown


def test_quiet_prints_nothing_on_success(run: Run, org: Path, tmp_path: Path) -> None:
    result = run("audit", org, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ""
    assert (tmp_path / "out" / "fundscout-report.md").is_file()


def test_format_json_writes_only_json(run: Run, org: Path, tmp_path: Path) -> None:
    result = run("audit", org, "--out", tmp_path / "out", "--format", "json", "-q")
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fundscout-report.json"]


@pytest.mark.parametrize("formats", ["xml", "md,pdf", "JSON,pdf"])
def test_bad_format_is_a_usage_error(run: Run, org: Path, tmp_path: Path, formats: str) -> None:
    result = run("audit", org, "--out", tmp_path / "out", "--format", formats)
    assert result.exit_code == ExitCode.USAGE
    [line] = error_lines(result)
    assert line.startswith("fundscout: error: --format: unknown format ")
    assert not (tmp_path / "out").exists()


def test_audit_without_path_audits_the_current_directory(
    run: Run, org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(org)
    result = run("audit", "--out", tmp_path / "out", "--format", "json", "-q")
    assert result.exit_code == 0
    report = json.loads((tmp_path / "out" / "fundscout-report.json").read_text())
    assert report["roots"] == ["."]
    assert [r["name"] for r in report["repositories"]] == ["api", "docs", "web"]


def test_report_folder_inside_the_audited_folder_is_not_a_repository(
    run: Run, org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(org)
    for _ in range(2):  # the second run finds reports/ from the first one
        assert run("audit", "-q").exit_code == 0
        report = json.loads((org / "reports" / "fundscout-report.json").read_text())
        assert [r["name"] for r in report["repositories"]] == ["api", "docs", "web"]


def test_same_path_twice_is_audited_once(run: Run, org: Path) -> None:
    result = run("deps", org, f"{org}/../tree")
    assert result.exit_code == 0
    repos = {d["repo"] for d in json.loads(result.stdout)["dependencies"]}
    assert repos == {"api", "web"}  # no "tree/" prefix: only one PATH is left


def test_several_paths_prefix_repositories(run: Run, tmp_path: Path) -> None:
    for org_name in ("north", "south"):
        (tmp_path / org_name / "api").mkdir(parents=True)
        (tmp_path / org_name / "api" / "requirements.txt").write_text("requests\n")
    result = run("deps", tmp_path / "north", tmp_path / "south")
    assert result.exit_code == 0
    records = json.loads(result.stdout)["dependencies"]
    assert [(d["repo"], d["file"]) for d in records] == [
        ("north/api", "api/requirements.txt"),
        ("south/api", "api/requirements.txt"),
    ]


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED, "interrupted"),
        # The folder vanished between the checks and the walk.
        (SourceError("org: no such file or directory"), 2, "org: no such file or directory"),
    ],
)
@pytest.mark.parametrize("command", ["audit", "deps"])
def test_failures_during_the_walk(
    run: Run,
    org: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    error: BaseException,
    code: int,
    message: str,
) -> None:
    def fails(*_: object) -> None:
        raise error

    monkeypatch.setattr(pipeline, "collect", fails)
    result = run(command, org, "-q") if command == "audit" else run(command, org)
    assert result.exit_code == code
    assert error_lines(result) == [f"fundscout: error: {message}"]
    assert result.stdout == ""


def test_progress_bar_on_a_terminal(run: Run, org: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(err_console, "_force_terminal", True)
    result = run("audit", org)
    assert result.exit_code == 0
    assert "Funding priorities" in result.stdout


def test_report_folder_that_cannot_be_written(run: Run, org: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the report folder should be\n")
    result = run("audit", org, "--out", blocker)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith(f"fundscout: error: {blocker}: cannot write reports: ")


def test_many_problems_are_summarized(run: Run, write_tree: TreeWriter, tmp_path: Path) -> None:
    broken = {f"svc{i:02}/package.json": BROKEN_JSON for i in range(12)}
    result = run("audit", write_tree({**ORG, **broken}), "--out", tmp_path / "out")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 11
    assert warnings[-1] == "warning: … and 2 more problems in the reports"


# --- bad paths and configuration ----------------------------------------------------------


@pytest.mark.parametrize("command", ["audit", "deps"])
def test_missing_path_is_a_one_line_usage_error(run: Run, tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no" / "such-org"
    result = run(command, missing)
    assert result.exit_code == 2
    assert error_lines(result) == [f"fundscout: error: {missing}: no such file or directory"]
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["audit", "deps"])
def test_path_that_is_a_file_is_a_usage_error(run: Run, tmp_path: Path, command: str) -> None:
    file = tmp_path / "requirements.txt"
    file.write_text("requests\n")
    result = run(command, file)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith(f"fundscout: error: {file}: not a directory")


@pytest.mark.skipif(os.name == "nt", reason="chmod cannot make a folder unreadable on Windows")
@pytest.mark.parametrize("command", ["audit", "deps"])
def test_unreadable_path_is_a_usage_error(run: Run, org: Path, command: str) -> None:
    org.chmod(0)
    try:
        if os.access(org, os.R_OK):
            pytest.skip("running with privileges that read any folder (root)")
        result = run(command, org)
    finally:
        org.chmod(0o755)
    assert result.exit_code == 2
    assert error_lines(result) == [f"fundscout: error: {org}: permission denied"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("exlude = []\n", "unknown key 'exlude' (did you mean 'exclude'?)"),
        ("top = 'many'\n", "top: expected a positive integer"),
        ("max-file-size = 'big'\n", "max-file-size: expected a size such as 10MB"),
        ("top = \n", "invalid TOML"),
    ],
)
@pytest.mark.parametrize("command", ["audit", "deps"])
def test_bad_config_is_a_one_line_usage_error(
    run: Run, org: Path, isolated_cwd: Path, config: str, message: str, command: str
) -> None:
    (isolated_cwd / "fundscout.toml").write_text(config)
    result = run(command, org)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith("fundscout: error: ")
    assert "fundscout.toml" in line
    assert message in line


def test_error_text_is_not_read_as_markup(run: Run, org: Path, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    result = run("deps", org, "--config", pyproject)
    assert result.exit_code == 2
    assert error_lines(result) == [f"fundscout: error: {pyproject}: no [tool.fundscout] table"]


def test_bad_max_file_size_option(run: Run, org: Path) -> None:
    result = run("deps", org, "--max-file-size", "huge")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith("fundscout: error: --max-file-size: expected a size")


# --- exit codes ---------------------------------------------------------------------------

EXIT_CASES = {
    "empty folder": ({}, [], ExitCode.NOTHING),
    "repositories without manifests": (
        {"api/README.md": "", "web/src/index.js": ""},
        [],
        ExitCode.NOTHING,
    ),
    "all manifests broken": (
        {"web/package.json": BROKEN_JSON, "api/pyproject.toml": "[project\n"},
        [],
        ExitCode.NOTHING,
    ),
    "a problem": ({**ORG, "admin/package.json": BROKEN_JSON}, [], ExitCode.OK),
    "a problem, --strict": ({**ORG, "admin/package.json": BROKEN_JSON}, ["--strict"], 4),
    "an oversized file, --strict": (ORG, ["--strict", "--max-file-size", "100"], 4),
    "an oversized file": (ORG, ["--max-file-size", "100"], ExitCode.OK),
    "clean, --strict": (ORG, ["--strict"], ExitCode.OK),
}


@pytest.mark.parametrize(("files", "options", "code"), EXIT_CASES.values(), ids=EXIT_CASES.keys())
@pytest.mark.parametrize("command", ["audit", "deps"])
def test_exit_codes(
    run: Run,
    write_tree: TreeWriter,
    tmp_path: Path,
    command: str,
    files: dict[str, str | bytes],
    options: list[str],
    code: int,
) -> None:
    root = write_tree(files)
    out = ["--out", str(tmp_path / "out")] if command == "audit" else []
    result = run(command, root, *out, *options)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code:
        assert error_lines(result)[-1].startswith("fundscout: error: ")
    else:
        assert "fundscout: error" not in result.stderr


@pytest.mark.parametrize(
    ("files", "written"),
    [
        ({}, False),  # nothing to report on
        ({"api/README.md": ""}, False),
        ({"web/package.json": BROKEN_JSON}, True),  # the reports list the problems
    ],
)
def test_reports_on_nothing_to_audit(
    run: Run, write_tree: TreeWriter, tmp_path: Path, files: dict[str, str | bytes], written: bool
) -> None:
    result = run("audit", write_tree(files), "--out", tmp_path / "out")
    assert result.exit_code == 3
    assert (tmp_path / "out" / "fundscout-report.json").exists() is written
    if written:
        report = json.loads((tmp_path / "out" / "fundscout-report.json").read_text())
        assert [p["file"] for p in report["problems"]] == ["web/package.json"]
        assert error_lines(result)[-1] == (
            "fundscout: error: nothing could be audited: all 1 manifests had problems"
        )


def test_problems_are_warnings_on_stderr(run: Run, write_tree: TreeWriter, tmp_path: Path) -> None:
    root = write_tree({**ORG, "admin/package.json": BROKEN_JSON})
    result = run("audit", root, "--out", tmp_path / "out")
    assert result.exit_code == 0
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning.startswith("warning: admin/package.json:")


# --- deps ---------------------------------------------------------------------------------


def deps_json(run: Run, *args: str | Path) -> dict[str, Any]:
    result = run("deps", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_deps_json_is_the_contract(run: Run, org: Path) -> None:
    document = deps_json(run, org, "--format", "json")
    assert document.keys() == {"dependencies", "problems"}
    assert document["problems"] == []
    records = document["dependencies"]
    assert all(record.keys() == RECORD_FIELDS for record in records)
    assert sorted(records, key=lambda r: (r["repo"], r["name"])) == [
        {
            "ecosystem": "pypi", "name": "flask", "purl": "pkg:pypi/flask", "spec": ">=3.0",
            "version": None, "scope": "runtime", "direct": True, "repo": "api",
            "file": "api/requirements.txt", "line": 4, "source": "registry",
        },
        {
            "ecosystem": "pypi", "name": "requests", "purl": "pkg:pypi/requests",
            "spec": "==2.32.3", "version": "2.32.3", "scope": "runtime", "direct": True,
            "repo": "api", "file": "api/requirements.txt", "line": 2, "source": "registry",
        },
        {
            "ecosystem": "npm", "name": "@types/node", "purl": "pkg:npm/%40types/node",
            "spec": "^20.11.0", "version": None, "scope": "dev", "direct": True, "repo": "web",
            "file": "web/package.json", "line": 8, "source": "registry",
        },
        {
            "ecosystem": "npm", "name": "lodash", "purl": "pkg:npm/lodash", "spec": "^4.17.21",
            "version": None, "scope": "runtime", "direct": True, "repo": "web",
            "file": "web/package.json", "line": 5, "source": "registry",
        },
    ]  # fmt: skip


def test_deps_problems_carry_file_line_and_message(run: Run, write_tree: TreeWriter) -> None:
    root = write_tree({**ORG, "admin/package.json": BROKEN_JSON})
    document = deps_json(run, root)
    [problem] = document["problems"]
    assert {"file", "line", "message"} <= problem.keys()
    assert problem["file"] == "admin/package.json"
    assert problem["line"] == 4
    assert problem["message"].startswith("invalid JSON")
    assert problem["repo"] == "admin"


def test_deps_paths_are_relative_to_the_path_given(run: Run, org: Path) -> None:
    # A repository given directly (it has .git) has paths relative to itself.
    (org / "api" / ".git").mkdir()
    records = deps_json(run, org / "api")["dependencies"]
    assert {(r["repo"], r["file"]) for r in records} == {("api", "requirements.txt")}


def test_deps_table(run: Run, write_tree: TreeWriter) -> None:
    root = write_tree({**ORG, "admin/package.json": BROKEN_JSON, "[old]/requirements.txt": "six\n"})
    result = run("deps", root, "--format", "table")
    assert result.exit_code == 0
    table = result.stdout
    for text in ("ecosystem", "requests", "==2.32.3", "@types/node", "lodash", "dev"):
        assert text in table
    assert "[old]/requirements.txt:1" in table  # brackets shown as they are, not as markup
    assert "problem: admin/package.json:4: invalid JSON" in table


def test_deps_rejects_unknown_format(run: Run, org: Path) -> None:
    result = run("deps", org, "--format", "xml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_exclude_from_option_and_config(
    run: Run, write_tree: TreeWriter, isolated_cwd: Path
) -> None:
    root = write_tree(
        {
            **ORG,
            "api/tests/fixtures/requirements.txt": "fixture-only\n",
            "legacy-billing/requirements.txt": "old-thing\n",
            "api/requirements-old.txt": "older-thing\n",
        }
    )
    everything = {r["name"] for r in deps_json(run, root)["dependencies"]}
    assert {"fixture-only", "old-thing", "older-thing"} <= everything

    (isolated_cwd / "fundscout.toml").write_text('exclude = ["**/fixtures/**", "legacy-*"]\n')
    records = deps_json(run, root, "--exclude", "api/requirements-old.txt")["dependencies"]
    assert {r["name"] for r in records} == everything - {"fixture-only", "old-thing", "older-thing"}


def test_config_sets_report_defaults(
    run: Run, org: Path, isolated_cwd: Path, tmp_path: Path
) -> None:
    (isolated_cwd / "pyproject.toml").write_text(
        f'[tool.fundscout]\nout = "{(tmp_path / "cfg-out").as_posix()}"\nformats = ["md"]\n'
    )
    assert run("audit", org, "-q").exit_code == 0
    assert [p.name for p in (tmp_path / "cfg-out").iterdir()] == ["fundscout-report.md"]
    # The command line wins over the configuration.
    assert run("audit", org, "-q", "--out", tmp_path / "cli-out", "-f", "json").exit_code == 0
    assert [p.name for p in (tmp_path / "cli-out").iterdir()] == ["fundscout-report.json"]


# --- version and entry points -------------------------------------------------------------


def test_version_option(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"fundscout {__version__}\n"


def test_python_m_analyzer_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"fundscout {__version__}\n"


@pytest.mark.skipif(shutil.which("fundscout") is None, reason="fundscout is not installed on PATH")
def test_installed_entry_point(org: Path) -> None:
    executable = shutil.which("fundscout")
    assert executable is not None
    version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert version.stdout == f"fundscout {__version__}\n"
    result = subprocess.run(
        [executable, "deps", str(org), "--format", "table"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "lodash" in result.stdout

"""The GitHub Action: action.yml's wiring and analyzer/action.py under a simulated runner."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analyzer import action
from analyzer.manifests import is_manifest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "acme"


def parse_outputs(path: Path) -> dict[str, str]:
    """Read ``name<<DELIMITER`` blocks the way the runner does."""
    outputs, lines = {}, path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        name, delimiter = lines[index].split("<<", 1)
        end = lines.index(delimiter, index + 1)
        outputs[name] = "\n".join(lines[index + 1 : end])
        index = end + 1
    return outputs


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    """The variables a GitHub runner sets for a step, files included."""
    (tmp_path / "temp").mkdir()
    return {
        **os.environ,  # the suite's offline mode and private cache folder
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "INPUT_FORMATS": "md,json",
        "INPUT_ARGS": "--no-enrich",
    }


def test_an_audit_fills_the_step_summary_and_the_outputs(
    runner_env: dict[str, str], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    runner_env["INPUT_PATH"] = str(EXAMPLE)
    assert action.run(runner_env) == 0
    outputs = parse_outputs(tmp_path / "output.txt")
    out = tmp_path / "temp" / "fundscout-reports"
    assert outputs == {
        "exit-code": "0",
        "report-dir": str(out),
        "markdown-report": str(out / "fundscout-report.md"),
        "json-report": str(out / "fundscout-report.json"),
    }
    markdown = Path(outputs["markdown-report"]).read_text(encoding="utf-8")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == markdown
    report = json.loads(Path(outputs["json-report"]).read_text(encoding="utf-8"))
    assert report["summary"]["repositories"] == 11
    # The command is shown; in CI the audit prints its compact summary.
    printed = capfd.readouterr().out
    assert f"fundscout audit {EXAMPLE} --out {out} --format md,json --no-enrich" in printed
    assert "fundscout: 11 repositories" in printed


def test_a_failed_audit_fails_the_step_with_its_exit_code(
    runner_env: dict[str, str], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    runner_env["INPUT_PATH"] = str(tmp_path / "missing")
    stale = tmp_path / "temp" / "fundscout-reports" / "fundscout-report.md"
    stale.parent.mkdir()
    stale.write_text("# last month's report\n", encoding="utf-8")
    os.utime(stale, (1_600_000_000, 1_600_000_000))
    assert action.run(runner_env) == 2
    outputs = parse_outputs(tmp_path / "output.txt")
    assert outputs["exit-code"] == "2"
    assert "markdown-report" not in outputs  # an old report is not passed off as this run's
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary == "\n**fundscout audit exited with code 2: usage error (see the log).**\n"
    captured = capfd.readouterr()
    assert "::error title=fundscout::fundscout audit exited with code 2" in captured.out
    assert "missing: no such file or directory" in captured.err


def test_the_module_entry_point_exits_with_the_audit_code(
    runner_env: dict[str, str], tmp_path: Path
) -> None:
    runner_env["INPUT_PATH"] = str(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    done = subprocess.run([sys.executable, "-m", "analyzer.action"], env=runner_env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 3, done.stderr  # nothing to audit
    assert parse_outputs(tmp_path / "output.txt")["exit-code"] == "3"


def test_inputs_become_arguments_and_unsupported_ones_are_refused() -> None:
    inputs = action.Inputs.from_environ({
        "INPUT_PATH": "services\nlibs", "INPUT_GITHUB_ORG": "acme", "INPUT_BUDGET": "5000",
        "INPUT_ARGS": "--strict --exclude 'legacy *'", "RUNNER_TEMP": "/runner/tmp",
    })  # fmt: skip
    argv = action.command_line(inputs, {"--github-org", "--budget", "--format"})
    assert argv == ["services", "libs", "--out", "/runner/tmp/fundscout-reports",
                    "--github-org", "acme", "--budget", "5000", "--strict", "--exclude",
                    "legacy *"]  # fmt: skip
    with pytest.raises(action.ActionError, match=r"budget input needs `fundscout audit --budget`"):
        action.command_line(inputs, {"--github-org", "--format"})


def test_badly_quoted_args_are_an_input_error(
    runner_env: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    runner_env["INPUT_ARGS"] = "--exclude 'unclosed"
    assert action.run(runner_env) == 2
    assert "::error title=fundscout::args: No closing quotation" in capfd.readouterr().out


def test_every_input_the_action_passes_is_an_option_of_this_fundscout() -> None:
    assert set(action.OPTIONS.values()) <= action.audit_options()


def test_a_long_report_is_cut_to_the_summary_limit_on_a_line_boundary() -> None:
    line = "| ü project | 1 | ✓ |\n"
    text = action.summary_text(line * 100_000, 0)
    assert len(text.encode("utf-8")) <= action.SUMMARY_LIMIT + 200
    body, note = text.rsplit("\n\n", 1)
    assert body.endswith("|") and set(body.split("\n")) == {line.rstrip("\n")}
    assert note.startswith("*… cut to fit the step summary")


def test_output_values_cannot_forge_other_outputs(tmp_path: Path) -> None:
    target = tmp_path / "output.txt"
    action.write_outputs(str(target), {"report-dir": "x\nexit-code=0\nEOF", "exit-code": "2"})
    assert parse_outputs(target) == {"report-dir": "x\nexit-code=0\nEOF", "exit-code": "2"}


def test_action_yml_maps_every_input_and_output() -> None:
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert spec["runs"]["using"] == "composite"
    install, audit = spec["runs"]["steps"]
    assert '"$GITHUB_ACTION_PATH"' in install["run"] and audit["id"] == "audit"
    assert audit["run"] == '"$FUNDSCOUT_PYTHON" -m analyzer.action'
    env = audit["env"]
    passed = {k.removeprefix("INPUT_").lower().replace("_", "-") for k in env if k[:6] == "INPUT_"}
    assert passed == set(spec["inputs"]) - {"token", "python"}
    assert passed == {"path", "out", "args", *action.OPTIONS}
    for name, value in env.items():
        if name.startswith("INPUT_"):
            key = name.removeprefix("INPUT_").lower().replace("_", "-")
            assert value == f"${{{{ inputs.{key} }}}}"
    assert env["GITHUB_TOKEN"] == "${{ inputs.token }}"
    written = {"report-dir", "exit-code", *action.OUTPUTS.values()}
    assert set(spec["outputs"]) == written
    for name, output in spec["outputs"].items():
        assert output["value"] == f"${{{{ steps.audit.outputs.{name} }}}}"


def test_the_example_workflow_runs_monthly_and_uploads_the_html_report() -> None:
    text = (ROOT / ".github" / "workflows" / "example-monthly-audit.yml").read_text("utf-8")
    workflow = yaml.safe_load(text)
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    assert re.fullmatch(r"\d+ \d+ 1 \* \*", triggers["schedule"][0]["cron"])
    steps = workflow["jobs"]["audit"]["steps"]
    audit = next(s for s in steps if s.get("id") == "fundscout")
    assert "html" in audit["with"]["formats"].split(",")
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "${{ steps.fundscout.outputs.report-dir }}"


SAMPLES = [
    "requirements.txt", "requirements-dev.txt", "requirements/base.txt", "dev.in",
    "pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "Pipfile.lock", "poetry.lock",
    "uv.lock", "pdm.lock", "pylock.toml", "environment.yml", "package.json",
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "pom.xml",
    "build.gradle", "build.gradle.kts", "gradle.lockfile", "gradle/libs.versions.toml",
    "build.sbt", "Cargo.toml", "Cargo.lock", "go.mod", "Gemfile", "Gemfile.lock", "gems.rb",
    "acme.gemspec", "composer.json", "composer.lock", "bom.json", "app.cdx.json",
    "app.spdx.json", "README.md", "src/main.py", "go.sum", "package.json5", "docs/index.html",
]  # fmt: skip


@pytest.mark.parametrize("path", SAMPLES)
def test_the_pre_commit_hook_runs_when_a_file_fundscout_reads_changes(path: str) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("fundscout", "python", False)
    assert hook["entry"] == "fundscout audit"
    matched = re.search(hook["files"], f"repo/{path}") is not None
    assert matched == is_manifest(f"repo/{path}"), path

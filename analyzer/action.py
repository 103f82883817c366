"""The GitHub Action's logic: ``action.yml`` installs fundscout, then runs this module.

Inputs arrive as ``INPUT_*`` environment variables (action.yml maps each ``inputs.*`` to one).
The audit runs as a child process, ``python -m analyzer audit …``, so its exit code becomes the
step's; afterwards the Markdown report is appended to ``$GITHUB_STEP_SUMMARY`` and the report
paths are written to ``$GITHUB_OUTPUT``, also when the audit failed, so a later
``if: always()`` step can still upload what was written. Nothing here is specific to a runner:
set ``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT`` and ``RUNNER_TEMP`` to try it locally.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SUMMARY_LIMIT = 1_000_000  # GitHub refuses step summaries over 1 MiB
# input -> fundscout audit option (a value input; "path" is positional)
OPTIONS = {"github-org": "--github-org", "budget": "--budget", "formats": "--format",
           "baseline": "--baseline", "fail-on": "--fail-on"}  # fmt: skip
OUTPUTS = {  # report file -> output naming its path
    "fundscout-report.md": "markdown-report",
    "fundscout-report.json": "json-report",
    "fundscout-report.html": "html-report",
    "fundscout-report.csv": "csv-report",
    "fundscout-sponsors.csv": "sponsors-csv",  # with a budget: GitHub Sponsors' bulk format
    "fundscout-diff.md": "diff-report",  # with a baseline
}
EXIT_MEANINGS = {
    1: "a policy failed",
    2: "usage error (see the log)",
    3: "nothing could be audited",
    4: "some files could not be read (--strict)",
    130: "interrupted",
}


class ActionError(Exception):
    """An input the action cannot use; the step fails with exit code 2."""


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, as action.yml passes them."""

    paths: tuple[str, ...]
    values: dict[str, str]  # input name -> value, for the inputs in OPTIONS
    out: Path
    args: tuple[str, ...]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Inputs:
        def get(name: str) -> str:
            return environ.get("INPUT_" + name.upper().replace("-", "_"), "").strip()

        try:
            args = tuple(shlex.split(get("args")))
        except ValueError as exc:
            raise ActionError(f"args: {exc} (quote arguments as in a shell)") from None
        temp = environ.get("RUNNER_TEMP", "").strip()
        default_out = Path(temp) / "fundscout-reports" if temp else Path("fundscout-reports")
        values = {name: value for name in OPTIONS if (value := get(name))}
        return cls(tuple(get("path").split()), values, Path(get("out") or default_out), args)


def audit_options() -> set[str]:
    """Every option ``fundscout audit`` accepts in this installation."""
    from typer.main import get_command

    from analyzer.cli import app

    group = get_command(app)
    command = group.commands["audit"]  # type: ignore[attr-defined]
    return {flag for param in command.params for flag in param.opts}


def command_line(inputs: Inputs, supported: set[str]) -> list[str]:
    """The ``fundscout audit`` arguments; ActionError for an input this version lacks."""
    argv = [*inputs.paths, "--out", str(inputs.out)]
    for name, value in inputs.values.items():
        flag = OPTIONS[name]
        if flag not in supported:
            raise ActionError(f"the {name} input needs `fundscout audit {flag}`, "
                              "which this version of fundscout does not have")  # fmt: skip
        argv += [flag, value]
    return [*argv, *inputs.args]


def fresh_reports(out: Path, since: float) -> dict[str, Path]:
    """Output name -> report written by this run (older files in the folder are not ours)."""
    found: dict[str, Path] = {}
    for filename, name in OUTPUTS.items():
        path = out / filename
        try:
            if path.is_file() and path.stat().st_mtime >= since:
                found[name] = path
        except OSError:
            continue
    return found


def summary_text(markdown: str | None, code: int) -> str:
    """What the step summary shows: the report (cut to GitHub's limit) and a failure line."""
    text = ""
    if markdown is not None:
        text = markdown
        if len(text.encode("utf-8")) > SUMMARY_LIMIT:
            cut = text.encode("utf-8")[:SUMMARY_LIMIT].decode("utf-8", "ignore")
            text = cut.rsplit("\n", 1)[0] + "\n\n*… cut to fit the step summary; the full "
            text += "report is in the `markdown-report` output.*\n"
    if code:
        meaning = EXIT_MEANINGS.get(code, "failed")
        text += f"\n**fundscout audit exited with code {code}: {meaning}.**\n"
    return text


def write_outputs(path: str, outputs: Mapping[str, str]) -> None:
    """Append ``name<<DELIMITER`` blocks, safe whatever a value holds."""
    with open(path, "a", encoding="utf-8") as stream:
        for name, value in outputs.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            stream.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def run(environ: Mapping[str, str]) -> int:
    """Run the audit as the action does and return its exit code."""
    try:
        inputs = Inputs.from_environ(environ)
        argv = command_line(inputs, audit_options())
    except ActionError as exc:
        report_error(str(exc), environ)
        return 2
    # Whole seconds: some filesystems keep coarse modification times.
    started = int(time.time()) - 1
    command = [sys.executable, "-m", "analyzer", "audit", *argv]
    print("fundscout audit " + shlex.join(argv), flush=True)
    code = subprocess.run(command, env=dict(environ), check=False).returncode
    reports = fresh_reports(inputs.out, started)
    markdown = reports.get("markdown-report")
    if summary := environ.get("GITHUB_STEP_SUMMARY"):
        text = markdown.read_text(encoding="utf-8") if markdown else None
        with open(summary, "a", encoding="utf-8") as stream:
            stream.write(summary_text(text, code))
    if output := environ.get("GITHUB_OUTPUT"):
        values = {"exit-code": str(code), "report-dir": str(inputs.out.resolve())}
        values.update({name: str(path.resolve()) for name, path in reports.items()})
        write_outputs(output, values)
    if code:
        meaning = EXIT_MEANINGS.get(code, "failed")
        report_error(f"fundscout audit exited with code {code}: {meaning}", environ)
    return code


def report_error(message: str, environ: Mapping[str, str]) -> None:
    """An error annotation on GitHub (newlines escaped as the workflow syntax wants)."""
    if environ.get("GITHUB_ACTIONS") == "true":
        escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error title=fundscout::{escaped}", flush=True)
    else:
        print(f"fundscout action: error: {message}", file=sys.stderr, flush=True)


def main() -> None:
    raise SystemExit(run(os.environ))


if __name__ == "__main__":
    main()

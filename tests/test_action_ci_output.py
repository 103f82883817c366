"""In CI (the ``CI`` variable) ``fundscout audit`` is quiet: no progress, no color, compact."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import ColorSystem
from typer.testing import CliRunner

from analyzer import pipeline
from analyzer.cli import app
from analyzer.cli.common import err_console, in_ci
from analyzer.config import Config
from analyzer.report import json_report

ESCAPE = "\x1b["
COLOR = re.compile(r"\x1b\[[0-9;]*?(?:3[0-9]|9[0-7])(?:;[0-9;]*)?m")  # a foreground color
HIDE_CURSOR = "\x1b[?25l"  # what a rich live display (the progress bars) starts with


@pytest.fixture
def org(write_tree) -> Path:  # type: ignore[no-untyped-def]
    return write_tree(  # type: ignore[no-any-return]
        {
            "api/requirements.txt": "flask==3.0.3\nrequests==2.32.3\n",
            "web/package.json": json.dumps({"dependencies": {"react": "^18.3.1"}}),
            "tool/requirements.txt": "requests==2.32.3\n",
        }
    )


STAGES = ("Building the dependency graph", "Ranking projects", "Building the report")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make stderr look like a color terminal, as a developer's shell would."""
    monkeypatch.setattr(err_console, "_force_terminal", True)
    monkeypatch.setattr(err_console, "_color_system", ColorSystem.TRUECOLOR)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield
    err_console.no_color = False


def audit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["audit", "--no-enrich", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("yes", True), ("True", True), ("woodpecker", True),
     ("", False), ("0", False), ("false", False), ("FALSE", False), ("no", False),
     ("off", False), (None, False)],
)  # fmt: skip
def test_the_ci_variable_is_read_as_a_flag(
    value: str | None, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_in_ci_the_summary_is_compact(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    code, stdout, _ = audit(str(org), "--out", str(tmp_path / "out"))
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].startswith("fundscout: 3 repositories, 3 manifests, ")
    assert "funding candidates, 0 problems" in lines[0]
    assert lines[1].startswith("  1. requests (")  # used by two repositories of three
    assert lines[-1].startswith("reports: ")
    assert "Funding priorities" not in stdout and "│" not in stdout and "|" not in stdout


def test_no_ci_restores_the_full_table(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    code, stdout, _ = audit(str(org), "--out", str(tmp_path / "out"), "--no-ci")
    assert code == 0
    assert "Funding priorities" in stdout


@pytest.mark.usefixtures("terminal")
def test_on_a_terminal_outside_ci_there_are_progress_bars_and_color(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    code, _, stderr = audit(str(org), "--out", str(tmp_path / "out"))
    assert code == 0 and HIDE_CURSOR in stderr  # a live progress display ran
    code, _, stderr = audit(str(tmp_path / "missing"))
    assert code == 2 and COLOR.search(stderr)  # the red "error:" label


@pytest.mark.usefixtures("terminal")
def test_the_stages_without_counts_say_what_runs(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the graph, ranking and building the report take seconds at scale."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")  # a dumb terminal would get no live display
    monkeypatch.setattr(err_console, "is_interactive", True)  # as on a terminal: refreshed

    def slowed(work: Any) -> Any:
        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(0.3)  # the display refreshes ten times a second
            return work(*args, **kwargs)

        return slow

    monkeypatch.setattr(pipeline, "build_graph", slowed(pipeline.build_graph))
    monkeypatch.setattr(pipeline, "rollup", slowed(pipeline.rollup))
    monkeypatch.setattr(json_report, "to_data", slowed(json_report.to_data))
    code, _, stderr = audit(str(org), "--out", str(tmp_path / "out"))
    assert code == 0
    shown = [stderr.find(label) for label in STAGES]
    assert -1 not in shown and shown == sorted(shown), stderr


def test_the_audit_tells_its_stages_in_order(org: Path) -> None:
    told: list[str] = []
    pipeline.audit([org], Config(enrich=False), stage=told.append)
    assert told == [STAGES[0], "", STAGES[1]]  # the report is built by the command


@pytest.mark.usefixtures("terminal")
def test_in_ci_there_are_no_progress_bars_and_no_color(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    code, _, stderr = audit(str(org), "--out", str(tmp_path / "out"))
    assert code == 0 and ESCAPE not in stderr
    code, _, stderr = audit(str(tmp_path / "missing"))
    assert code == 2 and "fundscout: error:" in stderr and not COLOR.search(stderr)


@pytest.mark.usefixtures("terminal")
def test_no_color_is_honored_outside_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    code, _, stderr = audit(str(tmp_path / "missing"))
    assert code == 2 and "fundscout: error:" in stderr and not COLOR.search(stderr)

"""``fundscout audit`` options that keep watch: ``--baseline`` and ``--fail-on``.

The baseline is read and the rules are parsed before the audit starts, so a corrupt file or
a typo in a rule fails in a second, not after every lookup. After the reports are written,
the rules are checked against this audit's JSON document (and the baseline for ``new:``
rules); with a baseline, ``fundscout-diff.md`` is written beside the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from analyzer.cli.common import ExitCode, err_console, fail
from analyzer.errors import BaselineError, PolicyError
from analyzer.report import write_atomic
from analyzer.watch.diff import diff, render_markdown
from analyzer.watch.policy import Rule, Violation, evaluate, parse_rules, require_baseline
from analyzer.watch.views import load_report

PANEL = "Policy"
DIFF_FILE = "fundscout-diff.md"
SHOWN = 50  # violations printed; the rest are counted

BaselineOpt = Annotated[
    Path | None,
    typer.Option(
        "--baseline", metavar="OLD.json", rich_help_panel=PANEL,
        help="A previous JSON report: write fundscout-diff.md and allow new: rules.",
    ),
]  # fmt: skip
FailOnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on", metavar="RULES", rich_help_panel=PANEL,
        help="Exit 1 when a rule breaks: archived, deprecated, single-maintainer, "
        "no-release-in:24m, vulnerable; prefix new:, runtime:, direct: to narrow.",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Watch:
    """What to compare against and which rules to enforce."""

    baseline: dict[str, Any] | None
    rules: tuple[Rule, ...]

    @classmethod
    def prepare(cls, baseline: Path | None, fail_on: list[str] | None) -> Watch:
        try:
            rules = parse_rules(fail_on or ())
            require_baseline(rules, baseline is not None)
            old = load_report(baseline) if baseline else None
        except (BaselineError, PolicyError) as exc:
            fail(str(exc), ExitCode.USAGE)
        return cls(old, rules)

    @property
    def active(self) -> bool:
        """False when there is neither a baseline nor a rule: nothing to check."""
        return self.baseline is not None or bool(self.rules)

    def check(self, data: dict[str, Any], out: Path, written: list[Path]) -> list[Violation]:
        """Write the diff (with a baseline) and return the violated rules; ``data`` is this
        audit's JSON report document."""
        if not self.active:
            return []
        if self.baseline is not None:
            path = out / DIFF_FILE
            write_atomic(path, render_markdown(diff(self.baseline, data)))
            written.append(path)
        return evaluate(self.rules, data, self.baseline)


def report_violations(violations: list[Violation]) -> None:
    """Print what broke which rule."""
    if not violations:
        return
    err_console.print(f"[bold red]fundscout: policy:[/] {len(violations)} rule violations")
    for violation in violations[:SHOWN]:
        err_console.print(f"  {escape(str(violation))}", highlight=False)
    if len(violations) > SHOWN:
        err_console.print(f"  … and {len(violations) - SHOWN} more")


def exit_on_violations(violations: list[Violation]) -> None:
    if violations:
        raise typer.Exit(int(ExitCode.POLICY))

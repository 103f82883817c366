"""``fundscout diff``: what changed between two JSON reports."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, assert_never

import typer

from analyzer.cli import app
from analyzer.cli.common import ExitCode, fail
from analyzer.errors import BaselineError
from analyzer.watch.diff import diff as compare
from analyzer.watch.diff import render_markdown
from analyzer.watch.views import load_report


class DiffFormat(StrEnum):
    MD = "md"
    JSON = "json"


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier JSON report (the baseline).")],
    new: Annotated[Path, typer.Argument(help="The later JSON report.")],
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="md for people, json for machines.")
    ] = DiffFormat.MD,
) -> None:
    """Show dependencies, projects, ranks, risks and funding channels that changed."""
    try:
        before, after = load_report(old), load_report(new)
    except BaselineError as exc:
        fail(str(exc), ExitCode.USAGE)
    changes = compare(before, after)
    match output_format:
        case DiffFormat.MD:
            typer.echo(render_markdown(changes), nl=False)
        case DiffFormat.JSON:
            typer.echo(json.dumps(changes, indent=2, ensure_ascii=False))
        case _ as unreachable:
            assert_never(unreachable)

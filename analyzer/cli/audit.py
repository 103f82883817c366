"""``fundscout audit``: scan, rank and write reports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from analyzer import pipeline
from analyzer.cli import app
from analyzer.cli.common import (
    ConfigOpt,
    ExcludeOpt,
    ExitCode,
    MaxSizeOpt,
    PathsArg,
    check_paths,
    err_console,
    fail,
    make_config,
)
from analyzer.config import parse_formats
from analyzer.errors import ConfigError, SourceError
from analyzer.report import ReportFormat, write_reports


@contextmanager
def progress_bar(enabled: bool) -> Iterator[pipeline.Progress | None]:
    """A transient progress bar on stderr, only for an interactive terminal."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    columns = (TextColumn("Reading manifests"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("parse", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_summary(result: pipeline.AuditResult, written: list[Path], top: int) -> None:
    console = Console(highlight=False)
    table = Table(title="Funding priorities", title_justify="left")
    for column, justify in (("#", "right"), ("Project", "left"), ("Ecosystem", "left"),
                            ("Priority", "right"), ("Why", "left")):  # fmt: skip
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for project in result.ranking.projects[:top]:
        table.add_row(str(project.rank), project.name, project.ecosystem,
                      f"{project.priority:.1f}", "; ".join(project.reasons))  # fmt: skip
    collection = result.collection
    if result.ranking.projects:
        console.print(table)
    console.print(
        f"Audited {len(collection.repositories)} repositories, "
        f"{len(collection.manifests)} manifests: {len(collection.dependencies)} dependency "
        f"records on {len(result.graph.packages())} packages, "
        f"{len(result.ranking.projects)} funding candidates, "
        f"{len(collection.problems)} problems.",
        markup=False,
    )
    for problem in collection.problems[:10]:
        err_console.print(f"[yellow]warning:[/] {problem}", highlight=False)
    if len(collection.problems) > 10:
        err_console.print(f"[yellow]warning:[/] … and {len(collection.problems) - 10} more "
                          "problems in the reports")  # fmt: skip
    console.print("Reports: " + ", ".join(str(p) for p in written), markup=False)


@app.command()
def audit(
    paths: PathsArg = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Report folder (default: reports/).")
    ] = None,
    formats: Annotated[
        str | None, typer.Option("--format", "-f", help="Comma-separated: md,json (default).")
    ] = None,
    config_path: ConfigOpt = None,
    exclude: ExcludeOpt = None,
    max_file_size: MaxSizeOpt = None,
    top: Annotated[int | None, typer.Option(min=1, help="Rows in the terminal table.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    strict: Annotated[
        bool, typer.Option(help=f"Exit {int(ExitCode.PARTIAL)} when any file was unreadable.")
    ] = False,
) -> None:
    """Audit repositories and write funding-priority reports."""
    roots = check_paths(paths)
    config = make_config(config_path, exclude, max_file_size)
    try:
        chosen = parse_formats(formats, "--format") if formats else config.formats
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    config = config.with_overrides(out=str(out) if out else None, top=top, formats=chosen)
    try:
        with progress_bar(not quiet) as progress:
            result = pipeline.audit(roots, config, progress)
    except SourceError as exc:
        fail(str(exc), ExitCode.USAGE)
    collection = result.collection
    where = ", ".join(str(r) for r in roots)
    if not collection.repositories:
        fail(f"nothing to audit: {where} holds no repositories", ExitCode.NOTHING)
    if not collection.manifests:
        count = len(collection.repositories)
        fail(f"nothing to audit: no dependency manifests in {count} repositories under {where}",
             ExitCode.NOTHING)  # fmt: skip
    try:
        written = write_reports(result, Path(config.out), tuple(map(ReportFormat, chosen)))
    except OSError as exc:
        fail(f"{config.out}: cannot write reports: {exc.strerror or exc}", ExitCode.USAGE)
    if not quiet:
        print_summary(result, written, config.top)
    if not collection.dependencies and collection.problems:
        fail(f"nothing could be audited: all {len(collection.manifests)} manifests had problems",
             ExitCode.NOTHING)  # fmt: skip
    if strict and collection.problems:
        fail(f"{len(collection.problems)} problems while reading manifests (--strict)",
             ExitCode.PARTIAL)  # fmt: skip

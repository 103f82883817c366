"""``fundscout deps``: every dependency record fundscout sees, as JSON or a table."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, assert_never

import typer
from rich.console import Console
from rich.table import Table

from analyzer import pipeline
from analyzer.cli import app
from analyzer.cli.common import (
    ConfigOpt,
    ExcludeOpt,
    ExitCode,
    MaxSizeOpt,
    PathsArg,
    SbomOpt,
    check_paths,
    fail,
    finish,
    make_config,
)
from analyzer.errors import SourceError


class DepsFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


def render_table(collection: pipeline.Collection) -> None:
    # markup=False: a path such as "api[old]/requirements.txt" is printed as it is.
    console = Console(highlight=False, markup=False)
    table = Table(show_lines=False)
    columns = ("ecosystem", "name", "spec", "version", "scope", "direct", "repo", "file")
    for column in columns:
        table.add_column(column)
    for dep in collection.dependencies:
        record = dep.to_record()
        location = f"{record['file']}:{record['line']}" if record["line"] else record["file"]
        table.add_row(
            record["ecosystem"], record["name"], record["spec"] or "", record["version"] or "",
            record["scope"], "yes" if record["direct"] else "no", record["repo"], location,
        )  # fmt: skip
    if not console.is_terminal:
        # Piped or redirected: whole cells rather than a fit to the 80-column default.
        unbounded = console.options.update_width(100_000)
        console.width = max(console.width, console.measure(table, options=unbounded).maximum)
    console.print(table)
    for problem in collection.problems:
        console.print(f"problem: {problem}")


@app.command()
def deps(
    paths: PathsArg = None,
    sbom: SbomOpt = None,
    output: Annotated[
        DepsFormat, typer.Option("--format", "-f", help="json (the contract) or table.")
    ] = DepsFormat.JSON,
    config_path: ConfigOpt = None,
    exclude: ExcludeOpt = None,
    max_file_size: MaxSizeOpt = None,
    strict: Annotated[
        bool, typer.Option(help=f"Exit {int(ExitCode.PARTIAL)} when any file was unreadable.")
    ] = False,
) -> None:
    """Print every declared or locked dependency, with its file and line."""
    roots = check_paths(paths, sboms=sbom)
    config = make_config(config_path, exclude, max_file_size)
    try:
        collection = pipeline.collect(roots, config, None, sbom or ())
    except SourceError as exc:
        fail(str(exc), ExitCode.USAGE)
    except KeyboardInterrupt:
        fail("interrupted", ExitCode.INTERRUPTED)
    if output is DepsFormat.JSON:
        document = {
            "dependencies": [d.to_record() for d in collection.dependencies],
            "problems": [p.to_record() for p in collection.problems],
        }
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif output is DepsFormat.TABLE:
        render_table(collection)
    else:
        assert_never(output)
    finish(collection, strict)

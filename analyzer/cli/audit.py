"""``fundscout audit``: scan, rank and write reports."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analyzer import pipeline
from analyzer.cli import app
from analyzer.cli import network as net
from analyzer.cli.common import (
    ConfigOpt,
    ExcludeOpt,
    ExitCode,
    MaxSizeOpt,
    PathsArg,
    SbomOpt,
    check_paths,
    err_console,
    fail,
    finish,
    make_config,
)
from analyzer.config import Config, parse_formats
from analyzer.errors import ConfigError, SourceError
from analyzer.report import ReportFormat, write_reports


@contextmanager
def progress_bars(enabled: bool) -> Iterator[tuple[pipeline.Progress | None, ...]]:
    """Transient progress bars on stderr (reading, looking up), only for a terminal."""
    if not enabled or not err_console.is_terminal:
        yield (None, None)
        return
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(),
    )  # fmt: skip
    with Progress(*columns, console=err_console, transient=True) as bar:

        def tracker(label: str) -> pipeline.Progress:
            task = bar.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return update

        yield (tracker("Reading manifests"), tracker("Looking up packages"))


def print_summary(result: pipeline.AuditResult, written: list[Path], top: int) -> None:
    # markup=False: names, paths and reasons are shown as they are, brackets included.
    console = Console(highlight=False, markup=False)
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
        f"{len(collection.problems)} problems."
    )
    for problem in collection.problems[:10]:
        err_console.print(f"[yellow]warning:[/] {escape(str(problem))}", highlight=False)
    if len(collection.problems) > 10:
        err_console.print(f"[yellow]warning:[/] … and {len(collection.problems) - 10} more "
                          "problems in the reports")  # fmt: skip
    console.print("Reports: " + ", ".join(str(p) for p in written))


def _is_report_folder(directory: Path) -> bool:
    """True for an existing folder holding nothing but fundscout's own reports."""
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    return all(n.startswith(("fundscout-report.", ".fundscout-report.")) for n in names)


def exclude_report_folder(config: Config, roots: Sequence[Path]) -> Config:
    """Keep a report folder inside an audited root from being audited as a repository."""
    out = Path(os.path.realpath(config.out))
    if not _is_report_folder(out):
        return config
    extra: list[str] = []
    for root in roots:
        real = Path(os.path.realpath(root))
        if out != real and out.is_relative_to(real):
            relative = out.relative_to(real).as_posix()
            # Only a name the glob syntax reads literally can be excluded by a glob.
            if relative == relative.strip() and not any(c in relative for c in "*?[\\"):
                extra.append(f"/{relative}")  # the leading slash anchors it at the root
    return config.with_overrides(exclude=(*config.exclude, *extra))


@app.command()
def audit(
    paths: PathsArg = None,
    sbom: SbomOpt = None,
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
    no_enrich: net.NoEnrichOpt = False,
    offline: net.OfflineOpt = False,
    cache_dir: net.CacheDirOpt = None,
    max_wait: net.MaxWaitOpt = None,
    github_token_env: net.TokenEnvOpt = None,
    providers: net.ProvidersOpt = None,
    pypi_url: net.PypiUrlOpt = None,
    npm_url: net.NpmUrlOpt = None,
    github_api_url: net.GithubApiUrlOpt = None,
    github_graphql_url: net.GithubGraphqlUrlOpt = None,
    depsdev_url: net.DepsdevUrlOpt = None,
    ecosystems_url: net.EcosystemsUrlOpt = None,
    osv_url: net.OsvUrlOpt = None,
) -> None:
    """Audit repositories and write funding-priority reports."""
    roots = check_paths(paths, sboms=sbom)
    config = make_config(config_path, exclude, max_file_size)
    try:
        chosen = parse_formats(formats, "--format") if formats else config.formats
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    config = config.with_overrides(out=str(out) if out else None, top=top, formats=chosen)
    config = exclude_report_folder(config, roots)
    config = net.network_config(
        config, no_enrich=no_enrich, offline=offline, cache_dir=cache_dir, max_wait=max_wait,
        token_env=github_token_env, providers=providers,
    )  # fmt: skip
    urls = {"pypi": pypi_url, "npm": npm_url, "github_api": github_api_url,
            "github_graphql": github_graphql_url, "depsdev": depsdev_url,
            "ecosystems": ecosystems_url, "osv": osv_url}  # fmt: skip
    enricher = net.ConfiguredEnricher(config, urls) if config.enrich else None
    try:
        with progress_bars(not quiet) as (reading, looking_up):
            result = pipeline.audit(roots, config, reading, sbom or (), enricher, looking_up)
    except SourceError as exc:
        fail(str(exc), ExitCode.USAGE)
    except KeyboardInterrupt:
        fail("interrupted", ExitCode.INTERRUPTED)
    collection = result.collection
    if not collection.repositories or not collection.manifests:
        finish(collection, strict)  # nothing to report on: exits 3 before writing anything
    try:
        written = write_reports(result, Path(config.out), tuple(map(ReportFormat, chosen)))
    except OSError as exc:
        fail(f"{config.out}: cannot write reports: {exc.strerror or exc}", ExitCode.USAGE)
    if not quiet:
        print_summary(result, written, config.top)
    finish(collection, strict)

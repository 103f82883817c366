"""``fundscout audit``: scan, rank and write reports."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from analyzer import pipeline
from analyzer.cli import app, exiting, watch
from analyzer.cli import budget as money
from analyzer.cli import github_org as gh
from analyzer.cli import network as net
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
    in_ci,
    make_config,
    set_color,
)
from analyzer.cli.progress import progress_bars
from analyzer.cli.summary import print_compact_summary, print_summary
from analyzer.config import Config, parse_formats
from analyzer.errors import ConfigError, SourceError
from analyzer.http_settings import stop_on_interrupt
from analyzer.report import ReportFormat, json_report, needs_document, write_reports
from analyzer.report.graph_export import GraphFormat, write_graph
from analyzer.resolve.configured import ConfiguredResolver


def _is_report_folder(directory: Path) -> bool:
    """True for an existing folder holding nothing but fundscout's own reports."""
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    prefixes = ("fundscout-report.", "fundscout-graph.", "fundscout-sponsors.")
    return all(n.lstrip(".").startswith(prefixes) for n in names)


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
        str | None,
        typer.Option(
            "--format", "-f", help="Comma-separated md,json,html,csv (default: md,json,html)."
        ),
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
    no_resolve: Annotated[
        bool,
        typer.Option(
            "--no-resolve",
            rich_help_panel=net.PANEL,
            help="Do not fill in dependencies without a lockfile from registry data.",
        ),
    ] = False,
    offline: net.OfflineOpt = False,
    no_parse_cache: Annotated[
        bool,
        typer.Option(
            "--no-parse-cache",
            help="Parse every manifest again, without the results remembered in the cache dir.",
        ),
    ] = False,
    cache_dir: net.CacheDirOpt = None,
    cache_url: net.CacheUrlOpt = None,
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
    graph: Annotated[
        GraphFormat | None,
        typer.Option(
            "--graph",
            case_sensitive=False,
            help="Also write the dependency graph: graphml, gexf or json.",
        ),
    ] = None,
    github_org: gh.GithubOrgOpt = None,
    include_forks: gh.IncludeForksOpt = False,
    include_archived: gh.IncludeArchivedOpt = False,
    repo_filter: gh.RepoFilterOpt = None,
    use_github_sbom: gh.UseSbomOpt = False,
    ci: Annotated[
        bool | None,
        typer.Option(
            "--ci/--no-ci",
            show_default=False,
            help="CI output: no progress bars, no color, a compact summary "
            "(default: on when the CI variable is set).",
        ),
    ] = None,
    budget: money.BudgetOpt = None,
    currency: money.CurrencyOpt = None,
    strategy: money.StrategyOpt = None,
    grants: money.GrantsOpt = None,
    min_grant: money.MinGrantOpt = None,
    max_share: money.MaxShareOpt = None,
    baseline: watch.BaselineOpt = None,
    fail_on: watch.FailOnOpt = None,
) -> None:
    """Audit repositories and write funding-priority reports."""
    ci = in_ci() if ci is None else ci
    set_color(not ci)
    gh.check_flags(github_org, include_forks=include_forks, include_archived=include_archived,
                   repo_filters=repo_filter, use_sbom=use_github_sbom)  # fmt: skip
    roots = check_paths(paths, sboms=sbom, org=github_org)
    policy = watch.Watch.prepare(baseline, fail_on)
    config = make_config(config_path, exclude, max_file_size)
    try:
        chosen = parse_formats(formats, "--format") if formats else config.formats
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    config = config.with_overrides(out=str(out) if out else None, top=top, formats=chosen)
    config = config.with_overrides(graph=graph.value if graph else None)
    config = config.with_overrides(parse_cache=False if no_parse_cache else None)
    config = exclude_report_folder(config, roots)
    config = net.network_config(
        config, no_enrich=no_enrich, offline=offline, cache_dir=cache_dir, max_wait=max_wait,
        token_env=github_token_env, providers=providers, cache_url=cache_url,
    )  # fmt: skip
    urls = {"pypi": pypi_url, "npm": npm_url, "github_api": github_api_url,
            "github_graphql": github_graphql_url, "depsdev": depsdev_url,
            "ecosystems": ecosystems_url, "osv": osv_url}  # fmt: skip
    config = money.budget_config(
        config,
        amount=budget,
        currency=currency,
        strategy=strategy,
        grants=grants,
        min_grant=min_grant,
        max_share=max_share,
    )
    enricher = net.ConfiguredEnricher(config, urls) if config.enrich else None
    config = config.with_overrides(resolve=False if no_resolve else None)
    kinds = tuple(map(ReportFormat, chosen))
    # Resolution reads the registries too: --no-enrich (no lookups at all) turns it off.
    resolver = ConfiguredResolver(config, urls) if config.enrich and config.resolve else None
    try:
        with (
            stop_on_interrupt(),  # Ctrl-C stops the lookups at once, not after their queue
            progress_bars(not quiet and not ci) as (
                crawling,
                reading,
                resolving,
                looking_up,
                stage,
            ),
        ):
            source = gh.make_source(
                github_org, config, urls, include_forks=include_forks, progress=crawling,
                include_archived=include_archived, repo_filters=repo_filter or [],
                use_sbom=use_github_sbom, repo_prefix=f"{github_org}/" if roots or sbom else "",
                quiet=quiet,
            ) if github_org else None  # fmt: skip
            result = pipeline.audit(roots, config, reading, sbom or (), enricher, looking_up,
                                    github=source, resolver=resolver,
                                    resolve_progress=resolving, stage=stage,
                                    find_paths=policy.active or needs_document(kinds))  # fmt: skip
            document = None  # one report document for json, html, csv and the policy check
            if (policy.active or needs_document(kinds)) and result.collection.manifests:
                if stage:
                    stage("Building the report")
                document = json_report.to_data(result)
    except SourceError as exc:
        fail(str(exc), ExitCode.USAGE)
    except KeyboardInterrupt:
        fail("interrupted", ExitCode.INTERRUPTED)
    collection = result.collection
    if not collection.repositories or not collection.manifests:
        finish(collection, strict)  # nothing to report on: exits 3 before writing anything
    try:
        exiting.keep_until_exit(result, document)  # the process ends without freeing them
        written = write_reports(result, Path(config.out), kinds, document)
        if config.graph:
            written.append(write_graph(result, Path(config.out), GraphFormat(config.graph)))
        if sponsors := money.write_sponsors(result, Path(config.out)):
            written.append(sponsors)
        violations = policy.check(document, Path(config.out), written) if document else []
    except OSError as exc:
        fail(f"{config.out}: cannot write reports: {exc.strerror or exc}", ExitCode.USAGE)
    if not quiet:
        (print_compact_summary if ci else print_summary)(result, written, config.top)
    watch.report_violations(violations)  # shown even with --quiet: why the step fails
    finish(collection, strict)
    watch.exit_on_violations(violations)

"""``fundscout audit --github-org ORG``: the options of the GitHub organization crawl."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from analyzer.cli.common import ExitCode, err_console, fail
from analyzer.config import Config
from analyzer.errors import SourceError
from analyzer.manifests import is_manifest
from analyzer.sources.github_repos import RepoFilter

if TYPE_CHECKING:  # the HTTP stack: loaded only to crawl an organization
    from analyzer.sources.github import GithubOrgSource

PANEL = "GitHub organization"

GithubOrgOpt = Annotated[
    str | None,
    typer.Option(
        "--github-org", metavar="ORG", rich_help_panel=PANEL,
        help="Audit this GitHub organization's (or user's) repositories through the API; "
        "PATH is then optional.",
    ),
]  # fmt: skip
IncludeForksOpt = Annotated[
    bool, typer.Option("--include-forks", help="Also audit forks.", rich_help_panel=PANEL)
]
IncludeArchivedOpt = Annotated[
    bool,
    typer.Option("--include-archived", help="Also audit archived repositories.",
                 rich_help_panel=PANEL),
]  # fmt: skip
RepoFilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--repo-filter", metavar="GLOB", rich_help_panel=PANEL,
        help="Only repositories whose name matches (case-insensitive); repeatable.",
    ),
]  # fmt: skip
UseSbomOpt = Annotated[
    bool,
    typer.Option(
        "--use-github-sbom", rich_help_panel=PANEL,
        help="Read each repository's dependency-graph SBOM instead of its manifests.",
    ),
]  # fmt: skip


def check_flags(
    org: str | None,
    *,
    include_forks: bool,
    include_archived: bool,
    repo_filters: list[str] | None,
    use_sbom: bool,
) -> None:
    """The crawl's companion flags mean nothing alone: a usage error, not a silent no-op."""
    if org is not None:
        return
    given = [flag for flag, on in (("--include-forks", include_forks),
                                   ("--include-archived", include_archived),
                                   ("--repo-filter", bool(repo_filters)),
                                   ("--use-github-sbom", use_sbom)) if on]  # fmt: skip
    if given:
        fail(f"{given[0]} needs --github-org ORG", ExitCode.USAGE)


def make_source(
    org: str,
    config: Config,
    url_flags: Mapping[str, str | None],
    *,
    include_forks: bool,
    include_archived: bool,
    repo_filters: list[str],
    use_sbom: bool,
    repo_prefix: str = "",
    progress: Callable[[int, int], None] | None = None,
    quiet: bool = False,
) -> GithubOrgSource:
    """The organization source, reading the token from the configured variable."""
    from analyzer.sources.github import GithubOrgSource
    from analyzer.sources.github_api import TOKEN_VARIABLES, make_client

    def notify(message: str) -> None:
        if not quiet:
            err_console.print(f"fundscout: note: {message}", highlight=False, markup=False)

    variables = (config.github_token_env,) if config.github_token_env else TOKEN_VARIABLES
    rules = RepoFilter(include_forks, include_archived, tuple(repo_filters), config.exclude)
    try:
        return GithubOrgSource(
            org, make_client(config, url_flags), is_manifest,
            rules=rules, max_file_size=config.max_file_size, use_sbom=use_sbom,
            token_variables=variables, repo_prefix=repo_prefix, progress=progress, notify=notify,
        )  # fmt: skip
    except SourceError as exc:
        fail(str(exc), ExitCode.USAGE)

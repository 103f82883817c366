"""Options that decide how fundscout talks to public APIs, shared by the commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analyzer.cli.common import ExitCode, fail
from analyzer.config import Config
from analyzer.enrich.endpoints import Endpoints
from analyzer.graph import DependencyGraph
from analyzer.http_settings import HttpSettings

if TYPE_CHECKING:
    from analyzer.enrich.runner import Enrichment, Progress

PANEL = "Network"
_TRUE = ("1", "true", "yes", "on")

NoEnrichOpt = Annotated[
    bool,
    typer.Option("--no-enrich", help="Skip the public API lookups.", rich_help_panel=PANEL),
]
OfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline", help="Answer from the HTTP cache only; nothing else is known.",
        rich_help_panel=PANEL,
    ),
]  # fmt: skip
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", help="HTTP cache folder (default: FUNDSCOUT_CACHE_DIR or the user cache).",
        rich_help_panel=PANEL,
    ),
]  # fmt: skip
CacheUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--cache-url", metavar="URL", rich_help_panel=PANEL,
        help="Share one HTTP cache between runners: redis://host:6379/0 (needs fundscout[redis]).",
    ),
]  # fmt: skip
MaxWaitOpt = Annotated[
    float | None,
    typer.Option(
        "--max-wait", min=0, help="Longest rate-limit wait in seconds before a source is dropped.",
        rich_help_panel=PANEL,
    ),
]  # fmt: skip
TokenEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--github-token-env", metavar="NAME",
        help="Environment variable holding the GitHub token (default GITHUB_TOKEN, GH_TOKEN).",
        rich_help_panel=PANEL,
    ),
]  # fmt: skip
ProvidersOpt = Annotated[
    str | None,
    typer.Option(
        "--providers", help="Comma-separated providers to use (default: all).",
        rich_help_panel=PANEL,
    ),
]  # fmt: skip


def _url_option(name: str) -> object:
    env = Endpoints.ENV[name]
    flag = "--" + name.replace("_", "-") + "-url"
    return typer.Option(flag, metavar="URL", help=f"Base URL (or {env}).", rich_help_panel=PANEL)


PypiUrlOpt = Annotated[str | None, _url_option("pypi")]
NpmUrlOpt = Annotated[str | None, _url_option("npm")]
GithubApiUrlOpt = Annotated[str | None, _url_option("github_api")]
GithubGraphqlUrlOpt = Annotated[str | None, _url_option("github_graphql")]
DepsdevUrlOpt = Annotated[str | None, _url_option("depsdev")]
EcosystemsUrlOpt = Annotated[str | None, _url_option("ecosystems")]
OsvUrlOpt = Annotated[str | None, _url_option("osv")]


def network_config(
    config: Config,
    *,
    no_enrich: bool,
    offline: bool,
    cache_dir: Path | None,
    max_wait: float | None,
    token_env: str | None,
    providers: str | None,
    cache_url: str | None = None,
) -> Config:
    """The configuration with the network flags applied (flags win over the file)."""
    chosen = tuple(p.strip() for p in providers.split(",") if p.strip()) if providers else None
    offline = offline or os.environ.get("FUNDSCOUT_OFFLINE", "").strip().lower() in _TRUE
    return config.with_overrides(
        enrich=False if no_enrich else None,
        offline=True if offline else None,
        cache_dir=str(cache_dir) if cache_dir else None,
        cache_url=cache_url,
        max_wait=max_wait,
        github_token_env=token_env,
        providers=chosen,
    )


class ConfiguredEnricher:
    """Builds the session and providers once the configuration is known."""

    def __init__(self, config: Config, url_flags: dict[str, str | None]) -> None:
        # the HTTP stack, loaded only when there are lookups to make (analyzer.enrich)
        from analyzer.enrich.providers import select_providers

        self.config = config
        try:
            self.providers = select_providers(config.providers, config.github_token_env)
        except ValueError as exc:
            fail(str(exc), ExitCode.USAGE)
        self.endpoints = Endpoints.resolve(config=dict(config.endpoints), flags=url_flags)
        self.settings = HttpSettings.for_config(config)

    def __call__(self, graph: DependencyGraph, progress: Progress | None = None) -> Enrichment:
        from analyzer.enrich.client import Client
        from analyzer.enrich.providers import enrich
        from analyzer.http import make_session

        client = Client(make_session(self.settings), self.endpoints, self.settings)
        return enrich(graph, client, self.providers, progress)

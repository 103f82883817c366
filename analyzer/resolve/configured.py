"""Resolution set up from the configuration: endpoints, cache, bounds and target.

It opens the same HTTP cache as enrichment with the same base URLs, so a registry document
fetched here is answered from the cache when the providers ask for it next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analyzer.config import Config
from analyzer.enrich.endpoints import Endpoints
from analyzer.graph import DependencyGraph
from analyzer.http_settings import HttpSettings
from analyzer.model import Ecosystem
from analyzer.resolve.driver import Progress, resolve
from analyzer.resolve.interface import Lock, Resolution, Resolver, Settings
from analyzer.resolve.target import make_target


class ConfiguredResolver:
    """The pipeline's resolve step, built once the configuration is known."""

    def __init__(self, config: Config, url_flags: Mapping[str, str | None] | None = None) -> None:
        self.endpoints = Endpoints.resolve(config=dict(config.endpoints), flags=url_flags)
        self.http = HttpSettings.for_config(config)
        self.settings = Settings(
            max_depth=config.resolve_max_depth,
            max_packages=config.resolve_max_packages,
            follow_peers=config.resolve_peers,
        )
        self.target = make_target(config.resolve_target)

    def __call__(
        self, graph: DependencyGraph, locks: Sequence[Lock], progress: Progress | None = None
    ) -> Resolution:
        from analyzer.enrich.client import Client  # the HTTP stack, loaded only to resolve
        from analyzer.http import make_session
        from analyzer.resolve.npm import NpmResolver
        from analyzer.resolve.pypi import PypiResolver

        with make_session(self.http) as session:
            client = Client(session, self.endpoints, self.http)
            resolvers: dict[Ecosystem, Resolver] = {
                Ecosystem.PYPI: PypiResolver(client, self.target),
                Ecosystem.NPM: NpmResolver(client),
            }
            return resolve(graph, locks, resolvers, self.settings, progress)

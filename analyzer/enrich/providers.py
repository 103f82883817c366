"""The providers, in priority order, and enrichment of a whole graph with them."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.enrich import memo
from analyzer.enrich.client import Client
from analyzer.enrich.depsdev import DepsdevProvider
from analyzer.enrich.ecosystems import EcosystemsProvider
from analyzer.enrich.github import GithubProvider
from analyzer.enrich.interface import Provider, Subject
from analyzer.enrich.npm import NpmProvider
from analyzer.enrich.pypi import PypiProvider
from analyzer.enrich.runner import Enrichment, Progress, Runner
from analyzer.enrich.vulnerabilities import VulnerabilitiesProvider
from analyzer.graph import DependencyGraph

# Priority order: when two providers report the same signal, the earlier one is shown first.
PROVIDERS: tuple[Provider, ...] = (
    PypiProvider(),
    NpmProvider(),
    DepsdevProvider(),
    EcosystemsProvider(),
    VulnerabilitiesProvider(),
    GithubProvider(),
)


def provider_names() -> list[str]:
    return [p.name for p in PROVIDERS]


def select_providers(
    names: Sequence[str] | None = None, github_token_env: str | None = None
) -> list[Provider]:
    """The providers to run, in priority order; ValueError names an unknown one."""
    known = provider_names()
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise ValueError(f"unknown provider {unknown[0]!r}; choose from {', '.join(known)}")
    chosen = [p for p in PROVIDERS if names is None or p.name in names]
    if github_token_env:
        chosen = [
            GithubProvider(token_env=github_token_env) if isinstance(p, GithubProvider) else p
            for p in chosen
        ]
    return chosen


def subjects(graph: DependencyGraph) -> list[Subject]:
    """Every third-party package of the graph, with the versions the organization uses."""
    found = []
    for purl in graph.packages():
        if purl in graph.own_packages:
            continue
        versions = sorted({d.version for d in graph.declarations(purl) if d.version})
        found.append(
            Subject(purl, graph.ecosystem(purl), graph.package_name(purl), tuple(versions))
        )
    return found


def enrich(
    graph: DependencyGraph,
    client: Client,
    providers: Sequence[Provider] = PROVIDERS,
    progress: Progress | None = None,
) -> Enrichment:
    """Every provider over the graph's packages, or the same run remembered when nothing it
    depends on has changed (:mod:`analyzer.enrich.memo`)."""
    asked = subjects(graph)
    key = memo.run_key(asked, providers, client)
    remembered = memo.recall(client, key)
    if remembered is not None:
        if progress:
            progress(len(asked), len(asked))
        return remembered
    result = Runner(providers, client).run(asked, progress)
    memo.remember(client, key, result)
    return result

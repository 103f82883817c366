"""The one place that runs the stages in order: sources -> manifests -> graph -> score."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer import __version__
from analyzer.allocate import Allocation, allocate
from analyzer.config import Config
from analyzer.forked import Forked
from analyzer.git_remotes import audited_owners
from analyzer.graph import DependencyGraph, repo_node
from analyzer.graph_shape import centrality_of
from analyzer.http_settings import HttpSettings
from analyzer.manifests import is_manifest
from analyzer.model import Dependency, ManifestFile, Problem, Project, Repository
from analyzer.parse_cache import ParseCache
from analyzer.parse_pool import parse_files
from analyzer.projects import Projects, rollup
from analyzer.resolve.interface import Lock, Resolution
from analyzer.score.paths import FORK_USES, ProjectPaths, project_paths
from analyzer.score.priority import FORK_EDGES, Ranking, central_ranks, score
from analyzer.sources import LocalSource
from analyzer.sources.sbom import SbomSource

if TYPE_CHECKING:  # the lookups' HTTP stack is loaded only when there are lookups
    from analyzer.enrich.runner import Enrichment
    from analyzer.sources.github import GithubOrgSource

Progress = Callable[[int, int], None]
# Told what the audit works on next, for the stages without counts; "" when that stage is over.
Stage = Callable[[str], None]


@dataclass
class Collection:
    """Everything the manifests say, before any interpretation."""

    roots: list[str]
    repositories: list[Repository] = field(default_factory=list)
    manifests: list[ManifestFile] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    publishes: dict[str, set[str]] = field(default_factory=dict)  # purl -> repositories
    edges: list[tuple[str, str]] = field(default_factory=list)
    locks: list[Lock] = field(default_factory=list)  # files listing installed packages


@dataclass
class AuditResult:
    """The outcome of an audit, which every report format renders."""

    collection: Collection
    graph: DependencyGraph
    ranking: Ranking
    generated_at: str
    version: str = __version__
    enrichment: Enrichment | None = None  # None: lookups were turned off
    projects: Projects = field(default_factory=Projects)  # packages rolled up to projects
    allocation: Allocation | None = None  # None: no budget was given
    resolution: Resolution | None = None  # None: resolution was turned off
    # The uses' paths, which a forked copy finds while the projects are ranked (``audit`` with
    # ``find_paths`` on a large graph) for the report document; None: json_report finds them.
    paths: Forked[ProjectPaths] | None = field(default=None, compare=False, repr=False)


def generated_at() -> str:
    """Now in UTC, or ``SOURCE_DATE_EPOCH`` for reproducible reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def collect(
    paths: Sequence[Path],
    config: Config,
    progress: Progress | None = None,
    sboms: Sequence[Path] = (),
    github: GithubOrgSource | None = None,
) -> Collection:
    """Scan every root, the GitHub organization and SBOM files; parse every manifest.

    Raises SourceError for an unusable root, organization or SBOM file. Each SBOM is a
    repository of its own, read by the SBOM parser whatever the file is called.
    """
    collection = Collection(roots=[str(p) for p in (*paths, *sboms)])
    if github is not None:
        collection.roots.append(github.label)
        scan = github.scan()
        collection.repositories.extend(scan.repositories)
        collection.manifests.extend(scan.manifests)
        collection.problems.extend(scan.problems)
    for root in paths:
        prefix = f"{Path(os.path.realpath(root)).name}/" if len(paths) > 1 else ""
        source = LocalSource(
            root,
            is_manifest,
            exclude=config.exclude,
            max_file_size=config.max_file_size,
            repo_prefix=prefix,
        )
        scan = source.scan()
        collection.repositories.extend(scan.repositories)
        collection.manifests.extend(scan.manifests)
        collection.problems.extend(scan.problems)
    sbom_files: set[ManifestFile] = set()
    if sboms:
        taken = (repo.name for repo in collection.repositories)
        scan = SbomSource(sboms, max_file_size=config.max_file_size, taken=taken).scan()
        collection.repositories.extend(scan.repositories)
        collection.manifests.extend(scan.manifests)
        sbom_files.update(scan.manifests)
    cache = _parse_cache(config) if collection.manifests else None
    try:
        merged, collection.locks = parse_files(
            collection.manifests, sbom_files, progress, cache=cache
        )
    finally:
        if cache is not None:
            cache.close()
    seen: dict[Dependency, None] = {}
    for parsed in merged:
        seen.update(dict.fromkeys(parsed.dependencies))
        collection.problems.extend(parsed.problems)
        collection.edges.extend(parsed.edges)
        for purl in parsed.publishes:
            collection.publishes.setdefault(purl, set()).add(parsed.file.repo)
    collection.dependencies = list(seen)
    collection.problems = list(dict.fromkeys(collection.problems))
    return collection


def _parse_cache(config: Config) -> ParseCache | None:
    """The store of parse results in the cache folder, unless ``parse-cache`` is off."""
    if not config.parse_cache:
        return None
    folder = Path(config.cache_dir) if config.cache_dir else None
    return ParseCache.open(HttpSettings(cache_dir=folder).resolved_cache_dir())


def build_graph(collection: Collection, depths: bool = True) -> DependencyGraph:
    """The graph of ``collection``; without ``depths`` its edges' depths are left for the
    caller to compute (``graph.compute_depths``) once nothing adds edges any more."""
    graph = DependencyGraph(org_name=", ".join(Path(r).name or r for r in collection.roots))
    for repo in collection.repositories:
        graph.add_repository(repo)
    graph.add_dependencies(collection.dependencies)
    graph.add_package_edges(collection.edges)
    graph.mark_own(collection.publishes)
    if depths:
        graph.compute_depths()
    return graph


Enricher = Callable[[DependencyGraph, Progress | None], "Enrichment"]
# Fills in transitive dependencies no lockfile lists (analyzer.resolve.configured), then
# sets every edge's depth (graph.compute_depths).
Resolve = Callable[[DependencyGraph, Sequence[Lock], Progress | None], Resolution]


def audit(
    paths: Sequence[Path],
    config: Config,
    progress: Progress | None = None,
    sboms: Sequence[Path] = (),
    enricher: Enricher | None = None,
    enrich_progress: Progress | None = None,
    github: GithubOrgSource | None = None,
    resolver: Resolve | None = None,
    resolve_progress: Progress | None = None,
    stage: Stage | None = None,
    find_paths: bool = False,
) -> AuditResult:
    """Collect, build the graph, resolve, look up, roll up and rank. With ``find_paths`` (a
    report document will be built), a forked copy finds every use's path through a large
    graph meanwhile (``AuditResult.paths``)."""
    collection = collect(paths, config, progress, sboms, github)
    if stage and collection.manifests:
        stage("Building the dependency graph")
    # Without resolution the collection fixes the graph's edges: PageRank, which needs no
    # depths, starts now (in a forked copy when large, analyzer.graph_shape) and runs while
    # the graph, its depths, the lookups and the projects are worked out.
    with ExitStack() as copies:
        early = _central_from(collection) if resolver is None else None
        if early is not None:
            copies.enter_context(early)
        graph = build_graph(collection, depths=False)
        resolution = None
        if resolver and collection.manifests:  # before enrichment: resolved packages get looked up
            if stage:  # resolution has counts of its own
                stage("")
            resolution = resolver(graph, collection.locks, resolve_progress)  # sets every depth
        # Else PageRank starts once the graph's edges are final, alongside the depths.
        central = early or copies.enter_context(central_ranks(graph))
        if resolution is None:
            graph.compute_depths()
        if stage:  # lookups have counts of their own
            stage("")
        enrichment = enricher(graph, enrich_progress) if enricher and collection.manifests else None
        owners = audited_owners(collection.roots, collection.repositories)
        if github is not None:  # the crawled organization's own projects are never candidates
            owners.add(github.label.lower())
        if stage and collection.manifests:
            stage("Ranking projects")
        projects = rollup(graph, enrichment, config, owners)
        finder = _path_finder(graph, projects.projects) if find_paths else None
        when = generated_at()  # also "today" for scoring: reruns with SOURCE_DATE_EPOCH agree
        today = date.fromisoformat(when[:10])
        try:
            ranking = score(graph, projects.projects, enrichment, config, today, central)
        except BaseException:
            if finder is not None:
                finder.stop()
            raise
    budget = config.budget
    allocation = allocate(ranking, budget) if budget.amount is not None else None
    return AuditResult(
        collection,
        graph,
        ranking,
        when,
        enrichment=enrichment,
        projects=projects,
        allocation=allocation,
        resolution=resolution,
        paths=finder,
    )


def _central_from(collection: Collection) -> Forked[dict[str, float]] | None:
    """A forked copy working out a large graph's centrality from the collection; None for a
    small one, or when none can be forked (it is worked out from the graph)."""
    if len(collection.dependencies) + len(collection.edges) < FORK_EDGES:
        return None
    records = (collection.repositories, collection.dependencies, collection.edges)
    copy = Forked(partial(centrality_of, *records))
    return copy if copy.forked else None


def _path_finder(
    graph: DependencyGraph, projects: Sequence[Project]
) -> Forked[ProjectPaths] | None:
    """A forked copy finding the paths of a large graph's uses (``project_paths``); None for a
    small graph, or when no copy can be forked (the report finds the paths it shows)."""
    uses = sum(len(graph.edges_from(repo_node(name))) for name in graph.repositories())
    if uses < FORK_USES:
        return None
    finder = Forked(partial(project_paths, graph, projects))
    return finder if finder.forked else None

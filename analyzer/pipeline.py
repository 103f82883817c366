"""The one place that runs the stages in order: sources -> manifests -> graph -> score."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analyzer import __version__
from analyzer.config import Config
from analyzer.graph import DependencyGraph
from analyzer.manifests import is_manifest, parse_manifest
from analyzer.merge import merge_lockfiles
from analyzer.model import Dependency, ManifestFile, Problem, Repository
from analyzer.score.reliance import Ranking, rank
from analyzer.sources import LocalSource

Progress = Callable[[int, int], None]


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


@dataclass
class AuditResult:
    """The outcome of an audit, which every report format renders."""

    collection: Collection
    graph: DependencyGraph
    ranking: Ranking
    generated_at: str
    version: str = __version__


def generated_at() -> str:
    """Now in UTC, or ``SOURCE_DATE_EPOCH`` for reproducible reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def collect(paths: Sequence[Path], config: Config, progress: Progress | None = None) -> Collection:
    """Scan every root and parse every manifest; raises SourceError for an unusable root."""
    collection = Collection(roots=[str(p) for p in paths])
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
    total = len(collection.manifests)
    results = []
    for done, file in enumerate(collection.manifests, 1):
        results.append(parse_manifest(file))
        if progress:
            progress(done, total)
    seen: dict[Dependency, None] = {}
    for parsed in merge_lockfiles(results):
        seen.update(dict.fromkeys(parsed.dependencies))
        collection.problems.extend(parsed.problems)
        collection.edges.extend(parsed.edges)
        for purl in parsed.publishes:
            collection.publishes.setdefault(purl, set()).add(parsed.file.repo)
    collection.dependencies = list(seen)
    collection.problems = list(dict.fromkeys(collection.problems))
    return collection


def build_graph(collection: Collection) -> DependencyGraph:
    graph = DependencyGraph(org_name=", ".join(Path(r).name or r for r in collection.roots))
    for repo in collection.repositories:
        graph.add_repository(repo)
    for dep in collection.dependencies:
        graph.add_dependency(dep)
    for parent, child in collection.edges:
        graph.add_package_edge(parent, child)
    graph.mark_own(collection.publishes)
    return graph


def audit(paths: Sequence[Path], config: Config, progress: Progress | None = None) -> AuditResult:
    collection = collect(paths, config, progress)
    graph = build_graph(collection)
    return AuditResult(collection, graph, rank(graph), generated_at())

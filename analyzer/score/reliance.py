"""Reliance: how much this organization leans on a project, from the dependency graph alone.

``reliance = (1 - c) · usage + c · centrality`` with c = ``centrality-share`` (0.25).

*usage* — each repository contributes the weight of its most important use of any of the
project's packages: the scope weight (runtime 1, optional 0.6, build 0.5, test and dev 0.25)
times ``depth-decay`` (0.5) per level below a direct dependency; the sum is divided by the
number of the organization's repositories, so a project every repository needs directly at
runtime scores 1.

*centrality* — personalized PageRank over the runtime part of the graph only: a walk starts at
a repository, follows runtime uses and then package → package edges from packages reached
that way, and restarts at a repository. Dev and test tools never collect rank, so they cannot
dominate (the known flaw of PageRank over whole package ecosystems). Scores are divided by the
highest one; a project takes its best package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from analyzer.graph import ORG, DependencyGraph, best_scope, repo_node
from analyzer.graph_depths import Adjacency
from analyzer.model import Scope
from analyzer.score.pagerank import pagerank
from analyzer.score.settings import ScoringSettings


class Use(NamedTuple):
    """How one repository uses a project: its best use over the project's packages.

    A named tuple rather than a frozen dataclass: an organization of 1,000 repositories has
    280,000 uses, and a tuple is made in a quarter of the time (0.09 s against 0.36 s)."""

    repo: str
    scope: Scope
    direct: bool
    depth: int
    weight: float
    packages: tuple[str, ...]  # the project's packages this repository uses
    files: tuple[str, ...] = ()  # "path:line" of each declaration


def depth_of(depth: object, direct: bool) -> int:
    """A use's depth from its edge's ``depth``: 1 when direct, else the recorded depth (at
    least 2), or 2 when none is recorded."""
    if direct:
        return 1
    if isinstance(depth, int) and not isinstance(depth, bool) and depth >= 1:
        return max(depth, 2)
    return 2


class UseIndex:
    """Every repository's use of every package, read in one pass over the repositories' edges
    (in name order, so each package's uses are too) and shared by every project."""

    def __init__(self, graph: DependencyGraph, settings: ScoringSettings) -> None:
        weights = {Scope(name): weight for name, weight in settings.scope_weights}
        self.by_package: dict[str, list[Use]] = {}
        for repo in graph.repositories():
            for purl, data in graph.edges_from(repo_node(repo)).items():
                use = _edge_use(repo, purl, data, weights, settings.depth_decay)
                self.by_package.setdefault(purl, []).append(use)

    def uses(self, packages: Iterable[str]) -> list[Use]:
        """One Use per repository, in repository-name order: its best use of any of
        ``packages`` (of equally good ones, the first in package order)."""
        found = [self.by_package[p] for p in packages if p in self.by_package]
        if len(found) == 1:
            return list(found[0])
        by_repo: dict[str, list[Use]] = {}
        for package_uses in found:
            for use in package_uses:
                by_repo.setdefault(use.repo, []).append(use)
        return [_best(by_repo[repo]) for repo in sorted(by_repo)]


def _edge_use(
    repo: str, purl: str, data: Mapping[str, Any], weights: dict[Scope, float], decay: float
) -> Use:
    """How ``repo`` uses one package, from its edge."""
    declarations = data["declarations"]
    if len(declarations) == 1:  # the common case, without generators
        (only,) = declarations
        scope, direct = only.scope, only.direct
        files: tuple[str, ...] = (f"{only.file}:{only.line}" if only.line else only.file,)
    else:
        scope = best_scope(d.scope for d in declarations)
        direct = any(d.direct for d in declarations)
        files = tuple(sorted({f"{d.file}:{d.line}" if d.line else d.file for d in declarations}))
    depth = depth_of(data.get("depth"), direct)
    return Use(repo, scope, direct, depth, weights[scope] * decay ** (depth - 1), (purl,), files)


def _best(uses: list[Use]) -> Use:
    """One repository's uses of several packages as one: the first of the best ones, with
    every package and file."""
    if len(uses) == 1:
        return uses[0]
    best = uses[0]
    for use in uses[1:]:
        if (use.weight, use.direct) > (best.weight, best.direct):
            best = use
    packages = sorted({purl for use in uses for purl in use.packages})
    files = sorted({file for use in uses for file in use.files})
    return best._replace(packages=tuple(packages), files=tuple(files))


def usage_score(project_uses: list[Use], repositories: int) -> float:
    return min(1.0, sum(u.weight for u in project_uses) / max(repositories, 1))


def runtime_subgraph(graph: DependencyGraph) -> tuple[list[str], dict[str, list[str]]]:
    """Repositories with runtime uses, and the runtime edges reachable from them (sorted)."""
    return runtime_edges(graph.adjacency(), graph.nx.successors(ORG))


def runtime_edges(succ: Adjacency, repos: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """``runtime_subgraph`` of the graph whose node -> child -> edge data is ``succ`` and
    whose repository nodes are ``repos`` (analyzer.graph_shape has one without the graph)."""
    edges: dict[str, list[str]] = {}
    seeds: list[str] = []
    frontier: list[str] = []
    for repo in sorted(repos):
        targets = sorted(
            [
                purl
                for purl, data in succ[repo].items()
                if Scope.RUNTIME in [d.scope for d in data["declarations"]]
            ]
        )
        if targets:
            seeds.append(repo)
            edges[repo] = targets
            frontier.extend(targets)
    seen = set(frontier)
    frontier = sorted(seen)  # a package many repositories use is expanded once, not per use
    while frontier:
        node = frontier.pop()
        children = sorted(succ[node])
        if children:
            edges[node] = children
        for child in children:
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return seeds, edges


def centrality(graph: DependencyGraph) -> dict[str, float]:
    """Each package's runtime PageRank divided by the highest package's (0 to 1)."""
    return scaled(pagerank(*runtime_subgraph(graph)))


def scaled(ranks: Mapping[str, float]) -> dict[str, float]:
    """Packages' ranks (not repositories') divided by the highest one."""
    packages = {node: r for node, r in ranks.items() if not node.startswith("repo:")}
    top = max(packages.values(), default=0.0)
    return {node: r / top for node, r in packages.items()} if top > 0 else {}

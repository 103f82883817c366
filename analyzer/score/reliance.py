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

from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.graph import ORG, DependencyGraph, Usage
from analyzer.model import Scope
from analyzer.score.settings import ScoringSettings

DAMPING = 0.85
MAX_ITERATIONS = 100
TOLERANCE = 1e-9  # L1 change; ranks are reported to 4 decimals of the maximum


@dataclass(frozen=True)
class Use:
    """How one repository uses a project: its best use over the project's packages."""

    repo: str
    scope: Scope
    direct: bool
    depth: int
    weight: float
    packages: tuple[str, ...]  # the project's packages this repository uses
    files: tuple[str, ...] = field(default=())  # "path:line" of each declaration


def depth_of(graph: DependencyGraph, usage: Usage, purl: str) -> int:
    """The edge's ``depth`` when the graph records one, else 1 (direct) or 2 (transitive)."""
    data = graph.nx.edges.get((f"repo:{usage.repo}", purl), {})
    depth = data.get("depth")
    if isinstance(depth, int) and not isinstance(depth, bool) and depth >= 1:
        return 1 if usage.direct else max(depth, 2)
    return 1 if usage.direct else 2


def uses(graph: DependencyGraph, packages: Iterable[str], settings: ScoringSettings) -> list[Use]:
    """One Use per repository, in repository-name order."""
    scope_weight = dict(settings.scope_weights)
    best: dict[str, Use] = {}
    touched: dict[str, list[str]] = {}
    files: dict[str, list[str]] = {}
    for purl in packages:
        if purl not in graph.nx:
            continue
        for usage in graph.usages(purl):
            depth = depth_of(graph, usage, purl)
            weight = scope_weight[usage.scope.value] * settings.depth_decay ** (depth - 1)
            touched.setdefault(usage.repo, []).append(purl)
            files.setdefault(usage.repo, []).extend(
                f"{d.file}:{d.line}" if d.line else d.file for d in usage.declarations
            )
            known = best.get(usage.repo)
            if known is None or (weight, usage.direct) > (known.weight, known.direct):
                best[usage.repo] = Use(usage.repo, usage.scope, usage.direct, depth, weight, ())
    return [
        Use(
            u.repo,
            u.scope,
            u.direct,
            u.depth,
            u.weight,
            tuple(sorted(set(touched[u.repo]))),
            tuple(sorted(set(files[u.repo]))),
        )
        for _, u in sorted(best.items())
    ]


def usage_score(project_uses: list[Use], repositories: int) -> float:
    return min(1.0, sum(u.weight for u in project_uses) / max(repositories, 1))


def runtime_subgraph(graph: DependencyGraph) -> tuple[list[str], dict[str, list[str]]]:
    """Repositories with runtime uses, and the runtime edges reachable from them (sorted)."""
    edges: dict[str, list[str]] = {}
    seeds: list[str] = []
    frontier: list[str] = []
    for repo in sorted(graph.nx.successors(ORG)):
        targets = sorted(
            purl
            for purl, data in graph.nx.adj[repo].items()
            if data.get("kind") == "uses"
            and any(d.scope is Scope.RUNTIME for d in data.get("declarations", ()))
        )
        if targets:
            seeds.append(repo)
            edges[repo] = targets
            frontier.extend(targets)
    seen = set(frontier)
    frontier = sorted(seen)  # a package many repositories use is expanded once, not per use
    while frontier:
        node = frontier.pop()
        children = sorted(c for c, d in graph.nx.adj[node].items() if d.get("kind") == "depends")
        if children:
            edges[node] = children
        for child in children:
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return seeds, edges


def pagerank(seeds: list[str], edges: dict[str, list[str]]) -> dict[str, float]:
    """Personalized PageRank by power iteration: restarts and dangling mass go to ``seeds``.

    Pure Python on adjacency lists (no SciPy): O(iterations x edges), about a second for
    200,000 edges; the runtime graph is nearly a DAG, so it converges in a few dozen steps.
    """
    nodes = sorted(set(edges) | {t for targets in edges.values() for t in targets})
    if not seeds:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    linked = [(index[n], [index[t] for t in edges[n]]) for n in nodes if edges.get(n)]
    factor = {i: DAMPING / len(targets) for i, targets in linked}
    dangling = [index[n] for n in nodes if not edges.get(n)]
    start = [index[s] for s in seeds]
    restart = 1.0 / len(start)
    rank = [0.0] * len(nodes)
    for i in start:
        rank[i] = restart
    for _ in range(MAX_ITERATIONS):
        new = [0.0] * len(nodes)
        for i, targets in linked:
            share = rank[i] * factor[i]
            if share:  # early on most nodes hold nothing yet: skip their edges
                for t in targets:
                    new[t] += share
        back = ((1 - DAMPING) + DAMPING * sum(rank[i] for i in dangling)) * restart
        for i in start:
            new[i] += back
        change = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if change < TOLERANCE:
            break
    return dict(zip(nodes, rank, strict=True))


def centrality(graph: DependencyGraph) -> dict[str, float]:
    """Each package's runtime PageRank divided by the highest package's (0 to 1)."""
    ranks = pagerank(*runtime_subgraph(graph))
    packages = {node: r for node, r in ranks.items() if not node.startswith("repo:")}
    top = max(packages.values(), default=0.0)
    return {node: r / top for node, r in packages.items()} if top > 0 else {}

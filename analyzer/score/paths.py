"""How each repository reaches a project: the shortest path through the dependency graph.

One breadth-first search per project walks package → package edges backwards from the
project's packages (bounded, for organizations with huge graphs); a repository's path then
starts at the nearest package it declares directly. Without package edges (no lockfile says
who pulls a package in) the path is just the repository and the package.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from analyzer.graph import DependencyGraph, repo_node

MAX_VISITED = 5000  # nodes one search may visit; beyond, paths fall back to the direct form


def _walk(path: list[str], step: dict[str, str]) -> list[str]:
    while path[-1] in step:
        path.append(step[path[-1]])
    return path


def paths(
    graph: DependencyGraph, packages: Iterable[str], repos: Iterable[str]
) -> dict[str, list[str]]:
    """Repository name -> [repository, purl, …, a purl of the project].

    Breadth-first from the project's packages along package -> package edges backwards; a
    repository is done at the first package it declares directly, and the search stops as
    soon as every repository is done (at once when all of them declare it directly).
    """
    targets = sorted(p for p in set(packages) if p in graph.nx)
    pending = {repo_node(repo): repo for repo in repos}
    found: dict[str, list[str]] = {}
    step: dict[str, str] = {}  # package -> the next package towards the project
    seen, queue = set(targets), deque(targets)
    while queue and pending and len(seen) < MAX_VISITED:
        node = queue.popleft()
        for parent in sorted(graph.nx.predecessors(node)):
            data = graph.nx.edges[parent, node]
            if data.get("kind") == "depends" and parent not in seen:
                seen.add(parent)
                step[parent] = node
                queue.append(parent)
            elif parent in pending and _declares_directly(data):
                repo = pending.pop(parent)
                found[repo] = _walk([repo, node], step)
    for node, repo in pending.items():  # no chain of package edges is known
        used = [p for p in targets if graph.nx.has_edge(node, p)]
        found[repo] = [repo, used[0]] if used else [repo]
    return found


def _declares_directly(data: dict[str, object]) -> bool:
    declarations = data.get("declarations")
    return (
        data.get("kind") == "uses"
        and isinstance(declarations, list)
        and any(d.direct for d in declarations)
    )

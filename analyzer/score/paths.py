"""How each repository reaches a project: the shortest path through the dependency graph.

Each repository gets one breadth-first search, kept for the graph's lifetime: from the
packages the repository declares directly, forward along package -> package edges, expanded
only as far as the questions asked so far need. A repository's path to a project is read off
its search tree at the nearest of the project's packages. Sharing one search per repository
(instead of one search per project) keeps the cost near linear in the graph: a project used
transitively is usually a level or two below what the repository declares.
Without package edges (no lockfile says who pulls a package in) the path is just the
repository and the package.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable

from analyzer.graph import DependencyGraph, repo_node

MAX_VISITED = 5000  # nodes one repository's search may reach; beyond, paths take the direct form

# (parent on the path, depth) per reached package; the roots have no parent
Tree = dict[str, tuple[str | None, int]]


class _Search:
    """One repository's breadth-first search, expanded only as far as questions need."""

    def __init__(self, roots: list[str]) -> None:
        self.tree: Tree = dict.fromkeys(roots, (None, 0))
        self.queue = deque(roots)

    def expand(self, outgoing: dict[str, dict[str, dict[str, object]]]) -> None:
        package = self.queue.popleft()
        depth = self.tree[package][1] + 1
        for child, data in sorted(outgoing[package].items()):
            if data.get("kind") == "depends" and child not in self.tree:
                self.tree[child] = (package, depth)
                self.queue.append(child)

    def reach(self, targets: list[str], outgoing: dict[str, dict[str, dict[str, object]]]) -> Tree:
        """Expand until a target is in the tree and its level is complete (or the bound)."""
        found = [t for t in targets if t in self.tree]
        while not found and self.queue and len(self.tree) < MAX_VISITED:
            self.expand(outgoing)
            found = [t for t in targets if t in self.tree]
        if found:
            depth = min(self.tree[t][1] for t in found)
            # nodes one level up may still add a target at the same depth: finish that level
            while self.queue and self.tree[self.queue[0]][1] < depth:
                self.expand(outgoing)
        return self.tree


class PathIndex:
    """Breadth-first searches over one graph, one per repository, expanded lazily."""

    def __init__(self, graph: DependencyGraph) -> None:
        self.graph = graph
        self._searches: dict[str, _Search] = {}
        self.size = self._size()

    def _size(self) -> tuple[int, int]:
        return self.graph.nx.number_of_nodes(), self.graph.nx.number_of_edges()

    def current(self) -> bool:
        """False once the graph has grown or shrunk since the searches began."""
        return self.size == self._size()

    def _search(self, repo: str) -> _Search:
        if repo not in self._searches:
            node = repo_node(repo)
            adjacent = self.graph.nx.succ[node] if node in self.graph.nx else {}
            roots = sorted(p for p, data in adjacent.items() if _declares_directly(data))
            self._searches[repo] = _Search(roots)
        return self._searches[repo]

    def path(self, repo: str, targets: list[str]) -> list[str]:
        """[repository, purl, …, the nearest of ``targets``]."""
        tree = self._search(repo).reach(targets, self.graph.nx.succ)
        reached = [t for t in targets if t in tree]
        if not reached:
            node = repo_node(repo)
            used = [p for p in targets if self.graph.nx.has_edge(node, p)]
            return [repo, used[0]] if used else [repo]
        step: str | None = min(reached, key=lambda t: (tree[t][1], t))
        chain: list[str] = []
        while step is not None:
            chain.append(step)
            step = tree[step][0]
        return [repo, *reversed(chain)]


_INDEXES: weakref.WeakKeyDictionary[DependencyGraph, PathIndex] = weakref.WeakKeyDictionary()


def paths(
    graph: DependencyGraph, packages: Iterable[str], repos: Iterable[str]
) -> dict[str, list[str]]:
    """Repository name -> [repository, purl, …, a purl of the project]."""
    index = _INDEXES.get(graph)
    if index is None or not index.current():
        index = _INDEXES[graph] = PathIndex(graph)
    targets = sorted(p for p in set(packages) if p in graph.nx)
    return {repo: index.path(repo, targets) for repo in repos}


def _declares_directly(data: dict[str, object]) -> bool:
    declarations = data.get("declarations")
    return (
        data.get("kind") == "uses"
        and isinstance(declarations, list)
        and any(d.direct for d in declarations)
    )

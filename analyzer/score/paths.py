"""How each repository reaches a project: the shortest path through the dependency graph.

Each repository gets one breadth-first search, shared by every project of a report: from the
packages the repository declares directly, forward along package -> package edges, expanded
only as far as the questions asked so far need. A repository's path to a project is read off
its search tree at the nearest of the project's packages. Sharing one search per repository
(instead of one search per project) keeps the cost near linear in the graph: a project used
transitively is usually a level or two below what the repository declares.
Without package edges (no lockfile says who pulls a package in) the path is just the
repository and the package.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from analyzer.graph import DependencyGraph, repo_node

MAX_VISITED = 2000  # nodes one repository's search may reach; beyond, paths take the direct form

# (parent on the path, depth) per reached package; the roots have no parent
Tree = dict[str, tuple[str | None, int]]


class _Search:
    """One repository's breadth-first search, expanded only as far as questions need."""

    def __init__(self, roots: list[str], children: Callable[[str], list[str]]) -> None:
        self.tree: Tree = dict.fromkeys(roots, (None, 0))
        self.queue = deque(roots)
        self.children = children

    def expand(self) -> None:
        package = self.queue.popleft()
        depth = self.tree[package][1] + 1
        for child in self.children(package):
            if child not in self.tree:
                self.tree[child] = (package, depth)
                self.queue.append(child)

    def reach(self, targets: list[str]) -> Tree:
        """Expand until a target is in the tree and its level is complete, or the bound."""
        found = [t for t in targets if t in self.tree]
        while not found and self.queue and len(self.tree) < MAX_VISITED:
            self.expand()
            found = [t for t in targets if t in self.tree]
        if found:
            depth = min(self.tree[t][1] for t in found)
            # nodes one level up may still add a target at the same depth: finish that level
            while self.queue and self.tree[self.queue[0]][1] < depth:
                if len(self.tree) >= MAX_VISITED:
                    break
                self.expand()
        return self.tree


class PathIndex:
    """Breadth-first searches over one graph, one per repository, expanded lazily."""

    def __init__(self, graph: DependencyGraph) -> None:
        self.graph = graph
        self._searches: dict[str, _Search] = {}
        self._children: dict[str, list[str]] = {}

    def _search(self, repo: str) -> _Search:
        if repo not in self._searches:
            node = repo_node(repo)
            adjacent = self.graph.nx.succ[node] if node in self.graph.nx else {}
            roots = sorted(p for p, data in adjacent.items() if _declares_directly(data))
            self._searches[repo] = _Search(roots, self.children)
        return self._searches[repo]

    def children(self, package: str) -> list[str]:
        """A package's dependencies, sorted once and shared by every repository's search."""
        known = self._children.get(package)
        if known is None:
            edges = self.graph.nx.succ[package].items()
            known = self._children[package] = sorted(
                child for child, data in edges if data.get("kind") == "depends"
            )
        return known

    def path(self, repo: str, targets: list[str]) -> list[str]:
        """[repository, purl, …, the nearest of ``targets``]."""
        tree = self._search(repo).reach(targets)
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


def paths(
    graph: DependencyGraph,
    packages: Iterable[str],
    repos: Iterable[str],
    index: PathIndex | None = None,
) -> dict[str, list[str]]:
    """Repository name -> [repository, purl, …, a purl of the project].

    Pass one ``index`` for every project of a report: its searches are shared. It must not
    outlive changes to the graph.
    """
    index = index or PathIndex(graph)
    targets = sorted(p for p in set(packages) if p in graph.nx)
    return {repo: index.path(repo, targets) for repo in repos}


def _declares_directly(data: dict[str, object]) -> bool:
    declarations = data.get("declarations")
    return (
        data.get("kind") == "uses"
        and isinstance(declarations, list)
        and any(d.direct for d in declarations)
    )

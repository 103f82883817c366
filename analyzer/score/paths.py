"""How each repository reaches a project: the shortest path through the dependency graph.

Each repository gets one breadth-first search, shared by every project of a report: from the
packages the repository declares directly, forward along package -> package edges, expanded
only as far as the questions asked so far need. A repository's path to a project is read off
its search tree at the nearest of the project's packages. Sharing one search per repository
(instead of one search per project) keeps the cost near linear in the graph: a project used
transitively is usually a level or two below what the repository declares.
Without package edges (no lockfile says who pulls a package in) the path is just the
repository and the package.

The searches expand in one fixed order and stop at the same bound, so a path depends only on
the repository and the project, never on the questions asked before it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from itertools import repeat
from operator import attrgetter
from typing import Any

from analyzer.graph import DependencyGraph, repo_node
from analyzer.model import Project

MAX_VISITED = 2000  # nodes one repository's search may reach; beyond, paths take the direct form
# From this many uses on (280,000 at 1,000 repositories, about a second), a forked copy finds
# the paths while the audit ranks the projects.
FORK_USES = 50_000

_DIRECT = attrgetter("direct")

# (parent on the path, depth) per reached package; the roots have no parent
Tree = dict[str, tuple[str | None, int]]


class _Search:
    """One repository's breadth-first search, expanded only as far as questions need."""

    __slots__ = ("children", "queue", "tree", "uses")

    def __init__(
        self,
        roots: list[str],
        children: Callable[[str], list[str]],
        uses: Mapping[str, Any],
    ) -> None:
        self.tree: Tree = dict.fromkeys(roots, (None, 0))
        self.queue = deque(roots)
        self.children = children
        self.uses = uses  # the repository's edges: every package it uses

    def expand(self) -> None:
        tree = self.tree
        package = self.queue.popleft()
        new = [child for child in self.children(package) if child not in tree]
        tree.update(zip(new, repeat((package, tree[package][1] + 1))))
        self.queue.extend(new)

    def open(self) -> bool:
        """Whether the search can go on: packages left to expand, the bound not reached."""
        return bool(self.queue) and len(self.tree) < MAX_VISITED

    def reach(self, target: str) -> bool:
        """Expand until ``target`` is reached (the first time is by a shortest path)."""
        tree = self.tree
        while target not in tree:
            if not self.open():
                return False
            self.expand()
        return True

    def nearest(self, targets: list[str]) -> str | None:
        """The target nearest the repository (the first by name among the nearest), expanding
        until no unexpanded package could lead to a nearer one; None when none is reached."""
        tree = self.tree
        while True:
            found = [(tree[t][1], t) for t in targets if t in tree]
            if found:
                depth, target = min(found)
                # a package one level up, not yet expanded, may add a target as near
                if len(found) == len(targets) or not self.open():
                    return target
                if tree[self.queue[0]][1] >= depth:
                    return target
            elif not self.open():
                return None
            self.expand()


class PathIndex:
    """Breadth-first searches over one graph, one per repository, expanded lazily."""

    def __init__(self, graph: DependencyGraph) -> None:
        self.graph = graph
        self._searches: dict[str, _Search] = {}
        self._children: dict[str, list[str]] = {}

    def _search(self, repo: str) -> _Search:
        node = repo_node(repo)
        adjacent = self.graph.edges_from(node) if node in self.graph.nx else {}
        roots = sorted(p for p, data in adjacent.items() if _declares_directly(data))
        search = self._searches[repo] = _Search(roots, self.children, adjacent)
        return search

    def children(self, package: str) -> list[str]:
        """A package's dependencies, sorted once and shared by every repository's search."""
        known = self._children.get(package)
        if known is None:
            edges = self.graph.edges_from(package).items()
            known = self._children[package] = sorted(
                child for child, data in edges if data.get("kind") == "depends"
            )
        return known

    def targets(self, packages: Iterable[str]) -> list[str]:
        """A project's packages as ``path`` takes them: those in the graph, sorted, once."""
        return sorted(p for p in set(packages) if p in self.graph.nx)

    def path(self, repo: str, targets: list[str]) -> list[str]:
        """[repository, purl, …, the nearest of ``targets``]."""
        search = self._searches.get(repo) or self._search(repo)
        tree = search.tree
        target: str | None
        if len(targets) == 1:  # the common case, in short
            target = targets[0]
            if target not in tree and not search.reach(target):
                target = None
        else:
            target = search.nearest(targets)
        if target is None:  # not reached: the repository uses it, the path is unknown
            used = [p for p in targets if p in search.uses]
            return [repo, used[0]] if used else [repo]
        parent = tree[target][0]
        if parent is None:
            return [repo, target]
        chain = [target]
        while parent is not None:
            chain.append(parent)
            parent = tree[parent][0]
        chain.append(repo)
        chain.reverse()
        return chain


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
    targets = index.targets(packages)
    return {repo: index.path(repo, targets) for repo in repos}


ProjectPaths = dict[str, dict[str, list[str]]]  # project key -> repository -> path


def project_paths(graph: DependencyGraph, projects: Iterable[Project]) -> ProjectPaths:
    """For each project (by key), the path of each repository using any of its packages,
    as ``paths`` finds it: every use a ranking of ``projects`` can have, found before the
    ranking is known (pipeline.audit has a forked copy find them while it ranks)."""
    index = PathIndex(graph)
    found: ProjectPaths = {}
    for project in projects:
        targets = index.targets(project.packages)
        users = sorted({repo for target in targets for repo in graph.users(target)})
        found[project.key] = {repo: index.path(repo, targets) for repo in users}
    return found


def _declares_directly(data: Mapping[str, object]) -> bool:
    declarations = data.get("declarations")
    return (
        data.get("kind") == "uses"
        and isinstance(declarations, list)
        and any(map(_DIRECT, declarations))
    )

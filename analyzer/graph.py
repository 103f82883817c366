"""The organization's dependency graph: org -> repositories -> packages -> packages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx
from packageurl import PackageURL

from analyzer.model import Dependency, Repository, Scope

ORG = "org"


def repo_node(name: str) -> str:
    return f"repo:{name}"


@dataclass(frozen=True)
class Usage:
    """How one repository uses one package, summed over every file that declares it."""

    repo: str
    scope: Scope  # the most important scope any declaration gives it
    direct: bool
    declarations: tuple[Dependency, ...]


def _best_scope(scopes: Iterable[Scope]) -> Scope:
    return max(scopes, key=lambda scope: (scope.weight, -list(Scope).index(scope)))


class DependencyGraph:
    """A typed wrapper around ``networkx.DiGraph``.

    Nodes are the organization (``org``), its repositories (``repo:<name>``) and packages
    (their purl). Repository -> package edges keep every declaration; package -> package
    edges say one package depends on another (from lockfiles and resolution).
    """

    def __init__(self, org_name: str = "organization") -> None:
        self.nx = nx.DiGraph()
        self.nx.add_node(ORG, kind="org", name=org_name)
        self.own_packages: set[str] = set()

    def add_repository(self, repo: Repository) -> None:
        node = repo_node(repo.name)
        self.nx.add_node(node, kind="repo", name=repo.name, path=repo.path)
        self.nx.add_edge(ORG, node, kind="owns")

    def _add_package(self, purl: str, name: str, ecosystem: str) -> None:
        if purl not in self.nx:
            self.nx.add_node(purl, kind="package", name=name, ecosystem=ecosystem)

    def add_dependency(self, dep: Dependency) -> None:
        repo = repo_node(dep.repo)
        if repo not in self.nx:
            self.add_repository(Repository(dep.repo, dep.repo))
        self._add_package(dep.purl, dep.display_name, dep.ecosystem.value)
        if self.nx.has_edge(repo, dep.purl):
            self.nx.edges[repo, dep.purl]["declarations"].append(dep)
        else:
            self.nx.add_edge(repo, dep.purl, kind="uses", declarations=[dep])

    def add_package_edge(self, parent: str, child: str) -> None:
        """Record that package ``parent`` depends on package ``child`` (both purls)."""
        for purl in (parent, child):
            if purl not in self.nx:
                parsed = PackageURL.from_string(purl)
                separator = ":" if parsed.type == "maven" else "/"
                name = (
                    f"{parsed.namespace}{separator}{parsed.name}"
                    if parsed.namespace
                    else parsed.name
                )
                self._add_package(purl, name, parsed.type)
        if parent != child:
            self.nx.add_edge(parent, child, kind="depends")

    def mark_own(self, purls: Iterable[str]) -> None:
        """Packages the organization publishes itself: never funding candidates."""
        self.own_packages.update(purls)

    def repositories(self) -> list[str]:
        return sorted(
            self.nx.nodes[n]["name"] for n in self.nx.successors(ORG) if n.startswith("repo:")
        )

    def packages(self) -> list[str]:
        return sorted(n for n, kind in self.nx.nodes(data="kind") if kind == "package")

    def package_name(self, purl: str) -> str:
        return str(self.nx.nodes[purl]["name"])

    def ecosystem(self, purl: str) -> str:
        return str(self.nx.nodes[purl]["ecosystem"])

    def usages(self, purl: str) -> Iterator[Usage]:
        """Each repository's use of ``purl``, in repository-name order."""
        for node in sorted(self.nx.predecessors(purl)):
            data = self.nx.edges[node, purl]
            if data.get("kind") != "uses":
                continue
            declarations = tuple(data["declarations"])
            yield Usage(
                repo=self.nx.nodes[node]["name"],
                scope=_best_scope(d.scope for d in declarations),
                direct=any(d.direct for d in declarations),
                declarations=declarations,
            )

    def dependents(self, purl: str) -> list[str]:
        """Packages that depend on ``purl`` (package -> package edges only)."""
        return sorted(
            p for p in self.nx.predecessors(purl) if self.nx.nodes[p].get("kind") == "package"
        )

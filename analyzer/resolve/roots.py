"""Where resolution starts: direct declarations no lockfile covers.

A declaration is resolved from the registry when its package comes from the registry, is
not one the organization publishes, and no lockfile of the same repository at or above the
declaring file's directory lists the package (a lockfile, when present, always wins).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from analyzer.graph import DependencyGraph, repo_node
from analyzer.model import Dependency, Ecosystem, Scope, package_purl
from analyzer.resolve.interface import OPTIONAL, Lock


@dataclass(frozen=True, order=True)
class Visit:
    """One package to resolve for one repository, and how the repository reaches it."""

    repo: str
    ecosystem: Ecosystem
    name: str  # registry name: canonical for PyPI, "@scope/name" for npm
    spec: str
    extras: tuple[str, ...]
    depth: int  # 1 = declared by the repository
    scope: Scope
    file: str  # the declaring file of the root this visit descends from
    parent: str | None = None  # the purl that asks for it; None for a root


def pin(ecosystem: Ecosystem, version: str) -> str:
    """The spec that selects exactly ``version``."""
    return f"=={version}" if ecosystem is Ecosystem.PYPI else version


def child_scope(scope: Scope, kind: str) -> Scope:
    """An optional dependency of a runtime package is optional; otherwise the scope carries."""
    if kind == OPTIONAL and scope.weight > Scope.OPTIONAL.weight:
        return Scope.OPTIONAL
    return scope


def registry_name(dep: Dependency) -> str:
    return dep.display_name if dep.ecosystem is Ecosystem.NPM else dep.name


def purl_of(ecosystem: Ecosystem, name: str) -> str:
    """The purl of a package known by its registry name (``@babel/core`` -> namespace)."""
    if ecosystem is Ecosystem.NPM and name.startswith("@") and "/" in name:
        namespace, _, short = name.partition("/")
        return package_purl(ecosystem, short, namespace)
    return package_purl(ecosystem, name)


def _locked(
    repo: str, purl: str, declarations: Sequence[Dependency], locks: Sequence[Lock]
) -> bool:
    return any(
        purl in lock.packages and lock.covers(repo, dep.file)
        for lock in locks
        for dep in declarations
    )


def _combined_spec(ecosystem: Ecosystem, declarations: Sequence[Dependency]) -> str:
    specs = [d.spec or "" for d in declarations]
    if ecosystem is Ecosystem.PYPI:
        # Specifier sets intersect when joined: ">=2.31" in one file, "<3" in another.
        return ",".join(dict.fromkeys(s.strip("()") for s in specs if s))
    return specs[0]  # npm ranges do not join so simply; the most important declaration wins


def find_roots(
    graph: DependencyGraph, locks: Sequence[Lock], ecosystems: Collection[Ecosystem]
) -> tuple[list[Visit], int]:
    """Every (repository, package) to resolve, and how many were skipped as the org's own."""
    roots: list[Visit] = []
    own = 0
    for repo in graph.repositories():
        node = repo_node(repo)
        for purl in sorted(graph.nx.successors(node)):
            declared = [
                d
                for d in graph.nx.edges[node, purl].get("declarations", ())
                if d.direct and d.source == "registry" and d.ecosystem in ecosystems
            ]
            if not declared or _locked(repo, purl, declared, locks):
                continue
            if purl in graph.own_packages:
                own += 1  # never looked up publicly: a same-named public package is not ours
                continue
            declared.sort(key=lambda d: (-d.scope.weight, d.file, d.line or 0))
            first = declared[0]
            extras = sorted({e for d in declared for e in d.extras})
            spec = _combined_spec(first.ecosystem, declared)
            roots.append(Visit(repo, first.ecosystem, registry_name(first), spec,
                               tuple(extras), 1, first.scope, first.file))  # fmt: skip
    return roots, own

"""The organization's dependency graph: org -> repositories -> packages -> packages.

Edge attributes, kept to plain values so the graph exports as GraphML or JSON:

- ``kind``: "owns" (org -> repo), "uses" (repo -> package), "depends" (package -> package)
- ``resolved_by``: who says the edge exists. "manifest" for a repository's own declaration,
  "lockfile" for what a lockfile (or a compiled requirements file, or an SBOM) lists, and
  "registry" for what resolution read from registry metadata where no lockfile exists.
- ``depth``: 1 for a repository's direct dependencies, 2 for theirs, and so on (the shortest
  path from any repository; None when no repository reaches the package). On a
  package -> package edge it is the depth the child is reached at through that edge.
- ``spec`` and ``version``: the range the dependent asks for and the version installed,
  when known.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx
from packageurl import PackageURL

from analyzer.model import Dependency, Repository, Scope

ORG = "org"
LOCKFILE = "lockfile"
REGISTRY = "registry"
MANIFEST = "manifest"


def repo_node(name: str) -> str:
    return f"repo:{name}"


@dataclass(frozen=True)
class Usage:
    """How one repository uses one package, summed over every file that declares it."""

    repo: str
    scope: Scope  # the most important scope any declaration gives it
    direct: bool
    declarations: tuple[Dependency, ...]
    depth: int | None = None  # 1 = direct; None when no path from the repository is known
    resolved_by: str = MANIFEST  # manifest | lockfile | registry


def _best_scope(scopes: Iterable[Scope]) -> Scope:
    return max(scopes, key=lambda scope: (scope.weight, -list(Scope).index(scope)))


def _provenance(dep: Dependency) -> str:
    # A record nobody declared directly comes from a lockfile-like list of everything installed.
    return MANIFEST if dep.direct else LOCKFILE


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

    def add_dependency(self, dep: Dependency, resolved_by: str | None = None) -> None:
        """Record a declaration; ``resolved_by`` overrides where the edge is said to come from."""
        repo = repo_node(dep.repo)
        if repo not in self.nx:
            self.add_repository(Repository(dep.repo, dep.repo))
        self._add_package(dep.purl, dep.display_name, dep.ecosystem.value)
        provenance = resolved_by or _provenance(dep)
        if self.nx.has_edge(repo, dep.purl):
            data = self.nx.edges[repo, dep.purl]
            data["declarations"].append(dep)
            if provenance == MANIFEST:  # a declaration outranks any list of installed packages
                data["resolved_by"] = MANIFEST
            data["spec"] = data.get("spec") or dep.spec
            data["version"] = data.get("version") or dep.version
        else:
            attributes = {"resolved_by": provenance, "spec": dep.spec, "version": dep.version}
            self.nx.add_edge(
                repo, dep.purl, kind="uses", declarations=[dep], depth=None, **attributes
            )

    def set_version(self, repo: str, purl: str, version: str) -> None:
        """Give a repository's declarations of ``purl`` that name no version the one chosen for
        them (by resolution), so enrichment looks that version up."""
        data = self.nx.edges[repo_node(repo), purl]
        data["declarations"] = [
            dataclasses.replace(d, version=version)
            if d.version is None and d.source == "registry"
            else d
            for d in data["declarations"]
        ]
        data["version"] = data.get("version") or version

    def add_package_edge(
        self,
        parent: str,
        child: str,
        *,
        resolved_by: str = LOCKFILE,
        spec: str | None = None,
        version: str | None = None,
        depth: int | None = None,
    ) -> bool:
        """Record that package ``parent`` depends on package ``child`` (both purls).

        A lockfile's edge wins over resolution's; True when the edge is new.
        """
        for purl in (parent, child):
            if purl not in self.nx:
                self._add_package(purl, *_name_and_type(purl))
        if parent == child:
            return False
        if self.nx.has_edge(parent, child):
            data = self.nx.edges[parent, child]
            if data.get("resolved_by") == REGISTRY and resolved_by == LOCKFILE:
                data.update(resolved_by=LOCKFILE, spec=spec, version=version)
            if depth is not None and (data.get("depth") is None or depth < data["depth"]):
                data["depth"] = depth
            return False
        self.nx.add_edge(parent, child, kind="depends", resolved_by=resolved_by, spec=spec,
                         version=version, depth=depth)  # fmt: skip
        return True

    def note_peers(self, purl: str, peers: Iterable[str]) -> None:
        """Peer dependencies (``name@range``) a package expects its host to install; kept as
        one comma-separated string so the graph still exports to GraphML."""
        known = {p for p in str(self.nx.nodes[purl].get("peers", "")).split(", ") if p}
        self.nx.nodes[purl]["peers"] = ", ".join(sorted(known | set(peers)))

    def compute_depths(self) -> None:
        """Set ``depth`` on every edge: a breadth-first walk from each repository's direct
        packages through the packages that repository uses."""
        edge_depth: dict[tuple[str, str], int] = {}
        for repo in (n for n in self.nx.successors(ORG) if n.startswith("repo:")):
            depths = self._repo_depths(repo, edge_depth)
            for purl in self.nx.successors(repo):
                self.nx.edges[repo, purl]["depth"] = depths.get(purl)
        for (parent, child), depth in edge_depth.items():
            data = self.nx.edges[parent, child]
            if data.get("depth") is None or depth < data["depth"]:
                data["depth"] = depth

    def _repo_depths(self, repo: str, edge_depth: dict[tuple[str, str], int]) -> dict[str, int]:
        used = set(self.nx.successors(repo))
        direct = [p for p in sorted(used) if any(d.direct for d in self._declarations(repo, p))]
        depths = dict.fromkeys(direct, 1)
        queue = deque(direct)
        while queue:
            parent = queue.popleft()
            for child in self.nx.successors(parent):
                if child not in used:
                    continue  # another repository's dependency: not on this one's path
                key = (parent, child)
                edge_depth[key] = min(edge_depth.get(key, depths[parent] + 1), depths[parent] + 1)
                if child not in depths:
                    depths[child] = depths[parent] + 1
                    queue.append(child)
        return depths

    def _declarations(self, repo: str, purl: str) -> list[Dependency]:
        return list(self.nx.edges[repo, purl].get("declarations", ()))

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
                depth=data.get("depth"),
                resolved_by=data.get("resolved_by", MANIFEST),
            )

    def dependents(self, purl: str) -> list[str]:
        """Packages that depend on ``purl`` (package -> package edges only)."""
        return sorted(
            p for p in self.nx.predecessors(purl) if self.nx.nodes[p].get("kind") == "package"
        )


def _name_and_type(purl: str) -> tuple[str, str]:
    """The display name and ecosystem of a package known only by its purl."""
    parsed = PackageURL.from_string(purl)
    separator = ":" if parsed.type == "maven" else "/"
    name = f"{parsed.namespace}{separator}{parsed.name}" if parsed.namespace else parsed.name
    return name, parsed.type

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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import networkx as nx
from packageurl import PackageURL

from analyzer.gc_pause import paused_gc
from analyzer.graph_depths import Adjacency, compute_depths
from analyzer.model import Dependency, Ecosystem, Repository, Scope

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


# The most important scope first: by weight, then in the order Scope lists them.
_SCOPE_RANK = {scope: (scope.weight, -i) for i, scope in enumerate(Scope)}


def best_scope(scopes: Iterable[Scope]) -> Scope:
    return max(scopes, key=_SCOPE_RANK.__getitem__)


class DependencyGraph:
    """A typed wrapper around ``networkx.DiGraph``.

    Nodes are the organization (``org``), its repositories (``repo:<name>``) and packages
    (their purl). Repository -> package edges keep every declaration; package -> package
    edges say one package depends on another (from lockfiles and resolution).

    An organization has hundreds of thousands of edges: hot paths use networkx's adjacency
    dicts (``_succ``, ``_pred``) directly rather than through its views and ``add_edge``.
    """

    def __init__(self, org_name: str = "organization") -> None:
        self.nx = nx.DiGraph()
        self.nx.add_node(ORG, kind="org", name=org_name)
        self.own_packages: set[str] = set()
        self._succ: dict[str, dict[str, dict[str, Any]]] = self.nx._succ
        self._pred: dict[str, dict[str, dict[str, Any]]] = self.nx._pred
        # conversions networkx caches for other backends (3.3+), stale once an edge is added
        self._cache: dict[str, Any] = getattr(self.nx, "__networkx_cache__", {})

    def add_repository(self, repo: Repository) -> None:
        node = repo_node(repo.name)
        self.nx.add_node(node, kind="repo", name=repo.name, path=repo.path)
        self.nx.add_edge(ORG, node, kind="owns")

    def _add_package(self, purl: str, name: str, ecosystem: str) -> None:
        if purl not in self._succ:
            self.nx.add_node(purl, kind="package", name=name, ecosystem=ecosystem)

    def _link(self, parent: str, child: str, data: dict[str, Any]) -> None:
        """A new edge between two nodes already in the graph: ``DiGraph.add_edge`` without its
        checks and keyword arguments, which nearly double the time to add an edge."""
        self._succ[parent][child] = self._pred[child][parent] = data
        if self._cache:
            self._cache.clear()

    @paused_gc(lasting=True)
    def add_dependencies(self, deps: Iterable[Dependency]) -> None:
        """``add_dependency`` for each, in one loop: an organization has hundreds of thousands
        of records, mostly a repository's, one after another, naming a few thousand packages."""
        succ, pred = self._succ, self._pred
        repo_name: str | None = None  # the repository of the previous record
        repo, uses = "", {}
        purls: dict[tuple[str, str | None, Ecosystem], str] = {}
        for dep in deps:
            if dep.repo != repo_name:
                repo_name, repo = dep.repo, repo_node(dep.repo)
                if repo not in succ:
                    self.add_repository(Repository(repo_name, repo_name))
                uses = succ[repo]
            key = (dep.name, dep.namespace, dep.ecosystem)
            purl = purls.get(key)
            if purl is None:
                purl = purls[key] = dep.purl
                if purl not in succ:
                    self._add_package(purl, dep.display_name, dep.ecosystem.value)
            data = uses.get(purl)
            if data is None:
                uses[purl] = pred[purl][repo] = {
                    "kind": "uses", "declarations": [dep], "depth": None,
                    "resolved_by": MANIFEST if dep.direct else LOCKFILE,
                    "spec": dep.spec, "version": dep.version,
                }  # fmt: skip
            else:
                data["declarations"].append(dep)
                if dep.direct:  # a declaration outranks any list of installed packages
                    data["resolved_by"] = MANIFEST
                data["spec"] = data.get("spec") or dep.spec
                data["version"] = data.get("version") or dep.version
        if self._cache:  # as _link does for each new edge
            self._cache.clear()

    def add_dependency(self, dep: Dependency, resolved_by: str | None = None) -> None:
        """Record a declaration; ``resolved_by`` overrides where the edge is said to come from."""
        repo, purl = repo_node(dep.repo), dep.purl
        if repo not in self._succ:
            self.add_repository(Repository(dep.repo, dep.repo))
        if purl not in self._succ:
            self._add_package(purl, dep.display_name, dep.ecosystem.value)
        # A record nobody declared directly comes from a lockfile-like list of all installed.
        provenance = resolved_by or (MANIFEST if dep.direct else LOCKFILE)
        data = self._succ[repo].get(purl)
        if data is not None:
            data["declarations"].append(dep)
            if provenance == MANIFEST:  # a declaration outranks any list of installed packages
                data["resolved_by"] = MANIFEST
            data["spec"] = data.get("spec") or dep.spec
            data["version"] = data.get("version") or dep.version
        else:
            self._link(repo, purl, {"kind": "uses", "declarations": [dep], "depth": None,
                                    "resolved_by": provenance, "spec": dep.spec,
                                    "version": dep.version})  # fmt: skip

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

    @paused_gc(lasting=True)
    def add_package_edges(self, edges: Iterable[tuple[str, str]]) -> None:
        """Lockfile edges (parent purl, child purl), as ``add_package_edge`` adds each, in one
        loop (hundreds of thousands at organization scale)."""
        succ, pred = self._succ, self._pred
        for parent, child in edges:
            if parent not in succ:
                self._add_package(parent, *_name_and_type(parent))
            if child not in succ:
                self._add_package(child, *_name_and_type(child))
            children = succ[parent]
            data = children.get(child)
            if data is None:
                if parent != child:
                    children[child] = pred[child][parent] = {
                        "kind": "depends", "resolved_by": LOCKFILE, "spec": None,
                        "version": None, "depth": None,
                    }  # fmt: skip
            elif data.get("resolved_by") == REGISTRY:  # a lockfile's edge wins
                data.update(resolved_by=LOCKFILE, spec=None, version=None)
        if self._cache:  # as _link does for each new edge
            self._cache.clear()

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
        if parent not in self._succ:
            self._add_package(parent, *_name_and_type(parent))
        if child not in self._succ:
            self._add_package(child, *_name_and_type(child))
        if parent == child:
            return False
        data = self._succ[parent].get(child)
        if data is not None:
            if data.get("resolved_by") == REGISTRY and resolved_by == LOCKFILE:
                data.update(resolved_by=LOCKFILE, spec=spec, version=version)
            if depth is not None and (data.get("depth") is None or depth < data["depth"]):
                data["depth"] = depth
            return False
        self._link(parent, child, {"kind": "depends", "resolved_by": resolved_by, "spec": spec,
                                   "version": version, "depth": depth})  # fmt: skip
        return True

    def note_peers(self, purl: str, peers: Iterable[str]) -> None:
        """Peer dependencies (``name@range``) a package expects its host to install; kept as
        one comma-separated string so the graph still exports to GraphML."""
        known = {p for p in str(self.nx.nodes[purl].get("peers", "")).split(", ") if p}
        self.nx.nodes[purl]["peers"] = ", ".join(sorted(known | set(peers)))

    @paused_gc()
    def compute_depths(self) -> None:
        """Set ``depth`` on every edge (see analyzer.graph_depths): on a repository's use, the
        level of that repository's walk its package is reached at; on a package -> package
        edge, the shallowest level any walk takes it to its child at (or an earlier one)."""
        repos = [n for n in self._succ[ORG] if n.startswith("repo:")]
        # the most used packages take the lowest bits, so that masks of packages stay short
        packages = sorted(self.packages(), key=lambda purl: -len(self._pred[purl]))
        compute_depths(self._succ, repos, packages)

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

    def adjacency(self) -> Adjacency:
        """Every node's children with the attributes of the edge to each; not to be changed."""
        return self._succ

    def edges_from(self, node: str) -> Mapping[str, Mapping[str, Any]]:
        """Each child of ``node`` with the attributes of the edge to it; not to be changed.
        A repository's edges are all uses, a package's all depends."""
        return self._succ[node]

    def declarations(self, purl: str) -> Iterator[Dependency]:
        """Every repository's declarations of ``purl``, in no particular order."""
        for data in self._pred[purl].values():
            if data.get("kind") == "uses":
                yield from data["declarations"]

    def users(self, purl: str) -> Iterator[str]:
        """The names of the repositories that use ``purl``, in no particular order."""
        nodes = self.nx._node
        for node, data in self._pred[purl].items():
            if data.get("kind") == "uses":
                yield nodes[node]["name"]

    def usages(self, purl: str) -> Iterator[Usage]:
        """Each repository's use of ``purl``, in repository-name order."""
        nodes = self.nx._node
        edges = self._pred[purl].items()
        users = [(nodes[node]["name"], data) for node, data in edges if data.get("kind") == "uses"]
        for repo, data in sorted(users, key=itemgetter(0)):
            declarations = tuple(data["declarations"])
            yield Usage(
                repo=repo,
                scope=best_scope(d.scope for d in declarations),
                direct=any(d.direct for d in declarations),
                declarations=declarations,
                depth=data.get("depth"),
                resolved_by=data.get("resolved_by", MANIFEST),
            )

    def dependents(self, purl: str) -> list[str]:
        """Packages that depend on ``purl`` (package -> package edges only)."""
        nodes = self.nx._node
        return sorted(p for p in self._pred[purl] if nodes[p].get("kind") == "package")


def _name_and_type(purl: str) -> tuple[str, str]:
    """The display name and ecosystem of a package known only by its purl."""
    parsed = PackageURL.from_string(purl)
    separator = ":" if parsed.type == "maven" else "/"
    name = f"{parsed.namespace}{separator}{parsed.name}" if parsed.namespace else parsed.name
    return name, parsed.type

"""Resolution: fill in the transitive dependencies that no lockfile lists.

Breadth-first, one level at a time, so every level's registry lookups run concurrently.
Each repository is its own installation: the first range met for a package fixes its
version there (no backtracking, like pip's and npm's first pass). Roots are walked in order
of scope importance, runtime first, so a package keeps the best scope that reaches it, as
merged lockfiles do. Cycles end where a package was already visited; bounds on depth and on
distinct packages keep a run finite, and each bound hit is reported.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from analyzer.graph import REGISTRY, DependencyGraph, repo_node
from analyzer.model import Dependency, Ecosystem
from analyzer.resolve.interface import (
    PEER,
    Child,
    Lock,
    Outcome,
    Request,
    Resolution,
    ResolveError,
    Resolver,
    Settings,
)
from analyzer.resolve.roots import Visit, child_scope, find_roots, pin, purl_of

Progress = Callable[[int, int], None]


class Driver:
    """Walks the graph's unlocked declarations and adds what registries say they need."""

    def __init__(
        self,
        graph: DependencyGraph,
        resolvers: Mapping[Ecosystem, Resolver],
        settings: Settings | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.graph = graph
        self.resolvers = dict(resolvers)
        self.settings = settings or Settings()
        self.progress = progress
        self.result = Resolution()
        self.used = {r: set(graph.nx.successors(repo_node(r))) for r in graph.repositories()}
        self.chosen: dict[tuple[str, str], str | None] = {}  # (repo, purl) -> version
        self.expanded: dict[tuple[str, str], set[str]] = {}  # (repo, purl) -> extras done
        self.requested: set[tuple[Ecosystem, str]] = set()
        self.dead: dict[Ecosystem, str] = {}
        self.resolved: set[str] = set()
        self.failed: set[str] = set()
        self.too_deep = 0  # dependencies not followed past resolve-max-depth
        self.over_budget: set[tuple[Ecosystem, str]] = set()  # names past resolve-max-packages
        self._done = 0
        self._lock = threading.Lock()

    def run(self, locks: Sequence[Lock]) -> Resolution:
        roots, own = find_roots(self.graph, locks, self.resolvers)
        self.result.roots, self.result.skipped = len(roots), own
        before = set(self.graph.packages())
        # Every root's own range decides its version, whichever path meets it first.
        first = self._resolve_level(roots)
        for visit in roots:
            self._choose(visit, purl_of(visit.ecosystem, visit.name), first.get(visit))
        # Most important scope first, so a package keeps the best scope that reaches it.
        for scope in sorted({v.scope for v in roots}, key=lambda s: -s.weight):
            frontier = self._expand([v for v in roots if v.scope is scope], first)
            while frontier:
                frontier = self._expand(frontier, self._resolve_level(frontier))
        self.result.packages, self.result.failed = len(self.resolved), len(self.failed)
        self.result.added = len(set(self.graph.packages()) - before)
        self._report_limits()
        return self.result

    def _request(self, visit: Visit, purl: str) -> Request:
        version = self.chosen.get((visit.repo, purl))
        spec = pin(visit.ecosystem, version) if version else visit.spec
        return Request(visit.name, spec, visit.extras)

    def _resolve_level(self, frontier: list[Visit]) -> dict[Visit, Outcome]:
        wanted: dict[Ecosystem, dict[Request, list[Visit]]] = defaultdict(dict)
        for visit in frontier:
            request = self._request(visit, purl_of(visit.ecosystem, visit.name))
            wanted[visit.ecosystem].setdefault(request, []).append(visit)
        outcomes: dict[Visit, Outcome] = {}
        for ecosystem, requests in wanted.items():
            allowed = self._within_budget(ecosystem, sorted(requests))
            if ecosystem in self.dead or not allowed:
                continue
            try:
                answers = self.resolvers[ecosystem].resolve(allowed, self._tick)
            except ResolveError as exc:
                self.dead[ecosystem] = str(exc)
                continue
            for request, outcome in answers.items():
                outcomes.update(dict.fromkeys(requests[request], outcome))
        return outcomes

    def _within_budget(self, ecosystem: Ecosystem, requests: list[Request]) -> list[Request]:
        """The requests the package bound still allows; new names past it are not looked up."""
        allowed = []
        for request in requests:
            key = (ecosystem, request.name)
            if key not in self.requested:
                if len(self.requested) >= self.settings.max_packages:
                    self.over_budget.add(key)
                    continue
                self.requested.add(key)
            allowed.append(request)
        if self.progress:
            self.progress(self._done, len(self.requested))
        return allowed

    def _tick(self, count: int) -> None:
        with self._lock:
            self._done += count
            if self.progress:
                self.progress(self._done, len(self.requested))

    def _expand(self, frontier: list[Visit], outcomes: dict[Visit, Outcome]) -> list[Visit]:
        following: list[Visit] = []
        for visit in frontier:
            purl = purl_of(visit.ecosystem, visit.name)
            key = (visit.repo, purl)
            outcome = outcomes.get(visit)
            version = self.chosen.get(key, outcome.version if outcome else None)
            if visit.parent:
                new = self.graph.add_package_edge(visit.parent, purl, resolved_by=REGISTRY,
                                                  spec=visit.spec or None, version=version,
                                                  depth=visit.depth)  # fmt: skip
                self.result.edges += new
            if visit.parent and key in self.chosen:
                following += self._revisit(visit, key)
                continue
            if visit.parent:  # roots were chosen first; a parentless visit wants new extras
                self._choose(visit, purl, outcome)
            if outcome and outcome.version:
                following += self._children(visit, purl, outcome.children)
        return following

    def _revisit(self, visit: Visit, key: tuple[str, str]) -> list[Visit]:
        """A package met again: only extras not yet followed need another look."""
        version, done = self.chosen[key], self.expanded[key]
        extra = sorted(set(visit.extras) - done)
        if not version or not extra:
            return []
        done.update(extra)
        # No parent: the edge exists already; only the new extras' dependencies are followed.
        spec = pin(visit.ecosystem, version)
        return [dataclasses.replace(visit, spec=spec, extras=tuple(extra), parent=None)]

    def _choose(self, visit: Visit, purl: str, outcome: Outcome | None) -> None:
        """Fix the package's version for the repository and put it into the graph: a version
        for a root's declarations, a transitive use otherwise."""
        version = outcome.version if outcome else None
        self.chosen[(visit.repo, purl)] = version
        self.expanded[(visit.repo, purl)] = set(visit.extras)
        if outcome is not None:
            (self.resolved if version else self.failed).add(purl)
            if not outcome.complete:
                self.failed.add(purl)
            if outcome.note:
                self.result.note(outcome.note)
        if visit.parent is None:
            if version:
                self.graph.set_version(visit.repo, purl, version)
            return
        name, namespace = visit.name, None
        if visit.ecosystem is Ecosystem.NPM and name.startswith("@"):
            namespace, _, name = name.partition("/")
        dep = Dependency(visit.ecosystem, name, visit.spec or None, version, visit.scope, False,
                         visit.repo, visit.file, None, namespace=namespace)  # fmt: skip
        self.graph.add_dependency(dep, resolved_by=REGISTRY)
        self.used[visit.repo].add(purl)
        self.result.usages += 1

    def _children(self, visit: Visit, purl: str, children: Sequence[Child]) -> list[Visit]:
        following = []
        peers = []
        depth = visit.depth + 1
        for child in children:
            if child.kind == PEER and not self.settings.follow_peers:
                peers.append(f"{child.name}@{child.spec or '*'}")
                continue
            target = purl_of(visit.ecosystem, child.name)
            if target in self.graph.own_packages or (
                target in self.used[visit.repo] and (visit.repo, target) not in self.chosen
            ):
                # The organization's own package, or one a lockfile or manifest of this
                # repository already accounts for: link it, never look it up.
                self.result.edges += self.graph.add_package_edge(
                    purl, target, resolved_by=REGISTRY, spec=child.spec or None, depth=depth
                )
                continue
            if depth > self.settings.max_depth:
                self.too_deep += 1
                continue
            scope = child_scope(visit.scope, child.kind)
            following.append(Visit(visit.repo, visit.ecosystem, child.name, child.spec,
                                   child.extras, depth, scope, visit.file, purl))  # fmt: skip
        if peers:
            self.result.peers += len(peers)
            self.graph.note_peers(purl, peers)
        return following

    def _report_limits(self) -> None:
        settings = self.settings
        if self.too_deep:
            self.result.limits.append(
                f"resolve-max-depth {settings.max_depth}: {self.too_deep} dependencies deeper "
                "than that were not followed"
            )
        if self.over_budget:
            self.result.limits.append(
                f"resolve-max-packages {settings.max_packages}: {len(self.over_budget)} more "
                "packages were not looked up"
            )
        for ecosystem, reason in sorted(self.dead.items()):
            self.result.limits.append(f"{ecosystem.value} registry unavailable: {reason}")


def resolve(
    graph: DependencyGraph,
    locks: Sequence[Lock],
    resolvers: Mapping[Ecosystem, Resolver],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> Resolution:
    """Resolve every unlocked declaration of ``graph`` in place and say what was done."""
    result = Driver(graph, resolvers, settings, progress).run(locks)
    graph.compute_depths()
    return result

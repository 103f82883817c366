"""Merge each lockfile with the manifest beside it.

A lockfile knows every installed package and its exact version but rarely which ones the
project asked for; the manifest next to it knows which are direct and in what scope. After
merging, each manifest declaration carries the locked version, and the lockfile contributes
the packages no partner manifest declares: transitive ones, each with the most important
scope of the direct dependencies that pull it in, and those the lockfile itself marks as
direct (members of a workspace whose manifests live elsewhere).
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import defaultdict, deque
from collections.abc import Iterable

from analyzer.model import Dependency, ParsedManifest, Scope

# Manifests a lockfile in the same directory completes (requirements files are not among
# them: they are often exported from the lockfile and would mark everything direct).
PARTNERS = frozenset(
    {"pyproject.toml", "Pipfile", "package.json", "Cargo.toml", "composer.json", "Gemfile",
     "gemfile", "gems.rb", "build.gradle", "build.gradle.kts", "pom.xml", "go.mod"}
)  # fmt: skip


def is_partner(path: str) -> bool:
    name = posixpath.basename(path)
    return name in PARTNERS or name.endswith(".gemspec")


def _best(scopes: Iterable[Scope]) -> Scope:
    return max(scopes, key=lambda s: s.weight)


def _transitive_scopes(
    direct: dict[str, Scope], edges: Iterable[tuple[str, str]]
) -> dict[str, Scope]:
    """For each package reachable from a direct one, the best scope among those reaching it."""
    children: dict[str, list[str]] = defaultdict(list)
    for parent, child in edges:
        children[parent].append(child)
    reached: dict[str, Scope] = {}
    # Visit scopes from most to least important so each package keeps the best one.
    for scope in sorted(set(direct.values()), key=lambda s: -s.weight):
        queue = deque(purl for purl, s in direct.items() if s is scope)
        while queue:
            purl = queue.popleft()
            for child in children.get(purl, ()):
                if child not in reached and child not in direct:
                    reached[child] = scope
                    queue.append(child)
    return reached


def _merge_group(manifests: list[ParsedManifest], locks: list[ParsedManifest]) -> None:
    declared: dict[str, list[Dependency]] = defaultdict(list)
    for parsed in manifests:
        for dep in parsed.dependencies:
            declared[dep.purl].append(dep)
    lock_purls = [[dep.purl for dep in parsed.dependencies] for parsed in locks]
    locked: dict[str, Dependency] = {}
    for parsed, purls in zip(locks, lock_purls, strict=True):
        for purl, dep in zip(purls, parsed.dependencies, strict=True):
            locked.setdefault(purl, dep)
    for index, parsed in enumerate(manifests):
        deps = tuple(
            dataclasses.replace(dep, version=locked[dep.purl].version)
            if dep.version is None and dep.source == "registry" and dep.purl in locked
            else dep
            for dep in parsed.dependencies
        )
        manifests[index] = dataclasses.replace(parsed, dependencies=deps)
    direct = {purl: _best(d.scope for d in deps) for purl, deps in declared.items()}
    for index, (parsed, purls) in enumerate(zip(locks, lock_purls, strict=True)):
        reached = _transitive_scopes(direct, parsed.edges)
        deps = tuple(
            _with_scope(dep, reached.get(purl, dep.scope))
            for dep, purl in zip(parsed.dependencies, purls, strict=True)
            if purl not in declared
        )
        locks[index] = dataclasses.replace(parsed, dependencies=deps)


def _with_scope(dep: Dependency, scope: Scope) -> Dependency:
    return dep if dep.scope is scope else dataclasses.replace(dep, scope=scope)


def _partners(lock: ParsedManifest, candidates: list[tuple[int, ParsedManifest]]) -> list[int]:
    """Manifests a lockfile completes: those beside it, and workspace members below it
    (manifests that publish a package the lockfile lists as its own)."""
    directory = posixpath.dirname(lock.file.path)
    prefix = f"{directory}/" if directory else ""
    own = set(lock.publishes)
    chosen = []
    for index, parsed in candidates:
        here = posixpath.dirname(parsed.file.path)
        if here == directory or (here.startswith(prefix) and own & set(parsed.publishes)):
            chosen.append(index)
    return chosen


def _is_catalog(path: str) -> bool:
    return path.endswith(".versions.toml")


def _is_build_script(path: str) -> bool:
    return posixpath.basename(path) in ("build.gradle", "build.gradle.kts")


def defer_catalogs(results: list[ParsedManifest]) -> list[ParsedManifest]:
    """Drop a Gradle catalog's entry when a build script of the same repository declares that
    library: the script says how it is used (``testImplementation``), the catalog only that
    it may be."""
    declared: dict[str, set[str]] = defaultdict(set)
    for parsed in results:
        if _is_build_script(parsed.file.path):
            declared[parsed.file.repo].update(d.purl for d in parsed.dependencies)
    merged = []
    for parsed in results:
        used = declared.get(parsed.file.repo)
        if used and _is_catalog(parsed.file.path):
            kept = tuple(d for d in parsed.dependencies if d.purl not in used)
            parsed = dataclasses.replace(parsed, dependencies=kept)
        merged.append(parsed)
    return merged


def merge_lockfiles(results: list[ParsedManifest]) -> list[ParsedManifest]:
    """Return ``results`` with every lockfile merged into its partner manifests, in order."""
    by_repo: dict[str, list[int]] = defaultdict(list)
    for index, parsed in enumerate(results):
        by_repo[parsed.file.repo].append(index)
    merged = list(results)
    for indices in by_repo.values():
        candidates = [
            (i, merged[i])
            for i in indices
            if not merged[i].lockfile and is_partner(merged[i].file.path)
        ]
        for lock_id in (i for i in indices if merged[i].lockfile):
            manifest_ids = _partners(merged[lock_id], candidates)
            lock_ecosystems = {d.ecosystem for d in merged[lock_id].dependencies}
            manifests = [merged[i] for i in manifest_ids]
            if not lock_ecosystems & {d.ecosystem for m in manifests for d in m.dependencies}:
                continue
            locks = [merged[lock_id]]
            _merge_group(manifests, locks)
            for i, parsed in zip([*manifest_ids, lock_id], [*manifests, *locks], strict=True):
                merged[i] = parsed
            candidates = [(i, merged[i]) for i, _ in candidates]
    return merged

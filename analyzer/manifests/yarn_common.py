"""What Yarn's two lockfile generations share: the ``YarnLock`` that the classic reader
(``yarn_lock``) and the Berry reader (``yarn_berry``) fill, and the helpers both use.

Every descriptor (``name@range``) points at the entry it resolves to, so a dependency (its name
plus its range) finds the exact package Yarn installed. From that ``YarnLock`` builds the
records (one per package, version and origin), which are direct (what the repository's own
packages depend on, in the scope their ``package.json`` gives), the scopes of the others, the
packages the repository publishes, and the edges.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.lock_common import best_scope, own_source_tree, propagate_scopes
from analyzer.manifests.npm_common import GIT_ARCHIVE_HOSTS, drop_credentials
from analyzer.manifests.package_json import PackageJsonParser, npm_source, split_npm_name
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_MAX_PROBLEMS = 50
_GIT_PREFIXES = ("git:", "git+", "git@", "ssh:", "github:", "gitlab:", "bitbucket:", "gist:")
_GIT_MARKS = ("#commit=", "#commit:", ".git#")
# Only a URL at the start, and user information up to its first "@" (npm_lock strips every
# URL in a text, up to the last "@" before the path).
# Greedy up to the last "@" before the path: a password may itself contain a raw "@".
_USERINFO = re.compile(r"^([A-Za-z][\w+.-]*://)([^/\s]*)@")
Pairs = list[tuple[str, str]]


def split_descriptor(text: str) -> tuple[str, str] | None:
    """``@scope/name@range`` -> ("@scope/name", "range"); None without a name and an ``@``."""
    at = text.find("@", 1)
    return (text[:at], text[at + 1 :]) if at > 0 else None


def clean_url(url: str) -> str:
    """``url`` without credentials: lockfiles keep tokens that must not reach any report."""
    return drop_credentials(_USERINFO, url)


def remote_source(reference: str) -> str:
    """``vcs``, ``url`` or ``registry`` for a resolved URL or a git/tarball reference."""
    lower = reference.lower()
    if lower.startswith(_GIT_PREFIXES) or any(mark in lower for mark in _GIT_MARKS):
        return "vcs"
    if not lower.startswith(("http://", "https://")):
        return npm_source(reference)
    try:
        parts = urlsplit(reference)
    except ValueError:
        return "url"
    if parts.hostname in GIT_ARCHIVE_HOSTS or parts.path.endswith(".git"):
        return "vcs"  # a snapshot of a repository at one commit
    if "/-/" in parts.path:
        return "registry"  # registries serve tarballs at <name>/-/<file>
    return "vcs" if npm_source(reference) == "vcs" else "url"


def declared_range(spec: str) -> str | None:
    """The range a dependency asks for: ``npm:^4`` and ``npm:lodash@^4`` ask for ``^4``."""
    if spec.startswith("patch:"):
        inner = split_descriptor(unquote(spec[6:].split("#", 1)[0]))
        spec = inner[1] if inner else ""
    if spec.startswith("npm:"):
        spec = spec[4:]
        at = spec.find("@", 1)
        spec = spec[at + 1 :] if at > 0 else spec
    return spec or None


@dataclass
class YarnPackage:
    """One lockfile entry: the package its descriptors resolve to."""

    name: str  # as published: "@scope/name"
    version: str | None
    line: int | None
    source: str  # registry | vcs | url | path
    dependencies: Pairs  # (name, range) pairs
    optional: set[str] = field(default_factory=set)  # dependencies marked optional
    peers: Pairs = field(default_factory=list)  # peer dependencies that are not optional
    spec: str | None = None  # where a package not from a registry comes from
    own_dir: str | None = None  # own code: its folder, relative to the lockfile's
    published: bool = True  # False for the name Yarn makes up for an unnamed root


class YarnLock:
    """Entries by descriptor; builds records, direct dependencies, scopes and edges."""

    def __init__(self, file: ManifestFile) -> None:
        self.file = file
        self.packages: list[YarnPackage] = []
        self.problems: list[Problem] = []
        self.descriptors: dict[str, int] = {}
        # Berry binds relative ranges to their workspace in keys (``link:./x::locator=...``);
        # the dependencies that use them are written without that binding.
        self.unbound: dict[str, int] = {}
        self._hidden = 0

    def problem(self, line: int | None, message: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:  # a file of garbage is not 10,000 problems
            self.problems.append(Problem(self.file.path, line, message, self.file.repo))
        else:
            self._hidden += 1

    def own_dir(self, path: str) -> str | None:
        """``path`` (relative to the lockfile) when it is a folder of this repository."""
        path = posixpath.normpath(path)
        return path if own_source_tree(self.file, path) else None

    def add(self, package: YarnPackage, descriptors: list[str], *, quiet: bool = False) -> None:
        """Register an entry; ``quiet`` for one from a merge conflict (repeats are expected)."""
        try:
            split_npm_name(package.name)
        except ManifestError as exc:
            self.problem(package.line, exc.message)
            return
        index = len(self.packages)
        self.packages.append(package)
        for descriptor in descriptors:
            previous = self.descriptors.get(descriptor)
            if previous is not None and previous != index and not quiet:
                where = self.packages[previous].line
                self.problem(package.line, f"duplicate entry {descriptor!r} (also on line {where})")
            self.descriptors[descriptor] = index
            if "::" in descriptor:
                self.unbound.setdefault(descriptor.split("::", 1)[0], index)

    def resolve(self, name: str, spec: str, by_name: dict[str, set[int]]) -> int | None:
        """The entry a dependency installs; Berry before lockfile 8 leaves out ``npm:``."""
        for table in (self.descriptors, self.unbound):
            for descriptor in (f"{name}@{spec}", f"{name}@npm:{spec}"):
                if descriptor in table:
                    return table[descriptor]
        found = by_name.get(name, set())  # an out-of-date lockfile: only one candidate
        return next(iter(found)) if len(found) == 1 else None

    def declared_scopes(self, own_dir: str) -> dict[str, Scope]:
        """Scopes the own folder's package.json gives; Berry lists dev dependencies as others."""
        folder = posixpath.join(posixpath.dirname(self.file.path), own_dir)
        path = posixpath.normpath(posixpath.join(folder, "package.json"))
        member = ManifestFile(self.file.repo, path, 0, self.file.reader, self.file.repo_path)
        try:
            parsed = PackageJsonParser().parse(member)
        except (ManifestError, SourceError):
            return {}  # that file's own problems are reported when it is parsed itself
        scopes: dict[str, Scope] = {}
        for dep in parsed.dependencies:
            name = dep.display_name
            scopes[name] = best_scope((dep.scope, scopes.get(name, dep.scope)))
        return scopes

    def result(self) -> ParsedManifest:
        by_name: dict[str, set[int]] = {}
        for descriptor, index in self.descriptors.items():
            parts = split_descriptor(descriptor)
            if parts is not None:
                by_name.setdefault(parts[0], set()).add(index)
        children: dict[str, list[str]] = {}
        direct: dict[str, Scope] = {}
        specs: dict[int, str | None] = {}
        for index, package in enumerate(self.packages):
            targets = [self.resolve(n, s, by_name) for n, s in package.dependencies + package.peers]
            children[str(index)] = [str(t) for t in targets if t is not None and t != index]
            if package.own_dir is not None:
                self._direct(package, by_name, direct, specs)
        reached = propagate_scopes(direct, children)
        deps = self._records(reached, direct, specs)
        # Only workspaces are named by their own manifests here; a linked folder's package.json
        # names it (the name a dependent gives it may be another package's, e.g. a mock).
        own = [p for p in self.packages if p.own_dir is not None and p.published]
        publishes = tuple(dict.fromkeys(_purl(p.name) for p in own))
        known = {dep.purl for dep in deps} | set(publishes)
        edges: dict[tuple[str, str], None] = {}
        for parent, kids in children.items():
            start = _purl(self.packages[int(parent)].name)
            for kid in kids:
                end = _purl(self.packages[int(kid)].name)
                if start != end and start in known and end in known:
                    edges[(start, end)] = None
        found = sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))
        if self._hidden:
            message = f"{self._hidden} more problems not shown"
            found.append(Problem(self.file.path, None, message, self.file.repo))
        return ParsedManifest(self.file, deps, tuple(found), publishes=publishes,
                              edges=tuple(edges), lockfile=True)  # fmt: skip

    def _direct(self, own: YarnPackage, by_name: dict[str, set[int]],
                direct: dict[str, Scope], specs: dict[int, str | None]) -> None:  # fmt: skip
        """Mark what an own package depends on as direct, in the scope its manifest gives."""
        assert own.own_dir is not None
        declared = self.declared_scopes(own.own_dir)
        for name, spec in own.dependencies:
            target = self.resolve(name, spec, by_name)
            if target is None or self.packages[target].own_dir is not None:
                continue
            fallback = Scope.OPTIONAL if name in own.optional else Scope.RUNTIME
            scope = declared.get(name) or declared.get(self.packages[target].name) or fallback
            key = str(target)
            direct[key] = best_scope((scope, direct[key])) if key in direct else scope
            specs.setdefault(target, declared_range(spec))

    def _records(self, reached: dict[str, Scope], direct: dict[str, Scope],
                 specs: dict[int, str | None]) -> tuple[Dependency, ...]:  # fmt: skip
        """One record per package, version and origin (a patched copy is the same package)."""
        groups: dict[tuple[str, str | None, str, str | None], list[int]] = {}
        for index, package in enumerate(self.packages):
            if package.own_dir is None:
                origin = None if package.source == "registry" else package.spec
                groups.setdefault((package.name, package.version, package.source, origin), [])
                groups[(package.name, package.version, package.source, origin)].append(index)
        deps = []
        for (name, version, source, origin), indices in groups.items():
            namespace, short = split_npm_name(name)
            # A copy nothing depends on (the unpatched original) does not change the scope.
            scope = best_scope(reached[str(i)] for i in indices if str(i) in reached)
            is_direct = any(str(i) in direct for i in indices)
            spec = next((specs[i] for i in indices if specs.get(i)), None)
            if origin is not None:
                spec = clean_url(origin)
            line = self.packages[indices[0]].line
            deps.append(Dependency(Ecosystem.NPM, short, spec, version, scope, is_direct,
                                   self.file.repo, self.file.path, line, namespace=namespace,
                                   source=source))  # fmt: skip
        return tuple(deps)


@functools.lru_cache(maxsize=4096)
def _purl(name: str) -> str:
    namespace, short = split_npm_name(name)
    return purl(Ecosystem.NPM, short, namespace)

"""Frozen data types shared by every pipeline stage."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from packageurl import PackageURL


class Scope(StrEnum):
    """Why a repository needs a dependency."""

    RUNTIME = "runtime"
    OPTIONAL = "optional"
    BUILD = "build"
    TEST = "test"
    DEV = "dev"

    @property
    def weight(self) -> float:
        """How much a use in this scope counts towards reliance (runtime counts most)."""
        return _SCOPE_WEIGHTS[self]


_SCOPE_WEIGHTS = {
    Scope.RUNTIME: 1.0,
    Scope.OPTIONAL: 0.6,
    Scope.BUILD: 0.5,
    Scope.TEST: 0.25,
    Scope.DEV: 0.25,
}


class Ecosystem(StrEnum):
    """Package ecosystems fundscout knows; values are Package URL types."""

    PYPI = "pypi"
    NPM = "npm"
    CONDA = "conda"
    MAVEN = "maven"  # namespace = group id, name = artifact id
    CARGO = "cargo"
    GOLANG = "golang"  # namespace = module path up to the last "/", name = the rest
    GEM = "gem"
    COMPOSER = "composer"  # namespace = vendor, name = package (both lowercase)


@dataclass(frozen=True, order=True)
class Repository:
    """One of the organization's own repositories."""

    name: str
    path: str  # path relative to the audited root, "." when the root is the repository


@dataclass(frozen=True)
class ManifestFile:
    """A file that may declare dependencies; its bytes are read on demand."""

    repo: str
    path: str  # POSIX path relative to the audited root
    size: int
    reader: Callable[[str], bytes] = field(compare=False, repr=False)
    repo_path: str = "."  # the repository's directory, relative to the audited root

    @property
    def path_in_repo(self) -> str:
        """The path relative to the repository's own directory."""
        if self.repo_path in ("", "."):
            return self.path
        return self.path.removeprefix(self.repo_path.rstrip("/") + "/")

    def read(self) -> bytes:
        return self.reader(self.path)

    def read_related(self, path: str) -> bytes:
        """Read another file of the same tree (an included file); raises SourceError."""
        return self.reader(path)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that could not be read or understood; the audit goes on."""

    file: str
    line: int | None
    message: str
    repo: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def to_record(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message, "repo": self.repo}


@dataclass(frozen=True, slots=True)
class Dependency:
    """One declared or locked dependency, exactly where a file states it."""

    ecosystem: Ecosystem
    name: str  # canonical name for the ecosystem
    spec: str | None
    version: str | None
    scope: Scope
    direct: bool
    repo: str
    file: str
    line: int | None
    namespace: str | None = None  # npm scope such as "@babel", Maven group id
    source: str = "registry"  # registry | url | vcs | path
    # Python extras asked for ("psycopg[binary,pool]"): resolution follows them. Not part of
    # a record's identity, so the same requirement with and without extras stays one record.
    extras: tuple[str, ...] = field(default=(), compare=False)

    @property
    def purl(self) -> str:
        return package_purl(self.ecosystem, self.name, self.namespace)

    @property
    def display_name(self) -> str:
        """The name as its ecosystem writes it: ``@babel/core``, ``org.slf4j:slf4j-api``."""
        if not self.namespace:
            return self.name
        separator = ":" if self.ecosystem is Ecosystem.MAVEN else "/"
        return f"{self.namespace}{separator}{self.name}"

    def to_record(self) -> dict[str, Any]:
        return {
            "ecosystem": self.ecosystem.value,
            "name": self.display_name,
            "purl": self.purl,
            "spec": self.spec,
            "version": self.version,
            "scope": self.scope.value,
            "direct": self.direct,
            "repo": self.repo,
            "file": self.file,
            "line": self.line,
            "source": self.source,
        }


@lru_cache(maxsize=1 << 16)
def package_purl(ecosystem: Ecosystem, name: str, namespace: str | None = None) -> str:
    """The Package URL naming a package (no version): ``pkg:npm/%40scope/name``.

    Cached: an organization names the same few thousand packages hundreds of thousands of
    times, and building a purl string normalizes and quotes every part each time. Names that
    need neither (most of them) are joined as they are, as packageurl would.
    """
    plain = _plain_purl(ecosystem, name, namespace)
    if plain is not None:
        return plain
    return str(PackageURL(type=ecosystem.value, namespace=namespace, name=name).to_string())


# Characters quoting leaves alone; packageurl lowercases names of some types (and their
# namespaces for pypi and composer) and writes a pypi name's "_" as "-".
_UNQUOTED = re.compile(r"[A-Za-z0-9._~-]+")
_UNQUOTED_PATH = re.compile(r"@?[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*")
_LOWERCASED = frozenset({Ecosystem.NPM, Ecosystem.PYPI, Ecosystem.COMPOSER})


def _plain_purl(ecosystem: Ecosystem, name: str, namespace: str | None) -> str | None:
    """The purl packageurl writes, when no part of it needs normalizing; otherwise None."""
    if not _UNQUOTED.fullmatch(name):
        return None
    if ecosystem in _LOWERCASED and name.lower() != name:
        return None
    if ecosystem is Ecosystem.PYPI and "_" in name:
        return None
    if not namespace:
        return f"pkg:{ecosystem.value}/{name}"
    if not _UNQUOTED_PATH.fullmatch(namespace):
        return None
    if ecosystem in (Ecosystem.PYPI, Ecosystem.COMPOSER) and namespace.lower() != namespace:
        return None
    if namespace.startswith("@"):
        namespace = "%40" + namespace[1:]
    return f"pkg:{ecosystem.value}/{namespace}/{name}"


@dataclass(frozen=True)
class ParsedManifest:
    """What one manifest file says: its dependencies, what it publishes, and its problems."""

    file: ManifestFile
    dependencies: tuple[Dependency, ...] = ()
    problems: tuple[Problem, ...] = ()
    publishes: tuple[str, ...] = ()  # purls of packages this repository builds itself
    edges: tuple[tuple[str, str], ...] = ()  # (dependent purl, dependency purl) pairs
    # A lockfile lists every installed package (direct=False unless the lockfile itself says
    # which are direct); a manifest beside it decides which are direct and their scopes.
    lockfile: bool = False


@dataclass(frozen=True)
class Project:
    """What gets funded: one upstream source repository and the packages built from it.

    ``key`` is the normalized repository URL ("https://github.com/psf/requests"), or the
    package's purl when no repository is known (``repository`` is then None and the package
    is a project of its own), or ``project:<name>`` for a project the configuration names.
    ``found_by`` says how packages were mapped to it: "registry" (metadata from registries and
    APIs), "config" (the user's own mapping of at least one of its packages) or "none".
    """

    key: str
    name: str  # "psf/requests", or the package's display name when no repository is known
    repository: str | None
    packages: tuple[str, ...]  # purls, sorted
    own: bool = False  # the organization's own project: never a funding candidate
    own_reason: str | None = None  # why it counts as the organization's own
    found_by: str = "registry"

    def to_record(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "repository": self.repository,
            "packages": list(self.packages),
            "own": self.own,
            "own_reason": self.own_reason,
            "found_by": self.found_by,
        }

"""What a registry resolver implements, and the records resolution produces.

A resolver answers one question for its registry: given a package name and the range a
dependent asks for, which version would be installed and what does that version depend on?
It reads registry metadata only; nothing is downloaded to be built or run.
"""

from __future__ import annotations

import posixpath
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from analyzer.errors import FundscoutError
from analyzer.model import Ecosystem, ParsedManifest

if TYPE_CHECKING:
    from analyzer.enrich.client import Client

V = TypeVar("V")
Tick = Callable[[int], None]  # called with the number of requests just answered

# What a dependency edge found in metadata is for: followed, followed as optional, or peer
# (an npm package that expects its host to install the peer; noted, followed only on request).
DEPENDENCY = "dependency"
OPTIONAL = "optional"
PEER = "peer"
UNCACHED = "not in the cache (offline)"


class ResolveError(FundscoutError):
    """Resolution could not go on for a whole registry (it refused us or is unreachable)."""


@dataclass(frozen=True, order=True)
class Request:
    """One package to resolve: its registry name, the range asked for, and extras wanted."""

    name: str  # canonical PyPI name, or the npm name with its scope ("@babel/core")
    spec: str  # "" asks for the newest version
    extras: tuple[str, ...] = ()  # sorted, canonical (PyPI only)


@dataclass(frozen=True)
class Child:
    """A dependency a chosen version declares."""

    name: str
    spec: str
    extras: tuple[str, ...] = ()
    kind: str = DEPENDENCY  # dependency | optional | peer


@dataclass(frozen=True)
class Outcome:
    """What a resolver found: the version chosen (None: none could be) and its dependencies.

    ``note`` says why the answer is incomplete: no version matched, or the version's
    dependencies could not be read (then ``children`` is empty and ``complete`` False).
    """

    version: str | None
    children: tuple[Child, ...] = ()
    complete: bool = True
    note: str | None = None


class Resolver(ABC):
    """Resolves packages of one ecosystem from its registry's metadata."""

    ecosystem: ClassVar[Ecosystem]

    @abstractmethod
    def resolve(
        self, requests: Sequence[Request], tick: Tick | None = None
    ) -> dict[Request, Outcome]:
        """Answer every request (concurrently where the registry allows); never raises for one
        package. Raises ResolveError only when the registry cannot be used at all."""


@dataclass(frozen=True)
class Settings:
    """Bounds and choices: ``resolve-max-depth``, ``resolve-max-packages``, ``resolve-peers``."""

    max_depth: int = 10
    max_packages: int = 3000
    follow_peers: bool = False


@dataclass(frozen=True)
class Lock:
    """A file that already lists every installed package of a directory tree: a lockfile, a
    compiled requirements file (``# via`` notes) or an SBOM. Resolution never overrides it."""

    repo: str
    directory: str  # POSIX, relative to the audited root; "" for the root itself
    packages: frozenset[str]  # purls

    def covers(self, repo: str, file: str) -> bool:
        """True for a manifest of the same repository in this directory or below it."""
        if repo != self.repo:
            return False
        here = posixpath.dirname(file)
        return not self.directory or here == self.directory or here.startswith(self.directory + "/")


def find_locks(results: Iterable[ParsedManifest], sboms: Iterable[Any] = ()) -> list[Lock]:
    """Every parsed file that lists installed packages rather than wishes.

    Besides lockfiles, a requirements file with entries nobody declared directly (pip-compile
    output) and every SBOM count: they describe an installation already.
    """
    sbom_files = set(sboms)
    locks = []
    for parsed in results:
        listed = parsed.lockfile or parsed.file in sbom_files
        if not listed and not any(not d.direct for d in parsed.dependencies):
            continue
        packages = frozenset(d.purl for d in parsed.dependencies)
        if packages:
            directory = posixpath.dirname(parsed.file.path)
            locks.append(Lock(parsed.file.repo, directory, packages))
    return locks


@dataclass
class Resolution:
    """What resolution did, for the reports: counts, the limits it hit and why it fell short."""

    roots: int = 0  # declarations resolved from registry metadata (no lockfile covers them)
    packages: int = 0  # distinct packages whose version was chosen from registry metadata
    added: int = 0  # packages the graph gained (transitive dependencies nobody locked)
    usages: int = 0  # repository -> package uses added
    edges: int = 0  # package -> package edges added
    failed: int = 0  # packages with no version, or a version whose dependencies are unknown
    skipped: int = 0  # dependencies outside the registry (git, URL, path) or the org's own
    peers: int = 0  # npm peer dependencies noted but not followed
    uncached: int = 0  # packages offline mode could not answer (counted, not noted one by one)
    _uncached: set[str] = field(default_factory=set, repr=False)
    limits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the first few reasons, one per package

    def note(self, message: str) -> None:
        """Remember why a package fell short; offline cache misses are only counted, as the
        enrichment sources count theirs, since offline they are expected."""
        if message.endswith(UNCACHED):
            self._uncached.add(message)
            self.uncached = len(self._uncached)
        elif len(self.notes) < 50 and message not in self.notes:
            self.notes.append(message)

    def describe(self) -> str:
        """One line for the terminal summary."""
        text = (f"Resolved {self.packages} packages from registry metadata where no lockfile "
                f"lists them: {self.added} transitive packages added")  # fmt: skip
        if self.failed:
            text += f", {self.failed} left without a version or their dependencies"
        if self.uncached:
            text += f" ({self.uncached} not in the cache: offline)"
        return text + "."

    def first_notes(self, limit: int = 5) -> list[str]:
        """The first reasons packages fell short, for the terminal."""
        more = len(self.notes) - limit
        return [*self.notes[:limit], *([f"… and {more} more"] if more > 0 else [])]

    def to_record(self) -> dict[str, Any]:
        return {"roots": self.roots, "packages": self.packages, "added": self.added,
                "usages": self.usages, "edges": self.edges, "failed": self.failed,
                "skipped": self.skipped, "peers": self.peers, "uncached": self.uncached,
                "limits": list(self.limits),
                "notes": list(self.notes)}  # fmt: skip


def fetch_each(
    client: Client, names: Sequence[str], one: Callable[[str], V], tick: Tick | None
) -> dict[str, V]:
    """``one(name)`` for every name, concurrently, ticking progress once per answer."""

    def fetch(name: str) -> tuple[str, V]:
        result = one(name)
        if tick:
            tick(1)
        return name, result

    return dict(client.map(names, fetch))


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one (hostile documents)."""
    return value if isinstance(value, Mapping) else {}

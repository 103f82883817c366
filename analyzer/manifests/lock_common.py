"""What the Python lockfile parsers share: loading, entry lines, scopes, local paths, results.

poetry.lock, uv.lock, pdm.lock and pylock.toml are all TOML arrays of package tables. The TOML
parser does not report positions, so each entry is matched to its ``[[package]]`` header by
position and its line is the line of its ``name`` key.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.manifests.interface import scope_hint
from analyzer.manifests.pyproject import load_toml
from analyzer.manifests.text import TextIndex, decode_text, find_name
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

# Most important first; TEST before DEV only so that ties resolve the same way every time.
SCOPE_ORDER = (Scope.RUNTIME, Scope.OPTIONAL, Scope.BUILD, Scope.TEST, Scope.DEV)
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_ARCHIVE = re.compile(r"\.(?:whl|zip|tar|tgz|tar\.gz|tar\.bz2|tar\.xz|egg)$", re.IGNORECASE)
_PROJECT_ROOT = re.compile(r"^/*\$\{PROJECT_ROOT\}/*")  # pdm writes file:///${PROJECT_ROOT}/x


def best_scope(scopes: Iterable[Scope], default: Scope = Scope.RUNTIME) -> Scope:
    """The most important of ``scopes``, or ``default`` when there are none."""
    present = set(scopes)
    return next((scope for scope in SCOPE_ORDER if scope in present), default)


def group_scope(group: str, default: Scope) -> Scope:
    """The scope a group or extra name suggests (``test`` → test), else ``default``."""
    return scope_hint(group) or default


def requirement_name(text: Any) -> str | None:
    """The canonical name at the start of a requirement such as ``PySocks (>=1.5.6)``."""
    match = _REQUIREMENT_NAME.match(text) if isinstance(text, str) else None
    return canonicalize_name(match.group(1)) if match else None


def is_inside(file: ManifestFile, path: str) -> bool:
    """True when ``path``, relative to the lockfile's directory, stays inside the repository."""
    rest = path.strip().replace("\\", "/")
    if rest.lower().startswith("file://"):
        rest = rest[7:]
    elif rest.lower().startswith("file:"):
        rest = rest[5:]
    rest = _PROJECT_ROOT.sub("", rest) or "."
    if rest.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", rest):
        return False
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(file.path_in_repo), rest))
    return joined != ".." and not joined.startswith("../")


def own_source_tree(file: ManifestFile, path: Any) -> bool:
    """True for a source directory inside the repository: the organization's own code.

    An archive inside the repository is not: a vendored wheel is usually someone else's
    package, so it stays a dependency (source ``path``).
    """
    return isinstance(path, str) and not _ARCHIVE.search(path) and is_inside(file, path)


def load_lock(file: ManifestFile) -> tuple[dict[str, Any], TextIndex]:
    """Decode and parse a TOML lockfile; ManifestError when it is not TOML at all."""
    text = decode_text(file.read())
    return load_toml(text), TextIndex(text)


def propagate_scopes(direct: dict[str, Scope], children: dict[str, list[str]]) -> dict[str, Scope]:
    """Each package reachable from a direct one gets the best scope among those reaching it."""
    reached = dict(direct)
    for scope in SCOPE_ORDER:
        queue = deque(name for name, s in direct.items() if s is scope)
        while queue:
            for child in children.get(queue.popleft(), ()):
                if child not in reached:
                    reached[child] = scope
                    queue.append(child)
    return reached


@dataclass(frozen=True)
class Entry:
    """One well-formed package table: its data, canonical name, line and text offset."""

    data: dict[str, Any]
    name: str
    line: int | None
    offset: int


class LockBuilder:
    """Collects records, problems, own packages and edges, and builds the ParsedManifest."""

    def __init__(self, file: ManifestFile, index: TextIndex) -> None:
        self.file = file
        self.index = index
        self.records: list[Dependency] = []
        self.problems: list[Problem] = []
        self.own: list[str] = []
        self.edges: list[tuple[str, str]] = []
        self._seen: set[tuple[str, str | None]] = set()

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def key_line(self, key: str, table: str | None = None) -> int | None:
        """The line of ``key =`` inside top-level ``[table]`` (or at the top), if found."""
        start = self.index.find_table(table) if table else 0
        found = self.index.find_key(key, start) if start != -1 else -1
        return self.index.line_of(found) if found != -1 else None

    def check_version(self, value: Any, supported: set[int], line: int | None) -> None:
        """Report a lockfile version whose major number this parser does not know."""
        major = None
        if isinstance(value, int) and not isinstance(value, bool):
            major = value
        elif isinstance(value, str) and (match := re.match(r"\s*(\d+)", value)):
            major = int(match.group(1))
        if major not in supported:
            shown = value if isinstance(value, (int, str)) else repr(value)
            self.problem(line, f"unknown lockfile version {shown}")

    def check_metadata_version(self, data: dict[str, Any], key: str, supported: set[int]) -> None:
        """Check ``[metadata] <key>`` when the lockfile states it."""
        metadata = data.get("metadata")
        if isinstance(metadata, dict) and key in metadata:
            self.check_version(metadata[key], supported, self.key_line(key, "metadata"))

    def entries(self, data: dict[str, Any], key: str) -> Iterator[Entry]:
        """The tables of the array ``key``; malformed ones become problems."""
        packages = data.get(key, [])
        if not isinstance(packages, list):
            self.problem(self.key_line(key), f"{key} must be an array of tables")
            return
        starts = [
            m.start()
            for m in re.finditer(rf"^[ \t]*\[\[[ \t]*{key}[ \t]*\]\]", self.index.text, re.M)
        ]
        aligned = len(starts) == len(packages)
        cursor = 0
        for position, item in enumerate(packages, 1):
            start = starts[position - 1] if aligned else cursor
            end = starts[position] if aligned and position < len(starts) else len(self.index.text)
            raw = item.get("name") if isinstance(item, dict) else None
            if not isinstance(raw, str) or not _NAME.match(raw):
                what = "is not a table" if not isinstance(item, dict) else "has no valid name"
                shown = f" ({raw!r})" if raw is not None else ""
                line = self.index.line_of(start) if aligned else None
                self.problem(line, f"{key} entry {position} {what}{shown}")
                continue
            found = find_name(self.index.text, raw, start, end)
            offset = found.start() if found else start
            cursor = found.end() if found and not aligned else cursor
            line = self.index.line_of(offset) if found or aligned else None
            yield Entry(item, canonicalize_name(raw), line, offset)

    def version(self, entry: Entry) -> str | None:
        value = entry.data.get("version")
        if value is None or isinstance(value, str):
            return value
        self.problem(entry.line, f"package {entry.name!r}: version {value!r} is not a string")
        return None

    def add(
        self,
        entry: Entry,
        scope: Scope,
        *,
        direct: bool = False,
        source: str = "registry",
        spec: str | None = None,
    ) -> None:
        """Add a record for ``entry`` unless the same name and version is already recorded."""
        version = self.version(entry)
        if (entry.name, version) in self._seen:
            return
        self._seen.add((entry.name, version))
        self.records.append(
            Dependency(Ecosystem.PYPI, entry.name, spec, version, scope, direct,
                       self.file.repo, self.file.path, entry.line, source=source)
        )  # fmt: skip

    def add_own(self, name: str) -> None:
        if name not in self.own:
            self.own.append(name)

    def edge(self, parent: str, child: str) -> None:
        self.edges.append((parent, child))

    def result(self) -> ParsedManifest:
        """The parse result; edges only between packages this lockfile actually holds."""
        # Each name's purl once (namespace=None as Dependency.purl passes it: one cache entry).
        known = {name: purl(Ecosystem.PYPI, name, None) for name in self.own}
        known.update((dep.name, purl(Ecosystem.PYPI, dep.name, None)) for dep in self.records)
        edges = dict.fromkeys(
            (known[parent], known[child])
            for parent, child in self.edges
            if parent != child and parent in known and child in known
        )
        return ParsedManifest(
            self.file,
            tuple(self.records),
            tuple(self.problems),
            publishes=tuple(purl(Ecosystem.PYPI, name) for name in self.own),
            edges=tuple(edges),
            lockfile=True,
        )

"""``Cargo.lock``: every locked crate, which ones the workspace asks for, and the edges.

All four formats are read: v1 (``"name version (source)"`` references, checksums in
``[metadata]``, sometimes a ``[root]`` table), v2 (no version key, references shortened to
``"name"`` or ``"name version"`` when unambiguous), v3 (``version = 3``) and v4.

A package without ``source`` is a workspace member or a path dependency: the organization's
own code, so it is published, not depended on, and what it depends on is direct. Cargo.lock
does not say which dependencies are dev or build ones, so every record is ``runtime``; the
Cargo.toml beside it corrects the direct ones when the two are merged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from analyzer.manifests.cargo import CRATE_NAME
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.pyproject import load_toml
from analyzer.manifests.text import TextIndex, decode_text, find_name
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_SUPPORTED = {1, 2, 3, 4}
_REFERENCE = re.compile(r"^\s*(\S+)(?:\s+([^\s(]+))?(?:\s+\((.+)\))?\s*$")
_PACKAGE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*package[ \t]*\]\]", re.MULTILINE)
Report = Callable[[int | None, str], None]


@dataclass(frozen=True)
class _Package:
    """One well-formed ``[[package]]`` table."""

    name: str
    version: str
    source: str | None
    references: tuple[str, ...]
    line: int | None
    offset: int  # of its ``name`` key in the text, -1 when not found


class CargoLockParser(ManifestParser):
    """Reads ``[[package]]`` (and v1 ``[root]``) tables; resolves references to versions."""

    name = "Cargo.lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "Cargo.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        data = load_toml(text)
        index = TextIndex(text)
        problems: list[Problem] = []

        def problem(line: int | None, message: str) -> None:
            problems.append(Problem(file.path, line, message, file.repo))

        version = data.get("version")
        if version is not None and (type(version) is not int or version not in _SUPPORTED):
            line = index.line_of(index.find_key("version"))
            problem(line, f"unknown lockfile version {version!r}")
        packages = _packages(data, index, problem)
        edges, direct = _relations(packages, problem)
        records: dict[tuple[str, str], Dependency] = {}
        for package in packages:
            key = (package.name, package.version)
            if package.source is None or key in records:
                continue
            kind, spec = _source(package.source)
            records[key] = Dependency(  # one record per crate and version
                Ecosystem.CARGO, package.name, spec, package.version, Scope.RUNTIME,
                key in direct, file.repo, file.path, package.line, source=kind,
            )  # fmt: skip
        own = (purl(Ecosystem.CARGO, p.name) for p in packages if p.source is None)
        return ParsedManifest(
            file,
            tuple(records.values()),
            tuple(problems),
            publishes=tuple(dict.fromkeys(own)),
            edges=edges,
            lockfile=True,
        )


def _relations(
    packages: list[_Package], problem: Report
) -> tuple[tuple[tuple[str, str], ...], set[tuple[str, str]]]:
    """The edges between package purls, and the (name, version) pairs own packages need."""
    by_name: dict[str, list[_Package]] = defaultdict(list)
    for package in packages:
        by_name[package.name].append(package)
    edges: dict[tuple[str, str], None] = {}
    direct: set[tuple[str, str]] = set()
    for package in packages:
        parent = purl(Ecosystem.CARGO, package.name, None)  # the cache entry Dependency.purl uses
        for reference in package.references:
            match = _REFERENCE.match(reference)
            if not match:
                problem(package.line, f"{package.name}: invalid dependency {reference!r}")
                continue
            # A reference to a package the file lacks costs only an edge: abbreviated
            # lockfiles (test fixtures, hand-resolved merges) are still worth reading.
            name, version, source = match.groups()
            child = _resolve(by_name, name, version, source)
            if child is None:
                continue
            if child.name != package.name:
                edges[(parent, purl(Ecosystem.CARGO, child.name, None))] = None
            if package.source is None and child.source is not None:
                direct.add((child.name, child.version))
    return tuple(edges), direct


def _packages(data: dict[str, Any], index: TextIndex, problem: Report) -> list[_Package]:
    """The well-formed package tables, each with the line of its ``name`` key."""
    found: list[_Package] = []
    root = data.get("root")  # Cargo before 1.20 wrote the root crate here
    if root is not None:
        start = index.find_table("root")
        package = _package(root, index, start, _table_end(index, start))
        if isinstance(package, str):
            problem(index.line_of(start), f"the root entry {package}")
        else:
            found.append(package)
    tables = data.get("package", [])
    if not isinstance(tables, list):
        problem(index.line_of(index.find_key("package")), "package must be an array of tables")
        return found
    starts = [m.start() for m in _PACKAGE_HEADER.finditer(index.text)]
    aligned = len(starts) == len(tables)  # else search for each name after the previous one
    cursor = 0
    for position, table in enumerate(tables, 1):
        start = starts[position - 1] if aligned else cursor
        end = starts[position] if aligned and position < len(starts) else len(index.text)
        package = _package(table, index, start, end)
        if isinstance(package, str):
            problem(
                index.line_of(start) if aligned else None, f"package entry {position} {package}"
            )
            continue
        found.append(package)
        cursor = package.offset + 1 if package.offset >= 0 else cursor
    return found


def _table_end(index: TextIndex, start: int) -> int:
    following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(index.text, max(start, 0) + 1)
    return following.start() if following else len(index.text)


def _package(table: Any, index: TextIndex, start: int, end: int) -> _Package | str:
    """The package in ``table``, or what is wrong with it."""
    if not isinstance(table, dict):
        return "is not a table"
    name, version, source = table.get("name"), table.get("version"), table.get("source")
    if not isinstance(name, str) or not CRATE_NAME.match(name):
        return f"has no valid name ({name!r})"
    if not isinstance(version, str) or not version.strip():
        return f"({name}) has no valid version ({version!r})"
    if source is not None and not isinstance(source, str):
        return f"({name}) has an invalid source ({source!r})"
    references = table.get("dependencies", [])
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        return f"({name}) has invalid dependencies ({references!r})"
    key = find_name(index.text, name, max(start, 0), end)
    offset = key.start() if key else -1
    line = index.line_of(offset if key else start)
    return _Package(name, version.strip(), source, tuple(references), line, offset)


def _resolve(
    by_name: dict[str, list[_Package]], name: str, version: str | None, source: str | None
) -> _Package | None:
    """The package a ``"name"``, ``"name version"`` or ``"name version (source)"`` means."""
    candidates = [
        p
        for p in by_name.get(name, [])
        if (version is None or p.version == version) and (source is None or p.source == source)
    ]
    return candidates[0] if candidates else None


def _source(source: str) -> tuple[str, str | None]:
    """(source kind, spec): registries have no spec; git sources name what they track."""
    kind, _, location = source.partition("+")
    if kind in ("registry", "sparse"):
        return "registry", None
    if kind == "git":
        return "vcs", _git_spec(location)
    if kind == "path":
        return "path", location
    return "url", source


def _git_spec(url: str) -> str:
    """``https://host/x?branch=main#<sha>`` → ``https://host/x@main`` (the commit when no ref)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    refs = [query[k][0] for k in ("rev", "tag", "branch") if query.get(k)]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    reference = refs[0] if refs else parts.fragment
    return f"{base}@{reference}" if reference else base

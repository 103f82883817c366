"""Bundler's ``Gemfile.lock`` (also ``gems.locked``): every locked gem, its source and edges.

The lockfile is a line format of sections. Source sections (``GEM``, ``GIT``, ``PATH``,
``PLUGIN SOURCE``) hold ``remote:`` attributes and ``specs:``: four-space ``name (version)``
entries followed by six-space ``dependency (requirement)`` lines, the edges. ``DEPENDENCIES``
lists what the Gemfile asked for (a trailing ``!`` marks a git or path source), so those gems
are direct. ``PLATFORMS``, ``RUBY VERSION``, ``BUNDLED WITH`` and ``CHECKSUMS`` name no
packages. A ``PATH`` source inside the repository is the organization's own gem (usually the
one the Gemfile's ``gemspec`` line points at): it goes to ``publishes``, and the gems it
depends on are direct dependencies of the repository. Under a vendored-code folder such as
``vendor/`` it is someone else's gem kept in the repository, recorded with source ``path``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import is_inside
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

# Folders that by convention hold third-party code copied into a repository.
VENDOR_DIRS = frozenset(
    {"vendor", "vendored", "_vendor", "third_party", "third-party", "thirdparty"}
)
_SOURCES = {"GEM": "registry", "GIT": "vcs", "PATH": "path", "PLUGIN SOURCE": "url"}
_OTHER_SECTIONS = frozenset({"PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH",
                             "CHECKSUMS"})  # fmt: skip
# Bundler's own pattern: the version is everything up to the first "-", the rest a platform.
_ENTRY = re.compile(r"^([A-Za-z0-9._-]+)(?: \(([^-)\s]*)(?:-([^)]*))?\))?(!)?$")
_DEPENDENCY = re.compile(r"^([A-Za-z0-9._-]+)(?: \(([^)]*)\))?!?$")
_ATTRIBUTE = re.compile(r"^([a-z_]+):(?: (.*))?$")


def is_vendored(path: str) -> bool:
    """True when a relative path runs through a folder of vendored third-party code."""
    return any(part in VENDOR_DIRS for part in re.split(r"[\\/]+", path))


@dataclass
class _Section:
    """The source section being read: its kind and ``remote:`` (for PATH, the directory)."""

    source: str
    remote: str | None = None
    in_specs: bool = False


@dataclass
class _Lock:
    """What has been read so far."""

    file: ManifestFile
    problems: list[Problem] = field(default_factory=list)
    entries: list[tuple[str, str | None, int, str]] = field(default_factory=list)
    own: list[str] = field(default_factory=list)
    direct: set[str] = field(default_factory=set)
    children: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))


class GemfileLockParser(ManifestParser):
    """Reads the lockfile line by line; never runs Bundler."""

    name = "gemfile-lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name in ("Gemfile.lock", "gemfile.lock", "gems.locked")

    def parse(self, file: ManifestFile) -> ParsedManifest:
        lines = decode_text(file.read()).splitlines()
        if any(line.strip() for line in lines) and not any(
            line.rstrip() in _SOURCES or line.rstrip() in _OTHER_SECTIONS for line in lines
        ):
            raise ManifestError("not a Gemfile.lock: it has none of the sections Bundler writes")
        lock = _Lock(file)
        section: _Section | str | None = None
        parent: str | None = None
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip()
            if not line.strip():
                continue
            if not line.startswith(" "):
                section, parent = _header(lock, line, number), None
            elif isinstance(section, _Section):
                parent = _source_line(lock, section, line, number, parent)
            elif section == "DEPENDENCIES":
                _direct_line(lock, line, number)
        return _result(lock)


def _header(lock: _Lock, line: str, number: int) -> _Section | str | None:
    if line in _SOURCES:
        return _Section(_SOURCES[line])
    if line in _OTHER_SECTIONS:
        return line
    if re.match(r"^[<>=|]{7}", line):
        lock.problem(number, "merge conflict marker: the lockfile was committed half-merged")
    else:
        lock.problem(number, f"unknown section {line.strip()!r}")
    return None


def _source_line(
    lock: _Lock, section: _Section, line: str, number: int, parent: str | None
) -> str | None:
    """Read one indented line of a source section; returns the spec later lines belong to."""
    indent = len(line) - len(line.lstrip(" "))
    body = line.strip()
    if indent == 2:
        attribute = _ATTRIBUTE.match(body)
        if attribute is None:
            lock.problem(number, f"unexpected line {body!r}")
        elif attribute.group(1) == "specs":
            section.in_specs = True
        elif attribute.group(1) == "remote" and section.remote is None:
            section.remote = attribute.group(2)
        return None
    if indent == 4 and section.in_specs:
        return _spec(lock, section, body, number)
    if indent == 6 and section.in_specs:
        match = _DEPENDENCY.match(body)
        if match is None:
            lock.problem(number, f"invalid dependency line {body!r}")
        elif parent is not None:
            lock.children.setdefault(parent, []).append(match.group(1))
        return parent
    lock.problem(number, f"unexpected line {body!r}")
    return None


def _spec(lock: _Lock, section: _Section, body: str, number: int) -> str | None:
    match = _ENTRY.match(body)
    if match is None or match.group(2) is None:
        lock.problem(number, f"invalid spec {body!r}: expected 'name (version)'")
        return None
    name, version = match.group(1), match.group(2) or None
    source = section.source
    if source == "path":
        remote = section.remote or "."
        if not is_inside(lock.file, remote):
            return None  # another repository's code, checked out beside this one
        if not is_vendored(remote):
            lock.own.append(name)
            return name
    lock.entries.append((name, version, number, source))
    return name


def _direct_line(lock: _Lock, line: str, number: int) -> None:
    match = _DEPENDENCY.match(line.strip())
    if match is None or len(line) - len(line.lstrip(" ")) != 2:
        lock.problem(number, f"invalid dependency line {line.strip()!r}")
    else:
        lock.direct.add(match.group(1))


def _result(lock: _Lock) -> ParsedManifest:
    file = lock.file
    # What the organization's own gems depend on, the repository depends on directly.
    direct = lock.direct | {child for own in lock.own for child in lock.children.get(own, ())}
    records: list[Dependency] = []
    seen: set[tuple[str, str | None]] = set()
    for name, version, line, source in lock.entries:
        if (name, version) in seen:
            continue  # the same gem locked once per platform
        seen.add((name, version))
        records.append(
            Dependency(Ecosystem.GEM, name, None, version, Scope.RUNTIME, name in direct,
                       file.repo, file.path, line, source=source)
        )  # fmt: skip
    known = {record.name for record in records} | set(lock.own)
    edges = dict.fromkeys(  # namespace=None as in Dependency.purl: one cache entry for both
        (purl(Ecosystem.GEM, parent, None), purl(Ecosystem.GEM, child, None))
        for parent, children in lock.children.items()
        for child in children
        if child in known and child != parent
    )
    return ParsedManifest(
        file,
        tuple(records),
        tuple(lock.problems),
        publishes=tuple(dict.fromkeys(purl(Ecosystem.GEM, name) for name in lock.own)),
        edges=tuple(edges),
        lockfile=True,
    )

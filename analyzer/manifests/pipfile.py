"""pipenv's ``Pipfile``: ``[packages]``, ``[dev-packages]`` and custom package categories.

Entries are read the way pipenv reads them: a version string (``"*"`` means any), or a table
with ``version``/``extras``/``markers``/``index``, a VCS checkout (``git``/``hg``/``svn``/``bzr``
with ``ref``), a ``file`` URL, or a local ``path``: a source directory in the repository is
the organization's own code (reported in ``publishes``), a wheel or sdist is a vendored package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.lock_common import own_source_tree
from analyzer.manifests.pep508 import Where, pep508_dependency
from analyzer.manifests.pyproject import load_toml
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

# Top-level Pipfile tables that are not package categories (pipenv's NON_CATEGORY_SECTIONS).
_NOT_CATEGORIES = frozenset({"source", "requires", "pipenv", "scripts"})
_VCS_KEYS = ("git", "hg", "svn", "bzr")
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_BARE_VERSION = re.compile(r"^\d[\w.!+*-]*$")
_NEXT_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)
_ARCHIVE = re.compile(r"\.(?:whl|zip|tar|tgz|tar\.gz|tar\.bz2|tar\.xz|egg)$", re.IGNORECASE)


def category_scope(category: str) -> Scope:
    """The scope of a Pipfile category or the Pipfile.lock section it is locked into."""
    if category in ("packages", "default"):
        return Scope.RUNTIME
    if category in ("dev-packages", "develop"):
        return Scope.DEV
    # Custom categories are only installed on request, so they never count as runtime.
    return scope_hint(category) or Scope.DEV


@dataclass(frozen=True)
class Local:
    """A ``path`` (or local ``file``) entry, resolved once the file's own location is known."""

    name: str
    location: str
    where: Where


def entry_dependency(name: str, value: Any, where: Where) -> Dependency | Local:
    """The record for one ``name = value`` entry of a Pipfile or Pipfile.lock section.

    Raises ManifestError (with ``where.line``) for entries that cannot be understood.
    """
    if not _NAME.match(name):
        raise ManifestError(f"invalid package name {name!r}", where.line)
    if isinstance(value, str):
        return _registry(name, value, where)
    if not isinstance(value, dict):
        raise ManifestError(f"{name}: expected a version string or a table", where.line)
    for key in _VCS_KEYS:
        if isinstance(value.get(key), str):
            return pep508_dependency(
                f"{name} @ {vcs_spec(key, value[key], value.get('ref'))}", where
            )
    location = value.get("path", value.get("file"))
    if isinstance(location, str):
        if "://" in location and not location.lower().startswith("file:"):
            return pep508_dependency(f"{name} @ {location.strip()}", where)
        return Local(canonicalize_name(name), location.strip(), where)
    version = value.get("version", "*")
    if not isinstance(version, str):
        raise ManifestError(f"{name}: version must be a string", where.line)
    return _registry(name, version, where)


def vcs_spec(vcs: str, url: str, ref: Any) -> str:
    """A pip-style reference such as ``git+https://host/repo.git@v1.2``."""
    spec = url if url.lower().startswith(f"{vcs}+") else f"{vcs}+{url}"
    return f"{spec}@{ref}" if isinstance(ref, str) and ref else spec


def _registry(name: str, version: str, where: Where) -> Dependency:
    version = version.strip()
    if version in ("", "*"):
        return pep508_dependency(name, where)
    if _BARE_VERSION.match(version):
        version = f"=={version}"  # pipenv reads a bare version as an exact pin
    try:
        SpecifierSet(version)
    except InvalidSpecifier:
        raise ManifestError(f"{name}: invalid version specifier {version!r}", where.line) from None
    return pep508_dependency(f"{name}{version}", where)


class Collector:
    """Records, problems and the repository's own (path) packages of one Pipfile(.lock)."""

    def __init__(self, file: ManifestFile, index: TextIndex) -> None:
        self.file = file
        self.index = index
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []
        self.publishes: list[str] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def add(self, found: Dependency | Local) -> None:
        if isinstance(found, Dependency):
            self.dependencies.append(found)
        elif own_source_tree(self.file, found.location):
            self.publishes.append(purl(Ecosystem.PYPI, found.name))
        elif _ARCHIVE.search(found.location):
            # A wheel or sdist kept in a folder is usually someone else's package (vendored).
            self.dependencies.append(_vendored(found))
        # Otherwise a source directory outside the repository: another repository's code.

    def result(self, *, lockfile: bool) -> ParsedManifest:
        return ParsedManifest(
            self.file,
            tuple(self.dependencies),
            tuple(self.problems),
            publishes=tuple(dict.fromkeys(self.publishes)),
            lockfile=lockfile,
        )


def _vendored(found: Local) -> Dependency:
    where = found.where
    return Dependency(
        Ecosystem.PYPI, found.name, found.location, None, where.scope, where.direct,
        where.repo, where.file, where.line, source="path",
    )  # fmt: skip


class PipfileParser(ManifestParser):
    """Every package category of a Pipfile; ``[requires] python_version`` is not a package."""

    name = "pipfile"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "Pipfile"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        data = load_toml(text)
        collector = Collector(file, TextIndex(text))
        for category, entries in data.items():
            if category not in _NOT_CATEGORIES:
                _read_category(collector, category, entries)
        return collector.result(lockfile=False)


def _read_category(collector: Collector, category: str, entries: Any) -> None:
    index = collector.index
    if not isinstance(entries, dict):
        line = index.line_of(index.find_key(category))
        collector.problem(line, f"[{category}] must be a table")
        return
    base = index.find_table(category)
    for name, value in entries.items():
        line = _entry_line(index, category, name, base)
        where = Where(collector.file.repo, collector.file.path, line, category_scope(category))
        try:
            collector.add(entry_dependency(name, value, where))
        except ManifestError as exc:
            collector.problem(exc.line, exc.message)


def _entry_line(index: TextIndex, category: str, name: str, base: int) -> int | None:
    """Line of ``name`` in ``[category]``, or of a ``[category.name]`` sub-table."""
    table = index.find_table(category, name)
    if table != -1:
        return index.line_of(table)
    if base == -1:
        return None
    following = _NEXT_TABLE.search(index.text, base + 1)
    end = following.start() if following else len(index.text)
    found = index.find_key(name, base)
    return index.line_of(found) if -1 < found < end else None

"""What the ``pyproject.toml`` tool tables share: key lines, package sources and the reader.

``locate`` finds a key in any TOML spelling (tables, dotted keys, inline tables) so records
carry the line of their key. ``Source`` is one way to get a package; Poetry dependency tables
and ``[tool.uv.sources]`` spell VCS and URL references the same way (``reference``).
``ToolReader`` collects records and problems; :mod:`pyproject_poetry` and
:mod:`pyproject_tools` read the tables with it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.pep508 import archive_name, redact_url, url_source
from analyzer.manifests.text import TextIndex
from analyzer.model import Dependency, Ecosystem, ManifestFile, Problem, Scope

_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
VCS = ("git", "hg", "svn", "bzr")
_SCP = re.compile(r"^([\w.-]+@[\w.-]+):(?!//)(.+)$")


def locate(index: TextIndex, path: tuple[str, ...], key: str) -> int:
    """Offset of ``key`` under the table ``path``, in any TOML spelling; -1 when not found.

    Tries ``[path.key]``, then ``key =`` in ``[path]``, then dotted keys and inline tables in
    each enclosing table (``[tool.poetry]`` ``dependencies.foo = ...``) up to the document root.
    Each search stops at the next table header, so a name in a later table is not mistaken.
    """
    own = index.find_table(*path, key)
    if own != -1:
        return own
    text = index.text
    for depth in range(len(path), -1, -1):
        start = index.find_table(*path[:depth]) if depth else 0
        if start == -1:
            continue
        if depth:
            newline = text.find("\n", start)
            start = len(text) if newline == -1 else newline + 1
        end_match = _HEADER.search(text, start)
        end = end_match.start() if end_match else len(text)
        found = _find_dotted(text, (*path[depth:], key), start, end)
        if found != -1:
            return found
    return -1


def _find_dotted(text: str, keys: tuple[str, ...], start: int, end: int) -> int:
    """Offset of the last of ``keys`` written as a key chain between ``start`` and ``end``."""
    position = -1
    for key in keys:
        k = re.escape(key)
        pattern = rf"(?:^[ \t]*|[{{,.][ \t]*)(?P<k>{k}|\"{k}\"|'{k}')[ \t]*(?=[.=])"
        match = re.compile(pattern, re.MULTILINE).search(text, start, end)
        if match is None:
            return -1
        position, start = match.start("k"), match.end()
    return position


@dataclass(frozen=True)
class Source:
    """One way to get a package: a constraint on an index, a VCS or URL reference, or a path."""

    spec: str | None
    source: str  # registry | vcs | url | path | workspace
    version: str | None = None
    optional: bool = False


def with_archive_version(name: str, found: Source) -> Source:
    """A URL to a wheel or sdist of this very package fixes its version (as in PEP 508)."""
    archive = archive_name(found.spec) if found.source == "url" and found.spec else None
    if archive is not None and archive[0] == canonicalize_name(name):
        return dataclasses.replace(found, version=archive[1])
    return found


def reference(value: dict[str, Any]) -> Source | None:
    """A VCS or URL reference written as a table (Poetry and uv share this shape)."""
    for key in (*VCS, "url"):
        if key not in value:
            continue
        url = value[key]
        if not isinstance(url, str):
            raise ManifestError(f"{key} must be a string, not {url!r}")
        if key == "url":
            return Source(redact_url(url), url_source(url))
        if scp := _SCP.match(url):  # "git@github.com:org/repo.git" is ssh in pip's spelling
            url = f"ssh://{scp.group(1)}/{scp.group(2)}"
        spec = redact_url(url if url.lower().startswith(f"{key}+") else f"{key}+{url}")
        refs = (value.get(k) for k in ("rev", "tag", "branch"))
        ref = next((r for r in refs if isinstance(r, str)), None)
        spec = f"{spec}@{ref}" if ref else spec
        if isinstance(subdirectory := value.get("subdirectory"), str):
            spec = f"{spec}#subdirectory={subdirectory}"  # pip's spelling of the same thing
        return Source(spec, "vcs")
    return None


class ToolReader:
    """Collects records and problems while walking the tool tables."""

    def __init__(self, file: ManifestFile, index: TextIndex, own_name: str | None) -> None:
        self.file = file
        self.index = index
        self.own_name = own_name
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []

    def problem(self, offset: int, message: str) -> None:
        line = self.index.line_of(offset)  # None when the offset is -1 (not found)
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def table(self, value: Any, path: tuple[str, ...]) -> dict[str, Any] | None:
        """``value`` when it is a table; anything else but absence is a problem."""
        if value is None or isinstance(value, dict):
            return value
        self.problem(locate(self.index, path[:-1], path[-1]), f"{'.'.join(path)} must be a table")
        return None

    def record(self, name: str, found: Source, scope: Scope, offset: int) -> None:
        found = with_archive_version(name, found)
        dep = Dependency(
            Ecosystem.PYPI, canonicalize_name(name), found.spec, found.version, scope, True,
            self.file.repo, self.file.path, self.index.line_of(offset), source=found.source,
        )  # fmt: skip
        self.dependencies.append(dep)

"""Composer's ``composer.lock``: the ``packages`` and ``packages-dev`` a project installs.

Read with the helpers of ``composer`` (names, JSON, records). Each locked package is a record,
except those of a ``path`` repository: inside the repository they are the organization's own
code (``publishes``), outside it another repository's code checked out beside this one
(skipped). Edges come from each package's ``require``; a requirement that another package
``replace``s or ``provide``s leads to that package. Locked versions are kept as written
(``v5.4.21`` stays ``v5.4.21``): that is the tag Packagist lists, and stripping the ``v``
would name a version Packagist does not know by that name.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests.composer import VCS_TYPES, ComposerResult, load_json, split_name
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import is_inside
from analyzer.model import Ecosystem, ManifestFile, ParsedManifest, Scope
from analyzer.model import package_purl as purl

SECTIONS = (("packages", Scope.RUNTIME), ("packages-dev", Scope.DEV))
# Every "name" key and its string value, overlapping ones included (a lookahead matches
# at each position).
_NAME_KEY = re.compile(r'(?=("name"\s*:\s*"([^"]*)"))')


class ComposerLockParser(ManifestParser):
    """``packages`` (runtime) and ``packages-dev`` (dev) of a ``composer.lock``, and the
    ``require`` edges between them. The lock does not say which packages are direct."""

    name = "composer.lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "composer.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data, index = load_json(file)
        result = ComposerResult(file, index, 1)
        requires: list[tuple[str, Any]] = []
        provided: dict[str, str] = {}  # a replaced or provided name -> the package doing it
        for section, scope in SECTIONS:
            for item, name, line in _entries(result, data, section):
                where = _lock_source(file, item)
                if where == "outside":
                    continue  # another repository's code, checked out beside this one
                version = item.get("version")
                if not isinstance(version, str):
                    result.problem(line, f"package {'/'.join(name)!r}: version is not a string")
                    version = None
                full = "/".join(name)
                if where == "own":
                    result.own.append(full)
                else:
                    result.add(name, None, version, scope, line, where, direct=False)
                requires.append((full, item.get("require")))
                for key in ("replace", "provide"):
                    if isinstance(item.get(key), dict):
                        provided.update((str(k).lower(), full) for k in item[key])
        return result.result({}, _edges(result, requires, provided))


def _entries(
    result: ComposerResult, data: dict[str, Any], section: str
) -> list[tuple[dict[str, Any], tuple[str, str], int | None]]:
    """The well-formed package objects of ``section`` with their names and lines."""
    items = data.get(section, [])
    if not isinstance(items, list):
        result.problem(result.line(section), f"{section} must be an array")
        return []
    offsets = result.keys.get((section,))
    cursor = offsets[-1] if offsets else 0
    found = []
    for position, item in enumerate(items, 1):
        raw = item.get("name") if isinstance(item, dict) else None
        try:
            name = split_name(raw)
        except ManifestError as exc:
            what = "is not an object" if not isinstance(item, dict) else exc.message
            result.problem(None, f"{section} entry {position} {what}")
            continue
        match = _name_key(result.index.text, str(raw), cursor)
        cursor = match.end(1) if match else cursor
        found.append((item, name, result.index.line_of(match.start()) if match else None))
    return found


def _name_key(text: str, raw: str, cursor: int) -> re.Match[str] | None:
    """The first ``"name": "<raw>"`` at or after ``cursor`` (group 1 spans it).

    Old Composer versions wrote ``"vendor\\/package"``. A valid name holds no quote or
    backslash, so the value ends at the next quote; one pattern serves every name.
    """
    matches = _NAME_KEY.finditer(text, cursor)
    return next((m for m in matches if m.group(2).replace("\\/", "/") == raw), None)


def _lock_source(file: ManifestFile, item: dict[str, Any]) -> str:
    """registry, vcs or url; own (a path package inside the repository) or outside."""
    dist, source = _table(item, "dist"), _table(item, "source")
    if dist.get("type") == "path":
        url = dist.get("url")
        return "own" if isinstance(url, str) and is_inside(file, url) else "outside"
    if isinstance(item.get("notification-url"), str):
        return "registry"  # Packagist (or a private Packagist) counts installs of its packages
    if source.get("type") in VCS_TYPES:
        return "vcs"  # a package of a VCS repository: only its source says where it is
    return "url" if isinstance(dist.get("url"), str) else "registry"


def _table(item: dict[str, Any], key: str) -> dict[str, Any]:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _edges(
    result: ComposerResult, requires: list[tuple[str, Any]], provided: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    """(parent, child) purls for every ``require`` between locked packages."""
    known = {f"{d.namespace}/{d.name}" for d in result.deps} | set(result.own)
    edges: dict[tuple[str, str], None] = {}
    for parent, require in requires:
        for raw in require if isinstance(require, dict) else ():
            child = raw.strip().lower() if isinstance(raw, str) else ""
            child = child if child in known else provided.get(child, "")
            if child in known and child != parent:
                edges[(_purl(parent), _purl(child))] = None
    return tuple(edges)


def _purl(full: str) -> str:
    vendor, _, package = full.partition("/")
    return purl(Ecosystem.COMPOSER, package, vendor)

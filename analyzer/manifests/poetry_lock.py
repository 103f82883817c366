"""``poetry.lock``: every locked package, its scope, its source and its dependency edges.

Lock versions 1.x record a ``category`` ("main" or "dev") per package; 2.x records the
dependency ``groups`` that need it (poetry 2), or nothing (poetry 1.5-1.8). The lockfile never
says which packages the project asked for directly, so every record is ``direct=False``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import (
    Entry,
    LockBuilder,
    best_scope,
    group_scope,
    load_lock,
    own_source_tree,
    requirement_name,
)
from analyzer.model import ManifestFile, ParsedManifest, Scope

_SUPPORTED = {1, 2}


class PoetryLockParser(ManifestParser):
    """Reads ``[[package]]`` tables; an extra's dependencies count once a dependent selects it."""

    name = "poetry.lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "poetry.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data, index = load_lock(file)
        builder = LockBuilder(file, index)
        builder.check_metadata_version(data, "lock-version", _SUPPORTED)
        entries = list(builder.entries(data, "package"))
        selected = _selected_extras(entries)
        for entry in entries:
            source = _source(file, entry.data.get("source"))
            if source is None:
                builder.add_own(entry.name)
            else:
                builder.add(entry, _scope(entry.data), source=source[0], spec=source[1])
            for child in _children(entry.data, selected[entry.name]):
                builder.edge(entry.name, child)
        return builder.result()


def _scope(package: dict[str, Any]) -> Scope:
    """The scope from ``groups`` (lock 2.1) or ``category`` (lock 1.x), and ``optional``."""
    groups = package.get("groups")
    if not isinstance(groups, list):
        category = package.get("category")
        groups = [category] if isinstance(category, str) else []
    scopes = [
        Scope.RUNTIME if group == "main" else group_scope(group, Scope.DEV)
        for group in groups
        if isinstance(group, str)
    ]
    scope = best_scope(scopes)
    # optional = true: only an extra of the project needs it.
    if scope is Scope.RUNTIME and package.get("optional") is True:
        return Scope.OPTIONAL
    return scope


def _source(file: ManifestFile, source: Any) -> tuple[str, str | None] | None:
    """(source kind, spec) for a ``[package.source]`` table; None for the project's own code."""
    if not isinstance(source, dict):
        return "registry", None
    kind, url = source.get("type"), source.get("url")
    url = url if isinstance(url, str) else None
    if kind == "git":
        reference = source.get("reference")
        if url and isinstance(reference, str) and reference:
            return "vcs", f"{url}@{reference}"
        return "vcs", url
    if kind == "url":
        return "url", url
    if kind in ("directory", "file"):
        return None if own_source_tree(file, url) else ("path", url)
    return "registry", None  # "legacy" and other types are package indexes


def _selected_extras(entries: list[Entry]) -> defaultdict[str, set[str]]:
    """Package name -> extras some locked package asks of it (``{extras = [...]}``)."""
    selected: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        dependencies = entry.data.get("dependencies")
        if not isinstance(dependencies, dict):
            continue
        for key, value in dependencies.items():
            for constraint in value if isinstance(value, list) else [value]:
                extras = constraint.get("extras") if isinstance(constraint, dict) else None
                if isinstance(extras, list):
                    names = {canonicalize_name(e) for e in extras if isinstance(e, str)}
                    selected[canonicalize_name(key)] |= names
    return selected


def _children(package: dict[str, Any], selected: set[str]) -> Iterator[str]:
    """Names this package depends on: required ones plus those of the selected extras.

    An extra's packages appear in ``[package.extras]`` and, in some Poetry versions, also in
    ``[package.dependencies]`` marked ``optional = true``.
    """
    dependencies = package.get("dependencies")
    for key, value in dependencies.items() if isinstance(dependencies, dict) else []:
        if not _optional(value):
            yield canonicalize_name(key)
    extras = package.get("extras")
    for extra, requirements in extras.items() if isinstance(extras, dict) else []:
        if canonicalize_name(extra) in selected and isinstance(requirements, list):
            yield from (name for name in map(requirement_name, requirements) if name)


def _optional(value: Any) -> bool:
    """True when a dependency is only needed by an extra (every constraint says optional)."""
    constraints = value if isinstance(value, list) and value else [value]
    return all(isinstance(c, dict) and c.get("optional") is True for c in constraints)

"""``pdm.lock``: locked packages with the groups that need them, and their dependency edges.

PDM repeats a package once per set of extras it is installed with (``name`` plus
``extras = [...]``); those entries add edges, not records. ``groups`` (``sections`` in PDM 1)
name both optional-dependency extras and dev groups without telling them apart, so a group
whose name says nothing (``postgres``) counts as optional. ``default`` is the runtime group.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import (
    Entry,
    LockBuilder,
    best_scope,
    group_scope,
    load_lock,
    own_source_tree,
)
from analyzer.manifests.pep508 import parse_requirement
from analyzer.model import ManifestFile, ParsedManifest, Scope

_SUPPORTED = {3, 4}


class PdmLockParser(ManifestParser):
    """Reads ``[[package]]`` tables and their PEP 508 ``dependencies`` strings."""

    name = "pdm.lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "pdm.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data, index = load_lock(file)
        builder = LockBuilder(file, index)
        builder.check_metadata_version(data, "lock_version", _SUPPORTED)
        entries = list(builder.entries(data, "package"))
        scopes: defaultdict[str, list[Scope]] = defaultdict(list)
        for entry in entries:
            scopes[entry.name].append(_scope(entry.data))
        for entry in entries:
            source = _source(file, entry.data)
            if source is None:
                builder.add_own(entry.name)
            else:  # the builder keeps one record per name and version
                scope = best_scope(scopes[entry.name])
                builder.add(entry, scope, source=source[0], spec=source[1])
            for child in _children(builder, entry):
                builder.edge(entry.name, child)
        return builder.result()


def _scope(package: dict[str, Any]) -> Scope:
    groups = package.get("groups", package.get("sections"))
    if not isinstance(groups, list):
        return Scope.RUNTIME
    return best_scope(
        Scope.RUNTIME if group == "default" else group_scope(group, Scope.OPTIONAL)
        for group in groups
        if isinstance(group, str)
    )


def _source(file: ManifestFile, package: dict[str, Any]) -> tuple[str, str | None] | None:
    """(source kind, spec); None for a source tree inside the repository (own code)."""
    git = package.get("git")
    if isinstance(git, str):
        reference = package.get("ref") or package.get("revision")
        return "vcs", f"{git}@{reference}" if isinstance(reference, str) else git
    path = package.get("path")
    url = package.get("url")
    if isinstance(url, str) and url.lower().startswith("file:"):
        path = url
    if isinstance(path, str):
        return None if own_source_tree(file, path) else ("path", path)
    if isinstance(url, str):
        return "url", url
    return "registry", None


def _children(builder: LockBuilder, entry: Entry) -> list[str]:
    """Names of the ``dependencies`` strings; an invalid one is a problem on its line."""
    items = entry.data.get("dependencies")
    if not isinstance(items, list):
        return []
    names: list[str] = []
    cursor = entry.offset
    for item in items:
        if not isinstance(item, str):
            message = f"package {entry.name!r}: dependency {item!r} is not a string"
            builder.problem(entry.line, message)
            continue
        found = builder.index.find_string(item.replace('"', '\\"'), cursor)
        if found == -1:
            found = builder.index.find_string(item, cursor)
        line = builder.index.line_of(found) if found != -1 else entry.line
        cursor = found + 1 if found != -1 else cursor
        try:
            names.append(canonicalize_name(parse_requirement(item).name))
        except ManifestError as exc:
            builder.problem(line, f"package {entry.name!r}: {exc.message}")
    return names

"""npm lockfile version 1: the installed tree nested under ``dependencies``.

Each package's own ``dependencies`` object holds the copies installed inside its folder, and
``requires`` names what it needs; a name resolves as node resolves it, to the package's own
nested copy first and then to each level up. Version 1 does not say which packages are direct.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analyzer.manifests.lock_common import own_source_tree
from analyzer.manifests.npm_common import (
    VCS_PREFIXES,
    NpmLockBuilder,
    clean_url,
    flag_scope,
    resolved_source,
)

_ORIGINS = (*VCS_PREFIXES, "http://", "https://", "file:")  # what v1 writes instead of a version
LineOf = Callable[[tuple[str, ...]], int | None]  # a key path -> its 1-based line


def read_tree(builder: NpmLockBuilder, tree: dict[str, Any], line_of: LineOf) -> None:
    """Lockfile version 1: nested ``dependencies`` objects, and ``requires`` for the edges."""
    identity: dict[tuple[str, ...], str | None] = {}
    requires: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    stack: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), tree)]
    while stack:
        prefix, table = stack.pop()
        nested = []
        for name, entry in table.items():
            path = (*prefix, name)
            line = line_of(tuple(key for step in path for key in ("dependencies", step)))
            if not isinstance(entry, dict):
                builder.problem(line, f"package {'/'.join(path)!r} is not an object")
                continue
            identity[path] = _tree_entry(builder, name, entry, line)
            if isinstance(entry.get("requires"), dict):
                requires.append((path, entry["requires"]))
            if isinstance(entry.get("dependencies"), dict):
                nested.append((path, entry["dependencies"]))
        stack.extend(reversed(nested))  # depth first, in file order
    for path, wanted in requires:
        for name in wanted:
            # node's lookup: the package's own nested copy first, then each level up.
            found = next((path[:end] for end in range(len(path), -1, -1)
                          if (*path[:end], name) in identity), None)  # fmt: skip
            if found is not None:
                builder.edge(identity[path], identity[(*found, name)])


def _tree_entry(
    builder: NpmLockBuilder, name: str, entry: dict[str, Any], line: int | None
) -> str | None:
    version, scope = entry.get("version"), flag_scope(entry)
    if not isinstance(version, str) or not version:
        builder.problem(line, f"package {name!r} has no version")
        return builder.add(name, None, scope, line)
    if version.startswith("npm:"):  # an alias: "npm:string-width@4.2.0"
        name, _, version = version[4:].rpartition("@")
    if version.startswith("file:") and own_source_tree(builder.file, version):
        return builder.add_own(name, line)  # a folder of this repository
    if version.startswith(_ORIGINS):  # a git, tarball or file dependency: no version
        spec = clean_url(version)
        return builder.add(name, None, scope, line, source=resolved_source(version), spec=spec)
    resolved = entry.get("resolved")
    source = resolved_source(resolved) if isinstance(resolved, str) else "registry"
    origin = clean_url(resolved) if isinstance(resolved, str) and source != "registry" else None
    return builder.add(name, version, scope, line, source=source, spec=origin)

"""``pylock.toml`` and ``pylock.<name>.toml`` (PEP 751): the standard Python lockfile.

Each ``[[packages]]`` entry is one installable package version. The file does not say which
packages are direct; a package's ``marker`` may name the extras or dependency groups that
need it (``'dev' in dependency_groups``), which gives its scope. ``dependencies`` is optional
in the format and gives the edges when present.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import (
    LockBuilder,
    best_scope,
    group_scope,
    load_lock,
    own_source_tree,
)
from analyzer.model import ManifestFile, ParsedManifest, Scope

_SUPPORTED = {1}
_FILE_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")
_MARKER_TERM = re.compile(r"""(['"])([^'"]*)\1\s+in\s+(extras|dependency_groups)\b""")


class PylockParser(ManifestParser):
    """Reads ``[[packages]]``; a directory inside the repository is the project itself."""

    name = "pylock.toml"

    def matches(self, path: PurePosixPath) -> bool:
        return _FILE_NAME.match(path.name) is not None

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data, index = load_lock(file)
        builder = LockBuilder(file, index)
        if "lock-version" in data:
            line = builder.key_line("lock-version")
            builder.check_version(data["lock-version"], _SUPPORTED, line)
        defaults = data.get("default-groups")
        default_groups = (
            {g for g in defaults if isinstance(g, str)} if isinstance(defaults, list) else set()
        )
        for entry in builder.entries(data, "packages"):
            source = _source(file, entry.data)
            if source is None:
                builder.add_own(entry.name)
            else:
                scope = _marker_scope(entry.data.get("marker"), default_groups)
                builder.add(entry, scope, source=source[0], spec=source[1])
            dependencies = entry.data.get("dependencies")
            for item in dependencies if isinstance(dependencies, list) else []:
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str):
                    builder.edge(entry.name, canonicalize_name(name))
        return builder.result()


def _marker_scope(marker: Any, default_groups: set[str]) -> Scope:
    """The scope the extras and dependency groups in a package's marker imply."""
    if not isinstance(marker, str):
        return Scope.RUNTIME
    scopes = []
    for _, name, kind in _MARKER_TERM.findall(marker):
        if kind == "extras":
            scopes.append(group_scope(name, Scope.OPTIONAL))
        elif name in default_groups:
            scopes.append(Scope.RUNTIME)
        else:
            scopes.append(group_scope(name, Scope.DEV))
    return best_scope(scopes)


def _source(file: ManifestFile, package: dict[str, Any]) -> tuple[str, str | None] | None:
    """(source kind, spec) from ``vcs``, ``directory`` or ``archive``; None for own code."""
    vcs, directory, archive = (package.get(k) for k in ("vcs", "directory", "archive"))
    if isinstance(vcs, dict):
        url, path = vcs.get("url"), vcs.get("path")
        if isinstance(url, str):
            revision = vcs.get("requested-revision") or vcs.get("commit-id")
            return "vcs", f"{url}@{revision}" if isinstance(revision, str) else url
        return "path", path if isinstance(path, str) else None
    if isinstance(directory, dict):
        path = directory.get("path")
        if own_source_tree(file, path):
            return None
        return "path", path if isinstance(path, str) else None
    if isinstance(archive, dict):
        url, path = archive.get("url"), archive.get("path")
        if isinstance(url, str):
            return "url", url
        return "path", path if isinstance(path, str) else None
    return "registry", None

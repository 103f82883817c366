"""``uv.lock``: locked packages, which of them the project asks for directly, and the edges.

The project itself (and every workspace member) is a package whose source is ``editable``,
``virtual`` or a directory inside the repository: it is published, not depended on. Its
``dependencies``, ``optional-dependencies`` and ``dev-dependencies`` say which packages are
direct and in what scope; packages reached only through them inherit the best such scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from packaging.utils import canonicalize_name

from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.lock_common import (
    Entry,
    LockBuilder,
    best_scope,
    group_scope,
    is_inside,
    load_lock,
    own_source_tree,
    propagate_scopes,
)
from analyzer.model import ManifestFile, ParsedManifest, Scope

_SUPPORTED = {1}
_PROJECT_KINDS = ("editable", "virtual", "workspace")
Wanted = tuple[str, tuple[str, ...]]  # (canonical name, extras it selects)


class UvLockParser(ManifestParser):
    """Reads ``[[package]]`` (``[[distribution]]`` in uv before 0.3) and ``[manifest]``."""

    name = "uv.lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "uv.lock"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data, index = load_lock(file)
        builder = LockBuilder(file, index)
        if "version" in data:
            builder.check_version(data["version"], _SUPPORTED, builder.key_line("version"))
        key = "distribution" if "distribution" in data and "package" not in data else "package"
        entries = list(builder.entries(data, key))
        manifest = data.get("manifest")
        manifest = manifest if isinstance(manifest, dict) else {}
        members: set[str] = {canonicalize_name(m) for m in _strings(manifest.get("members"))}
        # Own packages -> whether their requirements are the project's direct ones.
        own = {e.name: _is_root(file, e, members) for e in entries if _is_own(file, e)}
        direct: dict[str, list[Scope]] = defaultdict(list)
        for name, scope in _manifest_requirements(manifest):
            direct[name].append(scope)
        children = _children(entries, own, direct)
        scopes = propagate_scopes({n: best_scope(s) for n, s in direct.items()}, children)
        specs = _declared_specs(entries, own)
        for entry in entries:
            if entry.name in own:
                builder.add_own(entry.name)
                continue
            kind, spec = _source(entry.data.get("source"))
            is_direct = entry.name in direct
            if is_direct and kind == "registry":
                spec = specs.get(entry.name)
            scope = scopes.get(entry.name, Scope.RUNTIME)
            builder.add(entry, scope, direct=is_direct, source=kind, spec=spec)
        for parent, names in children.items():
            for child in names:
                builder.edge(parent, child)
        return builder.result()


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _source_value(entry: Entry) -> tuple[str | None, Any]:
    source = entry.data.get("source")
    if isinstance(source, dict) and len(source) >= 1:
        kind = next(iter(source))
        return kind, source[kind]
    return None, None


def _is_own(file: ManifestFile, entry: Entry) -> bool:
    """The project, a workspace member, or another source tree inside the repository."""
    kind, value = _source_value(entry)
    if kind in _PROJECT_KINDS:
        return isinstance(value, str) and is_inside(file, value)
    return kind == "directory" and own_source_tree(file, value)


def _is_root(file: ManifestFile, entry: Entry, members: set[str]) -> bool:
    """A package whose declared dependencies are the project's direct ones."""
    _, value = _source_value(entry)
    return entry.name in members or (isinstance(value, str) and value.strip("/") in ("", "."))


def _requirements(items: Any) -> Iterator[Wanted]:
    """``[{name = "x", extra = ["y"], marker = "..."}]`` → (name, extras) pairs."""
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            extras = tuple(canonicalize_name(e) for e in _strings(item.get("extra")))
            yield canonicalize_name(item["name"]), extras


def _grouped(table: Any) -> Iterator[tuple[str, Wanted]]:
    """(group, requirement) pairs of ``optional-dependencies`` or ``dev-dependencies``."""
    for group, items in table.items() if isinstance(table, dict) else []:
        for requirement in _requirements(items):
            yield str(group), requirement


def _manifest_requirements(manifest: dict[str, Any]) -> Iterator[tuple[str, Scope]]:
    """A workspace root without a project lists its requirements in ``[manifest]``."""
    for name, _ in _requirements(manifest.get("requirements")):
        yield name, Scope.RUNTIME
    for group, (name, _) in _grouped(manifest.get("dependency-groups")):
        yield name, group_scope(group, Scope.DEV)


def _children(
    entries: list[Entry], own: dict[str, bool], direct: dict[str, list[Scope]]
) -> dict[str, list[str]]:
    """Every dependency relation; the roots' requirements also fill ``direct``."""
    selected: defaultdict[str, set[str]] = defaultdict(set)
    children: defaultdict[str, list[str]] = defaultdict(list)
    for entry in entries:
        data, root = entry.data, own.get(entry.name, False)
        required = [(Scope.RUNTIME, r) for r in _requirements(data.get("dependencies"))]
        if root:
            optional = _grouped(data.get("optional-dependencies"))
            required += [(group_scope(g, Scope.OPTIONAL), r) for g, r in optional]
        dev = _grouped(data.get("dev-dependencies"))
        required += [(group_scope(g, Scope.DEV), r) for g, r in dev]
        for scope, (name, extras) in required:
            children[entry.name].append(name)
            selected[name].update(extras)
            if root:
                direct[name].append(scope)
    # A package's optional dependencies are edges only for the extras someone selects.
    for entry in entries:
        if own.get(entry.name, False):
            continue
        for group, (name, _) in _grouped(entry.data.get("optional-dependencies")):
            if canonicalize_name(group) in selected[entry.name]:
                children[entry.name].append(name)
    return dict(children)


def _source(source: Any) -> tuple[str, str | None]:
    """(source kind, spec) of a package that is not the project's own."""
    if not isinstance(source, dict) or not source:
        return "registry", None
    kind = next(iter(source))
    value = source[kind] if isinstance(source[kind], str) else None
    if kind == "registry":
        return "registry", None
    if kind == "git" and value:
        return "vcs", _git_spec(value)
    if kind == "url":
        return "url", value
    return "path", value  # path, directory, or an editable outside the repository


def _git_spec(url: str) -> str:
    """``https://host/x?rev=v1#<sha>`` → ``https://host/x@v1`` (the commit when no ref)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    refs = [query[k][0] for k in ("rev", "tag", "branch") if query.get(k)]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    reference = refs[0] if refs else parts.fragment
    return f"{base}@{reference}" if reference else base


def _declared_specs(entries: list[Entry], own: dict[str, bool]) -> dict[str, str]:
    """Version specifiers the project declared, from ``[package.metadata]`` of the roots."""
    specs: dict[str, str] = {}
    for entry in entries:
        metadata = entry.data.get("metadata")
        if not own.get(entry.name, False) or not isinstance(metadata, dict):
            continue
        dev = metadata.get("requires-dev")
        lists = [metadata.get("requires-dist"), *(dev.values() if isinstance(dev, dict) else [])]
        for items in lists:
            for item in items if isinstance(items, list) else []:
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str) and isinstance(item.get("specifier"), str):
                    specs.setdefault(canonicalize_name(name), item["specifier"])
    return specs

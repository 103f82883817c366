"""npm's ``package-lock.json`` and ``npm-shrinkwrap.json``: lockfile versions 1, 2 and 3.

Versions 2 and 3 list every package under ``packages``, keyed by where it is installed
(``node_modules/a/node_modules/b``); the root entry ``""`` and workspace folders are the
repository's own code, and what they require is direct. Version 1 nests the tree under
``dependencies`` (read by ``npm_tree``) and does not say which packages are direct. An edge
goes where node would find the module: the nearest ``node_modules`` folder walking up from
the dependent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.json_keys import json_key_offsets, load_json_keys
from analyzer.manifests.lock_common import is_inside, own_source_tree
from analyzer.manifests.npm_common import (
    NpmLockBuilder,
    clean_url,
    declared_spec,
    flag_scope,
    resolved_source,
    text_or_none,
)
from analyzer.manifests.npm_tree import LineOf, read_tree
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import ManifestFile, ParsedManifest

_KNOWN_VERSIONS = {1, 2, 3}
_SECTIONS = ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies")


class NpmLockParser(ManifestParser):
    """``package-lock.json`` and ``npm-shrinkwrap.json`` (one format; the latter is published)."""

    name = "package-lock"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name in ("package-lock.json", "npm-shrinkwrap.json")

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        index = TextIndex(text)
        try:
            data, offsets = load_json_keys(text, max_depth=2)
        except json.JSONDecodeError as exc:  # its lineno ignores lone "\r" line breaks
            raise ManifestError(f"invalid JSON: {exc.msg}", index.line_of(exc.pos)) from None
        except RecursionError:
            raise ManifestError("invalid JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise ManifestError(f"{PurePosixPath(file.path).name} must hold a JSON object", 1)
        packages, tree = data.get("packages"), data.get("dependencies")
        if not isinstance(packages, dict):  # version 1 nests two keys a level: look deeper
            offsets = json_key_offsets(text, max_depth=1000)

        def line_of(path: tuple[str, ...]) -> int | None:
            found = offsets.get(path)  # json keeps the last of repeated keys, and so does this
            return index.line_of(found[-1]) if found else None

        builder = NpmLockBuilder(file)
        _check_version(builder, data, line_of)
        for key, value in (("packages", packages), ("dependencies", tree)):
            if value is not None and not isinstance(value, dict):
                builder.problem(line_of((key,)), f"{key} must be an object")
        if isinstance(packages, dict):
            _PackagesReader(builder, packages, line_of).read(data.get("name"))
        elif isinstance(tree, dict):
            if isinstance(data.get("name"), str):
                builder.add_own(data["name"], line_of(("name",)))
            read_tree(builder, tree, line_of)
        return builder.result()


def _check_version(builder: NpmLockBuilder, data: dict[str, Any], line_of: LineOf) -> None:
    if "lockfileVersion" not in data:
        return  # npm 3 and 4 wrote shrinkwrap files without one: they read as version 1
    value = data["lockfileVersion"]
    if not isinstance(value, int) or isinstance(value, bool) or value not in _KNOWN_VERSIONS:
        shown = value if isinstance(value, (int, str)) else repr(value)
        builder.problem(line_of(("lockfileVersion",)), f"unknown lockfile version {shown}")


def _installed_name(location: str) -> str | None:
    """``node_modules/a/node_modules/@s/b`` -> ``@s/b``; None for a folder outside them."""
    _, sep, name = f"/{location}".rpartition("/node_modules/")
    return name or None if sep else None


class _PackagesReader:
    """Reads the ``packages`` object of lockfile versions 2 and 3."""

    def __init__(self, builder: NpmLockBuilder, packages: dict[str, Any], line_of: LineOf):
        self.builder = builder
        self.packages = packages
        self.line_of = line_of
        self.links: dict[str, str] = {}  # install location -> the folder it links to
        self.identity: dict[str, str | None] = {}  # location -> purl of what is there
        self.own: dict[str, None] = {}  # locations of the repository's own folders

    def line(self, location: str) -> int | None:
        return self.line_of(("packages", location))

    def read(self, top_name: Any) -> None:
        entries: dict[str, dict[str, Any]] = {}
        link_names: dict[str, str] = {}  # folder -> the name a link installs it under
        for location, entry in self.packages.items():
            if not isinstance(entry, dict):
                self.builder.problem(self.line(location), f"package {location!r} is not an object")
            elif entry.get("link") is not True:
                entries[location] = entry
            elif isinstance(entry.get("resolved"), str):
                self.links[location] = entry["resolved"]
                link_names.setdefault(entry["resolved"], _installed_name(location) or "")
            else:
                self.builder.problem(self.line(location), f"link {location!r} has no target")
        folders = [location for location in entries if _installed_name(location) is None]
        for location in folders:
            if location == "" or own_source_tree(self.builder.file, location):
                self.own[location] = None
        direct = self.direct()
        for location, entry in entries.items():
            if _installed_name(location) is not None:
                self.installed(location, entry, location in direct, direct.get(location))
                continue
            fallback = top_name if location == "" else link_names.get(location)
            name = text_or_none(entry.get("name")) or fallback
            self.folder(location, entry, name, location in direct)
        for target, name in link_names.items():  # a linked folder the file does not list
            if target not in entries and name and is_inside(self.builder.file, target):
                self.identity[target] = self.builder.add_own(name, None)
        self.edges(entries)

    def folder(self, location: str, entry: dict[str, Any], name: Any, direct: bool) -> None:
        """The root, a workspace member, or another folder a ``file:`` range points to."""
        line, name = self.line(location), name if isinstance(name, str) and name else None
        if location in self.own:
            self.identity[location] = self.builder.add_own(name, line) if name else None
        elif name:  # a folder outside the repository: someone else's package, maybe
            version = text_or_none(entry.get("version"))
            self.identity[location] = self.builder.add(
                name, version, flag_scope(entry), line,
                direct=direct, source="path", spec=location,
            )  # fmt: skip
        else:
            self.builder.problem(line, f"package {location!r} has no name")

    def installed(
        self, location: str, entry: dict[str, Any], direct: bool, spec: str | None
    ) -> None:
        # "name" is there for an alias: node_modules/<alias> holds the package <name>.
        name = text_or_none(entry.get("name")) or _installed_name(location) or ""
        version, resolved = text_or_none(entry.get("version")), entry.get("resolved")
        source = resolved_source(resolved) if isinstance(resolved, str) else "registry"
        if isinstance(resolved, str) and source != "registry":
            spec = clean_url(resolved)
        elif version is None:
            self.builder.problem(self.line(location), f"package {location!r} has no version")
        self.identity[location] = self.builder.add(
            name, version, flag_scope(entry), self.line(location),
            direct=direct, source=source, spec=spec,
        )  # fmt: skip

    def direct(self) -> dict[str, str | None]:
        """Locations the own folders require -> the range declared for them, if any."""
        found: dict[str, str | None] = {}
        for location in self.own:
            folders = _module_folders(location)
            for name, spec in self.requirements(location, _SECTIONS):
                target = self.resolve(folders, name)
                if target is not None and found.get(target) is None:
                    found[target] = declared_spec(spec)
        return found

    def requirements(self, location: str, sections: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        entry = self.packages.get(location)
        entry = entry if isinstance(entry, dict) else {}
        meta = entry.get("peerDependenciesMeta")
        for section in sections:
            table = entry.get(section)
            for name, spec in table.items() if isinstance(table, dict) else ():
                about = meta.get(name) if isinstance(meta, dict) else None
                optional = isinstance(about, dict) and about.get("optional") is True
                if section == "peerDependencies" and optional:
                    continue  # an optional peer is not installed for this package's sake
                yield name, spec

    def resolve(self, folders: list[str], name: str) -> str | None:
        """node's lookup: ``<folder>/node_modules/<name>`` for each of ``folders``."""
        for folder in folders:
            candidate = folder + name
            if candidate in self.links:
                return self.links[candidate]
            if candidate in self.packages:
                return candidate
        return None

    def edges(self, entries: dict[str, dict[str, Any]]) -> None:
        for location in entries:
            # devDependencies of a dependency are not installed; those of own folders are.
            sections = _SECTIONS if location in self.own else _SECTIONS[:3]
            folders = _module_folders(location)
            parent = self.identity.get(location)
            for name, _ in self.requirements(location, sections):
                target = self.resolve(folders, name)
                if target is not None:
                    self.builder.edge(parent, self.identity.get(target))


def _module_folders(location: str) -> list[str]:
    """The ``node_modules/`` folders node searches from ``location``, nearest first: one in
    the location itself and in each folder above it that is not a ``node_modules`` folder."""
    parts = location.split("/") if location else []
    return [
        "/".join([*parts[:end], "node_modules", ""])
        for end in range(len(parts), -1, -1)
        if not (end and parts[end - 1] == "node_modules")
    ]

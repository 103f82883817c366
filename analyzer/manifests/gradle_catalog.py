"""Gradle version catalogs: ``gradle/libs.versions.toml`` and other ``gradle/*.versions.toml``.

A catalog only declares what the builds *may* use: a library in it counts once a build file
refers to it (``libs.guava``), and nothing in the catalog says in which configuration. Its
libraries are still recorded as direct runtime declarations, because most catalog entries are
used and leaving them out would hide what the organization depends on; build files resolve
their ``libs.…`` references against the same catalog and record the real scope there.

Plugins (``[plugins]``) are recorded under the Gradle plugin marker convention: plugin id
``org.jetbrains.kotlin.jvm`` is the Maven artifact
``org.jetbrains.kotlin.jvm:org.jetbrains.kotlin.jvm.gradle.plugin``, which is what Gradle
resolves and what lockfiles list, with scope build. A plugin without a version is left out:
such entries name the build's own convention plugins (``build-logic``) or plugins versioned
elsewhere (see gradle_build). Rich versions become one spec string:
``{strictly = "1.7"}`` → ``1.7!!`` and ``{strictly = "[1.7,1.8[", prefer = "1.7.25"}`` →
``[1.7,1.8[!!1.7.25`` (Gradle's own short notations), ``{require = "1.7"}`` → ``1.7``, and
other mixes ``{require 1.7; prefer 1.7.2; reject 1.7.1}`` as Gradle prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.pyproject import load_toml
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope

_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")  # a Maven group or artifact id
_VERSION = re.compile(r"^[0-9A-Za-z_][0-9A-Za-z_.+-]*$")
_RICH_KEYS = ("strictly", "require", "prefer", "reject")
_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def exact_version(spec: str | None) -> str | None:
    """The version a Gradle/Maven/Ivy version string pins, or None for ranges and dynamics.

    ``1.2.3`` and ``1.7!!`` (strictly) pin; ``1.+``, ``latest.release``, ``[1.0,2.0)`` and
    anything with an unresolved ``$`` do not.
    """
    if spec is None:
        return None
    value = spec.strip().removesuffix("!!")
    if not _VERSION.match(value) or value.endswith("+") or value.startswith("latest."):
        return None
    return value


def accessor(alias: str) -> str:
    """The path a build script uses for an alias: ``groovy-core`` → ``groovy.core``."""
    return re.sub(r"[-_.]", ".", alias)


def plugin_coordinates(plugin_id: str) -> tuple[str, str]:
    """(group, artifact) of the marker artifact Gradle resolves for a plugin id."""
    return plugin_id, f"{plugin_id}.gradle.plugin"


@dataclass(frozen=True)
class Entry:
    """A catalog library or plugin: Maven coordinates and its version."""

    alias: str
    group: str
    artifact: str
    spec: str | None


@dataclass
class Catalog:
    """A parsed catalog; accessor-keyed maps serve build scripts, ``problems`` the parser."""

    versions: dict[str, str | None] = field(default_factory=dict)  # by alias as written
    libraries: dict[str, Entry] = field(default_factory=dict)  # by accessor
    bundles: dict[str, list[Entry]] = field(default_factory=dict)  # by accessor
    plugins: dict[str, Entry] = field(default_factory=dict)  # by accessor
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # section, alias, text

    def version(self, path: str) -> str | None:
        """The spec of ``libs.versions.<path>``."""
        for alias, spec in self.versions.items():
            if accessor(alias) == path:
                return spec
        return None


def rich_spec(value: dict[str, Any]) -> str | None:
    """One spec string for a rich version table (see the module docstring)."""
    parts: dict[str, str] = {k: value[k] for k in _RICH_KEYS if isinstance(value.get(k), str)}
    if isinstance(value.get("reject"), list):
        parts["reject"] = ", ".join(str(v) for v in value["reject"])
    if "strictly" in parts and set(parts) <= {"strictly", "prefer"}:
        return f"{parts['strictly']}!!{parts.get('prefer', '')}"
    if set(parts) == {"require"}:
        return parts["require"]
    if not parts:
        return None
    return "{" + "; ".join(f"{key} {text}" for key, text in parts.items()) + "}"


class _Loader:
    """Turns the TOML document into a Catalog, collecting problems instead of failing."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.catalog = Catalog()

    def problem(self, section: str, alias: str, message: str) -> None:
        self.catalog.problems.append((section, alias, message))

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if isinstance(value, dict):
            return value
        self.problem(name, "", f"[{name}] must be a table")
        return {}

    def load(self) -> Catalog:
        for alias, value in self.section("versions").items():
            if isinstance(value, str):
                self.catalog.versions[alias] = value
            elif isinstance(value, dict):
                self.catalog.versions[alias] = rich_spec(value)
            else:
                self.problem("versions", alias, f"version {alias!r} must be a string or table")
        for alias, value in self.section("libraries").items():
            entry = self.library(alias, value)
            if entry is not None:
                self.catalog.libraries[accessor(alias)] = entry
        for alias, value in self.section("plugins").items():
            entry = self.plugin(alias, value)
            if entry is not None:
                self.catalog.plugins[accessor(alias)] = entry
        for alias, value in self.section("bundles").items():
            self.bundle(alias, value)
        return self.catalog

    def version(self, section: str, alias: str, value: Any) -> str | None:
        what = f"{'plugin' if section == 'plugins' else 'library'} {alias!r}"
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, dict) and "ref" in value:
            ref = value["ref"]
            if isinstance(ref, str) and ref in self.catalog.versions:
                return self.catalog.versions[ref]
            self.problem(section, alias, f"{what}: unknown version reference {ref!r}")
            return None
        if isinstance(value, dict):
            return rich_spec(value)
        self.problem(section, alias, f"{what}: version must be a string or table")
        return None

    def library(self, alias: str, value: Any) -> Entry | None:
        version: Any = None
        coordinates: list[Any]
        if isinstance(value, str):
            coordinates = value.split(":")
            if len(coordinates) == 3:
                coordinates, version = coordinates[:2], coordinates[2]
            shown = repr(value)
        elif isinstance(value, dict):
            module, version = value.get("module"), value.get("version")
            if isinstance(module, str):
                coordinates, shown = module.split(":"), f"module {module!r}"
            elif "group" in value or "name" in value:
                coordinates = [value.get("group"), value.get("name")]
                shown = f"group {value.get('group')!r} and name {value.get('name')!r}"
            else:
                self.problem("libraries", alias, f"library {alias!r} has no module or name")
                return None
        else:
            self.problem("libraries", alias, f"library {alias!r} must be a string or table")
            return None
        if len(coordinates) != 2 or not all(
            isinstance(p, str) and _PART.match(p) for p in coordinates
        ):
            self.problem("libraries", alias, f"library {alias!r}: invalid coordinates {shown}")
            return None
        spec = self.version("libraries", alias, version)
        return Entry(alias, coordinates[0], coordinates[1], spec or None)

    def plugin(self, alias: str, value: Any) -> Entry | None:
        version: Any = None
        if isinstance(value, str):
            plugin_id, _, version = value.partition(":")
        elif isinstance(value, dict) and isinstance(value.get("id"), str):
            plugin_id, version = value["id"], value.get("version")
        else:
            self.problem("plugins", alias, f"plugin {alias!r} has no id")
            return None
        if not _PART.match(plugin_id):
            self.problem("plugins", alias, f"plugin {alias!r}: invalid id {plugin_id!r}")
            return None
        group, artifact = plugin_coordinates(plugin_id)
        return Entry(alias, group, artifact, self.version("plugins", alias, version) or None)

    def bundle(self, alias: str, value: Any) -> None:
        if not isinstance(value, list):
            self.problem("bundles", alias, f"bundle {alias!r} must be an array of aliases")
            return
        members = []
        for item in value:
            entry = self.catalog.libraries.get(accessor(item)) if isinstance(item, str) else None
            if entry is None:
                self.problem("bundles", alias, f"bundle {alias!r}: unknown library {item!r}")
            else:
                members.append(entry)
        self.catalog.bundles[accessor(alias)] = members


def load_catalog(text: str) -> Catalog:
    """Parse catalog text (ManifestError when it is not TOML)."""
    return _Loader(load_toml(text)).load()


def alias_line(index: TextIndex, section: str, alias: str) -> int | None:
    """The line declaring ``alias`` in ``[section]`` (or its own ``[section.alias]`` table)."""
    own = index.find_table(section, alias)
    if own != -1:
        return index.line_of(own)
    start = index.find_table(section)
    if not alias:  # the section itself, maybe written as `versions = 3`
        start = start if start != -1 else index.find_key(section)
        return index.line_of(start) if start != -1 else None
    if start == -1:
        return None
    following = _HEADER.search(index.text, start + 1)
    end = following.start() if following else len(index.text)
    found = index.find_key(alias, start)
    return index.line_of(found) if found != -1 and found < end else None


class GradleCatalogParser(ManifestParser):
    """``*.versions.toml`` in a ``gradle/`` directory: libraries (runtime) and plugins (build)."""

    name = "gradle-catalog"
    parent_matters = True

    def matches(self, path: PurePosixPath) -> bool:
        return path.name.endswith(".versions.toml") and path.parent.name == "gradle"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        index = TextIndex(text)
        catalog = load_catalog(text)
        deps: list[Dependency] = []
        for section, entries, scope in (
            ("libraries", catalog.libraries, Scope.RUNTIME),
            ("plugins", catalog.plugins, Scope.BUILD),
        ):
            for entry in entries.values():
                if section == "plugins" and entry.spec is None:
                    continue  # a convention plugin of the build itself, or versioned elsewhere
                line = alias_line(index, section, entry.alias)
                deps.append(
                    Dependency(
                        Ecosystem.MAVEN, entry.artifact, entry.spec, exact_version(entry.spec),
                        scope, True, file.repo, file.path, line, namespace=entry.group,
                    )
                )  # fmt: skip
        problems = tuple(
            Problem(file.path, alias_line(index, section, alias), message, file.repo)
            for section, alias, message in catalog.problems
        )
        return ParsedManifest(file, tuple(deps), problems)

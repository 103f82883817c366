"""``Cargo.toml``: a crate's dependencies, dev- and build-dependencies, per target too.

Crate names are kept as written: crates.io treats ``-`` and ``_`` as the same crate when it
refuses look-alike names, but resolves and publishes them under the name as written.

``path`` dependencies inside the repository are the organization's own crates and are left
out. ``workspace = true`` entries inherit from ``[workspace.dependencies]`` of the workspace
root, found as Cargo finds it (this file, ``package.workspace``, or the nearest parent
directory's Cargo.toml with a ``[workspace]`` table, without leaving the repository). When
the root or its entry cannot be found, that is a problem, and the dependency is still
recorded under its key's name without a requirement: that it is used is known.
``[workspace.dependencies]`` themselves are only declarations: a member inheriting one is
what records it, so a virtual manifest records nothing. ``[patch]`` and ``[replace]`` are
left to Cargo.lock, which records what was really used.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.pyproject import load_toml
from analyzer.manifests.text import TextIndex, decode_text, pattern
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

# Cargo still accepts the old underscore spellings of the dev and build tables.
SECTIONS = (
    ("dependencies", Scope.RUNTIME),
    ("dev-dependencies", Scope.DEV),
    ("dev_dependencies", Scope.DEV),
    ("build-dependencies", Scope.BUILD),
    ("build_dependencies", Scope.BUILD),
)
CRATE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,199}$")
_PART = r"(?:\d+|\*|x|X)"
_SEMVER_TAIL = r"(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_COMPARATOR = re.compile(
    rf"^\s*(?:=|>=|<=|>|<|~|\^)?\s*{_PART}(?:\.{_PART}(?:\.{_PART}{_SEMVER_TAIL})?)?\s*$"
)
_EXACT = re.compile(rf"^\s*=\s*(\d+\.\d+\.\d+{_SEMVER_TAIL})\s*$")


def valid_requirement(spec: str) -> bool:
    """True for a Cargo version requirement: comparators such as ``^1.2, <1.5`` or ``*``."""
    return all(_COMPARATOR.match(part) for part in spec.split(","))


def git_spec(url: str, table: dict[str, Any]) -> str:
    """``url@ref`` for a git dependency: the branch, tag or rev it asks for, if any."""
    for key in ("rev", "tag", "branch"):
        if isinstance(table.get(key), str):
            return f"{url}@{table[key]}"
    return url


class CargoParser(ManifestParser):
    """Reads one Cargo.toml; workspace inheritance reads the workspace root beside it."""

    name = "cargo"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "Cargo.toml"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        reader = _Reader(file, TextIndex(text), load_toml(text))
        publishes = reader.own_package()
        for parts, table, scope in reader.tables():
            reader.read_table(parts, table, scope)
        return ParsedManifest(file, tuple(reader.records), tuple(reader.problems), publishes)


class _Reader:
    """Walks the dependency tables of one manifest, collecting records and problems."""

    def __init__(self, file: ManifestFile, index: TextIndex, data: dict[str, Any]) -> None:
        self.file = file
        self.index = index
        self.data = data
        self.records: list[Dependency] = []
        self.problems: list[Problem] = []
        self._workspace: tuple[dict[str, Any], str] | None = None
        self._looked_up = False

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def own_package(self) -> tuple[str, ...]:
        package = self.data.get("package", self.data.get("project"))  # [project]: old Cargo
        name = package.get("name") if isinstance(package, dict) else None
        if isinstance(name, str) and CRATE_NAME.match(name):
            return (purl(Ecosystem.CARGO, name),)
        if name is not None:
            line = self.index.line_of(self.index.find_key("name", self.index.find_table("package")))
            self.problem(line, f"invalid package name {name!r}")
        return ()

    def tables(self) -> list[tuple[tuple[str, ...], Any, Scope]]:
        """(header parts, table, scope) of every dependency table, targets included."""
        found: list[tuple[tuple[str, ...], Any, Scope]] = [
            ((key,), self.data[key], scope) for key, scope in SECTIONS if key in self.data
        ]
        targets = self.data.get("target")
        if isinstance(targets, dict):
            for cfg, sections in targets.items():
                if not isinstance(sections, dict):
                    continue  # Cargo rejects it; the tables it could hold are not there
                for key, scope in SECTIONS:
                    if key in sections:
                        found.append((("target", cfg, key), sections[key], scope))
        return found

    def read_table(self, parts: tuple[str, ...], table: Any, scope: Scope) -> None:
        start, end = self._span(parts)
        if not isinstance(table, dict):
            self.problem(self._key_line(parts, start), f"{'.'.join(parts)} must be a table")
            return
        for alias, value in table.items():
            line = self._entry_line(parts, alias, start, end)
            try:
                record = self._dependency(alias, value, scope, line)
            except ManifestError as exc:
                self.problem(line, f"{alias}: {exc.message}")
                continue
            if record is not None:
                self.records.append(record)

    def _dependency(
        self, alias: str, value: Any, scope: Scope, line: int | None
    ) -> Dependency | None:
        base = posixpath.dirname(self.file.path)
        if isinstance(value, str):
            value = {"version": value}
        if not isinstance(value, dict):
            raise ManifestError(f"expected a version string or a table, not {value!r}")
        if "workspace" in value:
            if value["workspace"] is not True:
                raise ManifestError("workspace must be true")
            inherited, base = self._inherited(alias, line)
            # A member may add features and make the dependency optional, nothing else.
            value = {**inherited, **{k: v for k, v in value.items() if k == "optional"}}
        name = value.get("package", alias)
        if not isinstance(name, str) or not CRATE_NAME.match(name):
            raise ManifestError(f"invalid crate name {name!r}")
        spec, version, source = self._source(value, base)
        if source is None:
            return None
        if value.get("optional") is True and scope is Scope.RUNTIME:
            scope = Scope.OPTIONAL
        return Dependency(
            Ecosystem.CARGO, name, spec, version, scope, True,
            self.file.repo, self.file.path, line, source=source,
        )  # fmt: skip

    def _source(
        self, value: dict[str, Any], base: str
    ) -> tuple[str | None, str | None, str | None]:
        """(spec, version, source) of a dependency table; source None for own code."""
        requirement = value.get("version")
        if requirement is not None and not isinstance(requirement, str):
            raise ManifestError(f"version must be a string, not {requirement!r}")
        if requirement is not None and not valid_requirement(requirement):
            raise ManifestError(f"invalid version requirement {requirement!r}")
        path, git = value.get("path"), value.get("git")
        if isinstance(path, str):
            if _inside_repository(self.file, base, path):
                return None, None, None  # the organization's own crate
            return requirement or path, None, "path"
        if isinstance(git, str):
            return git_spec(git, value), None, "vcs"
        if path is not None or git is not None:
            raise ManifestError("path and git must be strings")
        exact = _EXACT.match(requirement) if requirement else None
        return requirement, exact.group(1) if exact else None, "registry"

    def _inherited(self, alias: str, line: int | None) -> tuple[dict[str, Any], str]:
        """The ``[workspace.dependencies]`` entry ``alias`` inherits, and the root's directory."""
        if not self._looked_up:
            self._looked_up = True
            self._workspace = self._find_workspace(line)
        if self._workspace is None:
            return {}, posixpath.dirname(self.file.path)
        declared, root = self._workspace
        entry = declared.get(alias)
        if isinstance(entry, str):
            return {"version": entry}, root
        if isinstance(entry, dict) and "workspace" not in entry:
            return entry, root
        self.problem(
            line, f"{alias}: workspace = true, but [workspace.dependencies] has no {alias!r}"
        )
        return {}, root

    def _find_workspace(self, line: int | None) -> tuple[dict[str, Any], str] | None:
        """The workspace root's dependency table and directory, or None after a problem."""
        directory = posixpath.dirname(self.file.path)
        if isinstance(self.data.get("workspace"), dict):
            return _declared(self.data["workspace"]), directory
        package = self.data.get("package")
        pointer = package.get("workspace") if isinstance(package, dict) else None
        if isinstance(pointer, str):  # package.workspace names the root's directory
            inside = _inside_repository(self.file, directory, pointer)
            candidates = [posixpath.normpath(posixpath.join(directory, pointer))] if inside else []
        else:
            candidates = _parent_directories(self.file)
        for candidate in candidates:
            path = posixpath.join("" if candidate == "." else candidate, "Cargo.toml")
            try:
                root = load_toml(decode_text(self.file.read_related(path)))
            except SourceError:
                continue
            except ManifestError as exc:
                self.problem(line, f"cannot read the workspace root {path}: {exc.message}")
                return None
            if isinstance(root.get("workspace"), dict):
                return _declared(root["workspace"]), candidate
        self.problem(line, "workspace = true, but no workspace root Cargo.toml was found")
        return None

    def _span(self, parts: tuple[str, ...]) -> tuple[int, int]:
        """Text offsets of a table's body: from its header to the next header."""
        start = self.index.find_table(*parts)
        if start == -1:
            return -1, len(self.index.text)
        following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(self.index.text, start + 1)
        return start, following.start() if following else len(self.index.text)

    def _key_line(self, parts: tuple[str, ...], start: int) -> int | None:
        """The line of a table's header, or of its key inside the parent table."""
        if start == -1:
            parent = self.index.find_table(*parts[:-1]) if len(parts) > 1 else 0
            start = self.index.find_key(parts[-1], max(parent, 0), inline=True)
        return self.index.line_of(start)

    def _entry_line(self, parts: tuple[str, ...], alias: str, start: int, end: int) -> int | None:
        header = self.index.find_table(*parts, alias)  # [dependencies.serde]
        if header != -1:
            return self.index.line_of(header)
        quoted = "|".join(re.escape(form) for form in (alias, f'"{alias}"', f"'{alias}'"))
        lead = r"^[ \t]*" if start != -1 else r"(?:^|[{,])[ \t]*"  # inline tables elsewhere
        found = pattern(rf"{lead}(?:{quoted})[ \t]*[=.]", re.MULTILINE).search(
            self.index.text, max(start, 0), end
        )
        return self.index.line_of(found.start()) if found else self.index.line_of(start)


def _declared(workspace: dict[str, Any]) -> dict[str, Any]:
    table = workspace.get("dependencies")
    return table if isinstance(table, dict) else {}


def _parent_directories(file: ManifestFile) -> list[str]:
    """The directories above the manifest's, up to and including the repository's own."""
    repo = "" if file.repo_path in ("", ".") else file.repo_path.rstrip("/")
    current, found = posixpath.dirname(file.path), []
    while current and current != repo and (not repo or current.startswith(repo + "/")):
        current = posixpath.dirname(current)
        found.append(current)
    return found


def _inside_repository(file: ManifestFile, base: str, path: str) -> bool:
    """True when ``path``, relative to the directory ``base``, stays inside the repository."""
    repo = "" if file.repo_path in ("", ".") else file.repo_path.rstrip("/")
    rest = path.replace("\\", "/")
    if rest.startswith("/") or re.match(r"^[A-Za-z]:", rest):
        return False
    joined = posixpath.normpath(posixpath.join(base, rest))
    if not repo:
        return joined != ".." and not joined.startswith("../")
    return joined == repo or joined.startswith(repo + "/")

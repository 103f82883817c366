"""``pyproject.toml``: PEP 621 project metadata, PEP 735 dependency groups, build requires."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.pep508 import Where, parse_requirement, requirement_dependency
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_MAX_GROUP_DEPTH = 50


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML, turning tomllib's error into a ManifestError with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        message = str(exc).split(" (at line")[0]
        raise ManifestError(f"invalid TOML: {message}", line) from None
    except RecursionError:
        raise ManifestError("invalid TOML: nested too deeply") from None


class PyprojectParser(ManifestParser):
    """Standard tables only; tool-specific tables (Poetry, PDM, uv, Hatch) have their own."""

    name = "pyproject"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "pyproject.toml"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        data = load_toml(text)
        reader = _Reader(file, TextIndex(text))
        project = data.get("project")
        publishes: tuple[str, ...] = ()
        own_name = None
        if isinstance(project, dict):
            if isinstance(project.get("name"), str) and project["name"].strip():
                own_name = canonicalize_name(project["name"])
                publishes = (purl(Ecosystem.PYPI, own_name),)
            reader.read_project(project, own_name)
        groups = data.get("dependency-groups")
        if groups is not None:
            reader.read_groups(groups, own_name)
        build = data.get("build-system")
        if isinstance(build, dict) and "requires" in build:
            anchor = reader.index.find_table("build-system")
            reader.read_list(build["requires"], "build-system.requires", Scope.BUILD, anchor)
        return ParsedManifest(
            file, tuple(reader.dependencies), tuple(reader.problems), publishes=publishes
        )


class _Reader:
    """Collects records and problems while walking the parsed document."""

    def __init__(self, file: ManifestFile, index: TextIndex) -> None:
        self.file = file
        self.index = index
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def read_project(self, project: dict[str, Any], own_name: str | None) -> None:
        table = self.index.find_table("project")
        if "dependencies" in project:
            anchor = self.index.find_key("dependencies", table)
            self.read_list(
                project["dependencies"], "project.dependencies", Scope.RUNTIME, anchor, own_name
            )
        extras = project.get("optional-dependencies")
        if extras is None:
            return
        if not isinstance(extras, dict):
            self.problem(None, "project.optional-dependencies must be a table")
            return
        base = self.index.find_table("project", "optional-dependencies")
        if base == -1:
            base = self.index.find_key("optional-dependencies", table)
        for extra, items in extras.items():
            anchor = self.index.find_key(extra, base)
            scope = scope_hint(extra) or Scope.OPTIONAL
            key = f"project.optional-dependencies.{extra}"
            self.read_list(items, key, scope, anchor, own_name)

    def read_groups(self, groups: Any, own_name: str | None) -> None:
        if not isinstance(groups, dict):
            self.problem(None, "dependency-groups must be a table")
            return
        base = self.index.find_table("dependency-groups")
        for group in groups:
            scope = scope_hint(group) or Scope.DEV
            for text, anchor in self._group_items(groups, group, base, ()):
                self.read_list([text], f"dependency-groups.{group}", scope, anchor, own_name)

    def _group_items(
        self, groups: dict[str, Any], group: str, base: int, stack: tuple[str, ...]
    ) -> Iterator[tuple[str, int]]:
        """The requirement strings of a group with include-group expanded (PEP 735)."""
        items = groups.get(group)
        anchor = self.index.find_key(group, base)
        if not isinstance(items, list):
            self.problem(self.index.line_of(anchor), f"dependency group {group!r} is not a list")
            return
        for item in items:
            if isinstance(item, str):
                yield item, anchor
                found = self.index.find_string(item, anchor)
                anchor = found + 1 if found != -1 else anchor
            elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
                included = item["include-group"]
                if included in stack or included == group or len(stack) > _MAX_GROUP_DEPTH:
                    line = self.index.line_of(anchor)
                    self.problem(line, f"dependency group include cycle at {included!r}")
                elif included not in groups:
                    line = self.index.line_of(anchor)
                    self.problem(line, f"dependency group {included!r} is not defined")
                else:
                    yield from self._group_items(groups, included, base, (*stack, group))
            else:
                line = self.index.line_of(anchor)
                self.problem(line, f"unsupported entry in dependency group {group!r}: {item!r}")

    def read_list(
        self, items: Any, key: str, scope: Scope, anchor: int, own_name: str | None = None
    ) -> None:
        if not isinstance(items, list):
            self.problem(self.index.line_of(anchor), f"{key} must be a list of strings")
            return
        cursor = anchor
        for item in items:
            if not isinstance(item, str):
                self.problem(self.index.line_of(cursor), f"{key}: {item!r} is not a string")
                continue
            found = self.index.find_string(item, cursor)
            line = self.index.line_of(found) if found != -1 else None
            cursor = found + 1 if found != -1 else cursor
            try:
                requirement = parse_requirement(item)
            except ManifestError as exc:
                self.problem(line, exc.message)
                continue
            if own_name and canonicalize_name(requirement.name) == own_name:
                continue  # "pkg[extra]" inside pkg's own extras points at itself
            where = Where(self.file.repo, self.file.path, line, scope)
            self.dependencies.append(requirement_dependency(requirement, item, where))

"""``pyproject.toml``: PEP 621 project metadata, PEP 735 dependency groups, build requires."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import tomli
from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.pep508 import (
    Where,
    is_local_directory,
    parse_requirement,
    requirement_dependency,
    simple_dependency,
)
from analyzer.manifests.pyproject_tools import read_tool_tables  # Poetry, PDM, uv, Hatch
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_MAX_GROUP_DEPTH = 50
_MAX_EXPANSIONS = 10_000


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML, turning the parser's error into a ManifestError with its line.

    tomli is what the standard library's tomllib was taken from, with the same results, but
    compiled (about twice as fast: lockfiles are the biggest manifests) and bounded where
    tomllib 3.11 is not: a key of tens of thousands of dotted parts takes tomllib quadratic
    time and memory (gigabytes for a file of 60 kB), tomli refuses it.
    """
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        # the message ends in the position: "... (at line 3, column 5)"
        where = re.search(r" \(at line (\d+), column \d+\)| \(at end of document\)", str(exc))
        line: int | None = getattr(exc, "lineno", None)
        if where is not None and not where.group(1):  # the end: the last line with text
            line = text.rstrip().count("\n") + 1
        elif line is None and where is not None:
            line = int(where.group(1))
        message = str(exc)[: where.start()] if where else str(exc)
        raise ManifestError(f"invalid TOML: {message}", line) from None
    except RecursionError as exc:  # tomli says which bound: nesting, or the parts of a key
        raise ManifestError(f"invalid TOML: {exc or 'nested too deeply'}") from None


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
            elif "name" in project:
                reader.problem(reader.key_line("name"), "project.name must be a string")
            reader.read_project(project, own_name)
        elif project is not None:
            reader.problem(reader.key_line("project"), "project must be a table")
        groups = data.get("dependency-groups")
        if groups is not None:
            reader.read_groups(groups, own_name)
        build = data.get("build-system")
        if build is not None and not isinstance(build, dict):
            reader.problem(reader.key_line("build-system"), "build-system must be a table")
        if isinstance(build, dict) and "requires" in build:
            anchor = reader.index.find_key("requires", reader.index.find_table("build-system"))
            reader.read_list(build["requires"], "build-system.requires", Scope.BUILD, anchor)
        tools = read_tool_tables(data, reader.index, file, reader.dependencies)
        reader.dependencies[:] = tools.dependencies
        reader.problems.extend(tools.problems)
        publishes += tools.publishes
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
        self._cycles: set[frozenset[str]] = set()
        self._expansions = 0

    def problem(self, line: int | None, message: str) -> None:
        problem = Problem(self.file.path, line, message, self.file.repo)
        if problem not in self.problems:  # an included group can repeat its problems
            self.problems.append(problem)

    def key_line(self, key: str, start: int = 0) -> int | None:
        return self.index.line_of(self.index.find_key(key, start, inline=True))

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
            line = self.key_line("optional-dependencies", table)
            self.problem(line, "project.optional-dependencies must be a table")
            return
        base = self.index.find_table("project", "optional-dependencies")
        if base == -1:  # an inline table or dotted keys inside [project]
            base = max(self.index.find_key("optional-dependencies", table, inline=True), table)
        for extra, items in extras.items():
            anchor = self.index.find_key(extra, base, inline=True)
            scope = scope_hint(extra) or Scope.OPTIONAL
            key = f"project.optional-dependencies.{extra}"
            self.read_list(items, key, scope, anchor, own_name)

    def read_groups(self, groups: Any, own_name: str | None) -> None:
        if not isinstance(groups, dict):
            self.problem(self.key_line("dependency-groups"), "dependency-groups must be a table")
            return
        base = self.index.find_table("dependency-groups")
        if base == -1:
            base = self.index.find_key("dependency-groups", inline=True)
        # PEP 735 compares group names normalized, as it does package names.
        names: dict[str, str] = {canonicalize_name(g): g for g in groups}
        emitted: set[tuple[int, Scope]] = set()  # one record per string and scope
        for group in groups:
            scope = scope_hint(group) or Scope.DEV
            for text, anchor in self._group_items(groups, names, group, base, ()):
                found = self.index.find_string(text, anchor)
                if found != -1 and (found, scope) in emitted:
                    continue
                emitted.add((found, scope))
                self.read_list([text], f"dependency-groups.{group}", scope, anchor, own_name)

    def _group_items(
        self, groups: dict[str, Any], names: dict[str, str], group: str, base: int,
        stack: tuple[str, ...],
    ) -> Iterator[tuple[str, int]]:  # fmt: skip
        """The requirement strings of a group with include-group expanded (PEP 735)."""
        items = groups.get(group)
        anchor = self.index.find_key(group, base, inline=True)
        if not isinstance(items, list):
            self.problem(self.index.line_of(anchor), f"dependency group {group!r} is not a list")
            return
        stack = (*stack, group)
        for item in items:
            if isinstance(item, str):
                yield item, anchor
                found = self.index.find_string(item, anchor)
                anchor = found + 1 if found != -1 else anchor
                continue
            included = item.get("include-group") if isinstance(item, dict) else None
            if not isinstance(included, str):
                line = self.index.line_of(anchor)
                self.problem(line, f"unsupported entry in dependency group {group!r}: {item!r}")
                continue
            found = self.index.find_string(included, anchor)
            anchor = found + 1 if found != -1 else anchor
            line = self.index.line_of(found)
            target = names.get(canonicalize_name(included))
            if target is None:
                self.problem(
                    line, f"dependency group {group!r} includes {included!r}, which is not defined"
                )
            elif target in stack:
                self.report_cycle(line, stack[stack.index(target) :])
            elif len(stack) > _MAX_GROUP_DEPTH or self._expansions > _MAX_EXPANSIONS:
                self.problem(line, f"dependency group {group!r} includes too many groups; stopped")
            else:
                self._expansions += 1  # includes of includes can multiply: bound the work
                yield from self._group_items(groups, names, target, base, stack)

    def report_cycle(self, line: int | None, cycle: tuple[str, ...]) -> None:
        """One problem per cycle, however many of its groups are read."""
        key = frozenset(cycle)
        if key in self._cycles:
            return
        self._cycles.add(key)
        chain = " -> ".join((*cycle, cycle[0]))
        self.problem(line, f"dependency group include cycle {chain}; not followed again")

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
            where = Where(self.file.repo, self.file.path, line, scope)
            simple = simple_dependency(item, where)
            if simple is not None:
                if not own_name or simple.name != own_name:
                    self.dependencies.append(simple)
                continue
            try:
                requirement = parse_requirement(item)
            except ManifestError as exc:
                self.problem(line, exc.message)
                continue
            if own_name and canonicalize_name(requirement.name) == own_name:
                continue  # "pkg[extra]" inside pkg's own extras points at itself
            if requirement.url and is_local_directory(requirement.url):
                continue  # "lib @ file:///${PROJECT_ROOT}/lib": the organization's own code
            self.dependencies.append(requirement_dependency(requirement, item, where))

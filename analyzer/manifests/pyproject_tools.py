"""Tool tables of ``pyproject.toml``: Poetry, PDM, uv and Hatch dependency declarations.

``PyprojectParser`` reads the standard tables and hands the parsed document here. Conventions
beyond the shared ones:

- Poetry constraints are kept as declared (``^1.2``, ``~1.2``, ``>=1 <2``, ends stripped); ``*``
  means no constraint (spec None); a bare or ``==`` version is a pin and also fills ``version``.
  A list of alternatives (``foo = [{version = "^1", python = "<3.8"}, {version = "^2"}]``) is
  one record whose spec joins the distinct alternatives with `` || ``, Poetry's own "or"; it is
  a registry dependency when any alternative comes from an index.
- ``optional = true`` makes a main Poetry dependency optional (or the scope its extra's name
  suggests); inside a group it keeps the group's scope.
- Path dependencies, PDM ``-e`` local paths, ``${PROJECT_ROOT}``/``{root}`` references and uv
  ``workspace``/``path`` sources are the organization's own code and give no record; uv
  workspace members are reported in ``publishes``.
- ``[tool.uv.sources]`` rewrites the records uv reads (PEP 621, dependency groups, build
  requires, ``tool.uv.dev-dependencies``): a git or URL source replaces spec and source.
- A package declared both in a standard table and a tool table gives one record for each.

This module reads PDM, Hatch and uv and is the entry point (``read_tool_tables``);
:mod:`pyproject_poetry` reads Poetry, :mod:`pyproject_tool_reader` holds what they share.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.interface import scope_hint
from analyzer.manifests.pep508 import (
    Where,
    direct_reference,
    is_local_directory,
    parse_requirement,
    requirement_dependency,
)
from analyzer.manifests.pyproject_poetry import read_poetry
from analyzer.manifests.pyproject_tool_reader import (
    VCS,
    Source,
    ToolReader,
    locate,
    reference,
    with_archive_version,
)
from analyzer.manifests.text import TextIndex
from analyzer.model import Dependency, Ecosystem, ManifestFile, Problem, Scope
from analyzer.model import package_purl as purl

_LOCAL_MARKERS = ("${PROJECT_ROOT}", "{root")  # PDM's and Hatch's spellings of "this project"


@dataclass
class ToolTables:
    """All records (the declared ones as uv sees them, then the tools'), problems, publishes."""

    dependencies: list[Dependency] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    publishes: tuple[str, ...] = ()


def read_tool_tables(
    data: dict[str, Any], index: TextIndex, file: ManifestFile, declared: list[Dependency]
) -> ToolTables:
    """Read ``[tool.poetry|pdm|uv|hatch]``; ``declared`` are the standard tables' records."""
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return ToolTables(list(declared))
    project_name = _name_of(data.get("project"))
    reader = _ToolReader(file, index, project_name or _name_of(tool.get("poetry")))
    uv = reader.table(tool.get("uv"), ("tool", "uv"))
    if uv is not None and "dev-dependencies" in uv:
        anchor = locate(index, ("tool", "uv"), "dev-dependencies")
        reader.read_strings(uv["dev-dependencies"], "tool.uv.dev-dependencies", Scope.DEV, anchor)
    reader.dependencies = reader.apply_uv_sources(uv, [*declared, *reader.dependencies])
    read_poetry(reader, tool.get("poetry"))
    reader.read_pdm(tool.get("pdm"))
    reader.read_hatch(tool.get("hatch"))
    publishes = list(reader.workspace)
    if reader.own_name and not project_name:  # Poetry 1 names the package in [tool.poetry]
        publishes.insert(0, purl(Ecosystem.PYPI, reader.own_name))
    return ToolTables(reader.dependencies, reader.problems, tuple(dict.fromkeys(publishes)))


def _name_of(table: Any) -> str | None:
    if isinstance(table, dict) and isinstance(table.get("name"), str) and table["name"].strip():
        return canonicalize_name(table["name"])
    return None


class _ToolReader(ToolReader):
    """The shared reader plus PDM, Hatch and uv tables, and the uv workspace members."""

    def __init__(self, file: ManifestFile, index: TextIndex, own_name: str | None) -> None:
        super().__init__(file, index, own_name)
        self.workspace: list[str] = []

    def read_pdm(self, value: Any) -> None:
        path = ("tool", "pdm", "dev-dependencies")
        groups = self.table((self.table(value, path[:2]) or {}).get(path[2]), path)
        for group, items in (groups or {}).items():
            anchor = locate(self.index, path, group)
            self.read_strings(
                items, f"{'.'.join(path)}.{group}", scope_hint(group) or Scope.DEV, anchor
            )

    def read_hatch(self, value: Any) -> None:
        base = ("tool", "hatch", "envs")
        envs = self.table((self.table(value, base[:2]) or {}).get("envs"), base)
        for env, body in (envs or {}).items():
            path = (*base, env)
            if (body := self.table(body, path)) is None:
                continue
            scope = scope_hint(env) or Scope.DEV  # the "default" environment is a dev shell too
            for key in ("dependencies", "extra-dependencies"):
                if key in body:
                    anchor = locate(self.index, path, key)
                    self.read_strings(body[key], f"{'.'.join(path)}.{key}", scope, anchor)

    def read_strings(self, items: Any, label: str, scope: Scope, anchor: int) -> None:
        """A list of PEP 508 strings (PDM also allows ``-e``); lines follow the list's key."""
        if not isinstance(items, list):
            self.problem(anchor, f"{label} must be a list of strings")
            return
        cursor = anchor
        for item in items:
            if not isinstance(item, str):
                self.problem(cursor, f"{label}: {item!r} is not a string")
                continue
            found = self.index.find_string(item, cursor)
            offset = found if found != -1 else anchor
            cursor = found + 1 if found != -1 else cursor
            try:
                self.read_string(item.strip(), scope, offset)
            except ManifestError as exc:
                self.problem(offset, exc.message)

    def read_string(self, text: str, scope: Scope, offset: int) -> None:
        if any(marker in text for marker in _LOCAL_MARKERS):
            return  # a path inside this project: its own code
        if re.match(r"-e\s", text):
            text = text[2:].strip()
            if " @ " not in text:
                self.read_editable(text, scope, offset)
                return
        requirement = parse_requirement(text)
        if canonicalize_name(requirement.name) == self.own_name:
            return  # "pkg[test]" in a dev group installs the project itself
        if requirement.url and is_local_directory(requirement.url):
            return  # "pkg @ file:///abs/libs/pkg": a directory of the organization's tree
        where = Where(self.file.repo, self.file.path, self.index.line_of(offset), scope)
        self.dependencies.append(requirement_dependency(requirement, text, where))

    def read_editable(self, target: str, scope: Scope, offset: int) -> None:
        """PDM's ``-e git+URL#egg=name`` (a VCS checkout) or ``-e ./path`` (local, skipped)."""
        if not target.lower().startswith(tuple(f"{vcs}+" for vcs in VCS)):
            return
        where = Where(self.file.repo, self.file.path, self.index.line_of(offset), scope)
        dep = direct_reference(target, where)  # named by #egg=, else a ManifestError
        if dep is not None and dep.name != self.own_name:
            self.dependencies.append(dep)

    def apply_uv_sources(
        self, uv: dict[str, Any] | None, records: list[Dependency]
    ) -> list[Dependency]:
        """Records as uv installs them: git/URL sources replace spec, local ones are dropped."""
        path = ("tool", "uv", "sources")
        resolved: dict[str, Source] = {}
        for name, value in (self.table((uv or {}).get("sources"), path) or {}).items():
            try:
                resolved[canonicalize_name(name)] = found = _uv_source(value)
            except ManifestError as exc:
                self.problem(
                    locate(self.index, path, name), f"{'.'.join(path)}.{name}: {exc.message}"
                )
                continue
            if found.source == "workspace":
                self.workspace.append(purl(Ecosystem.PYPI, canonicalize_name(name)))
        result = []
        for dep in records:
            found = resolved.get(dep.name, Source(None, "registry"))
            if found.source == "registry":
                result.append(dep)
            elif found.source not in ("path", "workspace"):
                found = with_archive_version(dep.name, found)
                result.append(
                    dataclasses.replace(
                        dep, spec=found.spec, version=found.version, source=found.source
                    )
                )
        return result


def _uv_source(value: Any) -> Source:
    """One ``[tool.uv.sources]`` entry; a list of marker-qualified entries counts as one."""
    entries = value if isinstance(value, list) else [value]
    found: list[Source] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ManifestError(f"unsupported source {entry!r}")
        if entry.get("workspace") is True:
            found.append(Source(None, "workspace"))
        elif "path" in entry:
            found.append(Source(None, "path"))
        elif (vcs_or_url := reference(entry)) is not None:
            found.append(vcs_or_url)
        elif "index" in entry:
            found.append(Source(None, "registry"))  # a named index is still a registry
        else:
            raise ManifestError(f"unsupported source {entry!r}")
    if not found:
        raise ManifestError("empty list of sources")
    return next((f for f in found if f.source == "registry"), found[0])

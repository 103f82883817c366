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
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from analyzer.errors import ManifestError
from analyzer.manifests.interface import scope_hint
from analyzer.manifests.pep508 import (
    Where,
    archive_name,
    is_local_directory,
    parse_requirement,
    redact_url,
    requirement_dependency,
    url_source,
)
from analyzer.manifests.text import TextIndex
from analyzer.model import Dependency, Ecosystem, ManifestFile, Problem, Scope
from analyzer.model import package_purl as purl

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
# Poetry constraints, checked with whitespace removed. A version without an operator must
# follow a separator, which keeps the pattern unambiguous (no catastrophic backtracking).
_OP = r"(?:\^|~=|~|===|==|!=|<=|>=|<|>|=)"
_VER = r"(?:\*|v?\d[\w.*+!-]*)"
_CONSTRAINT = re.compile(rf"^{_OP}?{_VER}(?:(?:,|\|\|?){_OP}?{_VER}|{_OP}{_VER})*$")
_PIN = re.compile(r"^(?:===|==|=)?\s*(\d[\w.+!-]*)$")
_WILDCARD = re.compile(r"[*]|\.[xX](?:\.|$)")
_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_VCS = ("git", "hg", "svn", "bzr")
_SCP = re.compile(r"^([\w.-]+@[\w.-]+):(?!//)(.+)$")
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
    reader.read_poetry(tool.get("poetry"))
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


def locate(index: TextIndex, path: tuple[str, ...], key: str) -> int:
    """Offset of ``key`` under the table ``path``, in any TOML spelling; -1 when not found.

    Tries ``[path.key]``, then ``key =`` in ``[path]``, then dotted keys and inline tables in
    each enclosing table (``[tool.poetry]`` ``dependencies.foo = ...``) up to the document root.
    Each search stops at the next table header, so a name in a later table is not mistaken.
    """
    own = index.find_table(*path, key)
    if own != -1:
        return own
    text = index.text
    for depth in range(len(path), -1, -1):
        start = index.find_table(*path[:depth]) if depth else 0
        if start == -1:
            continue
        if depth:
            newline = text.find("\n", start)
            start = len(text) if newline == -1 else newline + 1
        end_match = _HEADER.search(text, start)
        end = end_match.start() if end_match else len(text)
        found = _find_dotted(text, (*path[depth:], key), start, end)
        if found != -1:
            return found
    return -1


def _find_dotted(text: str, keys: tuple[str, ...], start: int, end: int) -> int:
    """Offset of the last of ``keys`` written as a key chain between ``start`` and ``end``."""
    position = -1
    for key in keys:
        k = re.escape(key)
        pattern = rf"(?:^[ \t]*|[{{,.][ \t]*)(?P<k>{k}|\"{k}\"|'{k}')[ \t]*(?=[.=])"
        match = re.compile(pattern, re.MULTILINE).search(text, start, end)
        if match is None:
            return -1
        position, start = match.start("k"), match.end()
    return position


@dataclass(frozen=True)
class _Source:
    """One way to get a package: a constraint on an index, a VCS or URL reference, or a path."""

    spec: str | None
    source: str  # registry | vcs | url | path | workspace
    version: str | None = None
    optional: bool = False


class _ToolReader:
    """Collects records and problems while walking the tool tables."""

    def __init__(self, file: ManifestFile, index: TextIndex, own_name: str | None) -> None:
        self.file = file
        self.index = index
        self.own_name = own_name
        self.dependencies: list[Dependency] = []
        self.problems: list[Problem] = []
        self.workspace: list[str] = []

    def problem(self, offset: int, message: str) -> None:
        line = self.index.line_of(offset) if offset != -1 else None
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def table(self, value: Any, path: tuple[str, ...]) -> dict[str, Any] | None:
        """``value`` when it is a table; anything else but absence is a problem."""
        if value is None or isinstance(value, dict):
            return value
        self.problem(locate(self.index, path[:-1], path[-1]), f"{'.'.join(path)} must be a table")
        return None

    def record(self, name: str, found: _Source, scope: Scope, offset: int) -> None:
        line = self.index.line_of(offset) if offset != -1 else None
        found = _with_archive_version(name, found)
        dep = Dependency(
            Ecosystem.PYPI, canonicalize_name(name), found.spec, found.version, scope, True,
            self.file.repo, self.file.path, line, source=found.source,
        )  # fmt: skip
        self.dependencies.append(dep)

    def read_poetry(self, value: Any) -> None:
        base = ("tool", "poetry")
        poetry = self.table(value, base)
        if not poetry:
            return
        extras = _extras_by_package(poetry.get("extras"))
        self.read_poetry_table(poetry.get("dependencies"), (*base, "dependencies"), None, extras)
        dev = poetry.get("dev-dependencies")
        self.read_poetry_table(dev, (*base, "dev-dependencies"), Scope.DEV, {})
        for group, body in (self.table(poetry.get("group"), (*base, "group")) or {}).items():
            path = (*base, "group", group)
            if (body := self.table(body, path)) is not None:
                # Poetry's implicit "main" group may also be spelled out; it is runtime.
                scope = Scope.RUNTIME if group == "main" else scope_hint(group) or Scope.DEV
                self.read_poetry_table(body.get("dependencies"), (*path, "dependencies"), scope, {})

    def read_poetry_table(
        self, value: Any, path: tuple[str, ...], scope: Scope | None, extras: dict[str, Scope]
    ) -> None:
        """One ``dependencies`` table; ``scope`` None means the main (runtime) table."""
        label = ".".join(path)
        for name, entry in (self.table(value, path) or {}).items():
            offset = locate(self.index, path, name)
            if name.lower() == "python" or canonicalize_name(name) == self.own_name:
                continue
            if not _NAME.match(name):
                self.problem(offset, f"invalid package name {name!r} in {label}")
                continue
            try:
                found = _poetry_dependency(entry)
            except ManifestError as exc:
                self.problem(offset, f"{label}.{name}: {exc.message}")
                continue
            if found is None:
                continue  # a path dependency: the organization's own code
            dep_scope = scope or Scope.RUNTIME
            if scope is None and found.optional:
                dep_scope = extras.get(canonicalize_name(name), Scope.OPTIONAL)
            self.record(name, found, dep_scope, offset)

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
        line = self.index.line_of(offset) if offset != -1 else None
        where = Where(self.file.repo, self.file.path, line, scope)
        self.dependencies.append(requirement_dependency(requirement, text, where))

    def read_editable(self, target: str, scope: Scope, offset: int) -> None:
        """PDM's ``-e git+URL#egg=name`` (a VCS checkout) or ``-e ./path`` (local, skipped)."""
        if not target.lower().startswith(tuple(f"{vcs}+" for vcs in _VCS)):
            return
        egg = _EGG.search(target)
        if egg is None:
            raise ManifestError(f"cannot tell the package name of {target!r} (add #egg=NAME)")
        if canonicalize_name(egg.group(1)) != self.own_name:
            self.record(egg.group(1), _Source(redact_url(target), "vcs"), scope, offset)

    def apply_uv_sources(
        self, uv: dict[str, Any] | None, records: list[Dependency]
    ) -> list[Dependency]:
        """Records as uv installs them: git/URL sources replace spec, local ones are dropped."""
        path = ("tool", "uv", "sources")
        resolved: dict[str, _Source] = {}
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
            found = resolved.get(dep.name, _Source(None, "registry"))
            if found.source == "registry":
                result.append(dep)
            elif found.source not in ("path", "workspace"):
                found = _with_archive_version(dep.name, found)
                result.append(
                    dataclasses.replace(
                        dep, spec=found.spec, version=found.version, source=found.source
                    )
                )
        return result


def _with_archive_version(name: str, found: _Source) -> _Source:
    """A URL to a wheel or sdist of this very package fixes its version (as in PEP 508)."""
    archive = archive_name(found.spec) if found.source == "url" and found.spec else None
    if archive is not None and archive[0] == canonicalize_name(name):
        return dataclasses.replace(found, version=archive[1])
    return found


def _poetry_dependency(entry: Any) -> _Source | None:
    """One Poetry dependency (a value or a list of alternatives); None for a local path."""
    alternatives = [_poetry_value(v) for v in (entry if isinstance(entry, list) else [entry])]
    kept = [a for a in alternatives if a.source != "path"]
    if not kept:
        return None
    specs = list(dict.fromkeys(a.spec or "*" for a in kept))
    versions = {a.version for a in kept}
    sources = [a.source for a in kept]
    return _Source(
        spec=" || ".join(specs) if specs != ["*"] else None,
        source="registry" if "registry" in sources else sources[0],
        version=versions.pop() if len(versions) == 1 else None,
        optional=any(a.optional for a in kept),
    )


def _poetry_value(value: Any) -> _Source:
    """One Poetry dependency value: a constraint string or a table."""
    if isinstance(value, str):
        return _poetry_constraint(value)
    if not isinstance(value, dict):
        raise ManifestError(f"unsupported value {value!r}")
    optional = value.get("optional") is True
    if "path" in value:
        return _Source(None, "path")
    found = _reference(value)
    if found is None:
        version = value.get("version", "*")
        if not isinstance(version, str):
            raise ManifestError(f"version must be a string, not {version!r}")
        found = _poetry_constraint(version)
    return dataclasses.replace(found, optional=optional)


def _poetry_constraint(text: str) -> _Source:
    stripped = text.strip()
    compact = re.sub(r"\s+", "", stripped)
    if compact in ("", "*"):
        return _Source(None, "registry")
    if not _CONSTRAINT.match(compact):
        raise ManifestError(f"invalid version constraint {text!r}")
    pin = _PIN.match(compact)
    version = pin.group(1) if pin and not _WILDCARD.search(compact) else None
    if version is not None:
        try:
            Version(version)
        except InvalidVersion:
            version = None
    return _Source(stripped, "registry", version)


def _reference(value: dict[str, Any]) -> _Source | None:
    """A VCS or URL reference written as a table (Poetry and uv share this shape)."""
    for key in (*_VCS, "url"):
        if key not in value:
            continue
        url = value[key]
        if not isinstance(url, str):
            raise ManifestError(f"{key} must be a string, not {url!r}")
        if key == "url":
            return _Source(redact_url(url), url_source(url))
        if scp := _SCP.match(url):  # "git@github.com:org/repo.git" is ssh in pip's spelling
            url = f"ssh://{scp.group(1)}/{scp.group(2)}"
        spec = redact_url(url if url.lower().startswith(f"{key}+") else f"{key}+{url}")
        refs = (value.get(k) for k in ("rev", "tag", "branch"))
        ref = next((r for r in refs if isinstance(r, str)), None)
        spec = f"{spec}@{ref}" if ref else spec
        if isinstance(subdirectory := value.get("subdirectory"), str):
            spec = f"{spec}#subdirectory={subdirectory}"  # pip's spelling of the same thing
        return _Source(spec, "vcs")
    return None


def _uv_source(value: Any) -> _Source:
    """One ``[tool.uv.sources]`` entry; a list of marker-qualified entries counts as one."""
    entries = value if isinstance(value, list) else [value]
    found: list[_Source] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ManifestError(f"unsupported source {entry!r}")
        if entry.get("workspace") is True:
            found.append(_Source(None, "workspace"))
        elif "path" in entry:
            found.append(_Source(None, "path"))
        elif (reference := _reference(entry)) is not None:
            found.append(reference)
        elif "index" in entry:
            found.append(_Source(None, "registry"))  # a named index is still a registry
        else:
            raise ManifestError(f"unsupported source {entry!r}")
    if not found:
        raise ManifestError("empty list of sources")
    return next((f for f in found if f.source == "registry"), found[0])


def _extras_by_package(extras: Any) -> dict[str, Scope]:
    """Poetry ``[tool.poetry.extras]``: package -> the weightiest scope of the extras naming it.

    An optional package in a ``test`` extra only is a test dependency; one that is also in a
    feature extra such as ``fast`` is optional for users.
    """
    found: dict[str, Scope] = {}
    if isinstance(extras, dict):
        for extra, names in extras.items():
            scope = scope_hint(extra) or Scope.OPTIONAL
            for name in names if isinstance(names, list) else ():
                base = name.split("[")[0].strip() if isinstance(name, str) else ""
                key = canonicalize_name(base) if _NAME.match(base) else ""
                if key and (key not in found or scope.weight > found[key].weight):
                    found[key] = scope
    return found

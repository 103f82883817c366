"""Poetry's tables in ``pyproject.toml``: ``[tool.poetry]`` dependencies, groups and extras.

Constraints are kept as declared (``^1.2``, ``~1.2``, ``>=1 <2``); a list of alternatives is
one record whose spec joins them with `` || ``. See :mod:`pyproject_tools` for the conventions.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from analyzer.errors import ManifestError
from analyzer.manifests.interface import scope_hint
from analyzer.manifests.pyproject_tool_reader import Source, ToolReader, locate, reference
from analyzer.model import Scope

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
# Poetry constraints, checked with whitespace removed. A version without an operator must
# follow a separator, which keeps the pattern unambiguous (no catastrophic backtracking).
_OP = r"(?:\^|~=|~|===|==|!=|<=|>=|<|>|=)"
_VER = r"(?:\*|v?\d[\w.*+!-]*)"
_CONSTRAINT = re.compile(rf"^{_OP}?{_VER}(?:(?:,|\|\|?){_OP}?{_VER}|{_OP}{_VER})*$")
_PIN = re.compile(r"^(?:===|==|=)?\s*(\d[\w.+!-]*)$")
_WILDCARD = re.compile(r"[*]|\.[xX](?:\.|$)")


def read_poetry(reader: ToolReader, value: Any) -> None:
    """``[tool.poetry]``: main and legacy dev dependencies, then each group's."""
    base = ("tool", "poetry")
    poetry = reader.table(value, base)
    if not poetry:
        return
    extras = _extras_by_package(poetry.get("extras"))
    _read_table(reader, poetry.get("dependencies"), (*base, "dependencies"), None, extras)
    dev = poetry.get("dev-dependencies")
    _read_table(reader, dev, (*base, "dev-dependencies"), Scope.DEV, {})
    for group, body in (reader.table(poetry.get("group"), (*base, "group")) or {}).items():
        path = (*base, "group", group)
        if (body := reader.table(body, path)) is not None:
            # Poetry's implicit "main" group may also be spelled out; it is runtime.
            scope = Scope.RUNTIME if group == "main" else scope_hint(group) or Scope.DEV
            _read_table(reader, body.get("dependencies"), (*path, "dependencies"), scope, {})


def _read_table(
    reader: ToolReader,
    value: Any,
    path: tuple[str, ...],
    scope: Scope | None,
    extras: dict[str, Scope],
) -> None:
    """One ``dependencies`` table; ``scope`` None means the main (runtime) table."""
    label = ".".join(path)
    for name, entry in (reader.table(value, path) or {}).items():
        offset = locate(reader.index, path, name)
        if name.lower() == "python" or canonicalize_name(name) == reader.own_name:
            continue
        if not _NAME.match(name):
            reader.problem(offset, f"invalid package name {name!r} in {label}")
            continue
        try:
            found = _dependency(entry)
        except ManifestError as exc:
            reader.problem(offset, f"{label}.{name}: {exc.message}")
            continue
        if found is None:
            continue  # a path dependency: the organization's own code
        dep_scope = scope or Scope.RUNTIME
        if scope is None and found.optional:
            dep_scope = extras.get(canonicalize_name(name), Scope.OPTIONAL)
        reader.record(name, found, dep_scope, offset)


def _dependency(entry: Any) -> Source | None:
    """One Poetry dependency (a value or a list of alternatives); None for a local path."""
    alternatives = [_value(v) for v in (entry if isinstance(entry, list) else [entry])]
    kept = [a for a in alternatives if a.source != "path"]
    if not kept:
        return None
    specs = list(dict.fromkeys(a.spec or "*" for a in kept))
    versions = {a.version for a in kept}
    sources = [a.source for a in kept]
    return Source(
        spec=" || ".join(specs) if specs != ["*"] else None,
        source="registry" if "registry" in sources else sources[0],
        version=versions.pop() if len(versions) == 1 else None,
        optional=any(a.optional for a in kept),
    )


def _value(value: Any) -> Source:
    """One Poetry dependency value: a constraint string or a table."""
    if isinstance(value, str):
        return _constraint(value)
    if not isinstance(value, dict):
        raise ManifestError(f"unsupported value {value!r}")
    optional = value.get("optional") is True
    if "path" in value:
        return Source(None, "path")
    found = reference(value)
    if found is None:
        version = value.get("version", "*")
        if not isinstance(version, str):
            raise ManifestError(f"version must be a string, not {version!r}")
        found = _constraint(version)
    return dataclasses.replace(found, optional=optional)


def _constraint(text: str) -> Source:
    """A Poetry constraint string; a bare or ``==`` version is a pin that fills ``version``."""
    stripped = text.strip()
    compact = re.sub(r"\s+", "", stripped)
    if compact in ("", "*"):
        return Source(None, "registry")
    if not _CONSTRAINT.match(compact):
        raise ManifestError(f"invalid version constraint {text!r}")
    pin = _PIN.match(compact)
    version = pin.group(1) if pin and not _WILDCARD.search(compact) else None
    if version is not None:
        try:
            Version(version)
        except InvalidVersion:
            version = None
    return Source(stripped, "registry", version)


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

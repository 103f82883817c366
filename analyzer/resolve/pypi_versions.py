"""Choosing a PyPI release for a version specifier, the way pip would.

- Yanked releases (PEP 592: every file yanked) are skipped, unless an ``==``/``===`` pin
  names one and nothing else matches.
- Pre-releases are skipped unless the specifier mentions one (``>=2.0b1``) or, as PEP 440
  allows, no final release matches at all.
- Releases whose files all require another Python than the target are passed over while a
  compatible one matches; releases without files are not installable and never chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from analyzer.resolve.interface import as_mapping

MAX_SPEC = 1000  # longer "specifiers" are not from a real project


@dataclass(frozen=True)
class Release:
    """One release of a project, as far as choosing it goes."""

    version: Version
    text: str  # the version as the registry spells it (used in URLs)
    yanked: bool
    python_ok: bool  # some file accepts the target Python (or states no requirement)


@dataclass(frozen=True)
class ProjectView:
    """What resolution keeps of a project document (the full one can be megabytes)."""

    latest: str | None
    requires_dist: tuple[str, ...]  # of the latest release; null on PyPI means none
    releases: tuple[Release, ...]


def parse_spec(text: str) -> SpecifierSet:
    """A specifier set from a declared spec; raises InvalidSpecifier for nonsense."""
    if len(text) > MAX_SPEC:
        raise InvalidSpecifier(f"specifier of {len(text)} characters")
    return SpecifierSet(text.strip().strip("()"))


def _accepts(requires_python: Any, python: Version) -> bool:
    if not isinstance(requires_python, str) or not requires_python.strip():
        return True
    try:
        return parse_spec(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # a broken requirement is not evidence against this Python


def read_release(text: str, files: Any, python: Version) -> Release | None:
    """A release from its ``releases`` entry; None when it has no files or a bad version."""
    try:
        version = Version(text)
    except InvalidVersion:
        return None
    entries = [f for f in files if isinstance(f, Mapping)] if isinstance(files, list) else []
    if not entries:
        return None
    yanked = all(bool(f.get("yanked")) for f in entries)
    live = [f for f in entries if not f.get("yanked")] or entries
    python_ok = any(_accepts(f.get("requires_python"), python) for f in live)
    return Release(version, text, yanked, python_ok)


def read_project(document: Any, python: Version) -> ProjectView | None:
    """The compact view of a ``/pypi/<name>/json`` document; None when it is not one."""
    info = as_mapping(as_mapping(document).get("info"))
    if not info:
        return None
    releases = []
    for text, files in as_mapping(document.get("releases")).items():
        if isinstance(text, str) and (release := read_release(text, files, python)):
            releases.append(release)
    requires = info.get("requires_dist")
    listed = tuple(r for r in requires if isinstance(r, str)) if isinstance(requires, list) else ()
    latest = info.get("version") if isinstance(info.get("version"), str) else None
    return ProjectView(latest, listed, tuple(releases))


def _is_pin(spec: SpecifierSet) -> bool:
    items = list(spec)
    return len(items) == 1 and items[0].operator in ("==", "===") and "*" not in items[0].version


def _newest(pool: list[Release], spec: SpecifierSet) -> Release | None:
    finals = [r for r in pool if not r.version.is_prerelease]
    # Pre-releases only when the specifier asks for one, or when nothing else matches.
    candidates = pool if spec.prereleases else (finals or pool)
    compatible = [r for r in candidates if r.python_ok] or candidates
    return max(compatible, key=lambda r: r.version, default=None)


def choose(releases: tuple[Release, ...], spec: SpecifierSet) -> tuple[Release | None, str | None]:
    """The release pip would install for ``spec``, or None and why not."""
    matching = [r for r in releases if spec.contains(r.version, prereleases=True)]
    usable = [r for r in matching if not r.yanked]
    if usable:
        return _newest(usable, spec), None
    if matching and _is_pin(spec):
        return _newest(matching, spec), None  # PEP 592: an exact pin may select a yanked one
    if matching:
        return None, f"every release matching {str(spec) or 'any version'} is yanked"
    if not releases:
        return None, "no installable release"
    return None, f"no release matches {str(spec) or 'any version'}"

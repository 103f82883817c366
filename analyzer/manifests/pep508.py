"""PEP 508 requirement strings to Dependency records, shared by the Python formats."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.model import Dependency, Ecosystem, Scope

_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")


@dataclass(frozen=True)
class Where:
    """Where a requirement was declared and what it is for."""

    repo: str
    file: str
    line: int | None
    scope: Scope
    direct: bool = True


def url_source(url: str) -> str:
    """Classify a direct reference: ``vcs``, ``path`` or ``url``."""
    lowered = url.lower()
    if lowered.startswith(_VCS_PREFIXES):
        return "vcs"
    if lowered.startswith("file:"):
        return "path"
    return "url"


def declared_spec(text: str) -> str | None:
    """The version specifier exactly as written (without spaces), or None when absent."""
    body = text.split(";", 1)[0]
    match = _NAME_AND_EXTRAS.match(body)
    rest = body[match.end() :] if match else body
    rest = re.sub(r"\s+", "", rest).strip("()")
    return rest or None


def pinned_version(requirement: Requirement) -> str | None:
    """The version an ``==``/``===`` pin fixes, unless it is a wildcard."""
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def parse_requirement(text: str) -> Requirement:
    """Parse a PEP 508 string, turning packaging's error into a ManifestError."""
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        raise ManifestError(f"invalid requirement {text.strip()!r}: {first}") from None


def requirement_dependency(requirement: Requirement, text: str, where: Where) -> Dependency:
    """A Dependency record for a parsed requirement declared at ``where``."""
    if requirement.url:
        spec: str | None = requirement.url
        source = url_source(requirement.url)
        version = None
    else:
        spec = declared_spec(text)
        source = "registry"
        version = pinned_version(requirement)
    return Dependency(
        ecosystem=Ecosystem.PYPI,
        name=canonicalize_name(requirement.name),
        spec=spec,
        version=version,
        scope=where.scope,
        direct=where.direct,
        repo=where.repo,
        file=where.file,
        line=where.line,
        source=source,
    )


def pep508_dependency(text: str, where: Where) -> Dependency:
    """Parse ``text`` and return its record; raises ManifestError carrying ``where.line``."""
    try:
        requirement = parse_requirement(text)
    except ManifestError as exc:
        raise ManifestError(exc.message, where.line) from None
    return requirement_dependency(requirement, text, where)

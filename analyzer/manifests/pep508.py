"""PEP 508 requirement strings to Dependency records, shared by the Python formats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from analyzer.errors import ManifestError
from analyzer.model import Dependency, Ecosystem, Scope

# pip's VCS schemes: "git+https://...", "hg+ssh://...", "bzr+lp:...", and bare git:// and svn://.
VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+", "git://", "svn://")
_NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")
_SDIST_EXTENSIONS = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")
ARCHIVE_EXTENSIONS = (".whl", *_SDIST_EXTENSIONS)
_SDIST_STEM = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*?)-(\d[^/]*)$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_NAME_AT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_TRAILING_EXTRAS = re.compile(r"\[[^\]]*\]$")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/@]*)@")
_PLAIN_USER = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,15}")
# A valid name, alone or with one comparison against a release ("==1.2.3"), and no spaces.
_SIMPLE = re.compile(
    r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:(==|!=|>=|<=|<|>)([0-9]+(?:\.[0-9]+)*))?"
)


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
    if lowered.startswith(VCS_PREFIXES):
        return "vcs"
    if lowered.startswith("file:") or "://" not in lowered:
        return "path"
    return "url"


def archive_name(url: str) -> tuple[str, str | None] | None:
    """(canonical name, version or None) from a wheel or sdist file name the URL ends in.

    ``.../Some_Pkg-1.2.3-py3-none-any.whl`` -> ("some-pkg", "1.2.3"); None when the URL does
    not end in a distribution file (a directory, a repository, ``archive/main.zip``).
    """
    base = unquote(re.split(r"[/\\]", re.split(r"[#?]", url, maxsplit=1)[0].rstrip("/"))[-1])
    if base.lower().endswith(".whl"):
        try:
            wheel_name, wheel_version, _, _ = parse_wheel_filename(base)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return str(wheel_name), str(wheel_version)
    ext = next((e for e in _SDIST_EXTENSIONS if base.lower().endswith(e)), None)
    match = _SDIST_STEM.match(base[: -len(ext)]) if ext else None
    if match is None:
        return None
    version: str | None = match.group(2)
    try:
        Version(match.group(2))
    except InvalidVersion:
        version = None
    return canonicalize_name(match.group(1)), version


def is_local_directory(url: str) -> bool:
    """True for a local path or ``file:`` URL that is not a distribution file.

    Such a reference installs a directory of the organization's own tree (``-e .``,
    ``pkg @ file:///${PROJECT_ROOT}/libs/pkg``), which is never a candidate for funding.
    """
    return url_source(url) == "path" and archive_name(url) is None


def redact_url(url: str) -> str:
    """The URL without the password or token it may carry (``https://user:****@host``).

    A plain user name such as ``git@`` stays; anything that looks like a token is replaced,
    so credentials written into a crawled file never reach a report.
    """
    match = _USERINFO.match(url)
    if not match:
        return url
    user, sep, _ = match.group(2).partition(":")
    if sep:
        userinfo = f"{user}:****"
    elif _PLAIN_USER.fullmatch(user):
        userinfo = user
    else:
        userinfo = "****"
    return f"{match.group(1)}{userinfo}@{url[match.end() :]}"


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
        spec: str | None = redact_url(requirement.url)
        source = url_source(requirement.url)
        archive = archive_name(requirement.url) if source != "vcs" else None
        # A URL to a distribution file of this very package fixes its version.
        same = archive is not None and archive[0] == canonicalize_name(requirement.name)
        version = archive[1] if archive is not None and same else None
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
        extras=tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
    )


def pep508_dependency(text: str, where: Where) -> Dependency:
    """Parse ``text`` and return its record; raises ManifestError carrying ``where.line``."""
    simple = simple_dependency(text, where)
    return simple or requirement_dependency(_parse_at(text, where.line), text, where)


def simple_dependency(text: str, where: Where) -> Dependency | None:
    """The record of the commonest requirements, ``name``, ``name==1.2.3`` and ``name>=1.2``
    (one comparison with a release, no spaces), read without packaging's parser, which takes
    longer than all the rest; None for every other form."""
    match = _SIMPLE.fullmatch(text)
    if match is None:
        return None
    name, operator, version = match.groups()
    return Dependency(
        Ecosystem.PYPI, canonicalize_name(name), f"{operator}{version}" if operator else None,
        version if operator == "==" else None, where.scope, where.direct, where.repo,
        where.file, where.line,
    )  # fmt: skip


def _parse_at(text: str, line: int | None) -> Requirement:
    try:
        return parse_requirement(text)
    except ManifestError as exc:
        raise ManifestError(exc.message, line) from None


def is_url(text: str) -> bool:
    """True for ``scheme://...``, a pip VCS reference (``bzr+lp:...``) or a ``file:`` URL."""
    return bool(_URL.match(text)) or text.lower().startswith((*VCS_PREFIXES, "file:"))


def is_path(text: str) -> bool:
    """True for text that starts like a file system path (relative, home, absolute, drive)."""
    return text.startswith((".", "~", "/", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", text))


def pip_requirement(text: str, where: Where) -> Dependency | None:
    """A requirement as pip reads one on a command line or in a requirements file.

    Besides PEP 508 strings, pip takes a bare URL or path (named by ``#egg=`` or by its file
    name). None for a local directory: the organization's own code.
    """
    if not _NAME_AT.match(text):
        first = _TRAILING_EXTRAS.sub("", re.split(r"[\s;]", text, maxsplit=1)[0])
        # pip's own test: URLs, anything with a slash or a leading dot, and archive names
        if is_url(first) or is_path(first) or "/" in first or "\\" in first:
            return direct_reference(text, where)
        if first.lower().endswith(ARCHIVE_EXTENSIONS):
            return direct_reference(text, where)
    simple = simple_dependency(text, where)
    if simple is not None:
        return simple
    requirement = _parse_at(text, where.line)
    url = requirement.url
    if url and not is_url(url) and not is_path(url):
        message = f"invalid requirement {text!r}: {url!r} is neither a URL nor a path"
        raise ManifestError(message, where.line)
    if url and is_local_directory(url):
        return None
    return requirement_dependency(requirement, text, where)


def direct_reference(text: str, where: Where) -> Dependency | None:
    """A URL or path without ``name @``: the name comes from ``#egg=`` or the file name."""
    url = re.split(r"\s*; ", text, maxsplit=1)[0].strip()  # pip: "; " starts URL markers
    url = _TRAILING_EXTRAS.sub("", url)  # "...#egg=name[extra]": extras are not the URL
    source = url_source(url)
    archive = archive_name(url) if source != "vcs" else None
    egg = _EGG.search(url)
    name = canonicalize_name(egg.group(1)) if egg else archive[0] if archive else None
    if source == "path" and archive is None:
        return None  # a local directory, with or without #egg=: the organization's own code
    if name is None:
        message = f"cannot tell the package name of {url!r} (add #egg=NAME)"
        raise ManifestError(message, where.line)
    version = archive[1] if archive and archive[0] == name else None
    return Dependency(
        Ecosystem.PYPI, name, redact_url(url), version, where.scope, where.direct,
        where.repo, where.file, where.line, source=source,
    )  # fmt: skip

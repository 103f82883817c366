"""The user's project rules: ``own-owners`` and the ``[tool.fundscout.projects]`` table.

``own-owners = ["acme", "gitlab.com/acme"]`` names the organization's own repository owners: a
plain name is a GitHub owner, ``host/path`` an owner (or GitLab group) on another host.

``[tool.fundscout.projects]`` maps a package to its project by hand::

    "pkg:npm/%40acme-fork/left-pad" = "https://github.com/stevemao/left-pad"
    "pypi:boto3" = "boto/boto3"          # ecosystem:name; owner/repo means GitHub
    "internal-sdk" = "Vendor SDK"        # a plain name matches it in every ecosystem

A value is a repository URL (normalized like registry metadata) or, when it is not a URL, the
name of a project without a known repository. Validation is strict and errors name the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from analyzer.enrich.repourl import normalize_repo_url, owner_path
from analyzer.errors import ConfigError
from analyzer.model import Ecosystem, package_purl

NAMED = "project:"  # key prefix of a project the configuration names without a repository
_OWNER = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_URLISH = re.compile(r"://|^git@|^[a-z+]+:[^ ]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_RULES = 10_000
_ECOSYSTEMS = frozenset(e.value for e in Ecosystem)


def name_key(ecosystem: str, name: str) -> str:
    """How names compare: PyPI's canonical form, lowercase elsewhere."""
    return str(canonicalize_name(name)) if ecosystem == Ecosystem.PYPI else name.lower()


def parse_owner(text: str, where: str) -> str:
    """``acme`` -> ``github.com/acme``; ``gitlab.com/Acme/Sub`` -> ``gitlab.com/acme/sub``."""
    spelled = text.strip()
    bare = re.sub(r"^https?://", "", spelled, flags=re.IGNORECASE).strip("/").lower()
    segments = bare.split("/")
    if len(segments) == 1:
        segments = ["github.com", *segments]
    host, path = segments[0].removeprefix("www."), segments[1:]
    if not _HOST.match(host) or not path or not all(_OWNER.match(s) for s in path):
        raise ConfigError(f"{where}: {spelled!r} is not an owner such as 'acme' or "
                          "'gitlab.com/acme'")  # fmt: skip
    return "/".join([host, *path])


def parse_own_owners(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: expected a list of owners such as ["acme"]')
    if len(value) > MAX_RULES:
        raise ConfigError(f"{where}: more than {MAX_RULES} owners")
    return tuple(dict.fromkeys(parse_owner(v, where) for v in value))


def owner_of(repository: str, owners: Iterable[str]) -> str | None:
    """The first owner in ``owners`` (``host/path``) that owns ``repository``, or None."""
    host, path = owner_path(repository)
    for owner in owners:
        owner_host, *owner_segments = owner.split("/")
        count = len(owner_segments)
        if owner_host == host and len(path) > count and list(path[:count]) == owner_segments:
            return owner
    return None


def parse_selector(text: str, where: str) -> str:
    """A package selector in one canonical spelling: a purl without version, ``eco:name``
    (name compared by ``name_key``) or a plain name, lowercase."""
    text = text.strip()
    if not text or len(text) > 500 or _CONTROL.search(text):
        raise ConfigError(f"{where}: {text[:80]!r} is not a package name")
    if text.startswith("pkg:"):
        try:
            parsed = PackageURL.from_string(text)
            ecosystem = Ecosystem(parsed.type)
        except ValueError as exc:
            raise ConfigError(f"{where}: {text!r} is not a package URL we know: {exc}") from None
        if parsed.version or parsed.qualifiers or parsed.subpath:
            raise ConfigError(f"{where}: map the package, not one version: drop what follows "
                              "the name")  # fmt: skip
        name = name_key(ecosystem, parsed.name) if ecosystem is Ecosystem.PYPI else parsed.name
        return package_purl(ecosystem, name, parsed.namespace)
    prefix, colon, rest = text.partition(":")
    if colon and prefix.lower() in _ECOSYSTEMS:
        if not rest.strip():
            raise ConfigError(f"{where}: {text!r} names no package")
        return f"{prefix.lower()}:{name_key(prefix.lower(), rest.strip())}"
    return text.lower()


class ProjectMap:
    """The ``[tool.fundscout.projects]`` rules, indexed: the most specific rule wins."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.index: dict[str, str] = {}
        for selector, target in pairs:
            if selector.startswith("pkg:") or selector.partition(":")[0] in _ECOSYSTEMS:
                self.index[selector] = target
            else:
                # A plain name matches in every ecosystem; PyPI compares canonical names.
                self.index.setdefault(f"name:{selector}", target)
                self.index.setdefault(f"pypi-name:{canonicalize_name(selector)}", target)

    def target(self, ecosystem: str, name: str, purl: str) -> str | None:
        """The configured target of one package (display ``name``), or None."""
        candidates = [purl, f"{ecosystem}:{name_key(ecosystem, name)}", f"name:{name.lower()}"]
        if ecosystem == Ecosystem.PYPI:
            candidates.append(f"pypi-name:{canonicalize_name(name)}")
        return next((self.index[c] for c in candidates if c in self.index), None)


def parse_target(value: Any, where: str) -> str:
    """A canonical repository URL, or ``project:<name>`` for a project known by name only."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a repository URL or a project name")
    text = value.strip()
    if repository := normalize_repo_url(text):
        return repository
    if _URLISH.search(text) or "/" in text:
        raise ConfigError(f"{where}: {text!r} is not a source repository URL")
    if len(text) > 200 or _CONTROL.search(text):
        raise ConfigError(f"{where}: {text[:80]!r} is not a usable project name")
    return f"{NAMED}{text}"


def parse_project_map(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """``[tool.fundscout.projects]``: (selector, target) pairs, in the file's order."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of package = repository URL or name")
    if len(value) > MAX_RULES:
        raise ConfigError(f"{where}: more than {MAX_RULES} entries")
    pairs: dict[str, str] = {}
    for key, target in value.items():
        selector = parse_selector(key, f"{where}.{key}")
        mapped = parse_target(target, f"{where}.{key}")
        if pairs.get(selector, mapped) != mapped:
            raise ConfigError(f"{where}.{key}: the same package is already mapped to "
                              f"{pairs[selector]!r}")  # fmt: skip
        pairs[selector] = mapped
    return tuple(pairs.items())

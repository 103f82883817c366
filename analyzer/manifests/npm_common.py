"""What the lockfile parsers of the npm family (npm, Yarn, pnpm) share: reading resolved URLs,
npm's scope flags and declared ranges, and ``NpmLockBuilder``, which npm and pnpm fill."""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from analyzer.errors import ManifestError
from analyzer.manifests.lock_common import best_scope
from analyzer.manifests.package_json import split_npm_name
from analyzer.model import (
    Dependency,
    Ecosystem,
    ManifestFile,
    ParsedManifest,
    Problem,
    Scope,
    package_purl,
)

# Hosts that serve a snapshot of a git repository at one commit as a tarball.
GIT_ARCHIVE_HOSTS = ("codeload.github.com", "gitlab.com", "bitbucket.org")
VCS_PREFIXES = ("git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "ssh://")
_NPMJS = "https://registry.npmjs.org/"
_URL_BREAKS = re.compile(r"[\t\r\n]")
_USERINFO = re.compile(r"([A-Za-z][\w+.-]*://)([^/\s]*)@")


def drop_credentials(userinfo: re.Pattern[str], text: str) -> str:
    """``text`` without what ``userinfo`` finds (group 1: a URL's scheme and ``//``, group 2:
    its user information, up to the ``@``): lockfiles keep tokens that must not reach a
    report. The user ``git`` of ``ssh://git@host`` stays: it is no secret."""
    return userinfo.sub(lambda m: m.group() if m.group(2) == "git" else m.group(1), text)


def clean_url(text: str) -> str:
    """``text`` with no credentials in its URLs: lockfiles keep tokens that must not reach a
    report. The user ``git`` of ``ssh://git@host`` stays: it is no secret."""
    return drop_credentials(_USERINFO, text)


def resolved_source(resolved: str) -> str:
    """Where a locked package comes from: ``registry``, ``vcs``, ``url`` or ``path``."""
    if resolved.startswith(VCS_PREFIXES):
        return "vcs"
    if resolved.startswith(_NPMJS) and not _URL_BREAKS.search(resolved):
        # The common case, without urlsplit (which drops tabs and line breaks first).
        path = resolved[len(_NPMJS) - 1 :].partition("#")[0].partition("?")[0]
        return "registry" if "/-/" in path else "url"
    if resolved.startswith(("http://", "https://")):
        try:
            parts = urlsplit(resolved)
            host = parts.hostname
        except ValueError:  # "https://[bad" is no URL to classify; it is not a registry's
            return "url"
        if host in GIT_ARCHIVE_HOSTS:
            return "vcs"  # a snapshot of a repository at one commit
        # Registries (npmjs, Artifactory, Nexus...) serve tarballs at <name>/-/<file>; GitHub
        # Packages at /download/<name>/<version>/<hash>.
        registry = "/-/" in parts.path or host == "npm.pkg.github.com"
        return "registry" if registry else "url"
    return "path"  # file:vendor/x.tgz, or the folder a link points to


def flag_scope(entry: dict[str, Any]) -> Scope:
    """npm's ``dev``/``optional``/``devOptional`` flags (devOptional: optional in production)."""
    if entry.get("dev") is True:
        return Scope.DEV
    if entry.get("optional") is True or entry.get("devOptional") is True:
        return Scope.OPTIONAL
    return Scope.RUNTIME


def declared_spec(spec: Any) -> str | None:
    """The range the project asked for; the alias ``npm:real@^4`` asks for ``^4``."""
    if not isinstance(spec, str) or not spec:
        return None
    return spec.rpartition("@")[2] or None if spec.startswith("npm:") else clean_url(spec)


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class NpmLockBuilder:
    """Collects one npm record per package, version and origin, own packages, and edges."""

    def __init__(self, file: ManifestFile) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.own: dict[str, None] = {}
        self.records: dict[tuple[Any, ...], Dependency] = {}
        self.edges: dict[tuple[str, str], None] = {}

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def add(
        self,
        name: str,
        version: str | None,
        scope: Scope,
        line: int | None,
        *,
        direct: bool = False,
        source: str = "registry",
        spec: str | None = None,
    ) -> str | None:
        """Record a locked package, merging repeats of it; its purl, or None when misnamed."""
        named = _named(name)
        if isinstance(named, str):
            self.problem(line, named)
            return None
        namespace, short, purl = named
        key = (namespace, short, version, source, None if source == "registry" else spec)
        old = self.records.get(key)
        if old is None:
            self.records[key] = Dependency(
                Ecosystem.NPM, short, spec, version, scope, direct, self.file.repo,
                self.file.path, line, namespace=namespace, source=source,
            )  # fmt: skip
        else:  # installed in several places: its most important use counts
            self.records[key] = dataclasses.replace(
                old, scope=best_scope((old.scope, scope)), direct=old.direct or direct,
                spec=old.spec or spec,
            )  # fmt: skip
        return purl

    def add_own(self, name: str, line: int | None) -> str | None:
        """Record a package of the repository itself (published, not depended on)."""
        named = _named(name)
        if isinstance(named, str):
            self.problem(line, named)
            return None
        self.own[named[2]] = None
        return named[2]

    def edge(self, parent: str | None, child: str | None) -> None:
        if parent is not None and child is not None and parent != child:
            self.edges[(parent, child)] = None

    def result(self) -> ParsedManifest:
        """Records in file order (version 1 is read one nesting level at a time)."""
        records = sorted(self.records.values(), key=lambda d: (d.line is None, d.line or 0))
        return ParsedManifest(self.file, tuple(records), tuple(self.problems),
                              tuple(self.own), tuple(self.edges), lockfile=True)  # fmt: skip


@lru_cache(maxsize=1 << 16)
def _named(name: str) -> tuple[str | None, str, str] | str:
    """(scope, name, purl) of an npm package name, or why it is no valid name. Cached: the
    lockfiles of an organization name the same few thousand packages again and again."""
    try:
        namespace, short = split_npm_name(name)
    except ManifestError as exc:
        return exc.message
    return namespace, short, package_purl(Ecosystem.NPM, short, namespace)

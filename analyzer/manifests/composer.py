"""Composer's ``composer.json`` (``require``, ``require-dev``), and the names, JSON loading
and records that ``composer_lock`` shares with it.

Package names are ``vendor/package``, lowercased as Composer compares them (namespace =
vendor). Platform requirements (``php``, ``ext-*``, ``lib-*``, ``composer-plugin-api``...) are
not packages. Packages served by a ``path`` repository inside the repository are the
organization's own code: ``publishes``, not dependencies.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError, SourceError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.json_keys import json_key_offsets
from analyzer.manifests.lock_common import is_inside
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

PLATFORM = re.compile(
    r"^(?:php(?:-64bit|-ipv6|-zts|-debug)?|hhvm|composer(?:-plugin-api|-runtime-api)?"
    r"|ext-.+|lib-.+)$",
    re.IGNORECASE,
)
# Composer's own rule for package names, applied after lowercasing; possessive "++" so that
# a name that almost matches fails fast instead of backtracking exponentially.
_NAME = re.compile(r"^[a-z0-9](?:[_.-]?[a-z0-9]++)*/[a-z0-9](?:(?:[_.]|-{1,2})?[a-z0-9]++)*$")
_EXACT = re.compile(r"^(?:==?\s*)?(v?\d+(?:\.\d+){0,3}(?:-?(?:alpha|beta|rc|patch|pl|p)\.?\d*)?)$",
                    re.IGNORECASE)  # fmt: skip
# A tuple, not a set: ``in`` then compares any JSON value instead of hashing it.
VCS_TYPES = ("vcs", "git", "github", "gitlab", "bitbucket", "hg", "svn", "fossil")
JSON_SECTIONS = (("require", Scope.RUNTIME), ("require-dev", Scope.DEV))


def split_name(raw: Any) -> tuple[str, str]:
    """``Symfony/Console`` -> ("symfony", "console"); ManifestError for an invalid name."""
    name = raw.strip().lower() if isinstance(raw, str) else ""
    if not _NAME.match(name):
        raise ManifestError(f"invalid package name {raw!r}: expected 'vendor/package'")
    vendor, _, package = name.partition("/")
    return vendor, package


def load_json(file: ManifestFile) -> tuple[dict[str, Any], TextIndex]:
    """Decode and parse a JSON object; ManifestError when the file is not one."""
    text = decode_text(file.read())
    index = TextIndex(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # its lineno ignores lone "\r" line breaks
        raise ManifestError(f"invalid JSON: {exc.msg}", index.line_of(exc.pos)) from None
    except RecursionError:
        raise ManifestError("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{PurePosixPath(file.path).name} must hold a JSON object", 1)
    return data, index


class ComposerResult:
    """Records, problems and own packages of one ``composer.json`` or ``composer.lock``."""

    def __init__(self, file: ManifestFile, index: TextIndex, depth: int) -> None:
        self.file = file
        self.index = index
        self.keys = json_key_offsets(index.text, depth)
        self.deps: list[Dependency] = []
        self.problems: list[Problem] = []
        self.own: list[str] = []

    def line(self, *path: str) -> int | None:
        offsets = self.keys.get(path)  # json keeps the last of repeated keys: so does this
        return self.index.line_of(offsets[-1]) if offsets else None

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def add(self, name: tuple[str, str], spec: str | None, version: str | None, scope: Scope,
            line: int | None, source: str, *, direct: bool) -> None:  # fmt: skip
        self.deps.append(
            Dependency(Ecosystem.COMPOSER, name[1], spec, version, scope, direct, self.file.repo,
                       self.file.path, line, namespace=name[0], source=source)
        )  # fmt: skip

    def result(
        self, data: dict[str, Any], edges: tuple[tuple[str, str], ...] = ()
    ) -> ParsedManifest:
        own = [purl(Ecosystem.COMPOSER, p, v) for v, p in (n.split("/", 1) for n in self.own)]
        try:  # the root package's own name, if it has one
            vendor, package = split_name(data.get("name"))
            own.insert(0, purl(Ecosystem.COMPOSER, package, vendor))
        except ManifestError:
            pass
        lockfile = PurePosixPath(self.file.path).name == "composer.lock"
        return ParsedManifest(self.file, tuple(self.deps), tuple(self.problems),
                              tuple(dict.fromkeys(own)), edges, lockfile=lockfile)  # fmt: skip


class ComposerJsonParser(ManifestParser):
    """``require`` (runtime) and ``require-dev`` (dev) of a ``composer.json``."""

    name = "composer.json"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "composer.json"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        data, index = load_json(file)
        result = ComposerResult(file, index, 2)
        repositories = _repositories(data)
        wanted: list[tuple[str, str, Any, Scope]] = []
        for section, scope in JSON_SECTIONS:
            table = data.get(section, {})
            if not isinstance(table, dict):
                result.problem(result.line(section), f"{section} must be an object")
                continue
            wanted.extend((section, raw, spec, scope) for raw, spec in table.items())
        local = _path_packages(file, repositories, [raw for _, raw, _, _ in wanted])
        vcs = _vcs_names(repositories)
        for section, raw, spec, scope in wanted:
            line = result.line(section, raw)
            if isinstance(raw, str) and PLATFORM.match(raw.strip()):
                continue
            try:
                name = split_name(raw)
                if not isinstance(spec, str):
                    raise ManifestError(f"{raw}: version constraint must be a string")
            except ManifestError as exc:
                result.problem(line, exc.message)
                continue
            if "/".join(name) in local:
                result.own.append("/".join(name))
                continue
            exact = _EXACT.match(spec.strip())
            source = "vcs" if name[1] in vcs else "registry"
            version = exact.group(1) if exact else None
            result.add(name, spec.strip() or None, version, scope, line, source, direct=True)
        return result.result(data)


def _repositories(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The repository definitions: a list, or an object keyed by repository name."""
    found = data.get("repositories")
    items = found.values() if isinstance(found, dict) else found if isinstance(found, list) else []
    return [item for item in items if isinstance(item, dict)]


def _vcs_names(repositories: list[dict[str, Any]]) -> set[str]:
    """Last segments of VCS repository URLs (``github.com/acme/monolog`` -> ``monolog``).

    Which package a VCS repository serves is only in that repository's own composer.json;
    a fork is nearly always named after the package, so a package whose name matches is
    taken to come from it.
    """
    names = set()
    for repository in repositories:
        url = repository.get("url")
        if repository.get("type") in VCS_TYPES and isinstance(url, str):
            names.add(url.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".git"))
    return names


def _path_packages(
    file: ManifestFile, repositories: list[dict[str, Any]], wanted: list[Any]
) -> set[str]:
    """Names of the packages ``path`` repositories inside the repository serve.

    Each folder's composer.json says its name. A wildcard folder (``packages/*``) is not
    listed; the folder named after each required package is tried instead.
    """
    folders: list[str] = []
    for repository in repositories:
        url = repository.get("url")
        if repository.get("type") != "path" or not isinstance(url, str) or not is_inside(file, url):
            continue
        if "*" not in url:
            folders.append(url)
            continue
        for raw in wanted:
            short = raw.rsplit("/", 1)[-1].lower() if isinstance(raw, str) else ""
            if re.fullmatch(r"[a-z0-9][\w.-]*", short):
                folders.append(url.replace("*", short))
    names = set()
    base = posixpath.dirname(file.path)
    for folder in dict.fromkeys(folders):
        path = posixpath.normpath(posixpath.join(base, folder, "composer.json"))
        try:
            data = json.loads(decode_text(file.read_related(path)))
            names.add("/".join(split_name(data.get("name"))))
        except (SourceError, ManifestError, ValueError, RecursionError, AttributeError):
            continue  # absent or unreadable: the package is then counted as a dependency
    return names

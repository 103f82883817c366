"""npm ``package.json``: dependencies, devDependencies, peerDependencies, optionalDependencies."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.json_keys import load_json_keys
from analyzer.manifests.text import TextIndex, decode_text
from analyzer.model import (
    Dependency,
    Ecosystem,
    ManifestFile,
    ParsedManifest,
    Problem,
    Scope,
    package_purl,
)

SECTIONS = (
    ("dependencies", Scope.RUNTIME),
    ("peerDependencies", Scope.RUNTIME),
    ("optionalDependencies", Scope.OPTIONAL),
    ("devDependencies", Scope.DEV),
)
# npm's rules for new package names: lowercase URL-safe characters, optional @scope/.
# Old packages may contain capitals, so case is kept as published.
_NAME = re.compile(r"^(?:(@[a-z0-9][\w.~-]*)/)?([A-Za-z0-9][\w.~-]*)$")
_EXACT = re.compile(r"^v?=?\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")
_LOCAL = ("file:", "link:", "workspace:", "portal:", ".", "/", "~/")  # "./lib", "../lib"
_VCS = ("git:", "git+", "git@", "github:", "gitlab:", "bitbucket:", "gist:")
_GITHUB_SHORTHAND = re.compile(r"^[\w.-]+/[\w.-]+(#.*)?$")
_HOSTED_GIT = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/[^/]+/[^/#]+/?(?:#.*)?$"
)


def split_npm_name(name: str) -> tuple[str | None, str]:
    """``@scope/pkg`` -> ("@scope", "pkg"); raise ManifestError for an invalid name."""
    match = _NAME.match(name.strip())
    if not match or len(name) > 214:
        raise ManifestError(f"invalid npm package name {name!r}")
    return match.group(1), match.group(2)


def npm_source(spec: str) -> str:
    """Classify a dependency spec: registry range, ``vcs``, ``url`` or ``path``."""
    if spec.startswith(_LOCAL):
        return "path"
    if spec.startswith(_VCS) or _GITHUB_SHORTHAND.match(spec) or _HOSTED_GIT.match(spec):
        return "vcs"  # includes the "user/repo" GitHub shorthand and repository pages
    if spec.startswith(("http://", "https://")):
        return "url"  # a tarball
    return "registry"


class PackageJsonParser(ManifestParser):
    """The manifest only; lockfiles are read by their own parsers."""

    name = "package.json"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "package.json"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        text = decode_text(file.read())
        index = TextIndex(text)
        try:
            data, keys = load_json_keys(text)
        except json.JSONDecodeError as exc:  # its lineno ignores lone "\r" line breaks
            raise ManifestError(f"invalid JSON: {exc.msg}", index.line_of(exc.pos)) from None
        except RecursionError:
            raise ManifestError("invalid JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise ManifestError("package.json must hold a JSON object", 1)
        deps: list[Dependency] = []
        problems: list[Problem] = []
        for section, scope in SECTIONS:
            table = data.get(section)
            if table is None:
                continue
            if not isinstance(table, dict):
                message = f"{section} must be an object"
                line = _line(index, keys, (section,))
                problems.append(Problem(file.path, line, message, file.repo))
                continue
            for name, spec in table.items():
                # json keeps the last of repeated keys, so the line is the last one's too
                line = _line(index, keys, (section, name))
                try:
                    dep = _dependency(file, name, spec, scope, line)
                except ManifestError as exc:
                    problems.append(Problem(file.path, line, exc.message, file.repo))
                    continue
                if dep is not None:
                    deps.append(dep)
        return ParsedManifest(file, tuple(deps), tuple(problems), publishes=_publishes(data))


def _dependency(
    file: ManifestFile, name: str, spec: Any, scope: Scope, line: int | None
) -> Dependency | None:
    if not isinstance(spec, str):
        raise ManifestError(f"{name}: version range must be a string, not {spec!r}")
    spec = spec.strip()
    target = name
    if spec.startswith("npm:"):  # an alias: "lodash4": "npm:lodash@^4" installs lodash
        target, spec = _alias(spec[4:])
    source = npm_source(spec)
    if source == "path":
        return None  # a workspace or local folder: the organization's own code
    namespace, short = split_npm_name(target)
    exact = _EXACT.match(spec)
    return Dependency(
        Ecosystem.NPM, short, spec or None, exact.group(1) if exact else None, scope, True,
        file.repo, file.path, line, namespace=namespace, source=source,
    )  # fmt: skip


def _line(
    index: TextIndex, keys: dict[tuple[str, ...], list[int]], path: tuple[str, ...]
) -> int | None:
    offsets = keys.get(path)
    return index.line_of(offsets[-1]) if offsets else None


def _alias(body: str) -> tuple[str, str]:
    at = body.rfind("@")
    return (body[:at], body[at + 1 :]) if at > 0 else (body, "")


def _publishes(data: dict[str, Any]) -> tuple[str, ...]:
    name = data.get("name")
    if not isinstance(name, str):
        return ()
    try:
        namespace, short = split_npm_name(name)
    except ManifestError:
        return ()
    return (package_purl(Ecosystem.NPM, short, namespace),)

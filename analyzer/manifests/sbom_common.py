"""What the CycloneDX and SPDX readers share: loading, purls, element positions, results.

Both formats name each package by a Package URL, so one mapping from purl to fundscout's
identity serves both: the purl type picks the ecosystem, names are normalized the way that
ecosystem compares them, and types fundscout does not read (docker, github, generic, deb…)
are counted and reported once per file instead of once per component.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from analyzer.errors import ManifestError
from analyzer.manifests.lock_common import SCOPE_ORDER
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

_ECOSYSTEMS = {ecosystem.value: ecosystem for ecosystem in Ecosystem}
# A version written as a range ("^4.17", ">= 2.0", "4.*.*"): GitHub's dependency graph
# reports the declared range when no lockfile pins the package.
_RANGE = re.compile(r"[<>=^~*|,\s]|^[xX]$|\.[xX](\.|$)")
_NO_VALUE = frozenset({"", "NOASSERTION", "NONE", "UNKNOWN"})
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]', re.DOTALL)

JsonPath = tuple[str | int, ...]  # keys and array indices leading to a value in the document


def load_json(file: ManifestFile) -> tuple[Any, TextIndex]:
    """Decode and parse a JSON document; ManifestError when it is not JSON at all."""
    text = decode_text(file.read())
    index = TextIndex(text)
    try:
        return json.loads(text), index
    except json.JSONDecodeError as exc:  # its lineno ignores lone "\r" line breaks
        raise ManifestError(f"invalid JSON: {exc.msg}", index.line_of(exc.pos)) from None
    except RecursionError:
        raise ManifestError("invalid JSON: nested too deeply") from None


def element_offsets(text: str, array_keys: frozenset[str]) -> dict[JsonPath, int]:
    """Offsets of the objects that are elements of arrays under one of ``array_keys``.

    ``{"components": [{...}, {"components": [{...}]}]}`` gives the offsets of the ``{`` of
    ``("components", 0)``, ``("components", 1)`` and ``("components", 1, "components", 0)``.
    Only valid JSON is scanned (after json.loads succeeded), so the paths match the parsed
    document exactly; json keeps the last of repeated keys and so does this scan.
    """
    offsets: dict[JsonPath, int] = {}
    frames: list[list[Any]] = []  # [kind, current key or index] for each open container
    expect_key = False
    for match in _JSON_TOKEN.finditer(text):
        piece = match.group()
        if piece in ("{", "["):
            in_array = piece == "{" and len(frames) >= 2 and frames[-1][0] == "["
            if in_array and frames[-2][1] in array_keys:
                offsets[tuple(frame[1] for frame in frames)] = match.start()
            frames.append([piece, None if piece == "{" else 0])
            expect_key = piece == "{"
        elif piece in ("}", "]"):
            if frames:
                frames.pop()
            expect_key = False
        elif piece == ",":
            if frames and frames[-1][0] == "[":
                frames[-1][1] += 1
            expect_key = bool(frames) and frames[-1][0] == "{"
        elif piece == ":":
            expect_key = False
        elif expect_key and frames:
            frames[-1][1] = json.loads(piece)
    return offsets


@dataclass(frozen=True)
class Package:
    """A package an SBOM names, as fundscout identifies it."""

    ecosystem: Ecosystem
    namespace: str | None
    name: str
    version: str | None
    spec: str | None
    source: str

    @property
    def purl(self) -> str:
        return package_purl(self.ecosystem, self.name, self.namespace)


def identify(purl: PackageURL, text: str) -> tuple[Ecosystem, str | None, str] | None:
    """(ecosystem, namespace, name) normalized for the ecosystem; None for other types.

    ``purl`` is ``text`` parsed (and normalized) by packageurl.
    """
    ecosystem = _ECOSYSTEMS.get(purl.type.lower())
    if ecosystem is None:
        return None
    namespace: str | None = purl.namespace or None
    name: str = purl.name
    if ecosystem in (Ecosystem.PYPI, Ecosystem.CONDA, Ecosystem.CARGO, Ecosystem.GEM):
        namespace = None  # these registries have flat names; a namespace is noise
    if ecosystem is Ecosystem.PYPI:
        name = canonicalize_name(name)
    elif ecosystem is Ecosystem.CONDA:
        name = name.lower()
    elif ecosystem is Ecosystem.COMPOSER:
        namespace, name = namespace.lower() if namespace else None, name.lower()
    elif ecosystem is Ecosystem.NPM:
        namespace, name = _npm_as_written(text, namespace, name)
    return ecosystem, namespace, name


def _npm_as_written(text: str, namespace: str | None, name: str) -> tuple[str | None, str]:
    """npm names keep their case as published (``JSONStream``); packageurl lowercases them."""
    try:
        written = unquote(PackageURL.from_string(text, normalize_purl=False).name or "")
    except ValueError:
        written = ""
    if written.lower() == name.lower():
        name = written
    if namespace and not namespace.startswith("@"):
        namespace = f"@{namespace}"  # npm's only namespaces are scopes; some tools drop the @
    return namespace, name


def version_or_spec(value: Any) -> tuple[str | None, str | None]:
    """(spec, version): a range such as ``^4.17`` is a spec, anything else a version."""
    if not isinstance(value, str) or value.strip().upper() in _NO_VALUE:
        return None, None
    value = value.strip()
    return (value, None) if _RANGE.search(value) else (None, value)


class BomBuilder:
    """Collects records, problems, own packages and edges of one SBOM; builds the result."""

    def __init__(
        self, file: ManifestFile, index: TextIndex, offsets: dict[JsonPath, int], noun: str
    ) -> None:
        self.file = file
        self.noun = noun  # what the format calls an entry: "component", "package"
        self.index = index
        self.offsets = offsets
        self.records: dict[tuple[str, str | None], Dependency] = {}
        self.problems: list[Problem] = []
        self.publishes: list[str] = []
        self.edges: dict[tuple[str, str], None] = {}
        self.skipped: Counter[str] = Counter()

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def line_at(self, path: JsonPath) -> int | None:
        offset = self.offsets.get(path)
        return None if offset is None else self.index.line_of(offset)

    def key_line(self, key: str) -> int | None:
        found = self.index.find_key(key)
        return None if found == -1 else self.index.line_of(found)

    def package(
        self, purl: Any, version: Any, what: str, line: int | None, *, count: bool = True
    ) -> Package | None:
        """The package a purl names; counts other types and reports invalid purls.

        ``count=False`` is for the product itself, which is never a dependency anyway.
        """
        if not isinstance(purl, str) or not purl.strip():
            self._skip("without a purl", count)
            return None
        try:
            parsed = PackageURL.from_string(purl.strip())
        except ValueError as exc:
            self.problem(line, f"{self.noun} {what}: invalid purl {purl!r}: {exc}")
            return None
        identity = identify(parsed, purl.strip())
        if identity is None:
            self._skip(f"pkg:{parsed.type.lower()}", count)
            return None
        spec, pinned = version_or_spec(parsed.version or version)
        source = "vcs" if "vcs_url" in (parsed.qualifiers or {}) else "registry"
        return Package(*identity, pinned, spec, source)

    def _skip(self, kind: str, count: bool) -> None:
        if count:
            self.skipped[kind] += 1

    def own(self, package: Package | None) -> None:
        if package is not None and package.purl not in self.publishes:
            self.publishes.append(package.purl)

    def add(self, package: Package, scope: Scope, direct: bool, line: int | None) -> None:
        """Record ``package``; the same name and version again keeps the first line."""
        if package.purl in self.publishes:
            return  # the product listed among its own components
        key = (package.purl, package.version)
        dep = Dependency(
            package.ecosystem, package.name, package.spec, package.version, scope, direct,
            self.file.repo, self.file.path, line, namespace=package.namespace,
            source=package.source,
        )  # fmt: skip
        known = self.records.get(key)
        if known is None:
            self.records[key] = dep
        else:
            best = min((known.scope, scope), key=SCOPE_ORDER.index)
            self.records[key] = replace(known, scope=best, direct=known.direct or direct)

    def edge(self, parent: Package | None, child: Package | None) -> None:
        if parent is not None and child is not None and parent.purl != child.purl:
            self.edges[(parent.purl, child.purl)] = None

    def result(self, *, lockfile: bool) -> ParsedManifest:
        """The parse result, with one problem summing up every component left out."""
        if self.skipped:
            counts = sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))
            total = sum(self.skipped.values())
            listed = ", ".join(f"{n} {kind}" for kind, n in counts)
            noun = self.noun if total == 1 else f"{self.noun}s"
            self.problem(None, f"skipped {total} {noun} fundscout does not audit: {listed}")
        return ParsedManifest(
            self.file,
            tuple(self.records.values()),
            tuple(self.problems),
            publishes=tuple(self.publishes),
            edges=tuple(self.edges),
            lockfile=lockfile,
        )


def text_of(value: Any) -> str | None:
    """A non-empty string value, else None."""
    return value.strip() if isinstance(value, str) and value.strip() else None

"""npm: the version a range selects, with npm's own rules, and that version's dependencies.

The registry document (``<root>/<name>``, the enrichment provider's URL, so it is fetched
once for both) has every version's manifest. Choosing follows npm-pick-manifest:

- a spec naming a dist-tag (``latest``, ``next``) selects the tagged version;
- otherwise the ``latest`` tag wins when it satisfies the range, else the highest version
  satisfying it, preferring versions that are not deprecated;
- ranges use node-semver semantics (``^ ~ x || -``, pre-releases only when the range
  names one on the same major.minor.patch), through the node-semver port.

``dependencies`` and ``optionalDependencies`` are followed; ``peerDependencies`` are
returned as peers, which the driver notes and follows only on request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import nodesemver

from analyzer.enrich.client import Client
from analyzer.enrich.interface import BadResponseError, SourceUnavailableError
from analyzer.enrich.npm import EXPIRE, document_url
from analyzer.manifests.package_json import npm_source
from analyzer.model import Ecosystem
from analyzer.resolve.interface import (
    DEPENDENCY,
    OPTIONAL,
    PEER,
    UNCACHED,
    Child,
    Outcome,
    Request,
    ResolveError,
    Resolver,
    Tick,
    as_mapping,
    fetch_each,
)

MAX_SPEC = 500
MAX_CHILDREN = 1000
NAME = re.compile(r"^(@[a-z0-9][\w.-]*/)?[a-z0-9_.][\w.-]*$", re.IGNORECASE)
# Errors node-semver raises on input it cannot parse (it was written for trusted input).
SEMVER_ERRORS = (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError)


@dataclass(frozen=True)
class PackageView:
    """What resolution keeps of a registry document: tags and each version's manifest."""

    tags: dict[str, str]
    versions: dict[str, Mapping[str, Any]]


def read_document(document: Any) -> PackageView | None:
    versions = as_mapping(as_mapping(document).get("versions"))
    if not versions:
        return None
    tags = as_mapping(document.get("dist-tags"))
    tags = {str(k): v for k, v in tags.items() if isinstance(v, str)}
    kept = {v: as_mapping(m) for v, m in versions.items() if isinstance(v, str) and _valid(v)}
    return PackageView(tags, kept)


def _valid(version: str) -> bool:
    try:
        return len(version) <= 256 and nodesemver.valid(version, True) is not None
    except SEMVER_ERRORS:
        return False


def _satisfying(versions: Sequence[str], spec: str) -> str | None:
    try:
        found = nodesemver.max_satisfying(list(versions), spec, True)
    except SEMVER_ERRORS:
        return None
    return str(found) if found is not None else None


def choose(view: PackageView, spec: str) -> tuple[str | None, str | None]:
    """The version npm installs for ``spec``, or None and why not."""
    spec = spec.strip() or "*"
    if len(spec) > MAX_SPEC:
        return None, "range too long"
    if spec in view.tags:
        tagged = view.tags[spec]
        return (tagged, None) if tagged in view.versions else (None, f"tag {spec} names no version")
    if npm_source(spec) != "registry":
        return None, f"not a registry range: {spec[:80]!r}"
    try:
        is_range = nodesemver.valid_range(spec, True) is not None
    except SEMVER_ERRORS:
        is_range = False
    if not is_range:  # npm reads anything that is not a range as a dist-tag
        return None, f"no dist-tag or valid range {spec[:80]!r}"
    latest = view.tags.get("latest", "")
    manifest = view.versions.get(latest)
    fresh = manifest is not None and not manifest.get("deprecated")
    if fresh and (spec == "*" or _satisfying([latest], spec)):
        return latest, None
    current = [v for v, m in view.versions.items() if not m.get("deprecated")]
    best = _satisfying(current, spec) or _satisfying(list(view.versions), spec)
    return (best, None) if best else (None, f"no version satisfies {spec[:80]!r}")


def _alias(name: str, spec: str) -> tuple[str, str]:
    """``"npm:real-name@^1"`` installs ``real-name``."""
    if spec.startswith("npm:"):
        target, at, rest = spec[4:].rpartition("@")
        if at and target:
            return target, rest
        return spec[4:], ""
    return name, spec


def children(manifest: Mapping[str, Any]) -> list[Child]:
    """A version's dependencies; an optional dependency overrides the same regular one."""
    tables = (
        ("dependencies", DEPENDENCY), ("optionalDependencies", OPTIONAL),
        ("peerDependencies", PEER),
    )  # fmt: skip
    found: dict[tuple[str, bool], Child] = {}
    for key, kind in tables:
        for name, spec in list(as_mapping(manifest.get(key)).items())[:MAX_CHILDREN]:
            if not isinstance(spec, str) or len(spec) > MAX_SPEC:
                continue
            target, wanted = _alias(str(name), spec.strip())
            if NAME.match(target) and len(target) <= 214:
                found[(target, kind == PEER)] = Child(target, wanted, (), kind)
    return list(found.values())


class NpmResolver(Resolver):
    """Resolves against an npm-compatible registry; memoized per run."""

    ecosystem = Ecosystem.NPM

    def __init__(self, client: Client) -> None:
        self.client = client
        self._documents: dict[str, PackageView | str] = {}
        self._unavailable: str | None = None

    def resolve(
        self, requests: Sequence[Request], tick: Tick | None = None
    ) -> dict[Request, Outcome]:
        names = sorted({r.name for r in requests} - set(self._documents))

        self._documents.update(fetch_each(self.client, names, self._document, tick))
        if self._unavailable:
            raise ResolveError(self._unavailable)
        return {r: self._outcome(r) for r in requests}

    def _document(self, name: str) -> PackageView | str:
        if self._unavailable:
            return self._unavailable
        try:
            document = self.client.get_json("npm", document_url(self.client.endpoints.npm, name),
                                            expire=EXPIRE)  # fmt: skip
        except BadResponseError as exc:
            return str(exc)
        except SourceUnavailableError as exc:
            self._unavailable = self._unavailable or str(exc)
            return self._unavailable
        if document is None:
            offline = self.client.settings.offline
            return UNCACHED if offline else "not on the registry"
        return read_document(document) or "not a package document"

    def _outcome(self, request: Request) -> Outcome:
        view = self._documents.get(request.name)
        if not isinstance(view, PackageView):
            return Outcome(None, complete=False, note=f"{request.name}: {view or 'not looked up'}")
        version, why = choose(view, request.spec)
        if version is None:
            return Outcome(None, complete=False, note=f"{request.name}: {why}")
        return Outcome(version, tuple(children(view.versions[version])))

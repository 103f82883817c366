"""PyPI: the version a specifier selects and that version's ``Requires-Dist``.

Documents, in the order they are tried (the first shares the enrichment provider's URL, so
the HTTP cache answers it once for both):

1. ``<root>/pypi/<name>/json``: releases to choose from, and the latest one's requires_dist.
2. ``<root>/pypi/<name>/<version>/json`` for an older version's requires_dist.
3. When a mirror answers 404 there: the PEP 691 simple index (JSON) lists the version's
   wheels; a wheel's core metadata (PEP 658/714, ``<wheel URL>.metadata``) has Requires-Dist.
   Some mirrors serve that file without advertising it, so an unadvertised wheel is tried too.

If none answers, the package is resolved without its dependencies and a note says why.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from email.parser import BytesHeaderParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from analyzer.enrich.client import Client
from analyzer.enrich.interface import BadResponseError, SourceUnavailableError
from analyzer.enrich.pypi import EXPIRE
from analyzer.model import Ecosystem
from analyzer.resolve.interface import (
    UNCACHED,
    Child,
    Outcome,
    Request,
    ResolveError,
    Resolver,
    Tick,
    fetch_each,
)
from analyzer.resolve.pypi_versions import ProjectView, choose, parse_spec, read_project
from analyzer.resolve.target import Target

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
IMMUTABLE = 30 * 24 * 3600  # a released version's metadata never changes
MAX_METADATA = 4 * 1024 * 1024
MAX_REQUIRES = 500  # entries read from one release's Requires-Dist


def children(requires: Sequence[str], extras: Sequence[str], env: Mapping[str, str]) -> list[Child]:
    """The requirements that apply to ``env`` with ``extras`` requested; bad entries skipped."""
    found = []
    for text in requires[:MAX_REQUIRES]:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.url or not _applies(requirement.marker, extras, env):
            continue
        wanted = tuple(sorted({canonicalize_name(e) for e in requirement.extras}))
        name = canonicalize_name(requirement.name)
        found.append(Child(name, str(requirement.specifier), wanted))
    return found


def _applies(marker: Marker | None, extras: Sequence[str], env: Mapping[str, str]) -> bool:
    if marker is None:
        return True
    for extra in ("", *extras):
        try:
            if marker.evaluate({**env, "extra": extra}):
                return True
        except ValueError:  # an undefined comparison in a hostile marker: it does not apply
            return False
    return False


class PypiResolver(Resolver):
    """Resolves against a PyPI-compatible registry; thread-safe, memoized per run."""

    ecosystem = Ecosystem.PYPI

    def __init__(self, client: Client, target: Target | None = None) -> None:
        self.client = client
        self.target = target or Target()
        self.env = self.target.environment()
        self._projects: dict[str, ProjectView | str] = {}  # name -> view, or why there is none
        self._requires: dict[tuple[str, str], tuple[str, ...] | str] = {}
        self._unavailable: str | None = None
        self._lock = threading.Lock()

    def resolve(
        self, requests: Sequence[Request], tick: Tick | None = None
    ) -> dict[Request, Outcome]:
        names = sorted({r.name for r in requests} - set(self._projects))

        self._projects.update(fetch_each(self.client, names, self._project, tick))
        chosen = {r: self._choose(r) for r in requests}
        needed = sorted({(r.name, v) for r, (v, _) in chosen.items() if v} - set(self._requires))
        self._requires.update(self.client.map(needed, lambda key: (key, self._requirements(*key))))
        if self._unavailable:
            raise ResolveError(self._unavailable)
        return {r: self._outcome(r, *chosen[r]) for r in requests}

    def _get(self, url: str, expire: float, headers: Mapping[str, str] | None = None) -> Any:
        """A JSON document, None for "not there"; a dead registry stops every later call."""
        if self._unavailable:
            return None
        try:
            return self.client.get_json("pypi", url, expire=expire, headers=headers)
        except BadResponseError:
            return None
        except SourceUnavailableError as exc:
            with self._lock:
                self._unavailable = self._unavailable or str(exc)
            return None

    def _missing(self) -> str:
        offline = self.client.settings.offline
        return UNCACHED if offline else "not on the registry"

    def _project(self, name: str) -> ProjectView | str:
        url = f"{self.client.endpoints.pypi}/pypi/{quote(name, safe='')}/json"
        document = self._get(url, EXPIRE)
        if document is None:
            return self._missing()
        return read_project(document, self.target.python_version) or "not a project document"

    def _choose(self, request: Request) -> tuple[str | None, str | None]:
        view = self._projects.get(request.name)
        if not isinstance(view, ProjectView):
            return None, view or "not looked up"
        try:
            spec = parse_spec(request.spec)
        except InvalidSpecifier:
            return None, f"invalid version specifier {request.spec[:80]!r}"
        release, why = choose(view.releases, spec)
        return (release.text, None) if release else (None, why)

    def _outcome(self, request: Request, version: str | None, why: str | None) -> Outcome:
        if version is None:
            return Outcome(None, complete=False, note=f"{request.name}: {why}")
        requires = self._requires.get((request.name, version))
        if not isinstance(requires, tuple):
            note = f"{request.name} {version}: dependencies unknown ({requires or 'not looked up'})"
            return Outcome(version, complete=False, note=note)
        return Outcome(version, tuple(children(requires, request.extras, self.env)))

    def _requirements(self, name: str, version: str) -> tuple[str, ...] | str:
        view = self._projects[name]
        if isinstance(view, ProjectView) and version == view.latest:
            return view.requires_dist
        base = f"{self.client.endpoints.pypi}/pypi/{quote(name, safe='')}"
        document = self._get(f"{base}/{quote(version, safe='')}/json", IMMUTABLE)
        info = document.get("info") if isinstance(document, Mapping) else None
        if isinstance(info, Mapping):
            requires = info.get("requires_dist")
            return tuple(r for r in requires or () if isinstance(r, str))
        from_wheel = self._wheel_requirements(name, version)
        return from_wheel if from_wheel is not None else f"{self._missing()}, no wheel metadata"

    def _wheel_requirements(self, name: str, version: str) -> tuple[str, ...] | None:
        index = f"{self.client.endpoints.pypi}/simple/{quote(name, safe='')}/"
        document = self._get(index, EXPIRE, {"Accept": SIMPLE_JSON})
        files = document.get("files") if isinstance(document, Mapping) else None
        for url in _metadata_urls(index, files, version)[:2]:
            if self._unavailable:
                return None
            try:
                response = self.client.call("pypi", "GET", url, expire=IMMUTABLE)
            except (BadResponseError, SourceUnavailableError):
                continue
            if response is not None and len(response.content) <= MAX_METADATA:
                message = BytesHeaderParser().parsebytes(response.content)
                return tuple(str(r) for r in message.get_all("Requires-Dist") or ())
        return None


def _metadata_urls(index: str, files: Any, version: str) -> list[str]:
    """``.metadata`` URLs of the version's wheels: advertised ones first, pure Python first."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return []
    ranked = []
    for entry in files if isinstance(files, list) else ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("filename"), str):
            continue
        try:
            _, file_version, _, tags = parse_wheel_filename(entry["filename"])
        except (InvalidWheelFilename, InvalidVersion):
            continue  # an sdist, or a name that is not a wheel's
        url = urljoin(index, str(entry.get("url", "")))
        if file_version != wanted or urlsplit(url).scheme not in ("http", "https"):
            continue
        advertised = bool(entry.get("core-metadata") or entry.get("data-dist-info-metadata"))
        pure = any(tag.platform == "any" for tag in tags)
        ranked.append((not advertised, not pure, url.split("#", 1)[0] + ".metadata"))
    return [url for *_, url in sorted(ranked)]

"""npm registry documents: repository, funding, maintainers, release times, deprecation.

One request per package for the full document (the abbreviated form lacks ``time``,
``repository`` and ``funding``). Some registries omit ``maintainers``; then it is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from analyzer.enrich import funding
from analyzer.enrich.client import Client
from analyzer.enrich.interface import Finding, Provider, Signal, Subject
from analyzer.enrich.releases import release_signals
from analyzer.enrich.repourl import normalize_repo_url

EXPIRE = 24 * 3600


def document_url(base: str, name: str) -> str:
    """Scoped names keep their ``@`` and encode the slash, as the registry expects."""
    return f"{base}/{quote(name, safe='@')}"


def _repository(document: Mapping[str, Any], latest: Mapping[str, Any]) -> str | None:
    for holder in (latest, document):
        repo = holder.get("repository")
        url = repo.get("url") if isinstance(repo, dict) else repo
        if normalized := normalize_repo_url(url):
            return normalized  # a monorepo "directory" still belongs to the same project
    return None


def _times(document: Mapping[str, Any]) -> dict[str, tuple[datetime, bool]]:
    versions = document.get("versions")
    stamps = document.get("time")
    if not isinstance(stamps, dict) or not isinstance(versions, dict):
        return {}
    times = {}
    for version, stamp in stamps.items():
        if version in ("created", "modified") or not isinstance(stamp, str):
            continue
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            continue
        meta = versions.get(version)
        if meta is None:
            continue  # unpublished
        deprecated = isinstance(meta, dict) and bool(meta.get("deprecated"))
        times[str(version)] = (when, deprecated)
    return times


class NpmProvider(Provider):
    name = "npm"

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "npm"

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        def url(item: Subject) -> str:
            return document_url(client.endpoints.npm, item.name)

        for item, document in client.documents(self.name, items, url, EXPIRE):
            if isinstance(document, dict) and isinstance(document.get("versions"), dict):
                yield self.read(item, document, client.fetched_at)

    def read(self, item: Subject, document: Mapping[str, Any], fetched_at: str) -> Finding:
        tags = document.get("dist-tags")
        latest_version = tags.get("latest") if isinstance(tags, dict) else None
        versions = document["versions"]
        latest = versions.get(latest_version) if isinstance(latest_version, str) else None
        latest = latest if isinstance(latest, dict) else {}
        signals: dict[str, Any] = {}
        repository = _repository(document, latest)
        if repository:
            signals["repository"] = repository
        if isinstance(latest_version, str):
            signals["latest_version"] = latest_version
        people = document.get("maintainers")
        if isinstance(people, list) and people:
            names = sorted(
                {str(p.get("name")) for p in people if isinstance(p, dict) and p.get("name")}
            )
            if names:
                signals["maintainers"] = names
                signals["maintainer_count"] = len(names)
        if isinstance(latest.get("deprecated"), str) and latest["deprecated"]:
            signals["deprecated"] = latest["deprecated"][:500]
        license_text = latest.get("license") or document.get("license")
        if isinstance(license_text, str) and 0 < len(license_text) <= 200:
            signals["license"] = license_text
        signals.update(release_signals(_times(document), item.versions, fetched_at))
        links = funding.dedupe(funding.from_npm(latest.get("funding") or document.get("funding")))
        made = tuple(Signal(k, v, self.name, fetched_at) for k, v in signals.items())
        return Finding(item.key, made, tuple(links), repository)

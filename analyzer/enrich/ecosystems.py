"""ecosyste.ms packages: reach, maintainers, funding links and criticality of many ecosystems.

Packages are looked up by purl through ``POST /packages/bulk_lookup``, at most ``BATCH`` (the
spec's limit, 100) purls a request, in sorted order so that a rerun (or ``--offline``) asks the
same cached bodies. The answer lists matching packages of every registry of that ecosystem; the
default registry's package wins. Answers are matched by ecosystem and name (purl type ``golang``
is ecosyste.ms's ``go``, ``gem`` is ``rubygems``, ``composer`` is ``packagist``). ecosyste.ms
keeps PyPI names as PyPI spells them, lowercased (``zope.interface``, ``typing_extensions``),
and its purl parser turns ``_`` into ``-``: a PyPI name with ``-`` that found nothing is asked
again by name (``names`` with ``ecosystem: pypi``), spelled with ``_`` and with ``.``. An
optional API key (``ECOSYSTEMS_API_KEY``) travels only in the ``X-API-Key`` header, which
requests-cache leaves out of what it stores.

Signals (absent when unknown): repository, downloads and downloads_period (e.g.
``last-month``), dependents (packages depending on it), dependent_repos (repositories depending
on it), docker_dependents (Docker images; only when positive, see :func:`reach`),
maintainers (logins, else names) and maintainer_count, critical (ecosyste.ms's critical flag),
latest_version, first_release, last_release, license (normalized licenses, ", "-joined),
registry_status (``deprecated``, ``removed``, ``unpublished``, ``archived``, ...), deprecated
(true when deprecated) and removed (true when removed or unpublished).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from packaging.utils import canonicalize_name

from analyzer.enrich import funding
from analyzer.enrich.client import Client
from analyzer.enrich.interface import BadResponseError, Finding, Provider, Signal, Subject
from analyzer.enrich.repourl import normalize_repo_url

ECOSYSTEMS = {"pypi": "pypi", "npm": "npm", "maven": "maven", "cargo": "cargo",  # purl type:
              "golang": "go", "gem": "rubygems", "composer": "packagist",  # ecosyste.ms name
              "nuget": "nuget", "conda": "conda"}  # fmt: skip
BATCH = 100
EXPIRE = 24 * 3600
MAX_PEOPLE = 200
_KEY = re.compile(r"^[\x21-\x7e]{1,500}$")
Match = tuple[str, str]  # (ecosystem, normalized name)


def match_key(ecosystem: str, name: str) -> Match:
    """Names compare as each ecosystem does: PyPI canonically, others case-insensitively."""
    return ecosystem, str(canonicalize_name(name)) if ecosystem == "pypi" else name.lower()


def index(answer: Any) -> dict[Match, Mapping[str, Any]]:
    """Packages of one bulk_lookup answer by ecosystem and name; the default registry first."""
    if answer is None:
        return {}
    if not isinstance(answer, list):
        raise BadResponseError("ecosyste.ms bulk_lookup: not a list of packages")
    found: dict[Match, Mapping[str, Any]] = {}
    for package in answer[: BATCH * 20]:
        if not isinstance(package, dict):
            continue
        ecosystem, name = package.get("ecosystem"), package.get("name")
        if not isinstance(ecosystem, str) or not isinstance(name, str) or not name:
            continue
        key = match_key(ecosystem.lower(), name)
        registry = package.get("registry")
        default = isinstance(registry, dict) and registry.get("default") is True
        if key not in found or default:
            found[key] = package
    return found


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _people(value: Any) -> list[str]:
    names = set()
    for person in value if isinstance(value, list) else []:
        if isinstance(person, dict):
            label = person.get("login") or person.get("name")
            if isinstance(label, str) and 0 < len(label.strip()) <= 200:
                names.add(label.strip())
    return sorted(names)


def reach(package: Mapping[str, Any]) -> dict[str, Any]:
    """downloads, dependents and criticality. A zero count without a period (downloads) or
    among docker counts (the default for unmeasured packages) is unknown, not zero."""
    signals: dict[str, Any] = {}
    downloads, period = _count(package.get("downloads")), package.get("downloads_period")
    period = period if isinstance(period, str) and 0 < len(period) <= 50 else None
    if downloads is not None and (period or downloads > 0):
        signals["downloads"] = downloads
        if period:
            signals["downloads_period"] = period
    for field, name in (("dependent_packages_count", "dependents"),
                        ("dependent_repos_count", "dependent_repos"),
                        ("docker_dependents_count", "docker_dependents")):  # fmt: skip
        number = _count(package.get(field))
        if number is not None and (number > 0 or name != "docker_dependents"):
            signals[name] = number
    if isinstance(package.get("critical"), bool):
        signals["critical"] = package["critical"]
    return signals


def lifecycle(package: Mapping[str, Any]) -> dict[str, Any]:
    """Releases, license and registry status."""
    signals: dict[str, Any] = {}
    latest = package.get("latest_release_number")
    if isinstance(latest, str) and 0 < len(latest) <= 100:
        signals["latest_version"] = latest
    for field, name in (("first_release_published_at", "first_release"),
                        ("latest_release_published_at", "last_release")):  # fmt: skip
        if when := _date(package.get(field)):
            signals[name] = when
    licenses = package.get("normalized_licenses")
    if isinstance(licenses, list) and (
        names := [n for n in licenses[:20] if isinstance(n, str) and n]
    ):
        signals["license"] = ", ".join(names)[:500]
    status = package.get("status")
    if isinstance(status, str) and 0 < len(status) <= 50:
        signals["registry_status"] = status
        if status == "deprecated":
            signals["deprecated"] = True
        if status in ("removed", "unpublished"):
            signals["removed"] = True
    return signals


def read(item: Subject, package: Mapping[str, Any], fetched_at: str) -> Finding:
    """A Finding from one ecosyste.ms package record (fields of any shape)."""
    signals: dict[str, Any] = {}
    repository = normalize_repo_url(package.get("repository_url"))
    if repository:
        signals["repository"] = repository
    signals.update(reach(package))
    if people := _people(package.get("maintainers")):
        signals["maintainers"] = people[:MAX_PEOPLE]
        signals["maintainer_count"] = len(people)
    signals.update(lifecycle(package))
    urls = package.get("funding_links")
    links = [funding.from_url(u, "ecosystems") for u in urls[:50]] if isinstance(urls, list) else []
    made = tuple(Signal(k, v, EcosystemsProvider.name, fetched_at) for k, v in signals.items())
    return Finding(item.key, made, tuple(funding.dedupe(filter(None, links))), repository)


def pypi_variants(name: str) -> list[str]:
    """Spellings a canonical PyPI name may have on ecosyste.ms."""
    return [name.replace("-", "_"), name.replace("-", ".")] if "-" in name else []


class EcosystemsProvider(Provider):
    """ecosyste.ms packages API, bulk lookup by purl."""

    name = "ecosystems"

    def __init__(self, key_env: str = "ECOSYSTEMS_API_KEY") -> None:
        self.key_env = key_env

    def supports(self, ecosystem: str) -> bool:
        return ecosystem in ECOSYSTEMS

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.key_env, "").strip()
        return {"X-API-Key": key} if _KEY.match(key) else {}

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        ordered = sorted((i for i in items if self.supports(i.ecosystem)), key=lambda i: i.key)
        chunks = [ordered[i : i + BATCH] for i in range(0, len(ordered), BATCH)]
        headers = self._headers()
        for findings in client.map(chunks, lambda chunk: self._chunk(chunk, client, headers)):
            yield from findings

    def _chunk(
        self, chunk: Sequence[Subject], client: Client, headers: Mapping[str, str]
    ) -> list[Finding]:
        found = self._lookup({"purls": [item.key for item in chunk]}, client, headers)
        missing = [i for i in chunk if i.ecosystem == "pypi" and self._pick(i, found) is None]
        variants = [v for item in missing for v in pypi_variants(item.name)]
        for start in range(0, len(variants), BATCH):
            query = {"names": variants[start : start + BATCH], "ecosystem": "pypi"}
            found.update(self._lookup(query, client, headers))
        picked = [(item, self._pick(item, found)) for item in chunk]
        return [read(item, package, client.fetched_at) for item, package in picked if package]

    @staticmethod
    def _pick(item: Subject, found: Mapping[Match, Mapping[str, Any]]) -> Mapping[str, Any] | None:
        return found.get(match_key(ECOSYSTEMS[item.ecosystem], item.name))

    def _lookup(
        self, query: Mapping[str, Any], client: Client, headers: Mapping[str, str]
    ) -> dict[Match, Mapping[str, Any]]:
        url = f"{client.endpoints.ecosystems}/packages/bulk_lookup"
        try:
            return index(client.post_json(self.name, url, query, headers=headers, expire=EXPIRE))
        except BadResponseError as exc:
            client.note(self.name, str(exc))
            return {}

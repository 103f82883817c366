"""PyPI JSON API: repository, funding, ownership, release history, classifiers, license.

One request per project (``/pypi/<name>/json``). Project URLs follow PEP 753: labels are
normalized (lowercase, punctuation and spaces removed) before they are compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from analyzer.enrich import funding
from analyzer.enrich.client import Client
from analyzer.enrich.interface import (
    Finding,
    FundingLink,
    Provider,
    Signal,
    Subject,
)
from analyzer.enrich.releases import release_signals
from analyzer.enrich.repourl import normalize_repo_url

SOURCE_LABELS = ("source", "sourcecode", "repository", "code", "github", "gitlab", "git")
FUNDING_LABELS = frozenset({"funding", "sponsor", "sponsors", "donate", "donation", "donations"})
EXPIRE = 24 * 3600
_FORGE = re.compile(r"https?://(www\.)?(github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)/")


def normalize_label(label: str) -> str:
    """PEP 753 label normalization: lowercase with punctuation and whitespace removed."""
    return re.sub(r"[^a-z0-9]", "", label.lower())


def project_urls(info: Mapping[str, Any]) -> dict[str, str]:
    urls = info.get("project_urls")
    result: dict[str, str] = {}
    if isinstance(urls, dict):
        for label, url in urls.items():
            if isinstance(label, str) and isinstance(url, str):
                result.setdefault(normalize_label(label), url.strip())
    if isinstance(info.get("home_page"), str) and info["home_page"]:
        result.setdefault("homepage", info["home_page"].strip())
    return result


def find_repository(urls: Mapping[str, str]) -> str | None:
    """The source repository: a source-like label first, then any forge URL."""
    for label in SOURCE_LABELS:
        if label in urls and (repo := normalize_repo_url(urls[label])):
            return repo
    for label in ("homepage", *sorted(urls)):
        url = urls.get(label, "")
        if _FORGE.match(url) and (repo := normalize_repo_url(url)):
            return repo
    return None


def funding_links(urls: Mapping[str, str]) -> list[FundingLink]:
    links = []
    for label, url in urls.items():
        link = funding.from_url(url, "pypi")
        if link is None:
            continue
        if label in FUNDING_LABELS or link.platform != "custom":
            links.append(link)
    return funding.dedupe(links)


def upload_times(releases: Any) -> dict[str, tuple[datetime, bool]]:
    """version -> (first upload time, yanked) for every release with files."""
    times: dict[str, tuple[datetime, bool]] = {}
    if not isinstance(releases, dict):
        return times
    for version, listed in releases.items():
        files = listed if isinstance(listed, list) else []  # hostile documents: anything goes
        stamps = [f.get("upload_time_iso_8601") for f in files if isinstance(f, dict)]
        parsed = [_parse_time(s) for s in stamps if isinstance(s, str)]
        valid = [p for p in parsed if p is not None]
        if valid:
            yanked = all(bool(f.get("yanked")) for f in files if isinstance(f, dict))
            times[str(version)] = (min(valid), yanked)
    return times


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class PypiProvider(Provider):
    name = "pypi"

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "pypi"

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        def url(item: Subject) -> str:
            return f"{client.endpoints.pypi}/pypi/{quote(item.name, safe='')}/json"

        for item, document in client.documents(self.name, items, url, EXPIRE):
            if isinstance(document, dict) and isinstance(document.get("info"), dict):
                yield self.read(item, document, client.fetched_at)

    def read(self, item: Subject, document: Mapping[str, Any], fetched_at: str) -> Finding:
        info = document["info"]
        urls = project_urls(info)
        repository = find_repository(urls)
        signals: dict[str, Any] = {}
        if repository:
            signals["repository"] = repository
        ownership = document.get("ownership")
        if isinstance(ownership, dict):
            listed = ownership.get("roles")
            listed = listed if isinstance(listed, list) else []
            roles = [r for r in listed if isinstance(r, dict)]
            users = sorted({str(r.get("user")) for r in roles if r.get("user")})
            if users:
                signals["maintainers"] = users
                signals["maintainer_count"] = len(users)
            if isinstance(ownership.get("organization"), str):
                signals["owner_organization"] = ownership["organization"]
        classifiers = [c for c in info.get("classifiers") or [] if isinstance(c, str)]
        status = [
            c.split("::")[-1].strip() for c in classifiers if c.startswith("Development Status")
        ]
        if status:
            signals["development_status"] = status[0]
            signals["inactive"] = status[0].endswith("Inactive")
        license_text = info.get("license_expression") or info.get("license")
        if isinstance(license_text, str) and 0 < len(license_text) <= 200:
            signals["license"] = license_text.strip()
        if isinstance(info.get("version"), str):
            signals["latest_version"] = info["version"]
        times = upload_times(document.get("releases"))
        signals.update(release_signals(times, item.versions, fetched_at))
        made = tuple(Signal(k, v, self.name, fetched_at) for k, v in signals.items())
        return Finding(item.key, made, tuple(funding_links(urls)), repository)

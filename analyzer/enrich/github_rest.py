"""GitHub REST: repository documents, contributors, commit counts and FUNDING.yml.

Used alone without a token, and for contributors (which GraphQL lacks) with one. Pages follow
``Link: <…>; rel="next"`` only while they stay on the API's origin, because the token goes
with them; at most ``max_pages`` pages of 100 contributors are read. A 202 (statistics being
computed) or 204 (empty repository) leaves those signals unknown.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import yaml

from analyzer.enrich import funding
from analyzer.enrich import github_graphql as gql
from analyzer.enrich.client import Client, public_url
from analyzer.enrich.interface import (
    BadResponseError,
    Finding,
    FundingLink,
    Signal,
    SourceUnavailableError,
    Subject,
)

EXPIRE = 24 * 3600
MAX_FUNDING_BYTES = 64 * 1024
_LINK = re.compile(r'<([^<>]+)>\s*;\s*rel="([^"]+)"')
Slug = tuple[str, str]
T = TypeVar("T")


def link(header: str | None, rel: str, origin: str) -> str | None:
    """The ``rel`` URL of a Link header, only when it stays on ``origin`` (the token goes there)."""
    for url, rels in _LINK.findall(header or "")[:10]:
        if rel in rels.split() and _origin(url) == origin:
            return str(url)
    return None


def contributor_counts(page: Any) -> list[int]:
    """Commit counts of the human contributors on one page of /contributors."""
    if not isinstance(page, list):
        raise BadResponseError("contributors: not a list")
    counts = []
    for entry in page[:1000]:
        if not isinstance(entry, dict) or entry.get("type") == "Bot":
            continue
        login, commits = entry.get("login"), gql.count(entry.get("contributions"))
        if isinstance(login, str) and not login.endswith("[bot]") and commits:
            counts.append(commits)
    return counts


def contributor_signals(counts: Sequence[int]) -> dict[str, Any]:
    if not counts:
        return {}
    ordered, total, running, people = sorted(counts, reverse=True), sum(counts), 0, 0
    while running * 2 <= total:  # "over half": 2 people with 50 of 100 commits are not enough
        running += ordered[people]
        people += 1
    return {"contributors": len(ordered), "bus_factor": people,
            "top_contributor_share": round(ordered[0] / total, 4)}  # fmt: skip


def repo_signals(document: Mapping[str, Any]) -> dict[str, Any]:
    """Signals of a REST repository document."""
    signals: dict[str, Any] = {}
    if isinstance(document.get("archived"), bool):
        signals["archived"] = document["archived"]
    for field, name in (("stargazers_count", "stars"), ("forks_count", "forks"),
                        ("open_issues_count", "open_issues")):  # fmt: skip
        gql.put(signals, name, gql.count(document.get(field)))
    owner = document.get("owner")
    if isinstance(owner, dict):
        gql.owner_signals(signals, owner.get("type"), owner.get("login"))
    gql.put(signals, "created_at", gql.day(document.get("created_at")))
    gql.put(signals, "pushed_at", gql.day(document.get("pushed_at")))
    license_ = document.get("license")
    if isinstance(license_, dict):
        gql.put(signals, "license", gql.spdx(license_.get("spdx_id")))
    return signals


def funding_yml(document: Any, source: str) -> list[FundingLink]:
    """Links from a contents-API answer for FUNDING.yml (base64, size-bounded)."""
    if not isinstance(document, dict) or document.get("type") != "file":
        raise BadResponseError("FUNDING.yml: not a file")
    content, size = document.get("content"), gql.count(document.get("size"))
    if not isinstance(content, str) or document.get("encoding") != "base64":
        raise BadResponseError("FUNDING.yml: no base64 content")
    if (size or 0) > MAX_FUNDING_BYTES or len(content) > 2 * MAX_FUNDING_BYTES:
        raise BadResponseError("FUNDING.yml: too large")
    try:
        text = base64.b64decode("".join(content.split()), validate=True).decode("utf-8")
        data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError, RecursionError):
        raise BadResponseError("FUNDING.yml: not valid base64 YAML") from None
    try:
        return funding.from_funding_yml(data, source)
    except ValueError:  # a custom URL urlsplit refuses
        raise BadResponseError("FUNDING.yml: an invalid URL") from None


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


class Rest:
    """REST calls for one fetch; holds the headers (and so the token) only in memory."""

    def __init__(self, source: str, max_pages: int, client: Client, headers: dict[str, str]):
        self.source, self.max_pages = source, max_pages
        self.client, self.headers = client, headers
        self.api = client.endpoints.github_api
        self.owner_links: dict[str, list[FundingLink] | None] = {}
        self._lock = threading.Lock()

    def from_rest(self, item: Subject, slug: Slug) -> Finding | None:
        """Repository document, commit counts, FUNDING.yml and contributors, all from REST."""
        owner, repo = slug
        document = self._try(lambda: self.get(f"/repos/{owner}/{repo}"), slug)
        if not isinstance(document, dict):
            return None
        signals = repo_signals(document)
        signals.update(self._try(lambda: self.commits(owner, repo), slug) or {})
        return self._finish(item, slug, signals, self._try(lambda: self.funding(owner, repo), slug))

    def from_graphql(
        self,
        item: Subject,
        slug: Slug,
        node: Mapping[str, Any] | None,
        fallback: Mapping[str, list[FundingLink]],
        contributors: Mapping[str, Any] | None = None,
    ) -> Finding | None:
        """GraphQL's node (None: unknown), the owner's fallback links, REST contributors
        (asked now unless given)."""
        if node is None:
            return None
        signals, links = gql.facts(node, self.source)
        links = (links or fallback.get(slug[0], [])) + gql.sponsor_links(signals, self.source)
        return self._finish(item, slug, signals, links, contributors)

    def _finish(
        self,
        item: Subject,
        slug: Slug,
        signals: dict[str, Any],
        links: list[FundingLink] | None,
        contributors: Mapping[str, Any] | None = None,
    ) -> Finding:
        signals.update(self.contributors_of(slug) if contributors is None else contributors)
        at = self.client.fetched_at
        made = tuple(Signal(name, value, self.source, at) for name, value in signals.items())
        return Finding(item.key, made, tuple(funding.dedupe(links or [])))

    def contributors_of(self, slug: Slug) -> dict[str, Any]:
        """Contributor signals; none when their answer is unusable or refused."""
        return self._try(lambda: self.contributors(*slug), slug) or {}

    def _try(self, call: Callable[[], T], slug: Slug) -> T | None:
        """Run one request; an unusable answer leaves its signals unknown."""
        try:
            return call()
        except BadResponseError as exc:
            self.client.note(self.source, f"{slug[0]}/{slug[1]}: {exc}")
        except SourceUnavailableError as exc:
            # A 403 that is not a rate limit concerns one repository: contributors of a very
            # large one, a blocked one, an organization enforcing SSO.
            if exc.status != 403:
                raise
            self.client.note(self.source, f"{slug[0]}/{slug[1]}: refused (HTTP 403)")
        return None

    def get(self, path: str) -> Any:
        return self.client.get_json(self.source, self.api + path, headers=self.headers,
                                    expire=EXPIRE)  # fmt: skip

    def commits(self, owner: str, repo: str) -> dict[str, Any]:
        """commits_last_year from the last page number at one commit per page."""
        query = urlencode({"per_page": 1, "since": gql.since(self.client.fetched_at)})
        url = f"{self.api}/repos/{owner}/{repo}/commits?{query}"
        response = self.client.call(self.source, "GET", url, headers=self.headers, expire=EXPIRE)
        if response is None or response.status_code != 200:
            return {}
        page = self.client.decode(url, response)
        if not isinstance(page, list):
            raise BadResponseError(f"{public_url(url)}: not a list")
        if not page:
            return {"commits_last_year": 0}
        last = link(response.headers.get("Link"), "last", _origin(self.api))
        number = parse_qs(urlsplit(last).query).get("page", [""])[0] if last else "1"
        known = re.fullmatch(r"[0-9]{1,9}", number)  # str.isdigit() also takes "²"
        signals: dict[str, Any] = {"commits_last_year": int(number) if known else 1}
        head = page[0].get("commit") if isinstance(page[0], dict) else None
        committer = head.get("committer") if isinstance(head, dict) else None
        if isinstance(committer, dict):
            gql.put(signals, "last_commit", gql.day(committer.get("date")))
        return signals

    def contributors(self, owner: str, repo: str) -> dict[str, Any]:
        url: str | None = f"{self.api}/repos/{owner}/{repo}/contributors?per_page=100"
        counts: list[int] = []
        for _ in range(self.max_pages):
            if url is None:
                break
            response = self.client.call(self.source, "GET", url, headers=self.headers,
                                        expire=EXPIRE)  # fmt: skip
            if response is None or response.status_code != 200:  # 202: not computed yet
                return {}
            counts += contributor_counts(self.client.decode(url, response))
            url = link(response.headers.get("Link"), "next", _origin(self.api))
        return contributor_signals(counts)

    def funding(self, owner: str, repo: str) -> list[FundingLink]:
        """The repository's FUNDING.yml, else the one of the owner's ``.github`` repository."""
        document = self.get(f"/repos/{owner}/{repo}/contents/.github/FUNDING.yml")
        if document is not None:
            return funding_yml(document, self.source)
        if repo == ".github":
            return []
        with self._lock:
            if owner in self.owner_links:
                return self.owner_links[owner] or []
        found: list[FundingLink] | None = None
        for path in (".github/FUNDING.yml", "FUNDING.yml"):
            document = self.get(f"/repos/{owner}/.github/contents/{path}")
            if document is not None:
                found = funding_yml(document, self.source)
                break
        with self._lock:
            self.owner_links[owner] = found
        return found or []

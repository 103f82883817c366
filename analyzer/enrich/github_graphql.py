"""GitHub GraphQL: the facts of many repositories in one request, through aliases.

One query per batch: ``r0``…``rN`` are the repositories, ``g0``… each owner's ``.github``
repository, whose FUNDING.yml GitHub applies to repositories that have none of their own. A
missing repository answers ``null`` with a NOT_FOUND error for its alias: it stays unknown.
A RATE_LIMITED error (HTTP 200) waits for ``X-RateLimit-Reset`` through the client's host gate
when that is within --max-wait, else makes the source unavailable. The field readers at the
end are shared with the REST reader in :mod:`analyzer.enrich.github_rest`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import requests

from analyzer.enrich import funding
from analyzer.enrich.client import Client, decode_json, public_url
from analyzer.enrich.interface import BadResponseError, FundingLink, SourceUnavailableError

EXPIRE = 24 * 3600
FACTS = """fragment Facts on Repository {
  isArchived stargazerCount forkCount createdAt pushedAt
  issues(states: OPEN) { totalCount }
  pullRequests(states: OPEN) { totalCount }
  licenseInfo { spdxId }
  fundingLinks { platform url }
  owner {
    __typename login
    ... on Organization { hasSponsorsListing sponsors { totalCount } }
    ... on User { hasSponsorsListing sponsors { totalCount } }
  }
  defaultBranchRef {
    target { ... on Commit { committedDate history(since: $since) { totalCount } } }
  }
}"""
OWNER_TYPES = frozenset({"User", "Organization"})
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?$")
_SPDX = re.compile(r"^[A-Za-z0-9.+() -]{1,100}$")
Batch = tuple[list[Mapping[str, Any] | None], dict[str, list[FundingLink]]]


def since(fetched_at: str) -> str:
    """Midnight UTC a year before the run: stable for a day, so answers stay cacheable."""
    now = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    return f"{(now - timedelta(days=365)).date().isoformat()}T00:00:00Z"


def build_query(repos: Sequence[tuple[str, str]], owners: Sequence[str]) -> str:
    """Names are validated slugs; json.dumps quotes them as GraphQL strings."""
    lines = ["query($since: GitTimestamp!) {"]
    for i, (owner, name) in enumerate(repos):
        args = f"owner: {json.dumps(owner)}, name: {json.dumps(name)}"
        lines.append(f"  r{i}: repository({args}) {{ ...Facts }}")
    for i, owner in enumerate(owners):
        args = f'owner: {json.dumps(owner)}, name: ".github"'
        lines.append(f"  g{i}: repository({args}) {{ fundingLinks {{ platform url }} }}")
    lines.append("}")
    return "\n".join(lines) + "\n" + FACTS


def fetch_batch(
    client: Client,
    source: str,
    repos: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
) -> Batch:
    """One node (or None) per repository, and the fallback funding links per owner."""
    owners = sorted({owner for owner, _ in repos})
    payload = {
        "query": build_query(repos, owners),
        "variables": {"since": since(client.fetched_at)},
    }
    document = run(client, source, client.endpoints.github_graphql, payload, headers)
    if document is None:  # offline and not cached
        return [None] * len(repos), {}
    where = public_url(client.endpoints.github_graphql)
    try:
        data, problems = read_batch(document)
    except BadResponseError as exc:
        raise BadResponseError(f"{where}: {exc}") from None
    for problem in problems:
        client.note(source, f"{where}: {problem}")
    nodes = [_mapping(data.get(f"r{i}")) for i in range(len(repos))]
    fallback = {owner: links_of(data.get(f"g{i}"), source) for i, owner in enumerate(owners)}
    return nodes, fallback


def run(
    client: Client, source: str, url: str, payload: Any, headers: Mapping[str, str]
) -> Mapping[str, Any] | None:
    """POST the query; wait once on RATE_LIMITED, as the client does for HTTP 403/429."""
    for attempt in (1, 2):
        response = client.call(source, "POST", url, headers=headers, payload=payload, expire=EXPIRE)
        if response is None:
            return None
        try:
            document = decode_json(url, response)
            if not isinstance(document, dict):
                raise BadResponseError(f"{public_url(url)}: not a GraphQL answer")
        except BadResponseError:
            _forget(client, response)
            raise
        if not any(error.get("type") == "RATE_LIMITED" for error in _errors(document)):
            if not isinstance(document.get("data"), dict):
                _forget(client, response)
            return document
        _forget(client, response)  # the retry must reach GitHub, not this cached answer
        reset = response.headers.get("X-RateLimit-Reset", "")
        until = float(reset) if re.fullmatch(r"[0-9]{1,12}", reset) else time.time() + 60
        if attempt == 1 and client.gate.pause(url, until):
            continue
        wait = max(int(until - time.time()), 0)
        raise SourceUnavailableError(
            f"{public_url(url)}: GraphQL rate limit exhausted; resets in {wait}s "
            f"(--max-wait {int(client.settings.max_wait)}s)"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def read_batch(document: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[str]]:
    """The aliases' data, and messages for errors other than NOT_FOUND."""
    problems = []
    for error in _errors(document):
        if error.get("type") != "NOT_FOUND":
            kind = str(error.get("type") or "error")[:40]
            message = error.get("message")
            problems.append(f"GraphQL {kind}: {str(message)[:200] if message else 'no message'}")
    data = document.get("data")
    if not isinstance(data, dict):
        raise BadResponseError(problems[0] if problems else "GraphQL answer without data")
    return data, problems[:5]


def facts(node: Mapping[str, Any], source: str) -> tuple[dict[str, Any], list[FundingLink]]:
    """Signals and the ``fundingLinks`` of one repository node."""
    signals: dict[str, Any] = {}
    if isinstance(node.get("isArchived"), bool):
        signals["archived"] = node["isArchived"]
    put(signals, "stars", count(node.get("stargazerCount")))
    put(signals, "forks", count(node.get("forkCount")))
    issues, pulls = total(node.get("issues")), total(node.get("pullRequests"))
    if issues is not None and pulls is not None:
        signals["open_issues"] = issues + pulls  # REST's open_issues_count counts both
    put(signals, "created_at", day(node.get("createdAt")))
    put(signals, "pushed_at", day(node.get("pushedAt")))
    put(signals, "license", spdx(_mapping(node.get("licenseInfo"), {}).get("spdxId")))
    branch = _mapping(node.get("defaultBranchRef"), {})
    head = _mapping(branch.get("target"), {})
    put(signals, "last_commit", day(head.get("committedDate")))
    put(signals, "commits_last_year", total(head.get("history")))
    owner = _mapping(node.get("owner"), {})
    owner_signals(signals, owner.get("__typename"), owner.get("login"))
    if isinstance(owner.get("hasSponsorsListing"), bool):
        signals["sponsors_listing"] = owner["hasSponsorsListing"]
    put(signals, "sponsors_count", total(owner.get("sponsors")))
    return signals, links_of(node, source)


def sponsor_links(signals: Mapping[str, Any], source: str) -> list[FundingLink]:
    """The owner's GitHub Sponsors profile, when it has one."""
    login = signals.get("owner_login")
    if signals.get("sponsors_listing") is True and isinstance(login, str):
        return funding.from_funding_yml({"github": [login]}, source)
    return []


def links_of(node: Any, source: str) -> list[FundingLink]:
    """``fundingLinks`` of a node; GitHub's own entries name the account, not /sponsors/."""
    links: list[FundingLink] = []
    items = node.get("fundingLinks") if isinstance(node, dict) else None
    for item in items[:50] if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        url = item["url"].strip()
        account = url.rstrip("/").rsplit("/", 1)[-1]
        if item.get("platform") == "GITHUB" and _LOGIN.match(account):
            links += funding.from_funding_yml({"github": [account]}, source)
            continue
        try:
            link = funding.from_url(url, source)
        except ValueError:  # urlsplit refuses some hostile URLs ("http://[x")
            link = None
        if link:
            links.append(link)
    return links


def owner_signals(signals: dict[str, Any], kind: Any, login: Any) -> None:
    if isinstance(kind, str) and kind in OWNER_TYPES:
        signals["owner_type"] = kind
    if isinstance(login, str) and _LOGIN.match(login):
        signals["owner_login"] = login


def put(signals: dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        signals[name] = value


def count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12
    return value if ok else None


def total(connection: Any) -> int | None:
    return count(connection.get("totalCount")) if isinstance(connection, dict) else None


def day(value: Any) -> str | None:
    """``YYYY-MM-DD`` of an ISO 8601 timestamp, or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def spdx(value: Any) -> str | None:
    if isinstance(value, str) and _SPDX.match(value) and value != "NOASSERTION":
        return value
    return None


def _errors(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    errors = document.get("errors")
    return [e for e in errors[:100] if isinstance(e, dict)] if isinstance(errors, list) else []


def _mapping(value: Any, default: Any = None) -> Any:
    return value if isinstance(value, dict) else default


def _forget(client: Client, response: requests.Response) -> None:
    """Drop an answer that must not be replayed from the cache (rate limited, no data)."""
    client.forget(response)

"""One normalizer for funding channels from every source, deduplicated by payee.

Inputs are hostile: only http(s) URLs survive (no ``javascript:``), and a URL on a known
platform is reduced to that platform and account so the same payee found through PyPI,
npm and FUNDING.yml counts once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from analyzer.enrich.interface import FundingLink

# host -> platform; the account is the first path segment unless a rule below says otherwise
PLATFORMS = {
    "github.com": "github",
    "opencollective.com": "open_collective",
    "liberapay.com": "liberapay",
    "ko-fi.com": "ko_fi",
    "patreon.com": "patreon",
    "tidelift.com": "tidelift",
    "polar.sh": "polar",
    "thanks.dev": "thanks_dev",
    "buymeacoffee.com": "buy_me_a_coffee",
    "issuehunt.io": "issuehunt",
    "funding.communitybridge.org": "lfx_crowdfunding",
    "crowdfunding.lfx.linuxfoundation.org": "lfx_crowdfunding",
    "paypal.me": "paypal",
    "paypal.com": "paypal",
}
PLATFORM_NAMES = {
    "github": "GitHub Sponsors",
    "open_collective": "Open Collective",
    "liberapay": "Liberapay",
    "ko_fi": "Ko-fi",
    "patreon": "Patreon",
    "tidelift": "Tidelift",
    "polar": "Polar",
    "thanks_dev": "thanks.dev",
    "buy_me_a_coffee": "Buy Me a Coffee",
    "issuehunt": "IssueHunt",
    "lfx_crowdfunding": "LFX Crowdfunding",
    "paypal": "PayPal",
    "custom": "custom",
}
# FUNDING.yml keys -> (platform, URL template for the account)
FUNDING_YML = {
    "github": ("github", "https://github.com/sponsors/{}"),
    "patreon": ("patreon", "https://www.patreon.com/{}"),
    "open_collective": ("open_collective", "https://opencollective.com/{}"),
    "ko_fi": ("ko_fi", "https://ko-fi.com/{}"),
    "tidelift": ("tidelift", "https://tidelift.com/funding/github/{}"),
    "community_bridge": ("lfx_crowdfunding", "https://funding.communitybridge.org/projects/{}"),
    "lfx_crowdfunding": (
        "lfx_crowdfunding",
        "https://crowdfunding.lfx.linuxfoundation.org/projects/{}",
    ),
    "liberapay": ("liberapay", "https://liberapay.com/{}"),
    "issuehunt": ("issuehunt", "https://issuehunt.io/r/{}"),
    "polar": ("polar", "https://polar.sh/{}"),
    "buy_me_a_coffee": ("buy_me_a_coffee", "https://buymeacoffee.com/{}"),
    "thanks_dev": ("thanks_dev", "https://thanks.dev/{}"),
}
_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~/-]{0,199}$")
_MAX_URL = 2000


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


def _account(host: str, segments: list[str]) -> str | None:
    if host == "github.com":
        return segments[1] if len(segments) > 1 and segments[0] == "sponsors" else None
    if host == "tidelift.com":  # /subscription/pkg/pypi-attrs or /funding/github/npm/x
        return "/".join(segments[2:]) or None if len(segments) > 2 else None
    if host in ("patreon.com", "issuehunt.io") and segments[:1] in (["join"], ["r"]):
        segments = segments[1:]
    if host == "thanks.dev":
        return "/".join(segments) or None
    return segments[0] if segments else None


def from_url(url: Any, source: str) -> FundingLink | None:
    """A funding link for ``url``, or None when it is not a safe http(s) URL."""
    if not isinstance(url, str) or len(url) > _MAX_URL:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # "http://[x" and other hostile spellings
        return None
    if parts.scheme not in ("http", "https") or not hostname:
        return None
    host = hostname.lower().removeprefix("www.")
    platform = PLATFORMS.get(host)
    segments = [s for s in parts.path.split("/") if s]
    account = _account(host, segments) if platform else None
    # "?sponsor=1" on a repository opens its FUNDING.yml: a channel whose payees the github
    # provider reads; any other GitHub page is just a custom link.
    if platform == "github" and account is None and "sponsor" not in parts.query:
        platform = None
    if platform is None:
        return FundingLink("custom", None, url, source)
    return FundingLink(platform, account, url, source)


def from_funding_yml(data: Any, source: str) -> list[FundingLink]:
    """Links from a parsed ``.github/FUNDING.yml`` (every documented key; lists allowed)."""
    if not isinstance(data, dict):
        return []
    links: list[FundingLink] = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or not item.strip():
                continue
            item = item.strip()
            if key == "custom":
                link = from_url(item, source)
            elif key in FUNDING_YML and _ACCOUNT.match(item):
                platform, template = FUNDING_YML[key]
                link = FundingLink(platform, item, template.format(item), source)
            else:
                link = None
            if link:
                links.append(link)
    return links


def from_npm(funding: Any, source: str = "npm") -> list[FundingLink]:
    """npm's ``funding``: a URL, ``{type, url}``, or a list of either."""
    items = funding if isinstance(funding, list) else [funding]
    links = []
    for item in items:
        url = item.get("url") if isinstance(item, dict) else item
        link = from_url(url, source)
        if link:
            links.append(link)
    return links


def dedupe(links: Iterable[FundingLink]) -> list[FundingLink]:
    """One link per payee, keeping the first source that named it; stable order."""
    seen: dict[tuple[str, str], FundingLink] = {}
    for link in links:
        seen.setdefault(link.payee, link)
    return list(seen.values())

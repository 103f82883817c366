"""What GitHub REST answers share: user objects, and ``Link`` headers for pagination."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from benchmarks.fake.common import hex_digest


def github_user(
    login: str, kind: str = "User", api: str = "https://api.github.com"
) -> dict[str, Any]:
    """A GitHub simple-user object, with its many URL fields (they are most of its bytes)."""
    url = f"{api}/users/{login}"
    user: dict[str, Any] = {
        "login": login,
        "id": int(hex_digest(login, size=4), 16) % 10**8,
        "node_id": "MDQ6VXNlcj" + hex_digest(login, size=4),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{login}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"https://github.com/{login}",
    }
    for name in (
        "followers",
        "following{/other_user}",
        "gists{/gist_id}",
        "starred{/owner}{/repo}",
        "subscriptions",
        "organizations",
        "repos",
        "events{/privacy}",
        "received_events",
    ):
        user[name.split("{")[0] + "_url"] = f"{url}/{name.replace('organizations', 'orgs')}"
    user.update({"type": kind, "user_view_type": "public", "site_admin": False})
    return user


def link_header(api: str, path: str, query: Mapping[str, list[str]], page: int, last: int) -> str:
    """``Link`` with next/last and prev/first pages, as GitHub paginates."""

    def url(number: int) -> str:
        items = [(k, v[0]) for k, v in query.items() if k != "page"] + [("page", str(number))]
        return f"{api}{path}?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in items)

    links = []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
    return ", ".join(links)

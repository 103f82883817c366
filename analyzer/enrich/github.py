"""GitHub: activity, popularity, contributors and funding of source repositories.

Subjects are repositories on github.com, or on the GitHub Enterprise host named by the API URL
(``https://ghe.example.com/api/v3`` → ``ghe.example.com``, ``https://api.acme.ghe.com`` →
``acme.ghe.com``); others are skipped. ``host=`` overrides that, e.g. for an API proxy.

With a token (``GITHUB_TOKEN``, then ``GH_TOKEN``) repository facts come from GraphQL in batches
of aliases (see :mod:`analyzer.enrich.github_graphql`); without one, from REST alone, which
GitHub limits to 60 requests an hour (noted once). Contributors always come from REST. The
token travels only in the ``Authorization`` header of requests to the configured GitHub API.

Signals (absent when unknown):

- ``archived`` (bool), ``stars``, ``forks`` (int)
- ``open_issues``: open issues plus open pull requests (what REST's count means)
- ``owner_type`` (``User`` | ``Organization``), ``owner_login``
- ``created_at``, ``pushed_at``, ``last_commit`` (``YYYY-MM-DD``; last_commit is the default
  branch's head), ``commits_last_year`` (default branch, 365 days before the run)
- ``contributors``: contributors with a GitHub account, bots excluded (a lower bound past
  ``max_pages`` pages of 100); ``bus_factor``: fewest of them whose commits are over half of
  all; ``top_contributor_share``: the top one's share of commits (0 to 1)
- ``sponsors_listing`` (bool), ``sponsors_count``: the owner's GitHub Sponsors profile and
  public sponsors (GraphQL only)
- ``license``: SPDX identifier
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

from analyzer.enrich import github_graphql as gql
from analyzer.enrich.client import Client
from analyzer.enrich.github_rest import Rest, Slug
from analyzer.enrich.interface import BadResponseError, Finding, Kind, Provider, Subject

NO_TOKEN = "no GitHub token: public data only, 60 requests/hour"  # noqa: S105
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_TOKEN = re.compile(r"^[\x21-\x7e]{1,1000}$")
Known = tuple[Subject, Slug, dict[str, Any]]  # a repository and its contributor signals


def web_host(api: str) -> str:
    """The host whose repositories an API URL serves."""
    host = (urlsplit(api).hostname or "").lower()
    return "github.com" if host == "api.github.com" else host.removeprefix("api.")


def slug_of(key: str, host: str) -> Slug | None:
    """(owner, repo) of a repository URL on ``host``, or None."""
    try:
        parts = urlsplit(key)
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if (parts.hostname or "").lower() != host or len(segments) != 2:
        return None
    owner, repo = segments
    valid = all(_NAME.match(s) and s not in (".", "..") for s in segments)
    return (owner, repo) if valid else None


class GithubProvider(Provider):
    """Repository facts from GitHub's REST and GraphQL APIs (github.com or Enterprise)."""

    name = "github"
    kind = Kind.REPOSITORY

    def __init__(
        self,
        token_env: str | Sequence[str] = ("GITHUB_TOKEN", "GH_TOKEN"),
        *,
        batch_size: int = 50,
        max_pages: int = 5,
        host: str | None = None,
    ) -> None:
        self.token_env = (token_env,) if isinstance(token_env, str) else tuple(token_env)
        self.batch_size = max(1, batch_size)
        self.max_pages = max(1, max_pages)
        self.host = host.lower() if host else None

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "repository"

    def _token(self) -> tuple[str | None, str]:
        """(token, variable) from the first variable set; None when it cannot be a header."""
        for variable in self.token_env:
            value = os.environ.get(variable, "").strip()
            if value:
                return (value if _TOKEN.match(value) else None), variable
        return None, ""

    def fingerprint(self) -> str:
        """Its settings, and which variable holds a token and whether it is usable (GraphQL
        or REST alone): never the token itself."""
        token, variable = self._token()
        return f"{super().fingerprint()} token={variable or '-'}:{bool(token)}"

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        return self.fetch_stream(items, client)

    def fetch_stream(self, items: Iterable[Subject], client: Client) -> Iterator[Finding]:
        """Work on each repository starts as it arrives (the runner streams them); with a
        token, GraphQL facts follow once all have arrived, in batches of the sorted
        repositories, so that a rerun sends the same queries and finds them in the cache."""
        host = self.host or web_host(client.endpoints.github_api)
        found = ((item, slug) for item in items if (slug := slug_of(item.key, host)))
        first = next(found, None)  # notes only when there is something to ask
        if first is None:
            return
        targets = chain((first,), found)
        headers = {"Accept": "application/vnd.github+json"}
        token, variable = self._token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        else:
            if variable:  # name the variable, never its value
                client.note(self.name, f"{variable} is not a valid token; ignored")
            client.note(self.name, NO_TOKEN)
        rest = Rest(self.name, self.max_pages, client, headers)
        if not token:  # each repository takes four to six requests, one after the other
            work = client.stream(targets, lambda t: rest.from_rest(*t), 2 * client.workers)
            yield from (finding for finding in work if finding)
            return
        # Contributors (REST) meanwhile; GraphQL lacks them.
        known = list(client.stream(targets, lambda t: (*t, rest.contributors_of(t[1]))))
        known.sort(key=lambda entry: entry[0].key)
        size = self.batch_size
        batches = [known[start : start + size] for start in range(0, len(known), size)]

        def ask(batch: list[Known]) -> gql.Batch | None:
            try:
                return gql.fetch_batch(client, self.name, [slug for _, slug, _ in batch], headers)
            except BadResponseError as exc:  # this batch stays unknown; the others may answer
                client.note(self.name, str(exc))
                return None

        for batch, answer in zip(batches, client.map(batches, ask), strict=True):
            if answer is None:
                continue
            nodes, fallback = answer
            for (item, slug, contributors), node in zip(batch, nodes, strict=True):
                if finding := rest.from_graphql(item, slug, node, fallback, contributors):
                    yield finding

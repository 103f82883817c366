"""GitHub REST for the organization crawl: the client, the token, pages and errors.

Requests go through the enrichment HTTP stack (:class:`analyzer.enrich.client.Client`): the
shared cache with ETag revalidation, retries honoring ``Retry-After``, the wait on an exhausted
rate limit (up to ``--max-wait``) and response size caps. The token travels only in the
``Authorization`` header of requests to the configured GitHub API; requests-cache never stores
that header, and no message names it. Pages follow ``Link: rel="next"`` only while they stay
on the API's origin, because the token goes with them.

Errors are sorted once, here: :class:`RepositoryError` concerns one repository or file and
the crawl goes on; :class:`CrawlStoppedError` (rate limit beyond ``--max-wait``, a refused
token, the network gone) ends the crawl, keeping what was fetched.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from analyzer.config import Config
from analyzer.enrich.client import Client, Endpoints, decode_json
from analyzer.enrich.github_rest import link
from analyzer.enrich.interface import BadResponseError, SourceUnavailableError
from analyzer.errors import SourceError
from analyzer.http import HttpSettings, make_session

TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
SOURCE = "github-crawl"  # the name the client keeps request counts under
FRESH = 3600.0  # repository lists, branch trees, SBOMs: reused for an hour, then revalidated
FOREVER = -1.0  # requests-cache's NEVER_EXPIRE: a tree named by its object id never changes
MAX_PAGES = 1000  # of 100 repositories each
_TOKEN = re.compile(r"^[\x21-\x7e]{1,1000}$")


class RepositoryError(SourceError):
    """One repository or file could not be read; it becomes a problem record."""

    def __init__(self, message: str, *, empty: bool = False) -> None:
        super().__init__(message)
        self.empty = empty  # an empty repository: skipped with a note, not a problem


class CrawlStoppedError(SourceError):
    """Nothing more can be fetched now; repositories not yet crawled are reported."""


class StopSignal:
    """Shared by the crawl's threads: set once, keeping the first reason."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.reason = ""

    def set(self, reason: str) -> None:
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


def read_token(variables: Sequence[str] = TOKEN_VARIABLES) -> tuple[str | None, str]:
    """(token, variable) from the first variable that is set; the token is None when it
    cannot be an HTTP header value (it is then ignored, and only the variable is named)."""
    for variable in variables:
        value = os.environ.get(variable, "").strip()
        if value:
            return (value if _TOKEN.match(value) else None), variable
    return None, ""


def make_client(config: Config, url_flags: Mapping[str, str | None] | None = None) -> Client:
    """A client with the audit's cache, offline mode, rate-limit patience and API URLs."""
    settings = HttpSettings.for_config(config)
    endpoints = Endpoints.resolve(config=dict(config.endpoints), flags=url_flags)
    return Client(make_session(settings), endpoints, settings)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class GithubApi:
    """GET requests to the configured GitHub REST root; holds the token in memory only."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.root = client.endpoints.github_api.rstrip("/")
        self.headers = {"Accept": "application/vnd.github+json",
                        "X-GitHub-Api-Version": "2022-11-28"}  # fmt: skip
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    @property
    def offline(self) -> bool:
        return self.client.settings.offline

    def get(self, path: str, expire: float = FRESH) -> Any:
        """The JSON answer for ``path`` (under the API root); None for 404/410 or, offline,
        for an answer that is not in the cache."""
        return self._json(self.root + path, expire)[0]

    def pages(self, path: str) -> list[Any] | None:
        """Every item of a paginated list; None when its first page is not found."""
        items: list[Any] = []
        url: str | None = self.root + path
        origin = _origin(self.root)
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            page, next_url = self._json(url, FRESH)
            if page is None and url == self.root + path:
                return None
            if page is None:  # a later page vanished: the list would be silently short
                raise CrawlStoppedError(f"{path}: a page of the list disappeared; retry")
            if not isinstance(page, list):
                raise CrawlStoppedError(f"{path}: expected a list, got {type(page).__name__}")
            items.extend(page)
            url = link(next_url, "next", origin)
        raise CrawlStoppedError(f"{path}: more than {MAX_PAGES} pages; stopped")

    def _json(self, url: str, expire: float) -> tuple[Any, str | None]:
        """(decoded answer or None, its Link header), with errors sorted as documented."""
        try:
            response = self.client.call(SOURCE, "GET", url, headers=self.headers, expire=expire)
            if response is None:
                return None, None
            return decode_json(url, response), response.headers.get("Link")
        except SourceUnavailableError as exc:
            raise _unavailable(exc) from None
        except BadResponseError as exc:
            message = str(exc)
            if message.endswith("HTTP 409"):  # GitHub's answer for a repository without commits
                raise RepositoryError("empty repository (no commits)", empty=True) from None
            raise RepositoryError(message) from None


def _unavailable(exc: SourceUnavailableError) -> SourceError:
    """401 and network or rate-limit failures stop the crawl; other refusals (403 for one
    repository under SSO, a 5xx on one huge tree) concern that repository only."""
    if exc.status == 401:
        return CrawlStoppedError(
            "GitHub refused the token (HTTP 401: bad or expired credentials); "
            "check GITHUB_TOKEN or --github-token-env"
        )
    if exc.status is None:
        return CrawlStoppedError(str(exc))
    if exc.status == 403:
        return RepositoryError(
            "access denied (HTTP 403): the token lacks access, or the organization "
            "requires SSO authorization for it"
        )
    return RepositoryError(str(exc))

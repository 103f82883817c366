"""The providers' view of HTTP: configurable endpoints, JSON calls, status bookkeeping.

Errors are classified once, here: a 404 is "not known", a timeout or 5xx after retries makes
the source unavailable, a rate limit waits (up to --max-wait) or stops that source, and an
answer that is not JSON is a bad response for that key only. Messages name the URL without
its query string and never a credential.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests

from analyzer.enrich.interface import BadResponseError, SourceStatus, SourceUnavailableError
from analyzer.http import HostGate, HttpSettings, request

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of every service; change them for mirrors, GitHub Enterprise or tests."""

    pypi: str = "https://pypi.org"  # /pypi/<name>/json lives under it
    npm: str = "https://registry.npmjs.org"
    github_api: str = "https://api.github.com"
    github_graphql: str = "https://api.github.com/graphql"
    depsdev: str = "https://api.deps.dev"
    ecosystems: str = "https://packages.ecosyste.ms/api/v1"
    osv: str = "https://api.osv.dev"

    ENV: ClassVar[dict[str, str]] = {
        "pypi": "FUNDSCOUT_PYPI_URL",
        "npm": "FUNDSCOUT_NPM_URL",
        "github_api": "FUNDSCOUT_GITHUB_API_URL",
        "github_graphql": "FUNDSCOUT_GITHUB_GRAPHQL_URL",
        "depsdev": "FUNDSCOUT_DEPSDEV_URL",
        "ecosystems": "FUNDSCOUT_ECOSYSTEMS_URL",
        "osv": "FUNDSCOUT_OSV_URL",
    }

    @classmethod
    def resolve(
        cls,
        config: Mapping[str, str] | None = None,
        flags: Mapping[str, str | None] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Endpoints:
        """Flags win over environment variables, which win over the config file."""
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for item in fields(cls):
            env_value = environ.get(cls.ENV[item.name], "").strip()
            chosen = (flags or {}).get(item.name) or env_value or (config or {}).get(item.name)
            if chosen:
                values[item.name] = chosen.rstrip("/")
        return replace(cls(), **values)


def public_url(url: str) -> str:
    """The URL without query or credentials, safe for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unparsable URL)"
    return f"{parts.scheme}://{host}{port}{parts.path}"


class Client:
    """Shared by all providers of one run; thread-safe."""

    def __init__(
        self,
        session: requests.Session,
        endpoints: Endpoints | None = None,
        settings: HttpSettings | None = None,
    ) -> None:
        self.session = session
        self.endpoints = endpoints or Endpoints()
        self.settings = settings or HttpSettings()
        self.gate = HostGate(self.settings.per_host, self.settings.max_wait)
        self.fetched_at = (
            datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        )
        self.statuses: dict[str, SourceStatus] = {}
        self._lock = threading.Lock()

    def status(self, source: str) -> SourceStatus:
        with self._lock:
            return self.statuses.setdefault(source, SourceStatus(source))

    def note(self, source: str, message: str) -> None:
        """Remember a per-key failure once; the first few distinct ones reach the report."""
        status = self.status(source)
        with self._lock:
            if len(status.notes) < 20 and message not in status.notes:
                status.notes.append(message)

    def call(
        self,
        source: str,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        payload: Any = None,
        expire: float | None = None,
    ) -> requests.Response | None:
        """One request through the cache; None when the answer is "not found"."""
        status = self.status(source)
        kwargs: dict[str, Any] = {"headers": dict(headers or {})}
        if payload is not None:
            kwargs["json"] = payload
        if expire is not None and not self.settings.offline and self.settings.use_cache:
            kwargs["expire_after"] = expire
        for attempt in (1, 2):
            self.gate.wait(url)
            with self.gate.slot(url):
                try:
                    response = request(
                        self.session, method, url, offline=self.settings.offline, **kwargs
                    )
                except requests.RequestException as exc:
                    reason = type(exc).__name__
                    raise SourceUnavailableError(f"{public_url(url)}: {reason}") from None
            if self.settings.offline and response.status_code == 504:
                self.note(source, "not in the cache (offline)")
                return None
            with self._lock:
                status.requests += 1
                status.from_cache += bool(getattr(response, "from_cache", False))
            if attempt == 1 and self._rate_limited(url, response):
                continue
            return self._check(url, response)
        raise SourceUnavailableError(f"{public_url(url)}: still rate limited after waiting")

    def _rate_limited(self, url: str, response: requests.Response) -> bool:
        """On a rate-limit answer, pause the host and say whether to try again."""
        remaining = response.headers.get("X-RateLimit-Remaining")
        if response.status_code not in (403, 429) or remaining != "0":
            return False
        reset = response.headers.get("X-RateLimit-Reset", "")
        until = int(reset) if reset.isascii() and reset.isdigit() else time.time() + 60
        if not self.gate.pause(url, until):
            wait = int(until - time.time())
            raise SourceUnavailableError(
                f"{public_url(url)}: rate limit exhausted; resets in {wait}s, "
                f"more than --max-wait {int(self.settings.max_wait)}s"
            )
        return True

    def _check(self, url: str, response: requests.Response) -> requests.Response | None:
        code = response.status_code
        if code in (404, 410):
            return None
        if code in (401, 403):
            message = f"{public_url(url)}: HTTP {code} (check the token)"
            raise SourceUnavailableError(message, status=code)
        if code == 429 or code >= 500:
            raise SourceUnavailableError(
                f"{public_url(url)}: HTTP {code} after retries", status=code
            )
        if code >= 400 or code < 200:
            raise BadResponseError(f"{public_url(url)}: HTTP {code}")
        return response

    def get_json(self, source: str, url: str, **kwargs: Any) -> Any:
        """GET and decode JSON; None for "not found"; BadResponseError for a non-JSON answer."""
        response = self.call(source, "GET", url, **kwargs)
        return None if response is None else decode_json(url, response)

    def post_json(self, source: str, url: str, payload: Any, **kwargs: Any) -> Any:
        response = self.call(source, "POST", url, payload=payload, **kwargs)
        return None if response is None else decode_json(url, response)

    def documents(
        self, source: str, items: Iterable[T], url_of: Callable[[T], str], expire: float
    ) -> Iterator[tuple[T, Any]]:
        """GET one JSON document per item, concurrently; yields (item, document) for every
        item that answered. A bad answer is noted and leaves only that item unknown."""

        def one(item: T) -> tuple[T, Any]:
            try:
                return item, self.get_json(source, url_of(item), expire=expire)
            except BadResponseError as exc:
                self.note(source, str(exc))
                return item, None

        for item, document in self.map(items, one):
            if document is not None:
                yield item, document

    def map(
        self, items: Iterable[T], work: Callable[[T], R], workers: int | None = None
    ) -> Iterator[R]:
        """Run ``work`` over ``items`` concurrently, yielding results in input order."""
        with ThreadPoolExecutor(max_workers=workers or self.settings.per_host) as pool:
            yield from pool.map(work, items)


def decode_json(url: str, response: requests.Response) -> Any:
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type:
        raise BadResponseError(f"{public_url(url)}: an HTML page instead of JSON")
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        raise BadResponseError(f"{public_url(url)}: invalid JSON") from None

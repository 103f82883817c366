"""The one place that builds HTTP sessions: cached, retried, bounded, polite.

Every request goes through a requests-cache ``CachedSession`` (SQLite in the user cache dir)
whose adapter adds a default timeout, bounded retries that honor ``Retry-After``, and a cap
on response size. Credentials live only in per-request headers, which requests-cache strips
from what it stores (``Authorization`` is among its ignored parameters).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from platformdirs import user_cache_dir
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession
from urllib3.util.retry import Retry

from analyzer import __version__

USER_AGENT = f"fundscout/{__version__} (+https://github.com/fundscout/fundscout)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)


class ResponseTooLargeError(requests.RequestException):
    """The server sent more than the configured cap."""


@dataclass(frozen=True)
class HttpSettings:
    """How fundscout talks to the network; every field has a documented default."""

    cache_dir: Path | None = None  # None: FUNDSCOUT_CACHE_DIR, else the user cache dir
    offline: bool = False  # answer from the cache only
    use_cache: bool = True
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 60.0  # longest Retry-After or rate-limit reset fundscout waits for
    max_bytes: int = DEFAULT_MAX_BYTES
    per_host: int = 8  # concurrent requests to one host

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        env = os.environ.get("FUNDSCOUT_CACHE_DIR")
        return Path(env) if env else Path(user_cache_dir("fundscout", appauthor=False))


class BoundedAdapter(HTTPAdapter):
    """Adds a default timeout and reads at most ``max_bytes`` of any body."""

    def __init__(self, timeout: float, max_bytes: int, retry: Retry) -> None:
        super().__init__(max_retries=retry, pool_maxsize=32)
        self.timeout = timeout
        self.max_bytes = max_bytes

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        response = super().send(request, stream=True, **kwargs)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise ResponseTooLargeError(f"{request.url}: response of {declared} bytes is too large")
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body.extend(chunk)
            if len(body) > self.max_bytes:
                response.close()
                raise ResponseTooLargeError(f"{request.url}: response over {self.max_bytes} bytes")
        response._content = bytes(body)  # requests' own lazy-body slot
        return response


def make_retry(settings: HttpSettings) -> Retry:
    return Retry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        backoff_factor=settings.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD", "POST"}),
        respect_retry_after_header=True,
        retry_after_max=max(int(settings.max_wait), 0),
        raise_on_status=False,
    )


def make_session(
    settings: HttpSettings | None = None, expire_after: Mapping[str, float] | None = None
) -> requests.Session:
    """A session for one audit. ``expire_after`` maps URL prefixes to seconds of freshness."""
    settings = settings or HttpSettings()
    session: requests.Session
    if settings.use_cache:
        cache_dir = settings.resolved_cache_dir()
        cache_dir.mkdir(parents=True, exist_ok=True)
        expires: dict[Any, Any] = dict(expire_after or {})
        session = CachedSession(
            str(cache_dir / "http-cache"),
            backend="sqlite",
            wal=True,  # write-ahead log: a commit no longer waits for a full fsync
            expire_after=24 * 3600,
            urls_expire_after=expires,
            allowable_methods=("GET", "HEAD", "POST"),  # POST: GraphQL and batch queries
            allowable_codes=(200, 203, 300, 301, 308, 404, 410),  # "not found" is an answer too
            stale_if_error=True,
        )
    else:
        session = requests.Session()
    adapter = BoundedAdapter(settings.timeout, settings.max_bytes, make_retry(settings))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "gzip, deflate"
    return session


def request(
    session: requests.Session, method: str, url: str, *, offline: bool = False, **kwargs: Any
) -> requests.Response:
    """Send a request; offline, an uncached URL answers 504 instead of touching the network."""
    if offline:
        if not isinstance(session, CachedSession):
            response = requests.Response()
            response.status_code = 504
            response.url = url
            return response
        kwargs["only_if_cached"] = True
    return session.request(method, url, **kwargs)


@dataclass
class HostGate:
    """Bounded concurrency per host and a shared wait when a rate limit is exhausted."""

    per_host: int = 8
    max_wait: float = 60.0
    _locks: dict[str, threading.BoundedSemaphore] = field(default_factory=dict)
    _resume_at: dict[str, float] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc
        with self._guard:
            if host not in self._locks:
                self._locks[host] = threading.BoundedSemaphore(self.per_host)
            return self._locks[host]

    def pause(self, url: str, until: float) -> bool:
        """Hold requests to this host until ``until``; False when that is beyond max_wait."""
        host = urlsplit(url).netloc
        if until - time.time() > self.max_wait:
            return False
        with self._guard:
            self._resume_at[host] = max(self._resume_at.get(host, 0.0), until)
        return True

    def wait(self, url: str) -> None:
        delay = self._resume_at.get(urlsplit(url).netloc, 0.0) - time.time()
        if delay > 0:
            time.sleep(delay)

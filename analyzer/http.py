"""The one place that builds HTTP sessions: cached, retried, bounded, polite.

Every request goes through a requests-cache ``CachedSession`` (SQLite in the user cache dir)
whose adapter adds a default timeout, bounded retries that honor ``Retry-After``, and a cap
on response size. Credentials live only in per-request headers, which requests-cache strips
from what it stores (``Authorization`` is among its ignored parameters). Next to its database
an :class:`~analyzer.docstore.AnswerStore` keeps a copy of each stored answer for the client's
fast path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession
from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache
from requests_cache.policy import DEFAULT_CACHE_NAME
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError
from urllib3.util.retry import Retry

from analyzer import __version__
from analyzer.docstore import FILENAME, AnswerStore
from analyzer.errors import ConfigError
from analyzer.http_settings import DEFAULT_DEADLINE
from analyzer.http_settings import STOPPING as STOPPING  # where it was first
from analyzer.http_settings import HttpSettings as HttpSettings  # where it was first
from analyzer.sessions import CachingSession, PlainSession

USER_AGENT = f"fundscout/{__version__} (+https://github.com/fundscout/fundscout)"
RETRY_STATUSES = (429, 500, 502, 503, 504)
CHECKPOINT_PAGES = 20_000  # 80 MB of 4 KiB pages


class ResponseTooLargeError(requests.RequestException):
    """The server sent more than the configured cap."""


class ResponseTooSlowError(requests.RequestException):
    """The body took longer than the deadline, however quickly each piece of it came."""


class BoundedAdapter(HTTPAdapter):
    """Adds a default timeout and reads at most ``max_bytes`` of any body, within
    ``deadline`` seconds; with a ``gate``, at most its ``per_host`` exchanges per host at once.
    The gate holds only the exchange, not the cache's work around it: a thread busy with the
    cache does not keep a host's slot idle."""

    def __init__(
        self,
        timeout: float,
        max_bytes: int,
        retry: Retry,
        deadline: float = DEFAULT_DEADLINE,
        gate: HostGate | None = None,
    ) -> None:
        super().__init__(max_retries=retry, pool_maxsize=32)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.gate = gate

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        with self.gate.slot(request.url or "") if self.gate else nullcontext():
            return self._send(request, **kwargs)

    def _send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = super().send(request, stream=True, **kwargs)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise ResponseTooLargeError(f"{request.url}: response of {declared} bytes is too large")
        try:
            response._content = self._body(request, response)  # requests' own lazy-body slot
        except BaseException:
            response.close()
            raise
        return response

    def _body(self, request: requests.PreparedRequest, response: requests.Response) -> bytes:
        """The whole body, or an error. ``read1`` returns whatever has arrived, so a server
        trickling a byte at a time, each well within the read timeout, meets the deadline."""
        body, ends = bytearray(), time.monotonic() + self.deadline
        try:
            while chunk := response.raw.read1(64 * 1024, decode_content=True):
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise ResponseTooLargeError(
                        f"{request.url}: response over {self.max_bytes} bytes"
                    )
                if time.monotonic() > ends:
                    raise ResponseTooSlowError(
                        f"{request.url}: response too slow (over {self.deadline:g}s)"
                    )
        # The exceptions requests' own iter_content turns these into.
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from None
        except ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from None
        except SSLError as exc:
            raise requests.exceptions.SSLError(exc) from None
        return bytes(body)


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
        url = settings.resolved_cache_url()
        backend: Any = redis_cache(url) if url else "sqlite"
        options: dict[str, Any] = {} if url else {"wal": True}  # WAL: commits skip a full fsync
        cached = CachingSession(
            DEFAULT_CACHE_NAME if url else str(cache_dir / "http-cache"),  # Redis: its namespace
            backend=backend,
            **options,
            expire_after=24 * 3600,
            urls_expire_after=expires,
            allowable_methods=("GET", "HEAD", "POST"),  # POST: GraphQL and batch queries
            allowable_codes=(200, 203, 300, 301, 308, 404, 410),  # "not found" is an answer too
            stale_if_error=True,
        )
        cached.answers = AnswerStore(cache_dir / FILENAME)
        fewer_checkpoints(cached)
        session = cached
    else:
        session = PlainSession()
    gate = HostGate(settings.per_host, settings.max_wait)
    adapter = BoundedAdapter(
        settings.timeout, settings.max_bytes, make_retry(settings), settings.deadline, gate
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "gzip, deflate"
    return session


def redis_cache(url: str) -> BaseCache:
    """requests-cache's Redis backend for ``redis://``, ``rediss://`` or ``unix://`` URLs:
    one cache shared by every runner that points at it. Needs ``fundscout[redis]``."""
    try:
        import redis
        from requests_cache.backends.redis import RedisCache
    except ImportError:
        raise ConfigError(
            "--cache-url: the Redis cache needs the redis package: pip install 'fundscout[redis]'"
        ) from None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"--cache-url: expected redis://, rediss:// or unix://, got {url!r}")
    connection = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    return RedisCache(namespace="fundscout", connection=connection)


def fewer_checkpoints(session: CachedSession, pages: int = CHECKPOINT_PAGES) -> None:
    """Copy the write-ahead log into the database every ``pages`` pages instead of every 1000.
    Each copy syncs the disk while holding requests-cache's lock, which every lookup waits
    for: with a cold cache, that made each request wait longer than the network did."""
    if isinstance(session.cache, SQLiteCache):
        for table in (session.cache.responses, session.cache.redirects):
            with table.connection() as db:
                db.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")


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
        if delay > 0 and not STOPPING.is_set():  # after Ctrl-C, no new pause begins
            time.sleep(delay)

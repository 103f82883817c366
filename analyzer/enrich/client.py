"""The providers' view of HTTP: JSON calls, error classification, status bookkeeping.

Errors are classified once, here: a 404 is "not known", a timeout or 5xx after retries makes
the source unavailable, a rate limit waits (up to --max-wait) or stops that source, and an
answer that is not JSON is a bad response for that key only. Messages name the URL without
its query string and never a credential.

Each call first asks the session's answer store (:mod:`analyzer.docstore`), which answers
what requests-cache holds without the cost of going through requests; and identical requests
in flight at the same time are sent once, their answer shared.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import requests
from requests_cache import DO_NOT_CACHE

from analyzer.answer import Answer, json_body, request_key
from analyzer.docstore import AnswerStore
from analyzer.enrich.concurrency import Once
from analyzer.enrich.endpoints import Endpoints
from analyzer.enrich.interface import BadResponseError, SourceStatus, SourceUnavailableError
from analyzer.enrich.memo import Kept
from analyzer.enrich.responses import check, decode_json, failure_name, public_url
from analyzer.enrich.workers import Workers
from analyzer.http import BoundedAdapter, HostGate, request
from analyzer.http_settings import STOPPING, HttpSettings
from analyzer.sessions import CachingSession

__all__ = ["Client", "Endpoints", "decode_json", "public_url"]  # also at home here

T = TypeVar("T")
R = TypeVar("R")


class Client(Workers):
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
        # The session's adapter bounds each host itself, around the exchange alone; a session
        # without one is bounded here, around the whole call.
        adapter = session.adapters.get("https://")
        shared = adapter.gate if isinstance(adapter, BoundedAdapter) else None
        self.gate = shared or HostGate(self.settings.per_host, self.settings.max_wait)
        self._slots = shared is None
        # Threads per pool: twice the host's slots, so that while some threads decode or
        # read the cache, others keep every slot busy.
        super().__init__(2 * self.settings.per_host)
        self.fetched_at = (
            datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        )
        self.statuses: dict[str, SourceStatus] = {}
        self.answers: AnswerStore | None = (
            session.answers if isinstance(session, CachingSession) else None
        )
        self._lock = threading.Lock()
        self._sending: Once[bytes, requests.Response | None] = Once()
        self.kept = Kept()  # which answers the cache keeps: may the run be remembered?

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
        answer = self._answer(source, method, url, headers=headers, payload=payload, expire=expire)
        return answer.response(url) if isinstance(answer, Answer) else answer

    def _answer(
        self,
        source: str,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        payload: Any = None,
        expire: float | None = None,
    ) -> Answer | requests.Response | None:
        """The store's answer when it has a usable one, else the response of the one request
        sent for every caller asking the same at the same time."""
        status = self.status(source)
        body = None if payload is None else json_body(payload)
        key = request_key(method, url, body)
        stored = self.answers.get(key, self.settings.offline) if self.answers else None
        if stored is not None:
            self._count(status, from_cache=True)
            self.kept.kept(stored.expires)
            return None if stored.status_code in (404, 410) else stored  # as check() says
        if not self.settings.offline:  # past the store: maybe to the network (see Workers)
            self.went_out()
        send = partial(self._send, status, method, url, key, headers, body, expire)
        answer, shared = self._sending.run(key, send)
        if shared:  # the same request was on its way: its answer is this call's too
            self._count(status, from_cache=True)
        return answer

    def _send(
        self,
        status: SourceStatus,
        method: str,
        url: str,
        key: bytes,
        headers: Mapping[str, str] | None,
        body: bytes | None,
        expire: float | None,
    ) -> requests.Response | None:
        if STOPPING.is_set():  # Ctrl-C: what is not on its way stays unknown
            self.kept.lost()
            raise SourceUnavailableError(f"{public_url(url)}: interrupted")
        kwargs: dict[str, Any] = {"headers": dict(headers or {})}
        if body is not None:
            kwargs["data"] = body
            kwargs["headers"].setdefault("Content-Type", "application/json")
        if expire is not None and not self.settings.offline and self.settings.use_cache:
            kwargs["expire_after"] = expire
        for attempt in (1, 2):
            self.gate.wait(url)
            with self.gate.slot(url) if self._slots else nullcontext():
                try:
                    response = request(
                        self.session, method, url, offline=self.settings.offline, **kwargs
                    )
                except requests.RequestException as exc:
                    self.kept.lost()
                    reason = failure_name(exc)
                    raise SourceUnavailableError(f"{public_url(url)}: {reason}") from None
            if self.settings.offline and response.status_code == 504:
                self.kept.lost()
                self.note(status.name, "not in the cache (offline)")
                return None
            self._count(status, from_cache=bool(getattr(response, "from_cache", False)))
            self._note_kept(response, expire)
            if attempt == 1 and self._rate_limited(url, response):
                continue
            response.answer_key = key  # type: ignore[attr-defined]  # for forget()
            if self.answers is not None and expire != DO_NOT_CACHE:  # never stored: not copied
                self.answers.put(key, response)
            return check(url, response)
        raise SourceUnavailableError(f"{public_url(url)}: still rate limited after waiting")

    def _count(self, status: SourceStatus, from_cache: bool) -> None:
        with self._lock:
            status.requests += 1
            status.from_cache += from_cache

    def _note_kept(self, response: requests.Response, expire: float | None) -> None:
        """Whether the cache keeps this answer (requests-cache gave it a key), and until when."""
        kept = getattr(response, "cache_key", None) or getattr(response, "from_cache", False)
        if not kept or expire == DO_NOT_CACHE:
            self.kept.lost()
            return
        expires = getattr(response, "expires", None)
        self.kept.kept(expires.timestamp() if isinstance(expires, datetime) else None)

    def forget(self, response: requests.Response | Answer) -> None:
        """Drop a cached answer that must not be replayed (e.g. a rate-limit notice)."""
        self.kept.lost()
        if isinstance(response, Answer):
            response = response.response("")
        key = getattr(response, "answer_key", None)
        if self.answers is not None and isinstance(key, bytes):
            self.answers.delete(key)
        cache = getattr(self.session, "cache", None)
        cache_key = getattr(response, "cache_key", None)
        if cache is not None and cache_key:
            cache.delete(cache_key)
        elif cache is not None and response.request is not None:
            cache.delete(requests=[response.request])

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

    def get_json(self, source: str, url: str, **kwargs: Any) -> Any:
        """GET and decode JSON; None for "not found"; BadResponseError for a non-JSON answer.
        ``kwargs``: ``headers`` and ``expire``, as for :meth:`call`."""
        answer = self._answer(source, "GET", url, **kwargs)
        return None if answer is None else self.decode(url, answer)

    def post_json(self, source: str, url: str, payload: Any, **kwargs: Any) -> Any:
        answer = self._answer(source, "POST", url, payload=payload, **kwargs)
        return None if answer is None else self.decode(url, answer)

    def decode(self, url: str, response: requests.Response | Answer) -> Any:
        """:func:`decode_json`, forgetting an unusable answer so the next run asks again
        (an HTML error page served with 200 is cached like any answer)."""
        try:
            return decode_json(url, response)
        except BadResponseError:
            self.forget(response)
            raise

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

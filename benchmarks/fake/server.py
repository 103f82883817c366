"""The fake APIs behind their servers: routing, counters, latency, rate limits, injected errors.

Every answer waits ``latency`` seconds (``time.sleep`` in the handler thread). ``error_rate``
answers that share of requests with a 500/502/503, decided by a hash of the seed, the request and
how many times it was asked before, so a run is reproducible whatever the thread interleaving.
``rate_limit`` allows that many requests per host and ``rate_window`` seconds; beyond it GitHub
answers 403 with ``X-RateLimit-Remaining: 0`` (GraphQL: 200 with a ``RATE_LIMITED`` error) and
the others 429 with ``Retry-After``. Every request is counted per host and endpoint; read the
counters at ``GET /__fake__/stats`` and reset them with ``POST /__fake__/reset`` (on any port;
these are neither delayed nor counted).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from benchmarks.fake.common import NOT_FOUND, PROVIDER_OF, ROLES, Api, Memo, Reply, hex_digest
from benchmarks.fake.depsdev import DepsdevApi
from benchmarks.fake.ecosystems import EcosystemsApi
from benchmarks.fake.github import GithubApi
from benchmarks.fake.handler import FakeServer
from benchmarks.fake.npm import NpmApi
from benchmarks.fake.osv import OsvApi
from benchmarks.fake.pypi import PypiApi
from benchmarks.fake.world import World


class FakeApi:
    """Routes, counts, delays and perturbs requests; one instance behind all the servers."""

    def __init__(
        self,
        world: World,
        *,
        latency: float = 0.05,
        error_rate: float = 0.0,
        rate_limit: int = 0,
        rate_window: float = 60.0,
        batch_page: int = 200,
    ) -> None:
        self.world, self.memo = world, Memo()
        self.latency, self.error_rate, self.batch_page = latency, error_rate, batch_page
        self.rate_limit, self.rate_window = rate_limit, rate_window
        self.counts: Counter[str] = Counter()  # "role label status"
        # host or endpoint label -> seconds answering (with and without the latency sleep)
        self.busy: defaultdict[str, float] = defaultdict(float)
        self.work: defaultdict[str, float] = defaultdict(float)
        self.span: dict[str, tuple[float, float]] = {}  # -> first start, last end
        self._cpu = time.process_time()  # the servers' CPU time at the last reset
        self._seen: Counter[str] = Counter()
        self._windows: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._started = time.time()
        self.servers: dict[str, ThreadingHTTPServer] = {}
        self.apis: dict[str, Api] = {
            "pypi": PypiApi(world, self.memo),
            "npm": NpmApi(world, self.memo),
            "depsdev": DepsdevApi(world, self.memo, batch_page),
            "ecosystems": EcosystemsApi(world, self.memo),
            "osv": OsvApi(world, self.memo),
            "github": GithubApi(world, self.memo),
        }

    # plumbing --------------------------------------------------------------
    def start(self, port: int = 0) -> dict[str, str]:
        """Start one server per host (on ``port``, ``port + 1``, … when given, so that a cache
        filled by an earlier process still matches); returns each role's base URL."""
        for offset, role in enumerate(ROLES):
            server = FakeServer(role, self, port + offset if port else 0)
            threading.Thread(target=server.serve_forever, name=f"fake-{role}", daemon=True).start()
            self.servers[role] = server
        return self.urls()

    def urls(self) -> dict[str, str]:
        return {role: f"http://127.0.0.1:{s.server_address[1]}" for role, s in self.servers.items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def prepare(self) -> None:
        """Build and compress the large per-package documents before any timing starts."""
        for api in self.apis.values():
            api.prepare()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            counts = dict(self.counts)
        by_role: Counter[str] = Counter()
        by_label: Counter[str] = Counter()
        by_provider: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        for key, n in counts.items():
            role, label, status = key.split(" ")
            by_role[role] += n
            by_label[label] += n
            by_provider[PROVIDER_OF.get(label, "other")] += n
            statuses[status] += n
        with self._lock:
            timing = {
                role: {
                    "busy": self.busy[role],
                    "work": self.work[role],
                    "first": start,
                    "last": end,
                }
                for role, (start, end) in self.span.items()
            }
        return {
            "hosts": dict(by_role),
            "endpoints": dict(by_label),
            "providers": dict(by_provider),
            "statuses": dict(statuses),
            "timing": timing,
            "cpu": time.process_time() - self._cpu,
            "raw": counts,
        }

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.busy.clear()
            self.work.clear()
            self.span.clear()
            self._cpu = time.process_time()

    def timed(self, keys: tuple[str, ...], start: float, work: float) -> None:
        """Account one answered request (to a host and an endpoint label): started at
        ``start``, ``work`` seconds not asleep."""
        end = time.time()
        with self._lock:
            for key in keys:
                self.busy[key] += end - start
                self.work[key] += work
                first, _ = self.span.get(key, (start, end))
                self.span[key] = (min(first, start), end)

    def answer(
        self, role: str, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        """The endpoint label and the reply of one request, after the rate limit and the
        injected errors."""
        parts = urlsplit(target)
        label, reply = "unknown", NOT_FOUND
        limited = self._limited(role, parts.path)
        if limited is not None:
            label, reply = self._label(role, method, parts.path), limited
        elif (failure := self._failure(method, target, body)) is not None:
            label, reply = self._label(role, method, parts.path), failure
        else:
            try:
                label, reply = self.apis[role].route(method, target, body, headers)
            except (ValueError, KeyError, TypeError, IndexError):
                label, reply = (
                    self._label(role, method, parts.path),
                    Reply(400, b'{"error":"bad request"}'),
                )
        if role == "github":
            reply = self._github_headers(reply)
        with self._lock:
            self.counts[f"{role} {label} {reply.status}"] += 1
        return label, reply

    def _label(self, role: str, method: str, path: str) -> str:
        if role == "github":
            return "github:graphql" if path.endswith("/graphql") else "github:repo"
        return {
            "pypi": "pypi:project",
            "npm": "npm:document",
            "depsdev": "depsdev:package",
            "ecosystems": "ecosystems:bulk_lookup",
            "osv": "osv:querybatch",
        }[role]

    def _limited(self, role: str, path: str) -> Reply | None:
        if self.rate_limit <= 0:
            return None
        now = time.time()
        window = int((now - self._started) // self.rate_window)
        with self._lock:
            self._windows[(role, window)] += 1
            used = self._windows[(role, window)]
        if used <= self.rate_limit:
            return None
        reset = self._started + (window + 1) * self.rate_window
        if role == "github" and path.endswith("/graphql"):
            document = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
            reply = Reply.json(200, document)
        elif role == "github":
            reply = Reply(403, b'{"message":"API rate limit exceeded"}')
        else:
            reply = Reply(429, b'{"error":"Too Many Requests"}')
            reply.headers["Retry-After"] = str(max(1, int(reset - now + 0.999)))
        reply.headers.update(
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(reset) + 1)}
        )
        return reply

    def _failure(self, method: str, target: str, body: bytes) -> Reply | None:
        """A 5xx for ``error_rate`` of the requests, the same ones for the same seed."""
        if self.error_rate <= 0:
            return None
        key = f"{method} {target} {hex_digest(body, size=8)}"
        with self._lock:
            self._seen[key] += 1
            occurrence = self._seen[key]
        roll = int(hex_digest(self.world.seed, key, occurrence, size=8), 16) / 2**64
        if roll >= self.error_rate:
            return None
        status = (500, 502, 503)[int(roll / self.error_rate * 3) % 3]
        if status == 502:
            page = b"<html><head><title>502 Bad Gateway</title></head><body>502</body></html>"
            return Reply(502, page, content_type="text/html")
        return Reply(status, b'{"error":"internal error"}')

    def _github_headers(self, reply: Reply) -> Reply:
        if "X-RateLimit-Remaining" in reply.headers:
            return reply
        limit = self.rate_limit or 5000
        reset = (
            int(self._started + self.rate_window) if self.rate_limit else int(time.time()) + 3600
        )
        reply = Reply(
            reply.status, reply.body, reply.content_type, dict(reply.headers), reply.packed
        )
        reply.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(limit - 1),
                "X-RateLimit-Reset": str(reset),
                "X-RateLimit-Resource": "core",
            }
        )
        return reply

    def control(self, method: str, path: str) -> Reply:
        if path == "/__fake__/stats":
            return Reply.json(200, self.stats())
        if path == "/__fake__/reset" and method == "POST":
            self.reset()
            return Reply.json(200, {"reset": True})
        return NOT_FOUND

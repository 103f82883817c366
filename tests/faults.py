"""A fault-injecting HTTP server on 127.0.0.1: each path answers with the faults it is given.

``FaultServer.route(path, *answers)`` scripts a path: the answers are used in turn and the last
one repeats. An answer is a function of the request handler; the ones below cover what real
APIs and networks do wrong: hanging, resetting the connection, rate limiting (429 with
Retry-After, GitHub's 403 with X-RateLimit-Reset), bursts of 5xx, truncated or invalid JSON,
an HTML page with status 200, redirect loops, huge bodies, and bodies trickled a byte at a time.
"""

from __future__ import annotations

import fnmatch
import json
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Answer = Callable[[BaseHTTPRequestHandler], None]


class FaultServer:
    """A threaded HTTP/1.0 server whose paths answer as scripted; unscripted paths are 404."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.hits: Counter[str] = Counter()
        self.paths: list[str] = []  # every request's path, in order
        self.headers: list[dict[str, str]] = []  # and its headers
        self.answered: dict[str, float] = {}  # path -> when its last answer was sent
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()  # ends hanging and trickling answers
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.faults = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def route(self, pattern: str, *answers: Answer) -> None:
        """Answer requests whose path matches ``pattern`` (fnmatch) with ``answers`` in turn."""
        with self._lock:
            self.routes[pattern] = list(answers)

    def count(self, pattern: str = "*") -> int:
        return sum(n for path, n in self.hits.items() if fnmatch.fnmatchcase(path, pattern))

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, path: str) -> Answer:
        with self._lock:
            self.hits[path] += 1
            for pattern, answers in self.routes.items():
                if fnmatch.fnmatchcase(path, pattern):
                    return answers.pop(0) if len(answers) > 1 else answers[0]
        return status(404, {"message": "Not Found"})


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        faults: FaultServer = self.server.faults  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        with faults._lock:
            faults.paths.append(path)
            faults.headers.append(dict(self.headers.items()))
            faults.bodies.append(body)
        try:
            faults._next(path)(self)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up first, which is what several faults are for
        with faults._lock:
            faults.answered[path] = time.monotonic()

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


def _send(
    handler: BaseHTTPRequestHandler,
    code: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> None:
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def status(code: int, document: Any = None, headers: dict[str, str] | None = None) -> Answer:
    """A JSON answer with any status and headers."""
    body = json.dumps(document if document is not None else {}).encode()
    return lambda handler: _send(handler, code, body, headers=headers)


def ok(document: Any, headers: dict[str, str] | None = None) -> Answer:
    return status(200, document, headers)


def raw(body: bytes, content_type: str = "application/json", code: int = 200) -> Answer:
    """Bytes as they are: invalid JSON, an HTML error page served with 200."""
    return lambda handler: _send(handler, code, body, content_type)


def too_many(retry_after: int) -> Answer:
    return status(429, {"message": "slow down"}, {"Retry-After": str(retry_after)})


def github_rate_limit(reset_in: float) -> Answer:
    """GitHub's primary rate limit: 403, nothing remaining, reset at an epoch second."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "60",
                   "X-RateLimit-Reset": str(int(time.time() + reset_in))}  # fmt: skip
        body = {"message": "API rate limit exceeded for 127.0.0.1."}
        _send(handler, 403, json.dumps(body).encode(), headers=headers)

    return answer


def truncated(document: Any) -> Answer:
    """Announce the whole body, send half of it, close the connection."""
    body = json.dumps(document).encode()
    return lambda handler: _send(handler, 200, body[: len(body) // 2], length=len(body))


def redirect(to: str) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def reset() -> Answer:
    """Close the connection with a TCP reset before answering anything."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True

    return answer


def hang(server: FaultServer, seconds: float = 60) -> Answer:
    """Accept the request and say nothing (until the server stops)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        server.stopping.wait(seconds)

    return answer


def by_path(document: Callable[[str], Any], delay: float = 0.0) -> Answer:
    """A JSON document made from the request's path, after ``delay`` seconds."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        ok(document(urlsplit(handler.path).path))(handler)

    return answer


def oversized(size: int, declared: bool = True) -> Answer:
    """A body of ``size`` bytes, with or without a Content-Length that says so."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b" " * 65536
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)

    return answer


def trickle(server: FaultServer, interval: float = 0.2, size: int = 10_000) -> Answer:
    """Headers at once, then one byte every ``interval`` seconds: each read is quick, the
    whole body takes ``size * interval`` seconds."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        handler.wfile.flush()
        for _ in range(size):
            if server.stopping.wait(interval):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()

    return answer


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    try:
        yield server
    finally:
        server.close()

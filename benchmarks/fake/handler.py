"""HTTP/1.1 keep-alive handlers: one threaded server per fake host, all on 127.0.0.1."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from benchmarks.fake.server import FakeApi


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real services
    # Headers and body leave in two writes; with Nagle's algorithm the body would wait for the
    # client's delayed ACK (40 ms on Linux), nearly doubling a 50 ms latency.
    disable_nagle_algorithm = True
    server: FakeServer

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        started, clock = time.time(), time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api = self.server.api
        control = self.path.startswith("/__fake__/")
        label = "control"
        if control:
            reply = api.control(method, urlsplit(self.path).path)
        else:
            headers = dict(self.headers.items())
            label, reply = api.answer(self.server.role, method, self.path, body, headers)
        work = time.perf_counter() - clock
        if not control:
            time.sleep(api.latency)
        clock = time.perf_counter()
        payload, packed = reply.body, False
        if reply.packed is not None and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            payload, packed = reply.packed, True
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        if packed:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        if not control:
            api.timed((self.server.role, label), started, work + time.perf_counter() - clock)

    def log_message(self, format: str, *args: Any) -> None:  # the base's signature
        return


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, role: str, api: FakeApi, port: int = 0) -> None:
        self.role, self.api = role, api
        super().__init__(("127.0.0.1", port), Handler)

"""The session factory: cache revalidation, retries, Retry-After, size cap, offline, tokens."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.http import HttpSettings, ResponseTooLargeError, make_session, request


def settings(tmp_path: Path, **extra: object) -> HttpSettings:
    return HttpSettings(cache_dir=tmp_path / "cache", backoff=0.0, **extra)  # type: ignore[arg-type]


def test_expired_entries_are_revalidated_with_etag(httpserver: HTTPServer, tmp_path: Path) -> None:
    seen: list[str | None] = []

    def answer(req: Request) -> Response:
        seen.append(req.headers.get("If-None-Match"))
        if req.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(json.dumps({"n": 1}), headers={"ETag": '"v1"'},
                        content_type="application/json")  # fmt: skip

    httpserver.expect_request("/doc").respond_with_handler(answer)
    url = httpserver.url_for("/doc")
    session = make_session(settings(tmp_path), {url: 0})  # always stale: always revalidate
    first = session.get(url)
    second = session.get(url)
    assert (first.json(), second.json()) == ({"n": 1}, {"n": 1})
    assert seen == [None, '"v1"']
    assert getattr(second, "from_cache", False)


def test_fresh_entries_are_not_requested_again(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/doc").respond_with_json({"n": 1})
    session = make_session(settings(tmp_path))
    for _ in range(3):
        assert session.get(httpserver.url_for("/doc")).json() == {"n": 1}
    assert len(httpserver.log) == 1


def test_server_errors_are_retried_then_succeed(httpserver: HTTPServer, tmp_path: Path) -> None:
    answers = iter([Response("busy", status=503), Response("down", status=502)])

    def answer(req: Request) -> Response:
        return next(answers, Response(json.dumps({"ok": True}), content_type="application/json"))

    httpserver.expect_request("/flaky").respond_with_handler(answer)
    response = make_session(settings(tmp_path)).get(httpserver.url_for("/flaky"))
    assert response.json() == {"ok": True}
    assert len(httpserver.log) == 3


def test_retries_are_bounded(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=503)
    response = make_session(settings(tmp_path, retries=2)).get(httpserver.url_for("/down"))
    assert response.status_code == 503
    assert len(httpserver.log) == 3  # the first try and two retries


def test_retry_after_is_honored_and_capped(httpserver: HTTPServer, tmp_path: Path) -> None:
    answers = iter([Response("slow down", status=429, headers={"Retry-After": "1"})])

    def answer(req: Request) -> Response:
        return next(answers, Response("{}", content_type="application/json"))

    httpserver.expect_request("/limited").respond_with_handler(answer)
    started = time.monotonic()
    response = make_session(settings(tmp_path)).get(httpserver.url_for("/limited"))
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.9


def test_oversized_answers_are_refused(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/big").respond_with_data("x" * 5000)
    session = make_session(settings(tmp_path, max_bytes=1000))
    with pytest.raises(ResponseTooLargeError):
        session.get(httpserver.url_for("/big"))


def test_offline_never_touches_the_network(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/doc").respond_with_json({"n": 1})
    url = httpserver.url_for("/doc")
    make_session(settings(tmp_path)).get(url)
    offline = make_session(settings(tmp_path, offline=True))
    assert request(offline, "GET", url, offline=True).json() == {"n": 1}
    assert request(offline, "GET", url + "?other", offline=True).status_code == 504
    assert len(httpserver.log) == 1
    plain = requests.Session()
    assert request(plain, "GET", url, offline=True).status_code == 504


def test_tokens_never_reach_the_cache_file(httpserver: HTTPServer, tmp_path: Path) -> None:
    canary = "ghp_CANARY0123456789abcdefCANARY"
    httpserver.expect_request("/private").respond_with_json({"ok": True})
    session = make_session(settings(tmp_path))
    response = session.get(
        httpserver.url_for("/private"), headers={"Authorization": f"Bearer {canary}"}
    )
    assert response.json() == {"ok": True}
    assert httpserver.log[0][0].headers["Authorization"] == f"Bearer {canary}"
    session.close()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert stored  # the response was cached ...
    assert canary.encode() not in stored  # ... without the credential


def test_user_agent_names_the_tool(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/ua").respond_with_json({})
    make_session(settings(tmp_path)).get(httpserver.url_for("/ua"))
    assert httpserver.log[0][0].headers["User-Agent"].startswith("fundscout/")


def test_each_host_has_at_most_per_host_requests_in_flight(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from analyzer.enrich import Client

    server = HTTPServer(threaded=True)  # answers concurrently, as real services do
    server.start()
    lock, now, peak = threading.Lock(), [0], [0]

    def slow(req: Request) -> Response:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.2)
        with lock:
            now[0] -= 1
        return Response(json.dumps({"path": req.path}), content_type="application/json")

    try:
        server.expect_request(re.compile("^/doc/")).respond_with_handler(slow)
        http = settings(tmp_path, per_host=2)
        client = Client(make_session(http), settings=http)
        urls = [server.url_for(f"/doc/{n}") for n in range(6)]
        with ThreadPoolExecutor(6) as pool:  # more threads than slots
            answers = list(pool.map(lambda url: client.get_json("src", url), urls))
    finally:
        server.clear()
        server.stop()
    assert [a["path"] for a in answers] == [f"/doc/{n}" for n in range(6)]
    assert peak[0] == 2


def test_requests_cache_checkpoints_its_log_rarely(tmp_path: Path) -> None:
    from analyzer.http import CHECKPOINT_PAGES
    from analyzer.sessions import CachingSession

    session = make_session(settings(tmp_path))
    assert isinstance(session, CachingSession)
    for table in (session.cache.responses, session.cache.redirects):
        with table.connection() as db:  # type: ignore[union-attr]
            assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_PAGES
    session.close()

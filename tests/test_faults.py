"""Failing networks, served by tests/faults.py: every fault ends within a bound, retries are
bounded, what could not be learned is unknown with the reason in the source's status, and a
rerun against a recovered server answers from the cache what the first run already learned.

Each scenario runs the PyPI provider over two packages, ``healthy`` first and ``victim``
second, one request at a time (so the healthy answer is in the cache before the fault).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from analyzer import http
from analyzer.enrich import Client, Endpoints, Enrichment
from analyzer.enrich.github import GithubProvider
from analyzer.enrich.interface import Provider, Subject
from analyzer.enrich.pypi import PypiProvider
from analyzer.enrich.runner import Runner
from analyzer.http import HostGate, HttpSettings, make_session
from tests import faults
from tests.faults import FaultServer

TIMEOUT = 0.5  # per read
RETRIES = 2
DEADLINE = 3.0  # per response, body included


def pypi_document(name: str) -> dict[str, object]:
    return {
        "info": {"name": name, "version": "1.0", "license": "MIT",
                 "project_urls": {"Source": f"https://github.com/example/{name}"}},
        "releases": {"1.0": [{"upload_time_iso_8601": "2024-01-02T03:04:05.000000Z"}]},
    }  # fmt: skip


PACKAGES = [Subject(f"pkg:pypi/{n}", "pypi", n, ("1.0",)) for n in ("healthy", "victim")]
HEALTHY, VICTIM = "/pypi/healthy/json", "/pypi/victim/json"


@dataclass
class Run:
    result: Enrichment
    seconds: float

    def known(self, name: str) -> bool:
        return bool(self.result.signals.get(f"pkg:pypi/{name}"))

    def status(self, source: str = "pypi") -> str:
        status = self.result.sources[source]
        return " ".join(filter(None, [status.state, status.reason, *status.notes]))


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with faults.fault_server() as running:
        yield running


@pytest.fixture
def run(server: FaultServer, tmp_path: Path) -> Callable[..., Run]:
    """Run providers against the fault server with small, test-sized bounds."""

    def go(*providers: Provider, max_wait: float = 2.0, max_bytes: int = 1024 * 1024) -> Run:
        settings = HttpSettings(
            cache_dir=tmp_path / "cache", timeout=TIMEOUT, retries=RETRIES, backoff=0.0,
            max_wait=max_wait, per_host=1, deadline=DEADLINE, max_bytes=max_bytes,
        )  # fmt: skip
        endpoints = Endpoints(pypi=server.url(), github_api=server.url())
        session = make_session(settings)
        started = time.monotonic()
        try:
            client = Client(session, endpoints, settings)
            result = Runner(list(providers) or [PypiProvider()], client).run(PACKAGES)
        finally:
            session.close()
        return Run(result, time.monotonic() - started)

    return go


def recovered(server: FaultServer, run: Callable[..., Run]) -> Run:
    """The rerun: the server answers properly now; the healthy answer must come from cache."""
    served = server.count(HEALTHY)
    server.route(VICTIM, faults.ok(pypi_document("victim")))
    again = run()
    assert server.count(HEALTHY) == served, "the healthy answer was not taken from the cache"
    assert again.known("healthy") and again.known("victim")
    return again


def scripted(server: FaultServer, *victim: faults.Answer) -> None:
    server.route(HEALTHY, faults.ok(pypi_document("healthy")))
    server.route(VICTIM, *victim)


# --- faults that make the source unavailable ----------------------------------------------


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("timeout", "ConnectionError (ReadTimeoutError)"),
        ("reset", "ConnectionError (ProtocolError)"),
        ("5xx-burst", "HTTP 503 after retries"),
        ("redirect-loop", "TooManyRedirects"),
        ("truncated", "ChunkedEncodingError"),
        ("oversized-declared", "ResponseTooLargeError"),
        ("oversized-undeclared", "ResponseTooLargeError"),
        ("trickle", "ResponseTooSlowError"),
    ],
)
def test_fault_leaves_the_victim_unknown_within_a_bound(
    server: FaultServer, run: Callable[..., Run], fault: str, reason: str
) -> None:
    answers = {
        "timeout": faults.hang(server),
        "reset": faults.reset(),
        "5xx-burst": faults.status(503),
        "redirect-loop": faults.redirect("/pypi/victim/json"),
        "truncated": faults.truncated(pypi_document("victim")),
        "oversized-declared": faults.oversized(8 * 1024 * 1024),
        "oversized-undeclared": faults.oversized(8 * 1024 * 1024, declared=False),
        "trickle": faults.trickle(server),
    }
    scripted(server, answers[fault])
    first = run()
    # Each try costs at most the deadline; retries are bounded.
    assert first.seconds < (RETRIES + 1) * (DEADLINE + TIMEOUT) + 2
    assert server.count(VICTIM) <= (31 if fault == "redirect-loop" else RETRIES + 1)
    assert first.known("healthy") and not first.known("victim")
    assert reason in first.status(), first.status()
    assert "/pypi/victim/json" in first.status()
    recovered(server, run)


# --- faults that are waited out ---------------------------------------------------------------


def test_429_with_retry_after_is_waited_out(server: FaultServer, run: Callable[..., Run]) -> None:
    scripted(server, faults.too_many(1), faults.ok(pypi_document("victim")))
    first = run()
    assert first.seconds >= 0.9
    assert first.known("victim") and server.count(VICTIM) == 2
    assert first.result.sources["pypi"].state == "ok"


def test_429_beyond_max_wait_is_not_waited_for(
    server: FaultServer, run: Callable[..., Run]
) -> None:
    scripted(server, faults.too_many(3600))
    first = run(max_wait=1.0)
    assert first.seconds < (RETRIES + 1) * 1.0 + 3
    assert not first.known("victim") and server.count(VICTIM) <= RETRIES + 1
    assert "HTTP 429" in first.status()
    recovered(server, run)


def test_a_short_5xx_burst_is_retried_through(server: FaultServer, run: Callable[..., Run]) -> None:
    scripted(server, faults.status(502), faults.status(503), faults.ok(pypi_document("victim")))
    first = run()
    assert first.known("victim") and server.count(VICTIM) == 3


GITHUB = "https://github.com/example/victim"


@pytest.fixture
def github(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> list[Provider]:
    """PyPI names each package's repository on github.com; GitHub is asked about them."""
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    server.route("/pypi/*/json", faults.ok(pypi_document("victim")))
    return [PypiProvider(), GithubProvider(host="github.com")]


def test_github_rate_limit_is_waited_out_until_its_reset(
    server: FaultServer, run: Callable[..., Run], github: list[Provider]
) -> None:
    document = {"archived": False, "stargazers_count": 7, "owner": {"type": "User", "login": "x"}}
    server.route("/repos/example/victim", faults.github_rate_limit(1.5), faults.ok(document))
    first = run(*github)
    assert first.result.value(GITHUB, "stars") == 7
    assert server.count("/repos/example/victim") == 2
    assert first.seconds >= 0.5  # X-RateLimit-Reset has a one-second resolution


def test_github_rate_limit_beyond_max_wait_stops_the_source(
    server: FaultServer, run: Callable[..., Run], github: list[Provider]
) -> None:
    server.route("/repos/example/victim", faults.github_rate_limit(3600))
    first = run(*github, max_wait=1.0)
    assert first.seconds < 5
    assert server.count("/repos/example/victim") == 1
    assert first.result.sources["github"].state == "unavailable"
    assert "rate limit exhausted" in first.status("github")
    assert GITHUB not in first.result.signals
    assert first.known("victim")  # the other source is not affected


# --- answers that are not JSON: only that key is unknown, and nothing bad is cached ------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (faults.raw(b'{"info": {"name": "victim", '), "invalid JSON"),
        (faults.raw(b"<html><body>Service Unavailable</body></html>", "text/html"), "HTML"),
        (faults.raw(b"\xff\xfe\x00garbage"), "invalid JSON"),
    ],
    ids=["invalid-json", "html-with-200", "binary"],
)
def test_an_unusable_answer_is_noted_and_not_cached(
    server: FaultServer, run: Callable[..., Run], answer: faults.Answer, reason: str
) -> None:
    scripted(server, answer)
    first = run()
    assert first.known("healthy") and not first.known("victim")
    assert first.result.sources["pypi"].state == "partial"
    assert reason in first.status() and "/pypi/victim/json" in first.status()
    recovered(server, run)


# --- Ctrl-C: nothing more is sent, no pause outlasts it -----------------------------------------


@pytest.fixture
def stopping() -> Iterator[None]:
    """What Ctrl-C does under ``stop_on_interrupt``, undone afterwards."""
    http.STOPPING.set()
    try:
        yield
    finally:
        http.STOPPING.clear()


def test_once_stopping_nothing_more_is_sent_and_no_pause_begins(
    server: FaultServer, run: Callable[..., Run], stopping: None
) -> None:
    scripted(server, faults.ok(pypi_document("victim")))
    gate = HostGate(max_wait=60)
    assert gate.pause(server.url(), time.time() + 30)
    started = time.monotonic()
    gate.wait(server.url())  # a 30-second rate-limit pause, not taken
    first = run()
    assert time.monotonic() - started < 1
    assert server.count() == 0
    assert "interrupted" in first.status() and not first.result.signals

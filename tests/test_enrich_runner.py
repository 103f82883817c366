"""The runner: provider priority, failure isolation and progress, without any network."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import ClassVar

from analyzer.enrich import Client, Endpoints, Subject
from analyzer.enrich.interface import (
    Finding,
    FundingLink,
    Kind,
    Provider,
    Signal,
    SourceUnavailableError,
)
from analyzer.enrich.runner import Runner
from analyzer.http import HttpSettings, make_session


class Fake(Provider):
    """Answers every subject with one signal after ``delay`` seconds."""

    name: ClassVar[str] = "fake"

    def __init__(self, name: str, value: int, delay: float = 0.0, fail: bool = False) -> None:
        self.name = name  # type: ignore[misc]
        self.value = value
        self.delay = delay
        self.fail = fail

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "pypi"

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        time.sleep(self.delay)
        if self.fail:
            raise SourceUnavailableError("fake: HTTP 503 after retries", status=503)
        for item in items:
            signal = Signal("dependents", self.value, self.name, client.fetched_at)
            yield Finding(item.key, (signal,), repository="https://github.com/o/r")


class RepoFake(Fake):
    kind = Kind.REPOSITORY

    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "repository"


def client(tmp_path) -> Client:  # type: ignore[no-untyped-def]
    settings = HttpSettings(cache_dir=tmp_path)
    return Client(make_session(settings), settings=settings)


def test_the_earlier_provider_wins_even_when_it_answers_last(tmp_path) -> None:  # type: ignore[no-untyped-def]
    slow_first, fast_second = Fake("first", 1, delay=0.3), Fake("second", 2)
    result = Runner([slow_first, fast_second], client(tmp_path)).run(
        [Subject("pkg:pypi/a", "pypi", "a")]
    )
    assert result.value("pkg:pypi/a", "dependents") == 1
    assert [s.source for s in result.signals["pkg:pypi/a"]] == ["first", "second"]


def test_an_unavailable_provider_does_not_stop_the_others(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done: list[tuple[int, int]] = []
    runner = Runner([Fake("down", 0, fail=True), Fake("up", 5), RepoFake("repo", 9)],
                    client(tmp_path))  # fmt: skip
    result = runner.run(
        [Subject("pkg:pypi/a", "pypi", "a"), Subject("pkg:npm/b", "npm", "b")],
        lambda d, t: done.append((d, t)),
    )
    assert result.sources["down"].state == "unavailable"
    assert result.sources["down"].unknown == 1
    assert result.sources["up"].state == "ok"
    assert result.value("pkg:pypi/a", "dependents") == 5
    assert result.value("https://github.com/o/r", "dependents") == 9  # repository stage ran
    assert done[-1][0] == done[-1][1]  # progress reaches its total


class RepoSaying(Fake):
    def __init__(self, name: str, repository: str, delay: float = 0.0) -> None:
        super().__init__(name, 0, delay)
        self.repository = repository

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        time.sleep(self.delay)
        for item in items:
            yield Finding(item.key, repository=self.repository)


def test_the_earlier_provider_decides_the_repository(tmp_path) -> None:  # type: ignore[no-untyped-def]
    providers = [RepoSaying("first", "https://github.com/a/right", 0.3),
                 RepoSaying("second", "https://github.com/b/wrong")]  # fmt: skip
    result = Runner(providers, client(tmp_path)).run([Subject("pkg:pypi/a", "pypi", "a")])
    assert result.repository["pkg:pypi/a"] == "https://github.com/a/right"


def test_without_a_cache_the_providers_still_work(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from analyzer.enrich.pypi import PypiProvider

    settings = HttpSettings(use_cache=False, backoff=0.0)
    nowhere = Endpoints(pypi="http://127.0.0.1:9")  # nothing listens on the discard port
    plain = Client(make_session(settings), nowhere, settings)
    result = Runner([PypiProvider()], plain).run([Subject("pkg:pypi/a", "pypi", "a")])
    assert result.sources["pypi"].state == "unavailable"  # no TypeError on expire_after


class Streamed(RepoFake):
    """A streaming repository provider: notes when each repository reached it."""

    def __init__(self) -> None:
        super().__init__("streamed", 7)
        self.arrivals: dict[str, float] = {}

    def fetch_stream(self, items: Iterable[Subject], client: Client) -> Iterator[Finding]:
        for item in items:
            self.arrivals[item.key] = time.monotonic()
            yield Finding(item.key, (Signal("stars", 7, self.name, client.fetched_at),))


class NpmSaying(RepoSaying):
    def supports(self, ecosystem: str) -> bool:
        return ecosystem == "npm"


def test_repositories_stream_while_package_providers_still_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    streamed = Streamed()
    slow = NpmSaying("slow", "https://github.com/b/slow", delay=0.5)
    providers = [RepoSaying("fast", "https://github.com/a/fast"), slow, streamed]
    started = time.monotonic()
    result = Runner(providers, client(tmp_path)).run(
        [Subject("pkg:pypi/a", "pypi", "a"), Subject("pkg:npm/b", "npm", "b")]
    )
    assert streamed.arrivals["https://github.com/a/fast"] - started < 0.4  # before slow ended
    assert streamed.arrivals["https://github.com/b/slow"] - started >= 0.5
    assert result.value("https://github.com/a/fast", "stars") == 7
    assert result.sources["streamed"].state == "ok"
    assert result.sources["streamed"].unknown == 0


def test_a_repository_waits_for_the_providers_that_outrank_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    streamed = Streamed()
    providers = [RepoSaying("first", "https://github.com/a/right", delay=0.3),
                 RepoSaying("second", "https://github.com/b/wrong"), streamed]  # fmt: skip
    result = Runner(providers, client(tmp_path)).run([Subject("pkg:pypi/a", "pypi", "a")])
    assert list(streamed.arrivals) == ["https://github.com/a/right"]  # never the replaced one
    assert set(result.repository.values()) == set(streamed.arrivals)


def test_a_streaming_provider_without_repositories_is_skipped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    streamed = Streamed()
    result = Runner([Fake("plain", 1), streamed], client(tmp_path)).run(
        [Subject("pkg:npm/b", "npm", "b")]  # Fake supports only pypi: no repository found
    )
    assert streamed.arrivals == {}
    assert result.sources["streamed"].state == "skipped"


class Paying(Fake):
    """Names the same payee as any other Paying provider, after ``delay`` seconds."""

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        time.sleep(self.delay)
        link = FundingLink("github", "octo", "https://github.com/sponsors/octo", self.name)
        other = FundingLink("custom", None, f"https://{self.name}.example/fund", self.name)
        for item in items:
            yield Finding(item.key, funding=(link, other))


def test_a_payee_named_twice_is_credited_to_the_earlier_provider(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Whatever finished first: the funding links, like the signals, follow priority order."""
    for slow in (0, 1):
        providers = [
            Paying("first", 1, delay=0.3 * (slow == 0)),
            Paying("second", 2, delay=0.3 * slow),
        ]
        result = Runner(providers, client(tmp_path)).run([Subject("pkg:pypi/a", "pypi", "a")])
        links = result.funding["pkg:pypi/a"]
        assert [(link.account or link.url, link.source) for link in links] == [
            ("octo", "first"),
            ("https://first.example/fund", "first"),
            ("https://second.example/fund", "second"),
        ]

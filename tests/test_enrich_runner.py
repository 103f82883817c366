"""The runner: provider priority, failure isolation and progress, without any network."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import ClassVar

from analyzer.enrich import Client, Subject
from analyzer.enrich.interface import (
    Finding,
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

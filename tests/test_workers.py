"""Workers: lookups run in the calling thread while the answer store answers them, on a pool
of threads while they wait for the network; the results are the same either way."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from analyzer.enrich import Client
from analyzer.enrich.concurrency import Feed, Hits, stream
from analyzer.enrich.workers import Workers, ordered
from analyzer.http import HttpSettings, make_session


class Recorder(Workers):
    """Workers whose work says itself whether it "went out"; records the threads it ran on."""

    def __init__(self, workers: int = 4) -> None:
        super().__init__(workers)
        self.threads: list[str] = []
        self._guard = threading.Lock()

    def work(self, out: Callable[[int], bool]) -> Callable[[int], int]:
        def run(n: int) -> int:
            with self._guard:
                self.threads.append(threading.current_thread().name)
            if out(n):
                self.went_out()
                time.sleep(0.002)
            if n < 0:
                raise ValueError(n)
            return n * 10

        return run


def test_work_answered_by_the_store_runs_in_the_calling_thread() -> None:
    workers = Recorder()
    assert list(workers.map(range(50), workers.work(lambda n: False))) == [
        n * 10 for n in range(50)
    ]
    assert set(workers.threads) == {threading.current_thread().name}


def test_work_that_goes_out_moves_to_the_pool_and_comes_back() -> None:
    workers = Recorder()
    out = lambda n: 10 <= n < 30  # noqa: E731
    assert list(workers.map(range(60), workers.work(out))) == [n * 10 for n in range(60)]
    here = threading.current_thread().name
    assert workers.threads[:11] == [here] * 11  # the first to go out ran here
    assert any(name != here for name in workers.threads)  # then the pool
    assert workers.threads[-1] == here  # and back once answers come from the store again


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 40), st.booleans()), max_size=40), st.integers(1, 4))
def test_ordered_agrees_with_a_plain_map(items: list[tuple[int, bool]], size: int) -> None:
    """In input order, whichever thread ran what; the first error is raised in its place."""
    workers = Recorder(size)
    out = dict(items)
    expected: list[int] = []
    error = next((n for n, _ in items if n < 0), None)
    for n, _ in items:
        if n < 0:
            break
        expected.append(n * 10)
    got: list[int] = []
    if error is None:
        got = list(
            ordered([n for n, _ in items], workers.work(out.__getitem__), size, workers.attempt)
        )
        assert got == expected
    else:
        with pytest.raises(ValueError, match=str(error)):
            for value in ordered([n for n, _ in items], workers.work(out.__getitem__), size,
                                 workers.attempt):  # fmt: skip
                got.append(value)
        assert got == expected


def test_attempts_nest_and_report_whether_they_went_out() -> None:
    workers = Workers(2)
    inner = lambda: workers.attempt(workers.went_out)[1]  # noqa: E731
    outcome, sent = workers.attempt(inner)
    assert outcome.result() is True and sent is True
    outcome, sent = workers.attempt(lambda: 1)
    assert outcome.result() == 1 and sent is False
    failed, sent = workers.attempt(lambda: 1 / 0)
    assert isinstance(failed.exception(), ZeroDivisionError) and sent is False


def test_stream_with_attempts_runs_work_answered_by_the_store_in_the_feeder() -> None:
    workers = Recorder(2)
    feed: Feed[int] = Feed()
    for n in range(30):
        feed.put(n)
    feed.close()
    out = lambda n: n in (5, 6, 7)  # noqa: E731
    results = stream(feed, workers.work(out), 2, workers.attempt)
    assert sorted(results) == [n * 10 for n in range(30)]
    assert workers.threads.count("stream-feeder") >= 20  # most ran where the items arrived


def test_stream_with_attempts_raises_the_first_error() -> None:
    workers = Recorder(2)
    with pytest.raises(ValueError):
        list(stream([1, 2, -1, 3], workers.work(lambda n: False), 2, workers.attempt))


def test_the_client_runs_lookups_here_only_when_the_store_answered(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/doc").respond_with_json({"n": 1})
    settings_ = HttpSettings(cache_dir=tmp_path / "cache", backoff=0.0)
    first = Client(make_session(settings_), settings=settings_)
    url = httpserver.url_for("/doc")
    assert first.attempt(lambda: first.get_json("src", url, expire=3600))[1] is True
    first.session.close()  # the answer reaches the store
    second = Client(make_session(settings_), settings=settings_)
    outcome, sent = second.attempt(lambda: second.get_json("src", url, expire=3600))
    assert outcome.result() == {"n": 1} and sent is False
    second.session.close()


def test_the_store_counts_as_answering_after_a_run_of_answers() -> None:
    hits = Hits(3)
    assert hits.answering()  # at first: a warm run starts in the calling thread
    hits.record(sent=True)
    assert not hits.answering()
    for _ in range(2):
        hits.record(sent=False)
        assert not hits.answering()  # a cold run's occasional cached answer changes nothing
    hits.record(sent=False)
    assert hits.answering()
    hits.record(sent=True)
    assert not hits.answering()

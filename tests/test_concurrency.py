"""Feed, stream and Once: work that arrives over time, and work that runs once."""

from __future__ import annotations

import threading
import time

import pytest

from analyzer.enrich.concurrency import Feed, Once, stream


def test_stream_starts_work_before_the_feed_is_closed() -> None:
    feed: Feed[int] = Feed()
    started = threading.Event()

    def work(n: int) -> int:
        started.set()
        return n * 10

    results = stream(feed, work, workers=2)

    def feed_later() -> None:
        feed.put(1)
        started.wait(5)  # the first item is worked on while the feed is still open
        feed.put(2)
        feed.close()

    feeder = threading.Thread(target=feed_later)
    feeder.start()
    assert sorted(results) == [10, 20]
    feeder.join()
    assert started.is_set() and len(feed) == 2


def test_stream_yields_in_completion_order() -> None:
    def work(delay: float) -> float:
        time.sleep(delay)
        return delay

    assert list(stream([0.3, 0.0], work, workers=2)) == [0.0, 0.3]


def test_an_error_stops_new_work_but_keeps_what_was_running() -> None:
    done: list[int] = []

    def work(n: int) -> int:
        if n == 0:
            raise ValueError("boom")
        time.sleep(0.2)
        done.append(n)
        return n

    got: list[int] = []
    with pytest.raises(ValueError, match="boom"):
        for result in stream(range(50), work, workers=3):
            got.append(result)
    assert got  # work running alongside the failure still yields its result ...
    assert sorted(got) == sorted(done) and len(done) < 10  # ... the queued rest never ran


def test_an_error_of_the_items_reaches_the_consumer() -> None:
    def items() -> object:
        yield 1
        raise RuntimeError("feed broke")

    with pytest.raises(RuntimeError, match="feed broke"):
        list(stream(items(), lambda n: n, workers=2))  # type: ignore[arg-type]


def test_a_closed_feed_ends_every_iteration() -> None:
    feed: Feed[str] = Feed()
    feed.put("a")
    feed.close()
    assert list(feed) == ["a"]
    assert list(feed) == []


def test_once_shares_one_run_among_concurrent_callers() -> None:
    once: Once[str, int] = Once()
    calls: list[int] = []
    gate = threading.Event()

    def work() -> int:
        calls.append(1)
        gate.wait(5)
        return 42

    results: list[tuple[int, bool]] = []
    threads = [threading.Thread(target=lambda: results.append(once.run("k", work)))
               for _ in range(3)]  # fmt: skip
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    gate.set()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert sorted(results) == [(42, False), (42, True), (42, True)]
    assert once.run("k", lambda: 7) == (7, False)  # finished: a later call runs again


def test_once_shares_an_error_too() -> None:
    once: Once[str, int] = Once()
    gate = threading.Event()
    errors: list[str] = []

    def failing() -> int:
        gate.wait(5)
        raise LookupError("nope")

    def call() -> None:
        try:
            once.run("k", failing)
        except LookupError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    gate.set()
    for thread in threads:
        thread.join()
    assert errors == ["nope", "nope"]

"""The progress bars' redrawing thread, which forks pause (analyzer.forked)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from analyzer import forked, parse_pool
from analyzer.cli.progress import Refresher
from tests.helpers import forking


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_it_redraws_until_stopped_and_again_after_a_pause() -> None:
    calls: list[float] = []
    with Refresher(lambda: calls.append(time.monotonic()), interval=0.01) as refresher:
        wait_for(lambda: len(calls) >= 3)
        with refresher.paused():
            count = len(calls)
            time.sleep(0.05)
            assert len(calls) == count  # nothing drawn while paused
        wait_for(lambda: len(calls) > count + 2)  # drawing again
    count = len(calls)
    time.sleep(0.05)
    assert len(calls) == count  # stopped for good


def test_its_thread_is_gone_while_threads_are_paused_for_a_fork() -> None:
    with Refresher(lambda: None, interval=0.01) as refresher, forked.pausable(refresher.paused):
        mine = refresher._thread
        assert mine is not None and mine.is_alive()
        with forked.threads_paused():
            assert mine not in threading.enumerate()
        assert refresher._thread is not None and refresher._thread.is_alive()
    assert refresher._thread is None


@forking
def test_a_copy_is_forked_while_the_redrawing_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    alive_at_fork: list[bool] = []
    real_fork = os.fork

    def fork() -> int:
        alive_at_fork.append(refresher._thread is not None)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    with Refresher(lambda: None, interval=0.01) as refresher, forked.pausable(refresher.paused):
        with forked.Forked(os.getpid) as copy:
            assert copy.forked and copy.result() != os.getpid()
        assert refresher._thread is not None  # redrawing again
    assert alive_at_fork == [False]


def test_parsing_workers_are_started_while_threads_pause() -> None:
    entered: list[str] = []

    @contextmanager
    def pause() -> Iterator[None]:
        entered.append("paused")
        yield
        entered.append("resumed")

    with forked.pausable(pause):
        pool = parse_pool._pool(1)
    try:
        assert entered == ["paused", "resumed"]
        assert pool.submit(int, "7").result() == 7
    finally:
        pool.shutdown()

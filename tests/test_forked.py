"""analyzer.forked: work done by a forked copy of the process, or here when that cannot be."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import forked
from analyzer.forked import Forked
from tests.helpers import forking


@forking
def test_the_work_is_done_by_another_process_and_its_value_comes_back() -> None:
    parent = os.getpid()
    with Forked(lambda: (os.getpid(), {"pkg:npm/a": 0.5, "pkg:npm/b": 1.0})) as copy:
        assert copy.forked
        pid, ranks = copy.result()
    assert pid != parent
    assert ranks == {"pkg:npm/a": 0.5, "pkg:npm/b": 1.0}


@forking
def test_a_large_answer_comes_back_whole() -> None:
    answer = {f"pkg:pypi/p{i}": i / 7 for i in range(200_000)}  # megabytes through the pipe
    with Forked(lambda: answer) as copy:
        assert copy.result() == answer


@forking
def test_the_copy_sees_what_was_built_before_the_fork_not_after() -> None:
    built = {"edges": 3}
    with Forked(lambda: dict(built)) as copy:
        built["edges"] = 4  # the copy has its own pages: this change is not in them
        assert copy.result() == {"edges": 3}


@forking
def test_a_failing_copy_is_replaced_by_the_work_done_here() -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            raise RuntimeError("only the copy fails")
        return "done here"

    with Forked(work) as copy:
        assert copy.forked
        assert copy.result() == "done here"


@forking
def test_an_exception_is_the_one_the_work_raises_here() -> None:
    def work() -> int:
        raise ValueError("bad graph")

    with Forked(work) as copy, pytest.raises(ValueError, match="bad graph"):
        copy.result()


@forking
def test_an_answer_that_does_not_pickle_is_computed_here() -> None:
    parent = os.getpid()
    with Forked(lambda: lambda: os.getpid()) as copy:  # a lambda does not pickle
        assert copy.result()() == parent


@forking
def test_a_killed_copy_is_replaced_by_the_work_done_here() -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        return "done here"

    with Forked(work) as copy:
        assert copy.result() == "done here"


def test_without_fork_the_work_is_done_here_when_asked_for() -> None:
    calls: list[int] = []
    copy = Forked(lambda: calls.append(os.getpid()) or len(calls), fork=False)
    assert not copy.forked
    assert calls == []  # nothing is done before the result is wanted
    assert copy.result() == 1
    assert calls == [os.getpid()]


def test_no_fork_while_another_thread_runs() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not forked.can_fork()
        copy = Forked(os.getpid)
        assert not copy.forked
        assert copy.result() == os.getpid()
    finally:
        release.set()
        thread.join()


def test_no_fork_with_one_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "cpus", lambda: 1)
    assert not forked.can_fork()


def test_no_processes_left_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    with Forked(os.getpid, fork=True) as copy:
        assert not copy.forked
        assert copy.result() == os.getpid()


@forking
def test_the_copy_does_not_write_what_this_process_has_buffered(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        stream.write("once\n")  # buffered, not yet written
        with Forked(lambda: 1) as copy:
            assert copy.result() == 1
    assert out.read_text() == "once\n"


@pytest.fixture
def unfinished(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "partial.tmp"


@forking
def test_leaving_the_block_stops_the_copy_which_cleans_up(unfinished: Path) -> None:
    def work() -> None:
        unfinished.write_text("half a report")
        try:
            time.sleep(60)
        finally:
            unfinished.unlink()

    started = time.monotonic()
    with Forked(work) as copy:
        for _ in range(500):  # until the copy has begun
            if unfinished.exists():
                break
            time.sleep(0.01)
        assert unfinished.exists()
        assert copy.forked
    assert time.monotonic() - started < 30
    assert not unfinished.exists()  # the copy's own clean-up ran before it ended
    copy.stop()  # stopping twice is harmless


@forking
def test_the_value_is_the_same_each_time_it_is_asked_for(tmp_path: Path) -> None:
    log = tmp_path / "pids"

    def work() -> list[int]:
        with log.open("a") as stream:
            stream.write(f"{os.getpid()}\n")
        return [1, 2]

    with Forked(work) as copy:
        first = copy.result()
        assert copy.result() is first == [1, 2]
    here = Forked(work, fork=False)
    assert here.result() is here.result()
    pids = log.read_text().split()
    assert len(pids) == 2 and pids[0] != str(os.getpid()) and pids[1] == str(os.getpid())

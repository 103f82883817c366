"""Concurrency helpers: work that arrives over time, and work that must run only once.

The runner feeds the repository stage while package providers still run: a repository goes on
a :class:`Feed` as soon as it is settled which repository a package belongs to, and the feed is
closed when the package stage ends. :func:`stream` runs a function over such an iterable with
bounded concurrency and yields the results as they complete. :class:`Once` lets concurrent
callers asking for the same thing share one computation (the client's identical requests).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K")


class Feed(Generic[T]):
    """A queue one consumer iterates until it is closed; ``len`` counts what was put."""

    _END = object()

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._count = 0
        self._lock = threading.Lock()

    def put(self, item: T) -> None:
        with self._lock:
            self._count += 1
        self._queue.put(item)

    def close(self) -> None:
        self._queue.put(self._END)

    def __len__(self) -> int:
        with self._lock:
            return self._count

    def __iter__(self) -> Iterator[T]:
        while (item := self._queue.get()) is not self._END:
            yield item  # type: ignore[misc]  # only put() adds anything else
        self._queue.put(self._END)  # a second iteration ends at once too


Attempt = Callable[[Callable[[], R]], tuple[Future[R], bool]]  # see workers.Workers


class Hits:
    """Whether the answer store is answering: yes at first and after ``needed`` attempts in
    a row that did not go past it, no after one that did. Needing several in a row keeps a
    cold run, where a few answers come from the store, from taking work off its threads."""

    def __init__(self, needed: int) -> None:
        self.needed = max(1, needed)
        self._count = self.needed
        self._lock = threading.Lock()

    def record(self, sent: bool) -> None:
        with self._lock:
            self._count = 0 if sent else self._count + 1

    def answering(self) -> bool:
        return self._count >= self.needed


@dataclass(frozen=True)
class _Ended:
    error: Exception | None = None


def stream(
    items: Iterable[T], work: Callable[[T], R], workers: int, attempt: Attempt[R] | None = None
) -> Iterator[R]:
    """``work`` over ``items`` on ``workers`` threads while ``items`` still arrives; yields
    results in completion order. The first error (of ``work`` or of ``items``) stops new
    work; what was already running still yields its result, then the error is raised.
    With ``attempt`` (see :mod:`analyzer.enrich.workers`), work runs in the feeding thread
    while the answer store answers (:class:`Hits`), and at most ``2 * workers`` wait for a
    thread while it does not."""
    done: queue.SimpleQueue[Future[R] | _Ended] = queue.SimpleQueue()
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    lock, stop = threading.Lock(), threading.Event()
    slots = threading.Semaphore(2 * max(1, workers))
    hits = Hits(workers)
    submitted = 0

    def pooled(item: T) -> R:
        if attempt is None:
            return work(item)
        outcome, sent = attempt(partial(work, item))
        hits.record(sent)
        return outcome.result()

    def finished(future: Future[R]) -> None:
        slots.release()
        done.put(future)

    def submit_all() -> None:
        nonlocal submitted
        error: Exception | None = None
        try:
            for item in items:
                inline = attempt is not None and hits.answering()
                if not inline:
                    slots.acquire()
                with lock:  # so that the consumer's count of submitted work is final
                    if stop.is_set():
                        return
                    if not inline:
                        pool.submit(pooled, item).add_done_callback(finished)
                    submitted += 1
                if inline and attempt is not None:
                    outcome, sent = attempt(partial(work, item))
                    hits.record(sent)
                    done.put(outcome)
        except Exception as exc:  # handed to the consumer, which raises it
            error = exc
        done.put(_Ended(error))

    threading.Thread(target=submit_all, name="stream-feeder", daemon=True).start()
    received, ended = 0, False
    error: BaseException | None = None
    try:
        while not ended or received < submitted:
            answer = done.get()
            if isinstance(answer, _Ended):
                ended, error = True, error or answer.error
            elif answer.cancelled():
                received += 1
                continue
            elif (failure := answer.exception()) is None:
                received += 1
                yield answer.result()
                continue
            else:
                received, error = received + 1, error or failure
            if error is not None and not stop.is_set():
                with lock:  # no new work; running work ends; queued work is dropped
                    stop.set()
                    ended = True
                pool.shutdown(wait=False, cancel_futures=True)
        if error is not None:
            raise error
    finally:
        with lock:
            stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


class Once(Generic[K, R]):
    """Concurrent calls with the same key run ``work`` once; the others wait for its result
    (or its exception) and share it. A call after it finished runs ``work`` again."""

    def __init__(self) -> None:
        self._running: dict[K, Future[R]] = {}
        self._lock = threading.Lock()

    def run(self, key: K, work: Callable[[], R]) -> tuple[R, bool]:
        """``work()``'s result, and whether it was shared from another caller's run."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine: Future[R] = Future()
                self._running[key] = mine
        if running is not None:
            return running.result(), True
        try:
            result = work()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        else:
            mine.set_result(result)
        finally:
            with self._lock:
                del self._running[key]
        return result, False

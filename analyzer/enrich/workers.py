"""Running lookups concurrently, or in the calling thread while the cache answers them.

A lookup answered by the answer store (:mod:`analyzer.docstore`) takes a fraction of a
millisecond: less than handing it to a worker thread costs, and a hundred threads taking turns
with the interpreter lock cost more again. One waiting for the network takes as long as the
network does, and many of them must be on their way at once. So each piece of work is run as an
*attempt* that tells whether any of its calls went past the store: while the last one did not,
the next runs in the calling thread; while it did, on a pool of threads. An audit rerun on a
warm cache then runs on a handful of threads (one per provider), a cold one as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from analyzer.enrich.concurrency import Attempt, Hits, stream

T = TypeVar("T")
R = TypeVar("R")


class Workers:
    """How many threads a pool of lookups gets, and the attempts that decide whether it
    needs them. :meth:`went_out` is called by whatever sends a request past the store."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._local = threading.local()  # sent: a call of this thread's attempt went out

    def went_out(self) -> None:
        self._local.sent = True

    def attempt(self, work: Callable[[], R]) -> tuple[Future[R], bool]:
        """Run ``work`` in this thread: its outcome, and whether any of its calls went past
        the answer store. Attempts may nest: the outer one went out if the inner one did."""
        before = getattr(self._local, "sent", False)
        self._local.sent = False
        outcome: Future[R] = Future()
        try:
            outcome.set_result(work())
        except Exception as exc:  # the caller's to raise, where it reads the outcome
            outcome.set_exception(exc)
        sent = bool(self._local.sent)
        self._local.sent = before or sent
        return outcome, sent

    def map(
        self, items: Iterable[T], work: Callable[[T], R], workers: int | None = None
    ) -> Iterator[R]:
        """Run ``work`` over ``items`` concurrently, yielding results in input order."""
        return ordered(items, work, workers or self.workers, self.attempt)

    def stream(
        self, items: Iterable[T], work: Callable[[T], R], workers: int | None = None
    ) -> Iterator[R]:
        """Like :meth:`map` for items that arrive over time (a :class:`Feed`): work starts
        as each arrives, and results come in the order they complete."""
        return stream(items, work, workers or self.workers, self.attempt)


def _settled(outcome: tuple[Future[R], bool]) -> Future[tuple[Future[R], bool]]:
    done: Future[tuple[Future[R], bool]] = Future()
    done.set_result(outcome)
    return done


def ordered(
    items: Iterable[T], work: Callable[[T], R], workers: int, attempt: Attempt[R]
) -> Iterator[R]:
    """``work`` over ``items``, results in input order. ``attempt`` runs a piece of work and
    says whether it waited for the network: while the answer store answers (``Hits``),
    items run in this thread; otherwise on ``workers`` threads, at most twice as many
    queued. The first error is raised in its place; queued work is dropped."""
    pending: deque[Future[tuple[Future[R], bool]]] = deque()
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    hits = Hits(workers)
    try:
        for item in items:
            while pending and (pending[0].done() or len(pending) >= 2 * max(1, workers)):
                outcome, sent = pending.popleft().result()
                hits.record(sent)
                yield outcome.result()
            if not hits.answering():
                pending.append(pool.submit(attempt, partial(work, item)))
                continue
            here = attempt(partial(work, item))
            hits.record(here[1])
            if pending:  # behind work still running elsewhere
                pending.append(_settled(here))
            else:
                yield here[0].result()
        while pending:
            yield pending.popleft().result()[0].result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

"""Work done by a forked copy of this process while this one goes on.

After the manifests are parsed, the audit runs in one process and a second core sits idle.
Some of its work only reads what is already built (the finished graph, the report document)
and answers with little: a rank per package, or nothing but a file written. A copy of the
process made by ``fork()`` shares everything built so far, page by page, without it being
sent; it does that work and sends its answer back as a pickle, while this process goes on.

``fork()`` is used only where that is safe and pays: on Linux, with at least two CPUs to run
on, while this process runs no other thread (a fork copies no lock another thread could be
holding: the lookups', say). A thread that can stop and start again, such as the one that
redraws the progress bars, says so with ``pausable``: it is stopped for the moment of each
fork. Otherwise the work is done here, when its result is first asked for. When the copy
fails in any way (killed, out of memory, an exception, an answer that does not pickle) the
work is done here too, so a caller sees the exception the work raises in this process, with
its traceback, and never a half answer.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from types import TracebackType
from typing import Generic, NoReturn, TypeVar

from analyzer.gc_pause import paused_gc

T = TypeVar("T")


def cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a forked copy would run alongside this process, safely: on Linux, with two
    CPUs or more, and no other thread (of Python's or of a library's) in this process."""
    return _worth_forking() and threading.active_count() == 1 and _threads() == 1


def _worth_forking() -> bool:
    """Linux, and a second CPU for a copy to run on."""
    return sys.platform == "linux" and cpus() > 1


Pause = Callable[[], AbstractContextManager[object]]
_pauses: list[Pause] = []


@contextmanager
def pausable(pause: Pause) -> Iterator[None]:
    """Inside, each fork is made within ``pause()``, which stops a thread of this process
    and starts it again when it ends (see ``threads_paused``)."""
    _pauses.append(pause)
    try:
        yield
    finally:
        _pauses.remove(pause)


@contextmanager
def threads_paused() -> Iterator[None]:
    """The threads that said they can pause (``pausable``) stopped inside; to fork in."""
    with ExitStack() as stack:
        for pause in list(_pauses):
            stack.enter_context(pause())
        yield


def _threads() -> int:
    """This process's threads as the operating system counts them (0 if it cannot tell)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


class Forked(Generic[T]):
    """``work()``, started now in a forked copy when ``can_fork()``; use as a context manager,
    so that a copy whose result is never asked for is stopped (and its temporary files
    removed by the work's own clean-up) when the block ends."""

    def __init__(self, work: Callable[[], T], *, fork: bool | None = None) -> None:
        self._work = work
        self._pid: int | None = None
        self._pipe: int | None = None
        self._value: tuple[T] | None = None  # the work's value, once known
        if fork is False or (fork is None and not _worth_forking()):
            return
        with threads_paused():
            if fork or can_fork():
                self._start()

    @property
    def forked(self) -> bool:
        """Whether a copy is (or was) doing the work."""
        return self._pid is not None

    def _start(self) -> None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or processes left: the work is done here
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # pragma: no cover  # the copy: coverage does not follow it
            os.close(read)
            _answer(write, self._work)
        os.close(write)
        self._pid, self._pipe = pid, read

    def result(self) -> T:
        """The work's value, from the copy or, if there is none or it failed, done here;
        the same value every time it is asked for (the work is done once)."""
        if self._value is None:
            self._value = (self._received() if self._pipe is not None else None) or (self._work(),)
        return self._value[0]

    def _received(self) -> tuple[T] | None:
        """The copy's answer, once it has ended; None when it failed."""
        assert self._pipe is not None and self._pid is not None
        with os.fdopen(self._pipe, "rb") as stream:
            self._pipe = None
            data = stream.read()
        _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            return None
        # an answer of many objects, kept: a collection meanwhile would find nothing
        with contextlib.suppress(Exception), paused_gc(lasting=True):
            return (pickle.loads(data),)  # noqa: S301  # our own copy's answer
        return None

    def stop(self) -> None:
        """Stop a copy whose answer is no longer wanted, and wait for it to end."""
        if self._pipe is not None and self._pid is not None:
            os.close(self._pipe)
            self._pipe = None
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
            os.waitpid(self._pid, 0)

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _terminate(signum: int, frame: object) -> NoReturn:  # pragma: no cover  # in the copy
    raise SystemExit(1)


def _answer(pipe: int, work: Callable[[], object]) -> NoReturn:  # pragma: no cover  # the copy
    """Do the work, write its pickle and end, without running anything of the parent's
    (no exit handlers, no buffered output flushed twice)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
        signal.signal(signal.SIGTERM, _terminate)  # the parent's stop: clean up, then end
        gc.disable()  # short-lived: a collection would only copy the pages it walks
        data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(pipe, "wb") as stream:
            stream.write(data)
        code = 0
    except BaseException:  # noqa: S110  # the parent does the work again and sees the error
        pass
    finally:
        os._exit(code)

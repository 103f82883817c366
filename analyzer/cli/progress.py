"""Transient progress bars on stderr for the long stages of an audit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from analyzer import forked, pipeline
from analyzer.cli.common import err_console

Counted = pipeline.Progress | None
# crawling GitHub, reading manifests, resolving, looking up; the stages without counts
Bars = tuple[Counted, Counted, Counted, Counted, pipeline.Stage | None]


class CountColumn(MofNCompleteColumn):
    """Done of total, for the stages that count (a stage without counts shows nothing)."""

    def render(self, task: Task) -> Text:
        return Text("") if task.total is None else super().render(task)


class RateColumn(ProgressColumn):
    """Items per second (files read, packages looked up), once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


class Refresher:
    """Calls ``refresh`` ten times a second from a thread of its own, like rich's automatic
    refresh, but one that can stop and start again (``paused``): a fork made while it runs
    could copy a lock it holds, so forks pause it (analyzer.forked)."""

    def __init__(self, refresh: Callable[[], object], interval: float = 0.1) -> None:
        self.refresh, self.interval = refresh, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True)
        self._thread.start()

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            self.refresh()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No thread inside; as before afterwards."""
        running = self._thread is not None
        self.stop()
        try:
            yield
        finally:
            if running:
                self.start()

    def __enter__(self) -> Refresher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Bars]:
    """Transient progress bars on stderr (crawling GitHub, reading, resolving, looking up) and
    a pulsing one for the stages without counts (building the graph, ranking, building the
    report), only for a terminal."""
    if not enabled or not err_console.is_terminal:
        yield (None, None, None, None, None)
        return
    columns = (
        TextColumn("{task.description}"), BarColumn(), CountColumn(),
        RateColumn(), TimeElapsedColumn(),
    )  # fmt: skip
    with (
        Progress(*columns, console=err_console, transient=True, auto_refresh=False) as bar,
        Refresher(bar.refresh) as refresher,
        forked.pausable(refresher.paused),  # forks stop the redrawing for a moment
    ):

        def tracker(label: str) -> pipeline.Progress:
            tasks: list[TaskID] = []  # added on first use: a stage that never runs shows no bar

            def update(done: int, total: int) -> None:
                if not tasks:
                    tasks.append(bar.add_task(label, total=total))
                bar.update(tasks[0], completed=done, total=total)

            return update

        current: list[TaskID] = []

        def stage(label: str) -> None:
            """The stage now under way replaces the previous one ("": none is)."""
            if current:
                bar.remove_task(current.pop())
            if label:
                current.append(bar.add_task(label, total=None))

        yield (tracker("Crawling GitHub"), tracker("Reading manifests"),
               tracker("Resolving dependencies"), tracker("Looking up packages"),
               stage)  # fmt: skip

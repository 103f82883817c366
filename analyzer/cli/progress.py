"""Transient progress bars on stderr for the long stages of an audit."""

from __future__ import annotations

from collections.abc import Iterator
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

from analyzer import pipeline
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
    with Progress(*columns, console=err_console, transient=True) as bar:

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

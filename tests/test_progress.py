"""The terminal progress bars' rate column."""

from __future__ import annotations

from rich.progress import Progress

from analyzer.cli.progress import RateColumn


def test_rate_shows_items_per_second_once_known() -> None:
    now = [0.0]
    bar = Progress(get_time=lambda: now[0], auto_refresh=False, disable=True)
    task = bar.add_task("Looking up packages", total=100)
    assert RateColumn().render(bar.tasks[0]).plain == ""  # nothing done yet: no rate
    for step in range(1, 5):
        now[0] = step * 0.5
        bar.update(task, completed=step * 25)
    assert RateColumn().render(bar.tasks[0]).plain == "50/s"

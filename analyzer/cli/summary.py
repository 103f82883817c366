"""What ``fundscout audit`` prints when done: a table for people, a few lines for CI logs."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from analyzer import pipeline
from analyzer.cli import budget as money
from analyzer.cli.common import err_console


def print_compact_summary(result: pipeline.AuditResult, written: list[Path], top: int) -> None:
    """For CI logs: one line of counts, the first projects one per line, the report paths."""
    console = Console(highlight=False, markup=False, no_color=True, soft_wrap=True)
    collection, projects = result.collection, result.ranking.projects
    console.print(
        f"fundscout: {len(collection.repositories)} repositories, "
        f"{len(collection.manifests)} manifests, {len(result.graph.packages())} packages, "
        f"{len(projects)} funding candidates, {len(collection.problems)} problems"
    )
    for project in projects[: min(top, 5)]:
        console.print(f"  {project.rank}. {project.name} ({project.priority:.1f})")
    for problem in collection.problems[:5]:
        err_console.print(f"warning: {problem}", markup=False)
    if len(collection.problems) > 5:
        err_console.print(f"warning: … and {len(collection.problems) - 5} more in the reports")
    console.print("reports: " + ", ".join(str(p) for p in written))


def print_summary(result: pipeline.AuditResult, written: list[Path], top: int) -> None:
    # markup=False: names, paths and reasons are shown as they are, brackets included.
    console = Console(highlight=False, markup=False, no_color=err_console.no_color)
    table = Table(title="Funding priorities", title_justify="left")
    for column, justify in (("#", "right"), ("Project", "left"), ("Priority", "right"),
                            ("Confidence", "right"), ("Status", "left"),
                            ("Why", "left")):  # fmt: skip
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for project in result.ranking.projects[:top]:
        status = ", ".join(project.eligibility.flags) or project.eligibility.status
        table.add_row(str(project.rank), project.name, f"{project.priority:.2f}",
                      f"{project.confidence:.0%}", status, "; ".join(project.reasons))  # fmt: skip
    collection = result.collection
    if result.ranking.projects:
        console.print(table)
    console.print(
        f"Audited {len(collection.repositories)} repositories, "
        f"{len(collection.manifests)} manifests: {len(collection.dependencies)} dependency "
        f"records on {len(result.graph.packages())} packages, "
        f"{len(result.ranking.projects)} funding candidates, "
        f"{len(collection.problems)} problems."
    )
    money.print_allocation(result, console, top)
    if result.resolution:
        console.print(result.resolution.describe())
        for line in result.resolution.limits:
            err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False)
        for line in result.resolution.first_notes():
            err_console.print(f"note: {escape(line)}", highlight=False)
    for problem in collection.problems[:10]:
        err_console.print(f"[yellow]warning:[/] {escape(str(problem))}", highlight=False)
    if len(collection.problems) > 10:
        err_console.print(f"[yellow]warning:[/] … and {len(collection.problems) - 10} more "
                          "problems in the reports")  # fmt: skip
    console.print("Reports: " + ", ".join(str(p) for p in written))

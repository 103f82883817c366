"""GitHub-flavored Markdown: a summary, the top of the ranking, the budget, details folded away.

Every text from crawled files or public APIs is escaped and cut to a bounded length, and
the lists are capped, so the file stays well under GitHub's 1 MiB step-summary limit however
large the organization; the JSON report always holds everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from analyzer.enrich.funding import platform_name
from analyzer.report.json_report import summary

if TYPE_CHECKING:
    from analyzer.allocate import Allocation
    from analyzer.pipeline import AuditResult
    from analyzer.score.priority import ProjectScore

MAX_ROWS = 50
MAX_LISTED = 200  # excluded projects, skipped grants and problems shown
MAX_CELL = 600  # characters of one cell
MAX_BYTES = 1_000_000  # GitHub refuses step summaries over 1 MiB
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
STATUS = {"plan-migration": "plan a migration", "reach-out": "reach out"}


def escape(text: str, limit: int = MAX_CELL) -> str:
    """Neutralize Markdown and HTML syntax in text that came from crawled files."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    html_safe = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", html_safe)


def funding_cell(project: ProjectScore, looked_up: bool) -> str:
    """Platform names only: URLs from registries are not turned into links here."""
    if not looked_up:
        return "not looked up"
    names = dict.fromkeys(platform_name(link.platform) for link in project.funding)
    return escape(", ".join(names)) if names else "none known"


def status_cell(project: ProjectScore) -> str:
    flags = [STATUS.get(flag, flag) for flag in project.eligibility.flags]
    return escape(", ".join(flags)) if flags else "eligible"


def source_notes(result: AuditResult) -> list[str]:
    """One line per source that could not answer fully, so missing data is explained."""
    if result.enrichment is None:
        return [
            "",
            "Public API lookups were turned off (--no-enrich): the ranking is reliance "
            "alone and funding is unknown.",
        ]
    notes = [
        f"- {escape(status.name)}: {status.state}"
        + (f" ({escape(status.reason)})" if status.reason else "")
        for status in result.enrichment.sources.values()
        if status.state in ("unavailable", "partial")
    ]
    return (
        ["", "Some sources could not answer; their signals are unknown:", "", *notes]
        if notes
        else []
    )


def ranking_table(result: AuditResult, top: int) -> list[str]:
    projects = result.ranking.projects
    if not projects:
        return ["No third-party dependencies were found."]
    lines = [
        "| # | Project | Priority | Confidence | Reliance | Criticality | Need | Status "
        "| Funding | Why |",
        "|---:|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    looked_up = result.enrichment is not None
    for p in projects[:top]:
        lines.append(
            f"| {p.rank} | {escape(p.name, 200)} | {p.priority:.2f} | {p.confidence:.0%} "
            f"| {p.reliance.value:.2f} | {p.criticality.value:.2f} | {p.need.value:.2f} "
            f"| {status_cell(p)} | {funding_cell(p, looked_up)} | {escape('; '.join(p.reasons))} |"
        )
    if len(projects) > top:
        lines += ["", f"… and {len(projects) - top} more in the JSON report."]
    return lines


def allocation_section(allocation: Allocation) -> list[str]:
    money = f"{allocation.budget:,.2f} {allocation.currency}"
    lines = ["", f"## Budget: {money}, {allocation.strategy}", ""]
    if not allocation.grants:
        lines.append("No project could receive a grant under these settings.")
    else:
        lines += ["| # | Project | Amount | Pay through |", "|---:|---|---:|---|"]
        for grant in allocation.grants:
            link = grant.payee
            pay = (
                f"{platform_name(link.platform)} {link.account or ''}".strip()
                if link
                else "reach out to maintainers"
            )
            lines.append(
                f"| {grant.rank} | {escape(grant.name, 200)} "
                f"| {grant.amount:,.2f} | {escape(pay, 200)} |"
            )
    if allocation.unallocated:
        lines += [
            "",
            f"Unallocated: {allocation.unallocated:,.2f} {allocation.currency} "
            "(every recipient reached the maximum share).",
        ]
    return lines + folded("Not funded", [f"{k}: {why}" for k, why in allocation.skipped])


def folded(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    lines = ["", f"<details><summary>{title} ({len(items)})</summary>", ""]
    lines += [f"- {escape(item)}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"- … and {len(items) - MAX_LISTED} more in the JSON report")
    return [*lines, "", "</details>"]


def render(
    result: AuditResult, top: int = MAX_ROWS, counts: Mapping[str, Any] | None = None
) -> str:
    """``counts`` is ``json_report.summary(result)`` when already known."""
    counts = summary(result) if counts is None else counts
    lines = [
        "# fundscout report",
        "",
        f"Generated {result.generated_at} by fundscout {result.version} "
        f"from {escape(', '.join(result.collection.roots), 2000)}.",
        "",
        "| Repositories | Manifests | Dependencies | Packages | Ranked | Excluded | Problems |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {counts['repositories']} | {counts['manifests']} | {counts['dependencies']} "
        f"| {counts['packages']} | {counts['projects']} | {counts['excluded']} "
        f"| {counts['problems']} |",
        "",
        "## Funding priorities",
        "",
        *ranking_table(result, min(top, MAX_ROWS)),
        "",
        "Priority = 100 x reliance x (1 + weighted criticality and need); see docs/scoring.md.",
    ]
    lines += source_notes(result)
    if result.allocation is not None:
        lines += allocation_section(result.allocation)
    lines += folded(
        "Excluded from the ranking", [f"{e.name}: {e.reason}" for e in result.ranking.excluded]
    )
    lines += folded("Problems", [str(p) for p in result.collection.problems])
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > MAX_BYTES:  # cannot happen with the caps above; a guard
        text = text.encode("utf-8")[: MAX_BYTES - 100].decode("utf-8", "ignore")
        text += "\n\n… cut at GitHub's size limit; see the JSON report.\n"
    return text

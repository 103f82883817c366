"""GitHub-flavored Markdown: a summary, the top of the ranking, problems folded away."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from analyzer.enrich.funding import platform_name
from analyzer.report.json_report import evidence, summary

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult

MAX_ROWS = 50
MAX_PROBLEMS = 200
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def escape(text: str) -> str:
    """Neutralize Markdown and HTML syntax in text that came from crawled files."""
    flat = " ".join(str(text).split())
    html_safe = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", html_safe)


def funding_cell(found: dict[str, object]) -> str:
    """Platform names only: URLs from registries are not turned into links here."""
    if not found:
        return "not looked up"
    links = found.get("funding")
    if not isinstance(links, list) or not links:
        return "none known"
    names = dict.fromkeys(platform_name(str(link["platform"])) for link in links)
    return escape(", ".join(names))


def source_notes(result: AuditResult) -> list[str]:
    """One line per source that could not answer fully, so missing data is explained."""
    if result.enrichment is None:
        return ["", "Public API lookups were turned off (--no-enrich): funding is unknown."]
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


def render(result: AuditResult, top: int = MAX_ROWS) -> str:
    counts = summary(result)
    lines = [
        "# fundscout report",
        "",
        f"Generated {result.generated_at} by fundscout {result.version} "
        f"from {escape(', '.join(result.collection.roots))}.",
        "",
        "| Repositories | Manifests | Dependencies | Packages | Candidates | Problems |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {counts['repositories']} | {counts['manifests']} | {counts['dependencies']} "
        f"| {counts['packages']} | {counts['projects']} | {counts['problems']} |",
        "",
        "## Funding priorities",
        "",
    ]
    projects = result.ranking.projects
    if projects:
        lines += [
            "| # | Project | Ecosystem | Priority | Funding | Why |",
            "|---:|---|---|---:|---|---|",
        ]
        for p in projects[:top]:
            why = "; ".join(p.reasons)
            pay = funding_cell(evidence(result, p.packages))
            lines.append(
                f"| {p.rank} | {escape(p.name)} | {p.ecosystem} | {p.priority:.1f} "
                f"| {pay} | {why} |"
            )
        if len(projects) > top:
            lines += ["", f"… and {len(projects) - top} more in the JSON report."]
    else:
        lines.append("No third-party dependencies were found.")
    lines += source_notes(result)
    excluded = result.ranking.excluded
    if excluded:
        lines += ["", "<details><summary>Excluded from the ranking "
                  f"({len(excluded)})</summary>", ""]  # fmt: skip
        lines += [f"- {escape(e.name)}: {escape(e.reason)}" for e in excluded]
        lines += ["", "</details>"]
    problems = result.collection.problems
    if problems:
        lines += ["", f"<details><summary>Problems ({len(problems)})</summary>", ""]
        lines += [f"- {escape(str(p))}" for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"- … and {len(problems) - MAX_PROBLEMS} more in the JSON report")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"

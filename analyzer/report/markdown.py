"""GitHub-flavored Markdown: a summary, the top of the ranking, problems folded away."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from analyzer.report.json_report import summary

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
        lines += ["| # | Project | Ecosystem | Priority | Why |", "|---:|---|---|---:|---|"]
        for p in projects[:top]:
            why = "; ".join(p.reasons)
            lines.append(
                f"| {p.rank} | {escape(p.name)} | {p.ecosystem} | {p.priority:.1f} | {why} |"
            )
        if len(projects) > top:
            lines += ["", f"… and {len(projects) - top} more in the JSON report."]
    else:
        lines.append("No third-party dependencies were found.")
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

"""What changed between two audits: packages, projects, ranks, risks and funding channels."""

from __future__ import annotations

from typing import Any

from analyzer.report.markdown import escape
from analyzer.watch.views import ProjectView, packages, projects

MAX_ROWS = 200  # per Markdown section; the JSON diff keeps everything
MAX_TEXT = 2000  # characters per item


def _risks(old: ProjectView, new: ProjectView) -> list[str]:
    """Plain-language risk changes of one project present in both reports."""
    changes = []
    if new.archived() and not old.archived():
        changes.append("became archived")
    if new.deprecated() and not old.deprecated():
        changes.append("became deprecated or inactive")
    before, after = old.maintainers(), new.maintainers()
    if before is not None and after is not None and after < before:
        changes.append(f"lost maintainers ({before} → {after})")
    if new.vulnerabilities() and not old.vulnerabilities():
        changes.append(f"newly vulnerable ({new.vulnerabilities()} known)")
    return changes


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The changes from report ``old`` to report ``new``, as JSON-ready data."""
    before, after = projects(old), projects(new)
    old_packages, new_packages = packages(old), packages(new)
    moved: list[dict[str, Any]] = []
    risks: list[dict[str, str]] = []
    funding: list[dict[str, str]] = []
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        if was.rank is not None and now.rank is not None and was.rank != now.rank:
            moved.append({"project": now.name, "from": was.rank, "to": now.rank})
        risks += [{"project": now.name, "change": c} for c in _risks(was, now)]
        for payee in sorted(now.payees.keys() - was.payees.keys()):
            funding.append({"project": now.name, "platform": payee[0], "url": now.payees[payee]})
    moved.sort(key=lambda m: (-abs(m["from"] - m["to"]), m["to"], m["project"]))
    return {
        "from": {"generated_at": old.get("generated_at"), "roots": old.get("roots")},
        "to": {"generated_at": new.get("generated_at"), "roots": new.get("roots")},
        "packages": {"added": sorted(new_packages - old_packages),
                     "removed": sorted(old_packages - new_packages)},
        "projects": {"added": sorted(after[k].name for k in after.keys() - before.keys()),
                     "removed": sorted(before[k].name for k in before.keys() - after.keys())},
        "moved": moved,
        "risks": risks,
        "funding": funding,
    }  # fmt: skip


def _cell(text: object) -> str:
    """Markdown- and HTML-safe text, not cut short (the JSON diff has the same in full)."""
    return escape(str(text), limit=MAX_TEXT)


def _list(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    lines = [f"### {title} ({len(items)})", ""]
    lines += [f"- {_cell(item)}" for item in items[:MAX_ROWS]]
    if len(items) > MAX_ROWS:
        lines.append(f"- … and {len(items) - MAX_ROWS} more (see the JSON diff)")
    return [*lines, ""]


def render_markdown(changes: dict[str, Any]) -> str:
    """The diff for people: GitHub-flavored Markdown, bounded in size."""
    lines = ["## fundscout: what changed", ""]
    lines.append(f"From {_cell(changes['from']['generated_at'])} "
                 f"to {_cell(changes['to']['generated_at'])}.")  # fmt: skip
    lines.append("")
    lines += _list("Packages added", changes["packages"]["added"])
    lines += _list("Packages removed", changes["packages"]["removed"])
    lines += _list("Projects added", changes["projects"]["added"])
    lines += _list("Projects removed", changes["projects"]["removed"])
    lines += _list("Risk changes", [f"{r['project']}: {r['change']}" for r in changes["risks"]])
    lines += _list(
        "New funding channels",
        [f"{f['project']}: {f['platform']} {f['url']}" for f in changes["funding"]],
    )
    if changes["moved"]:
        lines += ["### Rank movements", "", "| Project | From | To |", "|---|---:|---:|"]
        for move in changes["moved"][:MAX_ROWS]:
            lines.append(f"| {_cell(move['project'])} | {move['from']} | {move['to']} |")
        lines.append("")
    if len(lines) <= 4:
        lines.append("No changes.")
    return "\n".join(lines).rstrip() + "\n"

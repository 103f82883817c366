"""A saved JSON report read back, and the risk facts of each project in it.

Diff and policy work on JSON reports rather than live results, so a baseline written by an
older run (or on another machine) compares with today's audit. Everything read from the file
is checked: a baseline is input like any other and may be corrupt or hand-edited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analyzer.errors import BaselineError

SCHEMAS = ("1", "2")
MAX_BASELINE = 200 * 1024 * 1024


def load_report(path: Path) -> dict[str, Any]:
    """A fundscout JSON report, or BaselineError naming the file and what is wrong."""
    try:
        if path.stat().st_size > MAX_BASELINE:
            raise BaselineError(f"{path}: larger than {MAX_BASELINE // 2**20} MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read: {exc}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BaselineError(f"{path}: not a JSON report: {exc}") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise BaselineError(f"{path}: not a fundscout JSON report")
    if str(data.get("schema_version")) not in SCHEMAS:
        raise BaselineError(f"{path}: unknown schema_version {data.get('schema_version')!r}; "
                            f"this fundscout reads {', '.join(SCHEMAS)}")  # fmt: skip
    if not isinstance(data.get("projects"), list):
        raise BaselineError(f"{path}: projects must be a list")
    return data


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _uses(value: Any) -> list[tuple[str, str | None, bool]]:
    """(repository, scope, direct) per use: schema 2 has records, schema 1 only names."""
    uses: list[tuple[str, str | None, bool]] = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, str):
            uses.append((item, None, False))
        elif isinstance(item, dict) and isinstance(item.get("repository"), str):
            scope = item.get("scope") if isinstance(item.get("scope"), str) else None
            uses.append((item["repository"], scope, item.get("direct") is True))
    return uses


@dataclass(frozen=True)
class ProjectView:
    """One project of a report, with only what diff and policy look at."""

    key: str
    name: str
    rank: int | None
    packages: tuple[str, ...]
    used_by: tuple[str, ...]
    runtime: bool
    direct: bool
    signals: dict[str, Any]
    payees: dict[tuple[str, str], str]  # (platform, account or URL) -> URL

    @classmethod
    def of(cls, entry: dict[str, Any]) -> ProjectView | None:
        name = entry.get("name")
        if not isinstance(name, str):
            return None
        key = entry.get("key") if isinstance(entry.get("key"), str) else name
        raw = entry.get("signals")
        raw = raw if isinstance(raw, dict) else {}
        signals = {k: v.get("value") for k, v in raw.items() if isinstance(v, dict)}
        payees: dict[tuple[str, str], str] = {}
        links = entry.get("funding")
        for link in links if isinstance(links, list) else ():
            if isinstance(link, dict) and isinstance(link.get("url"), str):
                who = link.get("account") or link["url"]
                payees[(str(link.get("platform")), str(who).lower())] = link["url"]
        scopes = entry.get("scopes")
        scopes = scopes if isinstance(scopes, dict) else {}
        uses = _uses(entry.get("used_by"))
        rank = entry.get("rank")
        direct_in = entry.get("direct_in")
        return cls(
            key=str(key),
            name=name,
            rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
            packages=_strings(entry.get("packages")),
            used_by=tuple(dict.fromkeys(repo for repo, _, _ in uses)),
            runtime=bool(scopes.get("runtime")) or any(scope == "runtime" for _, scope, _ in uses),
            direct=(isinstance(direct_in, int) and direct_in > 0) or any(d for _, _, d in uses),
            signals=signals,
            payees=payees,
        )

    # Risk facts; None means unknown, which no rule treats as a violation.
    def archived(self) -> bool:
        return self.signals.get("archived") is True

    def deprecated(self) -> bool:
        value = self.signals.get("deprecated")
        return bool(value) or self.signals.get("inactive") is True

    def maintainers(self) -> int | None:
        value = self.signals.get("maintainer_count")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def vulnerabilities(self) -> int:
        value = self.signals.get("vulnerability_count")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def last_release(self) -> date | None:
        value = self.signals.get("last_release")
        try:
            return date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            return None


def projects(report: dict[str, Any]) -> dict[str, ProjectView]:
    """The report's ranked projects by key (own, excluded projects are not in the list)."""
    entries = report.get("projects")
    entries = entries if isinstance(entries, list) else []
    views = (ProjectView.of(e) for e in entries if isinstance(e, dict))
    return {view.key: view for view in views if view is not None}


def packages(report: dict[str, Any]) -> set[str]:
    """Every package the report mentions, ranked or excluded."""
    found: set[str] = set()
    for group in ("projects", "excluded"):
        entries = report.get(group)
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict):
                found.update(_strings(entry.get("packages")))
    return found


def report_date(report: dict[str, Any]) -> date:
    """The day the report was generated: "now" for age rules, so reruns agree."""
    value = report.get("generated_at")
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return date.today()

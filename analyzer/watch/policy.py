"""``--fail-on`` rules: which dependency risks fail a CI step.

A rule is a name, an optional argument and optional qualifiers, written
``[QUALIFIER:]...RULE[:ARG]`` and separated by commas::

    archived, deprecated, single-maintainer, no-release-in:24m, vulnerable
    new:vulnerable               only projects that were not in the baseline
    runtime:direct:archived      only projects some repository uses directly at runtime

Unknown risk facts (a signal nobody could provide) never violate a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from analyzer.errors import PolicyError
from analyzer.watch.views import ProjectView, projects, report_date

QUALIFIERS = ("new", "runtime", "direct")
_AGE = re.compile(r"^(\d{1,4})([dmy])$")
_DAYS = {"d": 1, "m": 30.44, "y": 365.25}


def _age(arg: str | None, text: str) -> timedelta:
    match = _AGE.match(arg or "")
    if not match:
        raise PolicyError(f"{text}: expected an age such as 24m, 2y or 90d")
    return timedelta(days=round(int(match.group(1)) * _DAYS[match.group(2)]))


Check = Callable[[ProjectView, date, "Rule"], str | None]


def _archived(view: ProjectView, today: date, rule: Rule) -> str | None:
    return "archived" if view.archived() else None


def _deprecated(view: ProjectView, today: date, rule: Rule) -> str | None:
    return "deprecated or marked inactive" if view.deprecated() else None


def _single(view: ProjectView, today: date, rule: Rule) -> str | None:
    count = view.maintainers()
    return f"{count} maintainer" if count is not None and count <= 1 else None


def _stale(view: ProjectView, today: date, rule: Rule) -> str | None:
    last = view.last_release()
    if last is None or rule.age is None or today - last <= rule.age:
        return None
    return f"last release {last.isoformat()}"


def _vulnerable(view: ProjectView, today: date, rule: Rule) -> str | None:
    count = view.vulnerabilities()
    return f"{count} known vulnerabilities in the versions used" if count else None


CHECKS: dict[str, Check] = {
    "archived": _archived,
    "deprecated": _deprecated,
    "single-maintainer": _single,
    "no-release-in": _stale,
    "vulnerable": _vulnerable,
}


@dataclass(frozen=True)
class Rule:
    """One parsed rule, e.g. ``new:runtime:no-release-in:24m``."""

    text: str
    name: str
    qualifiers: frozenset[str]
    age: timedelta | None = None

    @classmethod
    def parse(cls, text: str) -> Rule:
        parts = [p.strip().lower() for p in text.strip().split(":")]
        qualifiers = set()
        while parts and parts[0] in QUALIFIERS:
            qualifiers.add(parts.pop(0))
        if not parts or parts[0] not in CHECKS:
            got = parts[0] if parts else "(nothing)"
            raise PolicyError(
                f"--fail-on {text!r}: unknown rule {got!r}; rules: {', '.join(CHECKS)}; "
                f"qualifiers: {', '.join(QUALIFIERS)}"
            )
        name, arg = parts[0], ":".join(parts[1:]) or None
        if name == "no-release-in":
            return cls(text.strip(), name, frozenset(qualifiers), _age(arg, f"--fail-on {text!r}"))
        if arg is not None:
            raise PolicyError(f"--fail-on {text!r}: {name} takes no argument")
        return cls(text.strip(), name, frozenset(qualifiers))


def parse_rules(values: Iterable[str]) -> tuple[Rule, ...]:
    """Rules from one or more comma-separated option values; duplicates dropped."""
    texts = [t for value in values for t in value.split(",") if t.strip()]
    return tuple(dict.fromkeys(Rule.parse(t) for t in texts))


@dataclass(frozen=True)
class Violation:
    rule: str
    project: str
    detail: str
    used_by: tuple[str, ...]

    def __str__(self) -> str:
        where = f"; used by {', '.join(self.used_by[:5])}" if self.used_by else ""
        more = f" and {len(self.used_by) - 5} more" if len(self.used_by) > 5 else ""
        return f"{self.rule}: {self.project}: {self.detail}{where}{more}"

    def to_record(self) -> dict[str, Any]:
        return {"rule": self.rule, "project": self.project, "detail": self.detail,
                "used_by": list(self.used_by)}  # fmt: skip


def require_baseline(rules: Iterable[Rule], given: bool) -> None:
    """PolicyError when a ``new:`` rule has no baseline to tell what is new."""
    if not given and any("new" in rule.qualifiers for rule in rules):
        raise PolicyError("--fail-on rules with new: need --baseline OLD.json")


def evaluate(
    rules: Iterable[Rule], report: dict[str, Any], baseline: dict[str, Any] | None = None
) -> list[Violation]:
    """Every (rule, project) that breaks; ``new`` rules need a baseline."""
    rules = tuple(rules)
    require_baseline(rules, baseline is not None)
    known = set(projects(baseline)) if baseline is not None else set()
    today = report_date(report)
    found = []
    for view in projects(report).values():
        for rule in rules:
            if "new" in rule.qualifiers and view.key in known:
                continue
            if ("runtime" in rule.qualifiers and not view.runtime) or (
                "direct" in rule.qualifiers and not view.direct
            ):
                continue
            if detail := CHECKS[rule.name](view, today, rule):
                found.append(Violation(rule.text, view.name, detail, view.used_by))
    return sorted(found, key=lambda v: (v.rule, v.project))

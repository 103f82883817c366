"""The report as the HTML and CSV renderers see it: plain, bounded, already-checked values.

``analyzer.report.reader`` builds it from the JSON document, so every format shows the same
facts; unknown values are None or empty, never zero. What only detail views show (a factor's
inputs, how a repository uses a project) is read from the document, with the same checks,
when it is asked for (``analyzer.report.details``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from analyzer.report.details import (
    SignalRow,
    critical_flag,
    factor_inputs,
    signal_rows,
    usage_how,
    usage_runtime,
)

CRITICAL_THRESHOLD = 0.5  # criticality factor (0-1) from which a project counts as critical


@dataclass(frozen=True)
class Factor:
    """One factor of the priority: its value (None when unknown) and what it was made of.

    ``source`` is the document's ``inputs`` of the factor, read when ``inputs`` is asked:
    only detail views show them. Equal factors may differ in their inputs."""

    name: str
    value: float | None
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def inputs(self) -> tuple[tuple[str, str], ...]:
        """(name, shown value) of each input."""
        return factor_inputs(self.source)


@dataclass(frozen=True)
class Link:
    """A funding channel; ``href`` is the URL only when it is a plain http(s) URL."""

    platform: str
    account: str | None
    url: str
    source: str
    href: str | None


@dataclass(frozen=True)
class Usage:
    """One repository that uses the project, and how (scopes, direct, where declared).

    ``source`` is the document's record of the use, read when ``how`` or ``runtime`` is
    asked: the CSV and the tables need the repository alone."""

    repo: str
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def how(self) -> str:
        return usage_how(self.source)

    @property
    def runtime(self) -> bool | None:
        """None when the document does not say."""
        return usage_runtime(self.source)


@dataclass(frozen=True)
class Grant:
    """Money the allocation gives a project (by key or name) and to whom."""

    project: str
    amount: float | None
    payee: str


@dataclass(frozen=True)
class ProjectView:
    """Everything a reader sees about one ranked project."""

    rank: int
    key: str
    name: str
    repository: str | None
    repository_href: str | None
    ecosystems: tuple[str, ...]
    packages: tuple[str, ...]
    priority: float | None
    confidence: float | None
    factors: tuple[Factor, ...]
    reasons: tuple[str, ...]
    missing: tuple[str, ...]
    status: str  # eligible | flagged | excluded | unknown
    flags: tuple[str, ...]
    eligibility_reasons: tuple[str, ...]
    funding: tuple[Link, ...]
    maintainers: tuple[str, ...]
    users: tuple[str, ...]  # the repositories that use it
    scopes: tuple[tuple[str, int], ...]  # scope -> repositories using it so
    signal_records: Any  # the document's signals, read into rows when shown
    uses: tuple[Any, ...] = field(compare=False, repr=False)  # the document's record per user
    grant: Grant | None = None

    def factor(self, name: str) -> float | None:
        return next((f.value for f in self.factors if f.name == name), None)

    @property
    def used_by(self) -> tuple[Usage, ...]:
        """Each user with how it uses the project, made when asked: only the first projects'
        details and the graph view show them, while every project lists its users."""
        return tuple(map(Usage, self.users, self.uses))

    @cached_property
    def signals(self) -> tuple[SignalRow, ...]:
        """The signals as shown, read when first asked: only detailed projects show them."""
        return signal_rows(self.signal_records)

    @property
    def critical(self) -> bool | None:
        """True or False when a ``critical`` signal or the criticality factor says so."""
        flag = critical_flag(self.signal_records)
        if flag in ("true", "false"):
            return flag == "true"
        value = self.factor("criticality")
        return None if value is None else value >= CRITICAL_THRESHOLD


@dataclass(frozen=True)
class Allocation:
    """A budget split across projects; absent when no budget was given."""

    budget: float | None
    currency: str
    strategy: str
    grants: tuple[Grant, ...]


@dataclass(frozen=True)
class ReportView:
    """The document as the renderers use it."""

    schema_version: str
    tool_version: str
    generated_at: str
    roots: tuple[str, ...]
    summary: dict[str, int]
    projects: tuple[ProjectView, ...]
    excluded: tuple[tuple[str, str], ...]  # (name, reason)
    allocation: Allocation | None
    sources: tuple[tuple[str, str, str], ...]  # (name, state, reason)
    problems: tuple[str, ...]
    ecosystems: tuple[str, ...] = field(default=())


class Document(dict[str, Any]):
    """The JSON report document as ``json_report.to_data`` builds it.

    The HTML and CSV formats both read it into a ``ReportView`` (``reader.read``); the
    reading is kept here, so a document rendered in both formats is read once. A document is
    not to be changed once it has been read.
    """

    view: ReportView | None = None

"""The report as the HTML and CSV renderers see it: plain, bounded, already-checked values.

``analyzer.report.reader`` builds it from the JSON document, so every format shows the same
facts; unknown values are None or empty, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CRITICAL_THRESHOLD = 0.5  # criticality factor (0-1) from which a project counts as critical


@dataclass(frozen=True)
class Factor:
    """One factor of the priority: its value (None when unknown) and what it was made of."""

    name: str
    value: float | None
    inputs: tuple[tuple[str, str], ...] = ()


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
    """One repository that uses the project, and how (scopes, direct, where declared)."""

    repo: str
    how: str
    runtime: bool | None = None  # None: the document does not say


@dataclass(frozen=True)
class SignalRow:
    """One signal as shown: its value on one line, who said it and when."""

    name: str
    value: str
    source: str
    fetched_at: str


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
    used_by: tuple[Usage, ...]
    scopes: tuple[tuple[str, int], ...]  # scope -> repositories using it so
    signals: tuple[SignalRow, ...]
    grant: Grant | None = None

    def factor(self, name: str) -> float | None:
        return next((f.value for f in self.factors if f.name == name), None)

    @property
    def critical(self) -> bool | None:
        """True or False when a ``critical`` signal or the criticality factor says so."""
        flag = next((s.value for s in self.signals if s.name == "critical"), None)
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

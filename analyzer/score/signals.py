"""What enrichment knows about one project, read defensively from its packages and repository.

Signals arrive from public APIs in any shape, so every reader checks the type and range and
treats anything else as unknown. A project's keys are its repository URLs first, then its
package purls: a number is the largest value any key reports (so a missing value can only
lower it), a date the most recent one, a flag true when any key says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from analyzer.model import Project

if TYPE_CHECKING:
    from analyzer.enrich.interface import FundingLink, Signal
    from analyzer.enrich.runner import Enrichment

MAX_NUMBER = 10**13


@dataclass(frozen=True)
class Observation:
    """A signal value the model used, with the provider that said it and about which key."""

    value: Any
    source: str
    key: str


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value <= MAX_NUMBER else None


def as_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (0 when ``earlier`` is later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


class Evidence:
    """The signals of one project, with the typed accessors the factors use."""

    def __init__(self, enrichment: Enrichment | None, project: Project) -> None:
        self.enrichment = enrichment
        repositories = [project.repository] if project.repository else []
        if enrichment is not None:
            repositories += [
                enrichment.repository[p] for p in project.packages if p in enrichment.repository
            ]
        self.keys: tuple[str, ...] = tuple(dict.fromkeys([*repositories, *project.packages]))
        self._by_name: dict[str, list[tuple[Signal, str]]] | None = None

    @property
    def looked_up(self) -> bool:
        return self.enrichment is not None

    @property
    def silent(self) -> bool:
        """No signal about any of the project's keys: every reader returns None."""
        signals = self.enrichment.signals if self.enrichment is not None else {}
        return not any(signals.get(key) for key in self.keys)

    def _all(self, name: str) -> Iterable[tuple[Signal, str]]:
        """Every signal called ``name``, in key order, then in each key's order."""
        if self._by_name is None:  # one pass over the project's signals for every name asked
            self._by_name = {}
            signals = self.enrichment.signals if self.enrichment is not None else {}
            for key in self.keys:
                for signal in signals.get(key, ()):
                    self._by_name.setdefault(signal.name, []).append((signal, key))
        return self._by_name.get(name, ())

    def number(self, name: str) -> Observation | None:
        """The largest valid count any key reports."""
        best: Observation | None = None
        for signal, key in self._all(name):
            value = as_number(signal.value)
            if value is not None and (best is None or value > best.value):
                best = Observation(value, signal.source, key)
        return best

    def share(self, name: str) -> Observation | None:
        """A fraction in [0, 1]; the largest one (the most concentrated) wins."""
        found = self.number(name)
        return found if found is not None and found.value <= 1 else None

    def latest(self, name: str) -> Observation | None:
        """The most recent valid date any key reports."""
        best: Observation | None = None
        for signal, key in self._all(name):
            when = as_date(signal.value)
            if when is not None and (best is None or when > best.value):
                best = Observation(when, signal.source, key)
        return best

    def flag(self, name: str) -> Observation | None:
        """True when any key says so (a deprecation message counts); None when nobody said."""
        found: Observation | None = None
        for signal, key in self._all(name):
            value = signal.value
            truthy = value is True or (isinstance(value, str) and bool(value.strip()))
            if truthy:
                return Observation(value, signal.source, key)
            if value is False and found is None:
                found = Observation(False, signal.source, key)
        return found

    def text(self, name: str, limit: int = 200) -> Observation | None:
        for signal, key in self._all(name):
            if isinstance(signal.value, str) and 0 < len(signal.value) <= limit:
                return Observation(signal.value, signal.source, key)
        return None

    def funding(self) -> list[FundingLink]:
        """Every way to pay, deduplicated by payee, in key order."""
        if self.enrichment is None:
            return []
        links: dict[tuple[str, str], FundingLink] = {}
        for key in self.keys:
            for link in self.enrichment.funding.get(key, ()):
                links.setdefault(link.payee, link)
        return list(links.values())

    def maintainers(self, limit: int = 100) -> list[str]:
        names: set[str] = set()
        for signal, _ in self._all("maintainers"):
            if isinstance(signal.value, list):
                names.update(v for v in signal.value[:limit] if isinstance(v, str) and v.strip())
        return sorted(names, key=str.lower)[:limit]

    def signals(self) -> dict[str, Signal]:
        """Every signal by name, the first key (repository, then packages) winning."""
        found: dict[str, Signal] = {}
        if self.enrichment is not None:
            for key in self.keys:
                for signal in self.enrichment.signals.get(key, ()):
                    found.setdefault(signal.name, signal)
        return dict(sorted(found.items()))

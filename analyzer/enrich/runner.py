"""Runs the providers: packages first, then the source repositories they point to."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from analyzer.enrich.client import Client
from analyzer.enrich.interface import (
    Finding,
    FundingLink,
    Kind,
    Provider,
    ProviderError,
    Signal,
    SourceStatus,
    SourceUnavailableError,
    Subject,
)
from analyzer.enrich.repourl import repo_slug

Progress = Callable[[int, int], None]


@dataclass
class Enrichment:
    """Everything learned, keyed by purl (packages) or repository URL (repositories)."""

    signals: dict[str, list[Signal]] = field(default_factory=dict)
    funding: dict[str, list[FundingLink]] = field(default_factory=dict)
    repository: dict[str, str] = field(default_factory=dict)  # purl -> repository URL
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    _repository_rank: dict[str, int] = field(default_factory=dict, repr=False)

    def get(self, key: str, name: str) -> Signal | None:
        """The first provider's value for a signal (providers run in priority order)."""
        for signal in self.signals.get(key, ()):
            if signal.name == name:
                return signal
        return None

    def value(self, key: str, name: str, default: Any = None) -> Any:
        signal = self.get(key, name)
        return default if signal is None else signal.value

    def add(self, finding: Finding, rank: int = 0) -> None:
        """Merge one finding; ``rank`` is its provider's priority (lower wins)."""
        if finding.signals:
            self.signals.setdefault(finding.key, []).extend(finding.signals)
        if finding.funding:
            known = self.funding.setdefault(finding.key, [])
            payees = {link.payee for link in known}
            known.extend(link for link in finding.funding if link.payee not in payees)
        if finding.repository:
            known_rank = self._repository_rank.get(finding.key)
            if known_rank is None or rank < known_rank:
                self.repository[finding.key] = finding.repository
                self._repository_rank[finding.key] = rank


class Runner:
    """Runs each provider in its own thread; a failing provider never stops the others."""

    def __init__(self, providers: Sequence[Provider], client: Client) -> None:
        self.providers = list(providers)
        self.client = client
        self.result = Enrichment()
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self.progress: Progress | None = None
        self._rank = {provider.name: index for index, provider in enumerate(self.providers)}

    def run(self, subjects: Sequence[Subject], progress: Progress | None = None) -> Enrichment:
        self.progress = progress
        self._stage([p for p in self.providers if p.kind is Kind.PACKAGE], subjects)
        urls = sorted(set(self.result.repository.values()))
        repositories = [Subject(url, "repository", repo_slug(url) or url) for url in urls]
        self._stage([p for p in self.providers if p.kind is Kind.REPOSITORY], repositories)
        self.result.sources = dict(sorted(self.client.statuses.items()))
        # Providers answer in parallel; restore priority order so the same signal from two
        # providers always resolves to the earlier one, whatever finished first.
        for signals in self.result.signals.values():
            signals.sort(key=lambda signal: self._rank.get(signal.source, len(self._rank)))
        return self.result

    def _stage(self, providers: list[Provider], subjects: Sequence[Subject]) -> None:
        plans = [(p, [s for s in subjects if p.supports(s.ecosystem)]) for p in providers]
        with self._lock:
            self._total += sum(len(items) for _, items in plans)
        if not plans:
            return
        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            list(pool.map(lambda plan: self._one(*plan), plans))

    def _one(self, provider: Provider, items: list[Subject]) -> None:
        status = self.client.status(provider.name)
        if not items:
            status.state = "skipped"
            status.reason = "nothing to look up"
            return
        answered = 0
        try:
            for finding in provider.fetch(items, self.client):
                answered += 1
                with self._lock:
                    self.result.add(finding, self._rank[provider.name])
                    self._tick(1)
        except SourceUnavailableError as exc:
            status.state, status.reason = "unavailable", str(exc)
        except ProviderError as exc:
            status.state, status.reason = "partial", str(exc)
        status.unknown = len(items) - answered
        if status.state == "ok" and status.notes:
            status.state, status.reason = "partial", status.notes[0]
        with self._lock:
            self._tick(len(items) - answered)

    def _tick(self, count: int) -> None:
        self._done += count
        if self.progress and count:
            self.progress(self._done, self._total)

"""Runs the providers: packages, and the source repositories they point to as they are found.

Package providers start together. A repository provider that streams (has ``fetch_stream``,
see :class:`Streaming`) starts with them and is handed each source repository as soon as it is
settled which repository a package belongs to: when the provider that named it outranks every
package provider still running that supports the package. Any other repository provider gets
all repositories, sorted, once the package providers are done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from analyzer.enrich.concurrency import Feed
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

if TYPE_CHECKING:  # the HTTP stack: only what makes lookups loads it
    from analyzer.enrich.client import Client

Progress = Callable[[int, int], None]


@dataclass
class Enrichment:
    """Everything learned, keyed by purl (packages) or repository URL (repositories)."""

    signals: dict[str, list[Signal]] = field(default_factory=dict)
    funding: dict[str, list[FundingLink]] = field(default_factory=dict)
    repository: dict[str, str] = field(default_factory=dict)  # purl -> repository URL
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    _repository_rank: dict[str, int] = field(default_factory=dict, repr=False)
    _payee_rank: dict[tuple[str, tuple[str, str]], int] = field(default_factory=dict, repr=False)

    def get(self, key: str, name: str) -> Signal | None:
        """The first provider's value for a signal (providers run in priority order)."""
        for signal in self.signals.get(key, ()):
            if signal.name == name:
                return signal
        return None

    def value(self, key: str, name: str, default: Any = None) -> Any:
        signal = self.get(key, name)
        return default if signal is None else signal.value

    def rank_of(self, key: str) -> int | None:
        """The priority of the provider whose repository ``key`` has now, if any."""
        return self._repository_rank.get(key)

    def add(self, finding: Finding, rank: int = 0) -> None:
        """Merge one finding; ``rank`` is its provider's priority (lower wins)."""
        if finding.signals:
            self.signals.setdefault(finding.key, []).extend(finding.signals)
        if finding.funding:  # one link per payee: the best-ranked provider's, whenever it came
            known = self.funding.setdefault(finding.key, [])
            for link in finding.funding:
                held = self._payee_rank.get((finding.key, link.payee))
                if held is None or rank < held:
                    known[:] = [k for k in known if k.payee != link.payee] + [link]
                    self._payee_rank[(finding.key, link.payee)] = rank
        if finding.repository:
            known_rank = self._repository_rank.get(finding.key)
            if known_rank is None or rank < known_rank:
                self.repository[finding.key] = finding.repository
                self._repository_rank[finding.key] = rank


@runtime_checkable
class Streaming(Protocol):
    """A repository provider that takes its subjects while they are still being found."""

    def fetch_stream(self, items: Iterable[Subject], client: Client) -> Iterator[Finding]: ...


@contextmanager
def fewer_collections(threshold: int = 50_000) -> Iterator[None]:
    """Decoded API documents are large trees of dicts and lists that reference counting frees
    as soon as a provider has read them; the cyclic collector would walk them, and everything
    alive before the run, over and over (a third of a warm run's CPU). Meanwhile it runs less
    often, and what was alive before (the graph, say) is frozen out of its reach."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], threshold), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


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
        self._feeds: dict[str, Feed[Subject]] = {}
        self._finished: set[int] = set()  # ranks of the package providers done
        self._unsettled: set[str] = set()  # packages whose repository may still change
        self._sent: set[str] = set()  # repositories handed to the streaming providers
        self._ecosystem: dict[str, str] = {}

    def run(self, subjects: Sequence[Subject], progress: Progress | None = None) -> Enrichment:
        self.progress = progress
        packages = [p for p in self.providers if p.kind is Kind.PACKAGE]
        later = [p for p in self.providers if p.kind is Kind.REPOSITORY]
        streaming = [p for p in later if isinstance(p, Streaming)]
        self._feeds = {p.name: Feed() for p in streaming if p.supports("repository")}
        self._ecosystem = {s.key: s.ecosystem for s in subjects}
        plans = [(p, [s for s in subjects if p.supports(s.ecosystem)]) for p in packages]
        with self._lock:
            self._total += sum(len(items) for _, items in plans)
        with fewer_collections(), ThreadPoolExecutor(len(plans) + len(streaming) or 1) as pool:
            streams = [(p, pool.submit(self._one, p, self._feeds.get(p.name, [])))
                       for p in streaming]  # fmt: skip
            list(pool.map(lambda plan: self._package(*plan), plans))
            for feed in self._feeds.values():
                feed.close()
            urls = sorted(set(self.result.repository.values()))
            repositories = [Subject(url, "repository", repo_slug(url) or url) for url in urls]
            self._stage([p for p in later if p not in streaming], repositories)
            for provider, answered in streams:
                self._account(provider, len(self._feeds.get(provider.name, [])), answered.result())
        self.result.sources = dict(sorted(self.client.statuses.items()))
        # Providers answer in parallel; restore priority order so the same signal (or payee)
        # from two providers always resolves to the earlier one, whatever finished first.
        for signals in self.result.signals.values():
            signals.sort(key=lambda signal: self._rank.get(signal.source, len(self._rank)))
        for links in self.result.funding.values():
            links.sort(key=lambda link: self._rank.get(link.source, len(self._rank)))
        return self.result

    def _stage(self, providers: list[Provider], subjects: Sequence[Subject]) -> None:
        plans = [(p, [s for s in subjects if p.supports(s.ecosystem)]) for p in providers]
        with self._lock:
            self._total += sum(len(items) for _, items in plans)
        if plans:
            with ThreadPoolExecutor(max_workers=len(plans)) as pool:
                list(pool.map(lambda plan: self._account(plan[0], len(plan[1]),
                                                         self._one(*plan)), plans))  # fmt: skip

    def _package(self, provider: Provider, items: list[Subject]) -> None:
        """A package provider, then the repositories its end settles."""
        self._account(provider, len(items), self._one(provider, items))
        with self._lock:
            self._finished.add(self._rank[provider.name])
            for key in list(self._unsettled):
                self._settle(key)

    def _settle(self, key: str) -> None:
        """Hand the package's repository on once no running provider could replace it."""
        rank = self.result.rank_of(key)
        if rank is None:
            return
        ecosystem = self._ecosystem.get(key, "")
        better = [p for p in self.providers[:rank] if p.kind is Kind.PACKAGE]
        if any(self._rank[p.name] not in self._finished and p.supports(ecosystem) for p in better):
            self._unsettled.add(key)
            return
        self._unsettled.discard(key)
        url = self.result.repository[key]
        if url not in self._sent:
            self._sent.add(url)
            subject = Subject(url, "repository", repo_slug(url) or url)
            for feed in self._feeds.values():
                feed.put(subject)
                self._total += 1

    def _one(self, provider: Provider, items: list[Subject] | Feed[Subject]) -> int:
        """Run one provider; how many of its items it answered."""
        status = self.client.status(provider.name)
        if isinstance(items, list) and not items:
            return 0
        answered = 0
        try:
            if isinstance(items, Feed) and isinstance(provider, Streaming):
                findings = provider.fetch_stream(items, self.client)
            else:
                findings = provider.fetch(list(items), self.client)
            for finding in findings:
                answered += 1
                with self._lock:
                    self.result.add(finding, self._rank[provider.name])
                    if finding.repository and provider.kind is Kind.PACKAGE:
                        self._settle(finding.key)
                    self._tick(1)
        except SourceUnavailableError as exc:
            status.state, status.reason = "unavailable", str(exc)
        except ProviderError as exc:
            status.state, status.reason = "partial", str(exc)
        return answered

    def _account(self, provider: Provider, asked: int, answered: int) -> None:
        """The provider's status once all its items are known."""
        status = self.client.status(provider.name)
        if not asked:
            status.state, status.reason = "skipped", "nothing to look up"
            return
        status.unknown = asked - answered
        if status.state == "ok" and status.notes:
            status.state, status.reason = "partial", status.notes[0]
        with self._lock:
            self._tick(asked - answered)

    def _tick(self, count: int) -> None:
        self._done += count
        if self.progress and count:
            self.progress(self._done, self._total)

"""Remembering a whole enrichment run, so that rerunning the same audit costs next to nothing.

A warm rerun answers every call from the cache, but still decodes and reads tens of thousands
of cached documents (about a quarter of a millisecond each). When nothing the run depends on
has changed, its result cannot change either: the same packages and versions, the same
providers with the same settings (endpoints, whether a GitHub token is set), the same day
(GitHub counts commits of the last 365 days), and the same answers, which holds while every
answer the run used is still fresh in the cache. So a run whose every answer the cache kept is
stored whole, in the answer store, until the earliest of those answers expires; a run that met
an error, a rate limit or a miss is never stored. Offline, a stored run is used whenever it is
there, as offline answers are.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from analyzer import __version__
from analyzer.enrich.interface import FundingLink, Provider, Signal, SourceStatus, Subject
from analyzer.gc_pause import paused_gc

if TYPE_CHECKING:
    from analyzer.enrich.client import Client
    from analyzer.enrich.runner import Enrichment

FORMAT = 1


class Kept:
    """What a run's answers allow: the earliest expiry among them, and whether the cache kept
    every one. Thread-safe; the client reports each answer here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expires = math.inf
        self._complete = True

    def kept(self, expires: float | None) -> None:
        """An answer the cache keeps until ``expires`` (epoch seconds; None: no expiry)."""
        if expires is not None:
            with self._lock:
                self._expires = min(self._expires, expires)

    def lost(self) -> None:
        """An answer the cache does not keep as it is: the run must not be remembered."""
        with self._lock:
            self._complete = False

    def until(self) -> float | None:
        """The earliest expiry (``math.inf``: none), or None when some answer was not kept."""
        with self._lock:
            return self._expires if self._complete else None


def run_key(subjects: Sequence[Subject], providers: Sequence[Provider], client: Client) -> bytes:
    """Everything a run's result depends on besides the answers themselves."""
    today = datetime.now(UTC).date().isoformat()
    parts: list[Any] = [FORMAT, __version__, today, sorted(vars(client.endpoints).items())]
    parts.append([[type(p).__qualname__, p.name, p.fingerprint()] for p in providers])
    parts.append(sorted([s.key, s.ecosystem, s.name, list(s.versions)] for s in subjects))
    return hashlib.sha256(orjson.dumps(parts)).digest()


def dump(result: Enrichment) -> bytes:
    signals = {k: [[s.name, s.value, s.source, s.fetched_at] for s in v]
               for k, v in result.signals.items()}  # fmt: skip
    funding = {k: [[f.platform, f.account, f.url, f.source] for f in v]
               for k, v in result.funding.items()}  # fmt: skip
    sources = {n: [s.state, s.reason, s.requests, s.unknown, s.notes]
               for n, s in result.sources.items()}  # fmt: skip
    return orjson.dumps({"signals": signals, "funding": funding, "sources": sources,
                         "repository": result.repository,
                         "rank": result._repository_rank})  # fmt: skip


def load(body: bytes) -> Enrichment | None:
    """The stored run; every call counted as answered by the cache, as on a warm rerun.
    None when the record is not one this version wrote."""
    try:
        with paused_gc(lasting=True):  # a million new objects, none of them in a cycle
            return _read(orjson.loads(body))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _read(data: Any) -> Enrichment:
    from analyzer.enrich.runner import Enrichment

    result = Enrichment(
        signals={k: [Signal(*s) for s in v] for k, v in data["signals"].items()},
        funding={k: [FundingLink(*f) for f in v] for k, v in data["funding"].items()},
        repository={str(k): str(v) for k, v in data["repository"].items()},
    )
    result._repository_rank.update({str(k): int(v) for k, v in data["rank"].items()})
    for name, (state, reason, asked, unknown, notes) in data["sources"].items():
        status = SourceStatus(name, str(state), reason, int(asked), int(asked), int(unknown))
        status.notes.extend(str(n) for n in notes)
        result.sources[name] = status
    return result


def recall(client: Client, key: bytes) -> Enrichment | None:
    """The remembered run for ``key``, if the client's cache holds a usable one."""
    if client.answers is None or not client.settings.use_cache:
        return None
    body = client.answers.get_run(key, client.settings.offline)
    return load(body) if body is not None else None


def remember(client: Client, key: bytes, result: Enrichment) -> None:
    """Store the run when every answer it used is kept, until the earliest one expires."""
    until = client.kept.until()
    if client.answers is None or until is None or not client.settings.use_cache:
        return
    if not any(s.requests for s in result.sources.values()):
        return  # nothing was asked: nothing to save
    try:
        with paused_gc():  # a list per signal, freed right after
            body = dump(result)
    except (orjson.JSONEncodeError, TypeError):  # a value orjson cannot write (a huge integer)
        return
    client.answers.put_run(key, None if until == math.inf else until, body)

"""What every enrichment provider implements, and the records they produce.

A provider turns packages (or source repositories) into signals. Each signal carries its
value, the provider that said it and when; a signal nobody could provide is simply absent
(unknown), never zero. A provider that cannot answer at all reports that once, as its
status, instead of failing per package.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from analyzer.errors import FundscoutError

if TYPE_CHECKING:
    from analyzer.enrich.client import Client


class Kind(StrEnum):
    """What a provider looks up: packages (by purl) or source repositories (by URL)."""

    PACKAGE = "package"
    REPOSITORY = "repository"


@dataclass(frozen=True)
class Subject:
    """Something to enrich: a package (key = purl) or a repository (key = its URL)."""

    key: str
    ecosystem: str  # purl type for packages; "repository" for repositories
    name: str  # as the registry spells it: "@babel/core", "org.slf4j:slf4j-api", "owner/repo"
    versions: tuple[str, ...] = ()  # versions the organization uses, when known


@dataclass(frozen=True)
class Signal:
    """One fact about a package or repository, with where and when it came from."""

    name: str
    value: Any  # JSON-serializable
    source: str
    fetched_at: str

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "source": self.source,
                "fetched_at": self.fetched_at}  # fmt: skip


@dataclass(frozen=True)
class FundingLink:
    """A way to pay a project's maintainers; ``account`` identifies the payee."""

    platform: str  # github, open_collective, liberapay, ko_fi, patreon, tidelift, polar, ...
    account: str | None
    url: str
    source: str

    @property
    def payee(self) -> tuple[str, str]:
        return (self.platform, (self.account or self.url).lower())

    def to_record(self) -> dict[str, Any]:
        return {"platform": self.platform, "account": self.account, "url": self.url,
                "source": self.source}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """What a provider learned about one key (a purl or a repository URL)."""

    key: str
    signals: tuple[Signal, ...] = ()
    funding: tuple[FundingLink, ...] = ()
    repository: str | None = None  # normalized source repository URL, when found


class ProviderError(FundscoutError):
    """A provider could not answer; the message says why, without credentials."""


class BadResponseError(ProviderError):
    """One answer was unusable (not JSON, an HTML page, an unexpected status): that key stays
    unknown and the provider goes on."""


class SourceUnavailableError(ProviderError):
    """The whole source is unreachable or refuses us (rate limit beyond --max-wait, 401)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status that decided it, when there was one


@dataclass
class SourceStatus:
    """How one provider fared during a run, reported once rather than per package."""

    name: str
    state: str = "ok"  # ok | partial | unavailable | skipped
    reason: str | None = None
    requests: int = 0
    from_cache: int = 0
    unknown: int = 0  # keys it could not answer
    notes: list[str] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state, "reason": self.reason,
                "requests": self.requests, "from_cache": self.from_cache,
                "unknown": self.unknown}  # fmt: skip


class Provider(ABC):
    """A public API that knows something about packages or repositories."""

    name: ClassVar[str]
    kind: ClassVar[Kind] = Kind.PACKAGE
    needs_network: ClassVar[bool] = True

    @abstractmethod
    def supports(self, ecosystem: str) -> bool:
        """True when this provider can say anything about packages of ``ecosystem``."""

    @abstractmethod
    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        """Yield findings for the items it can answer; raise SourceUnavailableError to stop."""

    def fingerprint(self) -> str:
        """The settings its findings depend on besides the answers (a remembered run is used
        only while they are the same): by default, its attributes."""
        return repr(sorted(vars(self).items()))

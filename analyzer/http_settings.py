"""How fundscout talks to the network, apart from the HTTP stack that does it
(:mod:`analyzer.http`): what needs only the settings (the cache folder) or the stop on Ctrl-C
does not load requests and requests-cache."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_cache_dir

if TYPE_CHECKING:
    from analyzer.config import Config

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_DEADLINE = 120.0


@dataclass(frozen=True)
class HttpSettings:
    """How fundscout talks to the network; every field has a documented default."""

    cache_dir: Path | None = None  # None: FUNDSCOUT_CACHE_DIR, else the user cache dir
    cache_url: str | None = None  # a shared Redis cache; None: FUNDSCOUT_CACHE_URL, else SQLite
    offline: bool = False  # answer from the cache only
    use_cache: bool = True
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 60.0  # longest Retry-After or rate-limit reset fundscout waits for
    max_bytes: int = DEFAULT_MAX_BYTES
    per_host: int = 8  # concurrent requests to one host
    deadline: float = DEFAULT_DEADLINE  # longest a body may take once the headers are in

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        env = os.environ.get("FUNDSCOUT_CACHE_DIR")
        return Path(env) if env else Path(user_cache_dir("fundscout", appauthor=False))

    def resolved_cache_url(self) -> str | None:
        return self.cache_url or os.environ.get("FUNDSCOUT_CACHE_URL", "").strip() or None

    @classmethod
    def for_config(cls, config: Config) -> HttpSettings:
        """The audit's cache, offline mode and rate-limit patience."""
        return cls(
            cache_dir=Path(config.cache_dir) if config.cache_dir else None,
            cache_url=config.cache_url,
            offline=config.offline,
            max_wait=config.max_wait,
        )


# Set by Ctrl-C under stop_on_interrupt: requests not yet sent are not sent.
STOPPING = threading.Event()


@contextmanager
def stop_on_interrupt() -> Iterator[None]:
    """Let Ctrl-C stop the lookups at once, not after the queue of requests.

    KeyboardInterrupt reaches only the main thread, which then waits for the worker threads
    to finish their queues; this handler first sets :data:`STOPPING`, which the client
    checks before each request. Outside the main thread it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def interrupted(signum: int, frame: Any) -> None:
        STOPPING.set()
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        STOPPING.clear()

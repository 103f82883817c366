"""The two kinds of session fundscout sends requests through, both reading the environment
once per host instead of once per request.

requests, trusting the environment (the default), asks it before every request for the
proxies of the URL's host (``HTTPS_PROXY``, ``NO_PROXY``…) and for a CA bundle
(``REQUESTS_CA_BUNDLE``). Each time that walks the whole of ``os.environ`` twice: about
0.1 ms of CPU with 40 variables, and more on CI runners with hundreds. An audit sends tens of
thousands of requests from threads that share one interpreter lock, and profiling a cold
enrichment put that walk at a sixth to a fifth of the client's CPU. Here the settings a host
gets are worked out once per session and reused: an audit reads the environment as it was
when it first reached that host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests_cache import CachedSession

from analyzer.docstore import AnswerStore


class EnvironmentOnce(requests.Session):
    """``merge_environment_settings`` remembered per scheme and host, for calls that pass no
    settings of their own (every call fundscout makes); calls that do are not remembered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Threads may both work out a new host's settings: the same result, stored twice.
        self._settings: dict[tuple[str, str], Any] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:  # requests' stubs name the result with a private TypedDict
        if proxies or stream is not None or verify is not None or cert is not None:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        host = (parts.scheme.lower(), parts.netloc.lower())
        known = self._settings.get(host)
        if known is None:
            known = super().merge_environment_settings(url, {}, None, None, None)
            self._settings[host] = known
        # a fresh proxies dict: requests and adapters may add to the one they are given
        return {**known, "proxies": dict(known["proxies"])}


class PlainSession(EnvironmentOnce):
    """A session without a cache (``--no-cache``)."""


class CachingSession(EnvironmentOnce, CachedSession):
    """requests-cache's session, with the answer store that shares its directory."""

    answers: AnswerStore | None = None

    def close(self) -> None:
        super().close()  # type: ignore[no-untyped-call]
        if self.answers is not None:
            self.answers.close()

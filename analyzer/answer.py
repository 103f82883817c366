"""One answer of an API, as the answer store (:mod:`analyzer.docstore`) keeps it: what
identifies it, what a caller reads of it, and how its JSON is read and written."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import orjson
import requests
from requests.structures import CaseInsensitiveDict


def request_key(method: str, url: str, body: bytes | None) -> bytes:
    """What identifies an answer: method, URL and body; never a header (tokens live there)."""
    digest = hashlib.sha256(f"{method.upper()} {url}\n".encode())
    digest.update(body or b"")
    return digest.digest()


@dataclass(frozen=True, slots=True)
class Answer:
    """One stored answer: what a caller reads of a response, without building one.
    ``cache_key`` is requests-cache's key for the same request, ``key`` this store's."""

    status_code: int
    headers: dict[str, str]
    content: bytes
    cache_key: str | None
    key: bytes
    expires: float | None = None  # epoch seconds; None: never

    def response(self, url: str) -> requests.Response:
        """A ``requests.Response`` as requests-cache would return it (``from_cache``)."""
        response = requests.Response()
        response.status_code = self.status_code
        response._content = self.content  # requests' own body slot
        response.headers = CaseInsensitiveDict(self.headers)
        response.url = url
        response.encoding = "utf-8"
        response.from_cache = True  # type: ignore[attr-defined]
        response.cache_key = self.cache_key  # type: ignore[attr-defined]
        response.answer_key = self.key  # type: ignore[attr-defined]
        return response


def loads(text: str | bytes) -> Any:
    """A JSON document: orjson, and the standard library's verdict on what orjson refuses
    (NaN, numbers beyond a double, a byte order mark, nesting deeper than 1024)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def json_body(payload: Any) -> bytes:
    """The bytes a JSON payload is sent as: compact UTF-8, the same on every run (its key)."""
    return orjson.dumps(payload)

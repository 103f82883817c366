"""Reading answers: URLs safe for messages, statuses and failures classified, and JSON
documents decoded with a fallback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from analyzer.answer import Answer, loads
from analyzer.enrich.interface import BadResponseError, SourceUnavailableError


def public_url(url: str) -> str:
    """The URL without query or credentials, safe for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unparsable URL)"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def decode_json(url: str, response: requests.Response | Answer) -> Any:
    """The JSON document of an answer. orjson first (several times faster: a warm audit
    decodes hundreds of megabytes); what it refuses (a byte order mark, NaN, numbers beyond
    a double, nesting deeper than 1024) gets the standard library's verdict, as before."""
    content_type = response.headers.get("Content-Type") or ""
    if "html" in content_type:
        raise BadResponseError(f"{public_url(url)}: an HTML page instead of JSON")
    try:
        return loads(response.content)
    except (ValueError, RecursionError):
        raise BadResponseError(f"{public_url(url)}: invalid JSON") from None


def check(url: str, response: requests.Response) -> requests.Response | None:
    """The response when it is an answer; None for "not found"; else the error it means."""
    code = response.status_code
    if code in (404, 410):
        return None
    if code in (401, 403):
        message = f"{public_url(url)}: HTTP {code} (check the token)"
        raise SourceUnavailableError(message, status=code)
    if code == 429 or code >= 500:
        raise SourceUnavailableError(f"{public_url(url)}: HTTP {code} after retries", status=code)
    if code >= 400 or code < 200:
        raise BadResponseError(f"{public_url(url)}: HTTP {code}")
    return response


def failure_name(exc: requests.RequestException) -> str:
    """``ConnectionError (ReadTimeoutError)``: the error and, after retries, the last failure
    urllib3 met; names only, since messages may quote URLs and headers."""
    cause = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(cause, Exception):
        return f"{type(exc).__name__} ({type(cause).__name__})"
    return type(exc).__name__

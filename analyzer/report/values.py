"""Defensive readers for values taken from a report document: every one came from crawled
files or public APIs, so types are checked, texts are bounded and control characters go."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from itertools import repeat
from typing import Any
from urllib.parse import urlsplit

MAX_TEXT = 2000
# C0/C1 controls, line separators, and the bidirectional overrides that could make a name
# read backwards
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]+")


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """A string on one line, at most ``limit`` characters; anything else is ``""``."""
    if type(value) is str:  # the common case, checked first: most values are plain strings
        flat = value
    elif (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        return ""
    else:
        flat = str(value)
    # isprintable() is False for every character the pattern removes: skip it when it can
    flat = (flat if flat.isprintable() else _CONTROLS.sub(" ", flat)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def number(value: Any) -> float | None:
    """A finite number (never a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def mapping(value: Any) -> Mapping[str, Any]:
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def seq(value: Any, limit: int) -> list[Any]:
    """The first ``limit`` items of a list; anything else is empty."""
    return value[:limit] if isinstance(value, list) else []


def texts(value: Any, limit: int, length: int = 300) -> tuple[str, ...]:
    """The non-empty strings of a list, bounded in count and length."""
    if not isinstance(value, list):
        return ()
    return tuple(item for item in map(text, value[:limit], repeat(length)) if item)


def href(url: str | None) -> str | None:
    """``url`` when it is safe to link: http(s) with a host, no spaces or controls.

    ``javascript:``, ``data:``, ``vbscript:`` and relative URLs are shown as text only.
    """
    if not url or len(url) > MAX_TEXT or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and host else None


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for people: fixed decimals, trailing zeros kept so columns align."""
    return "" if value is None else f"{value:.{digits}f}"


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return ""
    whole = f"{amount:,.2f}".removesuffix(".00")
    return f"{whole} {currency}".strip()


def value_text(value: Any, limit: int = 300) -> str:
    """A signal value as one short line: strings as they are, the rest as compact JSON."""
    if isinstance(value, str):
        return text(value, limit)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    try:  # what json.dumps writes for a plain value, without its cost
        if value is None or type(value) is bool:
            dumped = "null" if value is None else "true" if value else "false"
        elif type(value) in (int, float):
            dumped = repr(value)
        else:
            dumped = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (ValueError, RecursionError):
        return ""
    return text(dumped, limit)

"""Parsing JSON while noting where its object keys sit, so records can carry line numbers.

``json`` does not report positions. ``load_json_keys`` walks the objects of the top levels
itself and hands every other value to json's own decoder, so a large lockfile is parsed
once, at the speed of ``json.loads``, while the keys that name packages get their offsets.
"""

from __future__ import annotations

import json
import re
from typing import Any

KeyOffsets = dict[tuple[str, ...], list[int]]

_DECODE = json.JSONDecoder().raw_decode  # one value at an offset, as json.loads reads it
_SPACE = re.compile(r"[ \t\n\r]*")  # the whitespace JSON allows between tokens
# A key without escapes or control characters (its text is its value), the colon, and the
# whitespace before the value; after a value, a comma or a closing brace and whitespace.
_PLAIN_KEY = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_NEXT = re.compile(r"[ \t\n\r]*([,}])[ \t\n\r]*")


def load_json_keys(text: str, max_depth: int = 2) -> tuple[Any, KeyOffsets]:
    """``json.loads(text)`` and the offsets of its object keys, by key path, to ``max_depth``.

    ``{"dependencies": {"a": "1"}}`` gives ``{("dependencies",): [1], ("dependencies", "a"):
    [19]}``. Paths through arrays are left out. A key repeated in one object keeps every
    offset, in order (json keeps the last one's value). Searching for ``"a":`` instead would
    find keys of nested objects, such as a ``"dependencies"`` inside some tool's
    configuration, before the real one. Raises what ``json.loads`` raises for the text.
    """
    try:
        return _load(text, max_depth)
    except ValueError:
        json.loads(text)  # raises json's own error, with its message and position
        raise


def json_key_offsets(text: str, max_depth: int = 2) -> KeyOffsets:
    """The key offsets of ``load_json_keys`` alone, for a document already known to be JSON."""
    return load_json_keys(text, max_depth)[1]


def _load(text: str, max_depth: int) -> tuple[Any, KeyOffsets]:
    offsets: KeyOffsets = {}
    at = _skip(text, 0)
    if text[at : at + 1] != "{" or max_depth < 1:
        value, at = _DECODE(text, at)
        return _finished(text, at, value), offsets
    root: dict[str, Any] = {}
    stack: list[tuple[dict[str, Any], tuple[str, ...]]] = [(root, ())]  # the open objects
    at = _skip(text, at + 1)
    if text[at : at + 1] == "}":
        return _finished(text, at + 1, root), offsets
    while True:  # at a key of the innermost open object
        table, path = stack[-1]
        key, value_at = _key(text, at)
        full = (*path, key)
        offsets.setdefault(full, []).append(at)
        if text[value_at : value_at + 1] == "{" and len(full) < max_depth:
            child: dict[str, Any] = {}
            table[key] = child
            at = _skip(text, value_at + 1)
            if text[at : at + 1] != "}":
                stack.append((child, full))
                continue
            at += 1  # an empty object
        else:
            table[key], at = _DECODE(text, value_at)
        while True:  # after a value: a comma and the next key, or the end of objects
            match = _NEXT.match(text, at)
            if match is None:
                raise ValueError("expected ',' or '}'")
            at = match.end()
            if match.group(1) == ",":
                break
            stack.pop()
            if not stack:
                return _finished(text, at, root), offsets


def _key(text: str, at: int) -> tuple[str, int]:
    """The key at ``at`` and the offset of its value."""
    match = _PLAIN_KEY.match(text, at)
    if match:
        return match.group(1), match.end()
    key, end = _DECODE(text, at)  # a key with escapes, or json's own error
    colon = _skip(text, end)
    if not isinstance(key, str) or text[colon : colon + 1] != ":":
        raise ValueError("expected a key and ':'")
    return key, _skip(text, colon + 1)


def _skip(text: str, at: int) -> int:
    """The offset of the first character at or after ``at`` that is not whitespace."""
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # it matches "" too


def _finished(text: str, at: int, value: Any) -> Any:
    """``value``, when only whitespace follows it."""
    if _skip(text, at) != len(text):
        raise ValueError("extra data")
    return value

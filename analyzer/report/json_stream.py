"""The JSON report encoded piece by piece, so that its 200 MB are never held at once.

At 1,000 repositories the report is about 200 MB, nearly all of it the ranked projects. Encoding
the document in one call held those bytes next to the document itself at the audit's peak of
memory. Here the top level is written key by key and a list of ``PIECEWISE`` keys item by item,
each encoded by orjson with the same options and indented one or two levels deeper, which gives
exactly the bytes of ``json_report.encode_document`` (orjson's indented output has no newline
but those between items: a newline inside a string is always escaped).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from analyzer.report.json_report import OPTIONS, plain_json

PIECEWISE = frozenset({"projects", "excluded", "problems", "repositories"})
_ITEM = OPTIONS & ~orjson.OPT_APPEND_NEWLINE


def _indented(value: Any, depth: int) -> bytes:
    """``value`` as orjson indents it, for a place ``depth`` levels deep."""
    return orjson.dumps(value, option=_ITEM).replace(b"\n", b"\n" + b"  " * depth)


def chunks(document: Mapping[str, Any]) -> Iterator[bytes]:
    """The encoded document in pieces; raises orjson.JSONEncodeError for what orjson refuses
    (non-string keys at the top among them), as ``encode_document`` would fall back on."""
    if not document:
        yield _indented(document, 0) + b"\n"
        return
    yield b"{\n"
    last = len(document) - 1
    for position, (key, value) in enumerate(document.items()):
        if not isinstance(key, str):
            raise orjson.JSONEncodeError("Dict key must be str")
        head = b"  " + orjson.dumps(key) + b": "
        if key in PIECEWISE and isinstance(value, list) and value:
            yield head + b"[\n"
            end = len(value) - 1
            for index, item in enumerate(value):
                yield b"    " + _indented(item, 2) + (b",\n" if index < end else b"\n")
            yield b"  ]"
        else:
            yield head + _indented(value, 1)
        yield b",\n" if position < last else b"\n"
    yield b"}\n"


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` as ``encode_document`` encodes it, piece by piece when orjson can."""
    from analyzer.report import write_atomic  # a cycle: the package imports this module

    try:
        write_atomic(path, chunks(document))
    except orjson.JSONEncodeError:  # what the standard library writes instead, as before
        write_atomic(path, plain_json(document).encode("utf-8"))

"""A bounded YAML reader: every document of a stream as plain values, with key lines.

It reads the parser's event stream (libyaml's when present) into plain values with a stack,
keeping no node tree and never recursing; aliases and nesting depth are bounded. Used by the
pnpm lockfile parser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from analyzer.errors import ManifestError

_MAX_ALIASES = 100  # as in the conda parser
_MAX_DEPTH = 200  # lockfiles nest about six levels deep
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_BOOLEANS = frozenset(
    form for word in ("true", "false", "yes", "no", "on", "off")
    for form in (word, word.title(), word.upper())
)  # fmt: skip
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_SKIP = object()  # stands for a key that is not text: its value is dropped
Lines = dict[tuple[str, ...], int]  # key path -> 1-based line; () -> the document's first line


def load_yaml_documents(
    text: str, wants_line: Callable[[tuple[str, ...]], bool]
) -> list[tuple[Any, Lines]]:
    """Every document of a YAML stream as plain values, with the lines of the mapping keys
    under the key paths ``wants_line`` accepts.

    Scalars stay text (``1.10`` is no float) except booleans and nulls; tags construct
    nothing; merge keys (``<<``) are ordinary keys. Like the conda parser, more than
    ``_MAX_ALIASES`` alias uses are refused; an aliased value is shared, never copied, so
    the few allowed cannot expand into a huge document. libyaml's event stream, when
    present, reads megabytes of lockfile in a second, where composing nodes takes minutes.
    """
    loader = (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)(text)
    reader = _EventReader(wants_line)
    try:
        while not isinstance(event := loader.get_event(), yaml.StreamEndEvent):
            reader.feed(event)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        reason = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise ManifestError(f"invalid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return reader.documents


class _EventReader:
    """Builds plain values from parser events with a stack: no recursion, no node tree."""

    def __init__(self, wants_line: Callable[[tuple[str, ...]], bool]) -> None:
        self.wants_line = wants_line
        self.documents: list[tuple[Any, Lines]] = []
        self.aliases = 0
        # Each open container: [container, its key path, the key waiting for its value].
        self.stack: list[list[Any]] = []
        self.anchors: dict[str, Any] = {}
        self.lines: Lines = {}
        self.last: Any = None  # the value read last, for an anchor on it

    def feed(self, event: Any) -> None:
        kind = type(event)  # most frequent first: one lockfile is a million events
        if kind is yaml.ScalarEvent:
            frame = self.stack[-1]
            is_key = frame[2] is None and type(frame[0]) is dict  # a key is text: "no", "1.0"
            self.add(event.value if is_key else _scalar(event), event)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            container: Any = {} if kind is yaml.MappingStartEvent else []
            _, path, key = self.stack[-1]
            self.add(container, event)
            self.stack.append([container, (*path, key) if type(key) is str else path, None])
            if len(self.stack) > _MAX_DEPTH:  # libyaml slows down with the square of depth
                raise ManifestError("invalid YAML: nested too deeply", _line(event.start_mark))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.stack.pop()
            return
        elif kind is yaml.AliasEvent:
            self.alias(event)
            return
        elif kind is yaml.DocumentStartEvent:
            self.stack, self.anchors = [[[], (), None]], {}
            self.lines = {(): _line(event.end_mark)}
            return
        elif kind is yaml.DocumentEndEvent:
            root = self.stack[0][0]
            if root and root[0] is not None:  # an empty document holds nothing
                self.documents.append((root[0], self.lines))
            return
        else:
            return
        if event.anchor is not None:
            self.anchors[event.anchor] = self.last

    def alias(self, event: Any) -> None:
        self.aliases += 1
        line = _line(event.start_mark)
        if self.aliases > _MAX_ALIASES:
            raise ManifestError(f"more than {_MAX_ALIASES} YAML aliases; not read", line)
        if event.anchor not in self.anchors:
            raise ManifestError(f"invalid YAML: undefined alias {event.anchor!r}", line)
        self.add(self.anchors[event.anchor], None)

    def add(self, value: Any, event: Any) -> None:
        """Put ``value`` into the open container, as a key or a value of a mapping."""
        self.last = value
        frame = self.stack[-1]
        parent, path, key = frame
        if type(parent) is list:
            parent.append(value)
        elif key is None:  # the value is a key: only text keys are kept
            frame[2] = value if type(value) is str else _SKIP
            if event is not None and type(value) is str and self.wants_line(path):
                self.lines[(*path, value)] = _line(event.start_mark)
        else:
            frame[2] = None
            if key is not _SKIP:
                parent[key] = value  # the last of repeated keys wins, as in any YAML loader


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 1


def _scalar(event: Any) -> Any:
    """Text, except YAML 1.1 booleans and nulls (quoted ones are text too)."""
    value, tag = event.value, event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value
        tag = _BOOL if value in _BOOLEANS else _NULL if value in _NULLS else None
    if tag == _BOOL:
        return value.lower() in ("true", "yes", "on")
    return None if tag == _NULL else value

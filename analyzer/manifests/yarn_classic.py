"""Yarn classic (v1) ``yarn.lock``, read into the ``YarnLock`` of ``yarn_common``.

Yarn classic writes a line format of its own: an unindented line lists the descriptors
(``name@range``) that one entry satisfies, and the indented lines under it give the entry's
``version``, ``resolved`` URL and ``dependencies`` (``name range`` pairs)::

    "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.12.13":
      version "7.14.5"
      dependencies:
        "@babel/highlight" "^7.14.5"

A line that cannot be read is a problem and the rest still counts; across an unresolved merge
conflict both sides are read.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field

from analyzer.errors import ManifestError
from analyzer.manifests.package_json import npm_source
from analyzer.manifests.yarn_common import YarnLock, YarnPackage, remote_source, split_descriptor

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MAX_LINE = 16384
# One token at a time; a failed string ends the line's tokenizing, so nothing is rescanned.
# Bare words start like a name, a path or a range; Yarn quotes everything else.
_TOKEN = re.compile(
    r'(?P<space>[ \t]+)|(?P<comment>#.*)|(?P<string>"(?:[^"\\]|\\.)*")'
    r'|(?P<punct>[,:])|(?P<word>[\w@/.~^*<>=+-][^\s",:]*)|(?P<bad>.)'
)
_CONFLICT = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")
_BLOCKS = {"dependencies": False, "optionalDependencies": True}
Token = tuple[str, str]  # ("str", value) or (",", ",") / (":", ":")


def read_classic(text: str, lock: YarnLock) -> None:
    """Read a classic lockfile's entries into ``lock``; ManifestError when nothing is readable."""
    _ClassicReader(lock).read(text)


def tokenize(line: str) -> list[Token]:
    """The tokens of one line of the classic format (comments dropped)."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(line):
        kind, text = match.lastgroup, match.group()
        if kind == "string":
            tokens.append(("str", _json_string(text)))
        elif kind == "word":
            tokens.append(("str", text))
        elif kind == "punct":
            tokens.append((text, text))
        elif kind == "comment":
            break
        elif kind == "bad":
            what = "unterminated string" if text == '"' else f"unexpected character {text!r}"
            raise ManifestError(what)
    return tokens


def _json_string(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        raise ManifestError(f"invalid string {text[:60]}") from None
    return str(value)


@dataclass
class _Entry:
    """An entry of the classic format while its lines are read."""

    descriptors: list[str]
    line: int
    in_conflict: bool  # begun after a merge conflict marker: repeated descriptors expected
    fields: dict[str, str] = field(default_factory=dict)
    dependencies: list[tuple[str, str]] = field(default_factory=list)
    optional: set[str] = field(default_factory=set)


class _ClassicReader:
    """Reads the classic format line by line; a bad line is a problem, the rest still counts."""

    def __init__(self, lock: YarnLock) -> None:
        self.lock = lock
        self.entry: _Entry | None = None
        self.skipping = False  # inside an entry whose header could not be read
        self.block: tuple[int, bool | None] | None = None  # (indent, optional?) of a block
        self.item_indent: int | None = None
        self.conflict_line: int | None = None

    def read(self, text: str) -> None:
        for number, line in enumerate(_LINE_BREAK.split(text), 1):
            self.line(number, line)
        self.finish()
        if not self.lock.packages and self.lock.problems:
            first = self.lock.problems[0]  # nothing read at all: not a lockfile
            raise ManifestError(first.message, first.line)

    def line(self, number: int, line: str) -> None:
        body = line.lstrip(" \t")
        indent = len(line[: len(line) - len(body)].expandtabs(2))
        if not body or body.startswith("#"):
            return
        if indent == 0 and body.startswith(_CONFLICT):
            self.conflict(number)
            return
        try:
            if len(line) > _MAX_LINE:
                raise ManifestError(f"line longer than {_MAX_LINE} characters")
            tokens = tokenize(body)
        except ManifestError as exc:
            self.lock.problem(number, exc.message)
            if indent == 0:
                self.finish()
                self.skipping = True
            return
        if not tokens:
            return
        if indent == 0:
            self.header(number, tokens)
        elif self.entry is not None:
            self.field(number, indent, tokens)
        elif not self.skipping:
            self.lock.problem(number, "indented line outside an entry")
            self.skipping = True

    def conflict(self, number: int) -> None:
        # Yarn resolves these itself when it installs; until then both sides are read.
        if self.conflict_line is None:
            self.conflict_line = number
            self.lock.problem(number, "unresolved merge conflict; both sides were read")

    def header(self, number: int, tokens: list[Token]) -> None:
        self.finish()
        names = tokens[:-1:2]
        commas = tokens[1:-1:2]
        well_formed = (
            len(tokens) >= 2
            and tokens[-1][0] == ":"
            and all(kind == "str" for kind, _ in names)
            and all(kind == "," for kind, _ in commas)
        )
        if not well_formed:
            self.lock.problem(number, "expected an entry such as 'name@range:'")
            self.skipping = True
            return
        self.entry = _Entry([value for _, value in names], number, self.conflict_line is not None)

    def field(self, number: int, indent: int, tokens: list[Token]) -> None:
        assert self.entry is not None
        if self.block is not None and indent > self.block[0]:
            self.item(number, indent, tokens)
            return
        self.block = None
        kinds = [kind for kind, _ in tokens]
        if kinds == ["str", ":"]:  # a nested block; only dependency blocks matter
            self.block = (indent, _BLOCKS.get(tokens[0][1]))
            self.item_indent = None
        elif kinds in (["str", "str"], ["str", ":", "str"]):
            self.entry.fields.setdefault(tokens[0][1], tokens[-1][1])
        else:
            self.lock.problem(number, "expected 'key value' or 'key:'")

    def item(self, number: int, indent: int, tokens: list[Token]) -> None:
        assert self.entry is not None and self.block is not None
        if self.item_indent is None:
            self.item_indent = indent
        optional = self.block[1]
        if indent > self.item_indent or optional is None:
            return  # deeper than a dependency, or a block that lists none
        kinds = [kind for kind, _ in tokens]
        if kinds not in (["str", "str"], ["str", ":", "str"]):
            self.lock.problem(number, "expected a dependency such as 'name \"range\"'")
            return
        name, spec = tokens[0][1], tokens[-1][1]
        self.entry.dependencies.append((name, spec))
        if optional:
            self.entry.optional.add(name)

    def finish(self) -> None:
        """Hand the entry being read, if any, to the lock."""
        entry, self.entry, self.block, self.skipping = self.entry, None, None, False
        if entry is None:
            return
        first = entry.descriptors[0]
        parts = [split_descriptor(d) for d in entry.descriptors]
        if any(part is None for part in parts):
            bad = next(d for d, p in zip(entry.descriptors, parts, strict=True) if p is None)
            self.lock.problem(entry.line, f"entry {bad!r} is not 'name@range'")
            return
        pairs = [p for p in parts if p is not None]
        name = _real_name(*pairs[0])
        specs = [_alias_range(spec) for _, spec in pairs]
        version = entry.fields.get("version")
        resolved = entry.fields.get("resolved")
        source, local = _classic_source(specs, resolved)
        package = YarnPackage(name, version, entry.line, source, entry.dependencies,
                              optional=entry.optional, spec=resolved)  # fmt: skip
        if local is not None:
            package.own_dir = self.lock.own_dir(local)
            package.spec, package.published = posixpath.normpath(local), False
        if version is None and package.own_dir is None:
            self.lock.problem(entry.line, f"entry {first!r} has no version")
            return
        self.lock.add(package, entry.descriptors, quiet=entry.in_conflict)


def _real_name(name: str, spec: str) -> str:
    """The package an entry installs: an alias ``x@npm:lodash@^4`` installs ``lodash``."""
    if spec.startswith("npm:"):
        target = spec[4:]
        at = target.find("@", 1)
        return target[:at] if at > 0 else target
    return name


def _alias_range(spec: str) -> str:
    if spec.startswith("npm:"):
        at = spec.find("@", 5)
        return spec[at + 1 :] if at > 0 else ""
    return spec


def _classic_source(specs: list[str], resolved: str | None) -> tuple[str, str | None]:
    """(source, local path) from what was asked for and the ``resolved`` URL."""
    for spec in specs:
        if spec.startswith(("file:", "link:")):
            return "path", spec.split(":", 1)[1]
    if resolved is not None and resolved.startswith("file:"):
        return "path", resolved[5:].split("#", 1)[0]
    asked = {npm_source(spec) for spec in specs}
    if resolved is not None:
        found = remote_source(resolved)
        if found != "url":
            return found, None
        # A tarball that is not at a registry's <name>/-/<file> place: a URL dependency,
        # unless a plain range was asked for (a private registry laid out another way).
        if "registry" in asked:
            return "registry", None
        return ("vcs" if "vcs" in asked else "url"), None
    for kind in ("vcs", "url"):
        if kind in asked:
            return kind, None
    return "registry", None

"""Bundler's ``Gemfile`` (also ``gems.rb``) and ``*.gemspec`` files, read without running Ruby.

Both are Ruby code. The tokenizer of ``ruby_tokens`` splits the text into statements, and
only calls whose arguments are literals are understood: ``gem "name", "~> 1.2",
">= 1.2.3", group: :test``, ``group :development, :test do ... end``, ``git``/``github``/
``path``/``source`` blocks, ``spec.add_dependency "name", "~> 1.0"``. A call with computed
arguments (``gem name``, ``gem "x", ENV["V"]``) is a problem naming its line, never a guess.
Code that runs only sometimes (``if``/``else`` branches) is read as if every branch ran.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from analyzer.manifests.gemfile_lock import is_vendored
from analyzer.manifests.interface import ManifestParser, scope_hint
from analyzer.manifests.lock_common import best_scope, is_inside
from analyzer.manifests.ruby_tokens import (
    Call,
    Token,
    arguments,
    is_op,
    is_word,
    key_value,
    literal,
    read_call,
    statements,
    tokenize,
)
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_OPENS_BLOCK = frozenset({"if", "unless", "while", "until", "case", "begin", "def", "class",
                          "module", "for"})  # fmt: skip
GIT_SOURCES = frozenset({"git", "github", "gist", "bitbucket", "gitlab"})
_NAME = re.compile(r"^(?=.*[A-Za-z0-9])[A-Za-z0-9._-]+$")
_DEPENDENCY_CALLS = {
    "add_dependency": Scope.RUNTIME,
    "add_runtime_dependency": Scope.RUNTIME,
    "add_development_dependency": Scope.DEV,
}


def _names(tokens: list[Token]) -> list[str]:
    """Symbols and strings among ``tokens``: the groups of ``group :dev, "test"``."""
    names: list[str] = []
    for token in tokens:
        if token.kind in ("sym", "str"):
            names.append(token.value)
        elif token.kind == "words":
            names.extend(token.value.split())
    return names


@dataclass(frozen=True)
class _Block:
    """What a ``do ... end`` block says about the gems inside it."""

    groups: tuple[str, ...] = ()
    source: str | None = None  # "vcs" inside git/github blocks, "path" inside path blocks
    location: str | None = None


class _Reader:
    """Records, problems and own gems of one file, and the blocks open at this point."""

    def __init__(self, file: ManifestFile) -> None:
        self.file = file
        self.deps: list[Dependency] = []
        self.problems: list[Problem] = []
        self.publishes: list[str] = []
        self.blocks: list[_Block] = []
        self.git_sources = set(GIT_SOURCES)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def named(self, call: Call, line: int, what: str) -> str | None:
        """The call's gem name, or None after reporting why it cannot be read."""
        if call.name is None:
            self.problem(line, f"{what} with a computed gem name: not read")
        elif not _NAME.match(call.name):
            self.problem(line, f"invalid gem name {call.name!r}")
        else:
            if call.computed:
                message = f"gem {call.name!r}: computed version requirement, read as any version"
                self.problem(line, message)
            return call.name
        return None

    def add(self, call: Call, name: str, line: int, scope: Scope, source: str) -> None:
        self.deps.append(
            Dependency(Ecosystem.GEM, name, call.spec, call.version, scope, True,
                       self.file.repo, self.file.path, line, source=source)
        )  # fmt: skip

    def result(self) -> ParsedManifest:
        return ParsedManifest(
            self.file, tuple(self.deps), tuple(self.problems), tuple(dict.fromkeys(self.publishes))
        )


class GemfileParser(ManifestParser):
    """``gem`` declarations of a Gemfile, with groups, git and path sources."""

    name = "gemfile"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name in ("Gemfile", "gemfile", "gems.rb")

    def parse(self, file: ManifestFile) -> ParsedManifest:
        reader = _Reader(file)
        for statement in statements(tokenize(decode_text(file.read()))):
            _gemfile_statement(reader, statement)
        return reader.result()


def _gemfile_statement(reader: _Reader, statement: list[Token]) -> None:
    head, opens = statement[0], is_word(statement[-1], "do")
    body = statement[:-1] if opens else statement
    args = arguments(body[1:])
    word = head.value if head.kind == "word" else ""
    block = _Block()
    if word == "end":
        if reader.blocks:
            reader.blocks.pop()
        return
    if word == "gem":
        _gem(reader, args, head.line)
    elif word == "group":
        block = _Block(groups=tuple(_names([t for a in args if not key_value(a) for t in a])))
    elif word in reader.git_sources:
        block = _Block(source="vcs")
    elif word == "path":
        location = literal(args[0]) if args else None
        block = _Block(source="path", location=location[0] if location else None)
    elif word == "gemspec":
        options = dict(pair for pair in map(key_value, args) if pair is not None)
        name = literal(options.get("name", []))
        if name and _NAME.match(name[0]):  # otherwise the *.gemspec names it
            reader.publishes.append(purl(Ecosystem.GEM, name[0]))
    elif word == "git_source":
        reader.git_sources.update(_names(args[0]) if args else ())
    elif not opens and _opens_without_do(statement):
        reader.blocks.append(_Block())  # closed by an ``end`` like any block
    else:  # a call in a brace block: %w[a b].each { |name| gem name }
        for index, token in enumerate(statement[1:], 1):
            if is_word(token, "gem") and is_op(statement[index - 1], "{", "|"):
                _gem(reader, arguments(statement[index + 1 :]), token.line)
    if opens:
        reader.blocks.append(block)


def _opens_without_do(statement: list[Token]) -> bool:
    """``if``/``case``/``begin``... at the start or as a value (``x = if a``), not a modifier."""
    return any(
        is_word(token, *_OPENS_BLOCK) and (index == 0 or is_op(statement[index - 1], "="))
        for index, token in enumerate(statement)
    )


def _gem(reader: _Reader, args: list[list[Token]], line: int) -> None:
    call = read_call(args)
    name = reader.named(call, line, "gem call")
    if name is None:
        return
    source, location = "registry", None
    groups = [group for block in reader.blocks for group in block.groups]
    for block in reader.blocks:
        source, location = block.source or source, block.location if block.source else location
    for key, value in call.options.items():
        if key in reader.git_sources:
            source = "vcs"
        elif key == "path":
            found = literal(value)
            source, location = "path", found[0] if found else None
        elif key in ("group", "groups"):
            groups.extend(_names(value))
    scope = best_scope(scope_hint(group) or Scope.RUNTIME for group in groups)
    if source == "path":
        if location is None or not is_inside(reader.file, location):
            return  # computed, or another repository's code checked out beside this one
        if not is_vendored(location):
            reader.publishes.append(purl(Ecosystem.GEM, name))
            return
    reader.add(call, name, line, scope, source)


class GemspecParser(ManifestParser):
    """``add_dependency``/``add_runtime_dependency``/``add_development_dependency`` calls of a
    gem's specification; its ``name`` is the organization's own gem."""

    name = "gemspec"

    def matches(self, path: PurePosixPath) -> bool:
        return path.suffix == ".gemspec"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        reader = _Reader(file)
        seen: set[tuple[str, Scope]] = set()
        for statement in statements(tokenize(decode_text(file.read()))):
            method = _method(statement)
            if method is None:
                continue
            index, word = method
            if word == "name" and len(statement) > index + 2 and is_op(statement[index + 1], "="):
                found = literal(statement[index + 2 :])
                if found and _NAME.match(found[0]):
                    reader.publishes.append(purl(Ecosystem.GEM, found[0]))
            elif word in _DEPENDENCY_CALLS:
                call = read_call(arguments(statement[index + 1 :]))
                line, scope = statement[index].line, _DEPENDENCY_CALLS[word]
                name = reader.named(call, line, word)
                # Generated gemspecs repeat each call in both branches of a version check.
                if name is not None and (name, scope) not in seen:
                    seen.add((name, scope))
                    reader.add(call, name, line, scope, "registry")
        return reader.result()


def _method(statement: list[Token]) -> tuple[int, str] | None:
    """``(index, name)`` of the method a ``spec.method ...`` statement calls."""
    if len(statement) >= 3 and is_op(statement[1], ".", "&.") and statement[2].kind == "word":
        return 2, statement[2].value
    if statement[0].kind == "word" and statement[0].value in _DEPENDENCY_CALLS:
        return 0, statement[0].value
    return None

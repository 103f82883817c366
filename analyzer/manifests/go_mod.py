"""``go.mod``: the module's requirements, with ``replace`` applied, and the module it publishes.

The file is read line by line the way the Go toolchain's lexer reads it: ``//`` comments,
quoted or back-quoted paths, one directive per line or a ``verb ( ... )`` block. Since Go 1.17
go.mod lists every module of the build, so each ``require`` is a record: direct unless it is
marked ``// indirect``. Versions are kept as written, ``v`` prefix included (the golang purl
keeps it too); the go command keeps each requirement at the version minimal version
selection picks for the build, so it is both the spec and the version. Go has no dev
dependencies, but a module that provides a ``tool`` (Go 1.24) is taken for one: ``dev``.

``replace old [v] => new v`` records ``new`` instead of ``old``, at the replace line where it
is written; a replacement by a directory (``=> ../fork``) is the organization's own code, so
the requirement is dropped. Two requirements replaced by one module make one record.
``exclude``, ``retract``, ``go``, ``toolchain``, ``godebug`` and ``ignore`` say nothing about
what is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from analyzer.errors import ManifestError
from analyzer.manifests.interface import ManifestParser
from analyzer.manifests.text import decode_text
from analyzer.model import Dependency, Ecosystem, ManifestFile, ParsedManifest, Problem, Scope
from analyzer.model import package_purl as purl

_TOKEN = re.compile(
    r'(?P<comment>//.*)|(?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)|(?P<punct>[()\[\]{},])'
    r'|(?P<bad>/\*|"|`)|(?P<ident>(?:(?!//|/\*)[^\s()\[\]{},"`])+)'
)
_PATH = re.compile(r"^[A-Za-z0-9!._~+-]+(?:/[A-Za-z0-9!._~+-]+)*$")
_VERSION = re.compile(r"^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_IGNORED = frozenset({"go", "toolchain", "godebug", "exclude", "retract", "ignore"})
_KNOWN = _IGNORED | {"module", "require", "replace", "tool"}


@dataclass(frozen=True)
class _Line:
    """One directive: its verb, arguments, line number and trailing comment."""

    verb: str
    args: tuple[str, ...]
    number: int
    comment: str


@dataclass
class _Module:
    """What the directives say, before ``replace`` is applied."""

    path: str | None = None
    requires: list[tuple[str, str, bool, int]] = field(default_factory=list)
    replaces: dict[tuple[str, str | None], tuple[str, str | None, int]] = field(
        default_factory=dict
    )
    tools: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def decode_path(path: str) -> str:
    """Undo the module cache's case encoding: ``github.com/!burnt!sushi`` → ``BurntSushi``."""
    return re.sub(r"!([a-z])", lambda m: m.group(1).upper(), path)


def module_purl_parts(path: str) -> tuple[str | None, str]:
    """(namespace, name): the path split at its last ``/``, as the golang purl type does."""
    namespace, _, name = path.rpartition("/")
    return namespace or None, name


def is_directory_path(path: str) -> bool:
    """A replacement that is a directory, as Go decides it: relative or absolute file paths."""
    return (
        path in (".", "..")
        or path.startswith(("./", "../", "/", ".\\", "..\\"))
        or re.match(r"^[A-Za-z]:[\\/]", path) is not None
    )


class GoModParser(ManifestParser):
    """Reads go.mod; go.work and go.sum are other files."""

    name = "go.mod"

    def matches(self, path: PurePosixPath) -> bool:
        return path.name == "go.mod"

    def parse(self, file: ManifestFile) -> ParsedManifest:
        module = _Module()
        understood = False
        for line in _directives(decode_text(file.read()), module.problems):
            understood |= _apply(line, module)
        if not understood and module.problems:
            number, message = module.problems[0]
            raise ManifestError(f"not a go.mod file: {message}", number)
        ordered = sorted(module.problems, key=lambda problem: problem[0])
        problems = tuple(Problem(file.path, n, m, file.repo) for n, m in ordered)
        publishes: tuple[str, ...] = ()
        if module.path:
            namespace, name = module_purl_parts(module.path)
            publishes = (purl(Ecosystem.GOLANG, name, namespace),)
        return ParsedManifest(file, _records(file, module), problems, publishes)


def _directives(text: str, problems: list[tuple[int, str]]) -> list[_Line]:
    """Every directive, with block lines given their block's verb."""
    found: list[_Line] = []
    block: tuple[str, int] | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        try:
            tokens, comment = _tokens(raw)
        except ManifestError as exc:
            problems.append((number, exc.message))
            continue
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            elif "(" in tokens or ")" in tokens:
                problems.append((number, f"unexpected parenthesis in {block[0]} block"))
            else:
                found.append(_Line(block[0], tuple(tokens), number, comment))
        elif len(tokens) == 2 and tokens[1] == "(":
            block = (tokens[0], number)
        elif len(tokens) == 3 and tokens[1:] == ["(", ")"]:
            continue  # an empty block: "require ()"
        else:
            found.append(_Line(tokens[0], tuple(tokens[1:]), number, comment))
    if block is not None:
        problems.append((block[1], f"{block[0]} block is not closed"))
    return found


def _tokens(line: str) -> tuple[list[str], str]:
    """The tokens of a line (strings unquoted) and its comment's text."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(line):
        kind, value = match.lastgroup, match.group()
        if kind == "comment":
            return tokens, value[2:].strip()
        if kind == "bad":
            what = "/* */ comments" if value == "/*" else "an unterminated string"
            raise ManifestError(f"go.mod cannot hold {what}")
        if kind == "string":
            value = value[1:-1] if value.startswith("`") else _unquote(value)
        tokens.append(value)
    return tokens, ""


def _unquote(value: str) -> str:
    body = value[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _apply(line: _Line, module: _Module) -> bool:
    """Record what one directive says; False for a line that is not a directive at all."""
    if line.verb in _IGNORED:
        return True
    handler = {"module": _module, "require": _require, "replace": _replace, "tool": _tool}.get(
        line.verb
    )
    if handler is None:
        module.problems.append((line.number, f"unknown directive {line.verb!r}"))
        return False
    try:
        handler(line, module)
    except ManifestError as exc:
        module.problems.append((line.number, f"{line.verb}: {exc.message}"))
    return True


def _checked_path(path: str) -> str:
    if not _PATH.match(path) or len(path) > 500:
        raise ManifestError(f"invalid module path {path!r}")
    return decode_path(path)


def _module(line: _Line, module: _Module) -> None:
    if len(line.args) != 1:
        raise ManifestError("expected one module path")
    module.path = _checked_path(line.args[0])


def _require(line: _Line, module: _Module) -> None:
    if len(line.args) != 2:
        raise ManifestError("expected a module path and a version")
    text = line.comment
    indirect = text == "indirect" or text.startswith("indirect;")
    module.requires.append((_checked_path(line.args[0]), line.args[1], not indirect, line.number))


def _replace(line: _Line, module: _Module) -> None:
    if "=>" not in line.args:
        raise ManifestError("expected old => new")
    arrow = line.args.index("=>")
    old, new = line.args[:arrow], line.args[arrow + 1 :]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        raise ManifestError("expected 'module [version] => module version' or '=> directory'")
    key = (_checked_path(old[0]), old[1] if len(old) == 2 else None)
    if is_directory_path(new[0]):
        if len(new) == 2:
            raise ManifestError(f"replacement directory {new[0]!r} cannot have a version")
        module.replaces[key] = (new[0], None, line.number)  # the organization's own code
    elif len(new) == 1:
        raise ManifestError(f"replacement module {new[0]!r} needs a version")
    else:
        module.replaces[key] = (_checked_path(new[0]), new[1], line.number)


def _tool(line: _Line, module: _Module) -> None:
    if len(line.args) != 1:
        raise ManifestError("expected one package path")
    module.tools.append(_checked_path(line.args[0]))


def _records(file: ManifestFile, module: _Module) -> tuple[Dependency, ...]:
    """One record per required module and version, after replacements; tools are dev."""
    records: dict[tuple[str, str], Dependency] = {}
    tool_modules = {_provider(tool, module.requires) for tool in module.tools}
    for path, version, direct, number in module.requires:
        scope = Scope.DEV if path in tool_modules else Scope.RUNTIME
        target = module.replaces.get((path, version)) or module.replaces.get((path, None))
        if target is not None:
            if target[1] is None:
                continue  # replaced by a directory of the organization's own
            path, version, number = target[0], target[1], target[2]
        if path == module.path:
            continue
        namespace, name = module_purl_parts(path)
        exact = version if _VERSION.match(version) else None
        record = Dependency(
            Ecosystem.GOLANG, name, version, exact, scope, direct,
            file.repo, file.path, number, namespace=namespace,
        )  # fmt: skip
        earlier = records.get((path, version))
        if earlier is not None:  # two requirements replaced by one module: the stronger use
            record = replace(
                earlier,
                direct=earlier.direct or direct,
                scope=Scope.RUNTIME if Scope.RUNTIME in (scope, earlier.scope) else scope,
            )
        records[(path, version)] = record
    return tuple(records.values())


def _provider(tool: str, requires: list[tuple[str, str, bool, int]]) -> str | None:
    """The required module a tool package belongs to: the longest path that prefixes it."""
    owners = [path for path, *_ in requires if tool == path or tool.startswith(path + "/")]
    return max(owners, key=len, default=None)

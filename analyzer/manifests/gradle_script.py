"""A Gradle build script's state and what it defines: ``val``/``def`` variables,
``ext``/``extra`` project properties (assignments, blocks, ``set(...)``, ``by extra``) and the
scripts it applies (``apply from:``); references to them are read as dotted paths.

The statement walk (gradle_walk) calls these on each statement; gradle_values looks the
definitions up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.manifests.gradle_lexer import (
    MAX_NESTING,
    Token,
    ident,
    matching,
    op,
    split_args,
    tokenize,
)
from analyzer.manifests.text import TextIndex
from analyzer.model import Dependency, ManifestFile, Problem


def ref_path(tokens: list[Token]) -> str | None:
    """A reference such as ``rootProject.ext.versions.kotlin`` or ``property("x")`` as a path
    (``versions.kotlin``, ``x``), or None when the tokens are not a plain reference."""
    names: list[str] = []
    k = 0
    while k < len(tokens):
        token, following = tokens[k], tokens[k + 1] if k + 1 < len(tokens) else None
        if ident(token, "as"):
            break  # a cast: `as String`
        if token.kind == "id" and op(following, "("):
            close = matching(tokens, k + 1)
            inner = tokens[k + 2 : close]
            if token.text in _PROPERTY_CALLS and len(inner) == 1 and inner[0].kind == "str":
                names.append(inner[0].text)
            elif inner or token.text not in ("get", "toString", "getOrNull"):
                return None
            k = close + 1
        elif token.kind == "id":
            names.append(token.text)
            k += 1
        elif op(token, "[") and k + 2 < len(tokens) and tokens[k + 1].kind == "str":
            if not op(tokens[k + 2], "]"):
                return None
            names.append(tokens[k + 1].text)
            k += 3
        elif op(token, ".", "?.", "!!"):
            k += 1
        else:
            return None
    while names and names[0] in _OWNER_NAMES:
        names.pop(0)
    while names and names[-1] in ("orNull",):
        names.pop()
    return ".".join(names) or None


_PROPERTY_CALLS = frozenset({"property", "findProperty", "gradleProperty", "getProperty", "get"})
_OWNER_NAMES = frozenset(
    {"project", "rootProject", "ext", "extra", "properties", "providers", "extensions",
     "extraProperties"}
)  # fmt: skip
_MODIFIERS = frozenset({"private", "internal", "public", "final", "static", "const", "lazy"})
DEPS, PLUGINS, EXT, SKIP, TOP, OTHER = "deps", "plugins", "ext", "skip", "top", "other"


@dataclass(frozen=True)
class Context:
    """What statements in a block mean; ``test`` inside JVM test suites (``testing {}``)."""

    kind: str
    test: bool = False


@dataclass(frozen=True)
class Declaration:
    """``configuration(args)`` found in a dependencies block."""

    configuration: str
    args: list[list[Token]]
    line: int | None
    test: bool


class ScriptDefinitions:
    """One build script's tokens, variables, declarations and plugin requests."""

    def __init__(self, file: ManifestFile, text: str, kotlin: bool) -> None:
        self.file, self.text, self.kotlin = file, text, kotlin
        self.index = TextIndex(text)
        self.tokens = tokenize(text)
        self.variables: dict[str, list[Token]] = {}
        self.resolved: dict[str, str | None] = {}  # memo: each variable is resolved once
        self.exported: set[str] = set()  # project properties (ext, extra), seen by subprojects
        self.applied_paths: list[list[Token]] = []  # the scripts of `apply from: …`
        self.applying = False
        self.declarations: list[Declaration] = []
        # (the statement, its keyword: id/kotlin/alias, the plugin id, the version)
        self.plugin_requests: list[tuple[list[Token], list[Token], list[Token]]] = []
        self.deps: list[Dependency] = []
        self.problems: list[Problem] = []

    def line(self, token: Token) -> int | None:
        return self.index.line_of(token.offset)

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def snippet(self, tokens: list[Token]) -> str:
        shown = " ".join(self.text[tokens[0].offset : tokens[-1].end].split())
        return shown if len(shown) <= 60 else shown[:57] + "..."

    def statement_end(self, k: int) -> int:
        """Index of the token ending the statement running from ``k``."""
        depth, tokens = 0, self.tokens
        while k < len(tokens):
            token = tokens[k]
            if op(token, "(", "[", "{"):
                depth += 1
            elif op(token, ")", "]", "}"):
                if depth == 0:
                    return k
                depth -= 1
            elif (
                depth == 0
                and (op(token, ";") or token.kind == "nl")
                and not (k > 0 and op(tokens[k - 1], "+", ",", "=", ":", "?:", "->", "."))
            ):
                return k  # a line ending in an operator or comma goes on
            k += 1
        return k

    def apply_from(self, i: int) -> int | None:
        """``apply from: "$rootDir/gradle/versions.gradle"`` (Kotlin: ``apply(from = …)``):
        the script's ``ext`` properties become this one's. None if it applies no script."""
        end = self.statement_end(i)
        body = [t for t in self.tokens[i + 1 : end] if t.kind != "nl"]
        if body and op(body[0], "(") and matching(body, 0) == len(body) - 1:
            body = body[1:-1]
        found = [arg[2:] for arg in split_args(body) if len(arg) > 2 and ident(arg[0], "from")]
        self.applied_paths.extend(found)
        return end if found else None

    def definition(self, i: int, context: Context) -> int | None:
        """Record ``val x = …``, ``def x = …``, ``val x by extra(…)``; else try an assignment.

        Returns where the walk goes on, or None when the statement defines nothing.
        """
        tokens, k = self.tokens, i
        while k < len(tokens) and ident(tokens[k], *_MODIFIERS):
            k += 1
        if not (k + 1 < len(tokens) and ident(tokens[k], "val", "var", "def")):
            return self.assignment(i, context)
        k += 1
        if k + 2 < len(tokens) and ident(tokens[k + 1]) and op(tokens[k + 2], "="):
            k += 1  # Groovy `def String x = ...`
        name = tokens[k].text if ident(tokens[k]) else None
        k += 1
        if k < len(tokens) and op(tokens[k], ":"):  # a Kotlin type: `val x: String = ...`
            while (
                k < len(tokens)
                and tokens[k].kind != "nl"
                and not (op(tokens[k], "=") or ident(tokens[k], "by"))
            ):
                k += 1
        by_extra = k + 2 < len(tokens) and ident(tokens[k], "by") and ident(tokens[k + 1], "extra")
        if name and by_extra and op(tokens[k + 2], "("):  # val x by extra("1")
            close = matching(tokens, k + 2)
            self.variables[name] = tokens[k + 3 : close]
            self.exported.add(name)
            return close + 1
        if name and k < len(tokens) and op(tokens[k], "="):
            end = self.statement_end(k + 1)
            self.variables[name] = tokens[k + 1 : end]
            return end
        return k

    def assignment(self, i: int, context: Context) -> int | None:
        """``ext.x = …``, ``extra["x"] = …``, ``ext.set("x", …)``; a bare ``x = …`` only at
        the top level and in ``ext {}`` blocks, where it sets a project property."""
        end = self.statement_end(i)
        statement = [t for t in self.tokens[i:end] if t.kind != "nl"]
        if not statement:
            return None
        explicit = ident(statement[0], "ext", "extra", "project", "rootProject")
        depth = 0
        for k, token in enumerate(statement):
            depth += op(token, "(", "[", "{") - op(token, ")", "]", "}")
            if depth == 0 and op(token, "=", "+=") and k > 0:
                path = ref_path(statement[:k])
                if not path or not (explicit or context.kind in (TOP, EXT)):
                    return None
                for name, value in self.expand(path, statement[k + 1 :]):
                    if name != path or token.text == "=":  # `versions += [a: '1']` adds keys
                        self.variables[name] = value
                        self.exported.add(name)
                return end
        call = next((k for k, t in enumerate(statement) if ident(t, "set")), None)
        if call is None or not (explicit or context.kind == EXT) or call + 1 >= len(statement):
            return None
        args = split_args(statement[call + 2 : matching(statement, call + 1)])
        if op(statement[call + 1], "(") and len(args) == 2 and args[0][0].kind == "str":
            self.variables[args[0][0].text] = args[1]
            self.exported.add(args[0][0].text)
            return end
        return None

    def expand(
        self, path: str, value: list[Token], depth: int = 0
    ) -> Iterator[tuple[str, list[Token]]]:
        """``versions = [a: '1', b: [c: '2']]`` → ``versions.a``, ``versions.b.c``."""
        yield path, value
        inner: list[Token] = []
        if depth > MAX_NESTING:
            return
        if value and op(value[0], "[") and matching(value, 0) == len(value) - 1:
            inner = value[1:-1]
        elif len(value) > 2 and ident(value[0], "mapOf") and op(value[1], "("):
            inner = value[2:-1] if matching(value, 1) == len(value) - 1 else []
        for entry in split_args(inner):
            keyed = len(entry) >= 2 and entry[0].kind in ("id", "str")
            if keyed and (op(entry[1], ":") or ident(entry[1], "to")):
                yield from self.expand(f"{path}.{entry[0].text}", entry[2:], depth + 1)

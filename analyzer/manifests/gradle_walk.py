"""The statement walk over a Gradle build script: blocks (``dependencies``, ``plugins``,
``ext``, ``constraints``, test suites and source sets), the declarations in dependencies
blocks and the requests in ``plugins {}``, collected to be read once the walk is done.
"""

from __future__ import annotations

import re

from analyzer.errors import ManifestError
from analyzer.manifests.gradle_lexer import Token, ident, matching, op, split_args
from analyzer.manifests.gradle_lock import configuration_scope
from analyzer.manifests.gradle_script import (
    DEPS,
    EXT,
    OTHER,
    PLUGINS,
    SKIP,
    TOP,
    Context,
    Declaration,
    ScriptDefinitions,
)
from analyzer.model import Scope

_CONTROL = frozenset(
    {"if", "else", "for", "while", "when", "try", "catch", "finally", "do", "forEach", "each",
     "eachWithIndex", "forEachIndexed", "run", "also", "let", "with", "switch", "case"}
)  # fmt: skip
_STATEMENT_WORDS = _CONTROL | {"return", "throw", "break", "continue", "import", "package"}
# Calls inside a dependencies block that declare nothing (or not a module by name).
_NOT_CONFIGURATIONS = frozenset(
    {"constraints", "components", "modules", "attributesSchema", "registerTransform",
     "artifactTypes", "listOf", "setOf", "arrayOf", "mapOf", "println", "print", "logger",
     "exclude", "ext", "extra", "configurations", "project", "apply", "set"}
)  # fmt: skip
_NAME = re.compile(r"^[A-Za-z_]\w*$")
MAX_BLOCK_DEPTH = 32  # real scripts nest about six deep (multiplatform source sets)


class ScriptWalk(ScriptDefinitions):
    """A build script walked statement by statement."""

    def walk(self) -> None:
        """Visit each statement once, tracking blocks; a line break inside parentheses or
        brackets does not start a statement."""
        self.check_nesting()
        stack: list[tuple[Context, int]] = []  # each open block, with the parens outside it
        tokens, i, start, parens = self.tokens, 0, True, 0
        while i < len(tokens):
            token = tokens[i]
            context = stack[-1][0] if stack else Context(TOP)
            if token.kind == "nl" or op(token, ";"):
                i, start = i + 1, start or parens == 0
            elif op(token, "{"):
                stack.append((self.block(i, context), parens))
                i, start, parens = i + 1, True, 0
            elif op(token, "}"):
                parens = stack.pop()[1] if stack else 0
                i, start = i + 1, True
            elif start:
                i, start = self.statement(i, context), False
            else:
                parens = max(parens + op(token, "(", "[") - op(token, ")", "]"), 0)
                i += 1

    def check_nesting(self) -> None:
        """Refuse blocks nested absurdly deep, before the walk: each level rescans the
        statement holding it, so 10,000 levels would take quadratic time."""
        depth = 0
        for token in self.tokens:
            if op(token, "{"):
                depth += 1
                if depth > MAX_BLOCK_DEPTH:
                    message = f"blocks nested deeper than {MAX_BLOCK_DEPTH}"
                    raise ManifestError(message, self.line(token))
            elif op(token, "}"):
                depth = max(depth - 1, 0)

    def block(self, i: int, parent: Context) -> Context:
        """The context of the block opened at ``i``, from the name before the brace."""
        p = i - 1
        while p >= 0 and self.tokens[p].kind == "nl":
            p -= 1
        name, owner = "", ""
        if p >= 0 and op(self.tokens[p], ")"):
            depth = 0
            for q in range(p, -1, -1):
                depth += op(self.tokens[q], ")") - op(self.tokens[q], "(")
                if depth == 0:
                    p = q - 1
                    break
        if p >= 0 and self.tokens[p].kind == "id":
            name = self.tokens[p].text
            if p >= 2 and op(self.tokens[p - 1], "."):
                owner = self.tokens[p - 2].text
        test = parent.test or name in ("testing", "suites") or self.names_a_test(i)
        if name == "dependencies":
            return Context(DEPS, test)
        if name == "plugins":
            return Context(PLUGINS, test)
        if name in ("ext", "extra") or (name == "apply" and owner in ("ext", "extra")):
            return Context(EXT, test)
        if name == "constraints":
            return Context(SKIP, test)
        if parent.kind in (DEPS, PLUGINS, SKIP, EXT) and (not name or name in _CONTROL):
            return parent
        return Context(OTHER, test)

    def names_a_test(self, i: int) -> bool:
        """True when the header of the block at ``i`` names a test source set or suite:
        ``commonTest.dependencies {``, ``val jvmTest by getting {``, ``getByName("test") {``."""
        for k in range(i - 1, max(i - 40, -1), -1):
            token = self.tokens[k]
            if token.kind == "nl" or op(token, ";", "{", "}"):
                break
            named = token.kind in ("id", "str") and _NAME.match(token.text)
            if named and configuration_scope(token.text) is Scope.TEST:
                return True
        return False

    def statement(self, i: int, context: Context) -> int:
        """Read the statement at ``i``; return where the walk goes on."""
        end = self.apply_from(i) if ident(self.tokens[i], "apply") else None
        end = end if end is not None else self.definition(i, context)
        if end is not None:
            return end
        if context.kind == DEPS:
            return self.declaration(i, context)
        if context.kind == PLUGINS:
            return self.plugin(i)
        return i + 1

    def declaration(self, i: int, context: Context) -> int:
        tokens = self.tokens
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if not (token.kind == "id" or (token.kind == "str" and op(following, "("))):
            return i + 1
        if token.text in _STATEMENT_WORDS:
            return i + 1
        if op(following, "("):
            close = matching(tokens, i + 1)
            if close + 1 < len(tokens) and op(tokens[close + 1], ".", "?."):
                return close + 1  # a call chain such as listOf(...).forEach: not a declaration
            args = split_args(tokens[i + 2 : close])
            name = token.text
            if name == "add" and args and len(args[0]) == 1 and args[0][0].kind == "str":
                name, args = args[0][0].text, args[1:]
            elif name in _NOT_CONFIGURATIONS:
                return close + 1
            self.declarations.append(Declaration(name, args, self.line(token), context.test))
            return close + 1
        if not (following is not None and (following.kind in ("str", "id") or op(following, "["))):
            return i + 1  # Groovy's `implementation 'g:a:v'` needs an argument on its line
        if token.text in _NOT_CONFIGURATIONS:
            return i + 1
        end = self.statement_end(i + 1)
        args = split_args(tokens[i + 1 : end])
        self.declarations.append(Declaration(token.text, args, self.line(token), context.test))
        return end

    def plugin(self, i: int) -> int:
        """``id("x") version "1"``, ``id 'x' version '1'``, ``kotlin("jvm")``, ``alias(libs…)``."""
        tokens = self.tokens
        end = self.statement_end(i)
        statement = [t for t in tokens[i:end] if t.kind != "nl"]
        if not statement or not ident(statement[0], "id", "kotlin", "alias"):
            return end
        if len(statement) > 1 and op(statement[1], "("):
            close = matching(statement, 1)
            target, rest = statement[2:close], statement[close + 1 :]
        else:
            target, rest = statement[1:2], statement[2:]
        version: list[Token] = []
        keyword = next((k for k, t in enumerate(rest) if ident(t, "version")), None)
        if keyword is not None:
            after = rest[keyword + 1 :]
            if after and op(after[0], "("):  # id("x").version("1")
                version = after[1 : matching(after, 0)]
            else:  # id("x") version "1" apply false
                cut = next((k for k, t in enumerate(after) if ident(t, "apply")), len(after))
                version = after[:cut]
        self.plugin_requests.append((statement, target, version))
        return end

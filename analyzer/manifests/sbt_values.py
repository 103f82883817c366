"""The values of an sbt file: its ``val``/``def`` definitions (by name and by
``Object.name``), string expressions (``"a" + v``, ``s"…$v"``) resolved from them, and the
``scalaVersion`` it sets.
"""

from __future__ import annotations

import re

from analyzer.manifests.gradle_lexer import Token, ident, matching, op, template_end, tokenize
from analyzer.manifests.text import TextIndex
from analyzer.model import Dependency, ManifestFile, Problem

MODULE_OPS = ("%", "%%", "%%%")
_NAME = re.compile(r"[A-Za-z_]\w*")
_MAX_DEPTH = 20


class SbtValues:
    """One sbt file: its vals, its Scala version and the records read from it."""

    def __init__(self, file: ManifestFile, text: str) -> None:
        self.file = file
        self.text = text
        self.index = TextIndex(text)
        self.tokens = tokenize(text, scala=True)
        self.values: dict[str, list[Token]] = {}
        self.resolved: dict[str, str | None] = {}
        self.deps: list[Dependency] = []
        self.problems: list[Problem] = []
        self.noted: set[str] = set()
        self.collect_values()

    def problem(self, token: Token | None, message: str) -> None:
        line = self.index.line_of(token.offset) if token else None
        self.problems.append(Problem(self.file.path, line, message, self.file.repo))

    def collect_values(self) -> None:
        """``val x = …`` (also ``lazy``/``def``/typed), by name and ``Object.name``."""
        tokens, owners = self.tokens, []
        for k, token in enumerate(tokens):
            if op(token, "{"):
                named = k >= 2 and ident(tokens[k - 2], "object") and ident(tokens[k - 1])
                owners.append(tokens[k - 1].text if named else "")
            elif op(token, "}") and owners:
                owners.pop()
            elif ident(token, "val", "def", "var") and k + 1 < len(tokens) and ident(tokens[k + 1]):
                j = k + 2
                if j < len(tokens) and op(tokens[j], ":"):  # a type: `val v: String = ...`
                    while j < len(tokens) and tokens[j].kind != "nl" and not op(tokens[j], "="):
                        j += 1
                if j < len(tokens) and op(tokens[j], "="):
                    value = tokens[j + 1 : self.expression_end(j + 1)]
                    name = tokens[k + 1].text
                    self.values.setdefault(name, value)
                    owner = ".".join(o for o in owners if o)
                    if owner:
                        self.values[f"{owner}.{name}"] = value

    def expression_end(self, k: int) -> int:
        """The end of an expression: a line break, comma or closing bracket at its level."""
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
                and (op(token, ",", ";") or token.kind == "nl")
                and not op(tokens[k - 1], *MODULE_OPS, "+", "=", ":=")
            ):
                return k  # a line ending in an operator goes on
            k += 1
        return k

    def lookup(self, path: str, depth: int) -> str | None:
        """A val's string value, by full path, then by its last name (``V.akka`` → ``akka``)."""
        for name in dict.fromkeys((path, path.rsplit(".", 1)[-1])):
            if name in self.values:
                if name not in self.resolved:
                    self.resolved[name] = None  # a val defined through itself stays unresolved
                    self.resolved[name] = self.string(self.values[name], depth + 1)
                return self.resolved[name]
        return None

    def string(self, tokens: list[Token], depth: int = 0) -> str | None:
        """The value of ``"a"``, ``s"…$v"``, ``name``, ``a + b``; None if not understood."""
        if depth > _MAX_DEPTH or not tokens:
            return None
        values = []
        for part in _split(tokens, "+"):
            if len(part) > 2 and op(part[0], "(") and matching(part, 0) == len(part) - 1:
                value = self.string(part[1:-1], depth + 1)  # (v + ".1")
                if value is None:
                    return None
                values.append(value)
            elif len(part) == 1 and part[0].kind == "str":
                token = part[0]
                values.append(self.interpolate(token.text, depth) if token.template else token.text)
            else:
                path = dotted_path(part)
                value = self.lookup(path, depth) if path else None
                if value is None:
                    return None
                values.append(value)
        return "".join(values)

    def interpolate(self, text: str, depth: int) -> str:
        out, j = [], 0
        while j < len(text):
            if text.startswith("${", j):
                end = template_end(text, j + 2)
                value = self.string(tokenize(text[j + 2 : end - 1], scala=True), depth + 1)
                out.append(value if value is not None else text[j:end])
                j = end
            elif text[j] == "$" and (match := _NAME.match(text, j + 1)):
                value = self.lookup(match.group(), depth + 1)
                out.append(value if value is not None else text[j : match.end()])
                j = match.end()
            else:
                out.append(text[j])
                j += 1
        return "".join(out)

    def scala_version(self) -> str | None:
        """The value of ``scalaVersion := …`` (``ThisBuild / scalaVersion``, ``in ThisBuild``)."""
        tokens = self.tokens
        for k, token in enumerate(tokens):
            if not ident(token, "scalaVersion"):
                continue
            j = k + 1
            while j < len(tokens) and ident(tokens[j], "in", "ThisBuild", "Global"):
                j += 1
            if j < len(tokens) and op(tokens[j], ":="):
                value = self.string(tokens[j + 1 : self.expression_end(j + 1)])
                if value:
                    return value
        return None


def dotted_path(tokens: list[Token]) -> str | None:
    names = [t.text for t in tokens if not op(t, ".")]
    dotted = all(ident(t) or op(t, ".") for t in tokens)
    return ".".join(names) if tokens and dotted else None


def _split(tokens: list[Token], separator: str) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "nl":
            continue
        depth += op(token, "(", "[", "{") - op(token, ")", "]", "}")
        if depth == 0 and op(token, separator):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts

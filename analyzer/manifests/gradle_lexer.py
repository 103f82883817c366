"""The lexer shared by the Gradle and sbt readers: Groovy, Kotlin or Scala source as tokens.

Strings keep their body (templates such as ``${...}`` included, read later); comments and blanks
are dropped, line breaks kept (they end statements). The helpers below walk token lists:
matching brackets, top-level arguments, bare operators and identifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.errors import ManifestError

MAX_NESTING = 20
_LEXEME = re.compile(
    r"(?P<nl>\r\n|\r|\n)|(?P<ws>[ \t\f\v\ufeff]+|\\(?=\r|\n))|(?P<lc>//[^\r\n]*)"
    r"|(?P<bc>/\*.*?(?:\*/|\Z))|(?P<id>[A-Za-z_][\w]*)|(?P<num>\d[\w.]*)"
    r"|(?P<op>\+\+=|\+=|:=|%%%|%%|!!|->|\?\.|==|!=|<=|>=|&&|\|\||.)",
    re.DOTALL,
)
_SINGLE = re.compile(r"'''.*?(?:'''|\Z)|'(?:[^'\\\r\n]|\\.)*'?", re.DOTALL)
_CHAR = re.compile(r"'(?:\\.|[^'\\\r\n])'")


@dataclass(frozen=True)
class Token:
    """A lexeme: kind ``id``, ``str``, ``num``, ``op`` or ``nl``; strings hold their body."""

    kind: str
    text: str
    offset: int
    end: int
    template: bool = False  # a string whose ``$name``/``${expr}`` parts are interpolated


def tokenize(text: str, *, scala: bool = False) -> list[Token]:
    """Groovy/Kotlin (or, with ``scala``, Scala) tokens; comments and blanks dropped."""
    tokens: list[Token] = []
    i, n, interpolator = 0, len(text), False
    while i < n:
        char = text[i]
        if char == '"':
            end = _string_end(text, i, 0)
            quote = '"""' if text.startswith('"""', i) else '"'
            closed = end - i >= 2 * len(quote) and text.endswith(quote, 0, end)
            body = text[i + len(quote) : end - len(quote) if closed else end]
            tokens.append(Token("str", body, i, end, template=interpolator or not scala))
            i, interpolator = end, False
            continue
        interpolator = False
        if char == "'":
            match = _CHAR.match(text, i) if scala else _SINGLE.match(text, i)
            if match:
                found = match.group()
                quote = "'''" if found.startswith("'''") else "'"
                closed = len(found) >= 2 * len(quote) and found.endswith(quote)
                body = found[len(quote) : len(found) - len(quote) if closed else len(found)]
                tokens.append(Token("str", body, i, match.end()))
                i = match.end()
                continue
        if char == "`":  # a Kotlin/Scala identifier in backticks: `java-library`
            end = text.find("`", i + 1)
            end = end if end != -1 and "\n" not in text[i:end] else i
            if end > i:
                tokens.append(Token("id", text[i + 1 : end], i, end + 1))
                i = end + 1
                continue
        lexeme = _LEXEME.match(text, i)
        assert lexeme is not None  # the last alternative matches any character
        kind = lexeme.lastgroup or "op"
        # Scala's s"..." (any identifier right before a quote) is an interpolated string.
        interpolator = scala and kind == "id" and text.startswith('"', lexeme.end())
        if kind in ("nl", "id", "num", "op") and not interpolator:
            tokens.append(Token(kind, lexeme.group(), i, lexeme.end()))
        i = lexeme.end()
    return tokens


def _string_end(text: str, i: int, depth: int) -> int:
    """End offset of the double-quoted string at ``i``, templates (``${...}``) included."""
    quote = '"""' if text.startswith('"""', i) else '"'
    j, n = i + len(quote), len(text)
    while j < n:
        if text.startswith(quote, j):
            return j + len(quote)
        char = text[j]
        if char == "\\":
            j += 2
        elif char in "\r\n" and len(quote) == 1:
            return j  # unterminated: the line ends it
        elif text.startswith("${", j):
            j = template_end(text, j + 2, depth + 1)
        else:
            j += 1
    return n


def template_end(text: str, j: int, depth: int = 1) -> int:
    """End offset of a ``${...}`` whose body starts at ``j`` (strings inside skipped)."""
    if depth > MAX_NESTING:
        raise ManifestError("string templates nested too deeply", text.count("\n", 0, j) + 1)
    level, n = 1, len(text)
    while j < n:
        char = text[j]
        if char == '"':
            j = _string_end(text, j, depth)
            continue
        if char == "{":
            level += 1
        elif char == "}":
            level -= 1
            if level == 0:
                return j + 1
        j += 1
    return n


def matching(tokens: list[Token], i: int) -> int:
    """Index of the bracket closing the one at ``i`` (or ``len(tokens)``)."""
    depth = 0
    for k in range(i, len(tokens)):
        if tokens[k].text in ("(", "[", "{") and tokens[k].kind == "op":
            depth += 1
        elif tokens[k].text in (")", "]", "}") and tokens[k].kind == "op":
            depth -= 1
            if depth == 0:
                return k
    return len(tokens)


def unwrap(tokens: list[Token]) -> list[Token]:
    """The tokens without the parentheses around all of them: ``((x))`` → ``x``."""
    pairs: dict[int, int] = {}
    opened: list[int] = []
    for k, token in enumerate(tokens):
        if op(token, "(", "[", "{"):
            opened.append(k)
        elif op(token, ")", "]", "}") and opened:
            pairs[opened.pop()] = k
    start, end = 0, len(tokens) - 1
    while start < end and op(tokens[start], "(") and pairs.get(start) == end:
        start, end = start + 1, end - 1
    return tokens[start : end + 1]


def split_args(tokens: list[Token]) -> list[list[Token]]:
    """Comma-separated arguments at the top level, line breaks dropped."""
    args: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "nl":
            continue
        if token.kind == "op" and token.text in ("(", "[", "{"):
            depth += 1
        elif token.kind == "op" and token.text in (")", "]", "}"):
            depth -= 1
        if depth == 0 and token.kind == "op" and token.text == ",":
            args.append([])
        else:
            args[-1].append(token)
    return [arg for arg in args if arg]


def op(token: Token | None, *texts: str) -> bool:
    return token is not None and token.kind == "op" and token.text in texts


def ident(token: Token | None, *texts: str) -> bool:
    return token is not None and token.kind == "id" and (not texts or token.text in texts)

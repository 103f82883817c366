"""A tokenizer for the literal parts of Ruby code, and the calls read from its tokens.

Enough Ruby for Gemfiles and gemspecs: strings, ``%q``/``%w`` literals, symbols and ``key:``
labels are tokens; comments, ``=begin`` blocks, heredoc bodies and everything after
``__END__`` are skipped. ``statements`` splits the tokens at line ends, ``;``, ``then``,
``else``, ``do`` and ``end``; ``arguments``, ``literal`` and ``read_call`` read a call whose
arguments are literals, and say when one is computed instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""(?P<nl>\r\n|\r|\n)
    |(?P<space>[ \t\f\v]+|\\(?:\r\n|\r|\n))
    |(?P<comment>\#[^\r\n]*)
    |(?P<heredoc><<[~-]?(?P<quote>['"`]?)(?P<tag>[A-Za-z_]\w*)(?P=quote))
    |(?P<str>"(?:[^"\\]|\\.?)*+(?P<dq>"?)|'(?:[^'\\]|\\.?)*+(?P<sq>'?))(?P<colon>:(?!:))?
    |(?P<pct>%[qQwWiI]?(?:\((?:[^()\\]|\\.)*\)|\[(?:[^\[\]\\]|\\.)*\]|\{(?:[^{}\\]|\\.)*\}
        |<(?:[^<>\\]|\\.)*>|\|(?:[^|\\]|\\.)*\||!(?:[^!\\]|\\.)*!))
    |(?P<label>[A-Za-z_]\w*[?!]?:(?!:))
    |(?P<sym>:(?:[A-Za-z_]\w*[?!=]?|"(?:[^"\\]|\\.?)*+(?:"|\Z)|'(?:[^'\\]|\\.?)*+(?:'|\Z)))
    |(?P<word>[@$]*[A-Za-z_]\w*[?!]?)
    |(?P<op>=>|::|&&|\|\||&\.|[=!<>]=|\.)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_CONTINUES = frozenset({",", "=>", ".", "&.", "&&", "||", "{", "(", "[", "=", "+"})
_EXACT = re.compile(r"^(?:=\s*)?(\d[0-9A-Za-z.]*)$")  # "1.2.3" and "= 1.2.3" pin one version


@dataclass(frozen=True)
class Token:
    """One token; ``kind`` is str, sym, label, words, word, op or other."""

    kind: str
    value: str
    line: int
    literal: bool = True  # False for a string with #{interpolation} or a heredoc


def tokenize(text: str) -> Iterator[Token]:
    """Ruby tokens with their lines; "nl" tokens mark line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # one break per line, any style
    pos, line, heredocs = 0, 1, list[str]()
    while pos < len(text):
        if (pos == 0 or text[pos - 1] == "\n") and text.startswith(("=begin", "__END__"), pos):
            if text.startswith("__END__", pos):
                return  # what follows is data, not code
            end = re.compile(r"^=end\b.*$", re.M).search(text, pos)
            stop = end.end() if end else len(text)
            line, pos = line + text.count("\n", pos, stop), stop
            continue
        match = _TOKEN.match(text, pos)
        assert match is not None  # the last alternative matches any character
        kind = "str" if match.lastgroup == "colon" else match.lastgroup or "other"
        piece = match.group("str") if kind == "str" else match.group()
        if kind == "nl" and heredocs:  # skip the bodies of heredocs opened on this line
            tags = "|".join(re.escape(tag) for tag in heredocs)
            end = re.compile(rf"^[ \t]*(?:{tags})[ \t]*$", re.M).search(text, match.end())
            stop = end.end() if end else len(text)
            line, pos, heredocs = line + text.count("\n", pos, stop), stop, []
            yield Token("nl", "", line)
            continue
        if kind == "heredoc":
            heredocs.append(match.group("tag"))
            yield Token("other", "<<", line, literal=False)
        elif kind == "pct":
            yield _string(piece, line)
        elif kind == "str":  # an unterminated string runs to the end: never a usable literal
            closed = bool(match.group("dq") or match.group("sq"))
            yield _string(piece, line, label=match.group("colon") is not None, closed=closed)
        elif kind == "label":
            yield Token(kind, piece[:-1], line)
        elif kind == "sym":
            yield Token(kind, re.sub(r"^:([\"']?)(.*)\1$", r"\2", piece, flags=re.S), line)
        elif kind not in ("space", "comment"):
            yield Token(kind, piece, line)
        line += piece.count("\n")
        pos = match.end()


def _string(piece: str, line: int, *, label: bool = False, closed: bool = True) -> Token:
    if piece.startswith("%"):
        flavour = piece[1] if piece[1].isalpha() else "Q"
        body = piece[3:-1] if piece[1].isalpha() else piece[2:-1]
        kind = "words" if flavour in "wWiI" else "str"
        return Token(kind, body, line, literal=flavour in "qwi" or "#{" not in body)
    body = _ESCAPE.sub(r"\1", piece[1:-1])
    interpolated = piece.startswith('"') and "#{" in piece
    return Token("label" if label else "str", body, line, literal=closed and not interpolated)


def statements(tokens: Iterator[Token]) -> Iterator[list[Token]]:
    """Split tokens into statements: at line ends outside brackets, ``;``, ``then``, ``else``,
    after ``do`` (dropping its ``|params|``) and around ``end``."""
    current: list[Token] = []
    depth, params = 0, ""  # params: "" | "after do" | "inside |...|"
    for token in tokens:
        value = token.value if token.kind in ("other", "op", "word", "nl") else ""
        if params == "inside":
            params = "" if value == "|" or token.kind == "nl" else params
            continue
        if params == "after do":
            params = "inside" if value == "|" else ""
            if params:
                continue
        if token.kind == "nl" or value == ";" or is_word(token, "then", "else", "end", "do"):
            if token.kind == "nl" and (depth > 0 or (current and _continues(current[-1]))):
                continue
            if value == "do":
                current.append(token)
            if current:
                yield current
            current, depth = ([token] if value == "end" else []), 0
            params = "after do" if value == "do" else ""
        else:
            if token.kind == "other":
                depth = max(0, depth + (value in ("(", "[")) - (value in (")", "]")))
            current.append(token)
    if current:
        yield current


def _continues(token: Token) -> bool:
    """True when a line ending in ``token`` goes on on the next line (``gem "a",``)."""
    return is_op(token, *_CONTINUES)


def is_op(token: Token, *values: str) -> bool:
    """True for punctuation or an operator among ``values`` (never a string's contents)."""
    return token.kind in ("other", "op") and token.value in values


def is_word(token: Token, *words: str) -> bool:
    """True for a bare word (a method name or keyword) among ``words``."""
    return token.kind == "word" and token.value in words


def arguments(tokens: list[Token], opened: int = 0) -> list[list[Token]]:
    """The comma-separated arguments of a call, with or without parentheses; a trailing
    ``{hash}`` is opened (``opened`` counts how many already were: a hash within a hash
    within ... stays whole past a few, so 10,000 nested braces cannot exhaust the stack).
    Stops at a bracket it did not open, a modifier ``if``/``unless`` or ``do``."""
    if tokens and is_op(tokens[0], "("):
        tokens = tokens[1:]
    args: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if is_op(token, "(", "[", "{"):
            depth += 1
        elif is_op(token, ")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (is_word(token, "if", "unless", "do") or is_op(token, ",")):
            if not is_op(token, ","):
                break
            args.append([])
            continue
        args[-1].append(token)
    flat: list[list[Token]] = []
    for arg in args:
        if len(arg) >= 2 and is_op(arg[0], "{") and is_op(arg[-1], "}") and opened < 8:
            flat.extend(arguments(arg[1:-1], opened + 1))
        elif arg:
            flat.append(arg)
    return flat


def literal(arg: list[Token], array: bool = True) -> list[str] | None:
    """The strings of a literal argument (``"a"``, ``%q<a>.freeze``, ``["a", "b"]``,
    ``%w[a b]``), or None when it is computed. An array's items must be strings (``array``
    is False for them): arrays of arrays are not names, and nesting 10,000 deep would
    exhaust the stack."""
    if len(arg) >= 3 and is_op(arg[-2], ".") and is_word(arg[-1], "freeze"):
        arg = arg[:-2]
    if len(arg) == 1 and arg[0].kind in ("str", "words") and arg[0].literal:
        return [arg[0].value] if arg[0].kind == "str" else arg[0].value.split()
    if array and len(arg) >= 2 and is_op(arg[0], "[") and is_op(arg[-1], "]"):
        items = [literal(item, array=False) for item in arguments(arg[1:-1])]
        if all(item is not None and len(item) == 1 for item in items):
            return [item[0] for item in items if item is not None]
    return None


def key_value(arg: list[Token]) -> tuple[str, list[Token]] | None:
    """``key: value``, ``:key => value`` or ``"key" => value`` as (key, value tokens)."""
    if not arg:
        return None
    if arg[0].kind == "label":
        return arg[0].value, arg[1:]
    if len(arg) >= 2 and is_op(arg[1], "=>") and arg[0].kind in ("sym", "str"):
        return arg[0].value, arg[2:]
    return None


@dataclass
class Call:
    """A ``gem``-like call: name, literal version requirements and options."""

    name: str | None
    constraints: list[str] = field(default_factory=list)
    computed: bool = False  # a requirement that is not a literal
    options: dict[str, list[Token]] = field(default_factory=dict)

    @property
    def spec(self) -> str | None:
        return ", ".join(c.strip() for c in self.constraints) or None

    @property
    def version(self) -> str | None:
        exact = _EXACT.match(self.constraints[0].strip()) if len(self.constraints) == 1 else None
        return exact.group(1) if exact else None


def read_call(args: list[list[Token]]) -> Call:
    """The name (None unless a literal), requirements and options of a call."""
    names = literal(args[0]) if args and key_value(args[0]) is None else None
    call = Call(names[0] if names and len(names) == 1 else None)
    for arg in args[1:]:
        pair = key_value(arg)
        values = literal(arg) if pair is None else None
        if pair is not None:
            call.options[pair[0]] = pair[1]
        elif values is None:
            call.computed = True
        else:
            call.constraints.extend(values)
    return call

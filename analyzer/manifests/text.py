"""Decoding manifest bytes and finding where a value sits in the text (1-based lines)."""

from __future__ import annotations

import bisect
import json
import re

from analyzer.errors import ManifestError

# UTF-32 marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# A TOML ``name = "x"`` key; names are compared in Python, so one pattern serves every package
# (a pattern per name would overflow the re module's cache on large lockfiles).
_NAME_KEY = re.compile(r"(?<![\w-])name[ \t]*=[ \t]*([\"'])(.*?)\1")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]', re.DOTALL)


def decode_text(data: bytes) -> str:
    """Decode a manifest: UTF-8, or UTF-8/16/32 when a byte order mark says so.

    Anything else is a ManifestError naming the line of the first undecodable byte, because a
    guessed encoding could silently misread package names.
    """
    encoding, body = "utf-8", data
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom) :]
            break
    else:
        if b"\x00" in data[:8192]:
            raise ManifestError("binary file, not a text manifest")
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        # Count lines in what did decode, so the number is right for every encoding.
        line = body[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        if encoding == "utf-8" and body is data:
            message = f"not valid UTF-8 (byte 0x{body[exc.start]:02x})"
        else:
            message = f"invalid {encoding.upper()} text: {exc.reason}"
        raise ManifestError(message, line) from None


class TextIndex:
    """Finds keys and string literals in manifest text so records can carry line numbers.

    Parsers such as tomllib and json do not report positions; searching the text for the
    quoted value, starting after the key that holds it, recovers them for real-world files.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def line_of(self, offset: int) -> int | None:
        if offset < 0:
            return None
        return bisect.bisect_right(self._starts, offset)

    def find_table(self, *parts: str) -> int:
        """Offset of a TOML table header such as ``[project.optional-dependencies]``, or -1."""
        dotted = r"\s*\.\s*".join(_toml_key(p) for p in parts)
        match = re.search(rf"^[ \t]*\[[ \t]*{dotted}[ \t]*\]", self.text, re.MULTILINE)
        return match.start() if match else -1

    def find_key(self, key: str, start: int = 0, *, inline: bool = False) -> int:
        """Offset of ``key =`` (TOML) or ``"key":`` (JSON) at or after ``start``, or -1.

        TOML keys are looked for at the start of a line; with ``inline`` also inside an inline
        table (``{test = [...]}``) or after a dot (``optional-dependencies.test = [...]``).
        """
        lead = r"(?:^[ \t]*|(?<=[{,.])[ \t]*)" if inline else r"^[ \t]*"
        pattern = rf"(?:{lead}{_toml_key(key)}[ \t]*=)|(?:\"{re.escape(key)}\"\s*:)"
        match = re.compile(pattern, re.MULTILINE).search(self.text, max(start, 0))
        return match.start() if match else -1

    def find_string(self, value: str, start: int = 0) -> int:
        """Offset of the quoted literal ``value`` at or after ``start``, or -1.

        Besides the literal forms ``"value"`` and ``'value'`` it tries the escaped form
        (``"a \\"b\\""``), which TOML basic strings and JSON share for common characters.
        """
        best = -1
        escaped = json.dumps(value, ensure_ascii=False)
        for candidate in dict.fromkeys((f'"{value}"', f"'{value}'", escaped)):
            found = self.text.find(candidate, max(start, 0))
            if found != -1 and (best == -1 or found < best):
                best = found
        return best


def json_key_offsets(text: str, max_depth: int = 2) -> dict[tuple[str, ...], list[int]]:
    """Offsets of the object keys of a JSON document, by key path, down to ``max_depth``.

    ``{"dependencies": {"a": "1"}}`` gives ``{("dependencies",): [1], ("dependencies", "a"):
    [19]}``. Paths through arrays are left out. A key repeated in one object keeps every
    offset, in order. Searching for ``"a":`` instead would find keys of nested objects, such
    as a ``"dependencies"`` inside some tool's configuration, before the real one.
    """
    offsets: dict[tuple[str, ...], list[int]] = {}
    path: list[str | None] = []  # the key of each open container; None for arrays
    stack: list[str] = []
    expect_key = False
    last_key: str | None = None
    for match in _JSON_TOKEN.finditer(text):
        piece = match.group()
        if piece in ("{", "["):
            path.append(last_key if stack and stack[-1] == "{" else None)
            stack.append(piece)
            expect_key, last_key = piece == "{", None
        elif piece in ("}", "]"):
            if stack:
                stack.pop()
                path.pop()
            expect_key = False
        elif piece == ",":
            expect_key = bool(stack) and stack[-1] == "{"
        elif piece == ":":
            expect_key = False
        elif expect_key:
            last_key = _json_string(piece)
            keys = path[1:]
            if last_key is not None and None not in keys and len(keys) < max_depth:
                full = (*(k for k in keys if k is not None), last_key)
                offsets.setdefault(full, []).append(match.start())
    return offsets


def find_name(text: str, name: str, start: int, end: int) -> re.Match[str] | None:
    """The first TOML ``name = "<name>"`` key between ``start`` and ``end``."""
    return next((m for m in _NAME_KEY.finditer(text, start, end) if m.group(2) == name), None)


def _json_string(token: str) -> str | None:
    if "\\" not in token:  # no escapes: the text between the quotes is the string
        return token[1:-1]
    try:
        value = json.loads(token)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _toml_key(key: str) -> str:
    escaped = re.escape(key)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"

"""Decoding manifest bytes and finding where a value sits in the text (1-based lines)."""

from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache
from itertools import accumulate

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

    Parsers such as tomli and json do not report positions; searching the text for the
    quoted value, starting after the key that holds it, recovers them for real-world files.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        else:  # the usual case, done without a Python step per line
            lengths = map((1).__add__, map(len, text.split("\n")))  # each line and its "\n"
            self._starts = list(accumulate(lengths, initial=0))
            self._starts.pop()  # the offset after the last line's (missing) "\n"

    def line_of(self, offset: int) -> int | None:
        if offset < 0:
            return None
        return bisect.bisect_right(self._starts, offset)

    def find_table(self, *parts: str) -> int:
        """Offset of a TOML table header such as ``[project.optional-dependencies]``, or -1."""
        dotted = r"\s*\.\s*".join(_toml_key(p) for p in parts)
        match = pattern(rf"^[ \t]*\[[ \t]*{dotted}[ \t]*\]", re.MULTILINE).search(self.text)
        return match.start() if match else -1

    def find_key(self, key: str, start: int = 0, *, inline: bool = False) -> int:
        """Offset of ``key =`` (TOML) or ``"key":`` (JSON) at or after ``start``, or -1.

        TOML keys are looked for at the start of a line; with ``inline`` also inside an inline
        table (``{test = [...]}``) or after a dot (``optional-dependencies.test = [...]``).
        """
        lead = r"(?:^[ \t]*|(?<=[{,.])[ \t]*)" if inline else r"^[ \t]*"
        source = rf"(?:{lead}{_toml_key(key)}[ \t]*=)|(?:\"{re.escape(key)}\"\s*:)"
        match = pattern(source, re.MULTILINE).search(self.text, max(start, 0))
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


@lru_cache(maxsize=4096)
def pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` with a cache larger than the re module's 512 patterns. Keys and tables
    are found with a pattern per name; an organization's manifests name thousands of them,
    and the re module's own cache would forget each pattern before its next use."""
    return re.compile(source, flags)


def find_name(text: str, name: str, start: int, end: int) -> re.Match[str] | None:
    """The first TOML ``name = "<name>"`` key between ``start`` and ``end``."""
    return next((m for m in _NAME_KEY.finditer(text, start, end) if m.group(2) == name), None)


def _toml_key(key: str) -> str:
    escaped = re.escape(key)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"

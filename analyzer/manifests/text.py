"""Decoding manifest bytes and finding where a value sits in the text (1-based lines)."""

from __future__ import annotations

import bisect
import re

from analyzer.errors import ManifestError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_text(data: bytes) -> str:
    """Decode a manifest: UTF-8, or UTF-16 when a byte order mark says so.

    Anything else is a ManifestError naming the line of the first undecodable byte, because a
    guessed encoding could silently misread package names.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ManifestError(f"invalid {encoding.upper()} text: {exc.reason}") from None
    if b"\x00" in data[:8192]:
        raise ManifestError("binary file, not a text manifest")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise ManifestError(f"not valid UTF-8 (byte 0x{byte:02x})", line) from None


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

    def find_key(self, key: str, start: int = 0) -> int:
        """Offset of ``key =`` (TOML) or ``"key":`` (JSON) at or after ``start``, or -1."""
        pattern = rf"(?:^[ \t]*{_toml_key(key)}[ \t]*=)|(?:\"{re.escape(key)}\"\s*:)"
        match = re.compile(pattern, re.MULTILINE).search(self.text, max(start, 0))
        return match.start() if match else -1

    def find_string(self, value: str, start: int = 0) -> int:
        """Offset of the quoted literal ``value`` at or after ``start``, or -1."""
        best = -1
        for quote in ('"', "'"):
            found = self.text.find(f"{quote}{value}{quote}", max(start, 0))
            if found != -1 and (best == -1 or found < best):
                best = found
        return best


def _toml_key(key: str) -> str:
    escaped = re.escape(key)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"

"""Gitignore-style path globs: ``*`` within a segment, ``**`` across segments."""

from __future__ import annotations

import re
from collections.abc import Iterable


def _bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """Translate the class ``[...]`` opening at ``start``; None when it is never closed."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    i += int(negate)
    # A "]" right after the opening bracket is a member, as in gitignore and fnmatch.
    end = pattern.find("]", i + 1 if i < len(pattern) and pattern[i] == "]" else i)
    if end < 0 or "/" in pattern[i:end]:
        return None
    # Everything but a range's "-" is literal inside the class; a second "-" in a row is
    # escaped too, as "--" would be read as set difference by future versions of re.
    members = ""
    for char in pattern[i:end]:
        members += "-" if char == "-" and not members.endswith("-") else re.escape(char)
    # A class never matches the separator, even when negated.
    regex = f"[^/{members}]" if negate else f"[{members}]"
    try:
        re.compile(regex)
    except re.error:  # a reversed range such as [z-a] is taken literally
        return None
    return regex, end + 1


def glob_to_regex(pattern: str) -> str:
    """Translate a glob to a regular expression matching POSIX relative paths.

    A pattern without a slash matches a file or directory name at any depth, as in
    ``.gitignore``; a pattern with one is anchored at the audited root. A match on a
    directory covers everything below it, so ``fixtures/**`` also names ``fixtures``.
    """
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    # "dir/**" means "everything in dir"; matching dir itself lets the walk prune it.
    while pattern.endswith("/**"):
        pattern = pattern.removesuffix("/**")
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (bracket := _bracket(pattern, i)):
            out.append(bracket[0])
            i = bracket[1]
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return f"{prefix}{body}(?:/.*)?"


class GlobSet:
    """A set of globs compiled into one regular expression."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(p for p in patterns if p.strip())
        joined = "|".join(f"(?:{glob_to_regex(p)})" for p in self.patterns)
        self._regex = re.compile(joined) if joined else None

    def matches(self, path: str) -> bool:
        """True when ``path`` (POSIX, relative to the audited root) or a parent matches."""
        return self._regex is not None and self._regex.fullmatch(path) is not None

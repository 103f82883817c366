"""Remembering what each repository's manifests said, from one audit to the next.

Parsing is most of an offline audit's work, and a repository whose files have not changed
parses to the same records. So the results of each repository (its files' records, problems,
edges and locks, merged as the audit merges them) are kept in ``parsed.sqlite`` in the cache
folder, together with a digest of every file their parsing read: the manifests and the files
they include (``-r base.txt``, a parent POM), or the error that reading one gave.

An audit takes a repository's results from the store only when it has the same manifests (by
path and size), every file read before reads the same again (a digest of its bytes, or for a
local file whose identity, size and times are as ``stat`` gave them before, without reading
it: see ``TreeReader.signature``), and
fundscout's own code and the parsing libraries are the same (``fingerprint``). Anything else
is parsed again, and the store learns the new results. Entries unused for 30 days are
dropped.

The store is trusted no more than a crawled file: entries are JSON (``parse_entries``), and
each value is checked as records are rebuilt; an entry that does not fit is a miss. A store
that cannot be opened or written only costs the time it would have saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from analyzer.model import ManifestFile
from analyzer.parse_entries import Found, decode, encode

log = logging.getLogger(__name__)
FILENAME = "parsed.sqlite"
KEEP_DAYS = 30  # entries unused this long are dropped
SCHEMA = """CREATE TABLE IF NOT EXISTS parsed (
    key BLOB PRIMARY KEY, used REAL NOT NULL, body BLOB NOT NULL)"""
_LIBRARIES = ("packaging", "tomli", "defusedxml", "PyYAML")  # what parsers hand text to


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ReadLog:
    """A file reader that notes what each file it read held (a digest), or how reading it
    failed: what a repository's results depend on. Picklable when its reader is, so that a
    parsing worker can read through it and send back what it ``seen``.

    When its reader can tell a file's ``signature`` (a local tree's can: its identity, size
    and times from ``stat``), the note is the digest, ``@`` and the signature taken before
    the read: the next audit then compares the signature alone, without reading the file."""

    def __init__(self, inner: Callable[[str], bytes]) -> None:
        self.inner = inner
        self.seen: dict[str, str] = {}

    def __call__(self, path: str) -> bytes:
        sign: Callable[[str], str | None] | None = getattr(self.inner, "signature", None)
        before = sign(path) if sign is not None else None
        try:
            data = self.inner(path)
        except Exception as exc:  # the parser turns it into a problem; the next audit checks it
            self.seen[path] = f"!{type(exc).__name__}: {exc}"
            raise
        held = digest(data)
        self.seen[path] = f"{held}@{before}" if before else held
        return data


def _held(noted: str) -> tuple[str, str]:
    """A noted read's digest (or error) and the file's signature (``""`` when none)."""
    if noted.startswith("!"):  # an error's message may hold an @
        return noted, ""
    held, _, signature = noted.partition("@")
    return held, signature


def unchanged(reader: Callable[[str], bytes], path: str, noted: str) -> bool:
    """Whether reading ``path`` now gives what ``ReadLog`` noted: the same signature, else
    the same digest (or error) when read again."""
    held, signature = _held(noted)
    sign: Callable[[str], str | None] | None = getattr(reader, "signature", None)
    if signature and sign is not None and sign(path) == signature:
        return True
    now = ReadLog(reader)
    with contextlib.suppress(Exception):  # noted, and compared
        now(path)
    return _held(now.seen[path])[0] == held


_fingerprint: str | None = None


def fingerprint() -> str:
    """A digest of fundscout's own code, the Python version and the parsing libraries: results
    remembered by other code are never used."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).parent
        hashed = hashlib.sha256(sys.version.encode())
        for path in sorted(package.rglob("*.py")):
            hashed.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
        for name in _LIBRARIES:
            try:
                hashed.update(f"{name}={metadata.version(name)}".encode())
            except metadata.PackageNotFoundError:
                hashed.update(f"{name}=-".encode())
        _fingerprint = hashed.hexdigest()
    return _fingerprint


@dataclass
class Miss:
    """A repository to parse: its files (reading through ``reads``) and its store key."""

    key: bytes
    files: list[ManifestFile]
    reads: ReadLog
    indices: list[int] = field(default_factory=list)


class ParseCache:
    """The store in ``folder``; ``None`` from ``open`` when it cannot be used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)
        self.hits: list[bytes] = []

    @classmethod
    def open(cls, folder: Path) -> ParseCache | None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return cls(folder / FILENAME)
        except (OSError, sqlite3.Error) as exc:
            log.warning("parsed manifests are not remembered: %s: %s", folder / FILENAME, exc)
            return None

    def key(self, files: Sequence[ManifestFile], sboms: frozenset[ManifestFile]) -> bytes:
        listing = [(f.repo, f.repo_path, f.path, f.size, f in sboms) for f in files]
        return hashlib.sha256(f"{fingerprint()}\0{json.dumps(listing)}".encode()).digest()

    def lookup(self, key: bytes, files: Sequence[ManifestFile]) -> list[Found] | None:
        """The remembered results of one repository's ``files``, if they still hold."""
        try:
            row = self.db.execute("SELECT used, body FROM parsed WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            log.warning("parsed manifests: %s: %s", self.path, exc)
            return None
        if row is None:
            return None
        try:
            reads, found = decode(row[1], files)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            log.warning(
                "parsed manifests: %s: an entry is damaged (%s); parsing again", self.path, exc
            )
            return None
        reader = files[0].reader
        if not all(unchanged(reader, path, noted) for path, noted in reads.items()):
            return None
        if row[0] < time.time() - 86_400:  # noted as used, at most once a day
            self.hits.append(key)
        return found

    def store(self, misses: Sequence[Miss], found: Mapping[int, Found]) -> None:
        """Remember each missed repository's results (``found`` is by file index); note the
        hits as used, and forget what went unused for ``KEEP_DAYS``."""
        now = time.time()
        rows = [(m.key, now, encode(m.reads.seen, [found[i] for i in m.indices])) for m in misses]
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?)", rows)
                self.db.executemany("UPDATE parsed SET used = ? WHERE key = ?",
                                    [(now, key) for key in self.hits])  # fmt: skip
                self.db.execute("DELETE FROM parsed WHERE used < ?", (now - KEEP_DAYS * 86_400,))
        except sqlite3.Error as exc:
            log.warning("parsed manifests are not remembered: %s: %s", self.path, exc)

    def close(self) -> None:
        self.db.close()

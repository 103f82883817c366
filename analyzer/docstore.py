"""A fast path in front of the HTTP cache: answers requests-cache holds, found by request.

A hit through requests-cache costs about 1.5 ms of CPU (requests prepares the request,
requests-cache normalizes it into a key and rebuilds the response through cattrs), and an
audit of a few thousand packages makes tens of thousands of calls. This store keeps a copy of
every answer requests-cache saved — status, body (zlib-compressed) and the few headers callers
read — under a SHA-256 of method, URL and body, with the expiry requests-cache gave it.

:class:`analyzer.enrich.client.Client` asks it first. A fresh entry, or offline any entry (as
requests-cache's ``stale_if_error`` serves stale answers offline), answers without touching
requests; anything else goes through requests-cache as before — conditional requests (304),
retries — and the answer it returns refreshes the entry. Request headers are never stored, so
neither is a token; ``Set-Cookie`` and the other response headers are left out as well.
"""

from __future__ import annotations

import atexit
import json
import logging
import sqlite3
import threading
import time
import weakref
import zlib
from pathlib import Path
from typing import Any

import requests

from analyzer.answer import Answer, loads

log = logging.getLogger(__name__)
FILENAME = "answers.sqlite"
KEPT_HEADERS = ("Content-Type", "Link", "ETag", "Last-Modified")
STORED_STATUSES = frozenset({200, 203, 404, 410})  # answers; redirects stay with requests-cache
PACK_FROM = 2048  # bodies this long or longer are compressed
SCHEMA = """CREATE TABLE IF NOT EXISTS answers (
    key BLOB PRIMARY KEY, expires REAL, status INTEGER NOT NULL, headers TEXT NOT NULL,
    body BLOB NOT NULL, packed INTEGER NOT NULL, cache_key TEXT)"""
RUNS = "CREATE TABLE IF NOT EXISTS runs (key BLOB PRIMARY KEY, expires REAL, body BLOB NOT NULL)"
SELECT = "SELECT expires, status, headers, body, packed, cache_key FROM answers WHERE key = ?"
INSERT = "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)"


Row = tuple[bytes, float | None, int, str, bytes, int, str]  # as the table's columns


class AnswerStore:
    """SQLite (WAL) next to requests-cache's database.

    Writes are queued and a writer thread commits them in batches, so a request never waits
    for the disk; until committed, queued answers (and deletions) are read from the queue.
    In WAL mode reads never wait for the writer, nor for each other: each takes a connection
    of its own from a pool (the most recently used first, whose page cache is warm) and reads
    outside the lock, which guards the queue and the pool only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # the queue, and the read connection
        self._queued: dict[bytes, tuple[Row, bytes] | None] = {}  # None: delete
        self._writing: dict[bytes, tuple[Row, bytes] | None] = {}  # being committed
        self._wake = threading.Condition(self._lock)
        self._reader: sqlite3.Connection | None = None  # remembered runs, under the lock
        self._idle: list[sqlite3.Connection] = []  # answer reads, one connection per reader
        self._writer: threading.Thread | None = None
        self._stop = False  # flush(): end the writer as soon as the queue is empty
        _OPEN.add(self)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                             check_same_thread=False)  # fmt: skip
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # a crash may lose the last answers only
        db.execute(SCHEMA)
        db.execute(RUNS)
        return db

    def get(self, key: bytes, offline: bool = False) -> Answer | None:
        """The answer for ``key`` when fresh (offline: whenever stored), else None."""
        with self._lock:
            for waiting in (self._queued, self._writing):  # not on disk yet
                if key in waiting:
                    entry = waiting[key]
                    row = None if entry is None else (*entry[0][1:4], entry[1], 0, entry[0][6])
                    return self._answer(key, row, offline)
            db = self._idle.pop() if self._idle else None
        try:
            db = db or self._connect()
            row = db.execute(SELECT, (key,)).fetchone()
        except sqlite3.Error as exc:  # a broken store only costs the fast path
            log.debug("answer store %s unreadable: %s", self.path, exc)
            return None
        finally:
            if db is not None:
                with self._lock:
                    self._idle.append(db)
        return self._answer(key, row, offline)

    @staticmethod
    def _answer(key: bytes, row: Any, offline: bool) -> Answer | None:
        if row is None:
            return None
        expires, status, headers, body, packed, cache_key = row
        if not offline and expires is not None and expires <= time.time():
            return None
        try:
            content = zlib.decompress(body) if packed else bytes(body)
            kept = loads(headers)
        except (zlib.error, ValueError, RecursionError):
            return None
        headers_kept = kept if isinstance(kept, dict) else {}
        return Answer(status, headers_kept, content, cache_key, key, expires)

    def get_run(self, key: bytes, offline: bool = False) -> bytes | None:
        """A whole run's result stored by :meth:`put_run`, while fresh (offline: whenever)."""
        try:
            with self._lock:
                self._reader = self._reader or self._connect()
                row = self._reader.execute(
                    "SELECT expires, body FROM runs WHERE key = ?", (key,)
                ).fetchone()
            if row is None or (not offline and row[0] is not None and row[0] <= time.time()):
                return None
            return zlib.decompress(row[1])
        except (sqlite3.Error, zlib.error) as exc:
            log.debug("answer store %s: run unreadable: %s", self.path, exc)
            return None

    def put_run(self, key: bytes, expires: float | None, body: bytes) -> None:
        """Keep a run's result until ``expires``; older results expire with their answers."""
        try:
            with self._lock:
                self._reader = self._reader or self._connect()
                with self._reader:  # one transaction
                    self._reader.execute("BEGIN")
                    self._reader.execute("DELETE FROM runs WHERE expires <= ?", (time.time(),))
                    self._reader.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?)",
                                         (key, expires, zlib.compress(body, 1)))  # fmt: skip
        except sqlite3.Error as exc:  # only the next run's shortcut is lost
            log.debug("answer store %s: run not written: %s", self.path, exc)

    def put(self, key: bytes, response: requests.Response) -> None:
        """Copy an answer requests-cache stored (it has a ``cache_key``), with its expiry."""
        cache_key = getattr(response, "cache_key", None)
        if not cache_key or response.status_code not in STORED_STATUSES:
            return
        expires = getattr(response, "expires", None)
        stamp = expires.timestamp() if expires is not None else None
        headers = {name: response.headers[name] for name in KEPT_HEADERS
                   if name in response.headers}  # fmt: skip
        row: Row = (key, stamp, response.status_code, json.dumps(headers), b"", 0, cache_key)
        self._queue(key, (row, response.content or b""))

    def delete(self, key: bytes) -> None:
        self._queue(key, None)

    def _queue(self, key: bytes, entry: tuple[Row, bytes] | None) -> None:
        with self._lock:
            self._queued[key] = entry
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="answers", daemon=True)
                self._writer.start()
            self._wake.notify()

    def _write(self) -> None:
        """Commit what is queued, a batch per transaction, until the queue stays empty."""
        db: sqlite3.Connection | None = None
        while True:
            with self._lock:
                self._writing = {}
                if not self._queued and not self._stop:
                    self._wake.wait(timeout=1.0)
                if not self._queued:
                    self._writer = None  # idle: a later put starts another
                    break
                self._writing, self._queued = self._queued, {}
            try:
                db = db or self._connect()
                with db:  # one transaction
                    db.execute("BEGIN")
                    for key, entry in self._writing.items():
                        if entry is None:
                            db.execute("DELETE FROM answers WHERE key = ?", (key,))
                        else:
                            db.execute(INSERT, packed(entry))
            except sqlite3.Error as exc:  # lost: those answers go through requests-cache again
                log.debug("answer store %s: %d answers not written: %s", self.path,
                          len(self._writing), exc)  # fmt: skip
                if db is not None:
                    db.close()
                db = None
        if db is not None:
            db.close()

    def flush(self) -> None:
        """Wait until every queued answer is on disk."""
        with self._lock:
            writer, self._stop = self._writer, True
            self._wake.notify()
        if writer is not None:
            writer.join()
        with self._lock:
            self._stop = False

    def close(self) -> None:
        self.flush()
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            for db in self._idle:
                db.close()
            self._idle.clear()


_OPEN: weakref.WeakSet[AnswerStore] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    """The writer is a daemon thread: finish its queue before the interpreter stops it."""
    for store in list(_OPEN):
        store.flush()


def packed(entry: tuple[Row, bytes]) -> Row:
    """The row with its body, compressed when long (JSON shrinks five- to tenfold)."""
    row, body = entry
    if len(body) >= PACK_FROM:
        return (*row[:4], zlib.compress(body, 1), 1, row[6])
    return (*row[:4], body, 0, row[6])

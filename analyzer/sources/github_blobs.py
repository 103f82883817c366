"""File contents fetched from GitHub, kept on disk under their git object id.

A git blob's id is the SHA-1 of ``blob <size>\\0<content>``: content stored under its id can
never go stale, so the store needs no expiry, and a rerun after an interrupted crawl reads what
it already has instead of asking GitHub again. Content is checked against its id when it
arrives and again when it is read back, so neither a wrong answer nor a damaged file on disk is
ever parsed. The store only grows; delete ``github-blobs/`` under the cache folder to reclaim
the space.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import TypeGuard

_OBJECT_ID = re.compile(r"^[0-9a-f]{40}$")


def is_object_id(value: object) -> TypeGuard[str]:
    """True for a lowercase 40-digit hexadecimal git object id."""
    return isinstance(value, str) and _OBJECT_ID.match(value) is not None


def blob_id(data: bytes) -> str:
    """The git object id of a file with this content (what ``git hash-object`` prints)."""
    header = b"blob %d\0" % len(data)
    # Git's own addressing, not a security measure: SHA-1 is what GitHub's ids are.
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


class BlobStore:
    """A folder of verified blobs, two hex digits per subfolder as in ``.git/objects``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha: str) -> Path:
        if not is_object_id(sha):
            raise ValueError(f"not a git object id: {sha!r}")
        return self.root / sha[:2] / sha[2:]

    def get(self, sha: str, limit: int) -> bytes | None:
        """The stored content, or None when absent, over ``limit`` bytes or damaged."""
        path = self._path(sha)
        try:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
        except OSError:
            return None
        if len(data) > limit:
            return None
        if blob_id(data) != sha:
            path.unlink(missing_ok=True)  # damaged: fetch it again rather than trust it
            return None
        return data

    def put(self, sha: str, data: bytes) -> None:
        """Store ``data`` under ``sha``; ValueError when the content does not have that id.

        A store that cannot be written (read-only cache, full disk) only costs a refetch next
        time, so OSError is swallowed.
        """
        if blob_id(data) != sha:
            raise ValueError(f"content does not match blob {sha}")
        path = self._path(sha)
        try:
            # 0o700: blobs of private repositories stay readable by their owner only.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)  # atomic: a concurrent reader sees all or nothing
        except OSError:
            Path(temporary).unlink(missing_ok=True)

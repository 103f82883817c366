"""Reading the files of a local directory tree: never outside it, never more than a limit."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from analyzer.errors import SourceError

# A file changed this recently may change again within the tick of its timestamps, unseen by
# them ("racy" in git's words): it has no signature, and is read to be compared.
SETTLED_NS = 2_000_000_000


def size_text(size: int) -> str:
    """A size for messages, exact below 1 KiB: ``512 bytes``, ``1.5 KiB``, ``10.0 MiB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def too_large(size: int, limit: int) -> str:
    """Why a file was skipped, in units that show the difference."""
    shown, limit_shown = size_text(size), size_text(limit)
    if shown == limit_shown:  # 10.0 MiB over 10.0 MiB would read as a contradiction
        shown, limit_shown = f"{size} bytes", f"{limit} bytes"
    return f"{shown} is over the {limit_shown} size limit"


class TreeReader:
    """Reads a file of one directory tree by its relative path, refusing anything outside it.

    The reader of every manifest a LocalSource finds. Only the tree's location and the size
    limit make it up, so it pickles small: parsing can run in worker processes.
    """

    def __init__(self, root: Path, max_file_size: int) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.max_file_size = max_file_size

    def __call__(self, path: str) -> bytes:
        if "\0" in path:
            raise SourceError(f"{path!r}: not a valid path")
        real = os.path.realpath(os.path.join(self.root, path))
        if not inside(real, self.real_root):
            raise SourceError(f"{path}: outside the audited tree")
        try:
            # O_NONBLOCK: a FIFO swapped in after the walk must not block the open.
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise SourceError(f"{path}: not a regular file")
            limit = self.max_file_size + 1  # one byte more tells a file over the limit
            with os.fdopen(fd, "rb", closefd=False) as handle:
                # Asking for the size it has, not the limit, spares a buffer of the limit's size.
                data = handle.read(min(info.st_size + 1, limit))
                if len(data) == info.st_size + 1:  # it grew since
                    data += handle.read(limit - len(data))
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
        if len(data) > self.max_file_size:
            raise SourceError(f"{path}: skipped: {too_large(len(data), self.max_file_size)}")
        return data

    def signature(self, path: str) -> str | None:
        """A regular file's device, inode, size, and change and modification times, as
        ``stat`` gives them: a file rewritten or replaced since has another (``ctime`` can
        only be set by the clock). None when the file cannot be stated, is not a regular
        file, or changed in the last two seconds (``SETTLED_NS``). Only compared with a
        signature taken of a file read before, so a path that leads outside the tree now
        cannot match one."""
        try:
            info = os.stat(os.path.join(self.root, path))
        except (OSError, ValueError):
            return None
        changed = max(info.st_mtime_ns, info.st_ctime_ns)
        if not stat.S_ISREG(info.st_mode) or time.time_ns() - changed < SETTLED_NS:
            return None
        return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def inside(real: str, directory: str) -> bool:
    """True when the resolved path ``real`` is ``directory`` or lies below it."""
    return real == directory or real.startswith(directory.rstrip(os.sep) + os.sep)

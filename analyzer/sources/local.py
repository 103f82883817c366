"""A local directory holding one repository or a directory of repositories."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from analyzer.config import DEFAULT_MAX_FILE_SIZE
from analyzer.errors import SourceError
from analyzer.globs import GlobSet
from analyzer.model import ManifestFile, Problem, Repository
from analyzer.sources.interface import Source, SourceScan
from analyzer.sources.tree_reader import TreeReader, inside, too_large

# Directories that hold installed, generated or vendored third-party code, never the
# organization's own declarations.
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr",
        "node_modules", "bower_components", "jspm_packages", ".yarn", ".pnpm-store",
        "__pycache__", "site-packages", "dist-packages", ".venv", ".tox", ".nox", ".eggs",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".cache",
        "build", "dist", "target", ".next", ".nuxt", ".gradle", ".terraform",
        "vendor", "vendored", "_vendor", "third_party", "third-party", "thirdparty",
    }
)  # fmt: skip


def is_skipped_dir(name: str, path: str) -> bool:
    """True for directories the walk never enters (virtualenvs are found by pyvenv.cfg)."""
    if name in SKIPPED_DIRS or name.endswith(".egg-info"):
        return True
    # os.path.isfile, unlike Path.is_file, returns False inside an unreadable directory.
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


# C0 and C1 control characters: a newline in a name forges lines in text output, an escape
# sequence drives the terminal that shows it.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
UNSAFE_NAME = "name holds control characters or bytes that are not UTF-8; skipped"


def is_unsafe_name(name: str) -> bool:
    """True for a file name no report can show as it is.

    Besides control characters, that is a name whose bytes are not UTF-8: Python carries them
    as lone surrogates, which no UTF-8 report or terminal can encode.
    """
    return bool(_CONTROL.search(name)) or any("\udc80" <= c <= "\udcff" for c in name)


def shown_path(path: str) -> str:
    """``path`` fit for messages: bytes that are not UTF-8 as ``\\xe9``, controls as ``\\n``."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class LocalSource(Source):
    """Walks a directory tree; reads files only inside it, never through a link out of it."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        is_manifest: Callable[[str], bool],
        *,
        exclude: Iterable[str] = (),
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        repo_prefix: str = "",
    ) -> None:
        self.repo_prefix = repo_prefix
        self.root = Path(root)
        self.real_root = os.path.realpath(self.root)
        self.is_manifest = is_manifest
        self.exclude = GlobSet(exclude)
        self.max_file_size = max_file_size
        self.read = TreeReader(self.root, max_file_size)

    def scan(self) -> SourceScan:
        if not self.root.exists():
            raise SourceError(f"{self.root}: no such file or directory")
        if not self.root.is_dir():
            raise SourceError(f"{self.root}: not a directory")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise SourceError(f"{self.root}: directory is not readable")
        scan = SourceScan()
        if os.path.lexists(self.root / ".git"):
            repo = Repository(name=Path(self.real_root).name or "repository", path=".")
            scan.repositories.append(repo)
            self._walk(scan, repo)
            return scan
        loose = Repository(name=Path(self.real_root).name or "root", path=".")
        children = []
        for entry in self._entries(scan, ".", None):
            if not self._is_repository(entry):
                continue
            if is_unsafe_name(entry.name):
                scan.problems.append(Problem(shown_path(entry.name), None, UNSAFE_NAME))
                continue
            children.append(Repository(name=f"{self.repo_prefix}{entry.name}", path=entry.name))
        # Manifests lying directly in the root form a repository of their own.
        self._walk(scan, loose, depth_limit=0)
        if scan.manifests:
            scan.repositories.append(loose)
        scan.repositories.extend(children)
        for repo in children:
            self._walk(scan, repo)
        return scan

    def _is_repository(self, entry: os.DirEntry[str]) -> bool:
        """A real (not symlinked) child directory that is neither skipped nor excluded."""
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            return False  # reported by the walk of the root's own files
        if not is_dir:
            return False
        return not (is_skipped_dir(entry.name, entry.path) or self.exclude.matches(entry.name))

    def _entries(self, scan: SourceScan, rel: str, repo: str | None) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(self.root / rel) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            message = f"cannot read directory: {exc.strerror or exc}"
            scan.problems.append(Problem(rel, None, message, repo))
            return []

    def _walk(self, scan: SourceScan, repo: Repository, depth_limit: int = 10_000) -> None:
        stack: list[tuple[str, int]] = [(repo.path, 0)]
        while stack:
            rel, depth = stack.pop()
            subdirs: list[str] = []
            for entry in self._entries(scan, rel, repo.name):
                path = entry.name if rel == "." else f"{rel}/{entry.name}"
                if self.exclude.matches(path):
                    continue
                if is_unsafe_name(entry.name):
                    self._unsafe(scan, entry, path, repo.name, depth < depth_limit)
                    continue
                kind = self._classify(scan, entry, path, repo.name)
                if kind == "dir" and depth < depth_limit:
                    if is_skipped_dir(entry.name, entry.path):
                        scan.skipped_dirs += 1
                    else:
                        subdirs.append(path)
                elif kind == "file":
                    self._add_file(scan, entry, path, repo)
            stack.extend((sub, depth + 1) for sub in reversed(subdirs))

    def _unsafe(
        self, scan: SourceScan, entry: os.DirEntry[str], path: str, repo: str, descend: bool
    ) -> None:
        """Report a manifest, or a directory the walk would enter, that has an unsafe name."""
        try:
            is_dir = descend and entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir or self.is_manifest(path):
            scan.problems.append(Problem(shown_path(path), None, UNSAFE_NAME, repo))

    def _classify(self, scan: SourceScan, entry: os.DirEntry[str], path: str, repo: str) -> str:
        """Return "dir" (a real directory), "file" (a manifest to read) or "" (ignored).

        A directory symlink is never descended into: a target inside the tree is walked
        where it really is (or skipped there on purpose), which also rules out loops and
        a link pulling another repository's manifests into this one. A file symlink is read
        through while its target stays inside the tree.
        """
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                is_dir = os.path.isdir(target)
                if not inside(target, self.real_root):
                    if self.is_manifest(path) or is_dir:
                        msg = "symlink points outside the audited tree; not followed"
                        scan.problems.append(Problem(path, None, msg, repo))
                    return ""
                if is_dir:
                    return ""
            elif entry.is_dir():
                return "dir"
        except OSError as exc:
            scan.problems.append(Problem(path, None, f"cannot read: {exc.strerror or exc}", repo))
            return ""
        return "file" if self.is_manifest(path) else ""

    def _add_file(
        self, scan: SourceScan, entry: os.DirEntry[str], path: str, repo: Repository
    ) -> None:
        try:
            info = entry.stat()
        except OSError as exc:
            message = f"cannot read: {exc.strerror or exc}"
            scan.problems.append(Problem(path, None, message, repo.name))
            return
        if not stat.S_ISREG(info.st_mode):
            message = "not a regular file; skipped"
            scan.problems.append(Problem(path, None, message, repo.name))
        elif info.st_size > self.max_file_size:
            message = f"skipped: {too_large(info.st_size, self.max_file_size)}"
            scan.problems.append(Problem(path, None, message, repo.name))
        else:
            scan.manifests.append(ManifestFile(repo.name, path, info.st_size, self.read, repo.path))

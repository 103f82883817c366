"""A local directory holding one repository or a directory of repositories."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from analyzer.config import DEFAULT_MAX_FILE_SIZE
from analyzer.errors import SourceError
from analyzer.globs import GlobSet
from analyzer.model import ManifestFile, Problem, Repository
from analyzer.sources.interface import Source, SourceScan

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
    return Path(path, "pyvenv.cfg").is_file()


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class LocalSource(Source):
    """Walks a directory tree; reads files only inside it."""

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

    def scan(self) -> SourceScan:
        if not self.root.exists():
            raise SourceError(f"{self.root}: no such file or directory")
        if not self.root.is_dir():
            raise SourceError(f"{self.root}: not a directory")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise SourceError(f"{self.root}: directory is not readable")
        scan = SourceScan()
        if (self.root / ".git").exists():
            name = Path(self.real_root).name or "repository"
            scan.repositories.append(Repository(name=name, path="."))
            self._walk(scan, ".", name, ".")
            return scan
        loose = Repository(name=Path(self.real_root).name or "root", path=".")
        for entry in self._entries(scan, "."):
            if entry.is_dir(follow_symlinks=False) and not is_skipped_dir(entry.name, entry.path):
                if self.exclude.matches(entry.name):
                    continue
                name = f"{self.repo_prefix}{entry.name}"
                scan.repositories.append(Repository(name=name, path=entry.name))
        before = len(scan.manifests)
        self._walk(scan, ".", loose.name, ".", depth_limit=0)
        if len(scan.manifests) > before:
            scan.repositories.insert(0, loose)
        for repo in list(scan.repositories):
            if repo is not loose:
                self._walk(scan, repo.path, repo.name, repo.path)
        return scan

    def _entries(self, scan: SourceScan, rel: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(self.root / rel) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            scan.problems.append(Problem(rel, None, f"cannot read directory: {exc.strerror}"))
            return []

    def _walk(
        self, scan: SourceScan, start: str, repo: str, repo_path: str, depth_limit: int = 10_000
    ) -> None:
        visited: set[str] = {os.path.realpath(self.root / start)}
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            rel, depth = stack.pop()
            subdirs: list[str] = []
            for entry in self._entries(scan, rel):
                path = entry.name if rel == "." else f"{rel}/{entry.name}"
                if self.exclude.matches(path):
                    continue
                kind = self._classify(scan, entry, path, repo)
                if kind == "dir":
                    if depth >= depth_limit:
                        continue
                    if is_skipped_dir(entry.name, entry.path):
                        scan.skipped_dirs += 1
                        continue
                    real = os.path.realpath(entry.path)
                    if real not in visited:
                        visited.add(real)
                        subdirs.append(path)
                elif kind == "file":
                    self._add_file(scan, entry, path, repo, repo_path)
            stack.extend((sub, depth + 1) for sub in reversed(subdirs))

    def _classify(self, scan: SourceScan, entry: os.DirEntry[str], path: str, repo: str) -> str:
        """Return "dir", "file" or "" (ignored), recording symlinks that leave the tree."""
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not self._inside(target):
                    if self.is_manifest(path) or os.path.isdir(target):
                        msg = "symlink points outside the audited tree; not followed"
                        scan.problems.append(Problem(path, None, msg, repo))
                    return ""
            if entry.is_dir():
                return "dir"
        except OSError as exc:
            scan.problems.append(Problem(path, None, f"cannot read: {exc.strerror}", repo))
            return ""
        return "file" if self.is_manifest(path) else ""

    def _add_file(
        self, scan: SourceScan, entry: os.DirEntry[str], path: str, repo: str, repo_path: str
    ) -> None:
        try:
            info = entry.stat()
        except OSError as exc:
            scan.problems.append(Problem(path, None, f"cannot read: {exc.strerror}", repo))
            return
        if not stat.S_ISREG(info.st_mode):
            scan.problems.append(Problem(path, None, "not a regular file; skipped", repo))
        elif info.st_size > self.max_file_size:
            limit = _size_text(self.max_file_size)
            message = f"skipped: {_size_text(info.st_size)} is over the {limit} size limit"
            scan.problems.append(Problem(path, None, message, repo))
        else:
            scan.manifests.append(ManifestFile(repo, path, info.st_size, self.read, repo_path))

    def _inside(self, real: str) -> bool:
        return real == self.real_root or real.startswith(self.real_root + os.sep)

    def read(self, path: str) -> bytes:
        """Read a file of this tree by its relative path, refusing anything outside it."""
        real = os.path.realpath(self.root / path)
        if not self._inside(real):
            raise SourceError(f"{path}: outside the audited tree")
        try:
            info = os.stat(real)
            if not stat.S_ISREG(info.st_mode):
                raise SourceError(f"{path}: not a regular file")
            if info.st_size > self.max_file_size:
                raise SourceError(f"{path}: over the {_size_text(self.max_file_size)} size limit")
            with open(real, "rb") as handle:
                data = handle.read(self.max_file_size + 1)
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
        if len(data) > self.max_file_size:
            raise SourceError(f"{path}: over the {_size_text(self.max_file_size)} size limit")
        return data

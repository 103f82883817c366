"""Which files of a GitHub repository to read, from the git trees API.

One request lists a default branch's whole tree (``?recursive=1``). GitHub cuts that answer
short past 100,000 entries or 7 MB and says ``truncated: true``; the tree is then walked one
folder at a time, each folder asked for by its object id (cached for good: the content of an
id never changes) and without descending into skipped folders, which are usually what made the
tree so large in the first place (``node_modules``, ``vendor``…).

The rules of the local walk apply: skipped folders (:data:`analyzer.sources.local.SKIPPED_DIRS`,
``*.egg-info``, virtual environments recognized by their ``pyvenv.cfg``), the exclude globs
matched against ``REPO/path``, the manifest names fundscout reads and the file size limit.
Symbolic links and submodules are never followed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from analyzer.globs import GlobSet
from analyzer.sources.github_api import FOREVER, GithubApi, RepositoryError
from analyzer.sources.github_blobs import is_object_id
from analyzer.sources.local import SKIPPED_DIRS, UNSAFE_NAME, is_unsafe_name, shown_path
from analyzer.sources.tree_reader import too_large

MAX_TREES = 20_000  # folders requested one by one in a truncated repository
MAX_PATH = 4096
_SYMLINK = "120000"


@dataclass(frozen=True)
class Entry:
    """One entry of a git tree, its path relative to the repository."""

    path: str
    kind: str  # blob | tree | commit (a submodule)
    sha: str
    size: int = 0
    mode: str = ""


@dataclass
class RepoFiles:
    """The readable files of one repository and what was set aside."""

    blobs: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> (sha, size)
    manifests: list[str] = field(default_factory=list)  # paths in the repository, sorted
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)


def parse_entry(raw: Any, parent: str = "") -> Entry | None:
    """An entry of a trees answer, or None when it is malformed or its path is unsafe."""
    if not isinstance(raw, Mapping):
        return None
    name, kind, sha, size = raw.get("path"), raw.get("type"), raw.get("sha"), raw.get("size", 0)
    if not isinstance(name, str) or kind not in ("blob", "tree", "commit") or not is_object_id(sha):
        return None
    path = f"{parent}/{name}" if parent else name
    parts = path.split("/")
    if len(path) > MAX_PATH or "\0" in path or any(p in ("", ".", "..") for p in parts):
        return None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        size = 0
    mode = raw.get("mode")
    return Entry(path, kind, sha, size, mode if isinstance(mode, str) else "")


def _skipped_name(name: str) -> bool:
    return name in SKIPPED_DIRS or name.endswith(".egg-info")


class TreeLister:
    """Lists one repository's files and picks the manifests among them."""

    def __init__(
        self,
        api: GithubApi,
        is_manifest: Callable[[str], bool],
        exclude: GlobSet,
        max_file_size: int,
    ) -> None:
        self.api, self.is_manifest = api, is_manifest
        self.exclude, self.max_file_size = exclude, max_file_size

    def files(self, owner: str, repo: str, branch: str, prefix: str) -> RepoFiles:
        """The files of ``branch``; ``prefix`` is the repository's folder in reports."""
        base = f"/repos/{quote(owner)}/{quote(repo)}/git/trees"
        answer = self.api.get(f"{base}/{quote(branch, safe='')}?recursive=1")
        if answer is None:
            raise RepositoryError(self._missing("its default branch"))
        if not isinstance(answer, Mapping) or not isinstance(answer.get("tree"), list):
            raise RepositoryError("the trees API answered without a tree")
        files = RepoFiles()
        if answer.get("truncated") is True and is_object_id(answer.get("sha")):
            entries = self._walk(base, answer["sha"], prefix, files)
        else:
            entries = [e for raw in answer["tree"] if (e := parse_entry(raw))]
        self._select(entries, prefix, files)
        return files

    def _missing(self, what: str) -> str:
        if self.api.offline:
            return "not in the cache (offline)"
        return f"not found (HTTP 404): the repository or {what} disappeared during the crawl"

    def _walk(self, base: str, root: str, prefix: str, files: RepoFiles) -> list[Entry]:
        """Every entry below ``root``, one folder per request, skipped folders left out."""
        entries: list[Entry] = []
        queue: deque[tuple[str, str]] = deque([("", root)])
        requested = 0
        while queue:
            if requested == MAX_TREES:
                message = f"more than {MAX_TREES} folders; the rest of the tree was not read"
                files.problems.append(("", message))
                break
            folder, sha = queue.popleft()
            requested += 1
            answer = self.api.get(f"{base}/{sha}", expire=FOREVER)
            if not isinstance(answer, Mapping) or not isinstance(answer.get("tree"), list):
                files.problems.append((folder, self._missing("a folder")))
                continue
            found = [e for raw in answer["tree"] if (e := parse_entry(raw, folder))]
            if folder and any(e.path == f"{folder}/pyvenv.cfg" for e in found):
                continue  # a virtual environment: nothing of ours inside
            entries.extend(found)
            for entry in found:
                name = entry.path.rsplit("/", 1)[-1]
                hidden = _skipped_name(name) or self.exclude.matches(f"{prefix}/{entry.path}")
                if entry.kind == "tree" and not hidden:
                    queue.append((entry.path, entry.sha))
        return entries

    def _select(self, entries: list[Entry], prefix: str, files: RepoFiles) -> None:
        splits = [e.path.rpartition("/") for e in entries]
        venvs = {folder for folder, _, name in splits if name == "pyvenv.cfg" and folder}
        verdicts: dict[str, bool] = {"": False}

        def hidden(folder: str) -> bool:
            """Whether a folder or one above it is skipped (iterative: trees can be deep)."""
            if folder in verdicts:
                return verdicts[folder]
            current, result = "", False
            for part in folder.split("/"):
                current = f"{current}/{part}" if current else part
                if current not in verdicts:
                    verdicts[current] = result or _skipped_name(part) or current in venvs
                result = verdicts[current]
            return result

        for entry in entries:
            full = f"{prefix}/{entry.path}"
            if entry.kind != "blob" or hidden(entry.path.rpartition("/")[0]):
                continue
            if self.exclude.matches(full):
                continue
            manifest = self.is_manifest(full)
            if is_unsafe_name(entry.path):  # a newline or escape sequence would forge output
                if manifest:
                    files.problems.append((shown_path(entry.path), UNSAFE_NAME))
                continue
            if entry.mode == _SYMLINK:
                if manifest:
                    files.problems.append((entry.path, "symbolic link; not followed on GitHub"))
                continue
            files.blobs[entry.path] = (entry.sha, entry.size)
            if not manifest:
                continue
            if entry.size > self.max_file_size:
                message = f"skipped: {too_large(entry.size, self.max_file_size)}"
                files.problems.append((entry.path, message))
            else:
                files.manifests.append(entry.path)
        files.manifests.sort()

"""Reading a crawled repository's files: blobs by object id, through the on-disk store.

Manifests are fetched during the crawl (concurrently across repositories) and read back from
the :class:`~analyzer.sources.github_blobs.BlobStore` when parsed; a file a parser includes
(``-r base.txt``, a parent ``pom.xml``) is fetched when asked for, as long as it is a file of
the same repository's tree. Blob answers bypass the HTTP cache: the store keeps the decoded,
verified bytes for good instead of a second, base64 copy.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from requests_cache import DO_NOT_CACHE

from analyzer.errors import SourceError
from analyzer.sources.github_api import GithubApi, RepositoryError, StopSignal
from analyzer.sources.github_blobs import BlobStore, blob_id
from analyzer.sources.tree_reader import size_text, too_large

GONE = "not found (HTTP 404): the file disappeared during the crawl"


class BlobFetcher:
    """File contents of one organization's repositories, by object id."""

    def __init__(
        self, api: GithubApi, owner: str, store: BlobStore, limit: int, stop: StopSignal
    ) -> None:
        self.api, self.owner, self.store = api, owner, store
        self.limit, self.stop = limit, stop

    def blob(self, repo: str, sha: str) -> bytes:
        """From the store, else from GitHub (verified, then stored); RepositoryError or
        CrawlStoppedError when neither can give it."""
        data = self.store.get(sha, self.limit)
        if data is not None:
            return data
        if self.stop.is_set():
            raise RepositoryError(f"not fetched: the crawl stopped ({self.stop.reason})")
        path = f"/repos/{quote(self.owner)}/{quote(repo)}/git/blobs/{sha}"
        answer = self.api.get(path, expire=DO_NOT_CACHE)
        if answer is None:
            raise RepositoryError("not in the cache (offline)" if self.api.offline else GONE)
        data = self._decode(answer)
        if blob_id(data) != sha:
            raise RepositoryError(f"GitHub sent content that does not match blob {sha}")
        self.store.put(sha, data)
        return data

    def _decode(self, answer: Any) -> bytes:
        content = answer.get("content") if isinstance(answer, Mapping) else None
        if not isinstance(content, str) or answer.get("encoding") != "base64":
            raise RepositoryError("the blobs API answered without base64 content")
        # Base64 takes 4 characters per 3 bytes, plus GitHub's line breaks every 60.
        if len(content) > (self.limit // 3 + 1) * 4 * 61 // 60 + 2:
            raise RepositoryError(f"skipped: over the {size_text(self.limit)} size limit")
        try:
            data = base64.b64decode("".join(content.split()), validate=True)
        except ValueError:
            raise RepositoryError("the blobs API answered with invalid base64") from None
        if len(data) > self.limit:
            raise RepositoryError(f"skipped: {too_large(len(data), self.limit)}")
        return data


class RepoReader:
    """The ``reader`` of one repository's manifests: a path under ``name/`` to its bytes.

    ``blobs`` maps every readable file of the tree to (object id, size); ``failed`` holds the
    error of each manifest whose fetch failed during the crawl, raised again here so the
    problem record names the file, without asking GitHub a second time.
    """

    def __init__(
        self,
        fetcher: BlobFetcher,
        repo: str,
        name: str,
        blobs: Mapping[str, tuple[str, int]],
        failed: Mapping[str, str],
    ) -> None:
        self.fetcher, self.repo, self.prefix = fetcher, repo, f"{name}/"
        self.blobs, self.failed = blobs, failed

    def __call__(self, path: str) -> bytes:
        inner = path.removeprefix(self.prefix) if path.startswith(self.prefix) else None
        if inner is None or inner not in self.blobs:
            raise SourceError(f"{path}: no such file in {self.fetcher.owner}/{self.repo}")
        if inner in self.failed:
            raise SourceError(f"{path}: {self.failed[inner]}")
        sha, size = self.blobs[inner]
        if size > self.fetcher.limit:
            raise SourceError(f"{path}: skipped: {too_large(size, self.fetcher.limit)}")
        try:
            return self.fetcher.blob(self.repo, sha)
        except SourceError as exc:  # RepositoryError or CrawlStoppedError: name the file
            raise SourceError(f"{path}: {exc}") from None

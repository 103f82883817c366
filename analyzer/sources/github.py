"""A GitHub organization as a source: its repositories, read through the API.

``fundscout audit --github-org ORG`` lists the organization's repositories
(:mod:`~analyzer.sources.github_repos`), lists each default branch's files through the git
trees API (:mod:`~analyzer.sources.github_tree`), fetches only the manifests' blobs, kept on
disk by object id (:mod:`~analyzer.sources.github_blobs`), and hands them to the same parsers
as local files. Repository ``api`` is named ``api`` and its files ``api/path/in/repo``, as
in a folder of checkouts. With ``use_sbom`` each repository's dependency-graph SBOM (SPDX
JSON, ``GET /repos/O/R/dependency-graph/sbom``) is read instead; a repository whose
dependency graph is off falls back to its manifests.

A repository that vanishes mid-crawl becomes one problem record; an empty one is skipped with
a note; a rate limit beyond ``--max-wait`` or a refused token stops the crawl with a problem
naming how many repositories were left, and a rerun resumes: the blobs are on disk and the
lists and trees in the HTTP cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

from analyzer.enrich.client import Client
from analyzer.enrich.github import web_host
from analyzer.errors import SourceError
from analyzer.globs import GlobSet
from analyzer.model import ManifestFile, Problem, Repository
from analyzer.sources.github_api import (
    TOKEN_VARIABLES,
    CrawlStoppedError,
    GithubApi,
    RepositoryError,
    StopSignal,
    read_token,
)
from analyzer.sources.github_blobs import BlobStore
from analyzer.sources.github_files import BlobFetcher, RepoReader
from analyzer.sources.github_repos import RepoFilter, RepoInfo, check_owner, fetch_listing, select
from analyzer.sources.github_tree import RepoFiles, TreeLister
from analyzer.sources.interface import Source, SourceScan
from analyzer.sources.tree_reader import too_large

SBOM_NAME = "github-dependency-graph.spdx.json"  # named so the SBOM parser reads it
UNAUTHENTICATED = (
    "no GitHub token ({variables}): only public repositories of {label} are listed, "
    "and GitHub allows 60 requests an hour without one"
)
Progress = Callable[[int, int], None]


@dataclass
class Crawled:
    """What one repository yielded."""

    repository: Repository | None
    manifests: list[ManifestFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the crawl stopped before or during this repository


class GithubOrgSource(Source):
    """Reads an organization's manifests from GitHub (github.com or GitHub Enterprise)."""

    def __init__(
        self,
        org: str,
        client: Client,
        is_manifest: Callable[[str], bool],
        *,
        rules: RepoFilter | None = None,
        max_file_size: int,
        use_sbom: bool = False,
        token_variables: tuple[str, ...] = TOKEN_VARIABLES,
        repo_prefix: str = "",
        progress: Progress | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.org = check_owner(org)
        self.label = f"{web_host(client.endpoints.github_api)}/{self.org}"
        self.rules = rules or RepoFilter()
        self.max_file_size, self.use_sbom = max_file_size, use_sbom
        self.token_variables, self.repo_prefix = token_variables, repo_prefix
        self.progress, self.notify = progress, notify
        self.notes: list[str] = []
        self.client = client
        self.store = BlobStore(client.settings.resolved_cache_dir() / "github-blobs")
        self.is_manifest = is_manifest
        self.stop = StopSignal()

    def note(self, message: str) -> None:
        self.notes.append(message)
        if self.notify:
            self.notify(message)

    def scan(self) -> SourceScan:
        token, variable = read_token(self.token_variables)
        if variable and not token:  # name the variable, never its value
            self.note(f"{variable} does not hold a valid token; ignored")
        if not token:
            variables = " or ".join(self.token_variables)
            self.note(UNAUTHENTICATED.format(variables=variables, label=self.label))
        api = GithubApi(self.client, token)
        listing = select(fetch_listing(api, self.org, self.label), self.rules)
        for message in listing.notes:
            self.note(f"{self.label}: {message}")
        lister = TreeLister(api, self.is_manifest, GlobSet(self.rules.exclude), self.max_file_size)
        fetcher = BlobFetcher(api, self.org, self.store, self.max_file_size, self.stop)
        return self._crawl_all(lister, fetcher, listing.repositories)

    def _crawl_all(
        self, lister: TreeLister, fetcher: BlobFetcher, repos: list[RepoInfo]
    ) -> SourceScan:
        scan, left = SourceScan(), 0
        with ThreadPoolExecutor(max_workers=self.client.settings.per_host) as pool:
            futures = [pool.submit(self._crawl, lister, fetcher, info) for info in repos]
            try:
                for done, future in enumerate(futures, 1):
                    crawled = future.result()
                    if self.progress:
                        self.progress(done, len(repos))
                    if crawled.stopped:
                        left += 1
                        continue
                    if crawled.repository:
                        scan.repositories.append(crawled.repository)
                    scan.manifests.extend(crawled.manifests)
                    scan.problems.extend(crawled.problems)
                    for message in crawled.notes:
                        self.note(message)
            except BaseException:
                self.stop.set("interrupted")  # queued repositories return at once
                pool.shutdown(cancel_futures=True)
                raise
        if left:
            message = (
                f"crawl stopped with {left} of {len(repos)} repositories unread: "
                f"{self.stop.reason}; rerun to resume (what was fetched is kept)"
            )
            scan.problems.append(Problem(self.label, None, message))
        return scan

    def _crawl(self, lister: TreeLister, fetcher: BlobFetcher, info: RepoInfo) -> Crawled:
        name = f"{self.repo_prefix}{info.name}"
        crawled = Crawled(Repository(name, name))
        try:
            if self.stop.is_set():
                raise CrawlStoppedError(self.stop.reason)
            if info.default_branch is None:
                raise RepositoryError("no default branch", empty=True)
            if self.use_sbom:
                sbom = self._sbom(fetcher.api, info, name)
                if sbom is not None:
                    crawled.manifests.append(sbom)
                    return crawled
                crawled.notes.append(f"{name}: no dependency-graph SBOM; reading its manifests")
            files = lister.files(self.org, info.name, info.default_branch, name)
            crawled.manifests = self._prefetch(fetcher, info, name, files, crawled)
        except RepositoryError as exc:
            if exc.empty:
                crawled.repository = None
                crawled.notes.append(f"{name}: empty repository ({exc}); skipped")
            else:
                crawled.problems.append(Problem(name, None, str(exc), name))
        except CrawlStoppedError as exc:
            self.stop.set(str(exc))
            crawled.stopped = str(exc)
        return crawled

    def _prefetch(
        self, fetcher: BlobFetcher, info: RepoInfo, name: str, files: RepoFiles, crawled: Crawled
    ) -> list[ManifestFile]:
        """Fetch the manifests' blobs now, concurrently with other repositories; a file that
        fails keeps its error, which its reader raises so the problem names the file."""
        crawled.problems.extend(Problem(f"{name}/{p}".rstrip("/"), None, message, name)
                                for p, message in files.problems)  # fmt: skip
        failed: dict[str, str] = {}
        for path in files.manifests:
            try:
                fetcher.blob(info.name, files.blobs[path][0])
            except RepositoryError as exc:
                failed[path] = str(exc)
        reader = RepoReader(fetcher, info.name, name, files.blobs, failed)
        return [ManifestFile(name, f"{name}/{p}", files.blobs[p][1], reader, name)
                for p in files.manifests]  # fmt: skip

    def _sbom(self, api: GithubApi, info: RepoInfo, name: str) -> ManifestFile | None:
        """The dependency-graph SBOM as one manifest; None when GitHub has none (404)."""
        answer = api.get(f"/repos/{quote(self.org)}/{quote(info.name)}/dependency-graph/sbom")
        if answer is None:
            return None
        document = answer.get("sbom") if isinstance(answer, Mapping) else None
        if not isinstance(document, Mapping):
            raise RepositoryError("the dependency-graph answer holds no SBOM")
        data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
        if len(data) > self.max_file_size:
            raise RepositoryError(f"SBOM skipped: {too_large(len(data), self.max_file_size)}")
        path = f"{name}/{SBOM_NAME}"

        def read(wanted: str) -> bytes:
            if wanted != path:
                raise SourceError(f"{wanted}: not part of the dependency-graph SBOM of {name}")
            return data

        return ManifestFile(name, path, len(data), read, name)

"""A fake GitHub REST API for the organization crawl, served by pytest-httpserver.

Answers have GitHub's shapes (list entries from ``fixtures/github_org/repository.json``, git
trees, blobs as base64 in 60-column lines, error bodies with ``message`` and
``documentation_url``, ``Link`` pagination through ``/organizations/ID/repos``) and are
computed from an in-memory organization, so a test can make a repository vanish, a tree
truncate or the rate limit run out mid-crawl, and count the requests that reach the server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analyzer.sources.github_blobs import blob_id

TEMPLATE = (Path(__file__).parent / "fixtures" / "github_org" / "repository.json").read_text(
    encoding="utf-8"
)
DOCS = "https://docs.github.com/rest"


@dataclass
class FakeRepo:
    """One repository of the fake organization."""

    name: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    fork: bool = False
    archived: bool = False
    private: bool = False
    empty: bool = False  # no commits: 409 on trees
    branch: str | None = "main"
    truncated: bool = False  # the recursive tree answer is cut short
    gone: bool = False  # deleted after being listed: 404 on its tree and blobs
    saml: bool = False  # the organization enforces SSO the token is not authorized for: 403
    sbom: Any = None  # the dependency-graph answer, or None for 404
    symlinks: set[str] = field(default_factory=set)
    gone_files: set[str] = field(default_factory=set)  # blobs answering 404
    corrupt_files: set[str] = field(default_factory=set)  # blobs sent with other content

    def data(self, path: str) -> bytes:
        value = self.files[path]
        return value.encode("utf-8") if isinstance(value, str) else value


def tree_sha(repo: str, folder: str) -> str:
    return hashlib.sha1(f"tree {repo}:{folder}".encode()).hexdigest()


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    reset = str(int(time.time()) + 3600)
    base = {
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": "4999",
        "X-RateLimit-Reset": reset,
        "X-GitHub-Media-Type": "github.v3; format=json",
    }
    return Response(
        json.dumps(body),
        status=status,
        headers={**base, **(headers or {})},
        content_type="application/json; charset=utf-8",
    )


def _error(status: int, message: str, doc: str) -> Response:
    return _json(
        {"message": message, "documentation_url": f"{DOCS}/{doc}", "status": str(status)}, status
    )


class FakeGithub:
    """Serves one organization (or user) under ``prefix`` (``/api/v3`` for Enterprise)."""

    def __init__(
        self,
        server: HTTPServer,
        org: str = "acme",
        repos: list[FakeRepo] | tuple[FakeRepo, ...] = (),
        *,
        token: str | None = None,
        page_size: int = 100,
        prefix: str = "",
        user: bool = False,
    ) -> None:
        self.server, self.org, self.repos = server, org, {r.name: r for r in repos}
        self.token, self.page_size, self.prefix, self.user = token, page_size, prefix, user
        self.log: list[str] = []  # path?query of every request that reached the server
        self.authorizations: list[str | None] = []
        self.rate_limit_after: int | None = None  # answer 403 rate-limited past this many
        server.expect_request(re.compile(f"^{re.escape(prefix)}/.*")).respond_with_handler(
            self.handle
        )

    @property
    def root(self) -> str:
        return self.server.url_for("").rstrip("/") + self.prefix

    def requests(self, kind: str) -> list[str]:
        """Logged requests whose path contains ``kind`` (``/git/blobs/``, ``/git/trees/``)."""
        return [entry for entry in self.log if kind in entry]

    def handle(self, request: Request) -> Response:
        path = request.path.removeprefix(self.prefix)
        query = request.query_string.decode()
        self.log.append(f"{path}?{query}" if query else path)
        auth = request.headers.get("Authorization")
        self.authorizations.append(auth)
        if self.rate_limit_after is not None and len(self.log) > self.rate_limit_after:
            return _json(
                {
                    "message": "API rate limit exceeded for 203.0.113.7.",
                    "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
                },
                403,
                {"X-RateLimit-Remaining": "0"},
            )
        if auth is not None and auth != f"Bearer {self.token}":
            return _error(401, "Bad credentials", "authentication")
        return self.route(path, request, authenticated=auth is not None)

    def route(self, path: str, request: Request, *, authenticated: bool) -> Response:
        kind = "users" if self.user else "orgs"
        if path == f"/{kind}/{self.org}/repos":
            return self.page(1, authenticated)
        if path == "/organizations/90000001/repos":
            return self.page(int(request.args.get("page", "1")), authenticated)
        match = re.match(r"^/repos/([^/]+)/([^/]+)/(.+)$", path)
        repo = self.repos.get(match.group(2)) if match and match.group(1) == self.org else None
        if match is None or repo is None or repo.gone or (repo.private and not authenticated):
            return _error(404, "Not Found", "repos/repos#get-a-repository")
        rest = match.group(3)
        if repo.saml:
            return _error(
                403,
                "Resource protected by organization SAML enforcement. You must "
                "grant your Personal Access token access to this organization.",
                "authentication/authenticating-with-saml-single-sign-on",
            )
        if rest == "dependency-graph/sbom":
            if repo.sbom is None:
                return _error(404, "Not Found", "dependency-graph/sboms")
            return _json(repo.sbom)
        if rest.startswith("git/trees/"):
            return self.tree(repo, rest.removeprefix("git/trees/"), "recursive" in request.args)
        if rest.startswith("git/blobs/"):
            return self.blob(repo, rest.removeprefix("git/blobs/"))
        return _error(404, "Not Found", "repos")

    def page(self, number: int, authenticated: bool) -> Response:
        visible = [r for r in self.repos.values() if authenticated or not r.private]
        chunk = visible[(number - 1) * self.page_size : number * self.page_size]
        headers = {}
        if number * self.page_size < len(visible):
            base = f"{self.root}/organizations/90000001/repos?per_page=100&type=all"
            last = -(-len(visible) // self.page_size)
            headers["Link"] = (
                f'<{base}&page={number + 1}>; rel="next", <{base}&page={last}>; rel="last"'
            )
        return _json([self.entry(r) for r in chunk], headers=headers)

    def entry(self, repo: FakeRepo) -> dict[str, Any]:
        text = TEMPLATE.replace("{org}", self.org).replace("{name}", repo.name)
        entry: dict[str, Any] = json.loads(text.replace("{root}", self.root))
        entry.update(
            fork=repo.fork,
            archived=repo.archived,
            private=repo.private,
            default_branch=repo.branch,
            visibility="private" if repo.private else "public",
        )
        return entry

    def folders(self, repo: FakeRepo) -> set[str]:
        found = {""}
        for path in repo.files:
            parts = path.split("/")[:-1]
            found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return found

    def entries(self, repo: FakeRepo, folder: str | None) -> list[dict[str, Any]]:
        """Entries directly in ``folder`` (paths relative to it), or every entry (None)."""
        listed = []
        for path in sorted(self.folders(repo) - {""}):
            parent = path.rpartition("/")[0]
            if folder is None or parent == folder:
                shown = path if folder is None else path.rpartition("/")[2]
                listed.append(
                    {
                        "path": shown,
                        "mode": "040000",
                        "type": "tree",
                        "sha": tree_sha(repo.name, path),
                    }
                )
        for path in sorted(repo.files):
            parent, _, name = path.rpartition("/")
            if folder is None or parent == folder:
                data = repo.data(path)
                mode = "120000" if path in repo.symlinks else "100644"
                listed.append(
                    {
                        "path": path if folder is None else name,
                        "mode": mode,
                        "type": "blob",
                        "sha": blob_id(data),
                        "size": len(data),
                    }
                )
        return sorted(listed, key=lambda e: e["path"])

    def tree(self, repo: FakeRepo, ref: str, recursive: bool) -> Response:
        if repo.empty:
            return _error(409, "Git Repository is empty.", "git/trees#get-a-tree")
        if ref == repo.branch and recursive:
            entries = self.entries(repo, None)
            body = {
                "sha": tree_sha(repo.name, ""),
                "tree": entries[:2] if repo.truncated else entries,
                "truncated": repo.truncated,
            }
            return _json(body)
        for folder in self.folders(repo):
            if ref == tree_sha(repo.name, folder):
                return _json({"sha": ref, "tree": self.entries(repo, folder), "truncated": False})
        return _error(404, "Not Found", "git/trees#get-a-tree")

    def blob(self, repo: FakeRepo, sha: str) -> Response:
        for path in repo.files:
            data = repo.data(path)
            if blob_id(data) != sha:
                continue
            if path in repo.gone_files:
                break
            sent = b"tampered" + data if path in repo.corrupt_files else data
            encoded = base64.b64encode(sent).decode()
            lines = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
            return _json(
                {
                    "sha": sha,
                    "node_id": "B_kwDOAAAA",
                    "size": len(data),
                    "url": f"{self.root}/repos/{self.org}/{repo.name}/git/blobs/{sha}",
                    "content": lines,
                    "encoding": "base64",
                }
            )
        return _error(404, "Not Found", "git/blobs#get-a-blob")

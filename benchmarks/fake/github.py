"""Fake GitHub REST: ``/repos/<o>/<r>``, ``/commits`` and ``/contributors`` (``Link`` pages),
``/contents/<path>`` (FUNDING.yml, base64); ``POST /graphql`` is in :mod:`.github_graphql`."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from benchmarks.fake import github_graphql as graphql
from benchmarks.fake.common import (
    GITHUB_NOT_FOUND,
    Api,
    Reply,
    hex_digest,
    iso_stamp,
)
from benchmarks.fake.github_pages import github_user, link_header
from benchmarks.fake.world import Repo


class GithubApi(Api):
    """Repositories, commits, contributors and FUNDING.yml files of the world."""

    def github_repo(self, repo: Repo, api: str) -> dict[str, Any]:
        owner = self.world.owners.get(repo.owner)
        kind = owner.kind if owner else "User"
        full, url = f"{repo.owner}/{repo.name}", f"{api}/repos/{repo.owner}/{repo.name}"
        document: dict[str, Any] = {
            "id": int(hex_digest(full, size=4), 16),
            "node_id": "R_kgDO" + hex_digest(full, size=5),
            "name": repo.name,
            "full_name": full,
            "private": False,
            "owner": github_user(repo.owner, kind, api),
            "html_url": f"https://github.com/{full}",
            "description": f"{repo.name} library",
            "fork": False,
            "url": url,
        }
        for name in (
            "forks",
            "keys{/key_id}",
            "collaborators{/collaborator}",
            "teams",
            "hooks",
            "issues/events{/number}",
            "events",
            "assignees{/user}",
            "branches{/branch}",
            "tags",
            "git/blobs{/sha}",
            "git/tags{/sha}",
            "git/refs{/sha}",
            "git/trees{/sha}",
            "statuses/{sha}",
            "languages",
            "stargazers",
            "contributors",
            "subscribers",
            "subscription",
            "commits{/sha}",
            "git/commits{/sha}",
            "comments{/number}",
            "issues/comments{/number}",
            "contents/{+path}",
            "compare/{base}...{head}",
            "merges",
            "{archive_format}{/ref}",
            "downloads",
            "issues{/number}",
            "pulls{/number}",
            "milestones{/number}",
            "notifications{?since,all,participating}",
            "labels{/name}",
            "releases{/id}",
            "deployments",
        ):
            key = re.sub(r"[^a-z]+", "_", name.split("{")[0].strip("/")).strip("_") or "archive"
            document[f"{key}_url"] = f"{url}/{name}"
        document.update(
            {
                "created_at": iso_stamp(repo.created),
                "updated_at": iso_stamp(repo.pushed),
                "pushed_at": iso_stamp(repo.pushed),
                "git_url": f"git://github.com/{full}.git",
                "ssh_url": f"git@github.com:{full}.git",
                "clone_url": f"https://github.com/{full}.git",
                "svn_url": f"https://github.com/{full}",
                "homepage": None,
                "size": repo.stars % 50_000,
                "stargazers_count": repo.stars,
                "watchers_count": repo.stars,
                "language": "Python",
                "has_issues": True,
                "has_projects": True,
                "has_downloads": True,
                "has_wiki": True,
                "has_pages": False,
                "has_discussions": False,
                "forks_count": repo.forks,
                "mirror_url": None,
                "archived": repo.archived,
                "disabled": False,
                "open_issues_count": repo.issues + repo.pulls,
                "license": {
                    "key": repo.license.lower(),
                    "name": repo.license,
                    "spdx_id": repo.license,
                    "url": f"{api}/licenses/{repo.license.lower()}",
                    "node_id": "MDc6TGljZW5zZTEz",
                },
                "allow_forking": True,
                "is_template": False,
                "web_commit_signoff_required": False,
                "topics": ["python", "library"],
                "visibility": "public",
                "forks": repo.forks,
                "open_issues": repo.issues + repo.pulls,
                "watchers": repo.stars,
                "default_branch": "main",
                "temp_clone_token": None,
                "network_count": repo.forks,
                "subscribers_count": repo.stars // 20 + 1,
            }
        )
        if kind == "Organization":
            document["organization"] = github_user(repo.owner, kind, api)
        return document

    def github_commit(self, repo: Repo, api: str) -> dict[str, Any]:
        sha = hex_digest(repo.owner, repo.name, "head", size=20)
        person = {"name": "Dev", "email": "dev@example.org", "date": iso_stamp(repo.pushed)}
        login = f"{repo.owner}-dev0"
        return {
            "sha": sha,
            "node_id": "C_kwDO" + sha[:20],
            "commit": {
                "author": person,
                "committer": person,
                "message": "Fix a bug",
                "tree": {
                    "sha": sha[::-1],
                    "url": f"{api}/repos/{repo.owner}/{repo.name}/git/trees/{sha[::-1]}",
                },
                "url": f"{api}/repos/{repo.owner}/{repo.name}/git/commits/{sha}",
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "url": f"{api}/repos/{repo.owner}/{repo.name}/commits/{sha}",
            "html_url": f"https://github.com/{repo.owner}/{repo.name}/commit/{sha}",
            "comments_url": f"{api}/repos/{repo.owner}/{repo.name}/commits/{sha}/comments",
            "author": github_user(login, "User", api),
            "committer": github_user(login, "User", api),
            "parents": [
                {
                    "sha": sha[1:] + "0",
                    "url": f"{api}/repos/{repo.owner}/{repo.name}/commits/{sha[1:]}0",
                    "html_url": f"https://github.com/{repo.owner}/{repo.name}/commit/{sha[1:]}0",
                }
            ],
        }

    def github_contributors(self, repo: Repo, api: str) -> list[dict[str, Any]]:
        people = [(f"{repo.owner}-dev{i}", "User", n) for i, n in enumerate(repo.contributors)]
        bots = [
            (f"{b}[bot]", "Bot", max(1, repo.contributors[0] // 3))
            for b in ("dependabot", "pre-commit-ci", "renovate")[: repo.bots]
        ]
        ordered = sorted(people + bots, key=lambda p: -p[2])
        return [{**github_user(login, kind, api), "contributions": n} for login, kind, n in ordered]

    @staticmethod
    def funding_yml(funding: Mapping[str, Any]) -> str:
        lines = ["# These are supported funding model platforms", ""]
        for key, value in funding.items():
            lines.append(f"{key}: {json.dumps(value)}")
        return "\n".join(lines) + "\n"

    def github_content(
        self, owner: str, repo: str, path: str, text: str, api: str
    ) -> dict[str, Any]:
        raw = text.encode()
        sha = hex_digest(owner, repo, path, size=20)
        encoded = base64.b64encode(raw).decode()
        wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        url = f"{api}/repos/{owner}/{repo}/contents/{path}?ref=main"
        return {
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(raw),
            "url": url,
            "html_url": f"https://github.com/{owner}/{repo}/blob/main/{path}",
            "git_url": f"{api}/repos/{owner}/{repo}/git/blobs/{sha}",
            "download_url": f"https://raw.githubusercontent.com/{owner}/{repo}/main/{path}",
            "type": "file",
            "content": wrapped,
            "encoding": "base64",
            "_links": {
                "self": url,
                "git": f"{api}/repos/{owner}/{repo}/git/blobs/{sha}",
                "html": f"https://github.com/{owner}/{repo}/blob/main/{path}",
            },
        }

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        parts = urlsplit(target)
        host = headers.get("Host") or "127.0.0.1"
        api = f"http://{host}"
        if method == "POST" and parts.path == "/graphql":
            if not headers.get("Authorization"):
                return "github:graphql", Reply(
                    401, b'{"message":"This endpoint requires you to be authenticated."}'
                )
            return "github:graphql", graphql.answer(self.world, json.loads(body))
        segments = parts.path.split("/")[1:]
        if len(segments) < 3 or segments[0] != "repos":
            return "github:repo", GITHUB_NOT_FOUND
        owner, name, rest = segments[1], segments[2], segments[3:]
        if name == ".github" and rest[:1] == ["contents"]:
            known = self.world.owners.get(owner)
            path = "/".join(rest[1:])
            if (
                known is None
                or not known.dot_github
                or known.funding is None
                or path != "FUNDING.yml"
            ):
                return "github:contents", GITHUB_NOT_FOUND
            text = self.funding_yml(known.funding)
            return "github:contents", Reply.json(
                200, self.github_content(owner, name, path, text, api)
            )
        repo = self.world.repos.get(f"{owner}/{name}".lower())
        label = {
            (): "github:repo",
            ("commits",): "github:commits",
            ("contributors",): "github:contributors",
        }.get(tuple(rest[:1]), "github:contents")
        if repo is None or not repo.exists:
            return label, GITHUB_NOT_FOUND
        if not rest:
            return label, self.memo.get(f"gh/{owner}/{name}", lambda: self.github_repo(repo, api))
        query = parse_qs(parts.query)
        if rest == ["commits"]:
            return label, self._commits(repo, api, parts.path, query)
        if rest == ["contributors"]:
            return label, self._contributors(repo, api, parts.path, query)
        path = "/".join(rest[1:])
        if rest[0] != "contents" or path != ".github/FUNDING.yml" or repo.funding is None:
            return label, GITHUB_NOT_FOUND
        text = self.funding_yml(repo.funding)
        return label, Reply.json(200, self.github_content(owner, name, path, text, api))

    def _commits(self, repo: Repo, api: str, path: str, query: Mapping[str, list[str]]) -> Reply:
        if repo.commits_last_year == 0:
            return Reply.json(200, [])
        per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = (repo.commits_last_year + per_page - 1) // per_page
        reply = Reply.json(200, [self.github_commit(repo, api)] if page <= last else [])
        if link := link_header(api, path, query, page, last):
            reply.headers["Link"] = link
        return reply

    def _contributors(
        self, repo: Repo, api: str, path: str, query: Mapping[str, list[str]]
    ) -> Reply:
        everyone = self.github_contributors(repo, api)
        per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = max(1, (len(everyone) + per_page - 1) // per_page)
        reply = Reply.json(200, everyone[(page - 1) * per_page : page * per_page], pack=True)
        if link := link_header(api, path, query, page, last):
            reply.headers["Link"] = link
        return reply

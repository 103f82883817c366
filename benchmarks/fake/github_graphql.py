"""Fake GitHub GraphQL: ``repository`` aliases (``r0``… and the owners' ``g0``…), with
``NOT_FOUND`` errors for what does not exist; 401 without a token is answered by the route."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from benchmarks.fake.common import Reply, iso_stamp
from benchmarks.fake.world import Repo, World

REPOSITORY = re.compile(
    r'(\w+): repository\(owner: ("(?:[^"\\]|\\.)*"), name: ("(?:[^"\\]|\\.)*")\)'
)


def links(funding: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """``fundingLinks`` as GraphQL lists a FUNDING.yml."""
    found = []
    for key, value in (funding or {}).items():
        for item in value if isinstance(value, list) else [value]:
            if key == "github":
                found.append({"platform": "GITHUB", "url": f"https://github.com/{item}"})
            elif key == "open_collective":
                found.append(
                    {"platform": "OPEN_COLLECTIVE", "url": f"https://opencollective.com/{item}"}
                )
            else:
                found.append({"platform": "CUSTOM", "url": str(item)})
    return found


def node(world: World, repo: Repo) -> dict[str, Any]:
    """A repository as the fundscout query asks for it."""
    owner = world.owners.get(repo.owner)
    return {
        "isArchived": repo.archived,
        "stargazerCount": repo.stars,
        "forkCount": repo.forks,
        "createdAt": iso_stamp(repo.created),
        "pushedAt": iso_stamp(repo.pushed),
        "issues": {"totalCount": repo.issues},
        "pullRequests": {"totalCount": repo.pulls},
        "licenseInfo": {"spdxId": repo.license},
        "fundingLinks": links(repo.funding),
        "owner": {
            "__typename": owner.kind if owner else "User",
            "login": repo.owner,
            "hasSponsorsListing": bool(owner and owner.sponsors_listing),
            "sponsors": {"totalCount": owner.sponsors if owner else 0},
        },
        "defaultBranchRef": {
            "target": {
                "committedDate": iso_stamp(repo.pushed),
                "history": {"totalCount": repo.commits_last_year},
            }
        },
    }


def answer(world: World, payload: Mapping[str, Any]) -> Reply:
    """The answer to one query: each alias's node, or null and a NOT_FOUND error."""
    data: dict[str, Any] = {}
    errors = []
    for alias, owner_text, name_text in REPOSITORY.findall(str(payload["query"])):
        owner, name = json.loads(owner_text), json.loads(name_text)
        found: dict[str, Any] | None = None
        if alias.startswith("g") and name == ".github":
            known = world.owners.get(owner)
            if known is not None and known.dot_github:
                found = {"fundingLinks": links(known.funding)}
        else:
            repo = world.repos.get(f"{owner}/{name}".lower())
            if repo is not None and repo.exists:
                found = node(world, repo)
        data[alias] = found
        if found is None:
            errors.append(
                {
                    "type": "NOT_FOUND",
                    "path": [alias],
                    "locations": [{"line": 2, "column": 3}],
                    "message": f"Could not resolve to a Repository with the name '{owner}/{name}'.",
                }
            )
    document: dict[str, Any] = {"data": data}
    if errors:
        document["errors"] = errors
    return Reply.json(200, document, pack=True)

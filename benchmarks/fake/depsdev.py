"""Fake deps.dev: v3 GetPackage, GetVersion, GetProject; v3alpha ``versionbatch`` (paged by
``nextPageToken``) and ``:dependents``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

from benchmarks.fake.common import (
    ANCHOR,
    CHECKS,
    NOT_FOUND,
    Api,
    Memo,
    Reply,
    hex_digest,
    iso_stamp,
    seeded_rng,
)
from benchmarks.fake.world import Package, Repo, World


class DepsdevApi(Api):
    """Packages, versions, projects and dependents of the world, as deps.dev answers them."""

    def __init__(self, world: World, memo: Memo, batch_page: int = 200) -> None:
        super().__init__(world, memo)
        self.batch_page = batch_page

    def prepare(self) -> None:
        for package in self.world.packages:
            key = f"depsdev/{package.ecosystem}/{package.name}"
            self.memo.get(key, partial(self.depsdev_package, package))

    @staticmethod
    def system(package: Package) -> str:
        return "PYPI" if package.ecosystem == "pypi" else "NPM"

    def depsdev_package(self, package: Package) -> dict[str, Any]:
        system, latest = self.system(package), package.latest
        versions = []
        for release in package.releases:
            entry: dict[str, Any] = {
                "versionKey": {"system": system, "name": package.name, "version": release.version},
                "publishedAt": iso_stamp(release.published),
                "isDefault": release is latest,
                "isDeprecated": release.yanked or (release is latest and package.deprecated),
            }
            if entry["isDeprecated"]:
                entry["deprecatedReason"] = "yanked" if release.yanked else "no longer maintained"
            versions.append(entry)
        return {"packageKey": {"system": system, "name": package.name}, "versions": versions}

    def depsdev_version(self, package: Package, version: str) -> dict[str, Any] | None:
        at = package.position(version)
        if at < 0:
            return None
        release, system = package.releases[at], self.system(package)
        links = [{"label": "HOMEPAGE", "url": f"https://{package.name}.readthedocs.io"}]
        related = []
        if package.repo:
            url = f"https://github.com/{package.repo}"
            links.append(
                {"label": "SOURCE_REPO", "url": f"git+{url}.git" if system == "NPM" else url}
            )
            related.append(
                {
                    "projectKey": {"id": f"github.com/{package.repo.lower()}"},
                    "relationProvenance": "UNVERIFIED_METADATA",
                    "relationType": "SOURCE_REPO",
                }
            )
        document: dict[str, Any] = {
            "versionKey": {"system": system, "name": package.name, "version": version},
            "publishedAt": iso_stamp(release.published),
            "isDefault": release is package.latest,
            "isDeprecated": release.yanked,
            "deprecatedReason": "",
            "licenses": [package.license],
            "links": links,
            "slsaProvenances": [],
            "attestations": [],
            "registries": [
                "https://pypi.org/simple" if system == "PYPI" else "https://registry.npmjs.org/"
            ],
            "relatedProjects": related,
            "projectStatus": {"status": "active", "reason": ""},
        }
        advisories = [{"id": a.id} for a in self.world.affecting(package, version)]
        if advisories:  # proto3 JSON leaves out an empty list
            document["advisoryKeys"] = advisories
        return document

    def depsdev_project(self, repo: Repo) -> dict[str, Any]:
        rng = seeded_rng("scorecard", self.world.seed, repo.owner, repo.name)
        key = f"github.com/{repo.owner}/{repo.name}".lower()
        checks: list[dict[str, Any]] = [
            {
                "name": name,
                "score": rng.choice((-1, 0, 3, 5, 8, 10, 10)),
                "reason": f"{rng.randint(0, 30)} checks passed -- score normalized",
                "details": [],
                "documentation": {
                    "shortDescription": f"Determines if the project follows {name}.",
                    "url": f"https://github.com/ossf/scorecard/blob/main/docs/checks.md#{name.lower()}",
                },
            }
            for name in CHECKS
        ]
        return {
            "projectKey": {"id": key},
            "openIssuesCount": repo.issues,
            "starsCount": repo.stars,
            "forksCount": repo.forks,
            "license": repo.license,
            "description": f"{repo.name} project",
            "homepage": f"https://{repo.name}.example.org",
            "scorecard": {
                "date": iso_stamp(ANCHOR - timedelta(days=rng.randint(1, 30))),
                "repository": {"name": key, "commit": hex_digest(key, size=20)},
                "scorecard": {"version": "v5.2.1", "commit": hex_digest("scorecard", size=20)},
                "checks": checks,
                "overallScore": round(rng.uniform(2, 9), 1),
                "metadata": [],
            },
        }

    def _depsdev_package(self, system: str, name: str) -> Package | None:
        ecosystem = {"PYPI": "pypi", "NPM": "npm"}.get(system)
        if ecosystem == "pypi":
            name = str(canonicalize_name(name))
        package = self.world.by_key.get((ecosystem or "", name))
        return package if package is not None and package.on_depsdev else None

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        path = urlsplit(target).path
        if method == "POST" and path == "/v3alpha/versionbatch":
            return "depsdev:versionbatch", self._versionbatch(json.loads(body))
        raw = path.split("/")[1:]
        if raw[:2] == ["v3", "projects"] and len(raw) == 3:
            slug = unquote(raw[2]).lower().removeprefix("github.com/")
            repo = self.world.repos.get(slug)
            if repo is None or not repo.exists:
                return "depsdev:project", NOT_FOUND
            return "depsdev:project", self.memo.get(
                f"project/{slug}", lambda: self.depsdev_project(repo)
            )
        if (
            len(raw) < 5
            or raw[0] not in ("v3", "v3alpha")
            or raw[1] != "systems"
            or raw[3] != "packages"
        ):
            return "depsdev:package", NOT_FOUND
        package = self._depsdev_package(raw[2], unquote(raw[4]))
        if len(raw) == 5 and raw[0] == "v3":
            if package is None:
                return "depsdev:package", NOT_FOUND
            key = f"depsdev/{package.ecosystem}/{package.name}"
            return "depsdev:package", self.memo.get(key, lambda: self.depsdev_package(package))
        if len(raw) == 7 and raw[5] == "versions":
            dependents = raw[0] == "v3alpha" and raw[6].endswith(":dependents")
            version = unquote(raw[6].removesuffix(":dependents"))
            label = "depsdev:dependents" if dependents else "depsdev:version"
            if package is None or package.position(version) < 0:
                return label, NOT_FOUND
            if dependents:
                total = package.dependents
                answer = {
                    "dependentCount": total,
                    "directDependentCount": total // 3,
                    "indirectDependentCount": total - total // 3,
                }
                return label, Reply.json(200, {k: v for k, v in answer.items() if v})
            return label, Reply.json(200, self.depsdev_version(package, version), pack=True)
        return "depsdev:package", NOT_FOUND

    def _versionbatch(self, query: Mapping[str, Any]) -> Reply:
        asked = [r["versionKey"] for r in query["requests"]]
        if len(asked) > 5000:
            return Reply(400, b'{"code":3,"message":"too many requests in batch"}')
        start = int(query.get("pageToken") or 0)
        responses = []
        for key in asked[start : start + self.batch_page]:
            package = self._depsdev_package(key["system"], key["name"])
            answer: dict[str, Any] = {"request": {"versionKey": key}}
            document = self.depsdev_version(package, key["version"]) if package else None
            if document is not None:
                answer["version"] = document
            responses.append(answer)
        page: dict[str, Any] = {"responses": responses}
        if start + self.batch_page < len(asked):
            page["nextPageToken"] = str(start + self.batch_page)
        return Reply.json(200, page, pack=True)

"""Fake ecosyste.ms packages API: ``POST /api/v1/packages/bulk_lookup`` by ``purls`` (PyPI names
spelled with ``_`` or ``.`` are found only by ``names``, as on ecosyste.ms)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from benchmarks.fake.common import NOT_FOUND, WORDS, Api, Memo, Reply, iso_stamp, seeded_rng
from benchmarks.fake.world import Package, World


class EcosystemsApi(Api):
    """Package records of the world, found by purl or by name."""

    def __init__(self, world: World, memo: Memo) -> None:
        super().__init__(world, memo)
        self.eco_index = {
            (p.ecosystem, p.spelled.lower() if p.ecosystem == "pypi" else p.name): p
            for p in world.packages
            if p.on_ecosystems
        }

    def ecosystems_package(self, package: Package) -> dict[str, Any]:
        rng = seeded_rng("ecosystems", self.world.seed, package.index)
        name = package.spelled.lower() if package.ecosystem == "pypi" else package.name
        registry = "pypi.org" if package.ecosystem == "pypi" else "npmjs.org"
        registries = "https://packages.ecosyste.ms/api/v1/registries"
        api = f"{registries}/{registry}/packages/{quote(name, safe='')}"
        people = [
            {
                "uuid": p,
                "login": p,
                "name": p.title(),
                "email": None,
                "url": None,
                "packages_count": rng.randint(1, 40),
                "html_url": f"https://{registry}/user/{p}",
                "role": None,
                "created_at": "2022-11-01T10:12:13.456Z",
                "updated_at": "2025-03-01T10:12:13.456Z",
                "packages_url": f"https://packages.ecosyste.ms/api/v1/registries/{registry}/maintainers/{p}/packages",
            }
            for p in package.maintainers
        ]
        fields = (
            "versions",
            "version_numbers",
            "latest_version",
            "dependent_packages",
            "related_packages",
            "codemeta",
        )
        return {
            "id": 100_000 + package.index,
            "name": name,
            "ecosystem": package.ecosystem,
            "description": f"{rng.choice(WORDS).title()} helpers",
            "homepage": None,
            "licenses": package.license,
            "normalized_licenses": [package.license],
            "repository_url": f"https://github.com/{package.repo}" if package.repo else None,
            "keywords_array": [rng.choice(WORDS) for _ in range(3)],
            "namespace": None,
            "versions_count": len(package.releases),
            "first_release_published_at": iso_stamp(package.releases[0].published, micro=True),
            "latest_release_published_at": iso_stamp(package.latest.published, micro=True),
            "latest_release_number": package.latest.version,
            "last_synced_at": "2025-05-30T04:11:52.721Z",
            "created_at": "2022-04-05T00:11:52.721Z",
            "updated_at": "2025-05-30T04:11:52.721Z",
            "registry_url": f"https://{registry}/project/{name}",
            "install_command": None,
            "documentation_url": None,
            "metadata": {},
            "repo_metadata": None,
            "repo_metadata_updated_at": None,
            "dependent_packages_count": package.dependents,
            "downloads": package.downloads,
            "downloads_period": "last-month",
            "dependent_repos_count": package.dependents * 7,
            "rankings": {
                "downloads": rng.uniform(0, 50),
                "dependent_repos_count": rng.uniform(0, 50),
                "average": rng.uniform(0, 50),
            },
            "purl": f"pkg:{package.ecosystem}/{quote(package.name, safe='/')}",
            "advisories": [],
            "docker_usage_url": f"https://repos.ecosyste.ms/usage/{package.ecosystem}/{name}",
            "docker_dependents_count": 0,
            "docker_downloads_count": 0,
            "usage_url": f"https://repos.ecosyste.ms/usage/{package.ecosystem}/{name}",
            "dependent_repositories_url": f"https://repos.ecosyste.ms/api/v1/usage/{package.ecosystem}/{name}/dependencies",
            "status": "deprecated" if package.deprecated else None,
            "funding_links": list(package.funding),
            "critical": package.dependents > 1000,
            "issue_metadata": None,
            "maintainers": people,
            "registry": {
                "name": registry,
                "url": f"https://{registry}",
                "ecosystem": package.ecosystem,
                "default": True,
                "packages_count": 600_000,
                "github": registry.split(".")[0],
                "metadata": {},
                "icon_url": f"https://github.com/{registry.split('.')[0]}.png",
                "created_at": "2022-04-04T15:19:23.364Z",
                "updated_at": "2025-05-30T00:00:00.000Z",
            },
            **{f"{f}_url": f"{api}/{f}" for f in fields},
        }

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        label = "ecosystems:bulk_lookup"
        if method != "POST" or not urlsplit(target).path.endswith("/packages/bulk_lookup"):
            return label, NOT_FOUND
        query = json.loads(body)
        wanted: list[tuple[str, str]] = []
        for purl in query.get("purls") or []:
            kind, _, rest = str(purl).removeprefix("pkg:").partition("/")
            name = unquote(rest.split("@")[0] if not rest.startswith("%40") else rest)
            wanted.append((kind, name.replace("_", "-") if kind == "pypi" else name))
        for name in query.get("names") or []:
            wanted.append((str(query.get("ecosystem")), str(name).lower()))
        if len(wanted) > 100:
            return label, Reply(422, b'{"error":"at most 100 packages"}')
        found = [self.eco_index[w] for w in wanted if w in self.eco_index]
        return label, Reply.json(200, [self.ecosystems_package(p) for p in found], pack=True)

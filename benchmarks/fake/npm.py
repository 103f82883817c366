"""Fake npm registry: ``GET /<name>``, the full document (scoped names as ``@scope%2Fname``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import unquote, urlsplit

from benchmarks.fake.common import (
    WORDS,
    Api,
    Reply,
    hex_digest,
    iso_stamp,
    readme_text,
    seeded_rng,
)
from benchmarks.fake.world import Package


class NpmApi(Api):
    """Registry documents of the world's npm packages."""

    def prepare(self) -> None:
        for package in self.world.packages:
            if package.ecosystem == "npm":
                self.memo.get(f"npm/{package.name}", partial(self.npm_document, package))

    def npm_document(self, package: Package) -> dict[str, Any]:
        rng = seeded_rng("npm", self.world.seed, package.index)
        people = [{"name": p, "email": f"{p}@example.org"} for p in package.maintainers]
        repo = (
            {"type": "git", "url": f"git+https://github.com/{package.repo}.git"}
            if package.repo
            else None
        )
        versions: dict[str, Any] = {}
        for release in package.releases:
            digest = hex_digest(package.name, release.version, size=32)
            manifest: dict[str, Any] = {
                "name": package.name,
                "version": release.version,
                "description": f"{rng.choice(WORDS).title()} helpers for {rng.choice(WORDS)}",
                "main": "dist/index.js",
                "types": "dist/index.d.ts",
                "scripts": {"build": "tsc -p .", "test": "vitest run", "lint": "eslint ."},
                "license": package.license,
                "author": people[0],
                "dependencies": {
                    rng.choice(WORDS)
                    + f"-{rng.choice(WORDS)}": f"^{rng.randint(1, 9)}.{rng.randint(0, 20)}.0"
                    for _ in range(rng.randint(0, 6))
                },
                "devDependencies": {
                    d: f"^{rng.randint(1, 9)}.0.0"
                    for d in ("typescript", "vitest", "eslint", "prettier", "@types/node")[
                        : rng.randint(1, 5)
                    ]
                },
                "engines": {"node": ">=18"},
                "gitHead": digest[:40],
                "_id": f"{package.name}@{release.version}",
                "_nodeVersion": "20.11.1",
                "_npmVersion": "10.2.4",
                "dist": {
                    "integrity": "sha512-" + base64.b64encode(bytes.fromhex(digest * 2)).decode(),
                    "shasum": digest[:40],
                    "fileCount": rng.randint(4, 80),
                    "unpackedSize": rng.randint(5_000, 900_000),
                    "tarball": f"https://registry.npmjs.org/{package.name}/-/"
                    f"{package.name.split('/')[-1]}-{release.version}.tgz",
                    "signatures": [
                        {
                            "keyid": "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA",
                            "sig": "MEUCIQ" + digest + "AiB" + digest[::-1],
                        }
                    ],
                },
                "_npmUser": people[0],
                "directories": {},
                "maintainers": people,
                "_npmOperationalInternal": {
                    "host": "s3://npm-registry-packages",
                    "tmp": f"tmp/{package.name.split('/')[-1]}_{release.version}",
                },
                "_hasShrinkwrap": False,
            }
            if repo:
                manifest["repository"] = repo
                manifest["bugs"] = {"url": f"https://github.com/{package.repo}/issues"}
                manifest["homepage"] = f"https://github.com/{package.repo}#readme"
            if package.funding:
                manifest["funding"] = {"type": "github", "url": package.funding[0]}
            if release is package.latest and package.deprecated:
                manifest["deprecated"] = "This package is no longer maintained."
            versions[release.version] = manifest
        times = {
            "created": iso_stamp(package.releases[0].published, micro=True),
            "modified": iso_stamp(package.releases[-1].published + timedelta(days=3), micro=True),
        }
        times.update((r.version, iso_stamp(r.published, micro=True)) for r in package.releases)
        document: dict[str, Any] = {
            "_id": package.name,
            "_rev": f"{len(versions)}-{hex_digest(package.name, size=16)}",
            "name": package.name,
            "dist-tags": {"latest": package.latest.version},
            "versions": versions,
            "time": times,
            "maintainers": people,
            "description": versions[package.latest.version]["description"],
            "keywords": [rng.choice(WORDS) for _ in range(4)],
            "license": package.license,
            "readme": readme_text(rng, package.name),
            "readmeFilename": "README.md",
        }
        if repo:
            document.update(
                repository=repo,
                homepage=f"https://github.com/{package.repo}#readme",
                bugs={"url": f"https://github.com/{package.repo}/issues"},
            )
        return document

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        name = unquote(urlsplit(target).path[1:])
        package = self.world.by_key.get(("npm", name))
        if package is None or not package.on_registry:
            return "npm:document", Reply(404, b'{"error":"Not found"}')
        return "npm:document", self.memo.get(f"npm/{name}", lambda: self.npm_document(package))

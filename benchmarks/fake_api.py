"""A local fake of every public API fundscout's enrichment calls, for benchmarks.

One threaded HTTP server per real host (PyPI, npm, deps.dev, ecosyste.ms, OSV, GitHub), each on
its own 127.0.0.1 port, so that the client's per-host concurrency limit applies exactly as it
does against the real services. All of them serve one synthetic :class:`World` of N packages
(PyPI and npm, with release histories, maintainers, source repositories on github.com, owners,
FUNDING.yml files, contributors and advisories), generated deterministically from a seed, in the
documented shapes of each API:

- PyPI ``GET /pypi/<name>/json`` and ``GET /pypi/<name>/<version>/json`` (with
  ``vulnerabilities``); npm ``GET /<name>`` (full document, scoped names as ``@scope%2Fname``);
- deps.dev v3 ``GetPackage``, ``GetVersion``, ``GetProject`` and v3alpha ``versionbatch`` (paged
  by ``nextPageToken``) and ``:dependents``;
- ecosyste.ms ``POST /api/v1/packages/bulk_lookup`` (by ``purls`` or by ``names``);
- OSV ``POST /v1/querybatch`` and ``GET /v1/vulns/<id>``;
- GitHub REST ``/repos/<o>/<r>``, ``/commits``, ``/contributors`` (``Link`` pagination),
  ``/contents/<path>`` and GraphQL ``POST /graphql`` (aliases, ``NOT_FOUND`` errors, 401
  without a token).

Every answer waits ``latency`` seconds (``time.sleep`` in the handler thread). ``error_rate``
answers that share of requests with a 500/502/503, decided by a hash of the seed, the request and
how many times it was asked before, so a run is reproducible whatever the thread interleaving.
``rate_limit`` allows that many requests per host and ``rate_window`` seconds; beyond it GitHub
answers 403 with ``X-RateLimit-Remaining: 0`` (GraphQL: 200 with a ``RATE_LIMITED`` error) and
the others 429 with ``Retry-After``. Every request is counted per host and endpoint; read the
counters at ``GET /__fake__/stats`` and reset them with ``POST /__fake__/reset`` (on any port;
these are neither delayed nor counted).

Run alone: ``python -m benchmarks.fake_api --packages 2000``; it prints one JSON line with the
base URL of each host, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from packaging.utils import canonicalize_name

ANCHOR = datetime(2025, 6, 2, tzinfo=UTC)  # "now" of the synthetic world: output is stable
ROLES = ("pypi", "npm", "depsdev", "ecosystems", "osv", "github")
PROVIDER_OF = {  # endpoint label -> the fundscout provider that calls it
    "pypi:project": "pypi",
    "pypi:release": "vulnerabilities",
    "npm:document": "npm",
    "depsdev:package": "depsdev",
    "depsdev:version": "depsdev",
    "depsdev:project": "depsdev",
    "depsdev:versionbatch": "depsdev",
    "depsdev:dependents": "depsdev",
    "ecosystems:bulk_lookup": "ecosystems",
    "osv:querybatch": "vulnerabilities",
    "osv:vuln": "vulnerabilities",
    "github:repo": "github",
    "github:commits": "github",
    "github:contributors": "github",
    "github:contents": "github",
    "github:graphql": "github",
}
WORDS = (
    "http",
    "json",
    "async",
    "data",
    "cache",
    "parse",
    "auth",
    "cloud",
    "test",
    "log",
    "config",
    "stream",
    "image",
    "crypto",
    "xml",
    "yaml",
    "time",
    "path",
    "color",
    "query",
    "graph",
    "task",
    "queue",
    "file",
    "net",
    "mock",
    "lint",
    "format",
    "schema",
    "event",
    "socket",
    "router",
    "plugin",
    "store",
    "token",
    "retry",
    "proxy",
    "table",
    "vector",
    "signal",
    "glob",
    "diff",
    "zip",
    "shell",
    "math",
    "locale",
    "mail",
    "cli",
    "web",
    "orm",
)
SCOPES = (
    "babel",
    "types",
    "aws-sdk",
    "angular",
    "vue",
    "jest",
    "octokit",
    "tanstack",
    "mui",
    "emotion",
    "rollup",
    "vitest",
    "sentry",
    "storybook",
    "radix-ui",
    "smithy",
)
LICENSES = (
    "MIT",
    "MIT",
    "MIT",
    "Apache-2.0",
    "Apache-2.0",
    "BSD-3-Clause",
    "ISC",
    "BSD-2-Clause",
    "MPL-2.0",
    "GPL-3.0-or-later",
    "LGPL-2.1-only",
)
PEOPLE = (
    "alice",
    "bob",
    "carol",
    "dmitri",
    "erin",
    "farid",
    "grace",
    "hiro",
    "ines",
    "jonas",
    "kemal",
    "lena",
    "mateo",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "tomoko",
)
CHECKS = (
    "Maintained",
    "Code-Review",
    "CII-Best-Practices",
    "License",
    "Signed-Releases",
    "Branch-Protection",
    "Security-Policy",
    "Dangerous-Workflow",
    "Token-Permissions",
    "Binary-Artifacts",
    "Pinned-Dependencies",
    "Fuzzing",
    "Vulnerabilities",
    "SAST",
    "Packaging",
    "Dependency-Update-Tool",
)


def _rng(*parts: object) -> random.Random:
    """An independent generator per document: the same bytes whatever the generation order."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311  (synthetic data only)


def _digest(*parts: object, size: int = 20) -> str:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).hexdigest()


def _stamp(when: datetime, micro: bool = False) -> str:
    text = when.astimezone(UTC).isoformat(timespec="microseconds" if micro else "seconds")
    return text.replace("+00:00", "Z")


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class Release:
    version: str
    published: datetime
    yanked: bool = False


@dataclass(frozen=True)
class Package:
    """One synthetic package; ``name`` is how the dependency graph names it."""

    index: int
    ecosystem: str  # "pypi" | "npm"
    name: str  # canonical for PyPI, "@scope/name" for npm
    spelled: str  # as the registry displays it ("Foo_Bar", "zope.interface")
    releases: tuple[Release, ...]  # oldest first
    used: tuple[str, ...]  # versions the organization uses
    repo: str | None  # "owner/name" on github.com
    license: str
    maintainers: tuple[str, ...]
    organization: str | None
    deprecated: bool
    files: int  # PyPI distribution files per release
    on_registry: bool
    on_depsdev: bool
    on_ecosystems: bool
    dependents: int
    downloads: int
    funding: tuple[str, ...]  # funding URLs in its registry metadata
    advisories: tuple[str, ...] = ()

    @property
    def latest(self) -> Release:
        """The newest release not yanked (what registries call the default version)."""
        return next((r for r in reversed(self.releases) if not r.yanked), self.releases[-1])

    def position(self, version: str) -> int:
        return next((i for i, r in enumerate(self.releases) if r.version == version), -1)


@dataclass(frozen=True)
class Repo:
    owner: str
    name: str
    exists: bool
    archived: bool
    stars: int
    forks: int
    issues: int
    pulls: int
    created: datetime
    pushed: datetime
    license: str
    commits_last_year: int
    contributors: tuple[int, ...]  # commit counts of the humans, descending
    bots: int
    funding: dict[str, Any] | None  # its own .github/FUNDING.yml


@dataclass(frozen=True)
class Owner:
    login: str
    kind: str  # "User" | "Organization"
    sponsors_listing: bool
    sponsors: int
    funding: dict[str, Any] | None  # FUNDING.yml of its ".github" repository
    dot_github: bool  # the ".github" repository exists


@dataclass(frozen=True)
class Advisory:
    id: str  # GHSA-…
    aliases: tuple[str, ...]  # CVE-…, and PYSEC-… for PyPI
    package: int
    introduced: int  # release positions: affected when introduced <= position < fixed
    fixed: int | None
    severity: str
    summary: str
    published: datetime


def _versions(rng: random.Random, count: int) -> list[str]:
    major, minor, patch = rng.choice((0, 0, 1, 1, 2, 3)), rng.randint(0, 9), 0
    found = []
    for _ in range(count):
        found.append(f"{major}.{minor}.{patch}")
        roll = rng.random()
        if roll < 0.05:
            major, minor, patch = major + 1, 0, 0
        elif roll < 0.30:
            minor, patch = minor + 1, 0
        else:
            patch += 1
    return found


class World:
    """N packages (``pypi_share`` of them PyPI, the rest npm) and everything around them."""

    def __init__(self, packages: int, seed: int = 1, pypi_share: float = 0.5) -> None:
        self.seed = seed
        rng = _rng("world", seed)
        self.owners: dict[str, Owner] = {}
        self.repos: dict[str, Repo] = {}
        self.advisories: dict[str, Advisory] = {}
        self.packages: list[Package] = []
        repo_names: list[str] = []
        for index in range(packages):
            ecosystem = "pypi" if rng.random() < pypi_share else "npm"
            repo = self._repo_for(rng, index, repo_names)
            self.packages.append(self._package(index, ecosystem, repo))
        self._advise(rng)
        self.by_key = {(p.ecosystem, p.name): p for p in self.packages}
        self.by_alias = {a: adv for adv in self.advisories.values() for a in (adv.id, *adv.aliases)}

    def _repo_for(self, rng: random.Random, index: int, known: list[str]) -> str | None:
        roll = rng.random()
        if roll < 0.07:
            return None  # no repository in any metadata
        if roll < 0.27 and known:
            return rng.choice(known[-200:])  # a monorepo: several packages, one project
        if self.owners and rng.random() < 0.35:
            owner = rng.choice(list(self.owners)[-300:])
        else:
            owner = f"{rng.choice(WORDS)}{rng.choice(PEOPLE)}{index}"
            self.owners[owner] = self._owner(owner)
        slug = f"{owner}/{rng.choice(WORDS)}-{rng.choice(WORDS)}{index}"
        self.repos[slug.lower()] = self._repo(slug)
        known.append(slug)
        return slug

    def _owner(self, login: str) -> Owner:
        rng = _rng("owner", self.seed, login)
        kind = "Organization" if rng.random() < 0.45 else "User"
        listing = rng.random() < 0.25
        has_yml = rng.random() < 0.15
        funding = {"github": [login], "open_collective": login} if has_yml else None
        return Owner(
            login,
            kind,
            listing,
            int(rng.paretovariate(1.2)) - 1 if listing else 0,
            funding,
            has_yml or rng.random() < 0.2,
        )

    def _repo(self, slug: str) -> Repo:
        rng = _rng("repo", self.seed, slug)
        owner, name = slug.split("/")
        created = ANCHOR - timedelta(days=rng.uniform(200, 5000))
        pushed = ANCHOR - timedelta(days=min(rng.expovariate(1 / 120), 3000))
        humans = max(1, min(3000, int(rng.lognormvariate(2.0, 1.4))))
        top = rng.uniform(0.2, 0.95)
        counts = sorted(
            (
                max(1, int(2000 * top / (rank + 1) ** rng.uniform(1.0, 2.0)))
                for rank in range(humans)
            ),
            reverse=True,
        )
        funding = None
        if rng.random() < 0.2:
            funding = {"github": [owner], "custom": [f"https://{name}.example.org/donate"]}
        return Repo(
            owner=owner,
            name=name,
            exists=rng.random() > 0.03,
            archived=rng.random() < 0.04,
            stars=min(400_000, int(rng.paretovariate(0.6))),
            forks=min(60_000, int(rng.paretovariate(0.9))),
            issues=int(rng.expovariate(1 / 40)),
            pulls=int(rng.expovariate(1 / 8)),
            created=created,
            pushed=max(pushed, created),
            license=rng.choice(LICENSES),
            commits_last_year=int(rng.expovariate(1 / 150)) if rng.random() < 0.85 else 0,
            contributors=tuple(counts),
            bots=rng.choice((0, 0, 1, 2)),
            funding=funding,
        )

    def _package(self, index: int, ecosystem: str, repo: str | None) -> Package:
        rng = _rng("package", self.seed, index)
        first, second = rng.choice(WORDS), rng.choice(WORDS)
        if ecosystem == "npm":
            base = f"{first}-{second}-{index}"
            name = f"@{rng.choice(SCOPES)}/{base}" if rng.random() < 0.25 else base
            spelled = name
        else:
            name = f"{first}-{second}{index}" if rng.random() < 0.6 else f"py{first}{index}"
            roll = rng.random()
            spelled = name.replace("-", "_") if roll < 0.12 else name
            spelled = name.replace("-", ".") if 0.12 <= roll < 0.16 else spelled
            spelled = spelled.title() if rng.random() < 0.15 else spelled
            name = str(canonicalize_name(name))
        binary = ecosystem == "pypi" and rng.random() < 0.03
        count = max(1, min(400, int(rng.lognormvariate(2.7, 1.0))))
        count = min(count, 60) if binary else count
        start = ANCHOR - timedelta(days=rng.uniform(90, 4500))
        span = (ANCHOR - start) * rng.uniform(0.2, 1.0)
        releases = tuple(
            Release(
                v,
                start + span * (i / max(1, count - 1)) + timedelta(minutes=rng.randint(0, 900)),
                yanked=rng.random() < 0.01 and i < count - 1,
            )
            for i, v in enumerate(_versions(rng, count))
        )
        recent = [r.version for r in releases[-12:]]
        used = tuple(
            sorted(set(rng.sample(recent, min(len(recent), rng.choice((1, 1, 1, 2, 2, 3))))))
        )
        people = tuple(sorted(set(rng.sample(PEOPLE, rng.choice((1, 1, 2, 2, 3, 5))))))
        funding: tuple[str, ...] = ()
        if repo and rng.random() < 0.15:
            funding = (f"https://github.com/sponsors/{repo.split('/')[0]}",)
        return Package(
            index=index,
            ecosystem=ecosystem,
            name=name,
            spelled=spelled,
            releases=releases,
            used=used,
            repo=repo,
            license=rng.choice(LICENSES),
            maintainers=people,
            organization=(repo or "").split("/")[0] if rng.random() < 0.1 and repo else None,
            deprecated=rng.random() < 0.02,
            files=rng.randint(10, 20) if binary else rng.choice((1, 2, 2, 3)),
            on_registry=rng.random() > 0.005,
            on_depsdev=rng.random() > 0.01,
            on_ecosystems=rng.random() > 0.03,
            dependents=min(2_000_000, int(rng.paretovariate(0.5))),
            downloads=min(10**10, int(rng.paretovariate(0.3)) * 100),
            funding=funding,
        )

    def _advise(self, rng: random.Random) -> None:
        """About one package in eight has one to four advisories."""
        for position, package in enumerate(self.packages):
            if rng.random() >= 0.125 or len(package.releases) < 2:
                continue
            ids = []
            for n in range(rng.choice((1, 1, 2, 4))):
                ghsa = "GHSA-" + "-".join(_digest(package.name, n, part, size=2) for part in "abc")
                ghsa = ghsa[:19]
                year = rng.randint(2018, 2025)
                aliases = [f"CVE-{year}-{rng.randint(1000, 49999)}"]
                if package.ecosystem == "pypi" and rng.random() < 0.6:
                    aliases.append(f"PYSEC-{year}-{rng.randint(1, 999)}")
                size = len(package.releases)
                fixed = rng.randint(1, size) if rng.random() < 0.85 else None
                introduced = rng.randint(0, (fixed or size) - 1)
                self.advisories[ghsa] = Advisory(
                    ghsa,
                    tuple(aliases),
                    package.index,
                    introduced,
                    fixed if fixed is not None and fixed < size else None,
                    rng.choice(("LOW", "MODERATE", "MODERATE", "HIGH", "CRITICAL")),
                    f"{rng.choice(WORDS).title()} handling allows {rng.choice(WORDS)} injection",
                    ANCHOR - timedelta(days=rng.uniform(10, 2000)),
                )
                ids.append(ghsa)
            self.packages[position] = replace(package, advisories=tuple(ids))

    def affecting(self, package: Package, version: str) -> list[Advisory]:
        at = package.position(version)
        found = [self.advisories[a] for a in package.advisories]
        return [a for a in found if at >= a.introduced and (a.fixed is None or at < a.fixed)]


# --------------------------------------------------------------------------- documents


def _readme(rng: random.Random, title: str) -> str:
    lines = [f"# {title}", "", f"[![PyPI](https://img.shields.io/pypi/v/{title}.svg)]()", ""]
    for _ in range(rng.randint(3, 12)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(25, 80))]
        lines += [" ".join(words).capitalize() + ".", ""]
        if rng.random() < 0.3:
            lines += ["```python", f"import {title.replace('-', '_')}", "```", ""]
    return "\n".join(lines)


def _user(login: str, kind: str = "User", api: str = "https://api.github.com") -> dict[str, Any]:
    """A GitHub simple-user object, with its many URL fields (they are most of its bytes)."""
    url = f"{api}/users/{login}"
    user: dict[str, Any] = {
        "login": login,
        "id": int(_digest(login, size=4), 16) % 10**8,
        "node_id": "MDQ6VXNlcj" + _digest(login, size=4),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{login}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"https://github.com/{login}",
    }
    for name in (
        "followers",
        "following{/other_user}",
        "gists{/gist_id}",
        "starred{/owner}{/repo}",
        "subscriptions",
        "organizations",
        "repos",
        "events{/privacy}",
        "received_events",
    ):
        user[name.split("{")[0] + "_url"] = f"{url}/{name.replace('organizations', 'orgs')}"
    user.update({"type": kind, "user_view_type": "public", "site_admin": False})
    return user


class Documents:
    """Builds each API's answer for the world, in the shape that API documents."""

    def __init__(self, world: World) -> None:
        self.world = world

    # PyPI ------------------------------------------------------------------
    def _pypi_files(self, package: Package, release: Release) -> list[dict[str, Any]]:
        stem = package.spelled.replace("-", "_").replace(".", "_")
        tags = ["py3-none-any"]
        if package.files > 3:
            tags = [
                f"cp3{m}-cp3{m}-{p}"
                for m in range(8, 14)
                for p in (
                    "manylinux_2_17_x86_64.manylinux2014_x86_64",
                    "win_amd64",
                    "macosx_11_0_arm64",
                )
            ][: package.files - 1]
        files = []
        for n in range(package.files):
            sdist = n == 0
            tag = tags[(n - 1) % len(tags)]
            name = f"{stem}-{release.version}" + (".tar.gz" if sdist else f"-{tag}.whl")
            digest = _digest(package.name, release.version, n, size=32)
            when = release.published + timedelta(seconds=n * 7)
            files.append(
                {
                    "comment_text": None,
                    "digests": {"blake2b_256": digest[::-1], "md5": digest[:32], "sha256": digest},
                    "downloads": -1,
                    "filename": name,
                    "has_sig": False,
                    "md5_digest": digest[:32],
                    "packagetype": "sdist" if sdist else "bdist_wheel",
                    "python_version": "source" if sdist else tag.split("-")[0],
                    "requires_python": ">=3.9",
                    "size": 20_000 + int(digest[:5], 16) % 900_000,
                    "upload_time": when.strftime("%Y-%m-%dT%H:%M:%S"),
                    "upload_time_iso_8601": _stamp(when, micro=True),
                    "url": f"https://files.pythonhosted.org/packages/{digest[:2]}/{digest[2:4]}/"
                    f"{digest[4:60]}/{name}",
                    "yanked": release.yanked,
                    "yanked_reason": "broken" if release.yanked else None,
                }
            )
        return files

    def _pypi_info(self, package: Package, release: Release) -> dict[str, Any]:
        rng = _rng("pypi-info", self.world.seed, package.index)
        status = (
            "7 - Inactive"
            if package.deprecated
            else rng.choice(
                ("5 - Production/Stable", "5 - Production/Stable", "4 - Beta", "3 - Alpha")
            )
        )
        urls = {
            "Documentation": f"https://{package.name}.readthedocs.io",
            "Changelog": f"https://{package.name}.readthedocs.io/en/latest/changes.html",
        }
        if package.repo:
            urls["Source"] = f"https://github.com/{package.repo}"
            urls["Issues"] = f"https://github.com/{package.repo}/issues"
        for link in package.funding:
            urls["Funding"] = link
        author = package.maintainers[0]
        return {
            "author": None,
            "author_email": f"{author.title()} <{author}@example.org>",
            "bugtrack_url": None,
            "classifiers": [
                f"Development Status :: {status}",
                "Intended Audience :: Developers",
                "Operating System :: OS Independent",
                "Programming Language :: Python",
                *(f"Programming Language :: Python :: 3.{m}" for m in range(9, 14)),
                "Topic :: Software Development :: Libraries",
            ],
            "description": _readme(rng, package.spelled),
            "description_content_type": "text/markdown",
            "docs_url": None,
            "download_url": None,
            "downloads": {"last_day": -1, "last_month": -1, "last_week": -1},
            "dynamic": ["License-File"],
            "home_page": None,
            "keywords": f"{rng.choice(WORDS)}, {rng.choice(WORDS)}",
            "license": None,
            "license_expression": package.license,
            "license_files": ["LICENSE"],
            "maintainer": None,
            "maintainer_email": None,
            "name": package.spelled,
            "package_url": f"https://pypi.org/project/{package.spelled}/",
            "platform": None,
            "project_url": f"https://pypi.org/project/{package.spelled}/",
            "project_urls": urls,
            "provides_extra": ["dev", "docs"],
            "release_url": f"https://pypi.org/project/{package.spelled}/{release.version}/",
            "requires_dist": [
                f"{rng.choice(WORDS)}>=1.{rng.randint(0, 9)}" for _ in range(rng.randint(0, 6))
            ],
            "requires_python": ">=3.9",
            "summary": f"{rng.choice(WORDS).title()} tools for {rng.choice(WORDS)}",
            "version": release.version,
            "yanked": release.yanked,
            "yanked_reason": None,
        }

    def pypi_project(self, package: Package) -> dict[str, Any]:
        latest = package.latest
        roles = [
            {"role": "Owner" if i == 0 else "Maintainer", "user": user}
            for i, user in enumerate(package.maintainers)
        ]
        return {
            "info": self._pypi_info(package, latest),
            "last_serial": 20_000_000 + package.index,
            "ownership": {"organization": package.organization, "roles": roles},
            "releases": {r.version: self._pypi_files(package, r) for r in package.releases},
            "urls": self._pypi_files(package, latest),
            "vulnerabilities": self._pypi_vulns(package, latest.version),
        }

    def pypi_release(self, package: Package, version: str) -> dict[str, Any] | None:
        at = package.position(version)
        if at < 0:
            return None
        release = package.releases[at]
        return {
            "info": self._pypi_info(package, release),
            "last_serial": 20_000_000 + package.index,
            "urls": self._pypi_files(package, release),
            "vulnerabilities": self._pypi_vulns(package, version),
        }

    def _pypi_vulns(self, package: Package, version: str) -> list[dict[str, Any]]:
        found = []
        for adv in self.world.affecting(package, version):
            pysec = [a for a in adv.aliases if a.startswith("PYSEC-")]
            vuln_id = pysec[0] if pysec else adv.id
            fixed = [package.releases[adv.fixed].version] if adv.fixed is not None else []
            found.append(
                {
                    "aliases": sorted({adv.id, *adv.aliases} - {vuln_id}),
                    "details": f"{adv.summary}. " * 6,
                    "fixed_in": fixed,
                    "id": vuln_id,
                    "link": f"https://osv.dev/vulnerability/{vuln_id}",
                    "source": "osv",
                    "summary": adv.summary,
                    "withdrawn": None,
                }
            )
        return found

    # npm -------------------------------------------------------------------
    def npm_document(self, package: Package) -> dict[str, Any]:
        rng = _rng("npm", self.world.seed, package.index)
        people = [{"name": p, "email": f"{p}@example.org"} for p in package.maintainers]
        repo = (
            {"type": "git", "url": f"git+https://github.com/{package.repo}.git"}
            if package.repo
            else None
        )
        versions: dict[str, Any] = {}
        for release in package.releases:
            digest = _digest(package.name, release.version, size=32)
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
            "created": _stamp(package.releases[0].published, micro=True),
            "modified": _stamp(package.releases[-1].published + timedelta(days=3), micro=True),
        }
        times.update((r.version, _stamp(r.published, micro=True)) for r in package.releases)
        document: dict[str, Any] = {
            "_id": package.name,
            "_rev": f"{len(versions)}-{_digest(package.name, size=16)}",
            "name": package.name,
            "dist-tags": {"latest": package.latest.version},
            "versions": versions,
            "time": times,
            "maintainers": people,
            "description": versions[package.latest.version]["description"],
            "keywords": [rng.choice(WORDS) for _ in range(4)],
            "license": package.license,
            "readme": _readme(rng, package.name),
            "readmeFilename": "README.md",
        }
        if repo:
            document.update(
                repository=repo,
                homepage=f"https://github.com/{package.repo}#readme",
                bugs={"url": f"https://github.com/{package.repo}/issues"},
            )
        return document

    # deps.dev --------------------------------------------------------------
    @staticmethod
    def system(package: Package) -> str:
        return "PYPI" if package.ecosystem == "pypi" else "NPM"

    def depsdev_package(self, package: Package) -> dict[str, Any]:
        system, latest = self.system(package), package.latest
        versions = []
        for release in package.releases:
            entry: dict[str, Any] = {
                "versionKey": {"system": system, "name": package.name, "version": release.version},
                "publishedAt": _stamp(release.published),
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
            "publishedAt": _stamp(release.published),
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
        rng = _rng("scorecard", self.world.seed, repo.owner, repo.name)
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
                "date": _stamp(ANCHOR - timedelta(days=rng.randint(1, 30))),
                "repository": {"name": key, "commit": _digest(key, size=20)},
                "scorecard": {"version": "v5.2.1", "commit": _digest("scorecard", size=20)},
                "checks": checks,
                "overallScore": round(rng.uniform(2, 9), 1),
                "metadata": [],
            },
        }

    # ecosyste.ms -----------------------------------------------------------
    def ecosystems_package(self, package: Package) -> dict[str, Any]:
        rng = _rng("ecosystems", self.world.seed, package.index)
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
            "first_release_published_at": _stamp(package.releases[0].published, micro=True),
            "latest_release_published_at": _stamp(package.latest.published, micro=True),
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

    # OSV -------------------------------------------------------------------
    def osv_record(self, adv: Advisory) -> dict[str, Any]:
        package = self.world.packages[adv.package]
        system = "PyPI" if package.ecosystem == "pypi" else "npm"
        events: list[dict[str, str]] = [
            {"introduced": package.releases[adv.introduced].version if adv.introduced else "0"}
        ]
        if adv.fixed is not None:
            events.append({"fixed": package.releases[adv.fixed].version})
        end = adv.fixed if adv.fixed is not None else len(package.releases)
        affected: dict[str, Any] = {
            "package": {
                "ecosystem": system,
                "name": package.name,
                "purl": f"pkg:{package.ecosystem}/{quote(package.name, safe='/')}",
            },
            "ranges": [{"type": "ECOSYSTEM" if system == "PyPI" else "SEMVER", "events": events}],
            "database_specific": {
                "source": f"https://github.com/github/advisory-database/blob/main/advisories/{adv.id}.json"
            },
        }
        if system == "PyPI":
            affected["versions"] = [r.version for r in package.releases[adv.introduced : end]]
        return {
            "schema_version": "1.6.0",
            "id": adv.id,
            "modified": _stamp(adv.published + timedelta(days=30), micro=True),
            "published": _stamp(adv.published),
            "aliases": list(adv.aliases),
            "summary": adv.summary,
            "details": f"{adv.summary}. " * 12,
            "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}
            ],
            "affected": [affected],
            "references": [
                {"type": "ADVISORY", "url": f"https://nvd.nist.gov/vuln/detail/{adv.aliases[0]}"},
                {"type": "PACKAGE", "url": f"https://github.com/{package.repo or 'example/x'}"},
            ],
            "database_specific": {
                "cwe_ids": ["CWE-79"],
                "github_reviewed": True,
                "github_reviewed_at": _stamp(adv.published),
                "nvd_published_at": None,
                "severity": adv.severity,
            },
        }

    # GitHub ----------------------------------------------------------------
    def github_repo(self, repo: Repo, api: str) -> dict[str, Any]:
        owner = self.world.owners.get(repo.owner)
        kind = owner.kind if owner else "User"
        full, url = f"{repo.owner}/{repo.name}", f"{api}/repos/{repo.owner}/{repo.name}"
        document: dict[str, Any] = {
            "id": int(_digest(full, size=4), 16),
            "node_id": "R_kgDO" + _digest(full, size=5),
            "name": repo.name,
            "full_name": full,
            "private": False,
            "owner": _user(repo.owner, kind, api),
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
                "created_at": _stamp(repo.created),
                "updated_at": _stamp(repo.pushed),
                "pushed_at": _stamp(repo.pushed),
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
            document["organization"] = _user(repo.owner, kind, api)
        return document

    def github_commit(self, repo: Repo, api: str) -> dict[str, Any]:
        sha = _digest(repo.owner, repo.name, "head", size=20)
        person = {"name": "Dev", "email": "dev@example.org", "date": _stamp(repo.pushed)}
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
            "author": _user(login, "User", api),
            "committer": _user(login, "User", api),
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
        return [{**_user(login, kind, api), "contributions": n} for login, kind, n in ordered]

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
        sha = _digest(owner, repo, path, size=20)
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

    @staticmethod
    def graphql_links(funding: Mapping[str, Any] | None) -> list[dict[str, str]]:
        links = []
        for key, value in (funding or {}).items():
            for item in value if isinstance(value, list) else [value]:
                if key == "github":
                    links.append({"platform": "GITHUB", "url": f"https://github.com/{item}"})
                elif key == "open_collective":
                    links.append(
                        {"platform": "OPEN_COLLECTIVE", "url": f"https://opencollective.com/{item}"}
                    )
                else:
                    links.append({"platform": "CUSTOM", "url": str(item)})
        return links

    def graphql_node(self, repo: Repo) -> dict[str, Any]:
        owner = self.world.owners.get(repo.owner)
        return {
            "isArchived": repo.archived,
            "stargazerCount": repo.stars,
            "forkCount": repo.forks,
            "createdAt": _stamp(repo.created),
            "pushedAt": _stamp(repo.pushed),
            "issues": {"totalCount": repo.issues},
            "pullRequests": {"totalCount": repo.pulls},
            "licenseInfo": {"spdxId": repo.license},
            "fundingLinks": self.graphql_links(repo.funding),
            "owner": {
                "__typename": owner.kind if owner else "User",
                "login": repo.owner,
                "hasSponsorsListing": bool(owner and owner.sponsors_listing),
                "sponsors": {"totalCount": owner.sponsors if owner else 0},
            },
            "defaultBranchRef": {
                "target": {
                    "committedDate": _stamp(repo.pushed),
                    "history": {"totalCount": repo.commits_last_year},
                }
            },
        }


# --------------------------------------------------------------------------- the API


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    packed: bytes | None = None  # the gzip form, made once for memoized documents

    @classmethod
    def json(cls, status: int, document: Any, pack: bool = False) -> Reply:
        body = json.dumps(document, separators=(",", ":")).encode()
        reply = cls(status, body, headers={"ETag": f'"{_digest(body, size=16)}"'})
        if pack and len(body) > 1400:
            reply.packed = gzip.compress(body, compresslevel=6, mtime=0)
        return reply


NOT_FOUND = Reply(404, b'{"message":"Not Found"}')
GITHUB_NOT_FOUND = Reply(
    404,
    b'{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}',
)
_GRAPHQL_REPO = re.compile(
    r'(\w+): repository\(owner: ("(?:[^"\\]|\\.)*"), name: ("(?:[^"\\]|\\.)*")\)'
)
Route = Callable[[str, str, bytes, Mapping[str, str]], tuple[str, Reply]]


class FakeApi:
    """Routes, counts, delays and perturbs requests; one instance behind all the servers."""

    def __init__(
        self,
        world: World,
        *,
        latency: float = 0.05,
        error_rate: float = 0.0,
        rate_limit: int = 0,
        rate_window: float = 60.0,
        batch_page: int = 200,
    ) -> None:
        self.world, self.docs = world, Documents(world)
        self.latency, self.error_rate, self.batch_page = latency, error_rate, batch_page
        self.rate_limit, self.rate_window = rate_limit, rate_window
        self.counts: Counter[str] = Counter()  # "role label status"
        # host or endpoint label -> seconds answering (with and without the latency sleep)
        self.busy: defaultdict[str, float] = defaultdict(float)
        self.work: defaultdict[str, float] = defaultdict(float)
        self.span: dict[str, tuple[float, float]] = {}  # -> first start, last end
        self._cpu = time.process_time()  # the servers' CPU time at the last reset
        self._seen: Counter[str] = Counter()
        self._windows: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._memo: dict[str, Reply] = {}
        self._started = time.time()
        self.servers: dict[str, ThreadingHTTPServer] = {}
        self.eco_index = {
            (p.ecosystem, p.spelled.lower() if p.ecosystem == "pypi" else p.name): p
            for p in world.packages
            if p.on_ecosystems
        }
        self.routes: dict[str, Route] = {
            "pypi": self._pypi,
            "npm": self._npm,
            "depsdev": self._depsdev,
            "ecosystems": self._ecosystems,
            "osv": self._osv,
            "github": self._github,
        }

    # plumbing --------------------------------------------------------------
    def start(self, port: int = 0) -> dict[str, str]:
        """Start one server per host (on ``port``, ``port + 1``, … when given, so that a cache
        filled by an earlier process still matches); returns each role's base URL."""
        for offset, role in enumerate(ROLES):
            server = _Server(role, self, port + offset if port else 0)
            threading.Thread(target=server.serve_forever, name=f"fake-{role}", daemon=True).start()
            self.servers[role] = server
        return self.urls()

    def urls(self) -> dict[str, str]:
        return {role: f"http://127.0.0.1:{s.server_address[1]}" for role, s in self.servers.items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def prepare(self) -> None:
        """Build and compress the large per-package documents before any timing starts."""
        docs = self.docs
        for package in self.world.packages:
            if package.ecosystem == "pypi":
                self._memoized(f"pypi/{package.name}", partial(docs.pypi_project, package))
                for version in package.used:
                    key = f"pypi/{package.name}/{version}"
                    self._memoized(key, partial(docs.pypi_release, package, version))
            else:
                self._memoized(f"npm/{package.name}", partial(docs.npm_document, package))
            key = f"depsdev/{package.ecosystem}/{package.name}"
            self._memoized(key, partial(docs.depsdev_package, package))

    def _memoized(self, key: str, build: Callable[[], Any]) -> Reply:
        reply = self._memo.get(key)
        if reply is None:
            document = build()
            reply = NOT_FOUND if document is None else Reply.json(200, document, pack=True)
            self._memo[key] = reply
        return reply

    def stats(self) -> dict[str, Any]:
        with self._lock:
            counts = dict(self.counts)
        by_role: Counter[str] = Counter()
        by_label: Counter[str] = Counter()
        by_provider: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        for key, n in counts.items():
            role, label, status = key.split(" ")
            by_role[role] += n
            by_label[label] += n
            by_provider[PROVIDER_OF.get(label, "other")] += n
            statuses[status] += n
        with self._lock:
            timing = {
                role: {
                    "busy": self.busy[role],
                    "work": self.work[role],
                    "first": start,
                    "last": end,
                }
                for role, (start, end) in self.span.items()
            }
        return {
            "hosts": dict(by_role),
            "endpoints": dict(by_label),
            "providers": dict(by_provider),
            "statuses": dict(statuses),
            "timing": timing,
            "cpu": time.process_time() - self._cpu,
            "raw": counts,
        }

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.busy.clear()
            self.work.clear()
            self.span.clear()
            self._cpu = time.process_time()

    def timed(self, keys: tuple[str, ...], start: float, work: float) -> None:
        """Account one answered request (to a host and an endpoint label): started at
        ``start``, ``work`` seconds not asleep."""
        end = time.time()
        with self._lock:
            for key in keys:
                self.busy[key] += end - start
                self.work[key] += work
                first, _ = self.span.get(key, (start, end))
                self.span[key] = (min(first, start), end)

    def answer(
        self, role: str, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        """The endpoint label and the reply of one request, after the rate limit and the
        injected errors."""
        parts = urlsplit(target)
        label, reply = "unknown", NOT_FOUND
        limited = self._limited(role, parts.path)
        if limited is not None:
            label, reply = self._label(role, method, parts.path), limited
        elif (failure := self._failure(method, target, body)) is not None:
            label, reply = self._label(role, method, parts.path), failure
        else:
            try:
                label, reply = self.routes[role](method, target, body, headers)
            except (ValueError, KeyError, TypeError, IndexError):
                label, reply = (
                    self._label(role, method, parts.path),
                    Reply(400, b'{"error":"bad request"}'),
                )
        if role == "github":
            reply = self._github_headers(reply)
        with self._lock:
            self.counts[f"{role} {label} {reply.status}"] += 1
        return label, reply

    def _label(self, role: str, method: str, path: str) -> str:
        if role == "github":
            return "github:graphql" if path.endswith("/graphql") else "github:repo"
        return {
            "pypi": "pypi:project",
            "npm": "npm:document",
            "depsdev": "depsdev:package",
            "ecosystems": "ecosystems:bulk_lookup",
            "osv": "osv:querybatch",
        }[role]

    def _limited(self, role: str, path: str) -> Reply | None:
        if self.rate_limit <= 0:
            return None
        now = time.time()
        window = int((now - self._started) // self.rate_window)
        with self._lock:
            self._windows[(role, window)] += 1
            used = self._windows[(role, window)]
        if used <= self.rate_limit:
            return None
        reset = self._started + (window + 1) * self.rate_window
        if role == "github" and path.endswith("/graphql"):
            document = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
            reply = Reply.json(200, document)
        elif role == "github":
            reply = Reply(403, b'{"message":"API rate limit exceeded"}')
        else:
            reply = Reply(429, b'{"error":"Too Many Requests"}')
            reply.headers["Retry-After"] = str(max(1, int(reset - now + 0.999)))
        reply.headers.update(
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(reset) + 1)}
        )
        return reply

    def _failure(self, method: str, target: str, body: bytes) -> Reply | None:
        """A 5xx for ``error_rate`` of the requests, the same ones for the same seed."""
        if self.error_rate <= 0:
            return None
        key = f"{method} {target} {_digest(body, size=8)}"
        with self._lock:
            self._seen[key] += 1
            occurrence = self._seen[key]
        roll = int(_digest(self.world.seed, key, occurrence, size=8), 16) / 2**64
        if roll >= self.error_rate:
            return None
        status = (500, 502, 503)[int(roll / self.error_rate * 3) % 3]
        if status == 502:
            page = b"<html><head><title>502 Bad Gateway</title></head><body>502</body></html>"
            return Reply(502, page, content_type="text/html")
        return Reply(status, b'{"error":"internal error"}')

    def _github_headers(self, reply: Reply) -> Reply:
        if "X-RateLimit-Remaining" in reply.headers:
            return reply
        limit = self.rate_limit or 5000
        reset = (
            int(self._started + self.rate_window) if self.rate_limit else int(time.time()) + 3600
        )
        reply = Reply(
            reply.status, reply.body, reply.content_type, dict(reply.headers), reply.packed
        )
        reply.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(limit - 1),
                "X-RateLimit-Reset": str(reset),
                "X-RateLimit-Resource": "core",
            }
        )
        return reply

    # PyPI and npm ----------------------------------------------------------
    def _pypi(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        segments = [unquote(s) for s in urlsplit(target).path.split("/")[1:]]
        if len(segments) not in (3, 4) or segments[0] != "pypi" or segments[-1] != "json":
            return "pypi:project", NOT_FOUND
        label = "pypi:project" if len(segments) == 3 else "pypi:release"
        package = self.world.by_key.get(("pypi", str(canonicalize_name(segments[1]))))
        if package is None or not package.on_registry:
            return label, NOT_FOUND
        if len(segments) == 3:
            return label, self._memoized(
                f"pypi/{package.name}", lambda: self.docs.pypi_project(package)
            )
        version = segments[2]
        build = lambda: self.docs.pypi_release(package, version)  # noqa: E731
        return label, self._memoized(f"pypi/{package.name}/{version}", build)

    def _npm(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        name = unquote(urlsplit(target).path[1:])
        package = self.world.by_key.get(("npm", name))
        if package is None or not package.on_registry:
            return "npm:document", Reply(404, b'{"error":"Not found"}')
        return "npm:document", self._memoized(
            f"npm/{name}", lambda: self.docs.npm_document(package)
        )

    # deps.dev --------------------------------------------------------------
    def _depsdev_package(self, system: str, name: str) -> Package | None:
        ecosystem = {"PYPI": "pypi", "NPM": "npm"}.get(system)
        if ecosystem == "pypi":
            name = str(canonicalize_name(name))
        package = self.world.by_key.get((ecosystem or "", name))
        return package if package is not None and package.on_depsdev else None

    def _depsdev(
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
            return "depsdev:project", self._memoized(
                f"project/{slug}", lambda: self.docs.depsdev_project(repo)
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
            return "depsdev:package", self._memoized(
                key, lambda: self.docs.depsdev_package(package)
            )
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
            return label, Reply.json(200, self.docs.depsdev_version(package, version), pack=True)
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
            document = self.docs.depsdev_version(package, key["version"]) if package else None
            if document is not None:
                answer["version"] = document
            responses.append(answer)
        page: dict[str, Any] = {"responses": responses}
        if start + self.batch_page < len(asked):
            page["nextPageToken"] = str(start + self.batch_page)
        return Reply.json(200, page, pack=True)

    # ecosyste.ms and OSV ---------------------------------------------------
    def _ecosystems(
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
        return label, Reply.json(200, [self.docs.ecosystems_package(p) for p in found], pack=True)

    def _osv(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        path = urlsplit(target).path
        if method == "POST" and path == "/v1/querybatch":
            results = []
            queries = json.loads(body)["queries"]
            if len(queries) > 1000:
                return "osv:querybatch", Reply(400, b'{"code":3,"message":"Too many queries."}')
            for query in queries:
                system, name = query["package"]["ecosystem"], query["package"]["name"]
                ecosystem = {"PyPI": "pypi", "npm": "npm"}.get(system, "")
                name = str(canonicalize_name(name)) if ecosystem == "pypi" else name
                package = self.world.by_key.get((ecosystem, name))
                found = self.world.affecting(package, query["version"]) if package else []
                vulns = [
                    {"id": a.id, "modified": _stamp(a.published + timedelta(days=30), micro=True)}
                    for a in found
                ]
                results.append({"vulns": vulns} if vulns else {})
            return "osv:querybatch", Reply.json(200, {"results": results}, pack=True)
        if path.startswith("/v1/vulns/"):
            adv = self.world.by_alias.get(unquote(path.removeprefix("/v1/vulns/")))
            if adv is None:
                return "osv:vuln", Reply(404, b'{"code":5,"message":"Bug not found."}')
            return "osv:vuln", self._memoized(f"osv/{adv.id}", lambda: self.docs.osv_record(adv))
        return "osv:querybatch", NOT_FOUND

    # GitHub ----------------------------------------------------------------
    def _github(
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
            return "github:graphql", self._graphql(json.loads(body))
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
            text = self.docs.funding_yml(known.funding)
            return "github:contents", Reply.json(
                200, self.docs.github_content(owner, name, path, text, api)
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
            return label, self._memoized(
                f"gh/{owner}/{name}", lambda: self.docs.github_repo(repo, api)
            )
        query = parse_qs(parts.query)
        if rest == ["commits"]:
            return label, self._commits(repo, api, parts.path, query)
        if rest == ["contributors"]:
            return label, self._contributors(repo, api, parts.path, query)
        path = "/".join(rest[1:])
        if rest[0] != "contents" or path != ".github/FUNDING.yml" or repo.funding is None:
            return label, GITHUB_NOT_FOUND
        text = self.docs.funding_yml(repo.funding)
        return label, Reply.json(200, self.docs.github_content(owner, name, path, text, api))

    @staticmethod
    def _link(api: str, path: str, query: Mapping[str, list[str]], page: int, last: int) -> str:
        def url(number: int) -> str:
            items = [(k, v[0]) for k, v in query.items() if k != "page"] + [("page", str(number))]
            return f"{api}{path}?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in items)

        links = []
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        return ", ".join(links)

    def _commits(self, repo: Repo, api: str, path: str, query: Mapping[str, list[str]]) -> Reply:
        if repo.commits_last_year == 0:
            return Reply.json(200, [])
        per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = (repo.commits_last_year + per_page - 1) // per_page
        reply = Reply.json(200, [self.docs.github_commit(repo, api)] if page <= last else [])
        if link := self._link(api, path, query, page, last):
            reply.headers["Link"] = link
        return reply

    def _contributors(
        self, repo: Repo, api: str, path: str, query: Mapping[str, list[str]]
    ) -> Reply:
        everyone = self.docs.github_contributors(repo, api)
        per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
        page = max(1, int(query.get("page", ["1"])[0]))
        last = max(1, (len(everyone) + per_page - 1) // per_page)
        reply = Reply.json(200, everyone[(page - 1) * per_page : page * per_page], pack=True)
        if link := self._link(api, path, query, page, last):
            reply.headers["Link"] = link
        return reply

    def _graphql(self, payload: Mapping[str, Any]) -> Reply:
        data: dict[str, Any] = {}
        errors = []
        for alias, owner_text, name_text in _GRAPHQL_REPO.findall(str(payload["query"])):
            owner, name = json.loads(owner_text), json.loads(name_text)
            node: dict[str, Any] | None = None
            if alias.startswith("g") and name == ".github":
                known = self.world.owners.get(owner)
                if known is not None and known.dot_github:
                    node = {"fundingLinks": self.docs.graphql_links(known.funding)}
            else:
                repo = self.world.repos.get(f"{owner}/{name}".lower())
                if repo is not None and repo.exists:
                    node = self.docs.graphql_node(repo)
            data[alias] = node
            if node is None:
                errors.append(
                    {
                        "type": "NOT_FOUND",
                        "path": [alias],
                        "locations": [{"line": 2, "column": 3}],
                        "message": "Could not resolve to a Repository with the name "
                        f"'{owner}/{name}'.",
                    }
                )
        document: dict[str, Any] = {"data": data}
        if errors:
            document["errors"] = errors
        return Reply.json(200, document, pack=True)

    def control(self, method: str, path: str) -> Reply:
        if path == "/__fake__/stats":
            return Reply.json(200, self.stats())
        if path == "/__fake__/reset" and method == "POST":
            self.reset()
            return Reply.json(200, {"reset": True})
        return NOT_FOUND


# --------------------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real services
    # Headers and body leave in two writes; with Nagle's algorithm the body would wait for the
    # client's delayed ACK (40 ms on Linux), nearly doubling a 50 ms latency.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        started, clock = time.time(), time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api = self.server.api
        control = self.path.startswith("/__fake__/")
        label = "control"
        if control:
            reply = api.control(method, urlsplit(self.path).path)
        else:
            headers = dict(self.headers.items())
            label, reply = api.answer(self.server.role, method, self.path, body, headers)
        work = time.perf_counter() - clock
        if not control:
            time.sleep(api.latency)
        clock = time.perf_counter()
        payload, packed = reply.body, False
        if reply.packed is not None and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            payload, packed = reply.packed, True
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        if packed:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        if not control:
            api.timed((self.server.role, label), started, work + time.perf_counter() - clock)

    def log_message(self, format: str, *args: Any) -> None:  # the base's signature
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, role: str, api: FakeApi, port: int = 0) -> None:
        self.role, self.api = role, api
        super().__init__(("127.0.0.1", port), _Handler)


def endpoint_urls(urls: Mapping[str, str]) -> dict[str, str]:
    """fundscout ``Endpoints`` fields for the base URLs :meth:`FakeApi.start` returns."""
    return {
        "pypi": urls["pypi"],
        "npm": urls["npm"],
        "depsdev": urls["depsdev"],
        "ecosystems": urls["ecosystems"] + "/api/v1",
        "osv": urls["osv"],
        "github_api": urls["github"],
        "github_graphql": urls["github"] + "/graphql",
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pypi-share", type=float, default=0.5)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share answered 5xx")
    parser.add_argument("--rate-limit", type=int, default=0, help="requests per window and host")
    parser.add_argument("--rate-window", type=float, default=60.0, help="seconds")
    parser.add_argument("--batch-page", type=int, default=200, help="deps.dev versionbatch page")
    parser.add_argument("--port", type=int, default=0, help="first of 6 ports; 0: any free")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    world = World(args.packages, args.seed, args.pypi_share)
    api = FakeApi(
        world,
        latency=args.latency,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        batch_page=args.batch_page,
    )
    api.prepare()
    urls = api.start(args.port)
    print(json.dumps({"urls": urls, "endpoints": endpoint_urls(urls)}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        api.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

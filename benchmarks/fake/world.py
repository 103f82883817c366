"""The synthetic world the fakes serve: packages, releases, repositories, owners, advisories.

Generated deterministically from a seed, with each document's randomness drawn from its own
generator (:func:`~benchmarks.fake.common.seeded_rng`), so the same bytes come out whatever the
order documents are built in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from packaging.utils import canonicalize_name

from benchmarks.fake.common import (
    ANCHOR,
    LICENSES,
    PEOPLE,
    SCOPES,
    WORDS,
    hex_digest,
    seeded_rng,
)


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


def version_numbers(rng: random.Random, count: int) -> list[str]:
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


def _renamed(package: Package, name: str, used: Sequence[str]) -> Package:
    """The package under another name, whose releases include every version in ``used``."""
    known = {r.version for r in package.releases}
    late = package.releases[-1].published
    extra = tuple(
        Release(v, late + timedelta(days=n + 1)) for n, v in enumerate(sorted(set(used) - known))
    )
    return replace(
        package,
        name=name,
        spelled=name,
        releases=package.releases + extra,
        used=tuple(sorted(set(used))) or package.used,
    )


class World:
    """N packages (``pypi_share`` of them PyPI, the rest npm) and everything around them."""

    def __init__(
        self,
        packages: int,
        seed: int = 1,
        pypi_share: float = 0.5,
        named: Sequence[tuple[str, str, Sequence[str]]] = (),
    ) -> None:
        """``named``: (ecosystem, name, versions used) of packages to serve instead of
        generated ones (``packages`` is then ignored), e.g. those of a synthetic organization;
        each gets a generated history that includes the versions it uses."""
        self.seed = seed
        rng = seeded_rng("world", seed)
        self.owners: dict[str, Owner] = {}
        self.repos: dict[str, Repo] = {}
        self.advisories: dict[str, Advisory] = {}
        self.packages: list[Package] = []
        repo_names: list[str] = []
        for index in range(len(named) or packages):
            ecosystem = "pypi" if rng.random() < pypi_share else "npm"
            if named:
                ecosystem = named[index][0]
            repo = self._repo_for(rng, index, repo_names)
            package = self._package(index, ecosystem, repo)
            if named:
                package = _renamed(package, named[index][1], named[index][2])
            self.packages.append(package)
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
        rng = seeded_rng("owner", self.seed, login)
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
        rng = seeded_rng("repo", self.seed, slug)
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
        rng = seeded_rng("package", self.seed, index)
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
            for i, v in enumerate(version_numbers(rng, count))
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
                ghsa = "GHSA-" + "-".join(
                    hex_digest(package.name, n, part, size=2) for part in "abc"
                )
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

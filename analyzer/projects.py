"""Packages -> projects: roll packages up to the upstream repositories that get funded.

A package's project is, in order: what ``[tool.fundscout.projects]`` maps it to; the source
repository registry metadata names (``Enrichment.repository``, already normalized); else the
package alone (``repository=None``, found_by "none"). Every package from one repository lands
in one project (all of ``@babel/*``), named ``owner/repo``; ``boto3`` and ``botocore`` stay
apart because their repositories differ.

A project is the organization's own, and never a funding candidate, when it holds a package
the audited repositories publish, or when its repository's owner is listed in ``own-owners``
or owns one of the audited repositories.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from analyzer.config import Config
from analyzer.enrich.repourl import normalize_repo_url, repo_name
from analyzer.enrich.runner import Enrichment
from analyzer.gc_pause import paused_gc
from analyzer.graph import DependencyGraph
from analyzer.model import Project
from analyzer.project_rules import NAMED, ProjectMap, owner_of

MAX_NAMES_IN_REASON = 3


@dataclass(frozen=True)
class Projects:
    """Every project of an audit, sorted by key, and the project of each package."""

    projects: tuple[Project, ...] = ()
    by_package: Mapping[str, str] = field(default_factory=dict)  # purl -> project key
    _by_key: dict[str, Project] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {p.key: p for p in self.projects})

    def __iter__(self) -> Iterator[Project]:
        return iter(self.projects)

    def __len__(self) -> int:
        return len(self.projects)

    def get(self, key: str) -> Project | None:
        return self._by_key.get(key)

    def project_of(self, purl: str) -> Project | None:
        """The project a package belongs to, or None for a purl the audit never saw."""
        key = self.by_package.get(purl)
        return None if key is None else self._by_key[key]

    @property
    def candidates(self) -> tuple[Project, ...]:
        """The projects that may be funded: all but the organization's own."""
        return tuple(p for p in self.projects if not p.own)


@dataclass(frozen=True)
class _Owners:
    """Where ownership comes from, each with the words a reason uses."""

    configured: tuple[str, ...]
    audited: tuple[str, ...]
    published: frozenset[str]


def _assign(
    purl: str, graph: DependencyGraph, rules: ProjectMap, enrichment: Enrichment | None
) -> tuple[str, str]:
    """(project key, found_by) of one package."""
    if target := rules.target(graph.ecosystem(purl), graph.package_name(purl), purl):
        return target, "config"
    found = enrichment.repository.get(purl) if enrichment else None
    # Providers normalize already; normalizing again applies today's rules to cached answers.
    if repository := normalize_repo_url(found):
        return repository, "registry"
    return purl, "none"


def _own_reason(
    key: str, members: tuple[str, ...], owners: _Owners, names: list[str]
) -> str | None:
    """Why a project is the organization's own, or None when it is not."""
    published = [name for purl, name in zip(members, names, strict=True)
                 if purl in owners.published]  # fmt: skip
    if published:
        shown = ", ".join(published[:MAX_NAMES_IN_REASON])
        more = f" and {len(published) - MAX_NAMES_IN_REASON} more" if len(published) > 3 else ""
        return f"published by the organization's repositories ({shown}{more})"
    if not key.startswith("https://"):
        return None
    if owner := owner_of(key, owners.configured):
        return f"repository owner {owner} is listed in own-owners"
    if owner := owner_of(key, owners.audited):
        return f"repository owner {owner} also owns audited repositories"
    return None


def _project(
    key: str, members: tuple[str, ...], found_by: set[str], graph: DependencyGraph, owners: _Owners
) -> Project:
    names = [graph.package_name(purl) for purl in members]
    repository = key if key.startswith("https://") else None
    if repository:
        name = repo_name(repository)
    elif key.startswith(NAMED):
        name = key.removeprefix(NAMED)
    else:
        name = names[0]  # a package of its own
    # "config" whenever the user placed a package here, so a manual mapping stays visible.
    how = next(h for h in ("config", "registry", "none") if h in found_by)
    reason = _own_reason(key, members, owners, names)
    return Project(key, name, repository, members, reason is not None, reason, how)


@paused_gc(lasting=True)  # a project per package, all kept: a collection would find nothing
def rollup(
    graph: DependencyGraph,
    enrichment: Enrichment | None,
    config: Config,
    audited_owners: Iterable[str] = (),
) -> Projects:
    """Group every package of ``graph`` into projects.

    ``config`` gives ``own-owners`` and the ``projects`` map; ``audited_owners`` are the owners
    (``host/owner``) of the audited repositories when known. Without enrichment every package
    is its own project unless the map places it.
    """
    rules = ProjectMap(config.projects)
    groups: dict[str, list[str]] = {}
    found_by: dict[str, set[str]] = {}
    by_package: dict[str, str] = {}
    for purl in graph.packages():
        key, how = _assign(purl, graph, rules, enrichment)
        groups.setdefault(key, []).append(purl)
        found_by.setdefault(key, set()).add(how)
        by_package[purl] = key
    owners = _Owners(config.own_owners, tuple(sorted(set(audited_owners))),
                     frozenset(graph.own_packages))  # fmt: skip
    projects = tuple(
        _project(key, tuple(sorted(groups[key])), found_by[key], graph, owners)
        for key in sorted(groups)
    )
    return Projects(projects, by_package)

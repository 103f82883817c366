"""Reliance: how much this organization leans on a package, from the graph alone.

Each repository that uses a package contributes the weight of its most important use:
the scope weight (runtime 1.0, optional 0.6, build 0.5, test and dev 0.25) times 1.0 when
declared directly or 0.5 when only locked transitively. Priority is the sum over
repositories divided by the number of repositories, on a 0-100 scale, so a package every
repository needs at runtime scores 100 and dev tools used everywhere score 25.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from analyzer.graph import DependencyGraph, Usage
from analyzer.model import Scope

TRANSITIVE_FACTOR = 0.5


@dataclass(frozen=True)
class ProjectScore:
    """One ranked funding candidate with the evidence behind its position."""

    rank: int
    name: str
    ecosystem: str
    packages: tuple[str, ...]
    priority: float
    reliance: float
    repositories: tuple[str, ...]
    scopes: dict[str, int] = field(hash=False)
    direct_in: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Excluded:
    """A package kept out of the ranking, with the reason shown to the reader."""

    name: str
    packages: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Ranking:
    projects: tuple[ProjectScore, ...]
    excluded: tuple[Excluded, ...]


def usage_weight(usage: Usage) -> float:
    return usage.scope.weight * (1.0 if usage.direct else TRANSITIVE_FACTOR)


def _reasons(usages: list[Usage], total_repos: int) -> tuple[str, ...]:
    """Plain-language evidence: "used by 4 of 11 repositories: 3 at runtime, 1 dev"."""
    counts = Counter(u.scope for u in usages)
    breakdown = ", ".join(
        f"{counts[scope]} {'at runtime' if scope is Scope.RUNTIME else scope.value}"
        for scope in Scope
        if counts[scope]
    )
    reasons = [f"used by {len(usages)} of {total_repos} repositories: {breakdown}"]
    direct = sum(1 for u in usages if u.direct)
    if direct < len(usages):
        reasons.append(f"direct in {direct}, only transitive in {len(usages) - direct}")
    return tuple(reasons)


def rank(graph: DependencyGraph) -> Ranking:
    """Rank every package the organization uses; its own packages are excluded."""
    total = max(len(graph.repositories()), 1)
    scored: list[tuple[float, int, str, str, list[Usage]]] = []
    excluded: list[Excluded] = []
    for purl in graph.packages():
        usages = list(graph.usages(purl))
        if not usages:
            continue  # only reached through another package; no repository declares it
        name = graph.package_name(purl)
        if purl in graph.own_packages:
            reason = "published by the organization itself"
            excluded.append(Excluded(name, (purl,), reason))
            continue
        reliance = sum(usage_weight(u) for u in usages) / total
        scored.append((reliance, len(usages), name, purl, usages))
    scored.sort(key=lambda item: (-round(item[0], 9), -item[1], item[2], item[3]))
    projects = []
    for position, (reliance, _, name, purl, usages) in enumerate(scored, 1):
        projects.append(
            ProjectScore(
                rank=position,
                name=name,
                ecosystem=graph.ecosystem(purl),
                packages=(purl,),
                priority=round(100 * reliance, 1),
                reliance=round(reliance, 4),
                repositories=tuple(u.repo for u in usages),
                scopes=dict(Counter(u.scope.value for u in usages)),
                direct_in=sum(1 for u in usages if u.direct),
                reasons=_reasons(usages, total),
            )
        )
    return Ranking(tuple(projects), tuple(excluded))

"""Priority: the three factors combined into one ranked, explained list of projects.

    priority = 100 · reliance · (1 + wc · criticality + wn · need) / (1 + wc + wn)

Reliance is the base and the others amplify it: the organization funds what it uses, so a
project it barely touches stays low however critical or needy it is, while among projects it
relies on equally the critical and needy ones rise — by up to (1 + wc + wn) times. A sum would
let a famous project nobody here uses outrank the runtime library everything needs; a product
of all three would zero every project whose signals are unknown. With lookups off the ranking
is reliance alone. Ties break on reliance, then name, then key, so the order never depends on
input order. ``confidence`` is the share of the model's inputs that were known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from analyzer.forked import Forked
from analyzer.gc_pause import paused_gc
from analyzer.graph import DependencyGraph
from analyzer.model import Project
from analyzer.score import explain
from analyzer.score.criticality import Factor, Input, criticality, weighted
from analyzer.score.eligibility import EXCLUDED, Eligibility, eligibility
from analyzer.score.need import need
from analyzer.score.reliance import Use, UseIndex, centrality, usage_score
from analyzer.score.settings import ScoringSettings
from analyzer.score.signals import Evidence

if TYPE_CHECKING:
    from analyzer.config import Config
    from analyzer.enrich.interface import FundingLink, Signal
    from analyzer.enrich.runner import Enrichment

# From this many edges on, PageRank (about a second at 650,000) is worth a forked copy's
# start (a few milliseconds, plus the pages it copies).
FORK_EDGES = 50_000
_SCOPE = attrgetter("scope")


@dataclass(frozen=True)
class ProjectScore:
    """One ranked project with every number and fact behind its position."""

    rank: int
    project: Project
    ecosystems: tuple[str, ...]
    priority: float
    confidence: float
    reliance: Factor
    criticality: Factor
    need: Factor
    eligibility: Eligibility
    reasons: tuple[str, ...]
    uses: tuple[Use, ...]
    funding: tuple[FundingLink, ...]
    maintainers: tuple[str, ...]
    signals: tuple[Signal, ...]

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def key(self) -> str:
        return self.project.key

    @property
    def missing(self) -> tuple[str, ...]:
        return self.criticality.missing + self.need.missing

    @property
    def scopes(self) -> dict[str, int]:
        counts = Counter(map(_SCOPE, self.uses))  # Enum.value costs a call each time
        return dict(sorted((scope.value, count) for scope, count in counts.items()))


@dataclass(frozen=True)
class Excluded:
    """A project kept out of the ranking, with the reason shown to the reader."""

    project: Project
    reason: str

    @property
    def name(self) -> str:
        return self.project.name

    def to_record(self) -> dict[str, Any]:
        return {
            "key": self.project.key,
            "name": self.project.name,
            "repository": self.project.repository,
            "packages": list(self.project.packages),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Ranking:
    """The ranked projects, the excluded ones, and what the ranking was computed with."""

    projects: tuple[ProjectScore, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    repositories: int = 0
    settings: ScoringSettings | None = None


# A project's place in the ranking (priority, then reliance, name and key) and its score,
# built once its rank is known.
Scored = tuple[tuple[float, float, str, str], partial[ProjectScore]]


def per_package(graph: DependencyGraph, enrichment: Enrichment | None) -> list[Project]:
    """One project per package: the fallback until packages are rolled up to repositories."""
    known = enrichment.repository if enrichment is not None else {}
    own = "published by the organization itself"
    return [
        Project(
            purl,
            graph.package_name(purl),
            known.get(purl),
            (purl,),
            own=purl in graph.own_packages,
            own_reason=own if purl in graph.own_packages else None,
            found_by="registry" if purl in known else "none",
        )
        for purl in graph.packages()
    ]


def combine(reliance: float, critical: float, needy: float, settings: ScoringSettings) -> float:
    wc, wn = settings.criticality_weight, settings.need_weight
    return 100.0 * reliance * (1 + wc * critical + wn * needy) / (1 + wc + wn)


def confidence(*factors: Factor) -> float:
    inputs = [i for factor in factors for i in factor.inputs if i.weight > 0]
    return sum(1 for i in inputs if i.known) / len(inputs) if inputs else 0.0


class _Scorer:
    """Scores one project at a time against shared graph-wide facts."""

    def __init__(
        self,
        graph: DependencyGraph,
        enrichment: Enrichment | None,
        config: Config,
        today: date,
        central: Forked[dict[str, float]],
    ) -> None:
        self.graph, self.enrichment, self.config, self.today = graph, enrichment, config, today
        self.settings = config.scoring
        self.repositories = len(graph.repositories())
        self._central = central  # its ranks are asked for when the first project is scored
        self._ranks: dict[str, float] | None = None
        self.index = UseIndex(graph, self.settings)
        self.dependents: dict[str, list[str]] = {}  # purl -> packages depending on it
        for parent in graph.packages():
            for child in graph.edges_from(parent):
                self.dependents.setdefault(child, []).append(parent)
        self._unknown: tuple[Factor, Factor] | None = None

    @property
    def central(self) -> dict[str, float]:
        if self._ranks is None:
            self._ranks = self._central.result()
        return self._ranks

    def factors(self, evidence: Evidence) -> tuple[Factor, Factor]:
        """Criticality and need: the same for every project no signal speaks about."""
        if evidence.silent and self._unknown is not None:
            return self._unknown
        owners = self.config.eligibility.corporate_owners
        found = (
            criticality(evidence, self.settings),
            need(evidence, self.settings, self.today, owners),
        )
        if evidence.silent:
            self._unknown = found
        return found

    def reliance(self, project: Project, project_uses: list[Use]) -> Factor:
        share = self.settings.centrality_share
        usage = usage_score(project_uses, self.repositories)
        central = max((self.central.get(p, 0.0) for p in project.packages), default=0.0)
        return weighted(
            [
                Input("usage", len(project_uses), usage, 1 - share, "graph"),
                Input("centrality", round(central, 4), central, share, "graph"),
            ]
        )

    def score(self, project: Project) -> Scored | Excluded:
        packages = [p for p in project.packages if p in self.graph.nx]
        names = [self.graph.package_name(p) for p in packages]
        evidence = Evidence(self.enrichment, project)
        decision = eligibility(project, evidence, self.config.eligibility, names)
        if decision.status == EXCLUDED:
            return Excluded(project, decision.reasons[0])
        project_uses = self.index.uses(packages)
        reliance = self.reliance(project, project_uses)
        if reliance.value <= 0:
            return Excluded(project, "no repository uses it, even transitively at runtime")
        critical, needy = self.factors(evidence)
        in_org = {d for p in packages for d in self.dependents.get(p, ())} - set(packages)
        raw = combine(reliance.value, critical.value, needy.value, self.settings)
        order = (-round(raw, 9), -round(reliance.value, 9), project.name.lower(), project.key)
        return order, partial(
            ProjectScore,
            project=project,
            ecosystems=tuple(sorted({self.graph.ecosystem(p) for p in packages})),
            priority=round(raw, 2),
            confidence=round(confidence(reliance, critical, needy), 2),
            reliance=reliance,
            criticality=critical,
            need=needy,
            eligibility=decision,
            reasons=explain.reasons(
                project_uses, self.repositories, evidence, critical, len(in_org), self.today
            ),
            uses=tuple(project_uses),
            funding=tuple(evidence.funding()),
            maintainers=tuple(evidence.maintainers()),
            signals=tuple(evidence.signals().values()),
        )


def central_ranks(graph: DependencyGraph) -> Forked[dict[str, float]]:
    """Each package's centrality, which reads the graph's edges only (not their depths): in a
    large graph a forked copy computes it from now on, while this process goes on."""
    big = graph.nx.number_of_edges() >= FORK_EDGES
    return Forked(partial(centrality, graph), fork=None if big else False)


@paused_gc(lasting=True)  # a ranking allocates objects per use and project, and frees none
def score(
    graph: DependencyGraph,
    projects: Sequence[Project] | None,
    enrichment: Enrichment | None,
    config: Config,
    today: date,
    central: Forked[dict[str, float]] | None = None,
) -> Ranking:
    """Rank ``projects`` (None: one per package). ``today`` is the audit's date, never the
    wall clock, so a report can be reproduced. ``central`` works out the graph's centrality
    (a forked copy) when the caller started it earlier: the audit does (pipeline.audit)."""
    scored: list[Scored] = []
    excluded: list[Excluded] = []
    with central_ranks(graph) if central is None else nullcontext(central) as ranks:
        scorer = _Scorer(graph, enrichment, config, today, ranks)
        for project in per_package(graph, enrichment) if projects is None else projects:
            outcome = scorer.score(project)
            if isinstance(outcome, Excluded):
                excluded.append(outcome)
            else:
                scored.append(outcome)
    scored.sort(key=itemgetter(0))
    ranked = tuple(build(rank=position) for position, (_, build) in enumerate(scored, 1))
    excluded.sort(key=lambda e: (e.name.lower(), e.project.key))
    return Ranking(ranked, tuple(excluded), scorer.repositories, config.scoring)

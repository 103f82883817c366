"""Ranking from the graph alone: reliance by scope and depth, runtime centrality, ties."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from analyzer.config import Config
from analyzer.graph import DependencyGraph, repo_node
from analyzer.model import Project, Repository, Scope
from analyzer.score.priority import Ranking, score
from analyzer.score.reliance import centrality, pagerank
from tests.helpers import dep, purl

TODAY = date(2026, 1, 1)
CONFIG = Config()
DECAY = CONFIG.scoring.depth_decay
SHARE = CONFIG.scoring.centrality_share
SCOPES = dict(CONFIG.scoring.scope_weights)


def build(deps, repos=("a", "b", "c", "d"), own=(), edges=()) -> DependencyGraph:
    graph = DependencyGraph()
    for name in repos:
        graph.add_repository(Repository(name, name))
    for item in deps:
        graph.add_dependency(item)
    for parent, child in edges:
        graph.add_package_edge(purl(parent), purl(child))
    graph.mark_own(own)
    return graph


def rank(graph: DependencyGraph, projects=None, config: Config = CONFIG) -> Ranking:
    return score(graph, projects, None, config, TODAY)


def names(graph: DependencyGraph) -> list[str]:
    return [p.name for p in rank(graph).projects]


def by_name(ranking: Ranking) -> dict[str, object]:
    return {p.name: p for p in ranking.projects}


def test_more_repositories_rank_higher() -> None:
    graph = build([dep("one", repo="a"), dep("two", repo="a"), dep("two", repo="b")])
    assert names(graph) == ["two", "one"]


def test_runtime_outranks_dev_and_direct_outranks_transitive() -> None:
    graph = build(
        [
            dep("devtool", repo="a", scope=Scope.DEV),
            dep("devtool", repo="b", scope=Scope.DEV),
            dep("runtime", repo="a"),
            dep("deep", repo="a", direct=False),
        ]
    )
    ranking = rank(graph)
    assert [p.name for p in ranking.projects] == ["runtime", "deep", "devtool"]
    usage = {p.name: p.reliance.get("usage").score for p in ranking.projects}
    assert usage == {"runtime": 1 / 4, "deep": DECAY / 4, "devtool": 2 * SCOPES["dev"] / 4}
    # dev tools collect no runtime centrality at all
    assert by_name(ranking)["devtool"].reliance.get("centrality").score == 0


def test_depth_recorded_on_the_edge_decays_further() -> None:
    graph = build([dep("near", repo="a", direct=False), dep("far", repo="a", direct=False)])
    graph.nx.edges[repo_node("a"), purl("near")]["depth"] = 2
    graph.nx.edges[repo_node("a"), purl("far")]["depth"] = 4
    ranking = by_name(rank(graph))
    assert ranking["near"].uses[0].depth == 2 and ranking["far"].uses[0].depth == 4
    assert ranking["near"].reliance.get("usage").score == DECAY / 4
    assert ranking["far"].reliance.get("usage").score == DECAY**3 / 4


def test_best_use_per_repository_counts_once() -> None:
    graph = build(
        [
            dep("lib", repo="a", scope=Scope.DEV, file="requirements-dev.txt"),
            dep("lib", repo="a", file="requirements.txt", line=3),
        ]
    )
    (project,) = rank(graph).projects
    assert project.scopes == {"runtime": 1}
    assert project.reasons == ("used by 1 of 4 repositories at runtime",)
    assert project.uses[0].files == ("requirements-dev.txt:1", "requirements.txt:3")


def test_a_project_counts_each_repository_once_over_its_packages() -> None:
    deps = [dep("core", repo="a"), dep("parser", repo="a"), dep("parser", repo="b")]
    project = Project(
        "https://github.com/x/tools",
        "x/tools",
        "https://github.com/x/tools",
        (purl("core"), purl("parser")),
    )
    (scored,) = rank(build(deps), [project]).projects
    assert [(u.repo, u.packages) for u in scored.uses] == [
        ("a", (purl("core"), purl("parser"))),
        ("b", (purl("parser"),)),
    ]
    assert scored.reliance.get("usage").score == 2 / 4


def test_own_packages_are_excluded_with_a_reason() -> None:
    graph = build(
        [dep("shared-lib", repo="a"), dep("requests", repo="a")], own=[purl("shared-lib")]
    )
    ranking = rank(graph)
    assert [p.name for p in ranking.projects] == ["requests"]
    assert [(e.name, e.reason) for e in ranking.excluded] == [
        ("shared-lib", "published by the organization itself")
    ]


def test_ranking_is_stable_across_input_orderings() -> None:
    deps = [
        dep(name, repo=repo, scope=scope)
        for name in ("alpha", "beta", "gamma", "delta")
        for repo, scope in (("a", Scope.RUNTIME), ("b", Scope.DEV), ("c", Scope.TEST))
    ] + [dep("solo", repo="d", direct=False)]
    expected = rank(build(deps)).projects
    shuffler = random.Random(7)
    for _ in range(10):
        shuffled = deps[:]
        shuffler.shuffle(shuffled)
        assert rank(build(shuffled)).projects == expected
    # equal priorities and reliance: alphabetical order decides
    assert [p.name for p in expected][:4] == ["alpha", "beta", "delta", "gamma"]


def test_packages_reached_only_at_runtime_through_edges_are_ranked() -> None:
    graph = build(
        [dep("requests", repo="a"), dep("pytest", repo="a", scope=Scope.DEV)],
        edges=[("requests", "urllib3"), ("pytest", "pluggy")],
    )
    ranking = rank(graph)
    urllib3 = by_name(ranking)["urllib3"]
    assert urllib3.uses == () and urllib3.reliance.value > 0
    assert (
        urllib3.reasons[0] == "no repository declares it; reached through other packages at runtime"
    )
    assert [(e.name, e.reason) for e in ranking.excluded] == [
        ("pluggy", "no repository uses it, even transitively at runtime")
    ]


def test_centrality_follows_runtime_edges_and_peaks_at_shared_dependencies() -> None:
    graph = build(
        [dep("web", repo="a"), dep("cli", repo="b"), dep("lint", repo="c", scope=Scope.DEV)],
        edges=[("web", "core"), ("cli", "core"), ("lint", "core"), ("lint", "astlib")],
    )
    found = centrality(graph)
    assert found[purl("core")] == 1.0
    assert found[purl("web")] < 1.0
    assert purl("lint") not in found and purl("astlib") not in found


def test_pagerank_conserves_mass_and_handles_cycles() -> None:
    ranks = pagerank(["r"], {"r": ["x"], "x": ["y"], "y": ["x"]})
    assert abs(sum(ranks.values()) - 1.0) < 1e-9
    assert ranks["x"] > ranks["r"] and ranks["y"] > ranks["r"]
    assert pagerank([], {}) == {}


def test_centrality_share_zero_makes_reliance_pure_usage() -> None:
    config = replace(CONFIG, scoring=replace(CONFIG.scoring, centrality_share=0.0))
    graph = build([dep("x", repo="a"), dep("y", repo="a"), dep("y", repo="b")])
    ranking = rank(graph, config=config)
    assert [p.reliance.value for p in ranking.projects] == [2 / 4, 1 / 4]


def test_priority_without_signals_is_reliance_scaled() -> None:
    graph = build([dep("x", repo="a")])
    (project,) = rank(graph).projects
    s = CONFIG.scoring
    assert project.priority == round(
        100 * project.reliance.value / (1 + s.criticality_weight + s.need_weight), 2
    )
    inputs = 2 + len(CONFIG.scoring.criticality) + len(CONFIG.scoring.need)
    assert project.confidence == round(2 / inputs, 2)  # only the two graph inputs are known
    assert project.reliance.get("centrality").weight == SHARE

"""The direct PageRank solve against the power iteration it replaced, cycles included."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import forked, pipeline
from analyzer.config import Config
from analyzer.graph import REGISTRY, DependencyGraph
from analyzer.projects import rollup
from analyzer.resolve.interface import Resolution
from analyzer.score import priority
from analyzer.score.pagerank import DAMPING, components, pagerank
from analyzer.score.reliance import centrality
from tests.helpers import dep, forking

FIXTURES = Path(__file__).parent / "fixtures"

NODES = [f"n{i}" for i in range(12)]


def power_iteration(
    seeds: list[str], edges: dict[str, list[str]], iterations: int = 100, tolerance: float = 1e-9
) -> dict[str, float]:
    """The implementation ``pagerank`` replaced (restarts and dangling rank go to the seeds)."""
    nodes = sorted(set(edges) | {t for targets in edges.values() for t in targets} | set(seeds))
    index = {node: i for i, node in enumerate(nodes)}
    linked = [(index[n], [index[t] for t in edges[n]]) for n in nodes if edges.get(n)]
    factor = {i: DAMPING / len(targets) for i, targets in linked}
    dangling = [index[n] for n in nodes if not edges.get(n)]
    start = [index[s] for s in seeds]
    restart = 1.0 / len(start)
    rank = [0.0] * len(nodes)
    for i in start:
        rank[i] = restart
    for _ in range(iterations):
        new = [0.0] * len(nodes)
        for i, targets in linked:
            for t in targets:
                new[t] += rank[i] * factor[i]
        back = ((1 - DAMPING) + DAMPING * sum(rank[i] for i in dangling)) * restart
        for i in start:
            new[i] += back
        change = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if change < tolerance:
            break
    return dict(zip(nodes, rank, strict=True))


def normalized(ranks: dict[str, float]) -> dict[str, float]:
    top = max(ranks.values())
    return {node: value / top for node, value in ranks.items()}


graphs = st.dictionaries(
    st.sampled_from(NODES), st.lists(st.sampled_from(NODES), min_size=1, max_size=4), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(graphs, st.lists(st.sampled_from(NODES), min_size=1, max_size=3))
def test_equals_the_power_iteration_it_replaced(edges, seeds) -> None:
    found = pagerank(seeds, edges)
    old = power_iteration(seeds, edges)
    exact = power_iteration(seeds, edges, iterations=2000, tolerance=1e-15)
    assert found.keys() == old.keys() == exact.keys()
    assert abs(sum(found.values()) - 1.0) < 1e-9
    assert all(abs(found[n] - exact[n]) < 1e-10 for n in found)
    low, high = normalized(found), normalized(old)
    assert all(abs(low[n] - high[n]) < 1e-6 for n in found)


def test_a_large_cycle_settles_to_the_fixed_point() -> None:
    """A ring of 300 packages with chords: one strongly connected component to iterate."""
    ring = {f"p{i:03}": [f"p{(i + 1) % 300:03}", f"p{(i * 7) % 300:03}"] for i in range(300)}
    edges = {"repo:a": ["p000", "p150"], "repo:b": ["p042"], **ring}
    found = pagerank(["repo:a", "repo:b"], edges)
    exact = power_iteration(["repo:a", "repo:b"], edges, iterations=5000, tolerance=1e-15)
    assert max(abs(found[n] - exact[n]) for n in found) < 1e-12


def test_a_cycle_whose_error_turns_settles_without_going_negative() -> None:
    """Cycles of 3 and 5 through one node: the error of each sweep turns round rather than
    shrinking along one direction, so the change of three sweeps can shrink at a steady rate
    while a jump along the last step would land far off (it gave negative ranks)."""
    edges = {
        "repo:a": ["gamma"], "alpha": ["gamma"], "beta": ["gamma", "delta"], "gamma": ["eps"],
        "delta": ["alpha"], "eps": ["beta"],
    }  # fmt: skip
    found = pagerank(["repo:a"], edges)
    exact = power_iteration(["repo:a"], edges, iterations=5000, tolerance=1e-15)
    assert min(found.values()) > 0
    assert max(abs(found[n] - exact[n]) for n in found) < 1e-12


def test_components_are_strongly_connected_and_parents_come_first() -> None:
    succ = [[1], [2], [0, 3], [4], [], [4, 6], [5], [7]]
    assert_components(succ)


@given(st.lists(st.lists(st.integers(0, 9), max_size=3), min_size=10, max_size=10))
def test_components_of_any_graph(succ) -> None:
    assert_components(succ)


def assert_components(succ: list[list[int]]) -> None:
    found = components(succ)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(succ)))
    graph.add_edges_from((u, v) for u, targets in enumerate(succ) for v in targets)
    expected = nx.strongly_connected_components(graph)
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected))
    position = {node: i for i, component in enumerate(found) for node in component}
    assert all(position[u] <= position[v] for u, v in graph.edges)


@forking
def test_a_forked_copy_computes_centrality_to_the_same_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(enrich=False)
    graph = pipeline.build_graph(pipeline.collect([FIXTURES], config))
    projects = rollup(graph, None, config, set()).projects
    today = date(2026, 1, 1)
    original = priority.centrality

    def noted(graph: DependencyGraph) -> dict[str, float]:
        with (tmp_path / "pids").open("a") as log:  # the copy's memory would not show here
            log.write(f"{os.getpid()}\n")
        return original(graph)

    monkeypatch.setattr(priority, "centrality", noted)
    monkeypatch.setattr(priority, "FORK_EDGES", 0)
    copied = priority.score(graph, projects, None, config, today)
    monkeypatch.setattr(forked, "can_fork", lambda: False)  # now done here
    here = priority.score(graph, projects, None, config, today)
    pids = [int(pid) for pid in (tmp_path / "pids").read_text().split()]
    assert pids[0] != os.getpid() and pids[1:] == [os.getpid()]
    assert any(p.reliance.inputs[1].value > 0 for p in here.projects)  # centrality counts
    assert copied == here


@forking
def test_the_audit_forks_centrality_before_the_graph_to_the_same_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without resolution the audit forks PageRank's copy as soon as the manifests are read:
    it works from the collection's records (analyzer.graph_shape) while the graph is built,
    and the scoring uses its ranks; the graph's own centrality is never worked out."""
    config = Config(enrich=False)
    original = pipeline.centrality_of

    def noted(*records: Any) -> dict[str, float]:
        with (tmp_path / "seen").open("a") as log:  # the copy's memory would not show here
            log.write(f"{os.getpid()}\n")
        return original(*records)

    def never(graph: DependencyGraph) -> dict[str, float]:
        raise AssertionError("the graph's centrality was worked out too")

    monkeypatch.setattr(pipeline, "centrality_of", noted)
    monkeypatch.setattr(pipeline, "FORK_EDGES", 0)
    monkeypatch.setattr(priority, "centrality", never)
    audited = pipeline.audit([FIXTURES], config)
    (pid,) = (tmp_path / "seen").read_text().split()
    assert int(pid) != os.getpid()  # one copy, and the scoring used its ranks
    monkeypatch.setattr(priority, "centrality", centrality)
    graph = pipeline.build_graph(pipeline.collect([FIXTURES], config))  # depths first
    projects = rollup(graph, None, config, set()).projects
    today = date.fromisoformat(audited.generated_at[:10])
    assert audited.ranking == priority.score(graph, projects, None, config, today)
    assert dict(audited.graph.nx.edges.items()) == dict(graph.nx.edges.items())  # depths too
    assert any(isinstance(data.get("depth"), int) for data in graph.nx.edges.values())
    assert any(p.reliance.inputs[1].value > 0 for p in audited.ranking.projects)


@forking
def test_with_resolution_centrality_starts_once_the_edges_are_final(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolution adds edges: PageRank's copy is forked after it, before the depths."""
    config = Config(enrich=False)
    original = priority.centrality
    added = ("pkg:pypi/requests", "pkg:pypi/resolved-only")

    def resolver(graph: DependencyGraph, locks: Any, progress: Any) -> Resolution:
        graph.add_dependency(dep("resolved-only", repo="api", direct=False))
        graph.add_package_edge(*added, resolved_by=REGISTRY)
        return Resolution(edges=1)

    def noted(graph: DependencyGraph) -> dict[str, float]:
        depths = {str(data.get("depth")) for _, _, data in graph.nx.edges(data=True)}
        with (tmp_path / "seen").open("a") as log:
            log.write(f"{os.getpid()} {graph.nx.has_edge(*added)} {sorted(depths)}\n")
        return original(graph)

    monkeypatch.setattr(priority, "centrality", noted)
    monkeypatch.setattr(priority, "FORK_EDGES", 0)
    monkeypatch.setattr(pipeline, "FORK_EDGES", 0)
    pipeline.audit([FIXTURES], config, resolver=resolver)
    (pid, edge, depths), *others = [
        line.split(" ", 2) for line in (tmp_path / "seen").read_text().splitlines()
    ]
    assert int(pid) != os.getpid() and not others
    assert edge == "True"  # after resolution
    assert depths == "['None']"  # before the depths (this resolver sets none)

"""Shared, lazily expanded searches give every path a fresh search per question would give.

The reference below is the first implementation of ``analyzer.score.paths``: one search per
question, expanded until a target is found and its level is complete, or the bound. The
index under test shares one search per repository across questions asked in any order, takes
shortcuts for one target and for targets declared directly, and must answer the same, the
bound on the search included.
"""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.graph import DependencyGraph, repo_node
from analyzer.model import Repository
from analyzer.score import paths as module
from analyzer.score.paths import PathIndex, paths
from tests.helpers import dep

NAMES = [f"p{i}" for i in range(8)]
REPOS = ["api", "web", "cli"]


def purl(name: str) -> str:
    return f"pkg:pypi/{name}"


def reference(graph: DependencyGraph, repo: str, targets: list[str], bound: int) -> list[str]:
    """One breadth-first search for this question alone, as the first implementation did."""
    succ = graph.nx.succ
    node = repo_node(repo)
    uses = succ[node] if node in graph.nx else {}
    roots = sorted(p for p, d in uses.items() if any(x.direct for x in d["declarations"]))
    tree: dict[str, tuple[str | None, int]] = dict.fromkeys(roots, (None, 0))
    queue = deque(roots)

    def expand() -> None:
        package = queue.popleft()
        children = sorted(c for c, d in succ[package].items() if d["kind"] == "depends")
        for child in children:
            if child not in tree:
                tree[child] = (package, tree[package][1] + 1)
                queue.append(child)

    found = [t for t in targets if t in tree]
    while not found and queue and len(tree) < bound:
        expand()
        found = [t for t in targets if t in tree]
    if found:
        depth = min(tree[t][1] for t in found)
        while queue and tree[queue[0]][1] < depth and len(tree) < bound:
            expand()
    reached = [t for t in targets if t in tree]
    if not reached:
        used = [p for p in targets if graph.nx.has_edge(node, p)]
        return [repo, used[0]] if used else [repo]
    step: str | None = min(reached, key=lambda t: (tree[t][1], t))
    chain = []
    while step is not None:
        chain.append(step)
        step = tree[step][0]
    return [repo, *reversed(chain)]


uses_strategy = st.lists(
    st.tuples(st.sampled_from(REPOS), st.sampled_from(NAMES), st.booleans()), max_size=14
)
edges_strategy = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=20)
questions_strategy = st.lists(
    st.tuples(st.sampled_from(REPOS), st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)),
    min_size=1,
    max_size=12,
)


def build(uses: list[tuple[str, str, bool]], edges: list[tuple[str, str]]) -> DependencyGraph:
    graph = DependencyGraph("org")
    for name in REPOS[:2]:  # "cli" is not in the graph: it has no search and no uses
        graph.add_repository(Repository(name, name))
    for repo, name, direct in uses:
        if repo in REPOS[:2]:
            graph.add_dependency(dep(name, repo=repo, direct=direct))
    for parent, child in edges:
        graph.add_package_edge(purl(parent), purl(child))
    return graph


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uses_strategy, edges_strategy, questions_strategy, st.integers(1, 9))
def test_a_shared_index_answers_as_a_fresh_search(
    uses: list[tuple[str, str, bool]],
    edges: list[tuple[str, str]],
    questions: list[tuple[str, list[str]]],
    bound: int,
) -> None:
    graph = build(uses, edges)
    index = PathIndex(graph)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "MAX_VISITED", bound)
        for repo, names in questions:
            packages = [purl(n) for n in names]
            targets = sorted(p for p in set(packages) if p in graph.nx)
            expected = reference(graph, repo, targets, bound)
            assert paths(graph, packages, [repo], index) == {repo: expected}
            assert index.path(repo, targets) == expected  # asked again: the same answer


def test_the_bound_cuts_a_long_chain() -> None:
    """api declares a; a -> b -> c -> d: with room for three packages, d is out of reach."""
    graph = build([("api", "a", True), ("api", "d", False)], [("a", "b"), ("b", "c"), ("c", "d")])
    full = ["api", purl("a"), purl("b"), purl("c"), purl("d")]
    assert paths(graph, [purl("d")], ["api"]) == {"api": full}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "MAX_VISITED", 3)
        assert paths(graph, [purl("d")], ["api"]) == {"api": ["api", purl("d")]}
        assert reference(graph, "api", [purl("d")], 3) == ["api", purl("d")]


def test_a_target_as_near_found_later_in_the_level_wins_by_name() -> None:
    """api declares a and z; a -> c, z -> b: c is reached first, b is as near and first."""
    graph = build([("api", "a", True), ("api", "z", True)], [("a", "c"), ("z", "b")])
    expected = ["api", purl("z"), purl("b")]
    assert reference(graph, "api", [purl("b"), purl("c")], 100) == expected
    assert paths(graph, [purl("c"), purl("b")], ["api"]) == {"api": expected}

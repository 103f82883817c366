"""Paths from each repository to a project, read off one breadth-first tree per repository."""

from __future__ import annotations

from analyzer.graph import DependencyGraph
from analyzer.model import Project, Repository
from analyzer.score.paths import PathIndex, paths, project_paths
from tests.helpers import dep


def graph_of(*edges: tuple[str, str]) -> DependencyGraph:
    """api declares a and z directly and x only transitively; a -> b -> c, z -> c."""
    graph = DependencyGraph("org")
    for name in ("api", "web"):
        graph.add_repository(Repository(name, name))
    graph.add_dependency(dep("a", repo="api"))
    graph.add_dependency(dep("z", repo="api"))
    graph.add_dependency(dep("x", repo="api", direct=False))
    graph.add_dependency(dep("c", repo="web"))
    for parent, child in edges:
        graph.add_package_edge(f"pkg:pypi/{parent}", f"pkg:pypi/{child}")
    return graph


def test_shortest_chain_from_a_direct_declaration() -> None:
    graph = graph_of(("a", "b"), ("b", "c"), ("z", "c"))
    found = paths(graph, ["pkg:pypi/c"], ["api", "web"])
    # z -> c is shorter than a -> b -> c; web declares c itself
    assert found == {"api": ["api", "pkg:pypi/z", "pkg:pypi/c"], "web": ["web", "pkg:pypi/c"]}
    # the nearest of a project's packages wins
    assert paths(graph, ["pkg:pypi/c", "pkg:pypi/b"], ["api"])["api"] == [
        "api", "pkg:pypi/a", "pkg:pypi/b"
    ]  # fmt: skip


def test_without_a_known_chain_the_path_is_the_use_itself() -> None:
    graph = graph_of(("a", "b"))
    assert paths(graph, ["pkg:pypi/x"], ["api"]) == {"api": ["api", "pkg:pypi/x"]}
    assert paths(graph, ["pkg:pypi/nowhere"], ["api"]) == {"api": ["api"]}


def test_one_index_serves_many_projects() -> None:
    graph = graph_of(("a", "b"), ("b", "c"), ("b", "x"))
    index = PathIndex(graph)
    assert paths(graph, ["pkg:pypi/b"], ["api"], index)["api"] == [
        "api",
        "pkg:pypi/a",
        "pkg:pypi/b",
    ]
    # the search goes on from where the first question left it
    assert paths(graph, ["pkg:pypi/x"], ["api"], index)["api"] == [
        "api", "pkg:pypi/a", "pkg:pypi/b", "pkg:pypi/x"
    ]  # fmt: skip
    assert paths(graph, ["pkg:pypi/c"], ["api"], index) == paths(graph, ["pkg:pypi/c"], ["api"])


def test_project_paths_are_the_path_of_every_repository_using_a_package() -> None:
    graph = graph_of(("a", "b"), ("b", "c"), ("z", "c"))
    graph.add_dependency(dep("c", repo="api", direct=False))
    both = Project("k1", "both", None, ("pkg:pypi/b", "pkg:pypi/c"))
    alone = Project("k2", "alone", None, ("pkg:pypi/x",))
    unused = Project("k3", "unused", None, ("pkg:pypi/b",))  # reached, but nobody uses it
    found = project_paths(graph, [both, alone, unused])
    assert found == {
        "k1": {  # the nearest of its packages, as for a project asked about alone
            "api": ["api", "pkg:pypi/a", "pkg:pypi/b"],
            "web": ["web", "pkg:pypi/c"],
        },
        "k2": {"api": ["api", "pkg:pypi/x"]},
        "k3": {},
    }
    assert found["k1"] == paths(graph, both.packages, ["api", "web"])

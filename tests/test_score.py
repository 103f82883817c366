import random

from analyzer.graph import DependencyGraph
from analyzer.model import Repository, Scope
from analyzer.score.reliance import rank
from tests.helpers import dep, purl


def build(deps, repos=("a", "b", "c", "d"), own=()):
    graph = DependencyGraph()
    for name in repos:
        graph.add_repository(Repository(name, name))
    for item in deps:
        graph.add_dependency(item)
    graph.mark_own(own)
    return graph


def names(graph):
    return [p.name for p in rank(graph).projects]


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
    ranking = rank(graph).projects
    assert [p.name for p in ranking] == ["runtime", "devtool", "deep"]
    assert [p.priority for p in ranking] == [25.0, 12.5, 12.5]  # 1/4, 2*0.25/4, 0.5/4


def test_best_use_per_repository_counts_once() -> None:
    graph = build(
        [
            dep("lib", repo="a", scope=Scope.DEV, file="requirements-dev.txt"),
            dep("lib", repo="a", file="requirements.txt"),
        ]
    )
    (project,) = rank(graph).projects
    assert project.priority == 25.0
    assert project.scopes == {"runtime": 1}
    assert project.reasons == ("used by 1 of 4 repositories: 1 at runtime",)


def test_own_packages_are_excluded_with_a_reason() -> None:
    graph = build([dep("shared-lib", repo="a"), dep("requests", repo="a")],
                  own=[purl("shared-lib")])  # fmt: skip
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
    assert [p.name for p in expected][:4] == ["alpha", "beta", "delta", "gamma"]


def test_package_edges_do_not_create_repository_uses() -> None:
    graph = build([dep("requests", repo="a")])
    graph.add_package_edge(purl("requests"), purl("urllib3"))
    assert names(graph) == ["requests"]
    assert graph.dependents(purl("urllib3")) == [purl("requests")]


def test_packages_known_only_from_edges_get_readable_names() -> None:
    graph = build([])
    graph.add_package_edge("pkg:npm/%40babel/core", "pkg:maven/org.slf4j/slf4j-api")
    assert graph.package_name("pkg:npm/%40babel/core") == "@babel/core"
    assert graph.package_name("pkg:maven/org.slf4j/slf4j-api") == "org.slf4j:slf4j-api"
    assert graph.ecosystem("pkg:maven/org.slf4j/slf4j-api") == "maven"

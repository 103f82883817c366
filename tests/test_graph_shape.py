"""The graph's shape from the collection alone: the same nodes, edges and declarations as
the graph ``build_graph`` makes, so the same centrality."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analyzer.graph import ORG
from analyzer.graph_shape import Shape, centrality_of
from analyzer.model import Dependency, Ecosystem, Repository, Scope, package_purl
from analyzer.pipeline import Collection, build_graph
from analyzer.score.reliance import centrality
from tests.helpers import dep

NAMES = ["a", "b", "c", "d", "e"]

records = st.lists(
    st.builds(
        lambda name, repo, scope, direct, ecosystem: dep(
            name, repo=repo, scope=scope, direct=direct, ecosystem=ecosystem,
            namespace="@s" if ecosystem is Ecosystem.NPM else None,
        ),
        st.sampled_from(NAMES),
        st.sampled_from(["api", "web", "cli"]),
        st.sampled_from(list(Scope)),
        st.booleans(),
        st.sampled_from([Ecosystem.PYPI, Ecosystem.NPM]),
    ),
    max_size=40,
)  # fmt: skip
packages = st.builds(
    lambda name, npm: package_purl(Ecosystem.NPM, name, "@s") if npm
    else package_purl(Ecosystem.PYPI, name),
    st.sampled_from([*NAMES, "f"]), st.booleans(),
)  # fmt: skip
edges = st.lists(st.tuples(packages, packages), max_size=25)
repositories = st.lists(st.sampled_from(["web", "docs", "api"]), unique=True)


def collection_of(
    found: list[Dependency], pairs: list[tuple[str, str]], repos: list[str]
) -> Collection:
    listed = [Repository(name, name) for name in repos]
    return Collection(roots=["org"], repositories=listed, dependencies=found, edges=pairs)


@given(records, edges, repositories)
def test_the_shape_is_the_graphs(
    found: list[Dependency], pairs: list[tuple[str, str]], repos: list[str]
) -> None:
    collection = collection_of(found, pairs, repos)
    graph = build_graph(collection)
    shape = Shape(collection.repositories, collection.dependencies, collection.edges)
    nodes = {node: dict(children) for node, children in graph.adjacency().items() if node != ORG}
    assert shape.succ.keys() == nodes.keys()
    for node, children in shape.succ.items():
        assert list(children) == list(nodes[node]), node  # the same children, in the same order
        for child, data in children.items():
            if "declarations" in data:
                assert data["declarations"] == nodes[node][child]["declarations"]
            else:
                assert nodes[node][child]["kind"] == "depends"
    assert sorted(shape.repos) == sorted(n for n in graph.nx.successors(ORG))


@given(records, edges, repositories)
def test_its_centrality_is_the_graphs(
    found: list[Dependency], pairs: list[tuple[str, str]], repos: list[str]
) -> None:
    collection = collection_of(found, pairs, repos)
    graph = build_graph(collection)
    expected = centrality(graph)
    assert centrality_of(collection.repositories, found, pairs) == expected


def test_a_runtime_chain_ranks_its_end() -> None:
    """A use at runtime passes rank down its package's dependencies; a test tool's do not."""
    found = [dep("app", repo="web"), dep("pytest", repo="web", scope=Scope.TEST)]
    pairs = [("pkg:pypi/app", "pkg:pypi/lib"), ("pkg:pypi/pytest", "pkg:pypi/pluggy")]
    ranks = centrality_of([Repository("web", "web")], found, pairs)
    assert set(ranks) == {"pkg:pypi/app", "pkg:pypi/lib"}
    assert ranks["pkg:pypi/lib"] > 0 and max(ranks.values()) == 1.0

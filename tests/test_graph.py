"""The dependency graph's edge attributes: provenance, depth, spec and version."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from analyzer.graph import LOCKFILE, MANIFEST, REGISTRY, DependencyGraph, repo_node
from analyzer.model import Dependency, Ecosystem, Repository
from tests.helpers import dep, purl


def locked_graph(order: int = 0) -> DependencyGraph:
    """api declares flask; its lockfile lists flask -> werkzeug -> markupsafe and jinja2.

    web declares jinja2 directly, so jinja2 is depth 1 there and depth 2 in api.
    """
    records = [
        dep("flask", repo="api", spec=">=3", version="3.0.3"),
        dep("werkzeug", repo="api", file="poetry.lock", direct=False, version="3.0.4"),
        dep("markupsafe", repo="api", file="poetry.lock", direct=False, version="2.1.5"),
        dep("jinja2", repo="api", file="poetry.lock", direct=False, version="3.1.4"),
        dep("jinja2", repo="web", spec="~=3.1"),
        dep("markupsafe", repo="web", file="uv.lock", direct=False, version="3.0.2"),
    ]
    edges = [("flask", "werkzeug"), ("werkzeug", "markupsafe"), ("flask", "jinja2"),
             ("jinja2", "markupsafe")]  # fmt: skip
    random.Random(order).shuffle(records)
    random.Random(order).shuffle(edges)
    graph = DependencyGraph()
    for name in ("api", "web"):
        graph.add_repository(Repository(name, name))
    for record in records:
        graph.add_dependency(record)
    for parent, child in edges:
        graph.add_package_edge(purl(parent), purl(child))
    graph.compute_depths()
    return graph


def depths(graph: DependencyGraph, repo: str) -> dict[str, int | None]:
    node = repo_node(repo)
    return {
        p.rsplit("/", 1)[1]: graph.nx.edges[node, p]["depth"] for p in graph.nx.successors(node)
    }


def test_depths_come_from_a_walk_of_each_repository() -> None:
    graph = locked_graph()
    assert depths(graph, "api") == {"flask": 1, "werkzeug": 2, "jinja2": 2, "markupsafe": 3}
    # web's lockfile lists markupsafe, reached from its direct jinja2
    assert depths(graph, "web") == {"jinja2": 1, "markupsafe": 2}
    edge = graph.nx.edges[purl("jinja2"), purl("markupsafe")]
    assert edge["depth"] == 2  # in web; in api it would be 3: the shallowest counts
    assert graph.nx.edges[purl("werkzeug"), purl("markupsafe")]["depth"] == 3


def test_depths_do_not_depend_on_input_order() -> None:
    expected = {repo: depths(locked_graph(), repo) for repo in ("api", "web")}
    for order in range(1, 6):
        assert {repo: depths(locked_graph(order), repo) for repo in ("api", "web")} == expected


def test_usages_carry_depth_and_provenance() -> None:
    graph = locked_graph()
    markupsafe = {
        u.repo: (u.direct, u.depth, u.resolved_by) for u in graph.usages(purl("markupsafe"))
    }
    assert markupsafe == {"api": (False, 3, LOCKFILE), "web": (False, 2, LOCKFILE)}
    (flask,) = graph.usages(purl("flask"))
    assert (flask.direct, flask.depth, flask.resolved_by) == (True, 1, MANIFEST)
    data = graph.nx.edges[repo_node("api"), purl("flask")]
    assert (data["spec"], data["version"]) == (">=3", "3.0.3")


def test_declarations_are_every_repository_use_and_no_package_edge() -> None:
    graph = locked_graph()
    found = sorted((d.repo, d.version) for d in graph.declarations(purl("markupsafe")))
    assert found == [("api", "2.1.5"), ("web", "3.0.2")]  # werkzeug -> markupsafe is no use
    expected = [d for u in graph.usages(purl("jinja2")) for d in u.declarations]
    assert sorted(graph.declarations(purl("jinja2")), key=lambda d: d.repo) == expected


def test_an_unreachable_locked_package_has_no_depth() -> None:
    graph = DependencyGraph()
    graph.add_dependency(dep("orphan", file="Pipfile.lock", direct=False, version="1.0"))
    graph.compute_depths()
    (usage,) = graph.usages(purl("orphan"))
    assert usage.depth is None


def test_a_manifest_declaration_outranks_a_lockfile_listing() -> None:
    graph = DependencyGraph()
    graph.add_dependency(dep("six", file="poetry.lock", direct=False, version="1.16.0"))
    graph.add_dependency(dep("six", spec=">=1.15"))
    data = graph.nx.edges[repo_node("repo"), purl("six")]
    assert (data["resolved_by"], data["spec"], data["version"]) == (MANIFEST, ">=1.15", "1.16.0")


def test_lockfile_edges_win_over_resolved_ones() -> None:
    graph = DependencyGraph()
    a, b = purl("a"), purl("b")
    assert graph.add_package_edge(a, b, resolved_by=REGISTRY, spec=">=1", version="1.9", depth=4)
    assert not graph.add_package_edge(a, b, resolved_by=REGISTRY, spec=">=2", depth=2)
    assert graph.nx.edges[a, b] == {"kind": "depends", "resolved_by": REGISTRY, "spec": ">=1",
                                    "version": "1.9", "depth": 2}  # fmt: skip
    assert not graph.add_package_edge(a, b, resolved_by=LOCKFILE, version="1.4")
    assert graph.nx.edges[a, b]["resolved_by"] == LOCKFILE
    assert graph.nx.edges[a, b]["version"] == "1.4"
    assert not graph.add_package_edge(a, a)  # a self-reference is no edge
    assert not graph.nx.has_edge(a, a)


def test_edges_to_unknown_packages_name_them_from_the_purl() -> None:
    graph = DependencyGraph()
    graph.add_package_edge("pkg:npm/%40babel/core", "pkg:maven/org.slf4j/slf4j-api")
    assert graph.package_name("pkg:npm/%40babel/core") == "@babel/core"
    assert graph.package_name("pkg:maven/org.slf4j/slf4j-api") == "org.slf4j:slf4j-api"
    assert graph.ecosystem("pkg:maven/org.slf4j/slf4j-api") == "maven"


def test_set_version_fills_only_versions_nobody_stated() -> None:
    graph = DependencyGraph()
    graph.add_dependency(dep("requests", spec=">=2.31"))
    graph.add_dependency(dep("requests", file="dev.txt", spec="==2.31.0", version="2.31.0"))
    graph.set_version("repo", purl("requests"), "2.32.3")
    (usage,) = graph.usages(purl("requests"))
    assert [d.version for d in usage.declarations] == ["2.32.3", "2.31.0"]


def test_peers_accumulate_as_one_string() -> None:
    graph = DependencyGraph()
    graph.add_dependency(dep("react-dom", ecosystem=Ecosystem.NPM))
    node = "pkg:npm/react-dom"
    graph.note_peers(node, ["react@^18.3.1"])
    graph.note_peers(node, ["react@^18.3.1", "scheduler@*"])
    assert graph.nx.nodes[node]["peers"] == "react@^18.3.1, scheduler@*"


records = st.lists(
    st.builds(
        lambda name, repo, file, direct, spec, version, ecosystem: dep(
            name,
            repo=repo,
            file=file,
            direct=direct,
            spec=spec,
            version=version,
            ecosystem=ecosystem,
            namespace="@s" if ecosystem is Ecosystem.NPM else None,
        ),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["api", "web", "cli", ""]),
        st.sampled_from(["pyproject.toml", "uv.lock"]),
        st.booleans(),
        st.sampled_from([None, ">=1", "^2"]),
        st.sampled_from([None, "1.0", "2.0"]),
        st.sampled_from([Ecosystem.PYPI, Ecosystem.NPM]),
    ),
    max_size=30,
)


names = st.sampled_from(["a", "b", "c", "d"]).map(lambda name: purl(name))


@given(records, st.lists(st.tuples(names, names), max_size=12), st.booleans())
def test_adding_at_once_is_adding_each(
    found: list[Dependency], edges: list[tuple[str, str]], known: bool
) -> None:
    """The bulk loops build the very graph (same nodes, edges, data and orders) that adding
    each record and edge does, whether or not repositories and resolved edges came first."""
    each, bulk = DependencyGraph(), DependencyGraph()
    if known:
        for graph in (each, bulk):
            graph.add_repository(Repository("web", "web"))
            graph.add_package_edge(purl("a"), purl("b"), resolved_by=REGISTRY, spec=">=1")
    for record in found:
        each.add_dependency(record)
    for parent, child in edges:
        each.add_package_edge(parent, child)
    bulk.add_dependencies(found)
    bulk.add_package_edges(edges)
    assert list(bulk.nx.nodes(data=True)) == list(each.nx.nodes(data=True))
    assert list(bulk.nx.edges(data=True)) == list(each.nx.edges(data=True))
    assert [list(bulk.nx.pred[n]) for n in bulk.nx] == [list(each.nx.pred[n]) for n in each.nx]

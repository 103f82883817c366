"""Edge depths and bulk building at organization scale, against the plain algorithms they
replace: one breadth-first walk per repository over every successor, and one call per record."""

from __future__ import annotations

import gc
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.gc_pause import paused_gc
from analyzer.graph import ORG, REGISTRY, DependencyGraph
from analyzer.graph_depths import mask, members
from analyzer.model import Repository, Scope
from tests.helpers import dep, purl

REPOS = ("a", "b", "c")
NAMES = ("p0", "p1", "p2", "p3", "p4", "p5", "p6")

records = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(REPOS), st.booleans(), st.booleans()),
    max_size=30,
)
pairs = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=25)
resolved = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(1, 6)), max_size=6
)


def build(items, edges, known=(), *, bulk: bool = False) -> DependencyGraph:
    graph = DependencyGraph()
    for repo in REPOS:
        graph.add_repository(Repository(repo, repo))
    deps = [
        dep(name, repo=repo, direct=direct, file="uv.lock" if locked else "pyproject.toml")
        for name, repo, direct, locked in items
    ]
    purls = [(purl(parent), purl(child)) for parent, child in edges]
    if bulk:
        graph.add_dependencies(deps)
        graph.add_package_edges(purls)
    else:
        for record in deps:
            graph.add_dependency(record)
        for parent, child in purls:
            graph.add_package_edge(parent, child)
    for parent, child, depth in known:  # as resolution records them, before a walk
        graph.add_package_edge(purl(parent), purl(child), resolved_by=REGISTRY, depth=depth)
    return graph


def reference_depths(graph: DependencyGraph) -> None:
    """The walk this module replaced: every successor of every package, for every repository."""
    nx = graph.nx
    edge_depth: dict[tuple[str, str], int] = {}
    for repo in (n for n in nx.successors(ORG) if n.startswith("repo:")):
        used = set(nx.successors(repo))
        direct = [
            p for p in sorted(used) if any(d.direct for d in nx.edges[repo, p]["declarations"])
        ]
        depths = dict.fromkeys(direct, 1)
        queue = deque(direct)
        while queue:
            parent = queue.popleft()
            for child in nx.successors(parent):
                if child not in used:
                    continue
                key = (parent, child)
                edge_depth[key] = min(edge_depth.get(key, depths[parent] + 1), depths[parent] + 1)
                if child not in depths:
                    depths[child] = depths[parent] + 1
                    queue.append(child)
        for purl_ in nx.successors(repo):
            nx.edges[repo, purl_]["depth"] = depths.get(purl_)
    for (parent, child), depth in edge_depth.items():
        data = nx.edges[parent, child]
        if data.get("depth") is None or depth < data["depth"]:
            data["depth"] = depth


def edges_of(graph: DependencyGraph) -> dict[tuple[str, str], list[tuple[str, object]]]:
    """Every edge's attributes in their order (the graph export keeps that order)."""
    return {(u, v): list(data.items()) for u, v, data in graph.nx.edges(data=True)}


@settings(max_examples=300, deadline=None)
@given(records, pairs, resolved, pairs)
def test_depths_match_a_plain_walk_per_repository(items, edges, known, later) -> None:
    fast, plain = build(items, edges, known), build(items, edges, known)
    fast.compute_depths()
    reference_depths(plain)
    assert edges_of(fast) == edges_of(plain)
    for graph in (fast, plain):  # resolution adds edges, then walks again
        for parent, child in later:
            graph.add_package_edge(purl(parent), purl(child), resolved_by=REGISTRY, depth=5)
    fast.compute_depths()
    reference_depths(plain)
    assert edges_of(fast) == edges_of(plain)


@settings(max_examples=150, deadline=None)
@given(records, pairs)
def test_bulk_building_equals_one_call_per_record(items, edges) -> None:
    one, bulk = build(items, edges), build(items, edges, bulk=True)
    assert edges_of(bulk) == edges_of(one)
    assert dict(bulk.nx.nodes(data=True)) == dict(one.nx.nodes(data=True))


def test_a_lockfile_listing_only_is_unreached_and_a_popular_parent_stays_local() -> None:
    graph = DependencyGraph()
    for repo in ("a", "b"):
        graph.add_repository(Repository(repo, repo))
    graph.add_dependencies(
        [
            dep("web", repo="a"),
            dep("core", repo="a", direct=False, file="uv.lock"),
            dep("web", repo="b", scope=Scope.DEV),
            dep("orphan", repo="b", direct=False, file="uv.lock"),
        ]
    )
    # b's lockfile says web -> orphan, a's says web -> core; b does not use core
    graph.add_package_edges([(purl("web"), purl("core")), (purl("web"), purl("orphan"))])
    graph.add_package_edge(purl("core"), purl("deep"))  # no repository uses deep
    graph.compute_depths()
    depth = {(u, v): d for u, v, d in graph.nx.edges(data="depth")}
    assert depth["repo:a", purl("core")] == 2
    assert depth["repo:b", purl("orphan")] == 2
    assert depth[purl("web"), purl("core")] == 2
    assert depth[purl("core"), purl("deep")] is None  # never on any repository's walk


@given(st.sets(st.integers(0, 5000), max_size=60))
def test_masks_hold_exactly_their_bits(bits) -> None:
    value = mask(sorted(bits))
    assert members(value) == sorted(bits)
    assert value == sum(1 << bit for bit in bits)


def test_building_pauses_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    seen = []
    with paused_gc():
        seen.append(gc.isenabled())
        with paused_gc():
            pass
        seen.append(gc.isenabled())  # an inner pause does not end the outer one
    assert seen == [False, False] and gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()

"""Properties of the ranking model that must hold for any organization and any signals."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.config import Config
from analyzer.enrich.interface import Signal
from analyzer.enrich.runner import Enrichment
from analyzer.graph import DependencyGraph
from analyzer.model import Project, Repository, Scope
from analyzer.score.priority import per_package, score
from tests.helpers import dep, purl

TODAY = date(2026, 1, 1)
REPOS = ("a", "b", "c", "d", "e")
NAMES = ("alpha", "beta", "gamma", "delta", "eps")
REPO_URL = "https://github.com/someone/alpha"

uses = st.lists(
    st.tuples(
        st.sampled_from(NAMES), st.sampled_from(REPOS), st.sampled_from(list(Scope)), st.booleans()
    ),
    min_size=1,
    max_size=25,
)
edges = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=10)


def build(
    records: list[tuple[str, str, Scope, bool]], pairs: list[tuple[str, str]]
) -> DependencyGraph:
    graph = DependencyGraph()
    for repo in REPOS:
        graph.add_repository(Repository(repo, repo))
    for name, repo, scope, direct in records:
        graph.add_dependency(dep(name, repo=repo, scope=scope, direct=direct))
    for parent, child in pairs:
        graph.add_package_edge(purl(parent), purl(child))
    return graph


def reliance_of(graph: DependencyGraph, name: str) -> float:
    ranking = score(graph, None, None, Config(), TODAY)
    found = {p.name: p.reliance.value for p in ranking.projects}
    return found.get(name, 0.0)


@settings(max_examples=150, deadline=None)
@given(
    uses,
    edges,
    st.sampled_from(NAMES),
    st.sampled_from(REPOS),
    st.sampled_from(list(Scope)),
    st.booleans(),
)
def test_another_repository_relying_never_lowers_reliance(
    records, pairs, name, repo, scope, direct
):
    before = reliance_of(build(records, pairs), name)
    after = reliance_of(build([*records, (name, repo, scope, direct)], pairs), name)
    assert after >= before - 1e-12


# Signal values inside the ranges providers produce; owners are never on the corporate list
# (an unknown owner cannot be recognized as a company: that is eligibility, not a score).
SIGNALS: dict[str, st.SearchStrategy[Any]] = {
    "dependents": st.integers(0, 10**6),
    "dependent_repos": st.integers(0, 10**7),
    "downloads": st.integers(0, 10**9),
    "contributors": st.integers(0, 5000),
    "stars": st.integers(0, 300_000),
    "maintainer_count": st.integers(1, 40),
    "bus_factor": st.integers(1, 30),
    "top_contributor_share": st.floats(0, 1),
    "last_release": st.dates(date(2000, 1, 1), TODAY).map(date.isoformat),
    "last_commit": st.dates(date(2000, 1, 1), TODAY).map(date.isoformat),
    "commits_last_year": st.integers(0, 20_000),
    "sponsors_count": st.integers(0, 2000),
    "owner_type": st.sampled_from(["User", "Organization"]),
    "owner_organization": st.sampled_from(["pallets", "psf"]),
}
signal_sets = st.fixed_dictionaries(
    {},
    optional={
        name: st.tuples(strategy, st.sampled_from([REPO_URL, purl("alpha")]))
        for name, strategy in SIGNALS.items()
    },
)


def priority(found: dict[str, tuple[Any, str]]) -> float:
    enrichment = Enrichment()
    for name, (value, key) in sorted(found.items()):
        enrichment.signals.setdefault(key, []).append(Signal(name, value, "test", "x"))
    graph = build([("alpha", "a", Scope.RUNTIME, True)], [])
    project = Project(REPO_URL, "someone/alpha", REPO_URL, (purl("alpha"),))
    (scored,) = score(graph, [project], enrichment, Config(), TODAY).projects
    return scored.priority


@settings(max_examples=300, deadline=None)
@given(signal_sets, st.data())
def test_a_missing_signal_never_raises_priority(found, data):
    if not found:
        return
    dropped = data.draw(st.sampled_from(sorted(found)))
    fewer = {name: value for name, value in found.items() if name != dropped}
    assert priority(fewer) <= priority(found)


@settings(max_examples=60, deadline=None)
@given(uses, edges, st.randoms(use_true_random=False))
def test_ranking_is_identical_across_runs_and_input_orderings(records, pairs, rnd: random.Random):
    expected = score(build(records, pairs), None, None, Config(), TODAY)
    shuffled_records, shuffled_pairs = records[:], pairs[:]
    rnd.shuffle(shuffled_records)
    rnd.shuffle(shuffled_pairs)
    graph = build(shuffled_records, shuffled_pairs)
    projects = per_package(graph, None)
    rnd.shuffle(projects)
    again = score(graph, projects, None, Config(), TODAY)
    assert again == score(build(records, pairs), None, None, Config(), TODAY) == expected
    assert [p.key for p in again.projects] == [p.key for p in expected.projects]

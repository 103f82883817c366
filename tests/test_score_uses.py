"""The shared index of uses against the per-project reading of the graph it replaced."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.config import Config
from analyzer.graph import DependencyGraph
from analyzer.model import Repository, Scope
from analyzer.score.reliance import Use, UseIndex, depth_of
from tests.helpers import dep, purl

REPOS = ("a", "b", "c", "d")
NAMES = ("alpha", "beta", "gamma", "delta")
SETTINGS = Config().scoring

records = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.sampled_from(REPOS),
        st.sampled_from(list(Scope)),
        st.booleans(),
        st.sampled_from(["pyproject.toml", "uv.lock", "requirements.txt"]),
        st.sampled_from([None, 1, 7]),
    ),
    max_size=30,
)
pairs = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=10)
projects = st.lists(st.sampled_from([*NAMES, "absent"]), min_size=1, max_size=4)


def reference(graph: DependencyGraph, packages: list[str]) -> list[Use]:
    """One Use per repository as scoring read it before: each package's usages in turn."""
    weights = dict(SETTINGS.scope_weights)
    best: dict[str, Use] = {}
    touched: dict[str, list[str]] = {}
    files: dict[str, list[str]] = {}
    for package in packages:
        if package not in graph.nx:
            continue
        for usage in graph.usages(package):
            depth = depth_of(usage.depth, usage.direct)
            weight = weights[usage.scope.value] * SETTINGS.depth_decay ** (depth - 1)
            touched.setdefault(usage.repo, []).append(package)
            files.setdefault(usage.repo, []).extend(
                f"{d.file}:{d.line}" if d.line else d.file for d in usage.declarations
            )
            known = best.get(usage.repo)
            if known is None or (weight, usage.direct) > (known.weight, known.direct):
                best[usage.repo] = Use(usage.repo, usage.scope, usage.direct, depth, weight, ())
    return [
        u._replace(packages=tuple(sorted(set(touched[r]))), files=tuple(sorted(set(files[r]))))
        for r, u in sorted(best.items())
    ]


@settings(max_examples=300, deadline=None)
@given(records, pairs, projects)
def test_uses_equal_the_per_project_reading(items, edges, names) -> None:
    graph = DependencyGraph()
    for repo in reversed(REPOS):  # the index reads repositories by name, not insertion order
        graph.add_repository(Repository(repo, repo))
    for name, repo, scope, direct, file, line in items:
        graph.add_dependency(dep(name, repo=repo, scope=scope, direct=direct, file=file, line=line))
    for parent, child in edges:
        graph.add_package_edge(purl(parent), purl(child))
    graph.compute_depths()
    packages = [purl(name) for name in names]
    assert UseIndex(graph, SETTINGS).uses(packages) == reference(graph, packages)


def test_of_equally_good_uses_the_first_package_wins() -> None:
    """Test and dev tools weigh the same: the project's package order decides."""
    graph = DependencyGraph()
    graph.add_dependency(dep("pytest", scope=Scope.TEST))
    graph.add_dependency(dep("ruff", scope=Scope.DEV, file="requirements-dev.txt"))
    index = UseIndex(graph, SETTINGS)
    (first,) = index.uses([purl("pytest"), purl("ruff")])
    (second,) = index.uses([purl("ruff"), purl("pytest")])
    assert (first.scope, second.scope) == (Scope.TEST, Scope.DEV)
    assert first.packages == second.packages == (purl("pytest"), purl("ruff"))
    assert first.files == ("pyproject.toml:1", "requirements-dev.txt:1")

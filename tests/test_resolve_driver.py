"""The resolution driver over real manifest trees, against the local registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from analyzer.config import Config
from analyzer.enrich.client import Client
from analyzer.graph import LOCKFILE, REGISTRY, DependencyGraph, repo_node
from analyzer.model import Ecosystem, Scope
from analyzer.pipeline import build_graph, collect
from analyzer.resolve.driver import resolve
from analyzer.resolve.interface import Resolution, Settings
from analyzer.resolve.npm import NpmResolver
from analyzer.resolve.pypi import PypiResolver
from tests.conftest import TreeWriter
from tests.resolve_helpers import hits, make_client, serve_registries

Resolved = tuple[DependencyGraph, Resolution]
Run = Callable[..., Resolved]


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> Client:
    serve_registries(httpserver)
    return make_client(httpserver, tmp_path / "cache")


@pytest.fixture
def run(write_tree: TreeWriter, client: Client) -> Run:
    def go(files: dict[str, str | bytes], settings: Settings | None = None) -> Resolved:
        collection = collect([write_tree(files)], Config())
        graph = build_graph(collection)
        resolvers = {Ecosystem.PYPI: PypiResolver(client), Ecosystem.NPM: NpmResolver(client)}
        return graph, resolve(graph, collection.locks, resolvers, settings)

    return go


def uses(
    graph: DependencyGraph, repo: str, name: str, ecosystem: str = "pypi"
) -> dict[str, object]:
    return dict(graph.nx.edges[repo_node(repo), f"pkg:{ecosystem}/{name}"])


def usage(graph: DependencyGraph, name: str, ecosystem: str = "pypi") -> tuple[object, ...]:
    (found,) = graph.usages(f"pkg:{ecosystem}/{name}")
    return (
        found.direct,
        found.depth,
        found.scope,
        found.resolved_by,
        found.declarations[0].version,
    )


def test_python_requirements_without_a_lockfile(run: Run) -> None:
    graph, result = run({"api/requirements.txt": "requests>=2.31\ndjango>=4.2,<5\nclick\n"})
    assert usage(graph, "requests") == (True, 1, Scope.RUNTIME, "manifest", "2.32.3")
    assert usage(graph, "urllib3") == (False, 2, Scope.RUNTIME, REGISTRY, "2.2.3")
    assert usage(graph, "asgiref") == (False, 2, Scope.RUNTIME, REGISTRY, "3.8.1")
    edge = graph.nx.edges["pkg:pypi/requests", "pkg:pypi/urllib3"]
    assert edge == {"kind": "depends", "resolved_by": REGISTRY, "spec": "<3,>=1.21.1",
                    "version": "2.2.3", "depth": 2}  # fmt: skip
    assert graph.dependents("pkg:pypi/sqlparse") == ["pkg:pypi/django"]
    # markers for Linux / CPython 3.12: no colorama, no tzdata, no typing-extensions
    assert not {"pkg:pypi/colorama", "pkg:pypi/tzdata", "pkg:pypi/typing-extensions"} & set(
        graph.packages()
    )
    transitive = {"urllib3", "idna", "certifi", "charset-normalizer", "asgiref", "sqlparse"}
    assert (result.roots, result.packages, result.added) == (3, 9, len(transitive))
    assert (result.usages, result.edges, result.failed) == (6, 6, 0)
    assert result.limits == []


def test_cycles_end_where_a_package_was_visited(run: Run) -> None:
    graph, result = run({"docs/requirements.txt": "sphinx\n"})
    sphinx, applehelp = "pkg:pypi/sphinx", "pkg:pypi/sphinxcontrib-applehelp"
    assert graph.nx.has_edge(sphinx, applehelp)
    assert graph.nx.has_edge(applehelp, sphinx)
    assert graph.nx.edges[sphinx, applehelp]["depth"] == 2
    assert graph.nx.edges[applehelp, sphinx]["depth"] == 3  # the depth sphinx is met at again
    assert usage(graph, "sphinxcontrib-applehelp")[:2] == (False, 2)
    assert result.packages == 3  # sphinx, applehelp, docutils: each looked at once


def test_extras_met_later_are_followed(run: Run) -> None:
    # requests is met first without extras; gdown asks for requests[socks] one level down.
    graph, result = run({"r/requirements.txt": "requests\ngdown\n"})
    assert usage(graph, "pysocks")[:2] == (False, 2)
    assert graph.nx.has_edge("pkg:pypi/requests", "pkg:pypi/pysocks")
    assert graph.nx.has_edge("pkg:pypi/gdown", "pkg:pypi/requests")
    assert (result.failed, result.limits) == (0, [])


def test_lockfile_wins_and_unlocked_manifests_resolve(run: Run, httpserver: HTTPServer) -> None:
    lock = {
        "name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {
            "": {"name": "web", "version": "1.0.0", "dependencies": {"react": "^18.2.0"}},
            "node_modules/react": {"version": "18.2.0",
                                   "dependencies": {"loose-envify": "^1.1.0"}},
            "node_modules/loose-envify": {"version": "1.4.0",
                                          "dependencies": {"js-tokens": "^3.0.0 || ^4.0.0"}},
            "node_modules/js-tokens": {"version": "4.0.0"},
        },
    }  # fmt: skip
    manifest = {"name": "web", "dependencies": {"react": "^18.2.0"}}
    tools = {"name": "tools", "private": True, "dependencies": {"express": "^4.19.0"}}
    graph, result = run({
        "web/package.json": json.dumps(manifest),
        "web/package-lock.json": json.dumps(lock),
        "web/tools/package.json": json.dumps(tools),
    })  # fmt: skip
    assert hits(httpserver, "/react") == 0  # locked: never looked up
    assert graph.nx.edges["pkg:npm/react", "pkg:npm/loose-envify"]["resolved_by"] == LOCKFILE
    assert uses(graph, "web", "js-tokens", "npm")["depth"] == 3
    assert usage(graph, "react", "npm")[4] == "18.2.0"
    assert usage(graph, "debug", "npm") == (False, 2, Scope.RUNTIME, REGISTRY, "2.6.9")
    assert usage(graph, "ms", "npm")[:2] == (False, 3)
    assert result.roots == 1


def test_pip_compile_output_counts_as_a_lockfile(run: Run, httpserver: HTTPServer) -> None:
    compiled = (
        "requests==2.31.0\n    # via -r requirements.in\nurllib3==2.2.3\n    # via requests\n"
    )
    graph, result = run({"a/requirements.in": "requests\n", "a/requirements.txt": compiled,
                         "a/requirements-dev.txt": "click\n"})  # fmt: skip
    assert hits(httpserver, "/pypi/requests/json") == 0
    assert result.roots == 1  # click: compiled file does not list it
    assert usage(graph, "click")[4] == "8.1.7"


def test_scope_follows_the_most_important_path(run: Run) -> None:
    manifest = {"dependencies": {"react-dom": "^18.2.0", "chokidar": "^3.5.0"},
                "devDependencies": {"react": "^18.2.0"}}  # fmt: skip
    graph, result = run({"ui/package.json": json.dumps(manifest)})
    assert usage(graph, "loose-envify", "npm")[2] is Scope.RUNTIME  # via react-dom, not react
    assert usage(graph, "fsevents", "npm")[2] is Scope.OPTIONAL  # chokidar's optional one
    # react-dom's peer dependency on react is noted, not followed
    assert graph.nx.nodes["pkg:npm/react-dom"]["peers"] == "react@^18.3.1"
    assert not graph.nx.has_edge("pkg:npm/react-dom", "pkg:npm/react")
    assert result.peers == 1


def test_peers_followed_on_request(run: Run) -> None:
    manifest = {"dependencies": {"react-dom": "^18.2.0"}}
    graph, result = run({"ui/package.json": json.dumps(manifest)}, Settings(follow_peers=True))
    assert usage(graph, "react", "npm") == (False, 2, Scope.RUNTIME, REGISTRY, "18.3.1")
    assert result.peers == 0


def test_bounds_are_reported(run: Run) -> None:
    files = {"api/requirements.txt": "requests\n"}
    graph, result = run(files, Settings(max_depth=1))
    assert result.limits == [
        "resolve-max-depth 1: 4 dependencies deeper than that were not followed"
    ]
    assert graph.packages() == ["pkg:pypi/requests"]
    _, capped = run(files, Settings(max_packages=3))
    assert capped.packages == 3
    assert capped.limits == ["resolve-max-packages 3: 2 more packages were not looked up"]


def test_unknown_packages_and_own_packages(run: Run, httpserver: HTTPServer) -> None:
    graph, result = run({
        "lib/pyproject.toml": '[project]\nname = "acme-common"\nversion = "1.0"\n',
        "svc/requirements.txt": "acme-common>=1\nacme-secret-sauce\nrequests\n",
    })  # fmt: skip
    assert hits(httpserver, "/pypi/acme-common/json") == 0  # never asked of a public index
    assert result.skipped == 1
    assert result.failed == 1
    assert result.notes == ["acme-secret-sauce: not on the registry"]
    assert usage(graph, "acme-secret-sauce")[4] is None


def test_progress_reaches_its_total(write_tree: TreeWriter, client: Client) -> None:
    collection = collect([write_tree({"a/requirements.txt": "requests\n"})], Config())
    graph = build_graph(collection)
    seen: list[tuple[int, int]] = []
    resolve(graph, collection.locks, {Ecosystem.PYPI: PypiResolver(client)},
            progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen[-1] == (5, 5)  # requests and its four dependencies
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_an_unavailable_registry_leaves_the_other(
    write_tree: TreeWriter, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/pypi/requests/json").respond_with_data("down", status=502)
    serve_registries(httpserver)
    client = make_client(httpserver, tmp_path / "c", retries=0)
    files = {"a/requirements.txt": "requests\n", "b/package.json": '{"dependencies": {"ms": "2"}}'}
    collection = collect([write_tree(files)], Config())
    graph = build_graph(collection)
    resolvers = {Ecosystem.PYPI: PypiResolver(client), Ecosystem.NPM: NpmResolver(client)}
    result = resolve(graph, collection.locks, resolvers)
    assert len(result.limits) == 1
    assert result.limits[0].startswith("pypi registry unavailable: ")
    assert usage(graph, "ms", "npm")[4] == "2.1.3"


def test_notes_are_kept_once_and_offline_misses_only_counted() -> None:
    result = Resolution(packages=3, added=2, failed=8)
    for name in ("a", "b", "c", "d", "e", "f", "a"):
        result.note(f"{name}: not on the registry")
    result.note("g: not in the cache (offline)")
    result.note("g: not in the cache (offline)")  # once per package, however often met
    assert result.first_notes(limit=2) == ["a: not on the registry", "b: not on the registry",
                                           "… and 4 more"]  # fmt: skip
    assert result.uncached == 1
    assert result.describe() == (
        "Resolved 3 packages from registry metadata where no lockfile lists them: 2 transitive "
        "packages added, 8 left without a version or their dependencies (1 not in the cache: "
        "offline)."
    )


def test_extras_declared_by_the_repository_are_followed(run: Run) -> None:
    graph, _ = run({"svc/requirements.txt": "requests[socks]\n"})
    assert "pkg:pypi/pysocks" in graph.nx
    assert graph.nx.edges["pkg:pypi/requests", "pkg:pypi/pysocks"]["resolved_by"] == REGISTRY


def test_without_the_extra_its_requirements_stay_out(run: Run) -> None:
    graph, _ = run({"web/requirements.txt": "requests\n"})
    assert "pkg:pypi/requests" in graph.nx
    assert "pkg:pypi/pysocks" not in graph.nx

"""Graph export: GraphML, GEXF and node-link JSON that networkx (and Gephi) read back."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.config import GRAPH_FORMATS, Config
from analyzer.enrich.runner import Enrichment
from analyzer.graph import DependencyGraph
from analyzer.model import Ecosystem, Scope
from analyzer.projects import rollup
from analyzer.report.graph_export import GraphFormat, export_graph, flat, render_graph
from tests.conftest import TreeWriter
from tests.helpers import dep

FLASK, JINJA, MARKUPSAFE = "pkg:pypi/flask", "pkg:pypi/jinja2", "pkg:pypi/markupsafe"
PALLETS = "https://github.com/pallets/flask"
HOSTILE = 'evil\x00\x1b[31m\udcff<x>&"]]>'


def make_graph(seed: int = 0) -> DependencyGraph:
    records = [
        dep("flask", repo="api", spec=">=3.0", line=2),
        dep("flask", repo="api", file="requirements-dev.txt", scope=Scope.DEV, version="3.0.3"),
        dep("jinja2", repo="api", direct=False, version="3.1.4", file="poetry.lock", line=None),
        dep("pytest", repo="worker", scope=Scope.TEST),
        dep("core", repo=HOSTILE, namespace="@babel", ecosystem=Ecosystem.NPM, file="package.json"),
        dep("acme-lib", repo="worker"),
    ]
    random.Random(seed).shuffle(records)
    graph = DependencyGraph(org_name="acme")
    for record in records:
        graph.add_dependency(record)
    graph.add_package_edge(FLASK, JINJA)
    graph.add_package_edge(JINJA, MARKUPSAFE)
    # What resolution records on the edges it adds; lockfile edges may carry none of it.
    resolution = {"resolved_by": "registry", "depth": 3, "spec": ">=2.0", "version": "3.0.2",
                  "extras": ["i18n"], "note": None}  # fmt: skip
    graph.nx.edges[JINJA, MARKUPSAFE].update(resolution)
    graph.mark_own(["pkg:pypi/acme-lib"])
    return graph


def projects_of(graph: DependencyGraph) -> object:
    jinja = "https://github.com/pallets/jinja"
    found = Enrichment(repository={FLASK: PALLETS, JINJA: jinja, MARKUPSAFE: f"{jinja}-fork"})
    return rollup(graph, found, Config(projects=((MARKUPSAFE, jinja),)))


def read_back(text: str, fmt: GraphFormat) -> nx.DiGraph:
    if fmt is GraphFormat.GRAPHML:
        return nx.parse_graphml(text)
    if fmt is GraphFormat.GEXF:
        return nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    data = json.loads(text)
    return nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_round_trip_through_networkx(fmt: GraphFormat) -> None:
    graph = make_graph()
    projects = projects_of(graph)
    loaded = read_back(render_graph(graph, projects, fmt, "2026-01-01T00:00:00Z"), fmt)  # type: ignore[arg-type]
    exported = export_graph(graph, projects)  # type: ignore[arg-type]
    assert set(loaded.nodes) == set(exported.nodes)
    assert set(loaded.edges) == set(exported.edges)
    assert loaded.nodes["org"]["kind"] == "org"
    assert loaded.nodes["repo:api"]["kind"] == "repo"
    flask = loaded.nodes[FLASK]
    assert (flask["kind"], flask["purl"], flask["project"], flask["own"]) == (
        "package", FLASK, PALLETS, False)  # fmt: skip
    assert loaded.nodes["pkg:pypi/acme-lib"]["own"] is True
    uses = loaded.edges["repo:api", FLASK]
    assert (uses["kind"], uses["scope"], uses["direct"], uses["spec"], uses["version"]) == (
        "uses", "runtime", True, ">=3.0", "3.0.3")  # fmt: skip
    assert uses["declared_in"] == "pyproject.toml:2; requirements-dev.txt:1"
    assert loaded.edges["repo:api", JINJA]["direct"] is False
    resolved = loaded.edges[JINJA, MARKUPSAFE]
    assert (resolved["resolved_by"], resolved["depth"], resolved["spec"], resolved["extras"]) == (
        "registry", 3, ">=2.0", "i18n")  # fmt: skip
    assert "note" not in resolved and "depth" not in loaded.edges[FLASK, JINJA]
    jinja = loaded.nodes["project:https://github.com/pallets/jinja"]
    assert (jinja["kind"], jinja["name"], jinja["packages"], jinja["found_by"]) == (
        "project", "pallets/jinja", 2, "config")  # fmt: skip
    contained = sorted(c for c in loaded.successors("project:https://github.com/pallets/jinja"))
    assert contained == [JINJA, MARKUPSAFE]


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_every_value_is_a_plain_type_and_never_none(fmt: GraphFormat) -> None:
    graph = make_graph()
    exported = export_graph(graph, projects_of(graph))  # type: ignore[arg-type]
    values = [v for _, d in exported.nodes(data=True) for v in d.values()]
    values += [v for _, _, d in exported.edges(data=True) for v in d.values()]
    assert values and all(type(v) in (str, int, float, bool) for v in values)
    assert "None" not in values
    hostile = next(n for n in exported if n.startswith("repo:evil"))
    assert "\x00" not in hostile and "\udcff" not in hostile and "<x>&" in hostile
    loaded = read_back(render_graph(graph, projects_of(graph), fmt), fmt)  # type: ignore[arg-type]
    assert hostile in loaded


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_output_does_not_depend_on_insertion_order(fmt: GraphFormat) -> None:
    texts = {render_graph(g, projects_of(g), fmt, "2026-01-01T00:00:00Z")  # type: ignore[arg-type]
             for g in (make_graph(seed) for seed in range(4))}  # fmt: skip
    assert len(texts) == 1
    if fmt is GraphFormat.GEXF:
        assert 'lastmodifieddate="2026-01-01"' in texts.pop()


def test_ids_that_clean_up_alike_stay_apart() -> None:
    graph = DependencyGraph()
    for repo in ("a\x00", "a\x01", "a\ufffd"):
        graph.add_dependency(dep("six", repo=repo))
    exported = export_graph(graph, rollup(graph, None, Config()))
    repos = sorted(n for n in exported if n.startswith("repo:"))
    assert repos == ["repo:a\ufffd", "repo:a\ufffd~2", "repo:a\ufffd~3"]


def test_flat_values() -> None:
    assert flat("depth", "3") is None and flat("depth", True) is None and flat("depth", 2) == 2
    assert flat("weight", float("nan")) is None and flat("weight", 1) == 1.0
    assert flat("scope", Scope.DEV) == "dev" and flat("own", 1) is True
    assert flat("version", {"2", "1"}) == "1; 2" and flat("x", "a" * 5000) == "a" * 2000


def test_format_choices_match_the_config_key() -> None:
    assert tuple(GraphFormat) == GRAPH_FORMATS
    assert {f.filename for f in GraphFormat} == {
        "fundscout-graph.graphml", "fundscout-graph.gexf", "fundscout-graph.json"}  # fmt: skip


def test_audit_writes_the_graph(write_tree: TreeWriter, tmp_path: Path) -> None:
    root = write_tree({"api/requirements.txt": "flask==3.0.3\n", "web/package.json":
                       '{"dependencies": {"@babel/core": "^7"}}'})  # fmt: skip
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["audit", str(root), "-o", str(out), "--graph", "GEXF", "-q"],
                           catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    loaded = nx.read_gexf(out / "fundscout-graph.gexf")
    assert {FLASK, "pkg:npm/%40babel/core", "project:pkg:pypi/flask"} <= set(loaded)
    assert not list(out.glob(".*"))  # no temporary file left behind
    bad = runner.invoke(app, ["audit", str(root), "-o", str(out), "--graph", "dot"])
    assert bad.exit_code == 2 and "dot" in bad.output


def test_graph_from_the_config_file_and_report_folder_inside_the_tree(
    write_tree: TreeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree({"api/requirements.txt": "flask==3.0.3\n",
                       "fundscout.toml": 'graph = "json"\n'})  # fmt: skip
    monkeypatch.chdir(root)
    for _ in range(2):  # the second run must not audit reports/ as a repository
        result = CliRunner().invoke(app, ["audit", ".", "-q"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        data = json.loads((root / "reports" / "fundscout-graph.json").read_text("utf-8"))
        repos = sorted(n["id"] for n in data["nodes"] if n["kind"] == "repo")
        assert repos == ["repo:api"]

"""The dependency graph's shape from the collection alone, for PageRank in a forked copy.

Runtime PageRank needs only who uses what (in which scopes) and which package depends on
which. A copy forked as soon as the manifests are read builds just that (``Shape``: the
graph's adjacency without nodes' or edges' attributes) and works out the centrality with the
function the graph uses, while this process builds the graph and walks its depths. The copy
shares none of the graph's pages: this process writes every edge's depth, and each write to
a page a copy shares would copy it (0.3-0.4 s at 1,000 repositories).

The shape has exactly the graph's nodes and edges: ``DependencyGraph.add_dependencies`` and
``add_package_edges`` make the same ones from the same records (a use per repository and
package with every declaration, no package depending on itself); tests/test_graph_shape.py
holds it to that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from analyzer.graph import repo_node
from analyzer.model import Dependency, Repository
from analyzer.score.pagerank import pagerank
from analyzer.score.reliance import runtime_edges, scaled


class Shape:
    """Node -> child -> ``{"declarations": [...]}`` (a use) or ``{}`` (a dependency)."""

    def __init__(
        self,
        repositories: Iterable[Repository],
        dependencies: Iterable[Dependency],
        edges: Iterable[tuple[str, str]],
    ) -> None:
        succ: dict[str, dict[str, dict[str, Any]]] = {}
        self.repos = [repo_node(r.name) for r in repositories]
        for node in self.repos:
            succ.setdefault(node, {})
        repo_name: str | None = None
        uses: dict[str, dict[str, Any]] = {}
        purls: dict[tuple[str, str | None, str], str] = {}
        for dep in dependencies:
            if dep.repo != repo_name:
                repo_name, node = dep.repo, repo_node(dep.repo)
                if node not in succ:
                    self.repos.append(node)
                    succ[node] = {}
                uses = succ[node]
            key = (dep.name, dep.namespace, dep.ecosystem)
            purl = purls.get(key)
            if purl is None:
                purl = purls[key] = dep.purl
                succ.setdefault(purl, {})
            data = uses.get(purl)
            if data is None:
                uses[purl] = {"declarations": [dep]}
            else:
                data["declarations"].append(dep)
        for parent, child in edges:
            children = succ.setdefault(parent, {})
            succ.setdefault(child, {})
            if parent != child and child not in children:
                children[child] = {}
        self.succ = succ

    def centrality(self) -> dict[str, float]:
        """``reliance.centrality`` of the graph with this shape."""
        return scaled(pagerank(*runtime_edges(self.succ, self.repos)))


def centrality_of(
    repositories: Iterable[Repository],
    dependencies: Iterable[Dependency],
    edges: Iterable[tuple[str, str]],
) -> dict[str, float]:
    """The centrality of the graph ``build_graph`` makes of these records."""
    return Shape(repositories, dependencies, edges).centrality()

"""Graph export: the dependency graph as GraphML, GEXF or node-link JSON (Gephi, networkx).

Nodes carry ``kind`` (org, repo, package, project), ``label``, ``name`` and, for packages,
``purl``, ``ecosystem``, ``project`` and ``own``; project nodes (``project:<key>``) link to their
packages with ``contains`` edges. Edges carry ``kind`` and, where known, ``scope``, ``direct``,
``depth``, ``resolved_by``, ``spec``, ``version`` and ``declared_in``, plus a ``weight`` (the
scope's weight) so a dev-only edge never looks as heavy as a runtime one in a layout.

Both XML formats accept only strings, numbers and booleans, each attribute with one type, and
no control characters: every value is flattened to that here. Nothing is written by rendering.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

import networkx as nx

from analyzer.graph import DependencyGraph
from analyzer.model import Dependency, Scope
from analyzer.projects import Projects
from analyzer.report import write_atomic

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult

MAX_TEXT = 2000
MAX_DECLARATIONS = 20
INTEGERS = frozenset({"depth", "packages", "line"})
BOOLEANS = frozenset({"direct", "own"})
FLOATS = frozenset({"weight"})
# XML 1.0 allows tabs, newlines and most of Unicode, but not other control characters or lone
# surrogates (which file names read with surrogateescape may hold).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_GEXF_DATE = re.compile(r'lastmodifieddate="[^"]*"')


class GraphFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"  # networkx node-link data

    @property
    def filename(self) -> str:
        return f"fundscout-graph.{self.value}"


def text(value: object) -> str:
    """A string any XML writer accepts, at most MAX_TEXT characters."""
    return _NOT_XML.sub("\ufffd", str(value))[:MAX_TEXT]


def flat(name: str, value: Any) -> str | int | float | bool | None:
    """One attribute value in the type its name always has, or None to leave it out."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if name in BOOLEANS:
        return bool(value)
    if name in INTEGERS:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if name in FLOATS:
        number = float(value) if isinstance(value, int | float) else math.nan
        return number if math.isfinite(number) else None
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return text("; ".join(str(getattr(v, "value", v)) for v in items))
    return text(value)


def attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flat, format-legal attributes; unknown (None) values are left out, never "None"."""
    flattened = {text(k): flat(k, v) for k, v in values.items() if k != "declarations"}
    return {k: v for k, v in flattened.items() if v is not None}


def _declared(declarations: Iterable[Dependency]) -> dict[str, Any]:
    """What a repository's declarations of one package say, summed up for one edge, in an
    order that does not depend on which file was read first."""
    found = sorted(declarations, key=lambda d: (d.file, d.line or 0, d.spec or "", d.version or ""))
    best = max((d.scope for d in found), key=lambda s: s.weight, default=Scope.RUNTIME)
    places = [f"{d.file}:{d.line}" if d.line else d.file for d in found[:MAX_DECLARATIONS]]
    if len(found) > MAX_DECLARATIONS:
        places.append(f"and {len(found) - MAX_DECLARATIONS} more")
    return {
        "scope": best.value,
        "direct": any(d.direct for d in found),
        "spec": list(dict.fromkeys(d.spec for d in found if d.spec)) or None,
        "version": list(dict.fromkeys(d.version for d in found if d.version)) or None,
        "declared_in": places,
        "weight": best.weight,
    }


class _Ids:
    """Node ids made XML-legal; two ids that clean up alike are told apart, never merged."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.taken: set[str] = set()

    def __call__(self, node: str) -> str:
        if node in self.ids:
            return self.ids[node]
        clean = candidate = text(node)
        count = 1
        while candidate in self.taken:
            count += 1
            candidate = f"{clean}~{count}"
        self.ids[node] = candidate
        self.taken.add(candidate)
        return candidate


def export_graph(graph: DependencyGraph, projects: Projects) -> nx.DiGraph:
    """A copy of ``graph`` with project nodes and flat attributes, in a stable order."""
    source, out, ids = graph.nx, nx.DiGraph(), _Ids()
    for node in sorted(source.nodes, key=lambda n: (n != "org", str(n))):
        data = dict(source.nodes[node])
        if data.get("kind") == "package":
            project = projects.project_of(node)
            data.update(purl=node, project=project and project.key,
                        own=project.own if project else node in graph.own_packages)  # fmt: skip
        data["label"] = data.get("name", node)
        out.add_node(ids(node), **attributes(data))
    for project in projects:
        values = project.to_record() | {"kind": "project", "label": project.name,
                                        "packages": len(project.packages)}  # fmt: skip
        out.add_node(ids(f"project:{project.key}"), **attributes(values))
    for parent, child in sorted(source.edges, key=lambda edge: (str(edge[0]), str(edge[1]))):
        data = dict(source.edges[parent, child])
        if data.get("kind") == "uses":
            # The declarations speak for every file; the edge's own spec/version for one.
            summary = _declared(data.get("declarations", ()))
            data |= {key: value for key, value in summary.items() if value is not None}
        data.setdefault("weight", 1.0)
        out.add_edge(ids(parent), ids(child), **attributes(data))
    for project in projects:
        for purl in project.packages:
            out.add_edge(ids(f"project:{project.key}"), ids(purl), kind="contains", weight=1.0)
    return out


def render_graph(
    graph: DependencyGraph, projects: Projects, fmt: GraphFormat, generated_at: str = ""
) -> str:
    exported = export_graph(graph, projects)
    if fmt is GraphFormat.GRAPHML:
        return "\n".join(nx.generate_graphml(exported)) + "\n"
    if fmt is GraphFormat.GEXF:
        document = "\n".join(nx.generate_gexf(exported)) + "\n"
        # networkx stamps today's date; the audit's own time keeps the file reproducible.
        stamp = f'lastmodifieddate="{generated_at[:10]}"' if generated_at else None
        return _GEXF_DATE.sub(stamp, document, count=1) if stamp else document
    if fmt is GraphFormat.JSON:
        data = nx.node_link_data(exported, edges="edges")
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    assert_never(fmt)


def render(result: AuditResult, fmt: GraphFormat) -> str:
    return render_graph(result.graph, result.projects, fmt, result.generated_at)


def write_graph(result: AuditResult, out: Path, fmt: GraphFormat) -> Path:
    """Write ``fundscout-graph.<ext>`` into ``out`` atomically; returns its path."""
    path = out / fmt.filename
    write_atomic(path, render(result, fmt))
    return path

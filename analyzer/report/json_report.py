"""The machine-readable report: the whole result with a ``schema_version``.

Schema 2 (documented in docs/report-format.md): every ranked project carries its factors with
their inputs, its eligibility, funding channels, signals with their sources, and how each
repository uses it (scope, depth, files and the path through the graph), so that
``fundscout explain`` and the other formats can be built from this document alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import orjson

from analyzer.forked import Forked
from analyzer.gc_pause import paused_gc
from analyzer.model import Scope, package_purl
from analyzer.report.view import Document
from analyzer.score.criticality import FactorRecords
from analyzer.score.paths import PathIndex, ProjectPaths

if TYPE_CHECKING:
    from analyzer.graph import DependencyGraph
    from analyzer.pipeline import AuditResult
    from analyzer.score.priority import ProjectScore

SCHEMA_VERSION = "2"
SCOPES = {scope: scope.value for scope in Scope}  # plain strings, without Enum.value's cost
# Anything orjson does not write natively (dataclasses, dates…) is refused, as json refuses it.
OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATACLASS
           | orjson.OPT_PASSTHROUGH_DATETIME)  # fmt: skip
# From this many uses on (280,000 at 1,000 repositories, about 1.3 s), their paths are worth
# a forked copy's start.
FORK_USES = 50_000
_PACKAGE = attrgetter("ecosystem", "name", "namespace")  # package_purl's arguments
_DIRECT = attrgetter("direct")


def summary(result: AuditResult) -> dict[str, Any]:
    """Headline counts, shared by every format."""
    collection = result.collection
    # a purl costs a call each time: each package's is made once, from its name
    records = collection.dependencies
    packages = {package_purl(*key) for key in set(map(_PACKAGE, records))}
    direct = {package_purl(*key) for key in set(map(_PACKAGE, filter(_DIRECT, records)))}
    statuses = Counter(p.eligibility.status for p in result.ranking.projects)
    return {
        "repositories": len(collection.repositories),
        "manifests": len(collection.manifests),
        "dependencies": len(collection.dependencies),
        "packages": len(packages),
        "direct_packages": len(direct),
        "transitive_packages": len(packages - direct),
        "projects": len(result.ranking.projects),
        "eligible": statuses["eligible"],
        "flagged": statuses["flagged"],
        "excluded": len(result.ranking.excluded),
        "problems": len(collection.problems),
        **resolution_summary(result, packages, direct),
    }


def resolution_summary(result: AuditResult, listed: set[str], direct: set[str]) -> dict[str, Any]:
    """What resolution added (only when it ran): packages no file lists count as transitive."""
    resolution = result.resolution
    if resolution is None:
        return {}
    graph = result.graph
    found = {p for p in graph.packages() if p not in listed and any(graph.usages(p))}
    return {
        "packages": len(listed | found),
        "transitive_packages": len(listed - direct) + len(found),
        "resolved_packages": resolution.packages,
        "resolution_failures": resolution.failed,
        "resolution_limits": "; ".join(resolution.limits) or None,
        "resolution_notes": "; ".join(resolution.notes[:10]) or None,
    }


def used_by(project: ProjectScore) -> list[dict[str, Any]]:
    """Each repository's use, with the files that declare it; its ``path`` through the graph
    is None until ``use_paths`` finds it."""
    return [
        {
            "repository": use.repo,
            "scope": SCOPES[use.scope],
            "direct": use.direct,
            "depth": use.depth,
            "weight": round(use.weight, 4),
            "packages": list(use.packages),
            "files": list(use.files),
            "path": None,
        }
        for use in project.uses
    ]


def use_paths(graph: DependencyGraph, projects: Sequence[ProjectScore]) -> list[list[list[str]]]:
    """For each project, the path through the graph of each of its uses, in their order."""
    index = PathIndex(graph)  # one search per repository, shared by every project
    found = []
    for project in projects:
        targets = index.targets(project.project.packages)
        found.append([index.path(use.repo, targets) for use in project.uses])
    return found


def fill_paths(
    records: list[dict[str, Any]],
    ranked: Sequence[ProjectScore],
    found: ProjectPaths,
    graph: DependencyGraph,
) -> None:
    """Set each use's path from ``found`` (``project_paths``), or find it here if missing."""
    index: PathIndex | None = None
    for record, project in zip(records, ranked, strict=True):
        paths = found.get(project.project.key, {})
        for entry in record["used_by"]:
            path = paths.get(entry["repository"])
            if path is None:  # not expected: every use's repository uses one of its packages
                index = index or PathIndex(graph)
                path = index.path(entry["repository"], index.targets(project.project.packages))
            entry["path"] = path


def many_uses(projects: Sequence[ProjectScore]) -> bool:
    """Whether the used-by paths and the JSON report are worth a forked copy's start."""
    return sum(len(p.uses) for p in projects) >= FORK_USES


def project_record(
    p: ProjectScore, uses: list[dict[str, Any]], factors: FactorRecords | None = None
) -> dict[str, Any]:
    """One ranked project; ``factors`` shares the records of factors projects share."""
    factor = factors or FactorRecords()
    return {
        "rank": p.rank,
        "key": p.key,
        "name": p.name,
        "repository": p.project.repository,
        "ecosystems": list(p.ecosystems),
        "packages": list(p.project.packages),
        "priority": p.priority,
        "confidence": p.confidence,
        "factors": {
            "reliance": factor(p.reliance),
            "criticality": factor(p.criticality),
            "need": factor(p.need),
        },
        "reasons": list(p.reasons),
        "missing": list(p.missing),
        "eligibility": p.eligibility.to_record(),
        "funding": [link.to_record() for link in p.funding],
        "maintainers": list(p.maintainers),
        "used_by": uses,
        "scopes": p.scopes,
        "signals": {
            s.name: {"value": s.value, "source": s.source, "fetched_at": s.fetched_at}
            for s in p.signals
        },
    }


def model(result: AuditResult) -> dict[str, Any]:
    """The settings the ranking used, so a reader can recompute any number."""
    settings = result.ranking.settings
    if settings is None:
        return {}
    record = asdict(settings)
    record["scope_weights"] = dict(settings.scope_weights)
    record["need"] = dict(settings.need)
    record["criticality"] = {
        name: {"weight": weight, "threshold": threshold}
        for name, weight, threshold in settings.criticality
    }
    return record


def sources(result: AuditResult) -> list[dict[str, Any]]:
    if result.enrichment is None:
        return []
    return [status.to_record() for status in result.enrichment.sources.values()]


@paused_gc(lasting=True)
def to_data(result: AuditResult) -> dict[str, Any]:
    """The document, a ``Document``: the formats that read it read it once."""
    collection = result.collection
    manifests = Counter(m.repo for m in collection.manifests)
    dependencies = Counter(d.repo for d in collection.dependencies)
    ranked = result.ranking.projects
    factors = FactorRecords()
    if result.paths is not None:  # found by a copy the audit forked while it ranked
        try:
            projects = [project_record(p, used_by(p), factors) for p in ranked]
            fill_paths(projects, ranked, result.paths.result(), result.graph)
        finally:
            result.paths.stop()  # interrupted: the copy is stopped (else it has ended)
    else:
        # Paths read the finished graph only: with many uses a forked copy finds them while
        # the records are built here (analyzer.forked).
        fork = None if many_uses(ranked) else False
        with Forked(partial(use_paths, result.graph, ranked), fork=fork) as found:
            projects = [project_record(p, used_by(p), factors) for p in ranked]
            for record, paths in zip(projects, found.result(), strict=True):
                for entry, path in zip(record["used_by"], paths, strict=True):
                    entry["path"] = path
    return Document({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "fundscout", "version": result.version},
        "generated_at": result.generated_at,
        "roots": collection.roots,
        "summary": summary(result),
        "model": model(result),
        "repositories": [
            {
                "name": repo.name,
                "path": repo.path,
                "manifests": manifests[repo.name],
                "dependencies": dependencies[repo.name],
            }
            for repo in collection.repositories
        ],
        "projects": projects,
        "excluded": [e.to_record() for e in result.ranking.excluded],
        "allocation": result.allocation.to_record() if result.allocation else None,
        "sources": sources(result),
        "problems": [p.to_record() for p in collection.problems],
    })  # fmt: skip


def encode_document(data: Mapping[str, Any]) -> bytes:
    """The document as UTF-8 JSON, indented by two spaces, ending in a newline.

    orjson writes what ``json.dumps(data, indent=2, ensure_ascii=False)`` writes, many times
    faster, but in two cases, where it is right: NaN and infinities become ``null`` (they are
    not JSON; every reader of a report takes them as unknown) and a float under 1e-4 may take
    another exponent form (``0.00001`` for ``1e-05``). What orjson refuses (integers beyond
    64 bits, keys that are not strings, lone surrogates, deep nesting) the standard library
    writes, as before.
    """
    try:
        return orjson.dumps(data, option=OPTIONS)
    except orjson.JSONEncodeError:
        return plain_json(data).encode("utf-8")


def render_document(data: Mapping[str, Any]) -> str:
    """``encode_document`` as text."""
    try:
        return orjson.dumps(data, option=OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return plain_json(data)


def plain_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(result: AuditResult) -> str:
    return render_document(to_data(result))

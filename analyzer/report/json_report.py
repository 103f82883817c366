"""The machine-readable report: the whole result with a ``schema_version``."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult

SCHEMA_VERSION = "1"


def summary(result: AuditResult) -> dict[str, Any]:
    """Headline counts, shared by every format."""
    collection = result.collection
    direct = {d.purl for d in collection.dependencies if d.direct}
    packages = {d.purl for d in collection.dependencies}
    return {
        "repositories": len(collection.repositories),
        "manifests": len(collection.manifests),
        "dependencies": len(collection.dependencies),
        "packages": len(packages),
        "direct_packages": len(direct),
        "transitive_packages": len(packages - direct),
        "projects": len(result.ranking.projects),
        "excluded": len(result.ranking.excluded),
        "problems": len(collection.problems),
    }


def evidence(result: AuditResult, purls: tuple[str, ...]) -> dict[str, Any]:
    """What enrichment learned about a project's packages and their repository."""
    enrichment = result.enrichment
    if enrichment is None:
        return {}
    signals: dict[str, Any] = {}
    funding: dict[tuple[str, str], dict[str, Any]] = {}
    repository = next((enrichment.repository[p] for p in purls if p in enrichment.repository), None)
    for key in (*purls, *([repository] if repository else [])):
        for signal in enrichment.signals.get(key, ()):
            record = signal.to_record()
            del record["name"]
            signals.setdefault(signal.name, record)
        for link in enrichment.funding.get(key, ()):
            funding.setdefault(link.payee, link.to_record())
    return {"repository": repository, "signals": signals, "funding": list(funding.values())}


def sources(result: AuditResult) -> list[dict[str, Any]]:
    if result.enrichment is None:
        return []
    return [status.to_record() for status in result.enrichment.sources.values()]


def to_data(result: AuditResult) -> dict[str, Any]:
    collection = result.collection
    manifests = Counter(m.repo for m in collection.manifests)
    dependencies = Counter(d.repo for d in collection.dependencies)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "fundscout", "version": result.version},
        "generated_at": result.generated_at,
        "roots": collection.roots,
        "summary": summary(result),
        "repositories": [
            {
                "name": repo.name,
                "path": repo.path,
                "manifests": manifests[repo.name],
                "dependencies": dependencies[repo.name],
            }
            for repo in collection.repositories
        ],
        "projects": [
            {
                "rank": p.rank,
                "name": p.name,
                "ecosystem": p.ecosystem,
                "packages": list(p.packages),
                "priority": p.priority,
                "factors": {"reliance": p.reliance},
                "used_by": list(p.repositories),
                "scopes": dict(sorted(p.scopes.items())),
                "direct_in": p.direct_in,
                "reasons": list(p.reasons),
                **evidence(result, p.packages),
            }
            for p in result.ranking.projects
        ],
        "excluded": [
            {"name": e.name, "packages": list(e.packages), "reason": e.reason}
            for e in result.ranking.excluded
        ],
        "sources": sources(result),
        "problems": [p.to_record() for p in collection.problems],
    }


def render(result: AuditResult) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False) + "\n"

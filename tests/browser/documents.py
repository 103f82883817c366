"""Report documents for the HTML, CSV and browser tests, written by hand in the shape
``json_report.to_data`` produces (schema version 2), with a hostile variant."""

from __future__ import annotations

import copy
from typing import Any

FETCHED = "2026-01-01T00:00:00Z"
PAYLOAD = "<script>window.__pwned = 1; alert(1)</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'


def signal(value: Any, source: str = "pypi") -> dict[str, Any]:
    return {"value": value, "source": source, "fetched_at": FETCHED}


def factor(value: float | None, **inputs: Any) -> dict[str, Any]:
    return {
        "value": value,
        "inputs": {
            name: {"value": v, "score": 0.5, "weight": 1.0, "source": "pypi"}
            for name, v in inputs.items()
        },
        "missing": [],
    }


def usage(repo: str, scope: str = "runtime", direct: bool = True) -> dict[str, Any]:
    return {
        "repository": repo,
        "scope": scope,
        "direct": direct,
        "depth": 1,
        "weight": 1.0,
        "packages": [],
        "files": [f"{repo}/requirements.txt:3"],
        "path": [repo],
    }


def project(
    rank: int,
    name: str,
    ecosystem: str,
    priority: float,
    *,
    reliance: float,
    criticality: float | None,
    need: float | None,
    repos: list[str],
    funding: list[dict[str, Any]] | None = None,
    status: str = "eligible",
    scope: str = "runtime",
) -> dict[str, Any]:
    key = f"https://github.com/{name}/{name}"
    return {
        "rank": rank,
        "key": key,
        "name": name,
        "repository": key,
        "ecosystems": [ecosystem],
        "packages": [f"pkg:{ecosystem}/{name}"],
        "priority": priority,
        "confidence": 0.75,
        "factors": {
            "reliance": factor(reliance, usage=len(repos)),
            "criticality": factor(criticality, dependents=1200),
            "need": factor(need, maintainers=1),
        },
        "reasons": [f"used by {len(repos)} of 4 repositories at runtime", "1 maintainer"],
        "missing": ["downloads"],
        "eligibility": {
            "status": status,
            "flags": ["reach-out"] if status == "flagged" else [],
            "reasons": ["no funding channel found"] if status == "flagged" else [],
        },
        "funding": funding or [],
        "maintainers": ["alice"],
        "used_by": [usage(repo, scope) for repo in repos],
        "scopes": {scope: len(repos)},
        "signals": {
            "maintainer_count": signal(1),
            "last_release": signal("2025-03-01"),
            "critical": signal(criticality is not None and criticality >= 0.5, "ecosystems"),
        },
    }


def sponsors(account: str) -> dict[str, Any]:
    return {
        "platform": "github",
        "account": account,
        "url": f"https://github.com/sponsors/{account}",
        "source": "pypi",
    }


def v2_document(budget: bool = True) -> dict[str, Any]:
    """Six projects in two ecosystems, four repositories, a budget split over three."""
    projects = [
        project(
            1,
            "requests",
            "pypi",
            61.2,
            reliance=0.9,
            criticality=0.8,
            need=0.7,
            repos=["api", "web", "jobs"],
            funding=[sponsors("psf")],
        ),
        project(
            2,
            "left-pad",
            "npm",
            48.0,
            reliance=0.5,
            criticality=0.6,
            need=0.9,
            repos=["web"],
            status="flagged",
        ),
        project(
            3,
            "attrs",
            "pypi",
            33.3,
            reliance=0.6,
            criticality=0.2,
            need=0.4,
            repos=["api", "jobs"],
            funding=[sponsors("hynek")],
        ),
        project(
            4,
            "zod",
            "npm",
            20.5,
            reliance=0.3,
            criticality=None,
            need=None,
            repos=["web"],
            funding=[
                {
                    "platform": "open_collective",
                    "account": "zod",
                    "url": "https://opencollective.com/zod",
                    "source": "npm",
                }
            ],
        ),
        project(
            5,
            "pytest",
            "pypi",
            9.8,
            reliance=0.2,
            criticality=0.7,
            need=0.1,
            repos=["api", "web", "jobs", "docs"],
            status="excluded",
            scope="test",
        ),
        project(
            6,
            "mkdocs",
            "pypi",
            4.1,
            reliance=0.1,
            criticality=0.1,
            need=0.2,
            repos=["docs"],
            scope="dev",
        ),
    ]
    grants = [
        {
            "rank": 1,
            "project": projects[0]["key"],
            "name": "requests",
            "amount": 6000.0,
            "minimum": 50.0,
            "payee": sponsors("psf"),
        },
        {
            "rank": 3,
            "project": projects[2]["key"],
            "name": "attrs",
            "amount": 2500.5,
            "minimum": 50.0,
            "payee": sponsors("hynek"),
        },
        {
            "rank": 2,
            "project": projects[1]["key"],
            "name": "left-pad",
            "amount": 1499.5,
            "minimum": 50.0,
            "payee": None,
        },
    ]
    return {
        "schema_version": "2",
        "tool": {"name": "fundscout", "version": "0.1.0"},
        "generated_at": FETCHED,
        "roots": ["examples/tiny"],
        "summary": {
            "repositories": 4,
            "manifests": 5,
            "dependencies": 14,
            "packages": 9,
            "projects": 6,
            "excluded": 1,
            "problems": 1,
        },
        "model": {"criticality_weight": 0.5},
        "repositories": [
            {"name": n, "path": n, "manifests": 1, "dependencies": 3}
            for n in ("api", "web", "jobs", "docs")
        ],
        "projects": projects,
        "excluded": [
            {
                "key": "pkg:pypi/tiny-common",
                "name": "tiny-common",
                "repository": None,
                "packages": ["pkg:pypi/tiny-common"],
                "reason": "published by the organization itself",
            }
        ],
        "allocation": {
            "budget": 10000.0,
            "currency": "EUR",
            "strategy": "proportional",
            "grants": grants,
        }
        if budget
        else None,
        "sources": [
            {
                "name": "pypi",
                "state": "ok",
                "reason": None,
                "requests": 4,
                "from_cache": 0,
                "unknown": 0,
            },
            {
                "name": "npm",
                "state": "partial",
                "reason": "one document was not JSON",
                "requests": 2,
                "from_cache": 0,
                "unknown": 1,
            },
        ],
        "problems": [
            {"file": "web/package.json", "line": 4, "message": "invalid JSON", "repo": "web"}
        ],
    }


def hostile_document() -> dict[str, Any]:
    """Every text a registry controls carries markup, script or a formula."""
    data = copy.deepcopy(v2_document())
    first = data["projects"][0]
    first["name"] = f"{PAYLOAD}{IMG}"
    first["reasons"] = [f"</script><script>window.__pwned = 3</script>{IMG}", "=1+2"]
    first["maintainers"] = ['"><svg onload="window.__pwned = 4">', "@SUM(A1)"]
    first["funding"] = [
        {
            "platform": "custom",
            "account": None,
            "url": "javascript:window.__pwned = 5",
            "source": "npm",
        },
        {
            "platform": "custom",
            "account": None,
            "url": "data:text/html,<script>x</script>",
            "source": "npm",
        },
        {
            "platform": "custom",
            "account": None,
            "url": 'https://example.org/" onmouseover="x',
            "source": "npm",
        },
    ]
    first["repository"] = "javascript:window.__pwned = 6"
    first["signals"]["license"] = signal("<!-- \u2028 --> </script> <b>MIT</b>")
    first["used_by"][0]["repository"] = f"-2+3 {PAYLOAD}"
    data["roots"] = [f"<title>{PAYLOAD}"]
    data["problems"][0]["message"] = IMG
    data["excluded"][0]["reason"] = PAYLOAD
    data["sources"][1]["reason"] = PAYLOAD
    return data

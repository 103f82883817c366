"""Fake OSV: ``POST /v1/querybatch`` and ``GET /v1/vulns/<id>``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from packaging.utils import canonicalize_name

from benchmarks.fake.common import NOT_FOUND, Api, Reply, iso_stamp
from benchmarks.fake.world import Advisory


class OsvApi(Api):
    """Vulnerability ids per package version, and the records behind them."""

    def osv_record(self, adv: Advisory) -> dict[str, Any]:
        package = self.world.packages[adv.package]
        system = "PyPI" if package.ecosystem == "pypi" else "npm"
        events: list[dict[str, str]] = [
            {"introduced": package.releases[adv.introduced].version if adv.introduced else "0"}
        ]
        if adv.fixed is not None:
            events.append({"fixed": package.releases[adv.fixed].version})
        end = adv.fixed if adv.fixed is not None else len(package.releases)
        affected: dict[str, Any] = {
            "package": {
                "ecosystem": system,
                "name": package.name,
                "purl": f"pkg:{package.ecosystem}/{quote(package.name, safe='/')}",
            },
            "ranges": [{"type": "ECOSYSTEM" if system == "PyPI" else "SEMVER", "events": events}],
            "database_specific": {
                "source": f"https://github.com/github/advisory-database/blob/main/advisories/{adv.id}.json"
            },
        }
        if system == "PyPI":
            affected["versions"] = [r.version for r in package.releases[adv.introduced : end]]
        return {
            "schema_version": "1.6.0",
            "id": adv.id,
            "modified": iso_stamp(adv.published + timedelta(days=30), micro=True),
            "published": iso_stamp(adv.published),
            "aliases": list(adv.aliases),
            "summary": adv.summary,
            "details": f"{adv.summary}. " * 12,
            "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}
            ],
            "affected": [affected],
            "references": [
                {"type": "ADVISORY", "url": f"https://nvd.nist.gov/vuln/detail/{adv.aliases[0]}"},
                {"type": "PACKAGE", "url": f"https://github.com/{package.repo or 'example/x'}"},
            ],
            "database_specific": {
                "cwe_ids": ["CWE-79"],
                "github_reviewed": True,
                "github_reviewed_at": iso_stamp(adv.published),
                "nvd_published_at": None,
                "severity": adv.severity,
            },
        }

    def route(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[str, Reply]:
        path = urlsplit(target).path
        if method == "POST" and path == "/v1/querybatch":
            results = []
            queries = json.loads(body)["queries"]
            if len(queries) > 1000:
                return "osv:querybatch", Reply(400, b'{"code":3,"message":"Too many queries."}')
            for query in queries:
                system, name = query["package"]["ecosystem"], query["package"]["name"]
                ecosystem = {"PyPI": "pypi", "npm": "npm"}.get(system, "")
                name = str(canonicalize_name(name)) if ecosystem == "pypi" else name
                package = self.world.by_key.get((ecosystem, name))
                found = self.world.affecting(package, query["version"]) if package else []
                vulns = [
                    {
                        "id": a.id,
                        "modified": iso_stamp(a.published + timedelta(days=30), micro=True),
                    }
                    for a in found
                ]
                results.append({"vulns": vulns} if vulns else {})
            return "osv:querybatch", Reply.json(200, {"results": results}, pack=True)
        if path.startswith("/v1/vulns/"):
            adv = self.world.by_alias.get(unquote(path.removeprefix("/v1/vulns/")))
            if adv is None:
                return "osv:vuln", Reply(404, b'{"code":5,"message":"Bug not found."}')
            return "osv:vuln", self.memo.get(f"osv/{adv.id}", lambda: self.osv_record(adv))
        return "osv:querybatch", NOT_FOUND

"""deps.dev (Open Source Insights) answers read into signals, whatever their shape.

GetPackage (release times, default version, versions in use), GetVersion and GetVersionBatch
(repository, project key, license, advisories), GetProject (stars, forks, open issues, OpenSSF
Scorecard) and ``:dependents`` (counts of the default version). proto3 JSON omits zero counts
and empty lists: an absent dependents count or advisory list means none.

Signals: repository, latest_version (default version), first_release, last_release,
release_count, releases_last_year, yanked_in_use (deprecated versions in use), deprecated
(reason, or true), license (SPDX expressions, ", "-joined), advisories (ids affecting the
versions in use, else the default version), stars, forks, open_issues, scorecard (see
:func:`project_signals`), dependents and direct_dependents (of the default version).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from analyzer.enrich.interface import BadResponseError as Bad
from analyzer.enrich.interface import Finding, Signal, Subject
from analyzer.enrich.releases import release_signals
from analyzer.enrich.repourl import normalize_repo_url

NAME = "depsdev"
SYSTEMS = {"golang": "GO", "gem": "RUBYGEMS", "npm": "NPM", "cargo": "CARGO",
           "maven": "MAVEN", "pypi": "PYPI", "nuget": "NUGET"}  # fmt: skip
PROJECT_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
EXPIRE, MAX_VERSIONS, MAX_PAGES = 24 * 3600, 10, 20  # MAX_VERSIONS: versions in use read
BATCH = 500  # GetVersionBatch takes up to 5000; smaller pages stay far below the size cap
Key = tuple[str, str, str]  # system, name, version


@dataclass
class Plan:
    """What GetPackage said about one package, and which versions to read."""

    item: Subject
    times: dict[str, tuple[datetime, bool]] = field(default_factory=dict)
    default: str | None = None
    deprecated: Any = None
    used: list[str] = field(default_factory=list)

    def lookups(self) -> list[Key]:  # the last one is the version described
        chosen = dict.fromkeys([*self.used, *([self.default] if self.default else [])])
        return [(SYSTEMS[self.item.ecosystem], self.item.name, v) for v in chosen]


def _text(holder: Any, *path: str, limit: int = 500) -> str | None:
    for step in path:
        holder = holder.get(step) if isinstance(holder, dict) else None
    return holder if isinstance(holder, str) and 0 < len(holder) <= limit else None


def _list(holder: Any, key: str, limit: int) -> list[Any]:
    value = holder.get(key) if isinstance(holder, dict) else None
    return value[:limit] if isinstance(value, list) else []


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _time(value: str | None) -> datetime | None:
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def read_package(item: Subject, document: Any) -> Plan | None:
    """Release times, default version and versions to look up, from a GetPackage answer."""
    if not isinstance(document, dict) or not isinstance(document.get("versions"), list):
        return None
    result = Plan(item)
    for entry in _list(document, "versions", 50_000):
        if (number := _text(entry, "versionKey", "version")) is None:
            continue
        gone = entry.get("isDeprecated") is True
        if when := _time(_text(entry, "publishedAt")):
            result.times[number] = (when, gone)
        if entry.get("isDefault") is True:
            result.default = number
            result.deprecated = (_text(entry, "deprecatedReason") or True) if gone else None
        if number in item.versions and len(result.used) < MAX_VERSIONS:
            result.used.append(number)
    return result


def version_facts(document: Any) -> dict[str, Any]:
    """repository, project key, license and advisories of a GetVersion answer."""
    if not isinstance(document, dict):
        return {}
    facts: dict[str, Any] = {}
    source = [e for e in _list(document, "links", 100) + _list(document, "relatedProjects", 100)
              if "SOURCE_REPO" in (_text(e, "label"), _text(e, "relationType"))]  # fmt: skip
    keys = [k for e in source if (k := _text(e, "projectKey", "id"))]
    urls = [u for e in source if (u := _text(e, "url"))] + [f"https://{k}" for k in keys]
    if repository := next(filter(None, map(normalize_repo_url, urls)), None):
        facts["repository"] = repository
    key = keys[0] if keys else (repository or "").removeprefix("https://")
    facts["project"] = key if key.split("/")[0] in PROJECT_HOSTS else None
    if names := [n for n in _list(document, "licenses", 20) if isinstance(n, str) and n]:
        facts["license"] = ", ".join(names)[:500]
    if isinstance(document.get("advisoryKeys", []), list):  # proto3 JSON omits an empty list
        ids = {_text(a, "id") for a in _list(document, "advisoryKeys", 1000)}
        facts["advisories"] = sorted(i for i in ids if i)
    return facts


def project_signals(document: Any) -> dict[str, Any]:
    """stars, forks, open_issues and scorecard (``{"score": 0-10, "date": "YYYY-MM-DD",
    "checks": {name: 0-10}}``, without checks that did not run) of a GetProject answer."""
    if not isinstance(document, dict):
        return {}
    names = {"starsCount": "stars", "forksCount": "forks", "openIssuesCount": "open_issues"}
    signals: dict[str, Any] = {name: n for key, name in names.items()
                               if (n := _count(document.get(key))) is not None}  # fmt: skip
    card = document.get("scorecard")
    score = card.get("overallScore") if isinstance(card, dict) else None
    if isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 10:
        checks = {_text(c, "name"): _count(c.get("score")) for c in _list(card, "checks", 50)
                  if isinstance(c, dict)}  # fmt: skip
        date = _time(_text(card, "date"))
        kept = {k: v for k, v in checks.items() if k and v is not None and v <= 10}
        signals["scorecard"] = {"score": round(float(score), 2), "checks": kept,
                                "date": date.date().isoformat() if date else None}  # fmt: skip
    return signals


def read(plan: Plan, versions: Mapping[Key, Any], project: Any, dependents: Any,
         fetched_at: str) -> Finding:  # fmt: skip
    """One package's Finding from its answers, of any shape (proto3 JSON omits zero counts)."""
    facts = {key: version_facts(versions.get(key)) for key in plan.lookups()}
    return read_facts(plan, facts, project, dependents, fetched_at)


def read_facts(plan: Plan, known: Mapping[Key, dict[str, Any]], project: Any, dependents: Any,
               fetched_at: str) -> Finding:  # fmt: skip
    """:func:`read`, with :func:`version_facts` of each version already taken (by key)."""
    facts = {key[2]: known.get(key, {}) for key in plan.lookups()}
    main = facts[plan.lookups()[-1][2]] if facts else {}
    signals: dict[str, Any] = {k: main[k] for k in ("repository", "license") if k in main}
    signals.update((k, v) for k, v in (("latest_version", plan.default),
                                       ("deprecated", plan.deprecated)) if v)  # fmt: skip
    signals.update(release_signals(plan.times, plan.used, fetched_at))
    looked = [facts[v] for v in plan.used if facts.get(v)] if plan.used else [main]
    if looked and all("advisories" in each for each in looked):
        signals["advisories"] = sorted({a for each in looked for a in each["advisories"]})[:200]
    signals.update(project_signals(project))
    for source, name in (("dependentCount", "dependents"),
                         ("directDependentCount", "direct_dependents")):  # fmt: skip
        if isinstance(dependents, dict) and (n := _count(dependents.get(source, 0))) is not None:
            signals[name] = n
    made = tuple(Signal(k, v, NAME, fetched_at) for k, v in signals.items())
    return Finding(plan.item.key, made, (), signals.get("repository"))


def page_token(page: Any) -> str | None:
    """The ``nextPageToken`` of a GetVersionBatch page, when there are more pages."""
    return _text(page, "nextPageToken", limit=10_000)


def read_batch(page: Any) -> dict[Key, Any]:
    """Version documents of one GetVersionBatch page, by the key each was asked for."""
    if not isinstance(page, dict) or not isinstance(page.get("responses"), list):
        raise Bad("deps.dev versionbatch: no responses")
    found: dict[Key, Any] = {}
    for answer in _list(page, "responses", BATCH):
        key = [_text(answer, "request", "versionKey", k) for k in ("system", "name", "version")]
        if key[0] and key[1] and key[2] and isinstance(answer.get("version"), dict):
            found[(key[0], key[1], key[2])] = answer["version"]
    return found

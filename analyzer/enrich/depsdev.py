"""deps.dev (Open Source Insights) for GO, RUBYGEMS, NPM, CARGO, MAVEN, PYPI and NUGET packages.

v3: GetPackage, GetVersion (versions in use, at most ``MAX_VERSIONS``, and the default one),
GetProject (once per repository). v3alpha, which "may change in incompatible ways": GetVersionBatch
instead of one GetVersion per version, and ``:dependents`` of the default version. An unusable
v3alpha answer (absent on a mirror, an error page) is noted once, then v3 alone is used.

Signals: repository, latest_version (default version), first_release, last_release,
release_count, releases_last_year, yanked_in_use (deprecated versions in use), deprecated
(reason, or true), license (SPDX expressions, ", "-joined), advisories (ids affecting the
versions in use, else the default version), stars, forks, open_issues, scorecard (see
:func:`project_signals`), dependents and direct_dependents (of the default version).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from analyzer.enrich.client import Client
from analyzer.enrich.interface import BadResponseError as Bad
from analyzer.enrich.interface import Finding, Provider, Signal, Subject
from analyzer.enrich.interface import SourceUnavailableError as Unavailable
from analyzer.enrich.releases import release_signals
from analyzer.enrich.repourl import normalize_repo_url

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
        holder = holder.get(step) if isinstance(holder, Mapping) else None
    return holder if isinstance(holder, str) and 0 < len(holder) <= limit else None


def _list(holder: Any, key: str, limit: int) -> list[Any]:
    value = holder.get(key) if isinstance(holder, Mapping) else None
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
    if not isinstance(document, Mapping) or not isinstance(document.get("versions"), list):
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
    if not isinstance(document, Mapping):
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
    if not isinstance(document, Mapping):
        return {}
    names = {"starsCount": "stars", "forksCount": "forks", "openIssuesCount": "open_issues"}
    signals: dict[str, Any] = {name: n for key, name in names.items()
                               if (n := _count(document.get(key))) is not None}  # fmt: skip
    card = document.get("scorecard")
    score = card.get("overallScore") if isinstance(card, Mapping) else None
    if isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 10:
        checks = {_text(c, "name"): _count(c.get("score")) for c in _list(card, "checks", 50)
                  if isinstance(c, Mapping)}  # fmt: skip
        date = _time(_text(card, "date"))
        kept = {k: v for k, v in checks.items() if k and v is not None and v <= 10}
        signals["scorecard"] = {"score": round(float(score), 2), "checks": kept,
                                "date": date.date().isoformat() if date else None}  # fmt: skip
    return signals


def read(plan: Plan, versions: Mapping[Key, Any], project: Any, dependents: Any,
         fetched_at: str) -> Finding:  # fmt: skip
    """One package's Finding from its answers, of any shape (proto3 JSON omits zero counts)."""
    facts = {key[2]: version_facts(versions.get(key)) for key in plan.lookups()}
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
        if isinstance(dependents, Mapping) and (n := _count(dependents.get(source, 0))) is not None:
            signals[name] = n
    made = tuple(Signal(k, v, DepsdevProvider.name, fetched_at) for k, v in signals.items())
    return Finding(plan.item.key, made, (), signals.get("repository"))


def read_batch(page: Any) -> dict[Key, Any]:
    """Version documents of one GetVersionBatch page, by the key each was asked for."""
    if not isinstance(page, Mapping) or not isinstance(page.get("responses"), list):
        raise Bad("deps.dev versionbatch: no responses")
    found: dict[Key, Any] = {}
    for answer in _list(page, "responses", BATCH):
        key = [_text(answer, "request", "versionKey", k) for k in ("system", "name", "version")]
        if key[0] and key[1] and key[2] and isinstance(answer.get("version"), Mapping):
            found[(key[0], key[1], key[2])] = answer["version"]
    return found


@dataclass(eq=False)
class DepsdevProvider(Provider):
    """deps.dev API v3, with v3alpha batches and dependents unless ``alpha=False``."""

    name = "depsdev"
    alpha: bool = True

    def supports(self, ecosystem: str) -> bool:
        return ecosystem in SYSTEMS

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        run = Run(self.name, client, self.alpha)
        items = [item for item in items if item.ecosystem in SYSTEMS]
        packages = client.map(items, lambda i: run.get(run.url("v3", (SYSTEMS[i.ecosystem],
                                                                       i.name, ""))))  # fmt: skip
        plans = [p for i, doc in zip(items, packages, strict=True) if (p := read_package(i, doc))]
        keys = sorted({key for plan in plans for key in plan.lookups()})
        versions = run.batch(keys) if run.alpha and keys else None
        if versions is None:
            answers = client.map(keys, lambda key: run.get(run.url("v3", key)))
            versions = dict(zip(keys, answers, strict=True))
        ids = {p.item.key: version_facts(versions.get(p.lookups()[-1])).get("project")
               for p in plans if p.lookups()}  # fmt: skip
        unique = sorted({i for i in ids.values() if i})
        answers = client.map(unique, lambda i: run.get(f"{run.base}/v3/projects/"
                                                       f"{quote(i, safe='')}"))  # fmt: skip
        projects = dict(zip(unique, answers, strict=True))
        for plan, counts in zip(plans, client.map(plans, run.dependents), strict=True):
            project = projects.get(ids.get(plan.item.key) or "")
            yield read(plan, versions, project, counts, client.fetched_at)


class Run:
    """One fetch: its calls, and whether v3alpha is still worth asking."""

    def __init__(self, name: str, client: Client, alpha: bool) -> None:
        self.name, self.client, self.alpha = name, client, alpha
        self.base = client.endpoints.depsdev

    def url(self, api: str, key: Key) -> str:
        path = f"{self.base}/{api}/systems/{key[0]}/packages/{quote(key[1], safe='')}"
        return f"{path}/versions/{quote(key[2], safe='')}" if key[2] else path

    def get(self, url: str) -> Any:
        try:
            return self.client.get_json(self.name, url, expire=EXPIRE)
        except Bad as exc:
            return self.client.note(self.name, str(exc))

    def fail(self, exc: Exception) -> None:
        if self.alpha and not self.client.settings.offline:  # a race costs a second note
            self.client.note(self.name, f"deps.dev v3alpha unusable, v3 only: {exc}")
        self.alpha = False

    def dependents(self, plan: Plan) -> Any:
        if not self.alpha or plan.default is None:
            return None
        try:
            url = self.url("v3alpha", plan.lookups()[-1]) + ":dependents"
            return self.client.get_json(self.name, url, expire=EXPIRE)
        except (Bad, Unavailable) as exc:
            return self.fail(exc)

    def batch(self, keys: list[Key]) -> dict[Key, Any] | None:
        """GetVersionBatch over all keys; None when v3alpha cannot serve it."""
        found: dict[Key, Any] = {}
        try:
            for start in range(0, len(keys), BATCH):
                asked = [{"versionKey": {"system": s, "name": n, "version": v}}
                         for s, n, v in keys[start : start + BATCH]]  # fmt: skip
                token: str | None = ""
                for _ in range(MAX_PAGES):
                    payload = {"requests": asked, **({"pageToken": token} if token else {})}
                    url = f"{self.base}/v3alpha/versionbatch"
                    page = self.client.post_json(self.name, url, payload, expire=EXPIRE)
                    found.update(read_batch(page))
                    if not (token := _text(page, "nextPageToken", limit=10_000)):
                        break
        except (Bad, Unavailable) as exc:
            self.fail(exc)
            return None
        return found

"""Known vulnerabilities of the versions in use: PyPI's JSON API for PyPI, OSV for the rest.

PyPI packages are asked the way pip-audit's ``PyPIService`` asks: the per-version document
``{pypi}/pypi/<name>/<version>/json`` lists the vulnerabilities affecting that version (``id``,
``aliases``, ``fixed_in``, ``withdrawn``). Where a mirror answers 404 for per-version documents,
or serves them without ``vulnerabilities``, that is noted once and those versions go to OSV.
Every other ecosystem OSV knows goes to OSV ``querybatch`` (see ``osv.py``); the ids it answers
are completed from at most ``max_records`` OSV records (aliases, fixed versions, summary).

Only packages with versions in use are looked up (at most ``MAX_VERSIONS`` each); the others
stay unknown, counted in one note. A package with one unusable answer stays unknown as a whole.
Withdrawn vulnerabilities are dropped. One vulnerability under several ids (PYSEC, GHSA, CVE
aliases) counts once, under its PYSEC id when it has one, as pip-audit reports it.

Signals (absent when unknown; empty lists and 0 when looked up and nothing is known):
- vulnerabilities: up to ``MAX_VULNS`` ``{"id", "aliases", "fixed_in", "versions", "summary",
  "severity"}`` sorted by id. ``versions``: the versions in use it affects; ``aliases`` and
  ``fixed_in`` are left out when unknown (an OSV record not read), ``summary`` and ``severity``
  (OSV ``database_specific.severity``, e.g. "HIGH") when not given.
- vulnerable_versions: the versions in use affected by at least one, sorted.
- vulnerability_count: how many distinct vulnerabilities affect the versions in use (the list
  above may be cut short).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from packaging.utils import canonicalize_name

from analyzer.enrich import osv
from analyzer.enrich.client import Client, public_url
from analyzer.enrich.interface import BadResponseError, Finding, Provider, Signal, Subject
from analyzer.enrich.osv import Advisory

MAX_VERSIONS = 20  # versions in use looked up per package
MAX_VULNS = 50  # vulnerabilities kept per package
MAX_ENTRIES = 500  # entries read from one per-version document
PerVersion = dict[str, list[Advisory]]


def read_release(document: Any) -> list[Advisory] | None:
    """The vulnerabilities of a PyPI per-version document; None when it carries none at all
    (a mirror without vulnerability data), BadResponseError when it is not such a document."""
    if not isinstance(document, dict):
        raise BadResponseError("not a JSON object")
    entries = document.get("vulnerabilities")
    if entries is None:
        return None
    if not isinstance(entries, list):
        raise BadResponseError("'vulnerabilities' is not a list")
    found = []
    for entry in entries[:MAX_ENTRIES]:
        if not isinstance(entry, dict) or entry.get("withdrawn"):
            continue
        vuln_id = osv.identifier(entry.get("id"))
        if vuln_id is None:
            continue
        fixed = tuple(sorted(osv.strings(entry.get("fixed_in")), key=osv.version_key))
        summary = osv.text(entry.get("summary")) or osv.text(entry.get("details"))
        found.append(Advisory(vuln_id, osv.strings(entry.get("aliases")), fixed, summary))
    return found


@dataclass
class _Group:
    """Ids naming the same vulnerability, and the versions in use it affects."""

    advisory: Advisory
    versions: set[str]
    names: set[str] = field(default_factory=set)

    def absorb(self, other: Advisory, versions: set[str]) -> None:
        self.versions |= versions
        self.names |= {other.id, *(other.aliases or ())}
        mine = self.advisory
        self.advisory = replace(
            mine,
            aliases=mine.aliases if mine.aliases is not None else other.aliases,
            fixed_in=mine.fixed_in or other.fixed_in,
            summary=mine.summary or other.summary,
            severity=mine.severity or other.severity,
        )


def summarize(per_version: Mapping[str, Sequence[Advisory]]) -> dict[str, Any]:
    """The signals of one package from the advisories affecting each version in use."""
    by_id: dict[str, tuple[Advisory, set[str]]] = {}
    for version, advisories in per_version.items():
        for advisory in advisories:
            by_id.setdefault(advisory.id, (advisory, set()))[1].add(version)
    groups: list[_Group] = []
    for vuln_id in sorted(by_id, key=lambda i: (not i.startswith("PYSEC-"), i)):
        advisory, versions = by_id[vuln_id]
        names = {vuln_id, *(advisory.aliases or ())}
        same = next((g for g in groups if g.names & names), None)
        if same is None:
            groups.append(_Group(advisory, set(versions), names))
        else:
            same.absorb(advisory, versions)
    groups.sort(key=lambda g: g.advisory.id)
    affected = sorted({v for g in groups for v in g.versions})
    return {
        "vulnerabilities": [_entry(g) for g in groups[:MAX_VULNS]],
        "vulnerable_versions": affected,
        "vulnerability_count": len(groups),
    }


def _entry(group: _Group) -> dict[str, Any]:
    advisory = group.advisory
    entry: dict[str, Any] = {"id": advisory.id}
    if advisory.aliases is not None:  # every other id of the group is an alias too
        entry["aliases"] = sorted(group.names - {advisory.id})[:20]
    if advisory.fixed_in is not None:
        entry["fixed_in"] = list(advisory.fixed_in)
    entry["versions"] = sorted(group.versions)
    if advisory.summary:
        entry["summary"] = advisory.summary
    if advisory.severity:
        entry["severity"] = advisory.severity
    return entry


class VulnerabilitiesProvider(Provider):
    """pip-audit's PyPI service for PyPI packages, OSV querybatch for every other ecosystem."""

    name = "vulnerabilities"

    def __init__(self, max_records: int = 200) -> None:
        self.max_records = max_records  # OSV records read per run (GET /v1/vulns/{id})

    def supports(self, ecosystem: str) -> bool:
        return ecosystem in osv.ECOSYSTEMS

    def fetch(self, items: Sequence[Subject], client: Client) -> Iterator[Finding]:
        versioned = [item for item in items if _versions(item)]
        if unversioned := len(items) - len(versioned):
            client.note(self.name, f"{unversioned} packages without a version in use: unknown")
        found: dict[str, PerVersion] = {item.key: {} for item in versioned}
        failed: set[str] = set()
        pypi = [item for item in versioned if item.ecosystem == "pypi"]
        fallback = [p for p in self._pypi(pypi, client, found, failed) if p[0].key not in failed]
        waiting = {item.key for item, _ in fallback}
        for item in pypi:
            if item.key not in failed and item.key not in waiting:
                yield self._finding(item, found[item.key], client)
        rest = [(i, v) for i in versioned if i.ecosystem != "pypi" for v in _versions(i)]
        yield from self._osv([*rest, *fallback], client, found, failed)

    def _pypi(
        self, items: list[Subject], client: Client, found: dict[str, PerVersion], failed: set[str]
    ) -> list[tuple[Subject, str]]:
        """Ask PyPI for each version in use; return the versions it has no vulnerability data
        for (a 404, or a mirror's document without ``vulnerabilities``)."""
        pairs = [(item, version) for item in items for version in _versions(item)]

        def one(pair: tuple[Subject, str]) -> list[Advisory] | BadResponseError | None:
            item, version = pair
            name, quoted = quote(canonicalize_name(item.name), safe=""), quote(version, safe="")
            url = f"{client.endpoints.pypi}/pypi/{name}/{quoted}/json"
            try:
                document = client.get_json(self.name, url, expire=osv.EXPIRE)
                return None if document is None else read_release(document)
            except BadResponseError as exc:
                message = str(exc)
                prefix = "" if message.startswith(public_url(url)) else f"{public_url(url)}: "
                return BadResponseError(prefix + message)

        fallback = []
        for (item, version), answer in zip(pairs, client.map(pairs, one), strict=True):
            if isinstance(answer, BadResponseError):
                client.note(self.name, str(answer))
                failed.add(item.key)
            elif answer is None:
                fallback.append((item, version))
            else:
                found[item.key][version] = answer
        if fallback:
            client.note(
                self.name,
                f"{public_url(client.endpoints.pypi)}: no vulnerability data for {len(fallback)} "
                "PyPI versions (404, a mirror without it, or uncached offline); asked OSV instead",
            )
        return fallback

    def _osv(
        self,
        pairs: list[tuple[Subject, str]],
        client: Client,
        found: dict[str, PerVersion],
        failed: set[str],
    ) -> Iterator[Finding]:
        if not pairs:
            return
        queries = [osv.query(item.ecosystem, item.name, version) for item, version in pairs]
        answers = osv.query_ids(client, self.name, queries)
        wanted = {vuln_id for ids in answers if ids for vuln_id in ids}
        records = osv.fetch_records(client, self.name, wanted, self.max_records)
        for (item, version), ids in zip(pairs, answers, strict=True):
            if ids is None:
                failed.add(item.key)
                continue
            advisories = []
            for vuln_id in ids:
                record = records.get(vuln_id)
                if record is None:
                    advisories.append(Advisory(vuln_id))
                elif not record.withdrawn:
                    advisories.append(record.advisory(item.ecosystem, item.name))
            found[item.key][version] = advisories
        subjects = {item.key: item for item, _ in pairs}
        for key, item in subjects.items():
            if key not in failed:
                yield self._finding(item, found[key], client)

    def _finding(self, item: Subject, per_version: PerVersion, client: Client) -> Finding:
        signals = summarize(per_version)
        made = tuple(Signal(k, v, self.name, client.fetched_at) for k, v in signals.items())
        return Finding(item.key, made)


def _versions(item: Subject) -> list[str]:
    return list(dict.fromkeys(v for v in item.versions if v.strip()))[:MAX_VERSIONS]

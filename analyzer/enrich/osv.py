"""OSV.dev: which vulnerabilities affect package versions, asked in batches, and their records.

``POST /v1/querybatch`` takes up to 1000 queries and answers, in the same order, the ids (and
modified times) of the vulnerabilities affecting each; a query with more results than one page
carries ``next_page_token``, which goes back as that query's ``page_token`` in a follow-up batch
holding only the unfinished queries. ``GET /v1/vulns/{id}`` gives a full record: aliases, fixed
versions per affected package, summary, severity label, withdrawn time.

Ecosystem names follow the OSV schema (PyPI, npm, Maven, crates.io, Go, RubyGems, Packagist).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from analyzer.enrich.client import Client, public_url
from analyzer.enrich.interface import BadResponseError, SourceUnavailableError

ECOSYSTEMS = {"pypi": "PyPI", "npm": "npm", "maven": "Maven", "cargo": "crates.io",
              "golang": "Go", "gem": "RubyGems", "composer": "Packagist",
              "nuget": "NuGet"}  # fmt: skip
BATCH = 1000  # the most queries querybatch accepts at once
MAX_PAGES = 10  # follow-up batches for queries with more results
MAX_IDS = 100  # ids kept per query
MAX_AFFECTED = 200  # affected entries read per record
EXPIRE = 12 * 3600


@dataclass(frozen=True)
class Advisory:
    """One vulnerability as it affects one package; None: not known (record not read)."""

    id: str
    aliases: tuple[str, ...] | None = None
    fixed_in: tuple[str, ...] | None = None
    summary: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class Record:
    """What ``GET /v1/vulns/{id}`` says, reduced to what fundscout keeps."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str | None = None
    severity: str | None = None
    withdrawn: bool = False
    fixes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def advisory(self, ecosystem: str, name: str) -> Advisory:
        """This vulnerability as it affects one package (``ecosystem`` is a purl type)."""
        fixed = self.fixes.get(package_key(ECOSYSTEMS.get(ecosystem, ecosystem), name), ())
        return Advisory(self.id, self.aliases, fixed, self.summary, self.severity)


def identifier(value: Any) -> str | None:
    """A vulnerability id or version: a short string without whitespace."""
    if isinstance(value, str) and 0 < len(value) <= 100 and not any(c.isspace() for c in value):
        return value
    return None


def strings(value: Any, limit: int = 20) -> tuple[str, ...]:
    """The distinct identifiers of a JSON list, in order, at most ``limit``."""
    items = value if isinstance(value, list) else []
    found = dict.fromkeys(s for s in map(identifier, items[:200]) if s is not None)
    return tuple(found)[:limit]


def text(value: Any, limit: int = 300) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[:limit]


def version_key(version: str) -> tuple[int, Version | str]:
    """Sorts versions PEP 440 understands by meaning, anything else after them as text."""
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


def package_key(ecosystem: str, name: str) -> tuple[str, str]:
    """How OSV compares package names: PEP 503 for PyPI, case-insensitive elsewhere."""
    if ecosystem == "PyPI":
        return ecosystem, canonicalize_name(name)
    return ecosystem, name.lower()


def query(ecosystem: str, name: str, version: str) -> dict[str, Any]:
    """One querybatch query; Go module versions lose their ``v`` as OSV records them."""
    if ecosystem == "golang":
        version = version.removeprefix("v")
    if ecosystem == "pypi":
        name = canonicalize_name(name)
    return {"package": {"name": name, "ecosystem": ECOSYSTEMS[ecosystem]}, "version": version}


def read_batch(document: Any, count: int) -> list[tuple[list[str], str | None]]:
    """(ids, next page token) per query of a querybatch answer for ``count`` queries."""
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list) or len(results) != count:
        raise BadResponseError(f"expected {count} results in order")
    read = []
    for result in results:
        if not isinstance(result, dict):
            raise BadResponseError("a result is not an object")
        vulns = result.get("vulns") or []
        if not isinstance(vulns, list):
            raise BadResponseError("'vulns' is not a list")
        ids = strings([v.get("id") for v in vulns if isinstance(v, dict)], MAX_IDS)
        token = result.get("next_page_token")
        read.append((list(ids), token if isinstance(token, str) and token else None))
    return read


def read_record(document: Any) -> Record:
    """A vulnerability record (OSV schema); BadResponseError when it has no id."""
    if not isinstance(document, dict) or identifier(document.get("id")) is None:
        raise BadResponseError("not an OSV record")
    fixes: dict[tuple[str, str], tuple[str, ...]] = {}
    affected = document.get("affected")
    for entry in affected[:MAX_AFFECTED] if isinstance(affected, list) else []:
        package = entry.get("package") if isinstance(entry, dict) else None
        if not isinstance(package, dict):
            continue
        system, name = package.get("ecosystem"), package.get("name")
        if not isinstance(system, str) or not isinstance(name, str):
            continue
        key = package_key(system, name)
        fixed = strings([*fixes.get(key, ()), *_fixed_events(entry)], 50)
        fixes[key] = tuple(sorted(fixed, key=version_key))
    specific = document.get("database_specific")
    severity = specific.get("severity") if isinstance(specific, dict) else None
    return Record(
        id=document["id"],
        aliases=strings(document.get("aliases")),
        summary=text(document.get("summary")) or text(document.get("details")),
        severity=severity if isinstance(severity, str) and 0 < len(severity) <= 20 else None,
        withdrawn=bool(document.get("withdrawn")),
        fixes=fixes,
    )


def _fixed_events(entry: Mapping[str, Any]) -> list[Any]:
    """The ``fixed`` versions of an affected entry's ECOSYSTEM and SEMVER ranges (not GIT)."""
    ranges = entry.get("ranges")
    fixed = []
    for span in ranges[:50] if isinstance(ranges, list) else []:
        if not isinstance(span, dict) or span.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        events = span.get("events")
        for event in events[:100] if isinstance(events, list) else []:
            if isinstance(event, dict) and "fixed" in event:
                fixed.append(event["fixed"])
    return fixed


def query_ids(client: Client, source: str, queries: Sequence[Any]) -> list[list[str] | None]:
    """The vulnerability ids of each query, in order; None where no usable answer came."""
    url = f"{client.endpoints.osv}/v1/querybatch"
    answers: list[list[str] | None] = []
    for start in range(0, len(queries), BATCH):
        chunk = list(queries[start : start + BATCH])
        ids: list[list[str]] = [[] for _ in chunk]
        failed: set[int] = set()
        pending: dict[int, str | None] = dict.fromkeys(range(len(chunk)))
        for _ in range(MAX_PAGES):
            order = list(pending)
            payload = {"queries": [_paged(chunk[i], pending[i]) for i in order]}
            try:
                document = client.post_json(source, url, payload, expire=EXPIRE)
                if document is None:
                    raise BadResponseError("no answer (404, or not cached offline)")
                results = read_batch(document, len(order))
            except BadResponseError as exc:
                client.note(source, f"{public_url(url)}: {_reason(exc, url)}")
                failed.update(order)
                break
            pending = {}
            for i, (found, token) in zip(order, results, strict=True):
                ids[i] = list(dict.fromkeys([*ids[i], *found]))[:MAX_IDS]
                if token and len(ids[i]) < MAX_IDS:
                    pending[i] = token
            if not pending:
                break
        else:
            client.note(source, f"{public_url(url)}: stopped after {MAX_PAGES} pages")
        answers.extend(None if i in failed else ids[i] for i in range(len(chunk)))
    return answers


def _paged(item: Any, token: str | None) -> Any:
    return {**item, "page_token": token} if token else item


def _reason(exc: BadResponseError, url: str) -> str:
    """The error without a repeated URL prefix (the client's errors start with it)."""
    return str(exc).removeprefix(f"{public_url(url)}: ")


def fetch_records(client: Client, source: str, ids: Iterable[str], limit: int) -> dict[str, Record]:
    """The records of at most ``limit`` ids (sorted first); unreadable ones are left out.

    Records only complete what querybatch said, so when their endpoint fails (5xx, refused)
    that is noted once and the rest are not asked: the ids stay known, their details do not.
    """
    chosen = sorted(set(ids))
    if len(chosen) > limit:
        client.note(source, f"read {limit} of {len(chosen)} vulnerability records")
        chosen = chosen[:limit]
    stopped = threading.Event()

    def one(vuln_id: str) -> Record | None:
        if stopped.is_set():
            return None
        url = f"{client.endpoints.osv}/v1/vulns/{quote(vuln_id, safe='')}"
        try:
            document = client.get_json(source, url, expire=EXPIRE)
            return None if document is None else read_record(document)
        except BadResponseError as exc:
            client.note(source, f"{public_url(url)}: {_reason(exc, url)}")
        except SourceUnavailableError as exc:
            if not stopped.is_set():
                stopped.set()
                client.note(source, f"vulnerability records unavailable: {exc}")
        return None

    records = {}
    for vuln_id, record in zip(chosen, client.map(chosen, one), strict=True):
        if record is not None:
            records[vuln_id] = replace(record, id=vuln_id)  # the id asked for, always
    return records

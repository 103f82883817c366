"""A tolerant reading of the JSON report document into the view the renderers use.

Renderers never look at the AuditResult: they read ``json_report.to_data(result)``. The
document may be schema v1 or v2 and fields may be missing while the scoring model grows;
every string in it came from crawled files or public APIs. A value of the wrong type reads as
unknown, never as an exception, and every text and list is bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from analyzer.enrich.funding import platform_name
from analyzer.gc_pause import paused_gc
from analyzer.report.values import href, mapping, number, seq, text, texts
from analyzer.report.view import (
    Allocation,
    Document,
    Factor,
    Grant,
    Link,
    ProjectView,
    ReportView,
)

FACTORS = ("reliance", "criticality", "need")
STATUSES = ("eligible", "flagged", "excluded")
MAX_ITEMS = 100_000  # projects, exclusions and problems read


def _factor(name: str, raw: Any) -> Factor:
    """A factor is a number in v1 and ``{value, inputs}`` in v2."""
    if not isinstance(raw, Mapping):
        return Factor(name, number(raw))
    return Factor(name, number(raw.get("value")), raw.get("inputs"))


def _factors(raw: Any) -> tuple[Factor, ...]:
    found = mapping(raw)
    names = [*FACTORS, *sorted(k for k in found if isinstance(k, str) and k not in FACTORS)]
    return tuple(_factor(name, found.get(name)) for name in names[:12])


def _link(raw: Any) -> Link | None:
    item = mapping(raw)
    url = text(item.get("url"), 2000)
    if not url:
        return None
    account = text(item.get("account"), 200) or None
    platform = text(item.get("platform"), 60) or "custom"
    return Link(platform, account, url, text(item.get("source"), 60), href(url))


def _users(raw: Any) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The repositories using a project, and the record of each one's use: v2 has
    ``{repository, scope, direct, depth, files}``, v1 a repository name alone."""
    users: list[str] = []
    uses: list[Any] = []
    for use in seq(raw, 1000):
        if isinstance(use, str):
            users.append(text(use, 200))
            uses.append(None)
            continue
        record = mapping(use)
        if repo := text(record.get("repository") or record.get("repo"), 200):
            users.append(repo)
            uses.append(record)
    return tuple(users), tuple(uses)


def _maintainers(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """v2 lists them (names or ``{name}`` records); v1 has only the ``maintainers`` signal."""
    listed = raw.get("maintainers")
    if not isinstance(listed, list):
        listed = mapping(mapping(raw.get("signals")).get("maintainers")).get("value")
    names = [mapping(m).get("name") or mapping(m).get("login") or m for m in seq(listed, 200)]
    return texts(names, 200, 200)


def project(raw: Any, position: int) -> ProjectView:
    """One entry of ``projects``; ``position`` stands in for a missing rank."""
    item = mapping(raw)
    packages = texts(item.get("packages"), 500)
    name = text(item.get("name"), 200) or (packages[0] if packages else f"#{position}")
    repository = text(item.get("repository"), 2000) or None
    ecosystems = texts(item.get("ecosystems"), 20) or texts([item.get("ecosystem")], 1)
    eligibility = mapping(item.get("eligibility"))
    status = text(eligibility.get("status"), 20)
    users, uses = _users(item.get("used_by"))
    scopes = tuple((text(k, 20), int(n)) for k, v in sorted(mapping(item.get("scopes")).items())
                   if (n := number(v)) is not None)  # fmt: skip
    rank = number(item.get("rank"))
    return ProjectView(
        rank=int(rank) if rank is not None and rank >= 1 else position,
        key=text(item.get("key"), 2000) or repository or (packages[0] if packages else name),
        name=name,
        repository=repository,
        repository_href=href(repository),
        ecosystems=ecosystems,
        packages=packages,
        priority=number(item.get("priority")),
        confidence=number(item.get("confidence")),
        factors=_factors(item.get("factors")),
        reasons=texts(item.get("reasons"), 50, 500),
        missing=texts(item.get("missing"), 100),
        status=status if status in STATUSES else "unknown",
        flags=texts(eligibility.get("flags"), 50),
        eligibility_reasons=texts(eligibility.get("reasons"), 50, 500),
        funding=tuple(link for link in map(_link, seq(item.get("funding"), 100)) if link),
        maintainers=_maintainers(item),
        users=users,
        scopes=scopes,
        signal_records=item.get("signals"),
        uses=uses,
    )


def _grant(raw: Any) -> Grant | None:
    item = mapping(raw)
    project_key = text(item.get("project"), 2000)
    if not project_key:
        return None
    payee = item.get("payee")
    if isinstance(payee, Mapping):  # a funding channel: the platform and who, else where
        platform = platform_name(text(payee.get("platform"), 60))
        who = text(payee.get("account"), 200) or text(payee.get("url"), 300)
        payee = f"{platform}: {who}" if platform and who else platform or who
    return Grant(project_key, number(item.get("amount")), text(payee, 300))


def _allocation(raw: Any) -> Allocation | None:
    if not isinstance(raw, Mapping):
        return None
    grants = tuple(g for g in map(_grant, seq(raw.get("grants"), 10_000)) if g)
    return Allocation(number(raw.get("budget")), text(raw.get("currency"), 10),
                      text(raw.get("strategy"), 40), grants)  # fmt: skip


def read(data: Mapping[str, Any]) -> ReportView:
    """The report document as renderers use it; a ``Document`` is read once."""
    if not isinstance(data, Document):
        return _read(data)
    if data.view is None:
        data.view = _read(data)
    return data.view


@paused_gc(lasting=True)
def _read(data: Mapping[str, Any], limit: int = MAX_ITEMS) -> ReportView:
    """Grants are attached to their projects."""
    allocation = _allocation(data.get("allocation"))
    grants = {g.project: g for g in allocation.grants} if allocation else {}
    projects = []
    for position, raw in enumerate(seq(data.get("projects"), limit), 1):
        found = project(raw, position)
        grant = grants.get(found.key) or grants.get(found.name)
        projects.append(replace(found, grant=grant) if grant else found)
    summary = {text(k, 60): int(n) for k, v in mapping(data.get("summary")).items()
               if (n := number(v)) is not None}  # fmt: skip
    excluded = tuple(
        (text(mapping(e).get("name"), 200), text(mapping(e).get("reason"), 500))
        for e in seq(data.get("excluded"), limit)
    )
    sources = tuple(
        (text(mapping(s).get("name"), 60), text(mapping(s).get("state"), 20),
         text(mapping(s).get("reason"), 500))
        for s in seq(data.get("sources"), 100)
    )  # fmt: skip
    problems = tuple(_problem(p) for p in seq(data.get("problems"), limit))
    tool = mapping(data.get("tool"))
    return ReportView(
        schema_version=text(data.get("schema_version"), 20),
        tool_version=text(tool.get("version"), 40),
        generated_at=text(data.get("generated_at"), 40),
        roots=texts(data.get("roots"), 100),
        summary=summary,
        projects=tuple(projects),
        excluded=excluded,
        allocation=allocation,
        sources=sources,
        problems=problems,
        ecosystems=tuple(sorted({e for p in projects for e in p.ecosystems})),
    )


def _problem(raw: Any) -> str:
    """``file:line: message`` as the terminal prints it."""
    item = mapping(raw)
    line = number(item.get("line"))
    where = text(item.get("file"), 500) + (f":{int(line)}" if line is not None else "")
    return f"{where}: {text(item.get('message'), 1000)}" if where else text(item.get("message"))

"""The HTML report: one self-contained page for the people who decide on funding.

It is rendered from the JSON report document with Jinja2 (autoescaping on), so it shows the
same facts as every other format. Nothing is loaded at view time: styles, the small script,
the data it sorts and the SVG charts are all inline. A Content-Security-Policy allows exactly
that inline style and script (by hash) and nothing else, so even markup that slipped past
escaping could neither run nor load anything. Links are made only from http(s) URLs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from analyzer.enrich.funding import platform_name
from analyzer.report import json_report
from analyzer.report.charts import coverage, priority_bars, scatter
from analyzer.report.graph_view import graph_view
from analyzer.report.reader import STATUSES, read
from analyzer.report.values import fmt, money
from analyzer.report.view import CRITICAL_THRESHOLD, ProjectView, ReportView, Usage

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult

MAX_ROWS = 2000  # table rows; the JSON report has them all
MAX_DETAILS = 200  # detail views; each carries every signal, so they dominate the size
MAX_LIST = 200  # problems and exclusions listed
TOP = 10
COLUMNS = (  # (key in the row data, header, numeric)
    ("rank", "#", True), ("name", "Project", False), ("ecosystems", "Ecosystems", False),
    ("priority", "Priority", True), ("confidence", "Confidence", True),
    ("reliance", "Reliance", True), ("criticality", "Criticality", True),
    ("need", "Need", True), ("funding", "Funding", False), ("status", "Eligibility", False),
    ("used_by", "Used by", True),
)  # fmt: skip
# Characters that could end the JSON data block or confuse an HTML or JS parser.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                   "\u2029": "\\u2029"}  # fmt: skip


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("analyzer.report", "templates"),
        autoescape=True,  # every template here is HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt=fmt, money=money, platform_name=platform_name, usage_items=usage_items)
    return env


def usage_items(usages: Sequence[Usage]) -> Markup:
    """``<li>`` per repository using a project, and how; built here rather than looped over
    in the template, as the first projects list up to a thousand repositories each."""
    items = []
    for usage in usages:
        how = usage.how
        shown = f' <span class="muted">{escape(how)}</span>' if how else ""
        items.append(f"<li>{escape(usage.repo)}{shown}</li>")
    return Markup("".join(items))  # noqa: S704 - every text in it is escaped above


@cache
def asset(name: str) -> str:
    return (files("analyzer.report") / "templates" / name).read_text(encoding="utf-8")


def script_json(value: Any) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``: it cannot close the
    element (``</script>``), open a comment (``<!--``) or break a line in old JS parsers."""
    dumped = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES.items():
        dumped = dumped.replace(char, escaped)
    return Markup(dumped)  # noqa: S704 - every character that matters in HTML is escaped above


def source_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def policy(script: str, style: str) -> str:
    """Only this page's own inline script and style; no network, no forms, no plugins."""
    return (
        f"default-src 'none'; script-src {source_hash(script)}; style-src {source_hash(style)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def row_data(project: ProjectView) -> dict[str, Any]:
    """What the script sorts and filters on, keyed like the table's columns."""
    search = " ".join([project.name, project.key, *project.packages, project.repository or ""])
    return {
        "rank": project.rank,
        "name": project.name.lower(),
        "ecosystems": list(project.ecosystems),
        "priority": project.priority,
        "confidence": project.confidence,
        **{name: project.factor(name) for name in ("reliance", "criticality", "need")},
        "funding": len(project.funding),
        "funded": bool(project.funding),
        "status": project.status,
        "used_by": len(project.users),
        "search": search.lower(),
    }


def headline(report: ReportView) -> dict[str, Any]:
    """The summary figures at the top of the page."""
    projects = report.projects
    critical = [p for p in projects if p.critical]
    funded = sum(1 for p in critical if p.funding)
    top = projects[:TOP]
    return {
        "repositories": report.summary.get("repositories", 0),
        "packages": report.summary.get("packages", 0),
        "projects": report.summary.get("projects", len(projects)),
        "critical_total": len(critical),
        "critical_funded": funded,
        "critical_share": f"{funded / len(critical):.0%}" if critical else "",
        "top_total": len(top) if report.sources else 0,
        "top_funded": sum(1 for p in top if p.funding),
        "threshold": CRITICAL_THRESHOLD,
        "looked_up": bool(report.sources),
    }


def grant_rows(report: ReportView) -> list[dict[str, Any]]:
    if report.allocation is None:
        return []
    known = {p.key: p for p in report.projects}
    budget = report.allocation.budget or sum(g.amount or 0.0 for g in report.allocation.grants)
    grants = sorted(report.allocation.grants, key=lambda g: (-(g.amount or 0.0), g.project))
    rows = []
    for grant in grants:
        project = known.get(grant.project)
        rows.append({
            "project": project.name if project else grant.project,
            "rank": project.rank if project else None,
            "payee": grant.payee,
            "amount": grant.amount,
            "share": f"{(grant.amount or 0.0) / budget:.1%}" if budget else "",
        })  # fmt: skip
    return rows


def render_document(data: Mapping[str, Any]) -> str:
    """The page for a JSON report document (``json_report.to_data``)."""
    report = read(data)
    script, style = asset("report.js"), asset("report.css")
    rows: Sequence[ProjectView] = report.projects[:MAX_ROWS]
    looked_up = bool(report.sources)
    charts = {
        "priority": priority_bars(report.projects),
        "scatter": scatter(report.projects[:MAX_ROWS]),
        "coverage": coverage(report.projects, looked_up),
        "graph": graph_view(report.projects),
    }
    return environment().get_template("report.html.j2").render(
        report=report, headline=headline(report), allocation=report.allocation,
        grants=grant_rows(report), charts=charts, rows=rows, columns=COLUMNS,
        statuses=[s for s in STATUSES if any(p.status == s for p in report.projects)],
        details=report.projects[:MAX_DETAILS],
        hidden_rows=max(len(report.projects) - MAX_ROWS, 0),
        hidden_details=max(len(report.projects) - MAX_DETAILS, 0), looked_up=looked_up,
        max_list=MAX_LIST, data_json=script_json({"rows": [row_data(p) for p in rows]}),
        script=Markup(script), style=Markup(style), csp=policy(script, style),  # noqa: S704
    )  # fmt: skip


def render(result: AuditResult) -> str:
    return render_document(json_report.to_data(result))

"""The CSV report for spreadsheets (finance): one row per ranked project, grant included.

RFC 4180 (comma-separated, double-quoted where needed, CRLF line ends), UTF-8 without a
byte-order mark, one header row that never changes with the run, so a spreadsheet or
script can rely on the columns. Lists inside a cell are joined with ``"; "``. When a budget
was given, each project's grant fills the last three columns; a grant for a project that is
not ranked still gets its own row, so no money is left out of the sheet.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (or the full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20) as a formula. Every text
cell starting with one of these is prefixed with ``'`` (OWASP's CSV-injection advice).
Numbers fundscout computed (rank, priority, factors, amounts) are written as plain numbers:
a negative number is data, not a formula, and prefixing it would turn it into text. A text
that merely looks like a number, such as ``-1`` in a package's metadata, is still prefixed:
texts are never trusted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from analyzer.enrich.funding import platform_name
from analyzer.report import json_report
from analyzer.report.reader import read
from analyzer.report.view import Grant, ProjectView

if TYPE_CHECKING:
    from analyzer.pipeline import AuditResult

COLUMNS = (
    "rank", "name", "key", "repository", "ecosystems", "packages", "priority", "confidence",
    "reliance", "criticality", "need", "eligibility", "flags", "funding_platforms",
    "funding_urls", "maintainers", "used_by_count", "used_by", "reasons", "missing",
    "grant_amount", "grant_currency", "grant_payee",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MAX_CELL = 32_767  # the longest cell Excel accepts
Cell = str | int | float | None


def neutralize(text: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates."""
    text = text if len(text) <= MAX_CELL - 1 else text[: MAX_CELL - 2] + "…"
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Cell) -> str:
    if type(value) is str and len(value) < MAX_CELL and not value.startswith(FORMULA_STARTS):
        return value  # the common case, as ``neutralize`` would leave it
    if value is None:
        return ""  # unknown stays empty, never 0
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else str(value)
    return neutralize(value)


def joined(items: Sequence[str]) -> str:
    return "; ".join(items)


def project_row(project: ProjectView, currency: str) -> list[Cell]:
    grant = project.grant
    platforms = dict.fromkeys(platform_name(link.platform) for link in project.funding)
    return [
        project.rank, project.name, project.key, project.repository,
        joined(project.ecosystems), joined(project.packages), project.priority,
        project.confidence, project.factor("reliance"), project.factor("criticality"),
        project.factor("need"), "" if project.status == "unknown" else project.status,
        joined(project.flags), joined(list(platforms)),
        " ".join(link.url for link in project.funding), joined(project.maintainers),
        len(project.users), joined(project.users),
        joined(project.reasons), joined(project.missing),
        grant.amount if grant else None, currency if grant else None,
        grant.payee if grant else None,
    ]  # fmt: skip


def orphan_row(grant: Grant, currency: str) -> list[Cell]:
    """A grant whose project is not in the ranking: shown with what is known of it."""
    row: list[Cell] = [None] * len(COLUMNS)
    row[COLUMNS.index("key")] = grant.project
    row[-3:] = [grant.amount, currency, grant.payee]
    return row


def render_document(data: Mapping[str, Any]) -> str:
    """The sheet for a JSON report document (``json_report.to_data``)."""
    report = read(data)
    currency = report.allocation.currency if report.allocation else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for project in report.projects:
        writer.writerow(map(cell, project_row(project, currency)))
    placed = {p.grant.project for p in report.projects if p.grant}
    for grant in report.allocation.grants if report.allocation else ():
        if grant.project not in placed:
            writer.writerow(map(cell, orphan_row(grant, currency)))
    return buffer.getvalue()


def render(result: AuditResult) -> str:
    return render_document(json_report.to_data(result))

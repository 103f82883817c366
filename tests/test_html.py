"""The HTML report: content, self-containment, hostile metadata, tolerance, bounds.

The browser tests (tests/browser/) check what only a browser can tell; these check the page
as text, so they run everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import pipeline
from analyzer.config import Config
from analyzer.report import ReportFormat, write_reports
from analyzer.report.charts import coverage, nice_ceiling
from analyzer.report.graph_view import graph_view
from analyzer.report.html import MAX_DETAILS, MAX_ROWS, render_document, script_json
from analyzer.report.reader import read
from analyzer.report.values import href, text
from tests.browser.documents import hostile_document, v2_document

FIXTURES = Path(__file__).parent / "fixtures"


class Page(HTMLParser):
    """Collects what the assertions need: tags with attributes, scripts and styles."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: str | None = None
        self._attrs: dict[str, str | None] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open, self._attrs = tag, dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            self.scripts.append((self._attrs, data))
        elif self._open == "style":
            self.styles.append(data)
        self._open = None

    def attribute_values(self, name: str) -> list[str]:
        return [attrs[name] or "" for _, attrs in self.tags if name in attrs]


@pytest.fixture(scope="module")
def page() -> str:
    return render_document(v2_document())


def data_rows(text: str) -> list[dict[str, Any]]:
    match = re.search(r'<script type="application/json" id="fundscout-data">(.*?)</script>',
                      text, re.S)  # fmt: skip
    assert match
    rows: list[dict[str, Any]] = json.loads(match.group(1))["rows"]
    return rows


def test_summary_table_and_details_show_the_documents_facts(page: str) -> None:
    assert re.search(r'<span class="figure">4</span><span class="label">repositories', page)
    assert re.search(r'<span class="figure">9</span><span class="label">packages', page)
    # critical: requests (0.8), left-pad (0.6), pytest (0.7); funded: requests only
    assert "33%</span>" in page and "(1 of 3)" in page
    assert "10,000 EUR" in page and "proportional" in page
    ranks = [int(r) for r in re.findall(r'<tr data-rank="(\d+)"', page)]
    assert ranks == [1, 2, 3, 4, 5, 6]
    assert [row["name"] for row in data_rows(page)][:2] == ["requests", "left-pad"]
    detail = page[page.index('id="project-1"') : page.index('id="project-2"')]
    for fact in ("used by 3 of 4 repositories at runtime", "GitHub Sponsors (psf)",
                 "https://github.com/sponsors/psf", "api <span class=\"muted\">runtime, direct",
                 "maintainer_count", "alice", "6,000 EUR"):  # fmt: skip
        assert fact in detail, fact
    assert "1 (score 0.50, weight 1.00, from pypi)" in detail  # a factor input
    assert "web/package.json:4: invalid JSON" in page


def test_page_is_self_contained_and_its_policy_allows_only_its_own_code(page: str) -> None:
    parsed = Page(page)
    assert not [tag for tag, attrs in parsed.tags if tag in ("link", "img", "iframe", "object")]
    assert parsed.attribute_values("src") == []
    assert all(h.startswith(("#", "https://")) for h in parsed.attribute_values("href"))
    policies = [
        a["content"] for _, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    policy = policies[0]
    code = [body for attrs, body in parsed.scripts if "type" not in attrs]
    assert len(code) == 1 and len(parsed.styles) == 1

    def digest(source: str) -> str:
        return base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()

    assert len(policies) == 1 and policy is not None
    assert policy.startswith("default-src 'none';") and "connect-src" not in policy
    assert f"script-src 'sha256-{digest(code[0])}'" in policy
    assert f"style-src 'sha256-{digest(parsed.styles[0])}'" in policy


def test_charts_are_inline_svg(page: str) -> None:
    charts = re.findall(r'<figure id="(chart-[a-z]+)"><svg [^>]*class="chart"', page)
    assert charts == ["chart-priority", "chart-scatter", "chart-funding", "chart-graph"]
    priority = page[page.index('id="chart-priority"') : page.index('id="chart-scatter"')]
    assert priority.count("<rect ") == 6
    scatter = page[page.index('id="chart-scatter"') : page.index('id="chart-funding"')]
    assert scatter.count("<circle ") == 5  # zod's need is unknown: not plotted at zero


def test_hostile_metadata_is_inert() -> None:
    text = render_document(hostile_document())
    parsed = Page(text)
    assert [attrs.get("type") for attrs, _ in parsed.scripts] == ["application/json", None]
    for tag, attrs in parsed.tags:
        assert tag != "img", attrs
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert not any(
        h.lower().startswith(("javascript:", "data:")) for h in parsed.attribute_values("href")
    )
    assert "&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;" in text
    assert 'javascript:window.__pwned = 5</span> <span class="muted">(not a web link)' in text
    assert 'href="https://example.org/&#34; onmouseover=&#34;x"' not in text  # has a space
    block = text[text.index('id="fundscout-data">') : text.index("</script>")]
    assert "<!--" not in block and "\u2028" not in block
    assert data_rows(text)[0]["name"].startswith("<script>window.__pwned")


def test_script_json_cannot_leave_its_element() -> None:
    value = {"a": "</script><!-- \u2028\u2029 & >"}
    dumped = str(script_json(value))
    assert "<" not in dumped and ">" not in dumped and "&" not in dumped
    assert "\u2028" not in dumped and "\u2029" not in dumped
    assert json.loads(dumped) == value


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://github.com/sponsors/x", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("https://example.org/\nx", False),
        ("http://[x", False),
    ],
)
def test_only_http_urls_become_links(url: str, linked: bool) -> None:
    assert (href(url) == url) is linked


def test_texts_lose_controls_and_direction_overrides() -> None:
    assert text("evil\u202egnp.exe\n\x00next\u2028line ") == "evil gnp.exe next line"
    assert text("x" * 50, 10) == "x" * 9 + "…"
    assert (text(True), text(float("nan")), text(None), text(7)) == ("", "", "", "7")


def test_a_v1_document_renders_with_unknowns() -> None:
    data = {"schema_version": "1", "summary": {"repositories": 2, "packages": 3, "projects": 1},
            "projects": [{"rank": 1, "name": "six", "ecosystem": "pypi",
                          "packages": ["pkg:pypi/six"], "priority": 50.0,
                          "factors": {"reliance": 0.5}, "used_by": ["a", "b"],
                          "scopes": {"runtime": 2}, "reasons": ["used by 2 of 2"]}]}  # fmt: skip
    text = render_document(data)
    assert '<tr data-rank="1"' in text and ">six</a>" in text
    assert "Need is not known for any project yet." in text
    assert "Public API lookups were turned off" in text
    assert read(data).projects[0].key == "pkg:pypi/six"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["rank", "name", "value", "url", "factors", "funding",
                                        "used_by", "signals", "eligibility", "status", "budget",
                                        "grants", "project", "amount", "x"]), children, max_size=5),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["projects", "summary", "allocation", "sources",
                                        "problems", "excluded", "roots", "tool"]),
                       JSON, max_size=6))  # fmt: skip
def test_any_json_renders_without_error(data: dict[str, Any]) -> None:
    assert render_document(data).startswith("<!DOCTYPE html>")


def test_wrong_types_inside_projects_read_as_unknown() -> None:
    document = v2_document()
    document["projects"][0].update(priority="high", factors=[1, 2], funding="x", used_by=None,
                                   signals=[], eligibility={"status": "<b>"})  # fmt: skip
    view = read(document).projects[0]
    assert (view.priority, view.funding, view.used_by, view.status) == (None, (), (), "unknown")
    assert [f.value for f in view.factors] == [None, None, None]


def test_large_reports_are_bounded() -> None:
    document = v2_document(budget=False)
    template = document["projects"][5]
    document["projects"] = [dict(template, rank=i, name=f"p{i}") for i in range(1, MAX_ROWS + 51)]
    text = render_document(document)
    assert text.count("<tr data-rank=") == MAX_ROWS
    assert text.count('<details class="project"') == MAX_DETAILS
    assert "… and 50 more projects in the JSON report." in text
    assert len(text) < 8_000_000


def test_coverage_counts_each_platform_once_per_project() -> None:
    projects = read(v2_document()).projects
    chart = str(coverage(projects, looked_up=True))
    assert "GitHub Sponsors: 2 of 6 projects" in chart
    assert "Open Collective: 1 of 6 projects" in chart
    assert "3 of 6 projects" in chart  # no known channel
    assert "lookups were turned off" in str(coverage(projects, looked_up=False))


def test_graph_view_draws_one_edge_per_use() -> None:
    projects = read(v2_document()).projects
    svg = str(graph_view(projects, top=3))
    assert svg.count('class="edge"') == 3 + 1 + 2
    assert svg.count('stroke-dasharray="4 3"') == 0  # all runtime
    assert str(graph_view(projects)).count('stroke-dasharray="4 3"') == 4 + 1  # pytest, mkdocs


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0.04, 0.05), (0.3, 0.5), (0.5, 0.5), (0.9, 1.0), (1.0, 1.0), (2.2, 2.5), (7, 10)],
)
def test_nice_ceiling(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_the_audit_writes_the_same_page_every_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(FIXTURES)
    first = pipeline.audit([Path("org")], Config())
    second = pipeline.audit([Path("org")], Config())
    (path,) = write_reports(first, tmp_path / "a", (ReportFormat.HTML,))
    (again,) = write_reports(second, tmp_path / "b", (ReportFormat.HTML,))
    assert path.name == "fundscout-report.html"
    assert path.read_bytes() == again.read_bytes()
    assert "&lt;img src=x onerror=alert(1)&gt;" in path.read_text(encoding="utf-8")

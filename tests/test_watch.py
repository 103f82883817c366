"""Baselines, the diff of two reports and --fail-on policy rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import BaselineError, PolicyError
from analyzer.watch.diff import diff, render_markdown
from analyzer.watch.policy import Rule, evaluate, parse_rules
from analyzer.watch.views import ProjectView, load_report


def project(name: str, rank: int = 1, **signals: Any) -> dict[str, Any]:
    funding = signals.pop("funding", [])
    scopes = signals.pop("scopes", {"runtime": 1})
    direct_in = signals.pop("direct_in", 1)
    return {
        "rank": rank, "key": f"https://github.com/{name}", "name": name,
        "packages": [f"pkg:pypi/{name.split('/')[-1]}"], "used_by": ["api", "web"],
        "scopes": scopes, "direct_in": direct_in, "funding": funding,
        "signals": {k: {"value": v, "source": "t", "fetched_at": "x"} for k, v in signals.items()},
    }  # fmt: skip


def report(*projects: dict[str, Any], when: str = "2026-11-01T00:00:00Z") -> dict[str, Any]:
    return {"schema_version": "2", "generated_at": when, "roots": ["org"],
            "projects": list(projects), "excluded": []}  # fmt: skip


def test_diff_lists_added_removed_moved_and_risks() -> None:
    old = report(project("a/one", 1, maintainer_count=3), project("b/two", 2), project("c/gone", 3))
    new = report(
        project("b/two", 1, archived=True, vulnerability_count=2),
        project("a/one", 2, maintainer_count=1, deprecated="use x instead",
                funding=[{"platform": "github", "account": "one", "url": "https://github.com/sponsors/one"}]),
        project("d/new", 3),
    )  # fmt: skip
    changes = diff(old, new)
    assert changes["packages"] == {"added": ["pkg:pypi/new"], "removed": ["pkg:pypi/gone"]}
    assert changes["projects"] == {"added": ["d/new"], "removed": ["c/gone"]}
    # biggest moves first, then by new rank
    assert changes["moved"] == [{"project": "b/two", "from": 2, "to": 1},
                                {"project": "a/one", "from": 1, "to": 2}]  # fmt: skip
    assert changes["risks"] == [
        {"project": "a/one", "change": "became deprecated or inactive"},
        {"project": "a/one", "change": "lost maintainers (3 → 1)"},
        {"project": "b/two", "change": "became archived"},
        {"project": "b/two", "change": "newly vulnerable (2 known)"},
    ]
    assert changes["funding"] == [
        {"project": "a/one", "platform": "github", "url": "https://github.com/sponsors/one"}
    ]


def test_unknown_signals_are_not_changes() -> None:
    old = report(project("a/one", maintainer_count=2))
    new = report(project("a/one"))  # maintainer count now unknown: not "lost maintainers"
    assert diff(old, new)["risks"] == []
    assert "No changes." in render_markdown(diff(old, new))


def test_markdown_escapes_and_bounds() -> None:
    names = [project(f"o/p{i}|<b>x</b>", i) for i in range(250)]
    text = render_markdown(diff(report(), report(*names)))
    assert "\\|&lt;b&gt;x&lt;/b&gt;" in text and "<b>" not in text
    assert "… and 50 more (see the JSON diff)" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a JSON report"),
        ("[]", "not a fundscout JSON report"),
        ('{"schema_version": "9", "projects": []}', "unknown schema_version '9'"),
        ('{"schema_version": "2", "projects": {}}', "projects must be a list"),
    ],
)
def test_corrupt_baselines_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "old.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=message) as caught:
        load_report(path)
    assert str(path) in str(caught.value)


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="no such file"):
        load_report(tmp_path / "nope.json")


def test_rules_parse_with_qualifiers_and_ages() -> None:
    rules = parse_rules(["archived, new:runtime:no-release-in:24m", "vulnerable,archived"])
    assert [r.name for r in rules] == ["archived", "no-release-in", "vulnerable"]
    assert rules[1].qualifiers == {"new", "runtime"}
    assert rules[1].age is not None and rules[1].age.days == 731


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abandoned", "unknown rule 'abandoned'"),
        ("new:", "unknown rule ''"),
        ("no-release-in", "expected an age"),
        ("no-release-in:soon", "expected an age"),
        ("archived:yes", "archived takes no argument"),
    ],
)
def test_bad_rules(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Rule.parse(text)


def test_each_rule_fires_only_on_known_risks() -> None:
    risky = project("r/risky", archived=True, deprecated=True, maintainer_count=1,
                    last_release="2023-01-01", vulnerability_count=1)  # fmt: skip
    unknown = project("u/unknown")
    fine = project("f/fine", archived=False, maintainer_count=4, last_release="2026-06-01",
                   vulnerability_count=0)  # fmt: skip
    rules = parse_rules(["archived,deprecated,single-maintainer,no-release-in:24m,vulnerable"])
    found = evaluate(rules, report(risky, unknown, fine))
    assert {(v.rule, v.project) for v in found} == {
        (rule, "r/risky") for rule in
        ("archived", "deprecated", "single-maintainer", "no-release-in:24m", "vulnerable")
    }  # fmt: skip
    stale = next(v for v in found if v.rule.startswith("no-release"))
    assert str(stale) == "no-release-in:24m: r/risky: last release 2023-01-01; used by api, web"


def test_release_age_is_measured_from_the_report_date() -> None:
    rules = parse_rules(["no-release-in:12m"])
    old_release = project("a/b", last_release="2025-06-01")
    assert evaluate(rules, report(old_release, when="2026-11-01T00:00:00Z"))
    assert not evaluate(rules, report(old_release, when="2026-01-01T00:00:00Z"))


def test_qualifiers_restrict_to_new_runtime_direct() -> None:
    old = report(project("o/old", archived=True))
    dev_only = project("d/dev", archived=True, scopes={"dev": 2})
    transitive = project("t/trans", archived=True, direct_in=0)
    new = report(project("o/old", archived=True), project("n/new", archived=True),
                 dev_only, transitive)  # fmt: skip
    names = lambda rule: [v.project for v in evaluate(parse_rules([rule]), new, old)]  # noqa: E731
    assert names("new:archived") == ["d/dev", "n/new", "t/trans"]
    assert names("runtime:archived") == ["n/new", "o/old", "t/trans"]
    assert names("runtime:direct:archived") == ["n/new", "o/old"]
    with pytest.raises(PolicyError, match="need --baseline"):
        evaluate(parse_rules(["new:archived"]), new)


def test_cli_diff_formats_and_bad_baseline(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(report(project("a/one"))))
    new.write_text(json.dumps(report(project("a/one"), project("b/two", 2))))
    runner = CliRunner()
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0 and "### Projects added (1)\n\n- b/two" in result.output
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert json.loads(result.output)["packages"]["added"] == ["pkg:pypi/two"]
    old.write_text("not json")
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 2 and "not a JSON report" in result.output


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(
    ["name", "key", "rank", "packages", "signals", "funding", "scopes", "direct_in", "used_by"]),
    json_values), max_size=4))  # fmt: skip
def test_hand_edited_reports_never_crash(entries: list[dict[str, Any]]) -> None:
    data = report(*entries)
    for entry in entries:
        ProjectView.of(entry)
    render_markdown(diff(data, report()))
    evaluate(
        parse_rules(["archived,deprecated,single-maintainer,no-release-in:1y,vulnerable"]), data
    )


def test_schema_2_use_records_decide_runtime_and_direct() -> None:
    entry = project("a/b", archived=True, scopes={}, direct_in=None)
    entry["used_by"] = [
        {"repository": "web", "scope": "dev", "direct": True},
        {"repository": "api", "scope": "runtime", "direct": False},
        {"repository": "api", "scope": "runtime", "direct": False},
    ]
    view = ProjectView.of(entry)
    assert view is not None
    assert (view.used_by, view.runtime, view.direct) == (("web", "api"), True, True)
    entry["used_by"] = [{"repository": "web", "scope": "dev", "direct": False}]
    assert not evaluate(parse_rules(["runtime:archived", "direct:archived"]), report(entry))

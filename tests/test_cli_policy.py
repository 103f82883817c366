"""``fundscout audit --baseline OLD.json --fail-on RULES``: the CI gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from analyzer.cli import app

API = Path(__file__).parent / "fixtures" / "api"


def audit(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["audit", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def lookups(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """npm answers from a local server (left-pad is deprecated there); the rest stays off."""
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    httpserver.expect_request("/left-pad").respond_with_data(
        (API / "npm/left-pad.json").read_bytes(), content_type="application/json"
    )
    root = httpserver.url_for("").rstrip("/")
    return ["--providers", "npm", "--no-resolve", "--npm-url", root,
            "--cache-dir", str(tmp_path / "cache"), "-q"]  # fmt: skip


def test_new_rules_compare_with_the_baseline(
    write_tree, tmp_path: Path, lookups: list[str]
) -> None:  # type: ignore[no-untyped-def]
    org = write_tree({"svc/requirements.txt": "attrs==25.1.0\n"})
    code, _, _ = audit(org, "-o", tmp_path / "old", "-f", "json", *lookups)
    assert code == 0
    baseline = tmp_path / "old" / "fundscout-report.json"
    (org / "web").mkdir()
    (org / "web" / "package.json").write_text(json.dumps({"dependencies": {"left-pad": "1"}}))

    code, _, err = audit(org, "-o", tmp_path / "new", "-f", "json", "--baseline", baseline,
                         "--fail-on", "new:runtime:deprecated", *lookups)  # fmt: skip
    assert code == 1
    assert "1 rule violations" in err
    line = "new:runtime:deprecated: stevemao/left-pad: deprecated or marked inactive; used by web"
    assert line in err
    diff = (tmp_path / "new" / "fundscout-diff.md").read_text(encoding="utf-8")
    assert "### Projects added (1)\n\n- stevemao/left-pad" in diff

    # Once the baseline knows left-pad, only the rule without new: still fails.
    newer = tmp_path / "new" / "fundscout-report.json"
    code, _, _ = audit(org, "-o", tmp_path / "again", "--baseline", newer,
                       "--fail-on", "new:deprecated", *lookups)  # fmt: skip
    assert code == 0
    code, _, _ = audit(org, "-o", tmp_path / "again", "--fail-on", "deprecated", *lookups)
    assert code == 1


def test_dev_only_use_does_not_break_a_runtime_rule(
    write_tree, tmp_path: Path, lookups: list[str]
) -> None:  # type: ignore[no-untyped-def]
    org = write_tree({"web/package.json": json.dumps({"devDependencies": {"left-pad": "1"}})})
    code, _, _ = audit(org, "-o", tmp_path / "out", "--fail-on", "runtime:deprecated", *lookups)
    assert code == 0
    code, _, _ = audit(org, "-o", tmp_path / "out", "--fail-on", "deprecated", *lookups)
    assert code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "abandoned"], "unknown rule 'abandoned'"),
        (["--fail-on", "new:archived"], "need --baseline"),
        (["--baseline", "missing.json"], "missing.json: no such file"),
    ],
)
def test_bad_policy_input_fails_before_the_audit(
    write_tree, tmp_path: Path, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    org = write_tree({"svc/requirements.txt": "attrs==25.1.0\n"})
    code, _, err = audit(org, "-o", tmp_path / "out", "--no-enrich", *args)
    assert code == 2
    assert message in err
    assert not (tmp_path / "out").exists()  # nothing written: it failed before the audit

"""The network options of ``fundscout audit``: lookups against a local server, offline, off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.config import ConfigError, from_table

API = Path(__file__).parent / "fixtures" / "api"


@pytest.fixture
def org(write_tree) -> Path:  # type: ignore[no-untyped-def]
    return write_tree(  # type: ignore[no-any-return]
        {
            "svc/requirements.txt": "attrs==25.1.0\nrequests>=2\n",
            "web/package.json": json.dumps({"dependencies": {"left-pad": "1.3.0"}}),
        }
    )


def audit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_lookups_use_the_configured_urls_and_reach_the_report(
    org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    for path, fixture in (
        ("/pypi/attrs/json", "pypi/attrs.json"),
        ("/pypi/requests/json", "pypi/requests.json"),
        ("/left-pad", "npm/left-pad.json"),
    ):
        httpserver.expect_request(path).respond_with_data(
            (API / fixture).read_bytes(), content_type="application/json"
        )
    root = httpserver.url_for("").rstrip("/")
    out = tmp_path / "out"
    code, _ = audit(
        str(org), "--out", str(out), "--quiet", "--providers", "pypi,npm",
        "--pypi-url", root, "--npm-url", root, "--cache-dir", str(tmp_path / "cache"),
    )  # fmt: skip
    assert code == 0
    report = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    projects = {purl: p for p in report["projects"] for purl in p["packages"]}
    attrs = projects["pkg:pypi/attrs"]
    assert attrs["repository"] == "https://github.com/python-attrs/attrs"
    assert [f["platform"] for f in attrs["funding"]] == ["github", "tidelift"]
    assert projects["pkg:pypi/requests"]["signals"]["maintainer_count"]["value"] == 3
    assert projects["pkg:npm/left-pad"]["signals"]["deprecated"]["source"] == "npm"
    assert {s["name"]: s["state"] for s in report["sources"]} == {"npm": "ok", "pypi": "ok"}
    markdown = (out / "fundscout-report.md").read_text(encoding="utf-8")
    assert "| GitHub Sponsors, Tidelift |" in markdown


def test_environment_urls_apply_when_no_flag_is_given(
    org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    monkeypatch.setenv("FUNDSCOUT_PYPI_URL", httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/pypi/attrs/json").respond_with_data(
        (API / "pypi/attrs.json").read_bytes(), content_type="application/json"
    )
    out = tmp_path / "out"
    code, _ = audit(str(org), "--out", str(out), "-q", "--providers", "pypi")
    assert code == 0
    assert any(entry[0].path == "/pypi/attrs/json" for entry in httpserver.log)


def test_offline_with_an_empty_cache_knows_nothing_and_says_so(org: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _ = audit(str(org), "--out", str(out), "-q", "--offline", "--providers", "pypi")
    assert code == 0
    report = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    assert report["sources"] == [
        {"name": "pypi", "state": "partial", "reason": "not in the cache (offline)",
         "requests": 0, "from_cache": 0, "unknown": 2}
    ]  # fmt: skip
    assert all(
        "signals" in p and p["signals"] == {}
        for p in report["projects"]
        if "pypi" in p["ecosystems"]
    )


def test_no_enrich_skips_lookups(org: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _ = audit(str(org), "--out", str(out), "-q", "--no-enrich")
    assert code == 0
    report = json.loads((out / "fundscout-report.json").read_text(encoding="utf-8"))
    assert report["sources"] == []
    assert report["projects"][0]["funding"] == []
    assert report["projects"][0]["eligibility"]["flags"] == ["reach-out"]


def test_unknown_provider_is_a_usage_error(org: Path, tmp_path: Path) -> None:
    code, output = audit(str(org), "--out", str(tmp_path), "--providers", "pypi,nope")
    assert code == 2
    assert "unknown provider 'nope'" in output


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"enrich": "yes"}, "enrich: expected true or false"),
        ({"max-wait": -1}, "max-wait: expected a number of seconds"),
        ({"endpoints": {"pypy": "https://x"}}, "unknown service (did you mean 'pypi'?)"),
        ({"endpoints": {"pypi": "javascript:alert(1)"}}, "expected an http(s) URL"),
        ({"providers": "pypi"}, "providers: expected a list of strings"),
    ],
)
def test_network_keys_are_validated(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        from_table(table, "fundscout.toml")


def test_network_keys_are_read() -> None:
    config = from_table(
        {"offline": True, "max-wait": 5, "providers": ["pypi"],
         "endpoints": {"github-api": "https://ghe.example.com/api/v3"}},
        "fundscout.toml",
    )  # fmt: skip
    assert (config.offline, config.max_wait, config.providers) == (True, 5.0, ("pypi",))
    assert config.endpoints == (("github_api", "https://ghe.example.com/api/v3"),)

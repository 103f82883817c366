"""Resolution inside ``fundscout audit``: on by default, off on request, offline from cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.config import ConfigError, from_table
from analyzer.resolve.target import Target, make_target
from tests.conftest import TreeWriter
from tests.resolve_helpers import hits, serve_registries

FILES = {
    "svc/requirements.txt": "requests>=2.31\n",
    "web/package.json": json.dumps({"dependencies": {"express": "^4.19.0"}}),
}


@pytest.fixture
def org(write_tree: TreeWriter) -> Path:
    return write_tree(FILES)


def audit(httpserver: HTTPServer, tmp_path: Path, *args: str) -> dict[str, Any]:
    root = httpserver.url_for("").rstrip("/")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "audit", *args, "--out", str(out), "--format", "json", "--providers", "pypi,npm",
        "--pypi-url", root, "--npm-url", root, "--cache-dir", str(tmp_path / "cache"),
    ], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads((out / "fundscout-report.json").read_text("utf-8"))
    data["_output"] = result.output
    return data


def test_audit_resolves_and_enriches_each_document_once(
    org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    serve_registries(httpserver)
    report = audit(httpserver, tmp_path, str(org))
    summary = report["summary"]
    # requests + urllib3, idna, certifi, charset-normalizer; express + debug, cookie, qs, ms
    assert (summary["packages"], summary["direct_packages"]) == (10, 2)
    assert (summary["transitive_packages"], summary["resolved_packages"]) == (8, 10)
    assert summary["resolution_failures"] == 0
    assert summary["resolution_limits"] is summary["resolution_notes"] is None
    ranked = {purl for project in report["projects"] for purl in project["packages"]}
    assert {"pkg:pypi/urllib3", "pkg:npm/ms"} <= ranked  # enriched and ranked like the rest
    for path in ("/pypi/requests/json", "/pypi/urllib3/json", "/express", "/ms"):
        assert hits(httpserver, path) == 1, path  # enrichment read resolution's cache


def test_summary_line_names_what_resolution_did(
    org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    serve_registries(httpserver)
    output = " ".join(audit(httpserver, tmp_path, str(org), "--no-ci")["_output"].split())
    assert (
        "Resolved 10 packages from registry metadata where no lockfile lists them: "
        "8 transitive packages added." in output
    )


def test_packages_that_cannot_be_resolved_are_noted(
    write_tree: TreeWriter, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    serve_registries(httpserver)
    org = write_tree({"svc/requirements.txt": "acme-secret-sauce\nrequests<1\n"})
    report = audit(httpserver, tmp_path, str(org), "--no-ci")
    notes = "acme-secret-sauce: not on the registry; requests: no release matches <1"
    assert report["summary"]["resolution_notes"] == notes
    assert report["summary"]["resolution_failures"] == 2
    assert "note: acme-secret-sauce: not on the registry" in report["_output"]


@pytest.mark.parametrize("how", ["flag", "config"])
def test_resolution_can_be_turned_off(
    how: str, org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    serve_registries(httpserver)
    config = tmp_path / "fundscout.toml"
    config.write_text("resolve = false\n")
    args = ["--no-resolve"] if how == "flag" else ["--config", str(config)]
    summary = audit(httpserver, tmp_path, str(org), *args)["summary"]
    assert (summary["packages"], summary["transitive_packages"]) == (2, 0)
    assert "resolved_packages" not in summary
    assert hits(httpserver, "/pypi/urllib3/json") == 0


def test_no_lookups_means_no_resolution(org: Path, tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_registries(httpserver)
    summary = audit(httpserver, tmp_path, str(org), "--no-enrich")["summary"]
    assert "resolved_packages" not in summary
    assert len(httpserver.log) == 0


def test_offline_resolution_uses_the_cache_only(
    org: Path, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_registries(httpserver)
    cold = audit(httpserver, tmp_path, str(org), "--offline", "--no-ci")
    assert len(httpserver.log) == 0
    assert cold["summary"]["resolution_failures"] == 2
    output = " ".join(cold["_output"].split())
    assert "2 left without a version or their dependencies (2 not in the cache: offline)." in output
    assert "warning:" not in output  # expected offline: counted, not one warning per package
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    online = audit(httpserver, tmp_path, str(org))["summary"]
    served = len(httpserver.log)
    monkeypatch.setenv("FUNDSCOUT_OFFLINE", "1")
    warm = audit(httpserver, tmp_path, str(org))["summary"]
    assert len(httpserver.log) == served
    assert warm["resolved_packages"] == online["resolved_packages"] == 10


def test_resolution_keys_are_validated() -> None:
    config = from_table(
        {"resolve": False, "resolve-target": {"python": "3.11", "platform": "Windows"},
         "resolve-max-depth": 4, "resolve-max-packages": 50, "resolve-peers": True},
        "fundscout.toml",
    )  # fmt: skip
    assert (config.resolve, config.resolve_max_depth, config.resolve_max_packages) == (False, 4, 50)
    assert config.resolve_peers
    assert make_target(config.resolve_target) == Target(python="3.11", platform="windows")
    assert make_target(()).environment()["sys_platform"] == "linux"
    for table, message in (
        ({"resolve-target": {"python": "three"}}, "resolve-target.python: expected a version"),
        ({"resolve-target": {"platform": "beos"}}, "resolve-target.platform: unknown platform"),
        ({"resolve-target": {"os": "linux"}}, "resolve-target.os: unknown key"),
        ({"resolve-target": "linux"}, "resolve-target: expected a table"),
        ({"resolve-max-depth": 0}, "resolve-max-depth: expected a positive integer"),
        ({"resolve": "yes"}, "resolve: expected true or false"),
    ):
        with pytest.raises(ConfigError, match=message):
            from_table(table, "fundscout.toml")


def test_target_environment_is_complete() -> None:
    env = Target(python="3.11.4", platform="macos").environment()
    assert env["python_version"] == "3.11"
    assert env["python_full_version"] == "3.11.4"
    assert (env["sys_platform"], env["platform_system"], env["os_name"]) == (
        "darwin", "Darwin", "posix",
    )  # fmt: skip

"""``fundscout audit --github-org``: the command line over a fake GitHub on a local server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from analyzer.cli import app
from tests.github_fake import FakeGithub, FakeRepo

REPOS = [
    FakeRepo("api", {"requirements.txt": "flask==3.0.3\n"}),
    FakeRepo("web", {"package.json": json.dumps({"dependencies": {"react": "^18.3.1"}})}),
    FakeRepo("fork", {"requirements.txt": "django==5.1\n"}, fork=True),
]


@pytest.fixture(autouse=True)
def _online_without_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FUNDSCOUT_OFFLINE")
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "CI"):
        monkeypatch.delenv(name, raising=False)
    # A manifest in the working directory, which an audit of an organization must not read.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("local-only==1.0\n", encoding="utf-8")


def audit(fake: FakeGithub, out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["audit", "--github-api-url", fake.root, "--no-enrich", "--out", str(out), *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def report(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "fundscout-report.json").read_text("utf-8"))
    return data


def repositories(out: Path) -> list[str]:
    return [r["name"] for r in report(out)["repositories"]]  # type: ignore[attr-defined]


def test_an_organization_is_audited_without_a_path(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeGithub(httpserver, repos=REPOS)
    code, stdout, stderr = audit(fake, tmp_path / "out", "--github-org", "acme")
    assert code == 0, stderr
    assert repositories(tmp_path / "out") == ["api", "web"]
    assert report(tmp_path / "out")["roots"] == ["localhost/acme"]
    assert "note: no GitHub token (GITHUB_TOKEN or GH_TOKEN)" in stderr
    assert "note: localhost/acme: 1 forks left out (add --include-forks)" in stderr
    assert "Audited 2 repositories, 2 manifests" in stdout


def test_forks_filters_and_a_local_path_combine(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeGithub(httpserver, repos=REPOS)
    local = tmp_path / "checkouts"
    (local / "tool").mkdir(parents=True)
    (local / "tool" / "requirements.txt").write_text("click==8.1\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = audit(fake, out, str(local), "--github-org", "acme", "--include-forks",
                            "--repo-filter", "[af]*")  # fmt: skip
    assert code == 0, stderr
    assert repositories(out) == ["acme/api", "acme/fork", "tool"]


def test_quiet_hides_the_notes(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeGithub(httpserver, repos=REPOS)
    code, stdout, stderr = audit(fake, tmp_path / "out", "--github-org", "acme", "--quiet")
    assert (code, stdout, stderr) == (0, "", "")


def test_an_unknown_organization_exits_2_naming_it(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeGithub(httpserver, repos=REPOS)
    code, _, stderr = audit(fake, tmp_path / "out", "--github-org", "nope")
    assert code == 2
    assert "fundscout: error: localhost/nope: no such GitHub organization or user (HTTP 404" in (
        stderr.replace("\n", " ")
    )
    assert not (tmp_path / "out").exists()


def test_a_token_without_access_exits_2_with_a_clear_message(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_revoked0000000000000000000000000000")
    fake = FakeGithub(httpserver, repos=REPOS, token="ghp_valid")
    code, _, stderr = audit(fake, tmp_path / "out", "--github-org", "acme")
    assert code == 2
    assert "GitHub refused the token (HTTP 401" in stderr
    assert "ghp_revoked" not in stderr


@pytest.mark.parametrize(
    "flag", [["--include-forks"], ["--include-archived"], ["--repo-filter", "x*"],
             ["--use-github-sbom"]],
)  # fmt: skip
def test_crawl_flags_without_an_organization_are_usage_errors(
    flag: list[str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, ["audit", str(tmp_path), *flag])
    assert result.exit_code == 2
    assert f"{flag[0]} needs --github-org ORG" in result.stderr


def test_offline_the_crawl_answers_from_what_an_earlier_run_kept(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeGithub(httpserver, repos=REPOS)
    code, _, stderr = audit(fake, tmp_path / "out", "--github-org", "acme", "--offline")
    assert code == 2 and "repository list is not in the cache (offline)" in stderr
    assert fake.log == []
    assert audit(fake, tmp_path / "out", "--github-org", "acme")[0] == 0
    fake.log.clear()
    code, _, stderr = audit(fake, tmp_path / "again", "--github-org", "acme", "--offline")
    assert code == 0, stderr
    assert repositories(tmp_path / "again") == ["api", "web"]
    assert fake.log == []
